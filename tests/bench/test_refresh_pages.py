"""The refresh step says how many pages the refresh found in shared buffers and how
many it read from outside them (issue 13: a slow refresh after the figures step was
put down to evicted pages; the counts now show it or rule it out), and it still rolls
back: the warehouse's facts and rollups are what they were."""

from __future__ import annotations

from sqlalchemy import text

from benchmarks import refresh

TOTALS = """
SELECT (SELECT count(*) FROM fact_incident), (SELECT count(*) FROM fact_service_visit),
       (SELECT sum(visits_units) FROM rollup_district_day),
       (SELECT sum(incidents_reported) FROM rollup_street_day)
"""


def test_the_refresh_counts_its_pages_and_leaves_nothing_behind(demo_warehouse):
    with demo_warehouse.owner.connect() as connection:
        before = tuple(connection.execute(text(TOTALS)).one())

    result = refresh.incremental_refresh(demo_warehouse.owner, 2_000, repeat=2)

    assert len(result.pages_hit) == len(result.pages_read) == 2
    # it reads at least the rollup row of each community-day it refreshes
    assert all(
        hit + read > 0 for hit, read in zip(result.pages_hit, result.pages_read, strict=True)
    )
    assert all(read >= 0 for read in result.pages_read)
    [row, _insert] = refresh.refresh_rows(result)
    assert "pages read from outside shared buffers" in row.what
    assert f"{min(result.pages_hit):,}" in row.what
    with demo_warehouse.owner.connect() as connection:
        assert tuple(connection.execute(text(TOTALS)).one()) == before
