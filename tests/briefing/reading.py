"""Open exported briefings the way a reader would: the PDF's text (pypdf), fonts and
outline; the deck's slides, tiles, tables, sections and East Asian fonts (python-pptx)."""

from __future__ import annotations

import io
import re

from pptx import Presentation
from pptx.oxml.ns import qn
from pypdf import PdfReader

P14 = "{http://schemas.microsoft.com/office/powerpoint/2010/main}"


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_pages(data))


def squeezed(text: str) -> str:
    """Without whitespace: table cells wrap inside narrow columns."""
    return re.sub(r"\s+", "", text)


def pdf_outline(data: bytes) -> list[str]:
    return [entry["/Title"] for entry in PdfReader(io.BytesIO(data)).outline]


def pdf_fonts(data: bytes) -> dict[str, bool]:
    """Base font name -> embedded (has a font file), over every page."""
    fonts = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return fonts


def deck(data: bytes):
    return Presentation(io.BytesIO(data))


def slide_texts(data: bytes) -> list[list[str]]:
    """Per slide, the text of every text frame and table cell."""
    result = []
    for slide in deck(data).slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        result.append(texts)
    return result


def slide_tables(data: bytes) -> list[list[list[str]]]:
    """Per table in the deck (in slide order), its rows of cell texts."""
    tables = []
    for slide in deck(data).slides:
        for shape in slide.shapes:
            if shape.has_table:
                tables.append([[cell.text for cell in row.cells] for row in shape.table.rows])
    return tables


def deck_sections(data: bytes) -> list[tuple[str, int]]:
    """PowerPoint sections: (name, number of slides)."""
    root = deck(data).part._element
    return [
        (section.get("name"), len(section.findall(f"{P14}sldIdLst/{P14}sldId")))
        for section in root.iter(f"{P14}section")
    ]


def east_asian_fonts(data: bytes) -> set[str | None]:
    """The a:ea typeface of every text run that has text."""
    faces = set()
    for slide in deck(data).slides:
        for run in slide.element.iter(qn("a:r")):
            if run.findtext(qn("a:t")):
                east_asian = run.find(f"{qn('a:rPr')}/{qn('a:ea')}")
                faces.add(east_asian.get("typeface") if east_asian is not None else None)
    return faces
