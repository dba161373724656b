"""The points ledger's rules hold in the database, for every role."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.warehouse import rows


@pytest.fixture
def ledger(fresh_warehouse):
    rows.two_communities(fresh_warehouse.owner)
    rows.journal(
        fresh_warehouse.owner, rows.COMMUNITY_A, "j1", rows.at("2026-03-01 10:00"), "earn", "r1", 10
    )
    return fresh_warehouse


def test_balanced_journal_is_accepted(ledger):
    with ledger.owner.connect() as c:
        assert c.execute(text("SELECT sum(amount), count(*) FROM ledger_entry")).one() == (0, 2)


def test_unbalanced_journal_is_rejected(ledger):
    with pytest.raises(DBAPIError, match="does not balance"):
        rows.journal(
            ledger.owner,
            rows.COMMUNITY_A,
            "j2",
            rows.at("2026-03-02 10:00"),
            "earn",
            "r1",
            10,
            entries=[("source:x", "source", -10), ("resident:r1", "resident", 9)],
        )
    with ledger.owner.connect() as c:
        assert c.execute(text("SELECT count(*) FROM ledger_journal")).scalar_one() == 1


def test_entry_added_later_to_a_balanced_journal_is_rejected(ledger):
    with pytest.raises(DBAPIError, match="does not balance"), ledger.owner.begin() as c:
        c.execute(
            text(
                "INSERT INTO ledger_entry VALUES (:c, 'j1', 3, 'resident:r1', 'resident', 5, now())"
            ),
            {"c": rows.COMMUNITY_A},
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET amount = amount * 2",
        "DELETE FROM ledger_entry",
        "UPDATE ledger_journal SET amount = 1",
        "DELETE FROM ledger_journal",
        "TRUNCATE ledger_entry",
    ],
)
def test_owner_cannot_update_or_delete_ledger_rows(ledger, statement):
    with pytest.raises(DBAPIError, match="append-only"), ledger.owner.begin() as c:
        c.execute(text(statement))
    with ledger.owner.connect() as c:
        assert c.execute(text("SELECT sum(abs(amount)) FROM ledger_entry")).scalar_one() == 20
