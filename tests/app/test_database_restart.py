"""The real thing, not a simulation: stop the warehouse's PostgreSQL under a running
app, see the banner and the stale figures, start it again and see live figures come
back in the same session, without a reload."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from data_access import auth
from data_access.runner import query_cache
from tests.app.conftest import make_app
from tests.warehouse import rows
from ui.formatting import format_count
from warehouse.accounts import add_user
from warehouse.config import OWNER_ROLE, READER_ROLE
from warehouse.migrate import migrate
from warehouse.rollups import refresh
from warehouse.server import ServerManager


def test_stop_and_restart_the_database(tmp_path, monkeypatch):
    manager = ServerManager(tmp_path / "home")
    server = manager.ensure_running()
    try:
        owner = create_engine(server.url(OWNER_ROLE))
        migrate(owner)
        rows.two_communities(owner)
        rows.incident(owner, rows.COMMUNITY_A, "a1", rows.at("2026-03-02 08:00"))
        refresh(owner)
        add_user(owner, "boss", "boss-password", "district", None)
        with owner.connect() as c:
            residents = c.execute(text("SELECT sum(residents) FROM dim_community")).scalar_one()
        owner.dispose()
        monkeypatch.setenv("DATABASE_URL", server.url(READER_ROLE))
        monkeypatch.setenv("COCKPIT_OWNER_URL", server.url(OWNER_ROLE))
        # Always ask the warehouse: for rows, and for whether it changed since.
        monkeypatch.setattr("data_access.runner.CACHE_TTL", -1.0)
        monkeypatch.setattr("data_access.runner.VERSION_TTL", -1.0)
        query_cache().clear()
        viewer = auth.sign_in("boss", "boss-password").viewer

        # As of a fixed day: at "now" a minute ending between runs would change every
        # query's as-of (a new cache key, with no last good result to show)
        app = make_app(viewer=viewer, asof="2026-03-31")
        assert not app.exception and not app.error and not app.warning
        live = {m.label: m.value for m in app.metric}
        assert live["常住人口"] == format_count(residents)

        manager.stop()
        app.run()
        assert not app.exception
        assert {m.label: m.value for m in app.metric} == live  # the last good figures
        assert any("缓存数据" in w.value for w in app.warning)

        restarted = manager.ensure_running()
        assert restarted.port == server.port
        app.run()
        assert not app.exception and not app.error
        assert not any("缓存数据" in w.value for w in app.warning), [w.value for w in app.warning]
        assert {m.label: m.value for m in app.metric} == live
    finally:
        query_cache().clear()
        manager.stop()
