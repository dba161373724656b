"""Accounts, sessions, screen tokens and the audit log, and how a session bounds what
the reader sees — against the real warehouse."""

from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from data_access import Period, Scope, auth, figures
from data_access.runner import query_cache
from tests.warehouse import rows
from warehouse import accounts
from warehouse.rollups import refresh

PASSWORD = "correct horse battery"
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 10))


@pytest.fixture
def warehouse(fresh_warehouse, monkeypatch):
    engine = fresh_warehouse.owner
    rows.two_communities(engine)
    rows.incident(engine, rows.COMMUNITY_A, "a1", rows.at("2026-03-02 08:00"))
    rows.incident(engine, rows.COMMUNITY_B, "b1", rows.at("2026-03-02 08:00"))
    rows.incident(engine, rows.COMMUNITY_B, "b2", rows.at("2026-03-03 08:00"))
    refresh(engine)
    accounts.add_user(engine, "head_a", PASSWORD, "community", rows.COMMUNITY_A, "甲书记")
    accounts.add_user(engine, "boss", PASSWORD, "district", None, "区领导")
    monkeypatch.setenv("DATABASE_URL", fresh_warehouse.reader_url)
    query_cache().clear()
    auth.set_current_viewer(None)
    yield fresh_warehouse
    auth.set_current_viewer(None)


def _events(engine):
    with engine.connect() as c:
        return c.execute(
            text("SELECT event, username FROM cockpit_auth.audit_log ORDER BY event_id")
        ).all()


def test_sign_in_resume_and_sign_out(warehouse):
    result = auth.sign_in("head_a", PASSWORD)
    assert result.reason == "ok"
    assert result.viewer.scope == Scope("community", rows.COMMUNITY_A)
    assert result.viewer.display_name == "甲书记"
    resumed = auth.resume(result.token)  # a page reload brings the token back
    assert resumed == result.viewer
    auth.sign_out(resumed)
    assert auth.resume(result.token) is None
    assert _events(warehouse.owner) == [("sign_in", "head_a"), ("sign_out", "head_a")]


def test_expired_session_does_not_resume(warehouse):
    result = auth.sign_in("head_a", PASSWORD)
    with warehouse.owner.begin() as c:
        c.execute(text("UPDATE cockpit_auth.session SET expires_at = now() - interval '1 s'"))
    assert auth.resume(result.token) is None


def test_wrong_passwords_lock_the_account(warehouse):
    for _ in range(auth.MAX_FAILURES - 1):
        assert auth.sign_in("head_a", "wrong password").reason == "invalid"
    assert auth.sign_in("head_a", "wrong password").reason == "locked"
    # Even the right password is refused while locked.
    assert auth.sign_in("head_a", PASSWORD).reason == "locked"
    with warehouse.owner.connect() as c:
        locked_until = c.execute(
            text("SELECT locked_until - now() FROM cockpit_auth.account WHERE username = 'head_a'")
        ).scalar_one()
    assert (
        timedelta(minutes=auth.LOCK_MINUTES - 1)
        < locked_until
        <= timedelta(minutes=auth.LOCK_MINUTES)
    )
    accounts.reset_password(warehouse.owner, "head_a", PASSWORD)
    assert auth.sign_in("head_a", PASSWORD).reason == "ok"
    events = [event for event, _ in _events(warehouse.owner)]
    assert events.count("sign_in_failed") == auth.MAX_FAILURES + 1
    assert events.count("locked") == 1


def test_unknown_and_disabled_users_are_refused(warehouse):
    assert auth.sign_in("nobody", PASSWORD).reason == "invalid"
    accounts.set_disabled(warehouse.owner, "boss")
    assert auth.sign_in("boss", PASSWORD).reason == "disabled"


def test_a_session_is_still_allowed_only_while_it_opens_its_scope(warehouse):
    from dataclasses import replace

    head = auth.sign_in("head_a", PASSWORD).viewer
    boss = auth.sign_in("boss", PASSWORD).viewer
    assert auth.still_allowed(head) and auth.still_allowed(boss)
    # the same token asking for a scope it does not open
    assert not auth.still_allowed(replace(head, scope=Scope("community", rows.COMMUNITY_B)))
    assert not auth.still_allowed(replace(head, scope=Scope.district()))
    auth.sign_out(head)
    assert not auth.still_allowed(head)
    accounts.set_disabled(warehouse.owner, "boss")
    assert not auth.still_allowed(boss)
    screen = accounts.create_screen_token(
        warehouse.owner, "community", rows.COMMUNITY_A, timedelta(days=1), "甲大屏"
    )
    shown = auth.use_screen_token(screen.token)
    assert auth.still_allowed(shown)
    accounts.revoke_screen_token(warehouse.owner, screen.token_id)
    assert not auth.still_allowed(shown)


def test_reader_cannot_read_accounts_or_keys(warehouse):
    reader = warehouse.reader()
    for statement in (
        "SELECT derived_key FROM cockpit_auth.account",
        "SELECT * FROM cockpit_auth.session",
        "SELECT cockpit_auth.session_scope('x')",
        "SELECT token_hash FROM cockpit_auth.screen_token",
    ):
        with pytest.raises(DBAPIError, match="permission denied"), reader.connect() as c:
            c.execute(text(statement))


def test_session_bounds_the_scope_even_when_the_app_asks_for_more(warehouse):
    # A cached result first computed for the district must not reach the community head.
    assert figures.open_incidents(Scope.district(), PERIOD) == 3
    head = auth.sign_in("head_a", PASSWORD).viewer
    auth.set_current_viewer(head)
    assert figures.open_incidents(Scope.district(), PERIOD) == 1  # bounded by the session
    assert figures.open_incidents(Scope("community", rows.COMMUNITY_B), PERIOD) == 0
    assert list(figures.communities(Scope.district())["community_code"]) == [rows.COMMUNITY_A]
    auth.sign_out(head)
    query_cache().clear()
    assert figures.open_incidents(Scope.district(), PERIOD) == 0  # ended session: nothing
    boss = auth.sign_in("boss", PASSWORD).viewer
    auth.set_current_viewer(boss)
    assert figures.open_incidents(Scope.district(), PERIOD) == 3


def test_screen_tokens_open_read_only_scoped_views_until_revoked(warehouse):
    token = accounts.create_screen_token(
        warehouse.owner, "community", rows.COMMUNITY_B, timedelta(days=90), "大厅屏"
    )
    viewer = auth.use_screen_token(token.token)
    assert viewer.is_screen and viewer.scope == Scope("community", rows.COMMUNITY_B)
    auth.set_current_viewer(viewer)
    assert figures.open_incidents(Scope.district(), PERIOD) == 2
    accounts.revoke_screen_token(warehouse.owner, token.token_id)
    assert auth.use_screen_token(token.token) is None
    query_cache().clear()
    assert figures.open_incidents(Scope.district(), PERIOD) == 0
    expired = accounts.create_screen_token(warehouse.owner, "district", None, timedelta(minutes=1))
    with warehouse.owner.begin() as c:
        c.execute(
            text(
                "UPDATE cockpit_auth.screen_token SET expires_at = now() - interval '1 s'"
                " WHERE token_id = :i"
            ),
            {"i": expired.token_id},
        )
    assert auth.use_screen_token(expired.token) is None
    assert auth.use_screen_token("made-up") is None
    events = [event for event, _ in _events(warehouse.owner)]
    assert events == ["token_used", "token_rejected", "token_rejected", "token_rejected"]
    listed = {t["token_id"]: t for t in accounts.list_screen_tokens(warehouse.owner)}
    assert listed[token.token_id]["revoked_at"] is not None


def test_audit_log_is_for_district_viewers_only(warehouse):
    head = auth.sign_in("head_a", PASSWORD).viewer
    boss = auth.sign_in("boss", PASSWORD).viewer
    auth.record_export(boss, "incidents.csv")
    assert auth.recent_audit(head) == []
    seen = [(row["event"], row["username"]) for row in auth.recent_audit(boss)]
    assert seen == [("export", "boss"), ("sign_in", "boss"), ("sign_in", "head_a")]


def test_scope_and_password_rules(warehouse):
    with pytest.raises(accounts.AccountError, match="no community"):
        accounts.add_user(warehouse.owner, "x1", PASSWORD, "community", "999999999999")
    with pytest.raises(accounts.AccountError, match="8 characters"):
        accounts.add_user(warehouse.owner, "x2", "short", "district", None)
    with pytest.raises(accounts.AccountError, match="exists"):
        accounts.add_user(warehouse.owner, "boss", PASSWORD, "district", None)
    assert accounts.parse_duration("90d") == timedelta(days=90)
    with pytest.raises(accounts.AccountError):
        accounts.parse_duration("soon")


def _cockpit(warehouse, *args, stdin=""):
    import os
    import subprocess
    import sys

    env = {**os.environ, **warehouse.env()}
    return subprocess.run(
        [sys.executable, "-m", "cockpit_cli", *args], input=stdin, env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_cockpit_user_and_screen_token_commands(warehouse):
    added = _cockpit(warehouse, "user", "add", "head_b", "--role", "community", "--scope",
                     rows.COMMUNITY_B, "--name", "乙书记", stdin="s3cret-pass\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert auth.sign_in("head_b", "s3cret-pass").viewer.scope == Scope(
        "community", rows.COMMUNITY_B
    )
    listed = _cockpit(warehouse, "user", "list").stdout
    assert "head_b" in listed and rows.COMMUNITY_B in listed
    assert _cockpit(warehouse, "user", "disable", "head_b").returncode == 0
    assert auth.sign_in("head_b", "s3cret-pass").reason == "disabled"
    refused = _cockpit(warehouse, "user", "add", "x", "--role", "street", "--scope", "1",
                       stdin="long-enough\n")  # fmt: skip
    assert refused.returncode == 2 and "no street" in refused.stderr

    created = _cockpit(warehouse, "screen-token", "create", "--scope", rows.STREET_A,
                       "--expires", "90d", "--label", "指挥中心")  # fmt: skip
    assert created.returncode == 0, created.stderr
    url = created.stdout.strip().splitlines()[-1]
    assert "mode=screen" in url
    token = url.split("token=")[1]
    assert auth.use_screen_token(token).scope == Scope("street", rows.STREET_A)
    token_id = created.stdout.split()[1]
    assert token_id in _cockpit(warehouse, "screen-token", "list").stdout
    assert _cockpit(warehouse, "screen-token", "revoke", token_id).returncode == 0
    assert auth.use_screen_token(token) is None


def test_single_sign_on_maps_an_email_only_when_enabled(warehouse):
    accounts.add_user(warehouse.owner, "mail_user", PASSWORD, "community", rows.COMMUNITY_B,
                      "乙书记", email="Head.B@example.org")  # fmt: skip
    assert auth.sign_in_sso("head.b@example.org").reason == "sso_off"
    accounts.set_single_sign_on(warehouse.owner, True)
    result = auth.sign_in_sso("head.b@example.org")  # e-mail case does not matter
    assert result.viewer.username == "mail_user"
    assert result.viewer.scope == Scope("community", rows.COMMUNITY_B)
    assert auth.resume(result.token) == result.viewer
    assert auth.sign_in_sso("nobody@example.org").reason == "no_account"
    accounts.set_disabled(warehouse.owner, "mail_user")
    assert auth.sign_in_sso("head.b@example.org").reason == "no_account"
    accounts.set_single_sign_on(warehouse.owner, False)
    assert auth.sign_in_sso("head.b@example.org").reason == "sso_off"


def test_scope_communities_is_what_was_asked_within_what_the_session_allows(warehouse):
    # Every kind of session against every kind of requested scope; the answer computed
    # here from the dimension rows, not by the function's own SQL.
    accounts.add_user(warehouse.owner, "street_a", PASSWORD, "street", rows.STREET_A, "甲街道")
    with warehouse.owner.connect() as c:
        street_of = dict(
            c.execute(text("SELECT community_code, street_code FROM dim_community")).all()
        )
        community_of_grid = dict(
            c.execute(text("SELECT grid_code, community_code FROM dim_grid")).all()
        )

    def communities(setting: str) -> set[str]:
        kind, _, code = setting.partition(":")
        if kind == "district":
            return set(street_of)
        if kind == "street":
            return {c for c, s in street_of.items() if s == code}
        if kind == "community":
            return {code} & set(street_of)
        if kind == "grid":
            return {community_of_grid[code]} if code in community_of_grid else set()
        return set()

    sessions = {
        None: "district",  # no session: the app's own checks (the owner's tools) decide
        auth.sign_in("boss", PASSWORD).viewer.token_hash: "district",
        auth.sign_in("street_a", PASSWORD).viewer.token_hash: f"street:{rows.STREET_A}",
        auth.sign_in("head_a", PASSWORD).viewer.token_hash: f"community:{rows.COMMUNITY_A}",
        "not-a-session": "none",
    }
    requested = [
        "district",
        f"street:{rows.STREET_A}",
        f"street:{rows.STREET_B}",
        f"community:{rows.COMMUNITY_A}",
        f"community:{rows.COMMUNITY_B}",
        f"grid:{rows.MICRO_A}",
        f"grid:{rows.GRID_B}",
        "grid:nowhere",
        "street",
        "garbage",
    ]
    reader = warehouse.reader()
    for session, allowed in sessions.items():
        for scope in requested:
            with reader.begin() as c:
                c.execute(text("SELECT set_config('cockpit.scope', :s, true)"), {"s": scope})
                c.execute(
                    text("SELECT set_config('cockpit.session', :h, true)"), {"h": session or ""}
                )
                answer = c.execute(text("SELECT scope_communities()")).scalar_one()
            expected = sorted(communities(scope) & communities(allowed))
            assert answer == expected, (allowed, scope)
