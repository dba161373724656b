"""AppTest fixtures: the app pointed at a test warehouse, caches cleared per test."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from data_access import auth
from data_access.runner import query_cache
from ui.auth_ui import VIEWER_KEY
from warehouse.accounts import add_user, list_users

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def _point_at(monkeypatch, warehouse) -> None:
    for key, value in warehouse.env().items():
        monkeypatch.setenv(key, value)
    query_cache().clear()


def demo_viewer(warehouse, role: str = "district") -> auth.Viewer:
    """Signed in as the demo warehouse's account for `role` (district, street, community)."""
    with warehouse.owner.connect() as connection:
        accounts = connection.execute(
            text("SELECT value FROM warehouse_meta WHERE key = 'demo_accounts'")
        ).scalar_one()
    account = next(a for a in accounts if a["role"] == role)
    return auth.sign_in(account["username"], account["password"]).viewer


@pytest.fixture
def demo_app(demo_warehouse, monkeypatch):
    """A factory of AppTests over the demo district, signed in as the district:
    demo_app(page="pages/status.py", **params)."""
    _point_at(monkeypatch, demo_warehouse)
    yield functools.partial(make_app, viewer=demo_viewer(demo_warehouse))
    query_cache().clear()


@pytest.fixture
def known_app(fresh_warehouse, monkeypatch):
    """The same over a fresh warehouse that a test fills with known rows (signed in as
    a district account made for the test)."""
    _point_at(monkeypatch, fresh_warehouse)

    def make_signed_in(page: str | None = None, **params) -> AppTest:
        with fresh_warehouse.owner.connect() as connection:
            has_streets = connection.execute(text("SELECT count(*) FROM dim_street")).scalar()
        assert has_streets, "insert the test's rows before making the app"
        if "tester" not in {u["username"] for u in list_users(fresh_warehouse.owner)}:
            add_user(fresh_warehouse.owner, "tester", TESTER_PASSWORD, "district", None)
        viewer = auth.sign_in("tester", TESTER_PASSWORD).viewer
        return make_app(page, viewer=viewer, **params)

    yield make_signed_in
    query_cache().clear()


TESTER_PASSWORD = "tester-password"


def make_app(page: str | None = None, viewer: auth.Viewer | None = None, **params) -> AppTest:
    """Run app.py (optionally on another page) with the given URL parameters, as
    `viewer` (None: not signed in)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if viewer is not None:
        app.session_state[VIEWER_KEY] = viewer
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(page)
        app.run()
    return app
