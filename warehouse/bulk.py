"""Set a table's indexes and triggers aside for a bulk load, inside the loader's
transaction, and put them back afterwards.

Building an index from a million rows sorts them once; inserting a million rows into
it descends the tree a million times, several times slower. PostgreSQL's own advice for
populating a database ("remove indexes", "disable triggers") is this. Everything happens
in the caller's transaction: if the load fails, the indexes and triggers were never gone.
While the load runs, dropping an index holds the table's ACCESS EXCLUSIVE lock, so
readers of that table wait for the commit: a bulk path for backfills, not daily loads.
"""

from __future__ import annotations


def set_aside(cursor, tables: list[str], *, keys: bool) -> list[str]:
    """Drop the tables' secondary indexes and disable their user triggers; with keys,
    drop their primary, unique and foreign keys too. Returns the statements that restore
    them, keys before the foreign keys that need them."""
    constraints = []
    if keys:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype"
            " FROM pg_constraint WHERE contype IN ('f', 'p', 'u')"
            " AND conrelid::regclass::text = ANY(%s) ORDER BY contype = 'f', 1, 2",
            (list(tables),),
        )
        constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid::regclass::text = ANY(%s) AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conindid = indexrelid)"
        " ORDER BY 1",
        (list(tables),),
    )
    indexes = cursor.fetchall()
    for table, name, _, _kind in sorted(constraints, key=lambda c: c[3] != "f"):
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    for table in tables:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    # The triggers set aside include the one that logs this transaction's write, which
    # outdates the kept whole-city results (migration 031): log it here instead.
    cursor.execute("SELECT to_regclass('data_write_log') IS NOT NULL")
    if cursor.fetchone()[0]:
        cursor.execute(
            "INSERT INTO data_write_log (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING"
        )
    restore = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition, _ in constraints
    ]
    restore += [definition for _, definition in indexes]
    restore += [f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in tables]
    return restore
