"""Each community's count of residents holding points (migration 023), kept by the
balance trigger as entries arrive: always the number of resident accounts whose
entries sum to more than zero, under concurrent writers too."""

import threading

import pytest
from sqlalchemy import text

from tests.warehouse import rows

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B
at = rows.at

KEPT = "SELECT community_code, holders FROM ledger_holder_count WHERE holders <> 0"
# What the count means, from the entries themselves
SUMMED = """
SELECT community_code, count(*) FROM (
    SELECT community_code, account FROM ledger_entry WHERE account_kind = 'resident'
     GROUP BY 1, 2 HAVING sum(amount) > 0) held
 GROUP BY 1
"""


@pytest.fixture
def ledger(fresh_warehouse):
    rows.two_communities(fresh_warehouse.owner)
    return fresh_warehouse.owner


def _kept_and_summed(engine):
    with engine.connect() as c:
        return dict(c.execute(text(KEPT)).all()), dict(c.execute(text(SUMMED)).all())


def test_the_count_follows_balances_across_zero_both_ways(ledger):
    steps = [
        (A, "earn", "p1", 10),  # p1 holds
        (A, "earn", "p2", 3),  # p2 holds
        (A, "redeem", "p1", 10),  # p1 down to 0: no longer
        (A, "expire", "p2", 1),  # p2 still holds 2
        (A, "adjust", "p3", -2),  # p3 below zero: not a holder
        (A, "earn", "p3", 2),  # p3 at 0: still not
        (A, "earn", "p3", 1),  # p3 holds 1
        (B, "earn", "p1", 4),  # the same resident in B is B's holder
        (A, "earn", "p1", 5),  # p1 holds again
    ]
    for n, (community, kind, resident, amount) in enumerate(steps, 1):
        rows.journal(ledger, community, f"j{n}", at(f"2026-03-0{n} 10:00"), kind, resident, amount)
        kept, summed = _kept_and_summed(ledger)
        assert kept == summed, (n, kind, resident)
    assert summed == {A: 3, B: 1}
    # one journal moving points between two residents: p2 gives 2 to p4 (one statement)
    rows.journal(
        ledger,
        A,
        "move",
        at("2026-03-10 10:00"),
        "adjust",
        "p2",
        -2,
        entries=[("resident:p2", "resident", -2), ("resident:p4", "resident", 2)],
    )
    kept, summed = _kept_and_summed(ledger)
    assert kept == summed == {A: 3, B: 1}  # p2 out, p4 in
    with ledger.begin() as c:
        c.execute(text("SELECT rebuild_account_balances()"))
    assert _kept_and_summed(ledger) == (summed, summed)


# The second writer's journal is committed first, its entries inserted while the first
# writer holds p1's balance: so the second blocks at the balance upsert itself (its
# journal's own triggers would otherwise wait for the first writer before that).
SECOND_JOURNAL = """
INSERT INTO ledger_journal (community_code, journal_id, occurred_at, kind, resident_ref,
                            amount, reason, counterparty)
VALUES (:c, 'second', :w, :kind, 'p1', :amount, '志愿服务', '邻里食堂')
"""
SECOND_ENTRIES = """
INSERT INTO ledger_entry (community_code, journal_id, line_no, account, account_kind,
                          amount, occurred_at)
VALUES (:c, 'second', 1, 'resident:p1', 'resident', :resident_amount, :w),
       (:c, 'second', 2, :other, :other_kind, -(:resident_amount), :w)
"""
OTHER_SIDE = {"earn": ("source:志愿服务", "source"), "redeem": ("sink:邻里食堂", "sink")}


@pytest.mark.parametrize(
    ("opening", "first", "second", "holders"),
    [
        (0, ("earn", 10), ("earn", 5), 1),  # both start from a zero balance
        (10, ("redeem", 10), ("earn", 5), 1),  # the second starts from the first's 0
        (10, ("redeem", 4), ("redeem", 6), 0),  # together they empty the account
    ],
)
def test_concurrent_writers_to_one_account_count_it_once(ledger, opening, first, second, holders):
    if opening:
        rows.journal(ledger, A, "opening", at("2026-03-01 09:00"), "earn", "p1", opening)
    kind, amount = second
    when = at("2026-03-02 11:00")
    with ledger.begin() as c:
        c.execute(text(SECOND_JOURNAL), {"c": A, "w": when, "kind": kind, "amount": amount})
    other, other_kind = OTHER_SIDE[kind]
    entries = {
        "c": A,
        "w": when,
        "resident_amount": amount if kind == "earn" else -amount,
        "other": other,
        "other_kind": other_kind,
    }
    errors = []

    def later_writer():
        try:
            with ledger.begin() as c:
                c.execute(text(SECOND_ENTRIES), entries)  # blocks on p1's balance row
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    with ledger.begin() as c:
        rows.journal(
            ledger, A, "first", at("2026-03-02 10:00"), first[0], "p1", first[1], connection=c
        )
        writer = threading.Thread(target=later_writer)
        writer.start()
        writer.join(1.5)
        assert writer.is_alive()  # waiting for this transaction's lock
    writer.join(30)
    assert not errors, errors
    kept, summed = _kept_and_summed(ledger)
    assert summed == ({A: 1} if holders else {})
    assert kept == summed


def test_cockpit_check_finds_a_balance_or_holder_count_that_drifted(ledger):
    from warehouse.checks import run_checks

    rows.journal(ledger, A, "j1", at("2026-03-01 10:00"), "earn", "p1", 10)
    rows.journal(ledger, B, "j2", at("2026-03-01 10:00"), "earn", "p2", 5)

    def check():
        return {r.name: r for r in run_checks(ledger)}["balances_equal_entries"]

    assert check().ok
    with ledger.begin() as c:  # as a bulk load that set the triggers aside would leave it
        c.execute(text("UPDATE ledger_account_balance SET balance = 0 WHERE community_code = :b"),
                  {"b": B})  # fmt: skip
        c.execute(text("UPDATE ledger_holder_count SET holders = 3 WHERE community_code = :a"),
                  {"a": A})  # fmt: skip
    drifted = check()
    assert not drifted.ok
    assert drifted.detail == (
        "1 resident balances differ from their entries, "
        "1 communities' holder counts from their entries"
    )
    with ledger.begin() as c:
        c.execute(text("SELECT rebuild_account_balances()"))
    assert check().ok
