"""数据状态 shows the integrity checks as `cockpit check` last recorded them (the checks
read whole fact tables, so the page never runs them): nothing recorded yet, then a
failing orphans check after a status-log row without its incident."""

from __future__ import annotations

from sqlalchemy import text

from cockpit_cli.main import main as cockpit
from tests.app.test_pages import assert_no_exception
from tests.warehouse import rows
from warehouse.checks import run_checks


def checks_table(app):
    return app.dataframe[1].value


def test_status_page_shows_the_recorded_checks(known_app, fresh_warehouse):
    rows.two_communities(fresh_warehouse.owner)
    rows.incident(fresh_warehouse.owner, rows.COMMUNITY_A, "a1", rows.at("2025-03-01 09:00"))
    app = known_app("pages/status.py")
    assert_no_exception(app)
    assert any("尚未运行完整性检查" in info.value for info in app.info)

    with fresh_warehouse.owner.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO fact_incident_status_log (community_code, incident_id, status,"
                " changed_at) VALUES (:a, 'ghost', 'reported', now())"
            ),
            {"a": rows.COMMUNITY_A},
        )
        connection.execute(text("SELECT refresh_rollups()"))
    assert cockpit(["check"]) == 1  # a failing check: exit status 1, results recorded
    expected = {r.name: r for r in run_checks(fresh_warehouse.owner)}
    assert not expected["orphans"].ok

    from data_access.runner import query_cache

    query_cache().clear()
    app = known_app("pages/status.py")
    assert_no_exception(app)
    shown = checks_table(app)
    assert list(shown["结果"]) == ["通过" if r.ok else "未通过" for r in expected.values()]
    assert list(shown["说明"]) == [r.detail for r in expected.values()]
    assert any("检查时间" in caption.value for caption in app.caption)
