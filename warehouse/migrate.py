"""Apply sql/migrations/NNN_*.sql in order, once each, recorded with a checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Engine, text

from warehouse.config import PROJECT_ROOT
from warehouse.db import raw_execute

MIGRATIONS = PROJECT_ROOT / "sql" / "migrations"


class MigrationError(RuntimeError):
    pass


def migration_files() -> list[Path]:
    return sorted(MIGRATIONS.glob("[0-9][0-9][0-9]_*.sql"))


def migrate(engine: Engine) -> list[str]:
    """Bring the schema up to date; returns the names of the migrations applied now."""
    applied_now = []
    with engine.begin() as connection:
        # One migrator at a time, even across processes.
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('cockpit-migrate'))"))
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version text PRIMARY KEY, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
        )
        done = dict(
            connection.execute(text("SELECT version, checksum FROM schema_migrations")).all()
        )
        for path in migration_files():
            body = path.read_text(encoding="utf-8")
            checksum = hashlib.sha256(body.encode()).hexdigest()
            if path.name in done:
                if done[path.name] != checksum:
                    raise MigrationError(
                        f"{path.name} was changed after it was applied; add a new migration instead"
                    )
                continue
            raw_execute(connection, body)
            connection.execute(
                text("INSERT INTO schema_migrations (version, checksum) VALUES (:v, :c)"),
                {"v": path.name, "c": checksum},
            )
            applied_now.append(path.name)
        if applied_now and connection.execute(text("SELECT to_regclass('kept_result')")).scalar():
            # A migration may redefine what a kept result was computed with (a function,
            # a rollup), which no data write records (data_access/kept.py).
            connection.execute(text("DELETE FROM kept_result"))
    return applied_now


def is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return not connection.execute(text("SELECT exists (SELECT 1 FROM dim_community)")).scalar()
