"""The briefing files of the demo district, opened as a reader would (pypdf,
python-pptx): they name the scope and the as-of date, and every figure equals the
one computed by independent SQL over the facts (tests/app/expected.py), formatted by
ui.formatting as the pages format it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from briefing import content, pdf_document, slides
from data_access import Period, Scope, auth
from data_access.period import today_local
from data_access.runner import query_cache
from tests.app import expected
from tests.app.conftest import demo_viewer
from tests.app.test_pages import KINDS
from tests.briefing import reading
from ui.formatting import format_count
from ui.i18n import t

AS_OF = today_local() - timedelta(days=1)
START = AS_OF - timedelta(days=29)
PERIOD = Period(START, AS_OF, AS_OF)

# label key -> (column of expected.figures, format), as the page tests read the tiles
FIGURES = KINDS

OVERDUE_SQL = """
SELECT incident_id FROM fact_incident
 WHERE reported_at <= :t AND (closed_at IS NULL OR closed_at > :t)
   AND (rejected_at IS NULL OR rejected_at > :t) AND due_at < :t
   AND (CAST(:c AS text) IS NULL OR community_code = :c)
 ORDER BY due_at, community_code, incident_id
 LIMIT 10
"""


def most_overdue(engine, community: str | None = None) -> list[str]:
    t_instant = expected.window(START, AS_OF, AS_OF)["t"]
    with engine.connect() as connection:
        return list(
            connection.execute(text(OVERDUE_SQL), {"t": t_instant, "c": community}).scalars()
        )


def expected_tiles(figures: dict) -> dict[str, str]:
    return {t(key, "zh"): fmt(figures[column]) for key, (column, fmt) in FIGURES.items()}


@pytest.fixture(scope="module")
def district_files(demo_warehouse):
    """The district's briefing (PDF, PPTX), built once for the module as the district."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in demo_warehouse.env().items():
            patch.setenv(key, value)
        query_cache().clear()
        auth.set_current_viewer(demo_viewer(demo_warehouse))
        try:
            built = content.build(Scope.district(), PERIOD, "萧山区", "zh")
            yield pdf_document.pdf_bytes(built), slides.pptx_bytes(built)
        finally:
            auth.set_current_viewer(None)
            query_cache().clear()


def test_pdf_names_scope_and_as_of_and_shows_the_figures(district_files, demo_warehouse):
    pdf, _ = district_files
    pages = reading.pdf_pages(pdf)
    whole = "\n".join(pages)
    assert "社区数字驾驶舱 · 简报" in pages[0]
    assert "萧山区" in pages[0]
    assert f"数据截至 {AS_OF.isoformat()} 24:00" in pages[0]
    assert f"{START.isoformat()} 至 {AS_OF.isoformat()}" in pages[0]
    figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    for label, value in expected_tiles(figures).items():
        assert f"{label}\n{value}\n" in whole, (label, value)
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page
    squeezed = reading.squeezed(whole)
    worst = most_overdue(demo_warehouse.owner)
    assert len(worst) == 10
    assert all(incident in squeezed for incident in worst)
    assert f"共{format_count(figures['overdue'])}件超期未结" in squeezed


def test_pdf_embeds_its_chinese_font(district_files):
    pdf, _ = district_files
    fonts = reading.pdf_fonts(pdf)
    chinese = {name: embedded for name, embedded in fonts.items() if "WenQuanYi" in name}
    assert chinese and all(chinese.values()), fonts


def test_pptx_names_scope_and_as_of_and_shows_the_figures(district_files, demo_warehouse):
    _, pptx = district_files
    slides_text = reading.slide_texts(pptx)
    every = [text for texts in slides_text for text in texts]
    assert "萧山区" in slides_text[0]
    assert any(f"数据截至 {AS_OF.isoformat()} 24:00" in text for text in slides_text[0])
    figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    for label, value in expected_tiles(figures).items():
        assert f"{label}\n{value}" in every, (label, value)
    for number, texts in enumerate(slides_text, start=1):
        assert f"{number} / {len(slides_text)}" in texts
    league, overdue = reading.slide_tables(pptx)[:2]
    assert league[0][:2] == ["名次", "社区"]
    assert [row[1] for row in league[1:]] == expected.league_order(
        demo_warehouse.owner, START, AS_OF, AS_OF
    )
    assert overdue[0][0] == "事件编号"
    assert [row[0] for row in overdue[1:]] == most_overdue(demo_warehouse.owner)


def test_pptx_names_an_east_asian_font_on_every_run(district_files):
    _, pptx = district_files
    assert reading.east_asian_fonts(pptx) == {slides.FONT}
