"""Who sees what, in the app: the sign-in page, and a community head who sees nothing
outside their community however the URL, the page or the cache are used."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from data_access.period import today_local
from tests.app import expected
from tests.app.conftest import demo_viewer, make_app
from tests.app.test_pages import (
    KINDS,
    PAGE_TILES,
    assert_no_exception,
    assert_tiles,
    tiles,
    wall_figures,
)
from ui.auth_ui import VIEWER_KEY

AS_OF = today_local() - timedelta(days=1)
START = AS_OF - timedelta(days=29)


def _codes(warehouse) -> dict[str, str]:
    return {name: code for code, name in expected.community_codes(warehouse.owner).items()}


def _demo_account(warehouse, role):
    with warehouse.owner.connect() as connection:
        accounts = connection.execute(
            text("SELECT value FROM warehouse_meta WHERE key = 'demo_accounts'")
        ).scalar_one()
    return next(a for a in accounts if a["role"] == role)


def test_sign_in_page_then_the_overview(demo_app, demo_warehouse):
    app = make_app()  # not signed in
    assert_no_exception(app)
    assert not app.metric
    assert [field.label for field in app.text_input] == ["用户名", "密码"]
    account = _demo_account(demo_warehouse, "district")
    listed = app.table[0].value
    assert account["username"] in list(listed.iloc[:, 0])  # a demo warehouse lists them

    app.text_input[0].input(account["username"])
    app.text_input[1].input("not the password")
    app.button[0].click().run()
    assert [e.value for e in app.error] == ["用户名或密码错误。"]
    assert not app.metric

    app.text_input[1].input(account["password"])
    app.button[0].click().run()
    assert_no_exception(app)
    assert app.session_state[VIEWER_KEY].username == account["username"]
    figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    app.query_params["asof"] = AS_OF.isoformat()
    app.run()
    assert_tiles(app, PAGE_TILES[None], figures)


def test_community_head_sees_only_their_community(demo_app, demo_warehouse):
    codes = _codes(demo_warehouse)
    own, other = codes["南城社区"], codes["湘湖社区"]
    # First the district fills the cache with the district's and 湘湖's figures.
    district = demo_app(asof=AS_OF.isoformat())
    demo_app(asof=AS_OF.isoformat(), community=other)

    head = demo_viewer(demo_warehouse, "community")
    assert head.scope.code == own
    own_figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF, own)

    app = make_app(viewer=head, asof=AS_OF.isoformat())
    assert_no_exception(app)
    assert_tiles(app, PAGE_TILES[None], own_figures)
    assert tiles(app) != tiles(district)

    # Another community, another community's grid, another street: a notice, own view.
    with demo_warehouse.owner.connect() as connection:
        other_grid = connection.execute(
            text("SELECT min(grid_code) FROM dim_grid WHERE community_code = :c"), {"c": other}
        ).scalar_one()
    for param, value in (("community", other), ("grid", other_grid), ("street", other[:9])):
        probe = make_app(viewer=head, asof=AS_OF.isoformat(), **{param: value})
        assert_no_exception(probe)
        assert any(f"{param}={value}" in w.value for w in probe.warning), param
        assert_tiles(probe, PAGE_TILES[None], own_figures)
        shown = " ".join(str(m.value) for m in probe.markdown) + str(probe.sidebar)
        assert "湘湖社区" not in shown

    # Direct page paths: every page stays inside the community.
    for page, keys in PAGE_TILES.items():
        if page is None:
            continue
        probe = make_app(page, viewer=head, asof=AS_OF.isoformat(), community=other)
        assert_no_exception(probe)
        assert_tiles(probe, keys, own_figures)

    # The league lists only what the scope admits.
    league = app.dataframe[0].value
    assert set(league.iloc[:, 1]) == {"南城社区"}


def test_sign_out_ends_the_session(demo_app, demo_warehouse):
    viewer = demo_viewer(demo_warehouse, "street")
    app = make_app(viewer=viewer)
    assert_no_exception(app)
    assert app.metric
    app.sidebar.button(key="cockpit_sign_out").click().run()
    assert not app.metric
    assert [field.label for field in app.text_input] == ["用户名", "密码"]
    with demo_warehouse.owner.connect() as connection:
        ended = connection.execute(
            text("SELECT ended_at IS NOT NULL FROM cockpit_auth.session WHERE token_hash = :h"),
            {"h": viewer.token_hash},
        ).scalar_one()
    assert ended


def test_an_expired_session_shows_the_sign_in_page_at_the_next_rerun(demo_app, demo_warehouse):
    # The page's figures are kept while the warehouse is unchanged, so the session is
    # what must be checked again: an expiry changes no data.
    viewer = demo_viewer(demo_warehouse, "community")
    own = viewer.scope.code
    app = make_app(viewer=viewer, asof=AS_OF.isoformat())
    assert_tiles(
        app, PAGE_TILES[None], expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF, own)
    )
    with demo_warehouse.owner.begin() as connection:
        connection.execute(
            text(
                "UPDATE cockpit_auth.session SET expires_at = now() - interval '1 second'"
                " WHERE token_hash = :h"
            ),
            {"h": viewer.token_hash},
        )
    app.run()
    assert not app.exception
    assert not app.metric
    assert [field.label for field in app.text_input] == ["用户名", "密码"]
    assert [e.value for e in app.error] == ["登录已过期或已结束，请重新登录。"]
    assert VIEWER_KEY not in app.session_state


def test_screen_token_in_the_url_opens_the_big_screen(demo_warehouse, monkeypatch):
    from datetime import timedelta as days

    from tests.app.conftest import _point_at
    from warehouse.accounts import create_screen_token, revoke_screen_token

    _point_at(monkeypatch, demo_warehouse)
    own = _codes(demo_warehouse)["湖山社区"]
    token = create_screen_token(demo_warehouse.owner, "community", own, days(days=1), "湖山大屏")
    app = make_app(mode="screen", token=token.token, asof=AS_OF.isoformat())
    assert_no_exception(app)
    figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF, own)
    shown = wall_figures(app)  # the wall's composition, not the desk's tiles
    for key in PAGE_TILES[None]:
        column, fmt = KINDS[key]
        if key != "fig.residents":  # the wall shows no residents tile
            assert shown[column] == fmt(figures[column]), key
    revoke_screen_token(demo_warehouse.owner, token.token_id)
    app.run()  # the open screen's next refresh
    assert not wall_figures(app)
    assert "大屏令牌无效" in app.error[0].value
    refused = make_app(mode="screen", token=token.token)
    assert not wall_figures(refused)
    assert "大屏令牌无效" in refused.error[0].value


def test_single_sign_on_button_only_when_a_provider_is_configured(demo_app):
    plain = make_app()
    assert "统一身份认证登录" not in [b.label for b in plain.button]
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import ROOT, TIMEOUT

    configured = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    configured.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-only",
        "client_id": "cockpit",
        "client_secret": "test-only",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    configured.run()
    assert not configured.exception
    assert "统一身份认证登录" in [b.label for b in configured.button]
