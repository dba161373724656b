"""Whole-city results kept in the warehouse (migration 031; docs/performance.md).

A viewer of the whole city waits 1-2 s for each figure that is no sum of days (unique
users, medians, every community's rates): thousands of communities' facts, read again
by every app process, after every restart, for the same answer. Such a query's result,
once computed for the whole district, is kept in the warehouse (kept_result) and served
from there to every whole-district session until the data change, the local day turns
or the query's text changes. Nothing narrower is kept: a street's or a community's
queries are fast, and their viewers never read a kept row (row-level security).

Only the queries below are kept: for a live view (T = now, to the minute) each depends
on T only through "an event at or before T" (reported_at <= :t, visited_at < :end_at…),
and the ingest contract refuses events after a load starts, so until something is
written again no event lies between the minute a result was computed for and a later
one: the later minute's result is the same rows. A figure that moves with the clock
alone (overdue: due_at < T; a rolling 30 days; an incident's age) is kept only for a
fixed T (KEPT_FOR_A_FIXED_T): a past as-of day, or the previous period a page compares.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

from data_access import period
from data_access.scope import Scope
from data_access.viewer import Viewer

# name -> why its live result is the same at every later minute of the day (see above)
KEPT_QUERIES = {
    "incident_summary": "open, closed, rates and hours count events by :t; overdue is apart",
    "incident_flow_by_day": "reported, closed and rejected by :t, per day",
    "incident_channels": "incidents reported in the period",
    "incident_categories": "reported, open and closed by :t; overdue is apart",
    "handling_time_histogram": "incidents closed in the period",
    "service_summary": "attended visits in the period (bookings ahead are not attended)",
    "facility_usage": "attended visits in the period",
    "visit_heatmap": "attended visits in the period",
    "points_summary": "days up to the end day; participation (30 days to :t) is apart",
    "points_flows": "journals in the period",
    "points_holders": "balances less the entries after :t (none after a load)",
    "map_community_areas": "outlines and residents: no time at all",
    "map_open_incidents": "open at :t; their hours at :t are data_access.geo's",
}


# Kept only for a fixed T (a past as-of day, or the previous period a page compares
# with): each moves with the clock when T is now, and with nothing else.
KEPT_FOR_A_FIXED_T = {
    "incident_overdue_counts": "overdue: due_at < :t",
    "points_participation": "the 30 days to :t",
    "incident_overdue_by_category": "overdue: due_at < :t",
    "newest_incidents": "the day to :t",
    "overdue_incidents": "overdue at :t",
    "open_alerts": "levels by the time since due",
    "alert_level_counts": "levels by the time since due",
    "alerts_due_soonest": "levels by the time since due",
}


def applies(name: str, scope: Scope, viewer: Viewer | None, live: bool = False) -> bool:
    """Whether this query, asked for this scope by this viewer, is kept (`live`: its T
    is now)."""
    viewer_sees_all = viewer is None or viewer.scope.kind == "district"
    kept_here = name in KEPT_QUERIES or (not live and name in KEPT_FOR_A_FIXED_T)
    return scope.kind == "district" and viewer_sees_all and kept_here


def _typed(value):
    if isinstance(value, datetime):
        return {"instant": value.isoformat()}
    if isinstance(value, date):
        return {"day": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_typed(item) for item in value]
    return value


def _untyped(value):
    if isinstance(value, dict) and "instant" in value:
        return datetime.fromisoformat(value["instant"])
    if isinstance(value, dict) and "day" in value:
        return date.fromisoformat(value["day"])
    if isinstance(value, list):
        return [_untyped(item) for item in value]
    return value


class Key:
    """Where a result is kept: the query's text and its bound parameters, a live view's
    minute (every bound instant equal to it) left out, so later minutes find it."""

    def __init__(self, name: str, sql: str, bound: dict, now: datetime | None):
        self.name = name
        self.now = now
        timeless = {k: v for k, v in bound.items() if not (now is not None and v == now)}
        text = json.dumps(
            {"sql": sql, "params": {k: _typed(v) for k, v in sorted(timeless.items())}},
            sort_keys=True,
        )
        self.params_key = hashlib.sha256(text.encode()).hexdigest()
        self.params = json.dumps({k: _typed(v) for k, v in sorted(bound.items())})

    @property
    def live_day(self) -> date | None:
        return self.now.astimezone(period.LOCAL).date() if self.now is not None else None


# The payload is an Arrow IPC stream (zstd): a whole-city page reads back tens of kept
# results, and this decodes in half the time Parquet did (4-5 ms for 3,000 communities'
# rows), at a like size. A payload kept as Parquet before is still read.
_PARQUET_MAGIC = b"PAR1"


def encode(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = io.BytesIO()
    options = ipc.IpcWriteOptions(compression="zstd")
    with ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue()


def decode(payload: bytes) -> pd.DataFrame:
    payload = bytes(payload)
    if payload[:4] == _PARQUET_MAGIC:
        frame = pd.read_parquet(io.BytesIO(payload))
    else:
        frame = ipc.open_stream(payload).read_all().to_pandas()
    for column in [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c])]:
        # Arrow gives a list back as an array; the query gave a list (an array's truth
        # is ambiguous where a caller asks `if row["unknown_years"]`)
        if any(isinstance(value, np.ndarray) for value in frame[column]):
            frame[column] = [
                value.tolist() if isinstance(value, np.ndarray) else value
                for value in frame[column]
            ]
    return frame


def bound_again(params: str, live_day: date | None, computed_for: datetime, now: datetime) -> dict:
    """The parameters a kept result was computed with, moved to `now`: a live view's
    days by the days since it was kept and its minute to `now`; a fixed T's unchanged."""
    bound = {k: _untyped(v) for k, v in json.loads(params).items()}
    if live_day is None:
        return bound
    shift = timedelta(days=(now.astimezone(period.LOCAL).date() - live_day).days)
    moved = {}
    for name, value in bound.items():
        if isinstance(value, datetime):
            moved[name] = now if value == computed_for else value + shift
        elif isinstance(value, date):
            moved[name] = value + shift
        else:
            moved[name] = value
    return moved
