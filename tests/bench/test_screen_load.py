"""benchmarks/screen_load.py's screens: a district token, or one street token for each
of the first N streets (a city's command centres, each watching its own street). The
load itself runs for minutes and is not a test; what each screen is let see is, and
which warehouse `--home` names."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from benchmarks import common, screen_load
from data_access import auth
from warehouse.server import ServerManager


def test_street_screens_watch_one_street_each(demo_warehouse):
    with demo_warehouse.owner.connect() as connection:
        streets = list(
            connection.execute(text("SELECT street_code FROM dim_street ORDER BY 1")).scalars()
        )

    tokens = screen_load.screen_tokens(demo_warehouse.owner, 3, timedelta(hours=1))
    viewers = [auth.use_screen_token(token, url=demo_warehouse.reader_url) for token in tokens]

    assert [(v.scope.kind, v.scope.code) for v in viewers] == [
        ("street", code) for code in streets[:3]
    ]


def test_without_streets_the_screen_watches_the_district(demo_warehouse):
    [token] = screen_load.screen_tokens(demo_warehouse.owner, 0, timedelta(hours=1))

    viewer = auth.use_screen_token(token, url=demo_warehouse.reader_url)

    assert viewer.scope.kind == "district"


def test_an_existing_warehouse_sets_the_operators_server_aside(pg_server, demo_warehouse):
    # An operator's DATABASE_URL (here the demo database's URLs) must not be where the
    # benchmark writes its tokens: --home names the embedded server to use.
    operator = demo_warehouse.env()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in operator.items():
            patch.setenv(key, value)
        with common.existing_warehouse(pg_server.home) as warehouse:
            assert os.environ["COCKPIT_HOME"] == str(pg_server.home.resolve())
            assert "DATABASE_URL" not in os.environ
            assert "COCKPIT_OWNER_URL" not in os.environ
            assert make_url(warehouse.owner_url).port == pg_server.port
            assert make_url(warehouse.owner_url).database != demo_warehouse.database
        assert {key: os.environ[key] for key in operator} == operator
    assert ServerManager(pg_server.home).is_running()  # it was running: left running
