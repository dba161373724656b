"""In a real browser: the sidebar's PDF and PPTX buttons download the briefing of the
view in the URL (generated on Streamlit's download thread, as the signed-in viewer)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from data_access.period import today_local
from tests.briefing import reading

AS_OF = today_local() - timedelta(days=1)


def test_browser_downloads_the_briefing_of_the_view(open_page, demo_warehouse):
    with demo_warehouse.owner.connect() as connection:
        street, residents = connection.execute(
            text(
                "SELECT street_code, residents FROM dim_community"
                " WHERE community_name = '罗婆路社区'"
            )
        ).one()
    page = open_page(f"/?street={street}&asof={AS_OF.isoformat()}")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "生成简报" in sidebar.inner_text()
    files = {}
    for kind, label in (("pdf", "下载 PDF 简报"), ("pptx", "下载 PPT 简报")):
        with page.expect_download(timeout=90_000) as download:
            sidebar.get_by_role("button", name=label).click()
        path = download.value.path()
        assert download.value.suggested_filename == f"简报_新塘街道_{AS_OF.isoformat()}.{kind}"
        files[kind] = Path(path).read_bytes()
    text_of_pdf = reading.pdf_text(files["pdf"])
    assert "新塘街道" in text_of_pdf and f"数据截至 {AS_OF.isoformat()} 24:00" in text_of_pdf
    assert f"常住人口\n{residents:,}\n" in text_of_pdf
    assert ("罗婆路社区", 1) in reading.deck_sections(files["pptx"])
