"""AppTest fixtures: the app pointed at a test warehouse, caches cleared per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data_access.runner import query_cache

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def _point_at(monkeypatch, warehouse) -> None:
    for key, value in warehouse.env().items():
        monkeypatch.setenv(key, value)
    query_cache().clear()


@pytest.fixture
def demo_app(demo_warehouse, monkeypatch):
    """A factory of AppTests over the demo district: demo_app(page="/status", **params)."""
    _point_at(monkeypatch, demo_warehouse)
    yield make_app
    query_cache().clear()


@pytest.fixture
def known_app(fresh_warehouse, monkeypatch):
    """The same over a fresh warehouse that a test fills with known rows."""
    _point_at(monkeypatch, fresh_warehouse)
    yield make_app
    query_cache().clear()


def make_app(page: str | None = None, **params) -> AppTest:
    """Run app.py (optionally on another page) with the given URL parameters."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    if page:
        app.switch_page(page)
        app.run()
    return app
