"""Every page over the demo district: no exception, and each tile equals the figure
computed by independent SQL (tests/app/expected.py), formatted by ui.formatting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from data_access.period import today_local
from tests.app import expected
from ui.formatting import format_count, format_hours, format_rate
from ui.i18n import t
from warehouse.checks import CHECKS

AS_OF = today_local() - timedelta(days=1)
START = AS_OF - timedelta(days=29)

KINDS = {
    "fig.residents": ("residents", format_count),
    "fig.open": ("open", format_count),
    "fig.overdue": ("overdue", format_count),
    "fig.closed": ("closed", format_count),
    "fig.closure_rate": ("closure_rate", format_rate),
    "fig.on_time_rate": ("on_time_rate", format_rate),
    "fig.mean_handling_hours": ("mean_handling_hours", format_hours),
    "fig.hazards_fixed": ("hazards_fixed", format_count),
    "fig.visits": ("visits", format_count),
    "fig.unique_users": ("unique_users", format_count),
    "fig.utilisation": ("utilisation", format_rate),
    "fig.share_60_plus": ("share_60_plus", format_rate),
    "fig.issued": ("issued", format_count),
    "fig.redeemed": ("redeemed", format_count),
    "fig.outstanding": ("outstanding", format_count),
    "fig.participation": ("participation", format_rate),
}
PAGE_TILES = {
    None: [
        "fig.residents",
        "fig.open",
        "fig.overdue",
        "fig.closure_rate",
        "fig.mean_handling_hours",
        "fig.visits",
        "fig.utilisation",
        "fig.issued",
        "fig.outstanding",
        "fig.participation",
    ],
    "pages/map.py": ["fig.residents", "fig.open", "fig.overdue"],
    "pages/incidents.py": [
        "fig.open",
        "fig.overdue",
        "fig.closed",
        "fig.closure_rate",
        "fig.on_time_rate",
        "fig.mean_handling_hours",
        "fig.hazards_fixed",
    ],
    "pages/services.py": ["fig.visits", "fig.unique_users", "fig.utilisation", "fig.share_60_plus"],
    "pages/points.py": ["fig.issued", "fig.redeemed", "fig.outstanding", "fig.participation"],
}


def tiles(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def wall_figures(app) -> dict[str, str]:
    """The wall screen's figures by their summary column (ui/wall.figures' data-key)."""
    import re

    body = "".join(e.proto.body for e in app.get("html") if 'data-testid="wall"' in e.proto.body)
    pattern = r'data-key="([a-z_0-9]+)">.*?data-testid="wallFigure">([^<]*)</div>'
    return dict(re.findall(pattern, body))


def assert_no_exception(app):
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def assert_tiles(app, keys, figures):
    shown = tiles(app)
    for key in keys:
        column, fmt = KINDS[key]
        assert shown[t(key, "zh")] == fmt(figures[column]), key


@pytest.mark.parametrize("page", list(PAGE_TILES))
def test_page_tiles_equal_independent_sql(demo_app, demo_warehouse, page):
    app = demo_app(page, asof=AS_OF.isoformat())
    assert_no_exception(app)
    figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    assert_tiles(app, PAGE_TILES[page], figures)


def test_overview_deltas_against_the_previous_period(demo_app, demo_warehouse):
    app = demo_app(asof=AS_OF.isoformat())
    before_end = START - timedelta(days=1)
    before = expected.figures(
        demo_warehouse.owner, before_end - timedelta(days=29), before_end, before_end
    )
    now = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    deltas = {metric.label: metric.delta for metric in app.metric}
    assert deltas["未结事件"] == f"{now['open'] - before['open']:+,}"
    assert deltas["积分发放"] == f"{now['issued'] - before['issued']:+,}"


def test_league_order_equals_the_weights_file_applied_to_independent_sql(demo_app, demo_warehouse):
    app = demo_app(asof=AS_OF.isoformat())
    league = app.dataframe[0].value
    assert list(league["社区"]) == expected.league_order(demo_warehouse.owner, START, AS_OF, AS_OF)
    assert list(league["名次"]) == list(range(1, 11))
    # The breakdown adds up to the index.
    points = league[[c for c in league.columns if c.endswith(" 得分")]].astype(float)
    assert (points.sum(axis=1) - league["综合指数"].astype(float)).abs().max() < 0.35
    assert any("比学赶超" in element.value for element in [*app.success, *app.info])


def test_url_round_trip(demo_app, demo_warehouse):
    codes = {name: code for code, name in expected.community_codes(demo_warehouse.owner).items()}
    code = codes["罗婆路社区"]
    start, end = AS_OF - timedelta(days=20), AS_OF - timedelta(days=7)
    app = demo_app(
        community=code, asof=AS_OF.isoformat(), **{"from": start.isoformat(), "to": end.isoformat()}
    )
    assert_no_exception(app)
    assert app.sidebar.selectbox[0].value == code[:9]  # its street, filled in
    assert app.sidebar.selectbox[1].value == code
    assert app.sidebar.date_input[0].value == (start, end)
    assert app.sidebar.date_input[1].value == AS_OF
    assert "罗婆路社区" in app.caption[0].value
    figures = expected.figures(demo_warehouse.owner, start, end, AS_OF, code)
    assert_tiles(app, PAGE_TILES[None], figures)
    assert not app.warning
    # The same view stays when the user switches page.
    app.switch_page("pages/incidents.py")
    app.run()
    assert_no_exception(app)
    assert_tiles(app, PAGE_TILES["pages/incidents.py"], figures)


def test_garbage_in_the_url_gives_a_notice_and_the_default_view(demo_app, demo_warehouse):
    app = demo_app(community="garbage", asof=AS_OF.isoformat(), **{"from": "2024-13-45"})
    assert_no_exception(app)
    notices = [w.value for w in app.warning]
    assert any("community=garbage" in n for n in notices)
    assert any("from=2024-13-45" in n for n in notices)
    figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    assert_tiles(app, PAGE_TILES[None], figures)

    plain = demo_app(community="garbage", **{"from": "2024-13-45"})
    default = demo_app()
    assert tiles(plain) == tiles(default)
    assert len(plain.warning) == 2


def test_english(demo_app):
    app = demo_app(lang="en", asof=AS_OF.isoformat())
    assert_no_exception(app)
    assert "Open incidents" in tiles(app)
    assert app.title[0].value == "Community Digital Cockpit"


def test_community_profile(demo_app, demo_warehouse):
    with demo_warehouse.owner.connect() as connection:
        row = (
            connection.execute(
                text(
                    "SELECT community_code, households, residents, estimated_fields,"
                    " (SELECT count(*) FROM dim_grid g WHERE g.community_code = c.community_code"
                    "   AND level = 'grid') AS grids,"
                    " (SELECT count(*) FROM dim_grid g WHERE g.community_code = c.community_code"
                    "   AND level = 'micro_grid') AS micro_grids"
                    " FROM dim_community c WHERE community_name = '湖山社区'"
                )
            )
            .mappings()
            .one()
        )
        facilities = (
            connection.execute(
                text("SELECT facility_name FROM dim_facility WHERE community_code = :c ORDER BY 1"),
                {"c": row["community_code"]},
            )
            .scalars()
            .all()
        )
    app = demo_app("pages/community.py", community=row["community_code"])
    assert_no_exception(app)
    shown = tiles(app)
    households = format_count(row["households"])
    if "households" in row["estimated_fields"]:
        households += "（估）"
    assert shown["户数"] == households
    assert shown["常住人口"].startswith(format_count(row["residents"]))
    assert shown["网格"] == str(row["grids"]) and shown["微网格"] == str(row["micro_grids"])
    assert sorted(app.dataframe[0].value["设施"]) == sorted(facilities)
    comparison = app.dataframe[1].value
    assert list(comparison.columns) == ["本社区", "所在街道/镇", "全区"]


def test_status_page(demo_app, demo_warehouse):
    app = demo_app("pages/status.py")
    assert_no_exception(app)
    tables = app.dataframe[0].value
    with demo_warehouse.owner.connect() as connection:
        for name, rows in zip(tables.iloc[:, 1], tables["行数"], strict=True):
            count = connection.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            assert rows.replace(",", "") == str(count), name
    checks = app.dataframe[1].value
    # every check the demo load recorded (warehouse.checks.CHECKS), each passing
    assert list(checks[t("status.check")]) == [t(f"check.{name}") for name in CHECKS]
    assert list(checks["结果"]) == ["通过"] * len(CHECKS)


def test_every_page_runs_in_screen_mode(demo_app):
    for page in [None, *[p for p in PAGE_TILES if p], "pages/community.py", "pages/status.py"]:
        app = demo_app(page, mode="screen")
        assert_no_exception(app)
        assert not app.sidebar.selectbox
