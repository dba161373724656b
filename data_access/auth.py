"""Who is looking, as the warehouse knows it: sign-in, sessions, wall-screen tokens,
and the audit log — all through SECURITY DEFINER functions in cockpit_auth, so the
app role never reads a password key or a token (sql/migrations/007_accounts.sql).

The viewer of the current script run is kept in a context variable (data_access.viewer,
re-exported here); `runner.fetch` sets its session on every transaction, and PostgreSQL
then bounds every scope by the viewer's own (`scope_communities()`), so no app bug can
widen a view.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from data_access.runner import WarehouseUnavailable, current_reader_url, reader_engine
from data_access.scope import Scope

# Re-exported: the app signs in and sets the viewer through this module.
from data_access.viewer import Viewer, current_viewer, set_current_viewer  # noqa: F401
from warehouse.passwords import KdfParameters, derive_key

SESSION_HOURS = 12
MAX_FAILURES = 5
LOCK_MINUTES = 15


@dataclass(frozen=True)
class SignInResult:
    viewer: Viewer | None
    token: str | None  # the session token for the browser's cookie, shown once
    reason: str  # ok | invalid | locked | disabled


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _scope(role: str, code: str | None) -> Scope:
    return Scope.district() if role == "district" else Scope(role, code)


def _reachable(function):
    """Turn an unreachable warehouse into WarehouseUnavailable, as data_access does elsewhere."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except OperationalError as error:
            raise WarehouseUnavailable(str(error.orig or error)) from error

    return wrapper


def _writing(url: str | None):
    """A transaction that may call the recording functions (the role defaults to read-only)."""
    engine = reader_engine(url or current_reader_url())
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(text("SET TRANSACTION READ WRITE"))
    return connection, transaction


def _outcome(result, token: str, username: str) -> SignInResult:
    """What a sign-in function answered, as the viewer and the token for the cookie."""
    if not result.ok:
        return SignInResult(None, None, result.reason)
    viewer = Viewer(
        result.display_name,
        _scope(result.role, result.scope_code),
        token_hash(token),
        username,
        result.role,
    )
    return SignInResult(viewer, token, "ok")


@_reachable
def sign_in(username: str, password: str, url: str | None = None) -> SignInResult:
    connection, transaction = _writing(url)
    try:
        row = connection.execute(
            text("SELECT * FROM cockpit_auth.login_parameters(:u)"), {"u": username}
        ).one()
        key = derive_key(
            password,
            KdfParameters(bytes(row.salt), row.time_cost, row.memory_cost, row.parallelism),
        )
        token = secrets.token_urlsafe(32)
        result = connection.execute(
            text("SELECT * FROM cockpit_auth.sign_in(:u, :k, :h, :hours, :fails, :mins)"),
            {
                "u": username,
                "k": key,
                "h": token_hash(token),
                "hours": SESSION_HOURS,
                "fails": MAX_FAILURES,
                "mins": LOCK_MINUTES,
            },
        ).one()
        transaction.commit()
    finally:
        connection.close()
    return _outcome(result, token, username)


@_reachable
def sign_in_sso(email: str, url: str | None = None) -> SignInResult:
    """A session for the account whose e-mail the identity provider vouched for
    (refused unless the owner switched single sign-on on)."""
    connection, transaction = _writing(url)
    token = secrets.token_urlsafe(32)
    try:
        result = connection.execute(
            text("SELECT * FROM cockpit_auth.sign_in_sso(:e, :h, :hours)"),
            {"e": email, "h": token_hash(token), "hours": SESSION_HOURS},
        ).one()
        transaction.commit()
    finally:
        connection.close()
    return _outcome(result, token, result.username)


@_reachable
def resume(token: str, url: str | None = None) -> Viewer | None:
    """The viewer behind a session token from the browser's cookie, if still live."""
    engine = reader_engine(url or current_reader_url())
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT * FROM cockpit_auth.resume(:h)"), {"h": token_hash(token)}
        ).one_or_none()
    if row is None:
        return None
    return Viewer(
        row.display_name,
        _scope(row.role, row.scope_code),
        token_hash(token),
        row.username,
        row.role,
    )


@_reachable
def still_allowed(viewer: Viewer, url: str | None = None) -> bool:
    """Whether the viewer's session or screen token still opens the scope it opened:
    False once it was ended, expired or revoked, its account disabled or its scope
    changed. Read-only, so a wall screen may ask at every refresh."""
    engine = reader_engine(url or current_reader_url())
    with engine.connect() as connection:
        return connection.execute(
            text("SELECT cockpit_auth.still_allowed(:h, :scope)"),
            {"h": viewer.token_hash, "scope": viewer.scope.setting()},
        ).scalar_one()


@_reachable
def sign_out(viewer: Viewer, url: str | None = None) -> None:
    connection, transaction = _writing(url)
    try:
        connection.execute(text("SELECT cockpit_auth.sign_out(:h)"), {"h": viewer.token_hash})
        transaction.commit()
    finally:
        connection.close()


@_reachable
def use_screen_token(token: str, url: str | None = None) -> Viewer | None:
    """The wall-screen viewer a token opens, or None if unknown, expired or revoked."""
    connection, transaction = _writing(url)
    try:
        row = connection.execute(
            text("SELECT * FROM cockpit_auth.use_screen_token(:h)"), {"h": token_hash(token)}
        ).one_or_none()
        transaction.commit()
    finally:
        connection.close()
    if row is None:
        return None
    label = row.label or f"screen {row.token_id}"
    return Viewer(
        label, _scope(row.scope_kind, row.scope_code), token_hash(token), None, row.scope_kind
    )


@_reachable
def record_export(viewer: Viewer, what: str, url: str | None = None) -> None:
    connection, transaction = _writing(url)
    try:
        connection.execute(
            text("SELECT cockpit_auth.record_export(:h, :w)"), {"h": viewer.token_hash, "w": what}
        )
        transaction.commit()
    finally:
        connection.close()


@_reachable
def recent_audit(viewer: Viewer, limit: int = 200, url: str | None = None) -> list[dict]:
    """The newest audit events; empty unless the viewer's scope is the district."""
    engine = reader_engine(url or current_reader_url())
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT * FROM cockpit_auth.recent_audit(:h, :n)"),
            {"h": viewer.token_hash, "n": limit},
        ).mappings()
        return [dict(row) for row in rows]
