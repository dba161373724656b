"""Migrations apply once, are recorded, and refuse an edited file."""

import pytest
from sqlalchemy import text

from warehouse import migrate as migrate_module
from warehouse.migrate import MigrationError, migrate, migration_files


def _schema_fingerprint(engine):
    with engine.connect() as c:
        return c.execute(
            text(
                "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ','"
                " ORDER BY table_name, column_name) FROM information_schema.columns"
                " WHERE table_schema = 'public'"
            )
        ).scalar_one()


def test_migrations_apply_twice_without_change(fresh_warehouse):
    before = _schema_fingerprint(fresh_warehouse.owner)
    assert migrate(fresh_warehouse.owner) == []
    assert _schema_fingerprint(fresh_warehouse.owner) == before
    with fresh_warehouse.owner.connect() as c:
        recorded = (
            c.execute(text("SELECT version FROM schema_migrations ORDER BY 1")).scalars().all()
        )
        version = c.execute(text("SHOW server_version_num")).scalar_one()
    assert recorded == [path.name for path in migration_files()]
    assert int(version) >= 150000


def test_edited_migration_is_refused(fresh_warehouse, tmp_path, monkeypatch):
    for path in migration_files():
        (tmp_path / path.name).write_text(path.read_text())
    first = sorted(tmp_path.glob("*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    monkeypatch.setattr(migrate_module, "MIGRATIONS", tmp_path)
    with pytest.raises(MigrationError, match="changed after it was applied"):
        migrate(fresh_warehouse.owner)
