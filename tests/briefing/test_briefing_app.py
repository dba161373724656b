"""The 生成简报 section in the app: its buttons, the audit record of a download, the
numbers of the briefing against the page's tiles, a street's briefing with one
section per community, and a clear message when no Chinese font can be embedded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from briefing import content, fonts, pdf_document, slides
from data_access import Period, Scope, auth
from data_access.period import today_local
from tests.app import expected
from tests.briefing import reading
from tests.warehouse.rows import at, incident, journal, visit
from ui import briefing_ui
from ui.auth_ui import VIEWER_KEY
from ui.formatting import format_count, format_rate
from ui.i18n import t
from warehouse.rollups import refresh

AS_OF = today_local() - timedelta(days=1)
START = AS_OF - timedelta(days=29)


def sidebar_texts(app) -> list[str]:
    return [e.value for e in app.sidebar.subheader] + [e.value for e in app.sidebar.caption]


def test_section_offers_both_files_and_a_download_is_audited(demo_app):
    app = demo_app(asof=AS_OF.isoformat())
    assert not app.exception, [e.value for e in app.exception]
    assert "生成简报" in sidebar_texts(app)
    labels = [button.proto.label for button in app.sidebar.get("download_button")]
    assert labels == ["下载 PPT 简报", "下载 PDF 简报"]

    viewer = app.session_state[VIEWER_KEY]
    before = len(auth.recent_audit(viewer))
    app.sidebar.get("download_button")[1].click().run()  # type: ignore[union-attr]
    assert not app.exception, [e.value for e in app.exception]
    events = auth.recent_audit(viewer)
    assert len(events) == before + 1
    newest = events[0]
    assert newest["event"] == "export"
    assert newest["username"] == viewer.username
    period = Period(START, AS_OF, AS_OF)
    assert newest["detail"]["what"] == (
        f"briefing.pdf district {START.isoformat()}..{AS_OF.isoformat()} asof {AS_OF.isoformat()}"
    )
    assert newest["detail"]["what"] == briefing_ui.export_label(
        app.session_state["cockpit_view"], "pdf"
    )
    assert period.as_of == AS_OF


def test_briefing_tiles_equal_the_overview_tiles_on_screen(demo_app):
    app = demo_app(asof=AS_OF.isoformat())
    on_screen = {metric.label: metric.value for metric in app.metric}
    viewer = app.session_state[VIEWER_KEY]
    auth.set_current_viewer(viewer)
    try:
        built = content.build(Scope.district(), Period(START, AS_OF, AS_OF), "萧山区", "zh")
    finally:
        auth.set_current_viewer(None)
    headline = built.sections[0].pages[0].groups[0].tiles
    assert {tile.label: tile.value for tile in headline} == on_screen


# -- a street of three communities, from known rows --------------------------------------
STREET, OTHER_STREET = "330109950", "330109951"
COMMUNITIES = {"330109950001": "东社区", "330109950002": "西社区", "330109950003": "南社区"}
OUTSIDE = "330109951001"


def street_of_three(engine) -> None:
    """Three communities in one street (and one outside it), each with a facility, an
    overdue incident, a closed one, a visit and points."""
    with engine.begin() as c:
        c.execute(
            text("INSERT INTO dim_street VALUES (:a, '丙街道', '街道'), (:b, '丁镇', '镇')"),
            {"a": STREET, "b": OTHER_STREET},
        )
        for number, (code, name) in enumerate([*COMMUNITIES.items(), (OUTSIDE, "外社区")]):
            street = OTHER_STREET if code == OUTSIDE else STREET
            c.execute(
                text(
                    "INSERT INTO dim_community (community_code, street_code, community_name,"
                    " households, residents) VALUES (:c, :s, :n, 500, :r)"
                ),
                {"c": code, "s": street, "n": name, "r": 1000 + 500 * number},
            )
            c.execute(
                text(
                    "INSERT INTO dim_facility (facility_code, community_code, facility_name,"
                    " facility_type, capacity) VALUES (:f, :c, :n, 'canteen', 10)"
                ),
                {"f": f"F{number}", "c": code, "n": f"{name}食堂"},
            )
    day = AS_OF - timedelta(days=3)
    for number, code in enumerate([*COMMUNITIES, OUTSIDE]):
        reported = at(f"{day.isoformat()} 09:00")
        for k in range(number + 1):  # 1, 2, 3 overdue incidents (repair SLA < 3 days)
            incident(engine, code, f"{code[-3:]}-late-{k}", reported - timedelta(days=k + 1))
        incident(engine, code, f"{code[-3:]}-done", reported, closed=reported + timedelta(hours=5))
        visit(engine, code, f"F{number}", f"{code}-v1", reported, units=number + 2)
        journal(engine, code, f"{code}-j1", reported, "earn", "r1", 10 * (number + 1))
    refresh(engine)


def test_street_briefing_has_one_section_per_community(known_app, fresh_warehouse):
    street_of_three(fresh_warehouse.owner)
    app = known_app(street=STREET, asof=AS_OF.isoformat())
    assert not app.exception, [e.value for e in app.exception]
    assert any(t("briefing.caption_street", "zh") in text for text in sidebar_texts(app))
    on_screen = {metric.label: metric.value for metric in app.metric}

    auth.set_current_viewer(app.session_state[VIEWER_KEY])
    try:
        built = content.build(Scope("street", STREET), Period(START, AS_OF, AS_OF), "丙街道", "zh")
        pdf, pptx = pdf_document.pdf_bytes(built), slides.pptx_bytes(built)
    finally:
        auth.set_current_viewer(None)

    # The same numbers as the overview page of the street.
    headline = built.sections[0].pages[0].groups[0].tiles
    assert {tile.label: tile.value for tile in headline} == on_screen

    # One PowerPoint section and one PDF bookmark per community of the street.
    sections = reading.deck_sections(pptx)
    assert sections[0] == ("总体情况", 5)  # the cover and four overview slides
    assert sorted(name for name, _ in sections[1:]) == sorted(COMMUNITIES.values())
    assert all(count == 1 for _, count in sections[1:])
    outline = reading.pdf_outline(pdf)
    assert outline[0] == "总体情况"
    assert sorted(outline[1:]) == sorted(COMMUNITIES.values())
    assert "外社区" not in reading.pdf_text(pdf)

    # Each community's slide: its own figures, by independent SQL.
    slides_text = reading.slide_texts(pptx)
    for code, name in COMMUNITIES.items():
        figures = expected.figures(fresh_warehouse.owner, START, AS_OF, AS_OF, code)
        (texts,) = [texts for texts in slides_text[5:] if name in texts]
        assert f"常住人口\n{format_count(figures['residents'])}" in texts
        assert f"超期未结\n{format_count(figures['overdue'])}" in texts
        assert f"结案率\n{format_rate(figures['closure_rate'])}" in texts
        assert f"积分发放\n{format_count(figures['issued'])}" in texts
        ids = [text for text in texts if "-late-" in text]  # the overdue table's cells
        assert sorted(ids) == sorted(
            f"{code[-3:]}-late-{k}" for k in range(int(figures["overdue"]))
        )


def test_no_embeddable_font_is_a_clear_message(demo_app, monkeypatch):
    monkeypatch.delenv(fonts.FONT_ENV, raising=False)
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", ())
    fonts.cjk_font.cache_clear()
    try:
        app = demo_app(asof=AS_OF.isoformat())
        assert not app.exception, [e.value for e in app.exception]
        assert [e.value for e in app.sidebar.error] == [t("briefing.no_font", "zh")]
        assert not app.sidebar.get("download_button")
        english = demo_app(asof=AS_OF.isoformat(), lang="en")
        assert [e.value for e in english.sidebar.error] == [t("briefing.no_font", "en")]
    finally:
        fonts.cjk_font.cache_clear()
