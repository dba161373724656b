"""Whole-city results kept in the warehouse (migration 031, data_access/kept.py): a
whole-district result is kept and served to a new process, at later minutes of the
day, until a write outdates it; narrower viewers never read or write one; `cockpit
refresh`'s keeper computes again what a load outdated.

The figure used is 服务人次 (visits) over the last 30 days: the sum of the units of
the attended visits the test inserted."""

from __future__ import annotations

import shutil
import threading
from datetime import datetime, time, timedelta

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from data_access import Period, Scope, kept, period, runner
from data_access.keeper import keep_again, next_minute
from data_access.runner import fetch, query_cache
from tests.warehouse.clock import Clock
from tests.warehouse.rows import (
    COMMUNITY_A,
    COMMUNITY_B,
    FACILITY_A,
    FACILITY_B,
    LOCAL,
    STREET_A,
    incident,
    journal,
    two_communities,
    visit,
)

MINUTE = timedelta(minutes=1)


def _ran(executions: list[str], name: str) -> None:
    if name != runner.KEPT_READ:  # looking a kept result up runs no figure's query
        executions.append(name)


def _new_process() -> None:
    """What an app process that just started holds: nothing."""
    query_cache().clear()
    runner._kept_frames.clear()
    runner._kept_ids.clear()


@pytest.fixture
def city(fresh_warehouse, monkeypatch):
    """(visits as the whole district's live view shows them, queries run, set clock)."""
    two_communities(fresh_warehouse.owner)
    # After the rows the test writes now (the ingest contract's "no event after the
    # load"), so what is computed for it holds at the minutes after; at 10:00 of the next
    # day, so that those minutes are of the same day whenever the test runs.
    tomorrow = datetime.now(LOCAL).date() + timedelta(days=1)
    Clock.current = datetime.combine(tomorrow, time(10, 0), tzinfo=LOCAL)
    monkeypatch.setattr(period, "datetime", Clock)
    monkeypatch.setattr(runner, "CACHE_TTL", -1.0)
    monkeypatch.setattr(runner, "VERSION_TTL", 0.0)
    executions: list[str] = []
    monkeypatch.setattr(runner, "QUERY_OBSERVERS", [lambda name, *_: _ran(executions, name)])
    _new_process()

    def visits() -> int:
        frame = fetch(
            "service_summary",
            Scope.district(),
            url=fresh_warehouse.reader_url,
            **Period.last_days(30).params(),
        )
        runner.settle(30)  # the keeping, done behind the answer
        return int(frame.loc[frame["community_code"].isna(), "visits"].iloc[0])

    def set_clock(moment: datetime) -> None:
        Clock.current = moment

    yield visits, executions, set_clock
    runner.settle(30)
    _new_process()


def _refreshed(owner) -> None:
    with owner.begin() as connection:
        connection.execute(text("SELECT refresh_rollups()"))


def _yesterday_and_today(owner) -> int:
    now = datetime.now(LOCAL)
    visit(owner, COMMUNITY_A, FACILITY_A, "V1", now - timedelta(days=1), units=2)
    visit(owner, COMMUNITY_B, FACILITY_B, "V2", now - timedelta(minutes=5), units=3)
    _refreshed(owner)
    return 2 + 3


def _a_new_visit(owner, units: int) -> None:
    visit(
        owner,
        COMMUNITY_A,
        FACILITY_A,
        "V3",
        datetime.now(LOCAL) - timedelta(minutes=2),
        units=units,
    )
    _refreshed(owner)


def _kept_rows(owner) -> int:
    with owner.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM kept_result")).scalar_one()


def test_a_kept_result_is_served_to_a_new_process_and_at_later_minutes(fresh_warehouse, city):
    visits, executions, set_clock = city
    expected = _yesterday_and_today(fresh_warehouse.owner)

    assert visits() == expected
    assert executions == ["service_summary"]
    assert _kept_rows(fresh_warehouse.owner) == 1

    _new_process()
    assert visits() == expected  # read from the warehouse's kept rows
    assert executions == ["service_summary"]

    _new_process()
    set_clock(Clock.current + 5 * MINUTE)  # a later minute of the same day
    assert visits() == expected
    assert executions == ["service_summary"]


def test_a_write_outdates_the_kept_result(fresh_warehouse, city):
    visits, executions, _ = city
    expected = _yesterday_and_today(fresh_warehouse.owner)
    assert visits() == expected

    _a_new_visit(fresh_warehouse.owner, 4)
    _new_process()
    assert visits() == expected + 4
    assert executions == ["service_summary"] * 2


def test_a_live_result_is_not_kept_when_its_minute_is_before_the_rows_it_saw(fresh_warehouse, city):
    visits, executions, set_clock = city
    set_clock(datetime.now(LOCAL).replace(second=0, microsecond=0) - MINUTE)
    # a row written now may hold events after the minute asked for (here: none does,
    # but the warehouse cannot know): its result holds for that minute only
    visit(
        fresh_warehouse.owner,
        COMMUNITY_A,
        FACILITY_A,
        "V1",
        datetime.now(LOCAL) - timedelta(days=1),
        units=2,
    )
    _refreshed(fresh_warehouse.owner)
    assert visits() == 2
    assert _kept_rows(fresh_warehouse.owner) == 0

    set_clock(datetime.now(LOCAL).replace(second=0, microsecond=0) + MINUTE)
    _new_process()
    assert visits() == 2
    assert _kept_rows(fresh_warehouse.owner) == 1
    assert executions == ["service_summary"] * 2


def test_a_live_result_is_not_kept_before_the_events_a_writer_declared(fresh_warehouse, city):
    # The demo's loaders write a day that runs to 20:00 whenever they run: rows holding
    # events after the minute a result is computed for, which a later minute counts.
    _, executions, set_clock = city
    owner = fresh_warehouse.owner
    reported, closed = Clock.current - timedelta(hours=1), Clock.current + timedelta(hours=1)
    incident(owner, COMMUNITY_A, "I1", reported, closed=closed)
    with owner.begin() as connection:
        connection.execute(text("SELECT declare_events_until(:closed)"), {"closed": closed})
    _refreshed(owner)

    def open_incidents() -> int:
        frame = fetch(
            "incident_summary",
            Scope.district(),
            url=fresh_warehouse.reader_url,
            grid_code=None,
            **Period.last_days(30).params(),
        )
        runner.settle(30)
        return int(frame.loc[frame["community_code"].isna(), "open"].iloc[0])

    assert open_incidents() == 1  # closed an hour after the clock's minute
    assert _kept_rows(owner) == 0

    set_clock(closed + 30 * MINUTE)
    _new_process()
    assert open_incidents() == 0
    assert executions == ["incident_summary"] * 2
    assert _kept_rows(owner) == 1  # after the declared events, kept again


def test_a_street_or_community_viewer_never_reads_or_keeps_a_kept_result(fresh_warehouse, city):
    visits, _, _ = city
    _yesterday_and_today(fresh_warehouse.owner)
    visits()
    reader = fresh_warehouse.reader()

    def count_as(scope: str) -> int:
        with reader.begin() as connection:
            connection.execute(text("SELECT set_config('cockpit.scope', :s, true)"), {"s": scope})
            return connection.execute(text("SELECT count(*) FROM kept_result")).scalar_one()

    assert count_as("district") == 1
    assert count_as(f"street:{STREET_A}") == 0
    assert count_as(f"community:{COMMUNITY_A}") == 0

    with pytest.raises(DBAPIError, match="whole district"), reader.begin() as connection:
        connection.execute(
            text("SELECT set_config('cockpit.scope', :s, true)"), {"s": f"street:{STREET_A}"}
        )
        connection.execute(
            text(
                "SELECT keep_result('service_summary', 'forged', '{}', NULL, now(),"
                " pg_current_snapshot(), '\\x00')"
            )
        )

    # The runner does not even look for one: a street's query runs.
    executions: list[str] = []
    runner.QUERY_OBSERVERS.append(lambda name, *_: _ran(executions, name))
    fetch(
        "service_summary",
        Scope("street", STREET_A),
        url=fresh_warehouse.reader_url,
        scope_codes=[COMMUNITY_A],
        **Period.last_days(30).params(),
    )
    assert executions == ["service_summary"]


def test_the_keeper_computes_again_what_a_load_outdated(fresh_warehouse, city):
    visits, executions, set_clock = city
    expected = _yesterday_and_today(fresh_warehouse.owner)
    assert visits() == expected

    _a_new_visit(fresh_warehouse.owner, 4)
    report = keep_again(fresh_warehouse.owner, fresh_warehouse.reader_url, now=Clock.current)
    assert report.computed == ["service_summary"]
    assert report.current == 0

    set_clock(next_minute(Clock.current))  # the keeper computed for the next minute
    _new_process()
    assert visits() == expected + 4  # the load's rows, and nothing ran for them
    assert executions == ["service_summary"]
    # what every kept result has seen is forgotten from the write log
    with fresh_warehouse.owner.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM data_write_log")).scalar_one() == 0


def test_a_result_older_than_the_forgotten_writes_is_not_kept(fresh_warehouse, city):
    visits, _, _ = city
    _yesterday_and_today(fresh_warehouse.owner)
    reader = fresh_warehouse.reader()
    with reader.begin() as connection:
        old_snapshot = connection.execute(text("SELECT pg_current_snapshot()::text")).scalar_one()
    visit(
        fresh_warehouse.owner,
        COMMUNITY_A,
        FACILITY_A,
        "V3",
        datetime.now(LOCAL) - timedelta(days=2),
    )
    with fresh_warehouse.owner.begin() as connection:
        assert connection.execute(text("SELECT forget_seen_writes()")).scalar_one() >= 1
    with reader.begin() as connection:
        connection.execute(text("SELECT set_config('cockpit.scope', 'district', true)"))
        kept_it = connection.execute(
            text(
                "SELECT keep_result('service_summary', 'late', '{}', NULL, now(),"
                " CAST(:s AS pg_snapshot), '\\x00')"
            ),
            {"s": old_snapshot},
        ).scalar_one()
    assert kept_it is False  # the write it missed is no longer in the log to say so


def test_every_kept_query_reads_back_the_frame_it_kept(fresh_warehouse, city):
    _, executions, _ = city
    owner = fresh_warehouse.owner
    now = datetime.now(LOCAL)
    _yesterday_and_today(owner)
    incident(owner, COMMUNITY_A, "I1", now - timedelta(days=3), closed=now - timedelta(days=1))
    incident(owner, COMMUNITY_B, "I2", now - timedelta(days=2))
    incident(owner, COMMUNITY_A, "I3", now - timedelta(days=10))  # an alert at the past T
    journal(owner, COMMUNITY_A, "J1", now - timedelta(days=1), "earn", "r1", 10)
    journal(owner, COMMUNITY_A, "J2", now - timedelta(hours=3), "redeem", "r1", 4)
    _refreshed(owner)
    live = {**Period.last_days(30).params(), "grid_code": None}
    # a past T: the figures that move with the clock are kept for it
    fixed = {**Period.last_days(30, as_of=(now - timedelta(days=1)).date()).params()}
    fixed.update(grid_code=None, limit=200, warning_hours=24, escalate_days=2)
    asked = [(name, live) for name in sorted(kept.KEPT_QUERIES)]
    asked += [(name, fixed) for name in sorted(kept.KEPT_FOR_A_FIXED_T)]
    for name, params in asked:
        _new_process()
        computed = fetch(name, Scope.district(), url=fresh_warehouse.reader_url, **params)
        runner.settle(30)
        _new_process()
        ran = len(executions)
        served = fetch(name, Scope.district(), url=fresh_warehouse.reader_url, **params)
        assert len(executions) == ran, f"{name} ran again instead of being read back"
        pd.testing.assert_frame_equal(served, computed, check_dtype=True)
        for column in [c for c in computed if pd.api.types.is_object_dtype(computed[c])]:
            assert [type(v) for v in served[column]] == [type(v) for v in computed[column]]
        if name == "open_alerts":  # its unknown_years are lists, as the query gives them
            assert len(served) >= 1 and isinstance(served["unknown_years"].iloc[0], list)


def test_a_migration_forgets_every_kept_result(fresh_warehouse, city, tmp_path, monkeypatch):
    from warehouse import migrate

    visits, _, _ = city
    _yesterday_and_today(fresh_warehouse.owner)
    visits()
    assert _kept_rows(fresh_warehouse.owner) == 1
    for path in migrate.migration_files():
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "999_redefines_a_function.sql").write_text("SELECT 1;\n")
    monkeypatch.setattr(migrate, "MIGRATIONS", tmp_path)
    assert migrate.migrate(fresh_warehouse.owner) == ["999_redefines_a_function.sql"]
    assert _kept_rows(fresh_warehouse.owner) == 0


def test_keeping_never_blocks_a_concurrent_writer(fresh_warehouse, city):
    # Each writer logs its own transaction id: a writer does not wait for another's
    # (of another community: one community's writers share its freshness row).
    owner = fresh_warehouse.owner
    first = owner.connect()
    first_tx = first.begin()
    visit(owner, COMMUNITY_B, FACILITY_B, "V9", datetime.now(LOCAL) - timedelta(days=1))
    finished = threading.Event()

    def second_writer():
        visit(owner, COMMUNITY_A, FACILITY_A, "V8", datetime.now(LOCAL) - timedelta(days=1))
        finished.set()

    first.execute(
        text(
            "INSERT INTO fact_service_visit (community_code, visit_id, facility_code, visited_at,"
            " resident_ref, units, status) VALUES (:c, 'V7', :f, now() - interval '1 day', 'r',"
            " 1, 'attended')"
        ),
        {"c": COMMUNITY_B, "f": FACILITY_B},
    )
    thread = threading.Thread(target=second_writer)
    thread.start()
    assert finished.wait(10)
    first_tx.commit()
    first.close()
    with owner.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM data_write_log")).scalar_one() >= 3


def test_cockpit_check_compares_every_kept_result_with_its_query(fresh_warehouse, city):
    from data_access.keeper import check_kept

    visits, _, _ = city
    _yesterday_and_today(fresh_warehouse.owner)
    visits()
    result = check_kept(fresh_warehouse.reader_url)
    assert (result.ok, result.detail) == (True, "1 kept whole-city results equal their queries")

    # A kept payload that is not what its query returns (as if kept wrongly) fails it.
    wrong = kept.encode(pd.DataFrame({"community_code": [None], "visits": [999]}))
    with fresh_warehouse.owner.begin() as connection:
        connection.execute(text("UPDATE kept_result SET payload = :p"), {"p": wrong})
    result = check_kept(fresh_warehouse.reader_url)
    assert not result.ok and "service_summary" in result.detail


def test_a_figure_that_moves_with_the_clock_is_kept_for_a_fixed_t_only(fresh_warehouse, city):
    # Overdue at the end of a past day is that day's for good; overdue now is not kept.
    _, executions, _ = city
    owner = fresh_warehouse.owner
    now = datetime.now(LOCAL)
    incident(owner, COMMUNITY_A, "O1", now - timedelta(days=10), due=now - timedelta(days=8))
    incident(owner, COMMUNITY_B, "O2", now - timedelta(days=10), due=now - timedelta(days=1))
    _refreshed(owner)

    def overdue(period: Period) -> int:
        frame = fetch(
            "incident_overdue_counts",
            Scope.district(),
            url=fresh_warehouse.reader_url,
            grid_code=None,
            **period.params(),
        )
        runner.settle(30)
        return int(frame.loc[frame["community_code"].isna(), "overdue"].iloc[0])

    past = Period.last_days(7, as_of=(now - timedelta(days=3)).date())
    assert overdue(past) == 1  # O1 (due 8 days ago); O2 falls due later
    _new_process()
    assert overdue(past) == 1
    assert executions == ["incident_overdue_counts"]  # read back: a fixed T

    live = Period.last_days(7)
    assert overdue(live) == 2
    _new_process()
    assert overdue(live) == 2
    assert executions == ["incident_overdue_counts"] * 3  # now: run each time


def test_two_warehouses_never_serve_each_other_s_kept_results(fresh_warehouse, city, pg_server):
    # Each warehouse numbers its kept results from 1: what a process holds decoded is
    # known by warehouse and number, so the second's first result is its own.
    from tests.conftest import _create_database, _drop_database

    visits, _, _ = city
    expected = _yesterday_and_today(fresh_warehouse.owner)
    assert visits() == expected
    other = _create_database(pg_server, f"{fresh_warehouse.database}_other")
    try:
        two_communities(other.owner)
        visit(other.owner, COMMUNITY_A, FACILITY_A, "W1", datetime.now(LOCAL), units=7)
        _refreshed(other.owner)

        def other_visits() -> int:
            frame = fetch(
                "service_summary",
                Scope.district(),
                url=other.reader_url,
                **Period.last_days(30).params(),
            )
            runner.settle(30)
            return int(frame.loc[frame["community_code"].isna(), "visits"].iloc[0])

        assert other_visits() == 7  # computed, kept as the other's result number 1
        query_cache().clear()  # the decoded frames stay: a new minute's lookups
        assert visits() == expected
        assert other_visits() == 7
    finally:
        other.owner.dispose()
        _drop_database(pg_server, other.database)
