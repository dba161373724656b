"""benchmarks/screen_load.py's screens: a district token, or one street token for each
of the first N streets (a city's command centres, each watching its own street). The
load itself runs for minutes and is not a test; what each screen is let see is."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from benchmarks import screen_load
from data_access import auth


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
