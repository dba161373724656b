"""积分流转 queries through data_access.points, against known journals; every expected
value is worked out by hand from the rows below (velocity and participation are in
test_figures.py and not repeated here)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from data_access import Period, Scope, figures
from data_access import points as ledger
from data_access.runner import query_cache
from tests.warehouse import rows
from warehouse.rollups import refresh

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B
at = rows.at
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 10))  # T = 11 March 00:00


@pytest.fixture
def known(fresh_warehouse, monkeypatch):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)  # residents: A 2,000, B 1,500
    rows.journal(engine, A, "j0", at("2026-01-15 10:00"), "earn", "p1", 100)  # before
    rows.journal(engine, A, "j1", at("2026-03-02 10:00"), "earn", "p2", 50, reason="垃圾分类")
    for n in range(1, 7):  # six volunteers earn 10 each on 5 March
        rows.journal(engine, A, f"v{n}", at("2026-03-05 10:00"), "earn", f"r{n}", 10)
    rows.journal(
        engine, A, "j2", at("2026-03-06 10:00"), "redeem", "p1", 30, counterparty="养老服务"
    )
    rows.journal(
        engine, A, "j3", at("2026-03-06 11:00"), "redeem", "r6", 10, counterparty="养老服务"
    )
    for n in range(1, 6):  # five of them spend 4 each at the canteen on 7 March
        rows.journal(engine, A, f"m{n}", at("2026-03-07 12:00"), "redeem", f"r{n}", 4)
    rows.journal(engine, A, "j4", at("2026-03-08 10:00"), "expire", "p1", 10)
    rows.journal(engine, A, "j5", at("2026-03-09 10:00"), "adjust", "p2", -5)
    rows.journal(engine, B, "k1", at("2026-03-01 10:00"), "earn", "q1", 20, reason="垃圾分类")
    refresh(engine)
    monkeypatch.setenv("DATABASE_URL", fresh_warehouse.reader_url)
    query_cache().clear()
    return fresh_warehouse


def test_flows_by_reason(known):
    frame = ledger.by_reason(Scope.district(), PERIOD)
    # 垃圾分类: p2 50 + q1 20 = 70 (2 residents); 志愿服务: r1–r6 × 10 = 60 (6 residents).
    assert list(frame["label"]) == ["垃圾分类", "志愿服务"]
    assert list(frame["points"]) == [70, 60]
    assert list(frame["journals"]) == [2, 6]
    assert list(frame["residents"]) == ["<5", "6"]
    assert frame["share"].tolist() == pytest.approx([70 / 130, 60 / 130])
    mine = ledger.by_reason(Scope("community", B), PERIOD)
    assert list(mine["points"]) == [20]


def test_flows_by_counterparty(known):
    frame = ledger.by_counterparty(Scope("community", A), PERIOD)
    # 养老服务: p1 30 + r6 10 = 40 (2 residents); 邻里食堂: r1–r5 × 4 = 20 (5 residents).
    assert list(frame["label"]) == ["养老服务", "邻里食堂"]
    assert list(frame["points"]) == [40, 20]
    assert list(frame["residents"]) == ["<5", "5"]
    assert ledger.other_flows(Scope("community", A), PERIOD) == {"expire": 10, "adjust": -5}


def test_flow_columns_balance(known):
    flow = ledger.flow_columns(Scope("community", A), PERIOD)
    source = flow[flow["side"] == "source"]
    use = flow[flow["side"] == "use"]
    assert dict(zip(source["label"], source["points"], strict=True)) == {
        "志愿服务": 60,
        "垃圾分类": 50,
    }
    coded = dict(zip(use["code"], use["points"], strict=True))
    # Uses: 40 + 20 redeemed, 10 expired, 5 adjusted away; the rest, 110 − 75, stayed.
    assert coded["expire"] == 10 and coded["adjust"] == 5 and coded["to_balance"] == 35
    assert source["points"].sum() == use["points"].sum() == 110


def test_outstanding_over_time(known):
    daily = ledger.daily(Scope("community", A), PERIOD)
    assert len(daily) == 10
    # Opening 100; +50 (2nd); +60 (5th); −40 (6th); −20 (7th); −10 (8th); −5 (9th).
    assert list(daily["outstanding"]) == [100, 150, 150, 150, 210, 170, 150, 140, 135, 135]
    assert list(daily["issued"])[:5] == [0, 50, 0, 0, 60]
    assert int(daily["redeemed"].sum()) == 60
    # The last day's balance is the tile's 积分余额.
    assert daily["outstanding"].iloc[-1] == figures.points_outstanding(
        Scope("community", A), PERIOD
    )
    district = ledger.daily(Scope.district(), PERIOD)
    assert district["outstanding"].iloc[0] == 100 + 20  # B's q1 earned on the 1st


def test_share_of_residents_holding_points(known):
    total, per_community = ledger.holders(Scope.district(), PERIOD)
    # A: p1 60, p2 45, r1–r5 6 each; r6 spent all 10: 7 holders. B: q1 20: 1 holder.
    assert total["holders"] == 8
    assert total["holders_share"] == pytest.approx(8 / 3500)
    shown = dict(zip(per_community["community_code"], per_community["holders"], strict=True))
    assert shown == {A: "7", B: "<5"}
    mine, _ = ledger.holders(Scope("community", A), PERIOD)
    assert mine["holders_share"] == pytest.approx(7 / 2000)
    # As of 5 March (T = 6 March 00:00) nobody had spent yet: p1, p2, r1–r6 hold points.
    earlier, _ = ledger.holders(
        Scope("community", A), Period(date(2026, 3, 1), date(2026, 3, 5), date(2026, 3, 5))
    )
    assert earlier["holders"] == 8


HOLDERS_BY_SUMMING = """
SELECT count(*) FROM (
    SELECT account FROM ledger_entry
     WHERE community_code = :a AND account_kind = 'resident' AND occurred_at <= :t
     GROUP BY account HAVING sum(amount) > 0) held
"""


def test_holders_at_any_as_of_equal_the_entries_summed_up_to_it(known):
    with known.owner.connect() as c:
        kept = dict(
            c.execute(text("SELECT account, balance FROM ledger_account_balance"
                           " WHERE community_code = :a"), {"a": A}).all()
        )  # fmt: skip
        # p1 100 − 30 − 10; p2 50 − 5; r1–r5 10 − 4; r6 10 − 10 (migration 017's trigger)
        assert kept == {"resident:p1": 60, "resident:p2": 45, "resident:r6": 0} | {
            f"resident:r{n}": 6 for n in range(1, 6)
        }
        stamps = c.execute(
            text("SELECT DISTINCT occurred_at FROM ledger_entry WHERE community_code = :a"),
            {"a": A},
        ).scalars()
        days = sorted({stamp.astimezone(rows.LOCAL).date() for stamp in stamps})
        # the day before the first entry, each day with entries, and the period's end
        for day in [days[0] - timedelta(days=1), *days, PERIOD.end]:
            period = Period(day - timedelta(days=6), day, day)
            summed = c.execute(
                text(HOLDERS_BY_SUMMING), {"a": A, "t": period.params()["t"]}
            ).scalar_one()
            query_cache().clear()
            held, _ = ledger.holders(Scope("community", A), period)
            assert (day, held["holders"]) == (day, summed)
    assert summed == 7  # p1, p2, r1–r5 hold points now


def test_ledger_integrity_at_the_viewers_scope(known):
    assert ledger.ledger_integrity(Scope.district()).balanced
    with known.owner.begin() as c:  # break A's ledger as the owner, bypassing the rules
        c.execute(text("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_balanced"))
        c.execute(
            text(
                "INSERT INTO ledger_entry VALUES (:c, 'j1', 3, 'resident:p2', 'resident', 7, now())"
            ),
            {"c": A},
        )
        c.execute(text("ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_balanced"))
    query_cache().clear()
    broken = ledger.ledger_integrity(Scope.district())
    assert not broken.balanced
    assert broken.imbalance == 7
    assert broken.unbalanced_journals == 1
    # RLS: community B's view reads only B's accounts, which still balance.
    assert ledger.ledger_integrity(Scope("community", B)).balanced
