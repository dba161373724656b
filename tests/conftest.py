"""Shared fixtures: one real PostgreSQL server per test session (the embedded one, or
Debian's PostgreSQL 15 with COCKPIT_TEST_PG_BIN), a fresh database per test that
needs known rows, and one database holding the demo district.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, create_engine, text

from data_access.period import today_local
from warehouse.config import DATABASE_NAME, OWNER_ROLE, READER_ROLE
from warehouse.migrate import migrate
from warehouse.server import SUPERUSER, EmbeddedServer, ServerManager

_database_numbers = itertools.count(1)


@dataclass
class Warehouse:
    """A migrated database on the test server, reachable as owner and reader."""

    server: EmbeddedServer
    database: str
    owner: Engine

    @property
    def owner_url(self) -> str:
        return self.server.url(OWNER_ROLE, self.database)

    @property
    def reader_url(self) -> str:
        return self.server.url(READER_ROLE, self.database)

    def reader(self) -> Engine:
        return create_engine(self.reader_url)

    def env(self) -> dict[str, str]:
        """Environment that points the app or the `cockpit` command at this database."""
        return {"DATABASE_URL": self.reader_url, "COCKPIT_OWNER_URL": self.owner_url}


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory) -> EmbeddedServer:
    from pathlib import Path

    home = tmp_path_factory.mktemp("cockpit-home")
    bin_dir = os.environ.get("COCKPIT_TEST_PG_BIN")
    manager = ServerManager(home, Path(bin_dir) if bin_dir else None)
    server = manager.ensure_running()
    yield server
    manager.stop()


def _create_database(server: EmbeddedServer, name: str) -> Warehouse:
    admin = create_engine(server.url(SUPERUSER, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}'))
        connection.execute(text(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'"))
    admin.dispose()
    owner = create_engine(server.url(OWNER_ROLE, name), pool_pre_ping=True)
    migrate(owner)
    return Warehouse(server, name, owner)


def _drop_database(server: EmbeddedServer, name: str) -> None:
    admin = create_engine(server.url(SUPERUSER, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fresh_warehouse(pg_server) -> Warehouse:
    """An empty, migrated database of its own for a test that inserts known rows."""
    name = f"t{os.getpid()}_{next(_database_numbers)}"
    warehouse = _create_database(pg_server, name)
    yield warehouse
    warehouse.owner.dispose()
    _drop_database(pg_server, name)


DEMO_SEED = 2026


@pytest.fixture(scope="session")
def demo_warehouse(pg_server) -> Warehouse:
    """The demo district, loaded once per session, ending today."""
    from demo.district import load_demo

    warehouse = _create_database(pg_server, f"demo_{DATABASE_NAME}")
    load_demo(warehouse.owner, seed=DEMO_SEED, today=today_local(), replace=False, progress=None)
    yield warehouse
    warehouse.owner.dispose()


__all__ = ["Warehouse", "READER_ROLE"]
