"""Read an export file into a header and numbered rows of text.

CSV: UTF-8 (with or without BOM) is tried strictly first, then GB18030 (a superset of
the GBK that Chinese Excel writes); a file that is neither is unreadable. XLSX: the
first sheet, read-only. Cells become text the way a person would type them, so one
validator serves both formats.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

SUPPORTED_SUFFIXES = (".csv", ".xlsx")


class FileError(RuntimeError):
    """The file cannot be read as a table; nothing from it is loaded."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass
class RawTable:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line number in the file, cells as text)
    encoding: str
    utf8: bytes | None = None  # a CSV file's content as UTF-8 (no BOM), for a bulk parser


def decode(path: Path, data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as error:
        raise FileError(
            path, f"not UTF-8 and not GB18030/GBK text (undecodable byte at {error.start})"
        ) from None


# The lines io.StringIO(text, newline="") yields (each ending at \r\n, \r or \n, kept),
# found one at a time: a StringIO copies all of the text into a buffer of 4 bytes per
# character at its first read (0.4 s for a 180 MB export), which the header does not need.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def lines(text: str) -> Iterator[str]:
    return (match.group() for match in _LINE.finditer(text))


def read_csv(path: Path) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FileError(path, f"cannot be read ({error.strerror})") from None
    if b"\x00" in data[:4096]:
        raise FileError(path, "is binary, not CSV text (is it UTF-16 or a renamed Excel file?)")
    content, encoding = decode(path, data)
    header_reader = csv.reader(lines(content))
    try:
        header = next(header_reader)
    except StopIteration:
        raise FileError(path, "is empty (no header row)") from None
    except csv.Error as error:
        raise FileError(path, f"is not valid CSV ({error})") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(io.StringIO(content, newline=""))
        try:
            next(reader)  # the header, read above
            for cells in reader:
                if any(cells):
                    yield reader.line_num, cells
        except csv.Error as error:
            problem = f"is not valid CSV near line {reader.line_num} ({error})"
            raise FileError(path, problem) from None

    if header_reader.line_num != 1:
        return RawTable(header, rows(), encoding)
    # UTF-8 as read is its own re-encoding (a strict decode succeeded): no 100 MB copy
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    utf8 = data[len(bom) :] if encoding == "utf-8" else content.encode("utf-8")
    return RawTable(header, rows(), encoding, utf8)


def cell_text(value) -> str:
    """An XLSX cell as the text a CSV export would carry."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # codes typed into Excel come back as 330109001001.0
    return str(value).strip()


def read_xlsx(path: Path) -> RawTable:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as error:
        raise FileError(path, f"is not a readable XLSX workbook ({error})") from None
    if not workbook.worksheets:
        raise FileError(path, "has no worksheet")
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    try:
        header = [cell_text(v) for v in next(values)]
    except StopIteration:
        workbook.close()
        raise FileError(path, "first sheet is empty (no header row)") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for line_no, row in enumerate(values, start=2):
                cells = [cell_text(v) for v in row]
                if any(cells):
                    yield line_no, cells
        finally:
            workbook.close()

    return RawTable(header, rows(), "xlsx")


def read_table(path: Path) -> RawTable:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    raise FileError(path, f"unsupported file type {suffix or '(none)'}; expected .csv or .xlsx")


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; folders become their .csv/.xlsx files (recursively, sorted),
    skipping hidden files and Excel's ~$ lock files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not p.name.startswith((".", "~$"))
            )
        else:
            found.append(path)
    return found
