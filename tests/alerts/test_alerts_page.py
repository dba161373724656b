"""The 督办 page in AppTest (issue [11]): a community head's alerts by level, one
alert's timeline and acknowledgement, and a URL naming another community's alert
refused with a notice."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from data_access import auth
from data_access.runner import query_cache
from tests.alerts.conftest import A, B
from tests.app.conftest import make_app
from warehouse.accounts import add_user

PAGE = "pages/alerts.py"


@pytest.fixture
def head_a(alerts_warehouse, monkeypatch):
    for key, value in alerts_warehouse.env().items():
        monkeypatch.setenv(key, value)
    query_cache().clear()
    add_user(alerts_warehouse.owner, "head_a", "a-long-password", "community", A)
    yield auth.sign_in("head_a", "a-long-password").viewer
    query_cache().clear()


def _texts(app) -> str:
    parts = [m.label + " " + m.value for m in app.metric]
    parts += [e.value for e in (*app.warning, *app.error, *app.success, *app.info, *app.caption)]
    parts += [s.value for s in app.subheader]
    return "\n".join(parts)


def test_community_head_sees_own_alerts_by_level(head_a):
    app = make_app(PAGE, viewer=head_a)
    assert not app.exception
    assert app.title[0].value == "督办"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"督办": "1", "超期": "1", "预警": "1"}
    table = app.dataframe[0].value
    assert list(table["事件编号"]) == ["A-esc", "A-over", "A-warn"]
    assert list(table["级别"]) == ["督办", "超期", "预警"]
    assert "B-over" not in _texts(app)


def test_a_named_alert_opens_and_is_acknowledged(head_a, alerts_warehouse):
    app = make_app(PAGE, viewer=head_a, alert=f"{A}/A-over")
    assert not app.exception
    shown = _texts(app)
    assert "超期 · 事件 A-over（设施维修）" in shown
    assert "事件时间线" in app.markdown[-1].value or any(
        "事件时间线" in m.value for m in app.markdown
    )
    app.text_area[0].input("已联系网格员，明日上门")
    next(b for b in app.button if b.label == "确认").click().run()
    assert not app.exception
    assert "已确认，并已记入审计日志。" in _texts(app) or "已由 head_a" in _texts(app)
    with alerts_warehouse.owner.connect() as c:
        assert c.execute(
            text("SELECT acked_by, note FROM fact_alert_ack WHERE incident_id = 'A-over'")
        ).one() == ("head_a", "已联系网格员，明日上门")
    app = make_app(PAGE, viewer=head_a, alert=f"{A}/A-over")
    assert "已由 head_a" in _texts(app)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_another_communitys_alert_is_refused(head_a, lang):
    params = {"alert": f"{B}/B-over"} | ({"lang": "en"} if lang == "en" else {})
    app = make_app(PAGE, viewer=head_a, **params)
    assert not app.exception
    warnings = [w.value for w in app.warning]
    expected = "names no alert within your scope" if lang == "en" else "不在您的权限范围内"
    assert any(f"alert={B}/B-over" in w and expected in w for w in warnings), warnings
    assert not app.text_area  # no form for it
    assert "B-over" not in "\n".join(s.value for s in app.subheader)


def test_a_broken_configuration_is_said_not_raised(head_a, tmp_path, monkeypatch):
    broken = tmp_path / "alerts.toml"
    broken.write_text("[ladder]\nwarning_hours = -1\n")
    monkeypatch.setenv("COCKPIT_ALERTS_CONFIG", str(broken))
    app = make_app(PAGE, viewer=head_a)
    assert not app.exception
    assert any("ladder.warning_hours" in e.value for e in app.error)
    assert not app.metric


def test_a_warehouse_that_goes_down_gives_a_banner_not_a_traceback(head_a, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from data_access import runner

    app = make_app(PAGE, viewer=head_a, alert=f"{A}/A-over")
    assert not app.exception and app.metric

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, ConnectionRefusedError("warehouse stopped"))

    monkeypatch.setattr(runner, "_run", down)
    monkeypatch.setattr(runner, "warehouse_version", lambda url: None)
    monkeypatch.setattr(runner, "CACHE_TTL", -1.0)
    app.run()
    assert not app.exception
    stale = any("缓存数据" in w.value for w in app.warning)  # the same minute: kept figures
    banner = any("无法连接" in e.value for e in app.error)  # a new minute: nothing kept
    assert stale or banner
    if stale:
        assert {m.label: m.value for m in app.metric} == {"督办": "1", "超期": "1", "预警": "1"}
