"""The briefing as a PowerPoint deck (python-pptx): 16:9, a cover slide, one slide per
briefing page with the title, scope and period at the top and the as-of time and
"x / y" at the bottom; a street's deck has one PowerPoint section per community.

Fonts cannot be embedded with python-pptx (PowerPoint's embedded fonts are an
obfuscated binary part it does not write). Every run therefore names its East Asian
typeface (`a:ea`) as well as its Latin one: 微软雅黑, which every Chinese Windows
has, so PowerPoint never falls back to a font without Chinese glyphs; other office
suites substitute their own CJK font. Charts are pictures, so they look the same
everywhere.
"""

from __future__ import annotations

import io
import uuid

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from briefing.content import Briefing, Page, Section, TileGroup
from briefing.content import Table as DataTable
from ui.i18n import t

FONT = "微软雅黑"  # Microsoft YaHei, as Chinese Windows names it
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.45)
INK, MUTED, ACCENT, RULE, TILE_BG = (
    RGBColor(0x1B, 0x2A, 0x41),
    RGBColor(0x5B, 0x6B, 0x82),
    RGBColor(0x1F, 0x5F, 0xBF),
    RGBColor(0xD5, 0xDB, 0xE5),
    RGBColor(0xF3, 0xF6, 0xFA),
)
TILES_PER_ROW = 5
TILE_HEIGHT = Inches(0.82)
ROW_HEIGHT = Inches(0.3)
SECTIONS_URI = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"
P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"


def _style_run(run, size: float, color: RGBColor = INK, bold: bool = False) -> None:
    font = run.font
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = color
    font.name = FONT  # a:latin
    properties = font._rPr  # noqa: SLF001 (python-pptx has no API for a:ea)
    for old in properties.findall(qn("a:ea")):
        properties.remove(old)
    east_asian = etree.SubElement(properties, qn("a:ea"))
    east_asian.set("typeface", FONT)
    properties.find(qn("a:latin")).addnext(east_asian)


def _text(slide, left, top, width, height, text: str, size: float, color=INK, bold=False,
          align=PP_ALIGN.LEFT):  # fmt: skip
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.margin_left = frame.margin_right = 0
    lines = text.split("\n")
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        _style_run(_run(paragraph, line), size, color, bold)
    return box


def _run(paragraph, text: str):
    run = paragraph.add_run()
    run.text = text
    return run


def _frame(slide, briefing: Briefing, number: int, total: int) -> None:
    """Header (title, scope and period) and footer (as-of, generated, x / y)."""
    half = (WIDTH - 2 * MARGIN) // 2
    _text(slide, MARGIN, Inches(0.15), half, Inches(0.3), briefing.title, 10, MUTED)
    _text(slide, MARGIN + half, Inches(0.15), half, Inches(0.3), briefing.period_text, 10,
          MUTED, align=PP_ALIGN.RIGHT)  # fmt: skip
    bottom = HEIGHT - Inches(0.4)
    _text(slide, MARGIN, bottom, half, Inches(0.3),
          f"{briefing.as_of_text} · {briefing.generated_text}", 10, MUTED)  # fmt: skip
    _text(slide, MARGIN + half, bottom, half, Inches(0.3),
          t("briefing.slide_of", briefing.lang, page=number, total=total), 10, MUTED,
          align=PP_ALIGN.RIGHT)  # fmt: skip


def _tiles(slide, group: TileGroup, top: int) -> int:
    """The group's tiles in rows of TILES_PER_ROW; returns the top of what follows."""
    _text(slide, MARGIN, top, WIDTH - 2 * MARGIN, Inches(0.3), group.title, 13, INK, bold=True)
    top += Inches(0.35)
    gap = Inches(0.08)
    width = (WIDTH - 2 * MARGIN - gap * (TILES_PER_ROW - 1)) // TILES_PER_ROW
    for index, tile in enumerate(group.tiles):
        row, column = divmod(index, TILES_PER_ROW)
        left = MARGIN + column * (width + gap)
        y = top + row * (TILE_HEIGHT + gap)
        box = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, y, width, TILE_HEIGHT)
        box.fill.solid()
        box.fill.fore_color.rgb = TILE_BG
        box.line.color.rgb = RULE
        box.shadow.inherit = False
        frame = box.text_frame
        frame.word_wrap = True
        frame.margin_left = Inches(0.12)
        label = frame.paragraphs[0]
        label.alignment = PP_ALIGN.LEFT
        _style_run(_run(label, tile.label), 11, MUTED)
        value = frame.add_paragraph()
        value.alignment = PP_ALIGN.LEFT
        _style_run(_run(value, tile.value), 22, ACCENT, bold=True)
    rows = -(-len(group.tiles) // TILES_PER_ROW)
    return top + rows * (TILE_HEIGHT + gap) + Inches(0.1)


def _table(slide, data: DataTable, left: int, top: int, width: int) -> int:
    if data.frame.empty:
        _text(slide, left, top, width, Inches(0.35), data.note, 12, MUTED)
        return top + Inches(0.4)
    rows, columns = len(data.frame) + 1, len(data.frame.columns)
    shape = slide.shapes.add_table(rows, columns, left, top, width, ROW_HEIGHT * rows)
    table = shape.table
    needs = [
        max(len(str(column)), *(len(str(v)) for v in data.frame[column])) + 2
        for column in data.frame.columns
    ]
    for index, need in enumerate(needs):
        table.columns[index].width = Emu(int(width * need / sum(needs)))
    size = 10 if columns > 8 else 11
    for column, name in enumerate(data.frame.columns):
        cell = table.cell(0, column)
        cell.text = ""
        _style_run(_run(cell.text_frame.paragraphs[0], str(name)), size, RGBColor(255, 255, 255),
                   bold=True)  # fmt: skip
    for row, values in enumerate(data.frame.itertuples(False), start=1):
        for column, value in enumerate(values):
            cell = table.cell(row, column)
            cell.text = ""
            _style_run(_run(cell.text_frame.paragraphs[0], str(value)), size)
    for row in range(rows):
        table.rows[row].height = ROW_HEIGHT
        for column in range(columns):
            cell = table.cell(row, column)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
    top += ROW_HEIGHT * rows + Inches(0.08)
    if data.note:
        _text(slide, left, top, width, Inches(0.5), data.note, 10, MUTED)
        top += Inches(0.5)
    return top


def _picture(slide, png: bytes, left: int, top: int, width: int, height: int) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        ratio = min(width / image.width, height / image.height)
        shown_width, shown_height = int(image.width * ratio), int(image.height * ratio)
    slide.shapes.add_picture(
        io.BytesIO(png), left + (width - shown_width) // 2, top, shown_width, shown_height
    )


def _page(slide, page: Page) -> None:
    _text(slide, MARGIN, Inches(0.55), WIDTH - 2 * MARGIN, Inches(0.5), page.title, 24, INK,
          bold=True)  # fmt: skip
    top = Inches(1.15)
    bottom = HEIGHT - Inches(0.5)
    full = WIDTH - 2 * MARGIN
    for group in page.groups:
        top = _tiles(slide, group, top)
    if page.table is not None and page.chart is not None and not page.groups:
        left_width = int(full * 0.66)
        _table(slide, page.table, MARGIN, top, left_width)
        gap = Inches(0.2)
        _picture(slide, page.chart.png, MARGIN + left_width + gap, top,
                 full - left_width - gap, bottom - top)  # fmt: skip
        return
    if page.table is not None:
        top = _table(slide, page.table, MARGIN, top, full)
    if page.chart is not None and bottom - top > Inches(0.8):
        _text(slide, MARGIN, top, full, Inches(0.3), page.chart.title, 12, INK, bold=True)
        top += Inches(0.32)
        _picture(slide, page.chart.png, MARGIN, top, full, bottom - top)


def _cover(slide, briefing: Briefing) -> None:
    full = WIDTH - 2 * MARGIN
    _text(slide, MARGIN, Inches(1.6), full, Inches(0.9), briefing.title, 40, INK, bold=True)
    _text(slide, MARGIN, Inches(2.6), full, Inches(0.7), briefing.scope_name, 30, ACCENT)
    _text(slide, MARGIN, Inches(3.5), full, Inches(0.9),
          f"{briefing.period_text}\n{briefing.as_of_text}", 16, INK)  # fmt: skip
    titles = " · ".join(section.title for section in briefing.sections)
    _text(slide, MARGIN, Inches(4.7), full, Inches(1.6),
          f"{t('briefing.contents', briefing.lang)}\n{titles}", 13, MUTED)  # fmt: skip


def _add_sections(presentation, sections: list[tuple[str, list[int]]]) -> None:
    """PowerPoint sections (p14:sectionLst): one named group of slide ids per section."""
    root = presentation.part._element  # noqa: SLF001 (no python-pptx API for sections)
    ext_list = root.find(qn("p:extLst"))
    if ext_list is None:
        ext_list = etree.SubElement(root, qn("p:extLst"))
    ext = etree.SubElement(ext_list, qn("p:ext"))
    ext.set("uri", SECTIONS_URI)
    section_list = etree.SubElement(ext, f"{{{P14}}}sectionLst", nsmap={"p14": P14})
    for name, slide_ids in sections:
        section = etree.SubElement(section_list, f"{{{P14}}}section")
        section.set("name", name)
        section.set("id", "{" + str(uuid.uuid4()).upper() + "}")
        ids = etree.SubElement(section, f"{{{P14}}}sldIdLst")
        for slide_id in slide_ids:
            etree.SubElement(ids, f"{{{P14}}}sldId").set("id", str(slide_id))


def pptx_bytes(briefing: Briefing) -> bytes:
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    blank = presentation.slide_layouts[6]
    total = 1 + len(briefing.pages)
    cover = presentation.slides.add_slide(blank)
    _cover(cover, briefing)
    _frame(cover, briefing, 1, total)
    sections: list[tuple[str, list[int]]] = []
    number = 1
    section: Section
    for index, section in enumerate(briefing.sections):
        ids = [cover.slide_id] if index == 0 else []
        for page in section.pages:
            number += 1
            slide = presentation.slides.add_slide(blank)
            _page(slide, page)
            _frame(slide, briefing, number, total)
            ids.append(slide.slide_id)
        sections.append((section.title, ids))
    _add_sections(presentation, sections)
    presentation.core_properties.title = f"{briefing.title} · {briefing.scope_name}"
    presentation.core_properties.subject = briefing.period_text
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()
