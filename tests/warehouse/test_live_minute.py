"""data_access.runner: when a live view's minute turns and the warehouse has committed
nothing since the last minute's result, that result is served at once and the new
minute's is computed behind it; after a commit, or once the earlier result is too old,
the caller waits for the new minute's rows instead.

The figure used is 超期未结 (overdue): an incident falls due between the two minutes, so
the two results differ by exactly that incident."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from data_access import Period, Scope, period, runner
from data_access.runner import fetch, query_cache
from tests.warehouse.rows import COMMUNITY_A, LOCAL, incident, two_communities

MINUTE = timedelta(minutes=1)


class _Clock(datetime):
    """data_access.period's "now", set by the test."""

    current: datetime

    @classmethod
    def now(cls, tz=None):
        return cls.current.astimezone(tz)


@pytest.fixture
def live(fresh_warehouse, monkeypatch):
    """(overdue as the district's live view shows it now, executions so far, set clock)."""
    two_communities(fresh_warehouse.owner)
    _Clock.current = datetime.now(LOCAL).replace(second=0, microsecond=0)
    monkeypatch.setattr(period, "datetime", _Clock)
    monkeypatch.setattr(runner, "CACHE_TTL", -1.0)  # every result past its TTL at once
    monkeypatch.setattr(runner, "VERSION_TTL", 0.0)
    executions: list[str] = []
    monkeypatch.setattr(runner, "QUERY_OBSERVERS", [lambda name, *_: executions.append(name)])
    query_cache().clear()

    def overdue() -> int:
        params = Period.last_days(30).params()
        frame = fetch(
            "incident_summary",
            Scope.district(),
            url=fresh_warehouse.reader_url,
            grid_code=None,
            **params,
        )
        return int(frame.loc[frame["community_code"].isna(), "overdue"].iloc[0])

    def set_clock(moment: datetime) -> None:
        _Clock.current = moment

    yield overdue, executions, set_clock
    runner.settle(30)
    query_cache().clear()


def _falls_due_between_minutes(fresh_warehouse, start: datetime, incident_id: str) -> None:
    # Overdue means due_at < T: not at `start`, but at the next minute.
    incident(
        fresh_warehouse.owner,
        COMMUNITY_A,
        incident_id,
        start - timedelta(hours=2),
        due=start + timedelta(seconds=30),
    )


def test_the_last_minute_is_served_while_the_next_is_computed(fresh_warehouse, live):
    overdue, executions, set_clock = live
    start = _Clock.current
    _falls_due_between_minutes(fresh_warehouse, start, "LIVE-1")

    assert overdue() == 0  # due 30 s after T
    assert executions == ["incident_summary"]

    set_clock(start + MINUTE)
    served = overdue()
    assert executions == ["incident_summary"]  # nothing ran before the answer
    assert served == 0  # the earlier minute's figure
    assert runner.settle(30) == 1  # the new minute's, computed behind it
    assert executions == ["incident_summary"] * 2

    assert overdue() == 1  # the new minute's figure, without running again
    assert executions == ["incident_summary"] * 2


def test_after_a_commit_the_caller_waits_for_new_rows(fresh_warehouse, live):
    overdue, executions, set_clock = live
    start = _Clock.current
    assert overdue() == 0

    _falls_due_between_minutes(fresh_warehouse, start, "LIVE-2")
    set_clock(start + MINUTE)
    assert overdue() == 1  # the new row and the new minute, at once
    assert runner.settle(30) == 0
    assert executions == ["incident_summary"] * 2


def test_an_earlier_result_too_old_is_not_served(fresh_warehouse, live):
    overdue, executions, set_clock = live
    start = _Clock.current
    _falls_due_between_minutes(fresh_warehouse, start, "LIVE-3")
    assert overdue() == 0

    set_clock(start + timedelta(seconds=runner.LIVE_GRACE_S) + MINUTE)
    assert overdue() == 1
    assert runner.settle(30) == 0
    assert executions == ["incident_summary"] * 2
