"""The schema works on Debian's PostgreSQL 15, and with DATABASE_URL set the cockpit
uses that server and starts none of its own."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from warehouse.config import OWNER_ROLE, READER_ROLE
from warehouse.server import ServerManager

PG15 = Path("/usr/lib/postgresql/15/bin")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pg15_server(tmp_path_factory):
    if not (PG15 / "postgres").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Debian's PostgreSQL 15 is missing; scripts/test installs postgresql-15")
        pytest.skip("Debian's PostgreSQL 15 is not installed")
    manager = ServerManager(tmp_path_factory.mktemp("pg15-home"), PG15)
    server = manager.ensure_running()
    yield server
    manager.stop()


def _cockpit(env_overrides, *args):
    env = {**os.environ, **env_overrides}
    return subprocess.run(
        [sys.executable, "-m", "cockpit_cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_init_demo_and_check_on_postgresql_15_via_database_url(pg15_server, tmp_path):
    env = {
        "DATABASE_URL": pg15_server.url(READER_ROLE),
        "COCKPIT_OWNER_URL": pg15_server.url(OWNER_ROLE),
        "COCKPIT_HOME": str(tmp_path / "unused-home"),
    }
    for args in (("init",), ("init",), ("demo", "--seed", "7"), ("check",)):
        result = _cockpit(env, *args)
        assert result.returncode == 0, result.stderr + result.stdout
    # Nothing was started or created in the embedded data folder.
    assert not (tmp_path / "unused-home").exists()
    assert _cockpit(env, "db-url").stdout.strip() == env["DATABASE_URL"]

    with create_engine(env["DATABASE_URL"]).begin() as c:
        assert c.execute(text("SHOW server_version_num")).scalar_one().startswith("15")
        c.execute(text("SELECT set_config('cockpit.scope', 'district', true)"))
        communities = c.execute(text("SELECT count(*) FROM dim_community")).scalar_one()
    assert communities == 10


def test_owner_commands_without_owner_url_explain_themselves(tmp_path):
    env = {
        "DATABASE_URL": "postgresql+psycopg2://nobody@127.0.0.1:1/none",
        "COCKPIT_OWNER_URL": "",
        "COCKPIT_HOME": str(tmp_path / "home"),
    }
    result = _cockpit(env, "init")
    assert result.returncode == 2
    assert "COCKPIT_OWNER_URL" in result.stderr
