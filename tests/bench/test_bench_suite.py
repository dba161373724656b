"""The benchmark suite's steps over the session's demo district, once each (repeat 1, a
tiny ingest): what they measure is really there. No timing is asserted."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from benchmarks import ingest_step, keeping, page_runs, paint, refresh, rollups
from benchmarks.table import render
from data_access import period, runner
from data_access.period import LOCAL, Period, today_local
from data_access.runner import query_cache
from data_access.scope import Scope
from tests.warehouse.clock import Clock

INGEST_ROWS = 2_000
DELTA_ROWS = 10_000


@pytest.fixture
def demo(demo_warehouse, monkeypatch):
    """The demo warehouse, with the app's environment pointing at it, and the app's clock
    after the demo's day (it runs to 20:00 local whenever loaded: no live result is kept
    for a minute before its newest event, migration 035)."""
    for key, value in demo_warehouse.env().items():
        monkeypatch.setenv(key, value)
    with demo_warehouse.owner.connect() as connection:
        demo_day_ends = connection.execute(text("SELECT until FROM data_events_until")).scalar()
    Clock.current = max(datetime.now(LOCAL), demo_day_ends + timedelta(minutes=2))
    monkeypatch.setattr(period, "datetime", Clock)
    query_cache().clear()
    yield demo_warehouse
    query_cache().clear()


@pytest.fixture
def viewers(demo):
    return page_runs.sign_in_viewers(demo.owner)


def test_every_page_runs_for_every_viewer_and_sends_bytes(demo, viewers):
    # As if the demo had been loaded a minute before, not in this very minute: a live
    # result is kept only when its minute is after the writes it saw (migration 031).
    # Nothing kept by the tests before (other periods, other as-of days): the page runs
    # below keep what they ask.
    with demo.owner.begin() as connection:
        connection.execute(text("UPDATE data_write_log SET at = at - interval '1 minute'"))
        connection.execute(text("DELETE FROM kept_result"))
    results = page_runs.measure_pages(
        viewers, cold=1, warm=1, say=lambda message: None, owner=demo.owner
    )

    assert [v.scope.kind for v in viewers.values()] == ["district", "street", "community"]
    expected = {(label, viewer) for viewer in viewers for label, _, _ in page_runs.PAGES}
    assert {(r.page, r.viewer) for r in results} == expected
    assert all(not r.errors for r in results), [r.errors for r in results]
    assert all(len(r.cold) == len(r.warm) == len(r.next_minute) == 1 for r in results)
    # cold with nothing kept: the whole district's viewer only, who alone reads them
    assert all(len(r.unkept) == (r.viewer == "district") for r in results)
    # ... and what every page kept is back after it: the overview's too
    with demo.owner.connect() as connection:
        kept_names = set(connection.execute(text("SELECT query_name FROM kept_result")).scalars())
    assert {"incident_summary", "service_summary", "map_open_incidents"} <= kept_names
    assert all(run.bytes_sent > 0 for r in results for run in r.runs)
    # A cold overview with nothing kept reaches the database for its headline figures
    # (the runner's hook), this period's and the previous one's; cold again, the whole
    # district's are read back from the warehouse's kept results, a street's run again.
    overview = next(r for r in results if r.page == "overview" and r.viewer == "district")
    unkept = [name for name, _, _ in overview.unkept[0].queries]
    assert unkept.count("incident_summary") == 2
    cold = [name for name, _, _ in overview.cold[0].queries]
    assert "incident_summary" not in cold and cold.count(runner.KEPT_READ) >= 2
    street = next(r for r in results if r.page == "overview" and r.viewer == "street")
    assert [name for name, _, _ in street.cold[0].queries].count("incident_summary") == 2
    # A minute later the live figures that move with the clock (overdue) run again,
    # behind the rerun, which is served the minute before's; the kept ones are read
    # back (nothing was written); the previous period's are cached: the warehouse did
    # not change.
    later = overview.next_minute[0]
    looked_up = [name for name, _, _ in later.queries]  # kept results only, read back
    assert set(looked_up) <= {runner.KEPT_READ} and looked_up
    # :t or a live :end_at alike (service_summary has no :t)
    behind = [name for name, _, _ in later.behind]
    assert behind.count("incident_overdue_counts") == 1 and "incident_summary" not in behind
    assert later.current_after is not None and later.current_after > 0  # timed when in
    assert not overview.warm[0].queries

    rows = page_runs.page_rows(results)
    for kind in ("page run cold", "page run warm", "page run next minute", "bytes per rerun"):
        assert len([row for row in rows if row.measure == kind]) == len(expected)
    current = [row.what for row in rows if row.measure == "figures current, next minute"]
    assert "overview · district" in current
    queried = {
        (name, r.viewer)
        for r in results
        for run in (*r.unkept, *r.cold)
        for name, _, _ in run.queries
    }
    query_rows = page_runs.query_rows(results)
    assert len(query_rows) == len(queried)
    # one row per query and viewer: the street's incident_summary apart from the district's
    summary_rows = [row.what for row in query_rows if row.what.startswith("incident_summary ·")]
    assert [what.split(" ")[2] for what in summary_rows] == list(viewers)
    assert render(rows).count("\n") == len(rows) + 1  # header, rule, one line per row


def test_rollup_figures_equal_the_same_figures_from_the_facts(demo, viewers):
    as_of = today_local() - timedelta(days=1)
    checks = rollups.compare_figures(demo.reader(), viewers["district"], as_of, repeat=1)

    compared = {(c.figure, c.days) for c in checks if c.naive}
    assert compared == {
        (figure, days)
        for figure in (
            "service_summary",
            "points_summary",
            "points_participation",
            "daily_activity",
        )
        + rollups.AREA_FIGURES  # the district rollups against every community's rows
        for days in rollups.PERIOD_DAYS
    }
    assert all(c.differences == [] for c in checks), [c.differences for c in checks]
    assert all(c.rows > 1 for c in checks)  # ten communities plus the total; 30+ days


def test_the_comparison_sees_a_changed_figure(demo, viewers):
    params = Period.last_days(30, today_local() - timedelta(days=1)).params()
    scope, session = viewers["district"].scope, viewers["district"].token_hash
    sql = rollups.NAIVE["points_summary"].sql
    bound = {k: params[k] for k in rollups.NAIVE["points_summary"].params}
    _, frame = rollups._timed(demo.reader(), sql, scope, session, bound)
    changed = frame.copy()
    changed.loc[2, "issued"] = changed.loc[2, "issued"] + 1

    assert rollups.differences(frame, frame.copy()) == []
    [difference] = rollups.differences(frame, changed)
    assert "issued" in difference


def test_the_delta_leaves_its_days_pending_and_the_refresh_clears_them(demo):
    with demo.owner.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM fact_incident")).scalar_one()

    result = refresh.incremental_refresh(demo.owner, DELTA_ROWS, repeat=1)

    delta = result.delta
    assert len(delta.incidents) + len(delta.visits) == DELTA_ROWS
    days = set()
    for row in delta.incidents:
        reported, closed = row[5], row[6]
        days.add((row[0], reported.astimezone(LOCAL).date()))
        if closed is not None:
            days.add((row[0], closed.astimezone(LOCAL).date()))
    days |= {(row[0], row[3].astimezone(LOCAL).date()) for row in delta.visits}
    assert result.marked == days
    assert result.refreshed == [result.pending_before + len(days)]
    assert result.pending_after == [0]
    assert result.mismatched_days == [0]
    with demo.owner.connect() as connection:  # rolled back: the warehouse is as it was
        after = connection.execute(text("SELECT count(*) FROM fact_incident")).scalar_one()
        bench_rows = connection.execute(
            text("SELECT count(*) FROM fact_service_visit WHERE visit_id LIKE 'BENCH-%'")
        ).scalar_one()
    assert (after, bench_rows) == (before, 0)


def test_ingest_loads_exactly_the_generated_rows(pg_server, monkeypatch):
    monkeypatch.setenv("COCKPIT_HMAC_KEY", "bench-test")
    result = ingest_step.measure_ingest(pg_server, INGEST_ROWS)

    assert (result.first.status, result.again.status) == ("done", "done")
    assert result.first.rows_read == INGEST_ROWS
    assert result.first.loaded == INGEST_ROWS
    assert result.first.quarantined_total == 0
    assert result.again.unchanged == INGEST_ROWS
    assert result.incidents_in_table == INGEST_ROWS
    assert [row.n for row in ingest_step.ingest_rows(result)] == [1, 1, 1, 1, 1]


def test_pages_are_painted_in_the_browser_as_each_viewer(demo):
    from tests.browser.harness import browser_required

    if not paint.available():
        if browser_required():
            pytest.fail("/usr/bin/chromium is missing but browser tests are required here")
        pytest.skip("/usr/bin/chromium not installed")
    accounts = page_runs.viewer_accounts(demo.owner)
    chosen = {role: accounts[role] for role in ("street", "community")}
    paths = ("/", "/points")
    painted = paint.measure_paint(chosen, revisits=1, paths=paths, say=lambda message: None)

    expected = [(r, path) for r in chosen for path in (paint.EMPTY_CACHE, *paths)]
    assert [(p.viewer, p.path) for p in painted] == expected
    assert all(not p.errors for p in painted), [p.errors for p in painted]
    pages = [p for p in painted if p.path != paint.EMPTY_CACHE]
    sign_in_forms = [p for p in painted if p.path == paint.EMPTY_CACHE]
    # each timing ended on that page, painted
    assert [p.title for p in pages] == ["社区数字驾驶舱", "积分流转"] * 2
    assert all(len(p.first) == 1 and len(p.again) == 1 for p in pages)
    # the browser keeps its cache, as a leader's does: the sign-in form with an empty
    # cache fetched Streamlit's bundle, a revisit fetched none of it (with the cache off,
    # as under Playwright's routing, every visit fetched it all)
    assert all(form.fetched_first[0] >= 50 for form in sign_in_forms), sign_in_forms
    assert all(p.fetched_again == [0] for p in pages), [p.fetched_again for p in pages]
    rows = paint.paint_rows(painted)
    assert [row.measure for row in rows[:3]] == [
        "page painted, first visit",
        "page painted, first visit",
        "page painted, revisit",
    ]
    assert rows[0].what.startswith(f"{paint.EMPTY_CACHE} · street (")
    assert len(rows) == len(sign_in_forms) + 2 * len(pages)


def test_a_second_results_file_the_same_day_does_not_overwrite_the_first(tmp_path):
    from benchmarks.suite import results_path

    first = results_path("city", "2026-11-29", tmp_path)
    assert first.name == "city-2026-11-29.md"
    first.write_text("the morning's run")
    second = results_path("city", "2026-11-29", tmp_path)
    assert second.name == "city-2026-11-29-b.md"
    second.write_text("the afternoon's")
    assert results_path("city", "2026-11-29", tmp_path).name == "city-2026-11-29-c.md"
    assert first.read_text() == "the morning's run"


def test_the_keep_step_computes_again_every_kept_result_a_write_outdated(demo):
    # one whole-district result kept, as a page run keeps it
    with demo.owner.begin() as connection:
        connection.execute(text("UPDATE data_write_log SET at = at - interval '1 minute'"))
    query_cache().clear()
    runner.fetch(
        "service_summary", Scope.district(), url=demo.reader_url, **Period.last_days(30).params()
    )
    runner.settle(30)
    with demo.owner.connect() as connection:
        kept_rows = connection.execute(text("SELECT count(*) FROM kept_result")).scalar_one()
    assert kept_rows >= 1

    result = keeping.measure_keep(demo.owner, demo.reader_url)
    assert result.kept_before == kept_rows
    assert len(result.report.computed) == kept_rows  # every one outdated by the write
    assert result.current_after == kept_rows
    [row] = keeping.keep_rows(result)
    assert row.what.startswith(f"after a load: {kept_rows} of {kept_rows} kept")
