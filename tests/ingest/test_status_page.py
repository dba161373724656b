"""数据状态 shows the last loads and their quarantined rows by reason (AppTest)."""

from __future__ import annotations

from ingest.load import ingest
from tests.app.conftest import known_app  # noqa: F401  (the AppTest fixture)
from tests.ingest import files
from tests.ingest.files import COMMUNITY_A


def test_status_page_lists_quarantine_by_reason(known_app, fresh_warehouse, tmp_path):  # noqa: F811
    ingest(fresh_warehouse.owner, files.reference_files(tmp_path / "ref"), progress=print)
    path = files.write_csv(
        tmp_path / "incidents.csv",
        [
            ["incident_id", "community_code", "category", "reported_at", "status"],
            ["E1", COMMUNITY_A, "外星人", "2026-05-01 09:00", "reported"],
            ["E2", COMMUNITY_A, "外星人", "2026-05-01 09:00", "reported"],
            ["E3", COMMUNITY_A, "其他", "2026-05-01 09:00", "reported"],
        ],
    )
    [report] = ingest(fresh_warehouse.owner, [path], progress=print)
    app = known_app("pages/status.py")
    assert not app.exception
    frames = [frame.value for frame in app.dataframe]
    quarantine = next(f for f in frames if "原因代码" in f.columns)
    assert list(quarantine["原因代码"]) == ["unknown_category"]
    assert list(quarantine["原因"]) == ["未知事件类别"]
    assert list(quarantine["行数"]) == ["2"]
    assert list(quarantine["导入号"]) == [report.load_id]
    loads = next(f for f in frames if "读取行" in f.columns)
    assert list(loads.iloc[0][["读取行", "导入行", "隔离行"]]) == ["3", "1", "2"]
