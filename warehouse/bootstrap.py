"""Roles and database that a superuser creates once.

The embedded server runs these itself. An operator with their own PostgreSQL runs
`sql/bootstrap_roles.sql` (the same statements) as a superuser, then `cockpit init`.
"""

from __future__ import annotations

import re

from warehouse.config import DATABASE_NAME, OWNER_ROLE, READER_ROLE

_SAFE_PASSWORD = re.compile(r"^[A-Za-z0-9_\-]{16,}$")


def bootstrap_statements(passwords: dict[str, str]) -> list[tuple[str, dict]]:
    # CREATE ROLE cannot take bound parameters; the generated passwords are checked
    # to hold only URL-safe characters before they are written into the statement.
    for role in (OWNER_ROLE, READER_ROLE):
        if not _SAFE_PASSWORD.match(passwords[role]):
            raise ValueError(f"unsafe generated password for {role}")
    return [
        (
            f"CREATE ROLE {OWNER_ROLE} LOGIN PASSWORD '{passwords[OWNER_ROLE]}'",
            {},
        ),
        (
            f"CREATE ROLE {READER_ROLE} LOGIN PASSWORD '{passwords[READER_ROLE]}'",
            {},
        ),
        (f"CREATE DATABASE {DATABASE_NAME} OWNER {OWNER_ROLE} ENCODING 'UTF8'", {}),
        (f"ALTER DATABASE {DATABASE_NAME} SET timezone TO 'Asia/Shanghai'", {}),
        (f"ALTER ROLE {READER_ROLE} SET statement_timeout TO '10s'", {}),
        (f"ALTER ROLE {READER_ROLE} SET default_transaction_read_only TO on", {}),
    ]
