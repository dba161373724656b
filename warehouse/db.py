"""Connection URLs and engines for the owner (migrations, ingest) and the reader (the app).

With DATABASE_URL set, that server is used and nothing is started; owner work then
needs COCKPIT_OWNER_URL. Without it, the embedded server in COCKPIT_HOME is started
(or reused) on first use.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine

from warehouse.config import OWNER_ROLE, READER_ROLE, settings


class ConfigurationError(RuntimeError):
    """The warehouse is not configured for what was asked; the message says how to fix it."""


def embedded_server():
    from warehouse.server import ServerManager

    config = settings()
    return ServerManager(config.home, config.pg_bin).ensure_running()


def reader_url() -> str:
    config = settings()
    if not config.embedded:
        return config.reader_url
    return embedded_server().url(READER_ROLE)


def owner_url() -> str:
    config = settings()
    if not config.embedded:
        if not config.owner_url:
            raise ConfigurationError(
                "DATABASE_URL is set but COCKPIT_OWNER_URL is not: migrations and loads "
                "need the owner role's URL (see sql/bootstrap_roles.sql)"
            )
        return config.owner_url
    return embedded_server().url(OWNER_ROLE)


def owner_engine() -> Engine:
    return create_engine(owner_url(), pool_pre_ping=True)


def raw_execute(connection, sql_text: str) -> None:
    """Run a whole SQL script through the DBAPI cursor (no bind-parameter parsing)."""
    with connection.connection.cursor() as cursor:
        cursor.execute(sql_text)
