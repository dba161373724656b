"""参与率's days of last earnings (migration 038): how many residents' last earning falls
on each local day, per community and for the district, kept by the journals' trigger as
earnings move a resident's last one forward; checked by `cockpit check` and rebuilt
from the last earnings; and participation over the 30 days to now counted from them,
exact at the window's first instant."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from data_access import Period, Scope, figures
from data_access.runner import query_cache
from tests.warehouse import rows

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B


@pytest.fixture
def ledger(fresh_warehouse, monkeypatch):
    rows.two_communities(fresh_warehouse.owner)
    for key, value in fresh_warehouse.env().items():
        monkeypatch.setenv(key, value)
    query_cache().clear()
    yield fresh_warehouse.owner
    query_cache().clear()


def _all(engine, sql: str) -> list:
    with engine.connect() as connection:
        return connection.execute(text(sql)).all()


def _kept_days(engine) -> tuple[dict, dict]:
    community = {(c, d): n for c, d, n in _all(
        engine, "SELECT community_code, day, residents FROM rollup_last_earn_day"
                " WHERE residents <> 0")}  # fmt: skip
    district = dict(
        _all(
            engine, "SELECT day, residents FROM rollup_district_last_earn_day WHERE residents <> 0"
        )
    )
    return community, district


def _counted_days(engine) -> tuple[dict, dict]:
    """The same, counted from the journals themselves."""
    journals = _all(
        engine,
        "SELECT community_code, resident_ref, occurred_at FROM ledger_journal"
        " WHERE kind = 'earn' AND resident_ref IS NOT NULL",
    )
    last: dict = {}
    anywhere: dict = {}
    for community, resident, at in journals:
        last[(community, resident)] = max(at, last.get((community, resident), at))
        anywhere[resident] = max(at, anywhere.get(resident, at))
    local = rows.LOCAL
    community_days = Counter((c, at.astimezone(local).date()) for (c, _), at in last.items())
    district_days = Counter(at.astimezone(local).date() for at in anywhere.values())
    return dict(community_days), dict(district_days)


def test_the_days_follow_each_resident_s_last_earning(ledger):
    at = rows.at
    plan = [
        (A, "j1", "2026-03-01 10:00", "earn", "p1"),
        (A, "j2", "2026-03-01 11:00", "earn", "p2"),
        (B, "j3", "2026-03-02 09:00", "earn", "p1"),  # p1 in B too: the district moves
        (A, "j4", "2026-03-03 09:00", "earn", "p1"),  # p1's last in A moves to 03-03
        (A, "j5", "2026-03-02 09:00", "earn", "p2"),  # p2's moves to 03-02
        (A, "j6", "2026-03-01 12:00", "earn", "p2"),  # earlier than p2's last: nothing moves
        (A, "j7", "2026-03-04 09:00", "redeem", "p1"),  # not an earning
    ]
    for community, journal_id, when, kind, resident in plan:
        rows.journal(ledger, community, journal_id, at(when), kind, resident, 5)
        assert _kept_days(ledger) == _counted_days(ledger), journal_id
    community, district = _kept_days(ledger)
    day = lambda text_day: datetime.fromisoformat(text_day).date()  # noqa: E731
    assert community == {(A, day("2026-03-03")): 1, (A, day("2026-03-02")): 1,
                         (B, day("2026-03-02")): 1}  # fmt: skip
    assert district == {day("2026-03-03"): 1, day("2026-03-02"): 1}


def test_cockpit_check_finds_drifted_days_and_the_rebuild_mends_them(ledger):
    from warehouse.checks import run_checks

    rows.journal(ledger, A, "j1", rows.at("2026-03-01 10:00"), "earn", "p1", 5)

    def check():
        return {r.name: r for r in run_checks(ledger)}["last_earnings_equal"]

    assert check().ok
    with ledger.begin() as c:  # as a bulk load that set the trigger aside would leave it
        c.execute(text("UPDATE rollup_last_earn_day SET residents = 2"))
        c.execute(text("DELETE FROM rollup_district_last_earn_day"))
    drifted = check()
    assert not drifted.ok
    assert drifted.detail == (
        "0 residents' last earnings differ from their journals (0 for the district), "
        "1 community-days' counts of last earnings (1 district days)"
    )
    with ledger.begin() as c:
        c.execute(text("SELECT rebuild_last_earn()"))
    assert check().ok


def test_participation_counts_from_the_window_s_first_instant(ledger):
    # T = now: the 30 days to T start at T - 30 days, inside a local day; residents whose
    # last earning lies two hours either side of it, and others inside the window.
    now = datetime.now(rows.LOCAL)
    start = now - timedelta(days=30)
    earnings = {
        ("a1", A): start + timedelta(hours=2),   # in
        ("a2", A): start - timedelta(hours=2),   # out
        ("a3", A): start + timedelta(days=3),    # in
        ("b1", B): start + timedelta(days=29),   # in
        ("a3", B): start - timedelta(days=3),    # out in B; in for the district (A)
        ("b2", B): start - timedelta(hours=1),   # out
    }  # fmt: skip
    for n, ((resident, community), when) in enumerate(earnings.items()):
        rows.journal(ledger, community, f"e{n}", when, "earn", resident, 1)
    with ledger.begin() as c:
        c.execute(text("SELECT refresh_rollups()"))
    district, per_community = figures.points_summary(Scope.district(), Period.last_days(30))
    earners = dict(zip(per_community["community_code"], per_community["earners_30d"], strict=True))
    inside = {(r, c) for (r, c), when in earnings.items() if when > start}
    assert earners == {A: 2, B: 1}
    assert earners == dict(Counter(c for _, c in inside))
    assert district["earners_30d"] == len({r for r, _ in inside}) == 3
