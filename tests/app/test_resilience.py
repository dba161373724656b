"""A warehouse that is down gives a banner in the user's language, never a traceback;
cached figures stay visible marked stale; the page comes back when it answers again."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import OperationalError

from data_access import runner
from data_access.period import today_local
from data_access.runner import query_cache
from tests.app.conftest import make_app
from ui.i18n import t


def test_down_with_nothing_cached_shows_the_banner(demo_warehouse, monkeypatch):
    # A port where nothing listens: connection refused at once.
    url = demo_warehouse.reader_url.replace(f":{demo_warehouse.server.port}/", ":9/")
    assert url != demo_warehouse.reader_url
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COCKPIT_OWNER_URL", demo_warehouse.owner_url)
    query_cache().clear()
    for page in (None, "pages/status.py"):
        app = make_app(page)
        assert not app.exception
        assert [e.value for e in app.error] == ["数据仓库暂时无法连接，正在重试…"]
    english = make_app(lang="en")
    assert not english.exception
    assert "cannot be reached" in english.error[0].value
    query_cache().clear()


def test_stale_figures_then_recovery(demo_app, monkeypatch):
    # As of yesterday: "now" moves to the next minute, and every query's as-of with it
    # (a new cache key with no last good result), whenever a minute ends between runs.
    app = demo_app(asof=(today_local() - timedelta(days=1)).isoformat())
    live = {m.label: m.value for m in app.metric}
    assert not app.warning

    real_run = runner._run

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, ConnectionRefusedError("warehouse stopped"))

    real_version = runner.warehouse_version
    monkeypatch.setattr(runner, "_run", down)
    # A stopped warehouse cannot say its version either, so nothing is revalidated.
    monkeypatch.setattr(runner, "warehouse_version", lambda url: None)
    monkeypatch.setattr(runner, "CACHE_TTL", -1.0)  # every cached frame has expired
    app.run()
    assert not app.exception and not app.error
    assert {m.label: m.value for m in app.metric} == live
    assert any("缓存数据" in w.value for w in app.warning)

    monkeypatch.setattr(runner, "_run", real_run)
    monkeypatch.setattr(runner, "warehouse_version", real_version)
    app.run()
    assert not app.exception and not app.error
    assert not any("缓存数据" in w.value for w in app.warning)
    assert {m.label: m.value for m in app.metric} == live


def test_a_query_past_the_statement_timeout_says_so_and_is_no_outage(demo_warehouse, monkeypatch):
    # A statement cancelled by statement_timeout, as PostgreSQL reports it (SQLSTATE 57014).
    from sqlalchemy import create_engine, text

    engine = create_engine(demo_warehouse.reader_url)
    with engine.connect() as connection:
        connection.execute(text("SET statement_timeout = '10ms'"))
        try:
            connection.execute(text("SELECT pg_sleep(1)"))
        except OperationalError as error:
            cancelled = error
    engine.dispose()
    assert cancelled.orig.pgcode == runner.QUERY_CANCELED

    def slow(*args, **kwargs):
        raise cancelled

    monkeypatch.setenv("DATABASE_URL", demo_warehouse.reader_url)
    monkeypatch.setenv("COCKPIT_OWNER_URL", demo_warehouse.owner_url)
    query_cache().clear()
    app = make_app()  # signs in before the queries time out
    monkeypatch.setattr(runner, "_run", slow)
    monkeypatch.setattr(runner, "CACHE_TTL", -1.0)
    query_cache().clear()  # nothing cached to fall back on
    query_cache().health.record_success()  # up, whatever ran before
    app.run()
    assert not app.exception
    assert [e.value for e in app.error] == [t("banner.timeout")]
    assert not query_cache().health.down_since  # the warehouse is up
    query_cache().clear()
