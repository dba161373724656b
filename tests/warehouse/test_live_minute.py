"""data_access.runner: when a live view's minute turns and the warehouse has committed
nothing since the last minute's result, that result is served at once and the new
minute's is computed behind it; after a commit, or once the earlier result is too old,
the caller waits for the new minute's rows instead, and so does a briefing, which
states its minute.

The figure used is 超期未结 (overdue): an incident falls due between the two minutes, so
the two results differ by exactly that incident."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from data_access import Period, Scope, period, runner
from data_access.runner import fetch, query_cache
from tests.warehouse.clock import Clock
from tests.warehouse.rows import COMMUNITY_A, LOCAL, incident, two_communities

MINUTE = timedelta(minutes=1)


@pytest.fixture
def live(fresh_warehouse, monkeypatch):
    """(overdue as the district's live view shows it now, queries run by the callers,
    queries run behind them, set clock)."""
    two_communities(fresh_warehouse.owner)
    Clock.current = datetime.now(LOCAL).replace(second=0, microsecond=0)
    monkeypatch.setattr(period, "datetime", Clock)
    monkeypatch.setattr(runner, "CACHE_TTL", -1.0)  # every result past its TTL at once
    monkeypatch.setattr(runner, "VERSION_TTL", 0.0)
    executions: list[str] = []
    behind: list[str] = []

    def observe(name, *_):
        computed_behind = threading.current_thread().name.startswith(runner.BEHIND_THREAD_PREFIX)
        (behind if computed_behind else executions).append(name)

    monkeypatch.setattr(runner, "QUERY_OBSERVERS", [observe])
    query_cache().clear()

    def overdue() -> int:
        params = Period.last_days(30).params()
        frame = fetch(
            "incident_overdue_counts",
            Scope.district(),
            url=fresh_warehouse.reader_url,
            grid_code=None,
            **params,
        )
        return int(frame.loc[frame["community_code"].isna(), "overdue"].iloc[0])

    def set_clock(moment: datetime) -> None:
        Clock.current = moment

    yield overdue, executions, behind, set_clock
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
    overdue, executions, behind, set_clock = live
    start = Clock.current
    _falls_due_between_minutes(fresh_warehouse, start, "LIVE-1")

    assert overdue() == 0  # due 30 s after T
    assert executions == ["incident_overdue_counts"]

    set_clock(start + MINUTE)
    served = overdue()
    assert executions == ["incident_overdue_counts"]  # nothing ran before the answer
    assert served == 0  # the earlier minute's figure
    runner.settle(30)
    # the new minute's, computed behind it
    assert (executions, behind) == (["incident_overdue_counts"], ["incident_overdue_counts"])

    assert overdue() == 1  # the new minute's figure, without running again
    assert (executions, behind) == (["incident_overdue_counts"], ["incident_overdue_counts"])


def test_after_a_commit_the_caller_waits_for_new_rows(fresh_warehouse, live):
    overdue, executions, behind, set_clock = live
    start = Clock.current
    assert overdue() == 0

    _falls_due_between_minutes(fresh_warehouse, start, "LIVE-2")
    set_clock(start + MINUTE)
    assert overdue() == 1  # the new row and the new minute, at once
    runner.settle(30)
    assert (executions, behind) == (["incident_overdue_counts"] * 2, [])


def test_an_earlier_result_too_old_is_not_served(fresh_warehouse, live):
    overdue, executions, behind, set_clock = live
    start = Clock.current
    _falls_due_between_minutes(fresh_warehouse, start, "LIVE-3")
    assert overdue() == 0

    set_clock(start + timedelta(seconds=runner.LIVE_GRACE_S) + MINUTE)
    assert overdue() == 1
    runner.settle(30)
    assert (executions, behind) == (["incident_overdue_counts"] * 2, [])


def test_a_briefing_states_its_minute_and_waits_for_it(fresh_warehouse, live, monkeypatch):
    from briefing import content
    from ui.i18n import t

    _, executions, behind, set_clock = live
    start = Clock.current
    _falls_due_between_minutes(fresh_warehouse, start, "LIVE-4")
    for key, value in fresh_warehouse.env().items():
        monkeypatch.setenv(key, value)

    def briefing_overdue() -> tuple[str, str]:
        built = content.build(Scope.district(), Period.last_days(30), "全区", "zh")
        tiles = {tile.label: tile.value for tile in built.sections[0].pages[0].groups[0].tiles}
        return tiles[t("fig.overdue", "zh")], built.as_of_text

    assert briefing_overdue() == ("0", content.as_of_text(Period.last_days(30), "zh"))
    ran = len(executions)
    set_clock(start + MINUTE)
    # The new minute's figure with the new minute's label, not the minute before's 0.
    assert briefing_overdue() == ("1", content.as_of_text(Period.last_days(30), "zh"))
    assert "incident_overdue_counts" in executions[ran:]  # waited for, not computed behind
    runner.settle(30)
    assert behind == []
