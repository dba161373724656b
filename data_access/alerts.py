"""督办 alerts (issue [11]): open incidents at a level of the ladder in
config/alerts.toml (sql/queries/alerts.sql), their acknowledgements, and the notice
outbox's failures. Levels, in rising order:

- "warning"   预警  due within ladder.warning_hours hours; the community acts
- "overdue"   超期  past its due date (超期未结); the street acts
- "escalated" 督办  still open at the end of ladder.escalate_work_days working days
                    after the day it fell due; the district acts

An acknowledgement goes through one SECURITY DEFINER function of the warehouse
(cockpit_auth.acknowledge_alert, migration 026), which checks the session's own scope
and audits the call: the app role writes nothing else.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import cache

import pandas as pd
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from data_access import runner
from data_access.period import LOCAL, Period, current_minute
from data_access.runner import fetch
from data_access.scope import Scope
from data_access.viewer import current_viewer
from sqlfiles import query

LEVELS = ("warning", "overdue", "escalated")
ACK_OUTCOMES = ("ok", "refused", "closed", "invalid")
NOTE_MAX = 500
ACK_COLUMNS = ["community_code", "incident_id", "level", "acked_by", "acked_at", "ack_note"]


@cache
def _ladder_at(path: str, mtime: float):
    from pathlib import Path

    from notices.config import load

    return load(Path(path)).ladder


def ladder():
    """The ladder of config/alerts.toml (COCKPIT_ALERTS_CONFIG), read again when the file
    changes: notices.config.Ladder(warning_hours, escalate_work_days)."""
    from notices.config import config_path

    path = config_path()
    return _ladder_at(str(path), os.path.getmtime(path))


def _params(scope: Scope, t: datetime | None) -> dict:
    steps = ladder()
    return {
        "t": (t or current_minute()).astimezone(LOCAL),
        "warning_hours": steps.warning_hours,
        "escalate_days": steps.escalate_work_days,
        "grid_code": scope.grid_code,
    }


def open_alerts(scope: Scope, t: datetime | None = None) -> pd.DataFrame:
    """One row per incident in scope with an alert at `t` (now, to the minute, by
    default): community_code, community_name, street_code, street_name, incident_id,
    category_code, category_name, grid_code, grid_name, worker, reported_at, due_at,
    escalate_at, level, since, act_by ('community' | 'street' | 'district'),
    act_by_name, unknown_years; plus hours_since (at `t`) and the acknowledgement of
    that level: acked_by, acked_at, ack_note (None when not acknowledged).
    Escalated first, then overdue, then warning, oldest first."""
    params = _params(scope, t)
    frame = fetch("open_alerts", scope, **params).copy()
    frame["hours_since"] = [
        (params["t"] - since).total_seconds() / 3600.0 for since in frame["since"]
    ]
    acks = acknowledgements(scope)
    if acks.empty:
        for column in ("acked_by", "acked_at", "ack_note"):
            frame[column] = None
        return frame
    return frame.merge(acks, how="left", on=["community_code", "incident_id", "level"])


def level_counts(scope: Scope, t: datetime | None = None) -> dict[str, int]:
    """How many alerts the scope has at each level at `t` (now by default): {"warning":
    n, "overdue": n, "escalated": n} — every key always present (0 when none); an
    incident counts once, at its highest level. Counted in the warehouse: the wall
    screen's ladder needs no alert itself."""
    frame = fetch("alert_level_counts", scope, **_params(scope, t))
    counts = dict(zip(frame["level"], frame["alerts"], strict=True))
    return {level: int(counts.get(level, 0)) for level in LEVELS}


def due_soonest(scope: Scope, limit: int, t: datetime | None = None) -> pd.DataFrame:
    """The `limit` warnings (预警) at `t` due soonest: community_code, community_name,
    incident_id, category_name, grid_name, worker, due_at."""
    return fetch("alerts_due_soonest", scope, limit=limit, **_params(scope, t))


def acknowledgements(scope: Scope) -> pd.DataFrame:
    """Acknowledged alerts in scope, read uncached (an acknowledgement shows at once):
    community_code, incident_id, level, acked_by, acked_at, ack_note."""
    viewer = current_viewer()
    named = query("alert_acks")
    narrowest = viewer.scope if viewer and scope.kind == "district" else scope
    try:
        params = {"scope_codes": runner.scope_codes(narrowest)}
        frame, _ = runner._run(
            runner.reader_engine(runner.current_reader_url()),
            named.clause(),
            scope,
            params,
            viewer.token_hash if viewer else None,
        )
    except (OperationalError, runner.WarehouseUnavailable):
        # Down: the alerts are served stale by the cache; their acknowledgements are
        # not known meanwhile (the page's banner says the warehouse is unreachable).
        return pd.DataFrame(columns=ACK_COLUMNS)
    return frame


def find(scope: Scope, community_code: str, incident_id: str, t: datetime | None = None):
    """The open alert of one incident as the scope sees it (a dict), or None: outside
    the scope, unknown, or without an alert look the same."""
    frame = open_alerts(scope, t)
    match = frame[
        (frame["community_code"] == community_code) & (frame["incident_id"] == incident_id)
    ]
    return match.iloc[0].to_dict() if len(match) else None


def timeline(scope: Scope, community_code: str, incident_id: str) -> pd.DataFrame:
    """The incident's status steps up to now (data_access.incidents.timeline)."""
    from data_access import incidents

    return incidents.timeline(scope, Period.last_days(1), community_code, incident_id)


def acknowledge(viewer, community_code: str, incident_id: str, level: str, note: str,
                url: str | None = None) -> str:  # fmt: skip
    """Acknowledge an alert as the signed-in viewer; returns 'ok', 'refused' (a wall
    screen, or outside the viewer's scope), 'closed' or 'invalid' (see migration 026)."""
    from data_access.auth import _reachable, _writing

    @_reachable
    def call() -> str:
        connection, transaction = _writing(url)
        try:
            outcome = connection.execute(
                text("SELECT cockpit_auth.acknowledge_alert(:h, :c, :i, :l, :n)"),
                {
                    "h": viewer.token_hash,
                    "c": community_code,
                    "i": incident_id,
                    "l": level,
                    "n": (note or "")[:NOTE_MAX],
                },  # fmt: skip
            ).scalar_one()
            transaction.commit()
        finally:
            connection.close()
        return outcome

    return call()


def notice_failures(scope: Scope, limit: int = 50) -> pd.DataFrame:
    """Notices failing or given up (outbox): channel, community_code, incident_id, level,
    status ('pending' to retry | 'failed' given up), attempts, recorded_at,
    last_attempt_at, next_attempt_at, last_error."""
    return fetch("notice_failures", scope, limit=limit)


def notice_summary(scope: Scope) -> pd.DataFrame:
    """Per channel: sent, pending, failed, last_sent_at."""
    return fetch("notice_summary", scope)
