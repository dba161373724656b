"""The bulk path of an incidents load (indexes rebuilt, triggers set aside, their marks
made by the loader) leaves the warehouse exactly as the ordinary path does."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

import ingest.load as load
from ingest.load import ingest
from tests.conftest import _create_database, _drop_database
from tests.ingest import files
from tests.ingest.files import COMMUNITY_A, COMMUNITY_B, GRID_A, GRID_B

HEADER = ["incident_id", "community_code", "grid_code", "category", "reported_at",
          "accepted_at", "closed_at", "status"]  # fmt: skip
STAMP = "%Y-%m-%d %H:%M"


def incident_row(n: int, *, later: bool = False) -> list[str]:
    """Incident n: spread over both communities and 40 days; every third closed, every
    seventh rejected, the rest accepted or just reported. `later` is the same incident
    re-sent after it was closed."""
    community, grid = (COMMUNITY_A, GRID_A) if n % 2 else (COMMUNITY_B, GRID_B)
    reported = datetime(2026, 3, 1, 8) + timedelta(days=n % 40, minutes=n)
    accepted = reported + timedelta(hours=1)
    closed = reported + timedelta(hours=30)
    if later or n % 3 == 0:
        cells = [accepted.strftime(STAMP), closed.strftime(STAMP), "closed"]
    elif n % 7 == 0:
        cells = ["", closed.strftime(STAMP), "rejected"]
    elif n % 2:
        cells = [accepted.strftime(STAMP), "", "accepted"]
    else:
        cells = ["", "", "reported"]
    return [f"K{n:04d}", community, grid, "违规停车", reported.strftime(STAMP), *cells]


def write_files(folder):
    """A first export of 20 incidents, then a backfill of 300 new ones that also re-sends
    five of the first as closed (K0003 was closed already)."""
    first = files.write_csv(folder / "incidents_first.csv",
                            [HEADER] + [incident_row(n) for n in range(1, 21)])  # fmt: skip
    resent = [incident_row(n, later=True) for n in (1, 2, 3, 5, 7)]
    backfill = files.write_csv(
        folder / "incidents_backfill.csv",
        [HEADER] + resent + [incident_row(n) for n in range(100, 400)],
    )
    return first, backfill


def state(engine) -> dict[str, list[tuple]]:
    """Everything a load writes, without the wall-clock columns."""
    queries = {
        "incidents": "SELECT community_code, incident_id, grid_code, category_code, channel,"
        " status, reported_at, accepted_at, closed_at, rejected_at, due_at, description"
        " FROM fact_incident ORDER BY 1, 2",
        "status log": "SELECT community_code, incident_id, status, changed_at"
        " FROM fact_incident_status_log ORDER BY 1, 2, 4, 3",
        "rollups": "SELECT to_jsonb(r) - 'refreshed_at' FROM rollup_community_day r"
        " ORDER BY community_code, day",
        # a rollup's newest is when it was refreshed: wall clock
        "freshness": "SELECT community_code, table_name, row_count,"
        " CASE WHEN table_name NOT LIKE 'rollup%' THEN newest END"
        " FROM rollup_freshness ORDER BY 1, 2",
        "dirty": "SELECT * FROM rollup_dirty ORDER BY 1, 2",
        "indexes": "SELECT indexname, indexdef FROM pg_indexes"
        " WHERE tablename = 'fact_incident' ORDER BY 1",
        # the primary key is set aside and put back as a key, not as a unique index
        "keys": "SELECT conname, contype::text, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = 'fact_incident'::regclass AND contype IN ('p', 'u', 'f')"
        " ORDER BY 1",
        "triggers": "SELECT tgname, tgenabled FROM pg_trigger"
        " WHERE tgrelid = 'fact_incident'::regclass AND NOT tgisinternal ORDER BY 1",
    }
    with engine.connect() as c:
        rows = {name: [tuple(r) for r in c.execute(text(sql))] for name, sql in queries.items()}
    return rows


@pytest.fixture
def twin(pg_server):
    """A second empty warehouse, for the ordinary path's result."""
    warehouse = _create_database(pg_server, "bulk_twin")
    yield warehouse
    warehouse.owner.dispose()
    _drop_database(pg_server, "bulk_twin")


def load_both_ways(warehouse, tmp_path, monkeypatch, bulk_min_rows: int):
    monkeypatch.setenv("COCKPIT_HMAC_KEY", "test-key")
    tmp_path.mkdir(parents=True, exist_ok=True)
    first, backfill = write_files(tmp_path)
    ingest(warehouse.owner, [*files.reference_files(tmp_path / "ref"), first],
           progress=lambda m: None)  # fmt: skip
    monkeypatch.setattr(load, "BULK_MIN_ROWS", bulk_min_rows)
    [report] = ingest(warehouse.owner, [backfill], progress=lambda m: None)
    return report


def test_bulk_load_leaves_the_warehouse_as_the_ordinary_load_does(
    fresh_warehouse, twin, tmp_path, monkeypatch
):
    bulk = load_both_ways(fresh_warehouse, tmp_path / "a", monkeypatch, 1)
    ordinary = load_both_ways(twin, tmp_path / "b", monkeypatch, 10**9)

    assert (bulk.bulk, ordinary.bulk) == (True, False)
    # 300 new; of the five re-sent, K0003 was closed already (n % 3 == 0): four change
    for report in (bulk, ordinary):
        assert report.status == "done", report.error
        assert (report.loaded, report.updated, report.unchanged) == (300, 4, 1)
    after_bulk, after_ordinary = state(fresh_warehouse.owner), state(twin.owner)
    assert after_bulk == after_ordinary
    assert len(after_bulk["incidents"]) == 320
    assert after_bulk["dirty"] == []
    assert {name for name, _ in after_bulk["indexes"]} == {
        "fact_incident_pkey", "fact_incident_reported", "fact_incident_closed",
        "fact_incident_unclosed", "fact_incident_rejected",
        "fact_incident_closed_at", "fact_incident_rejected_at",  # migration 032
    }  # fmt: skip
    assert {enabled for _, enabled in after_bulk["triggers"]} == {"O"}
    assert after_bulk["keys"] == [
        ("fact_incident_pkey", "p", "PRIMARY KEY (community_code, incident_id)")
    ]
    with fresh_warehouse.owner.connect() as c:
        counted = dict(c.execute(text(
            "SELECT community_code, count(*) FROM fact_incident GROUP BY 1")).all())  # fmt: skip
        noted = dict(c.execute(text(
            "SELECT community_code, row_count FROM rollup_freshness"
            " WHERE table_name = 'fact_incident'")).all())  # fmt: skip
        reported = c.execute(text(
            "SELECT sum(incidents_reported) FROM rollup_community_day")).scalar_one()  # fmt: skip
    assert noted == counted == {COMMUNITY_A: 160, COMMUNITY_B: 160}
    assert reported == 320


def test_a_failed_bulk_load_keeps_the_indexes_and_triggers(fresh_warehouse, tmp_path, monkeypatch):
    before = state(fresh_warehouse.owner)
    ordinary_sql = load.sql

    def failing(name: str) -> str:
        return "SELECT 1 / 0" if name == "insert_incidents" else ordinary_sql(name)

    monkeypatch.setattr(load, "sql", failing)
    report = load_both_ways(fresh_warehouse, tmp_path, monkeypatch, 1)

    assert report.status == "failed" and "division by zero" in report.error
    after = state(fresh_warehouse.owner)
    # the primary key and six secondary indexes (migration 032)
    assert after["indexes"] == before["indexes"] and len(after["indexes"]) == 7
    assert after["triggers"] == before["triggers"]
    assert after["keys"] == before["keys"] and len(after["keys"]) == 1
    assert len(after["incidents"]) == 0  # the first file failed too: nothing loaded
