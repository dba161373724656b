"""The briefing as a PDF (reportlab): A4 landscape, the CJK font embedded (subset),
a cover, one page per briefing page, every page headed with the title, scope and
period and footed with the as-of time and "page x of y"; one bookmark per section,
so a street's 大比武 briefing opens at any community from the reader's outline.

Each page's content is fitted into the page frame (shrunk when a long league would
not fit), so nothing runs off a page.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepInFrame,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from briefing.content import Briefing, Page, TileGroup
from briefing.content import Table as DataTable
from briefing.fonts import cjk_font
from ui.i18n import t

FONT = "CockpitCJK"
PAGE = landscape(A4)
MARGIN = 12 * mm
HEADER = 12 * mm
FOOTER = 10 * mm
INK, MUTED, ACCENT, RULE, TILE_BG = (
    colors.HexColor("#1b2a41"),
    colors.HexColor("#5b6b82"),
    colors.HexColor("#1f5fbf"),
    colors.HexColor("#d5dbe5"),
    colors.HexColor("#f3f6fa"),
)
TILES_PER_ROW = 5


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        font = cjk_font()
        pdfmetrics.registerFont(TTFont(FONT, str(font.path), subfontIndex=font.index))


def _style(size: float, color=INK, leading: float | None = None, **extra) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}",
        fontName=FONT,
        fontSize=size,
        leading=leading or size * 1.3,
        textColor=color,
        wordWrap="CJK",  # Chinese breaks between any two characters
        **extra,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Bookmark(Flowable):
    """A zero-size mark: the section's entry in the PDF outline."""

    def __init__(self, key: str, title: str):
        super().__init__()
        self.key, self.title = key, title

    def wrap(self, *_):
        return 0, 0

    def draw(self):
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=0)


def _numbered_canvas(briefing: Briefing):
    """A canvas that knows the page count when it draws each page's header and footer."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = PAGE
            self.setFont(FONT, 9)
            self.setFillColor(MUTED)
            top = height - MARGIN + 2 * mm
            self.drawString(MARGIN, top, briefing.title)
            self.drawRightString(width - MARGIN, top, briefing.period_text)
            self.setStrokeColor(RULE)
            self.line(MARGIN, top - 2.5 * mm, width - MARGIN, top - 2.5 * mm)
            bottom = MARGIN - 4 * mm
            self.line(MARGIN, bottom + 5 * mm, width - MARGIN, bottom + 5 * mm)
            self.drawString(MARGIN, bottom, f"{briefing.as_of_text} · {briefing.generated_text}")
            self.drawRightString(
                width - MARGIN,
                bottom,
                t("briefing.page_of", briefing.lang, page=self._pageNumber, total=total),
            )

    return NumberedCanvas


def _tiles(group: TileGroup, width: float) -> list:
    label, value = _style(9, MUTED), _style(17, ACCENT, leading=21)
    cells = [[Paragraph(_escape(tile.label), label), Paragraph(_escape(tile.value), value)]
             for tile in group.tiles]  # fmt: skip
    rows = [cells[i : i + TILES_PER_ROW] for i in range(0, len(cells), TILES_PER_ROW)]
    rows[-1] += [""] * (TILES_PER_ROW - len(rows[-1]))
    table = Table(rows, colWidths=[width / TILES_PER_ROW] * TILES_PER_ROW)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), TILE_BG),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 2, colors.white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return [Paragraph(_escape(group.title), _style(11, INK)), Spacer(1, 1.5 * mm), table]


def _data_table(data: DataTable, width: float) -> list:
    if data.frame.empty:
        return [Paragraph(_escape(data.note), _style(10, MUTED))]
    cell = _style(8, INK, leading=10)
    head = _style(8, colors.white, leading=10)
    rows = [[Paragraph(_escape(str(c)), head) for c in data.frame.columns]]
    rows += [
        [Paragraph(_escape(str(v)), cell) for v in row] for row in data.frame.itertuples(False)
    ]
    table = Table(rows, colWidths=_column_widths(data, width), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, TILE_BG]),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    parts = [table]
    if data.note:
        parts += [Spacer(1, 1.5 * mm), Paragraph(_escape(data.note), _style(8, MUTED))]
    return parts


def _column_widths(data: DataTable, width: float) -> list[float]:
    """Each column as wide as its longest cell needs (plus the cell padding), then all
    scaled together to the width available: wider to fill it, narrower to fit it."""
    needs = []
    for column in data.frame.columns:
        texts = [str(column), *map(str, data.frame[column])]
        needs.append(max(pdfmetrics.stringWidth(text, FONT, 8) for text in texts) + 14)
    scale = width / sum(needs)
    return [need * scale for need in needs]


def _image(png: bytes, width: float, height: float) -> Image:
    image = Image(io.BytesIO(png))
    ratio = min(width / image.imageWidth, height / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * ratio, image.imageHeight * ratio
    return image


def _page(page: Page, width: float, height: float) -> list:
    parts: list = [Paragraph(_escape(page.title), _style(16, INK, leading=20)), Spacer(1, 3 * mm)]
    for group in page.groups:
        parts += [*_tiles(group, width), Spacer(1, 3 * mm)]
    if page.table is not None and page.chart is not None and not page.groups:
        # The league: table on the left, the index chart on the right.
        left = width * 0.68
        chart = _image(page.chart.png, width - left - 4 * mm, height - 20 * mm)
        side = Table(
            [[_data_table(page.table, left - 4 * mm), chart]],
            colWidths=[left, width - left],
        )
        side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip
        parts.append(side)
    else:
        if page.table is not None:
            parts += [*_data_table(page.table, width), Spacer(1, 3 * mm)]
        if page.chart is not None:
            parts += [
                Paragraph(_escape(page.chart.title), _style(10, INK)),
                _image(page.chart.png, width, height * 0.42),
            ]
    if page.note:
        parts.append(Paragraph(_escape(page.note), _style(8, MUTED)))
    # Shrink, never spill: a page of the briefing is a page of the PDF.
    return [KeepInFrame(width, height, parts, mode="shrink")]


def _cover(briefing: Briefing, width: float) -> list:
    parts = [
        Spacer(1, 28 * mm),
        Paragraph(_escape(briefing.title), _style(30, INK, leading=38)),
        Spacer(1, 6 * mm),
        Paragraph(_escape(briefing.scope_name), _style(22, ACCENT, leading=28)),
        Spacer(1, 4 * mm),
        Paragraph(_escape(briefing.period_text), _style(12, INK)),
        Paragraph(_escape(briefing.as_of_text), _style(12, INK)),
        Spacer(1, 10 * mm),
        Paragraph(_escape(t("briefing.contents", briefing.lang)), _style(12, MUTED)),
    ]
    titles = [section.title for section in briefing.sections]
    parts.append(Paragraph(_escape(" · ".join(titles)), _style(10, MUTED)))
    return [KeepInFrame(width, PAGE[1] - 2 * MARGIN - HEADER - FOOTER, parts, mode="shrink")]


def pdf_bytes(briefing: Briefing) -> bytes:
    _register_font()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER,
        bottomMargin=MARGIN + FOOTER,
        title=f"{briefing.title} · {briefing.scope_name}",
        author=t("app.title", briefing.lang),
        subject=briefing.period_text,
        initialFontName=FONT,  # else an unembedded Helvetica is declared, never used
    )
    width = document.width
    height = document.height - 2  # a hair under the frame: KeepInFrame must fit it
    story: list = [*_cover(briefing, width)]
    for number, section in enumerate(briefing.sections):
        for index, page in enumerate(section.pages):
            story.append(PageBreak())
            if index == 0:
                story.append(_Bookmark(f"section{number}", section.title))
            story += _page(page, width, height)
    document.build(story, canvasmaker=_numbered_canvas(briefing))
    return buffer.getvalue()
