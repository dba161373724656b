"""Accounts and wall-screen tokens, managed by the owner (`cockpit user …`,
`cockpit screen-token …`). Tokens are shown once and stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, text

from warehouse.passwords import KdfParameters, derive_key

ROLES = ("district", "street", "community")


class AccountError(ValueError):
    """A request the accounts cannot honour; the message says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_scope(connection, role: str, scope_code: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if role == "district":
        if scope_code:
            raise AccountError("a district account takes no scope code")
        return
    table, column = (
        ("dim_street", "street_code") if role == "street" else ("dim_community", "community_code")
    )
    exists = connection.execute(
        text(f"SELECT exists (SELECT 1 FROM {table} WHERE {column} = :code)"),
        {"code": scope_code},
    ).scalar_one()
    if not exists:
        raise AccountError(f"no {role} with code {scope_code!r} in the warehouse")


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    scope_code: str | None,
    display_name: str | None = None,
    email: str | None = None,
    is_demo: bool = False,
) -> None:
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")
    parameters = KdfParameters.fresh()
    with engine.begin() as connection:
        _check_scope(connection, role, scope_code)
        taken = connection.execute(
            text("SELECT exists (SELECT 1 FROM cockpit_auth.account WHERE username = :u)"),
            {"u": username},
        ).scalar_one()
        if taken:
            raise AccountError(f"user {username!r} exists already")
        connection.execute(
            text(
                "INSERT INTO cockpit_auth.account (username, display_name, role, scope_code,"
                " email, salt, time_cost, memory_cost, parallelism, derived_key, is_demo)"
                " VALUES (:u, :d, :r, :s, :e, :salt, :t, :m, :p, :k, :demo)"
            ),
            {
                "u": username,
                "d": display_name or username,
                "r": role,
                "s": scope_code,
                "e": email,
                "salt": parameters.salt,
                "t": parameters.time_cost,
                "m": parameters.memory_cost,
                "p": parameters.parallelism,
                "k": derive_key(password, parameters),
                "demo": is_demo,
            },
        )


def reset_password(engine: Engine, username: str, password: str) -> None:
    if len(password) < 8:
        raise AccountError("the password needs at least 8 characters")
    parameters = KdfParameters.fresh()
    with engine.begin() as connection:
        changed = connection.execute(
            text(
                "UPDATE cockpit_auth.account SET salt = :salt, time_cost = :t, memory_cost = :m,"
                " parallelism = :p, derived_key = :k, failed_attempts = 0, locked_until = NULL"
                " WHERE username = :u"
            ),
            {
                "u": username,
                "salt": parameters.salt,
                "t": parameters.time_cost,
                "m": parameters.memory_cost,
                "p": parameters.parallelism,
                "k": derive_key(password, parameters),
            },
        ).rowcount
        if not changed:
            raise AccountError(f"no user {username!r}")
        # A new password ends the sessions opened with the old one.
        connection.execute(
            text(
                "UPDATE cockpit_auth.session SET ended_at = now()"
                " WHERE username = :u AND ended_at IS NULL"
            ),
            {"u": username},
        )


def set_disabled(engine: Engine, username: str, disabled: bool = True) -> None:
    with engine.begin() as connection:
        changed = connection.execute(
            text("UPDATE cockpit_auth.account SET disabled = :d WHERE username = :u"),
            {"u": username, "d": disabled},
        ).rowcount
        if not changed:
            raise AccountError(f"no user {username!r}")


def list_users(engine: Engine) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT username, display_name, role, scope_code, disabled, failed_attempts,"
                " locked_until, is_demo FROM cockpit_auth.account ORDER BY username"
            )
        ).mappings()
        return [dict(row) for row in rows]


@dataclass(frozen=True)
class ScreenToken:
    token_id: str
    token: str


def create_screen_token(
    engine: Engine,
    scope_kind: str,
    scope_code: str | None,
    expires_in: timedelta,
    label: str | None = None,
) -> ScreenToken:
    token = secrets.token_urlsafe(32)
    token_id = secrets.token_hex(4)
    with engine.begin() as connection:
        _check_scope(connection, scope_kind, scope_code)
        connection.execute(
            text(
                "INSERT INTO cockpit_auth.screen_token (token_id, token_hash, scope_kind,"
                " scope_code, label, expires_at) VALUES (:i, :h, :k, :c, :l, now() + :e)"
            ),
            {
                "i": token_id,
                "h": token_hash(token),
                "k": scope_kind,
                "c": scope_code,
                "l": label,
                "e": expires_in,
            },
        )
    return ScreenToken(token_id, token)


def list_screen_tokens(engine: Engine) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT token_id, scope_kind, scope_code, label, created_at, expires_at,"
                " revoked_at, last_used_at FROM cockpit_auth.screen_token ORDER BY created_at"
            )
        ).mappings()
        return [dict(row) for row in rows]


def revoke_screen_token(engine: Engine, token_id: str) -> None:
    with engine.begin() as connection:
        changed = connection.execute(
            text(
                "UPDATE cockpit_auth.screen_token SET revoked_at = now()"
                " WHERE token_id = :i AND revoked_at IS NULL"
            ),
            {"i": token_id},
        ).rowcount
        if not changed:
            raise AccountError(f"no active screen token {token_id!r}")


def parse_duration(value: str) -> timedelta:
    """'90d', '12h', '30m' -> timedelta."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if len(value) < 2 or value[-1] not in units or not value[:-1].isdigit():
        raise AccountError(f"expiry like 90d, 12h or 30m, not {value!r}")
    return timedelta(**{units[value[-1]]: int(value[:-1])})


# One account per role for the demo district; passwords are made per warehouse and
# kept in warehouse_meta so that the demo's sign-in page can list them. A real
# warehouse (no 'demo' key) has none.
DEMO_ACCOUNTS = (
    ("demo_district", "区级领导（演示）", "district", None),
    ("demo_street", "新塘街道（演示）", "street", "新塘街道"),
    ("demo_community", "南城社区书记（演示）", "community", "南城社区"),
)


def ensure_demo_accounts(engine: Engine) -> list[dict]:
    listed = []
    with engine.connect() as connection:
        codes = {
            **dict(
                connection.execute(text("SELECT street_name, street_code FROM dim_street")).all()
            ),
            **dict(
                connection.execute(
                    text("SELECT community_name, community_code FROM dim_community")
                ).all()
            ),
        }
        existing = set(
            connection.execute(text("SELECT username FROM cockpit_auth.account")).scalars()
        )
    for username, display_name, role, scope_name in DEMO_ACCOUNTS:
        scope_code = codes.get(scope_name) if scope_name else None
        if scope_name and scope_code is None:
            continue  # not this warehouse's district
        password = secrets.token_urlsafe(9)
        if username in existing:
            reset_password(engine, username, password)
        else:
            add_user(engine, username, password, role, scope_code, display_name, is_demo=True)
        listed.append(
            {
                "username": username,
                "password": password,
                "role": role,
                "scope_code": scope_code,
                "display_name": display_name,
            }
        )
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO warehouse_meta (key, value) VALUES ('demo_accounts', :v)"
                " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
            ),
            {"v": json.dumps(listed, ensure_ascii=False)},
        )
    return listed


def set_single_sign_on(engine: Engine, enabled: bool) -> None:
    """Allow (or refuse) sessions opened on an identity provider's word (st.login)."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cockpit_auth.setting (key, value) VALUES ('sso_enabled', :v)"
                " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
            ),
            {"v": json.dumps(enabled)},
        )
