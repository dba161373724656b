"""First start of the embedded warehouse: what an operator's problem looks like in the
app (an applied migration edited afterwards) is a plain message, not a traceback."""

from __future__ import annotations

from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT, TIMEOUT
from ui import startup
from warehouse.migrate import migrate


def test_an_edited_migration_is_said_plainly(fresh_warehouse, monkeypatch, tmp_path):
    # The warehouse remembers another checksum for 003, as if the file had been edited
    # after it was applied.
    with fresh_warehouse.owner.begin() as connection:
        connection.execute(
            text("UPDATE schema_migrations SET checksum = 'edited' WHERE version = :v"),
            {"v": "003_rollups.sql"},
        )
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COCKPIT_HOME", str(tmp_path))  # embedded: the app prepares it
    monkeypatch.setattr(startup, "_prepare", lambda: migrate(fresh_warehouse.owner))

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()

    assert not app.exception
    assert [e.value for e in app.error] == [
        "数据仓库未能就绪：003_rollups.sql was changed after it was applied; add a new"
        " migration instead。请运维人员查看日志，或运行 `cockpit init` 查看详情；修复后刷新本页。"
    ]
    assert not app.text_input  # no sign-in form over a warehouse that is not ready


def test_cockpit_init_says_which_migration_was_edited(fresh_warehouse, monkeypatch, capsys):
    from cockpit_cli.main import main as cockpit

    with fresh_warehouse.owner.begin() as connection:
        connection.execute(
            text("UPDATE schema_migrations SET checksum = 'edited' WHERE version = :v"),
            {"v": "010_freshness.sql"},
        )
    for name, value in fresh_warehouse.env().items():
        monkeypatch.setenv(name, value)
    assert cockpit(["init"]) == 2
    assert capsys.readouterr().err == (
        "cockpit: 010_freshness.sql was changed after it was applied; add a new migration instead\n"
    )
