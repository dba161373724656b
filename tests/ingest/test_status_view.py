"""The 数据状态 page's ingest figures, read as the app role: counts per load and
reason, never the quarantined raw values."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from data_access import Scope
from data_access import status as warehouse_status
from data_access.runner import query_cache
from ingest.load import ingest
from tests.ingest import files
from tests.ingest.files import COMMUNITY_A


def test_quarantine_summary_counts_by_reason_for_the_reader(fresh_warehouse, tmp_path, monkeypatch):
    for name, value in fresh_warehouse.env().items():
        monkeypatch.setenv(name, value)
    query_cache().clear()
    ingest(fresh_warehouse.owner, files.reference_files(tmp_path / "ref"), progress=print)
    path = files.write_csv(
        tmp_path / "incidents.csv",
        [
            ["incident_id", "community_code", "category", "reported_at", "status"],
            ["E1", COMMUNITY_A, "其他", "2026-05-01 09:00", "reported"],
            ["E2", COMMUNITY_A, "外星人", "2026-05-01 09:00", "reported"],
            ["E3", COMMUNITY_A, "星际", "2026-05-01 09:00", "reported"],
            ["E4", COMMUNITY_A, "其他", "2099-05-01 09:00", "reported"],
        ],
    )
    [report] = ingest(fresh_warehouse.owner, [path], progress=print)
    summary = warehouse_status.quarantine_summary(Scope.district())
    got = [tuple(r) for r in summary[["load_id", "reason", "row_count"]].itertuples(index=False)]
    with fresh_warehouse.owner.connect() as c:
        expected = c.execute(
            text(
                "SELECT load_id, split_part(reason, ':', 1) AS code, count(*)"
                " FROM ingest_quarantine"
                " GROUP BY 1, 2 ORDER BY 3 DESC, 2"
            )
        ).all()
    assert got == [tuple(r) for r in expected]
    assert got == [(report.load_id, "unknown_category", 2), (report.load_id, "future_timestamp", 1)]
    loads = warehouse_status.recent_loads(Scope.district())
    newest = loads.iloc[0]
    assert (newest["rows_read"], newest["rows_loaded"], newest["rows_quarantined"]) == (4, 1, 3)
    with pytest.raises(DBAPIError), fresh_warehouse.reader().connect() as c:
        c.execute(text("SELECT raw_values FROM ingest_quarantine"))
    query_cache().clear()
