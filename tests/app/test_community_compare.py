"""A bounded viewer's figures are labelled as what they are. Row-level security bounds
every query by the viewer's scope, so a community head asking for the district's total
gets their own community's: 社区画像 showed it as 全区. And a street leader's unfiltered
pages, their street's figures, were captioned 萧山区."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from data_access.period import today_local
from tests.app import expected
from tests.app.conftest import demo_viewer, make_app
from tests.app.test_pages import assert_no_exception
from ui.formatting import format_number

AS_OF = today_local() - timedelta(days=1)
START = AS_OF - timedelta(days=29)
VISITS_PER_1000 = "服务人次(每千人)"


def _visits_per_1000(figures: dict) -> str:
    return format_number(figures["visits"] / figures["residents"] * 1000)


def _comparison(app):
    assert_no_exception(app)
    return app.dataframe[1].value


def test_the_district_sees_its_community_against_the_district(demo_app, demo_warehouse):
    code = demo_viewer(demo_warehouse, "community").scope.code
    app = demo_app("pages/community.py", community=code, asof=AS_OF.isoformat())
    table = _comparison(app)
    community = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF, code)
    district = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    assert list(table.columns) == ["本社区", "所在街道/镇", "全区"]
    assert table.loc[VISITS_PER_1000, "本社区"] == _visits_per_1000(community)
    assert table.loc[VISITS_PER_1000, "全区"] == _visits_per_1000(district)
    assert _visits_per_1000(district) != _visits_per_1000(community)
    assert not [c.value for c in app.caption if "范围以外" in c.value]


def test_a_community_head_sees_no_total_beyond_their_community(demo_app, demo_warehouse):
    viewer = demo_viewer(demo_warehouse, "community")
    app = make_app("pages/community.py", viewer=viewer, asof=AS_OF.isoformat())
    table = _comparison(app)
    community = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF, viewer.scope.code)
    assert list(table.columns) == ["本社区"]
    assert table.loc[VISITS_PER_1000, "本社区"] == _visits_per_1000(community)
    assert [c.value for c in app.caption if "范围以外" in c.value]


def test_a_street_leader_sees_their_street_but_not_the_district(demo_app, demo_warehouse):
    viewer = demo_viewer(demo_warehouse, "street")
    app = make_app("pages/community.py", viewer=viewer, asof=AS_OF.isoformat())
    assert list(_comparison(app).columns) == ["本社区", "所在街道/镇"]
    assert [c.value for c in app.caption if "范围以外" in c.value]


def test_a_bounded_viewer_sees_their_own_place_named(demo_app, demo_warehouse):
    # Unfiltered, a street leader's figures are their street's: the caption says so,
    # not 萧山区.
    for role, column in (("street", "street_name"), ("community", "community_name")):
        viewer = demo_viewer(demo_warehouse, role)
        key = "street_code" if role == "street" else "community_code"
        with demo_warehouse.owner.connect() as connection:
            name = connection.execute(
                text(
                    f"SELECT DISTINCT {column} FROM dim_community"
                    " JOIN dim_street USING (street_code) WHERE " + key + " = :code"
                ),
                {"code": viewer.scope.code},
            ).scalar_one()
        app = make_app(viewer=viewer, asof=AS_OF.isoformat())
        assert_no_exception(app)
        captions = [c.value for c in app.caption]
        assert any(c.startswith(f"{name} ·") for c in captions), (role, captions)
        assert not any(c.startswith("萧山区 ·") for c in captions), (role, captions)
