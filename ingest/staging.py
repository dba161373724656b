"""A file's rows on their way into COPY: the header mapped to the contract's columns,
then each row validated as PostgreSQL reads (incidents a batch at a time, vectorised in
ingest/fast.py; the other kinds row by row), the good ones streamed out as CSV and the
rejected ones kept for the quarantine. Split from ingest/load.py (issue [12]), which
merges what was staged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ingest.contract import KINDS, normalise_header
from ingest.fast import accept_incidents, read_csv_columns, strip
from ingest.privacy import mask_text
from ingest.read import FileError, RawTable
from ingest.validate import VALIDATORS, Context, Reject

PROGRESS_EVERY = 100_000
BATCH_ROWS = 5_000
# The server parses one batch while the next is validated: smaller batches leave less
# of either waiting at the ends (0.6 s for 200k rows at 20k, 0.7-0.8 s at 50k).
FAST_BATCH_ROWS = 20_000


def map_header(path: Path, kind: str, header: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """(cell index, column name) for each known column, and the ignored headers.
    A missing required column or a column named twice makes the file unreadable."""
    lookup = KINDS[kind].header_lookup()
    positions, ignored, seen = [], [], {}
    for index, label in enumerate(header):
        name = lookup.get(normalise_header(label))
        if name is None:
            if label.strip():
                ignored.append(label.strip())
            continue
        if name in seen:
            raise FileError(path, f"column {name} appears twice ({seen[name]!r} and {label!r})")
        seen[name] = label
        positions.append((index, name))
    missing = [name for name in KINDS[kind].required if name not in seen]
    if missing:
        raise FileError(
            path,
            f"missing required column(s) for {kind}: {', '.join(missing)} "
            f"(header has: {', '.join(h for h in header if h.strip()) or 'nothing'})",
        )
    return positions, ignored


class StagedRows:
    """A file-like object for COPY: validates input rows as PostgreSQL reads, yielding
    the good ones as CSV and keeping the rejected ones for the quarantine."""

    def __init__(self, path, kind, table: RawTable, context: Context, report, progress):
        self.path = path
        self.kind = kind
        self.table = table
        self.validator = VALIDATORS[kind](context)
        self.pseudonymiser = context.pseudonymiser
        self.positions, report.ignored_columns = map_header(path, kind, table.header)
        self.report = report
        self.progress = progress
        self.rejected: list[tuple[int, str, dict]] = []  # (line, reason, raw values)
        self.staged = 0
        self.keep_raw = kind == "points"
        self.lookup = KINDS[kind].header_lookup()
        self._chunks = self._csv_chunks()

    def read(self, size: int = -1) -> str | bytes:
        """The next batch of CSV lines ("" at the end). psycopg2 sends whatever read()
        returns, so a batch may exceed `size`; slicing it to size would copy the rest
        of the batch on every call."""
        return next(self._chunks, b"" if self.kind == "incidents" else "")

    def raw_values(self, cells: list[str]) -> dict[str, str]:
        """The row as sent, keyed by its header, with identifying numbers hashed or
        masked: the quarantine keeps no ID-card or phone number either."""
        values = {}
        for index, cell in enumerate(cells):
            label = self.table.header[index] if index < len(self.table.header) else f"#{index + 1}"
            name = self.lookup.get(normalise_header(label))
            if name == "resident_ref" and cell:
                cell = self.pseudonymiser.resident_ref(cell.strip())
            values[label] = mask_text(cell)
        return values

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """The input rows with as many cells as the header (short rows padded, empty
        surplus cells dropped); a row with more values than the header is rejected."""
        width = len(self.table.header)
        report = self.report
        for line_no, cells in self.table.rows:
            report.rows_read += 1
            if report.rows_read % PROGRESS_EVERY == 0:
                self.progress(f"  {self.path.name}: {report.rows_read:,} rows read…")
            if len(cells) < width:  # some writers drop trailing empty cells
                cells = cells + [""] * (width - len(cells))
            elif len(cells) > width:
                if any(c.strip() for c in cells[width:]):
                    self._reject(line_no, "wrong_column_count", cells)
                    continue
                cells = cells[:width]
            yield line_no, cells

    def _records(self) -> Iterator[tuple]:
        positions = self.positions
        stage = self.validator.stage
        id_column = self.validator.id_column
        seen: set[str] = set()
        for line_no, cells in self._rows():
            record = {name: cells[i].strip() for i, name in positions}
            key = record.get(id_column)
            try:
                if key and key in seen:
                    raise Reject("duplicate_in_file", f"{id_column}={key}")
                row = stage(record)
            except Reject as rejected:
                self._reject(line_no, rejected.reason, cells)
                continue
            if key:
                seen.add(key)
            self.staged += 1
            if self.keep_raw:
                yield (line_no, *row, json.dumps(self.raw_values(cells), ensure_ascii=False))
            else:
                yield (line_no, *row)

    def _batches(self) -> Iterator[tuple[np.ndarray, list[pa.Array]]]:
        """Incident rows a batch at a time: (line numbers, one text array per header
        column). A CSV file is parsed in bulk when its lines are its rows; otherwise
        (and for XLSX) row by row, with the same padding and rejection of long rows."""
        width = len(self.table.header)
        bulk = read_csv_columns(self.table.utf8, width) if self.table.utf8 is not None else None
        if bulk is None:
            batch = []
            for row in self._rows():
                batch.append(row)
                if len(batch) == FAST_BATCH_ROWS:
                    yield self._as_arrays(batch, width)
                    batch = []
            if batch:
                yield self._as_arrays(batch, width)
            return
        total = len(bulk[0]) if bulk else 0
        for offset in range(0, total, FAST_BATCH_ROWS):
            cells = [column.slice(offset, FAST_BATCH_ROWS).combine_chunks() for column in bulk]
            line_numbers = np.arange(offset + 2, offset + 2 + len(cells[0]), dtype=np.int64)
            blank = np.ones(len(line_numbers), dtype=bool)
            for column in cells:  # a row of empty cells is no row (as in read.py)
                blank &= np.asarray(pc.equal(column, "").to_numpy(zero_copy_only=False))
            if blank.any():
                keep = pa.array(~blank)
                cells = [column.filter(keep) for column in cells]
                line_numbers = line_numbers[~blank]
            before = self.report.rows_read
            self.report.rows_read += len(line_numbers)
            if self.report.rows_read // PROGRESS_EVERY > before // PROGRESS_EVERY:
                self.progress(f"  {self.path.name}: {self.report.rows_read:,} rows read…")
            yield line_numbers, cells

    @staticmethod
    def _as_arrays(batch, width: int) -> tuple[np.ndarray, list[pa.Array]]:
        lines = np.array([line for line, _ in batch], dtype=np.int64)
        return lines, [pa.array([c[i] for _, c in batch], pa.string()) for i in range(width)]

    def _incident_chunks(self) -> Iterator[bytes]:
        """Incidents, a batch at a time: the common rows are accepted vectorised
        (ingest/fast.py), the others decided row by row by the validator; either
        way in file order, so the first of two rows with the same id wins."""
        stage = self.validator.stage
        seen: set[str] = set()
        for line_numbers, cells in self._batches():
            columns = {name: strip(cells[i]) for i, name in self.positions}
            split = accept_incidents(line_numbers, columns, self.validator.context)
            exact = np.zeros(len(line_numbers), dtype=bool)
            exact[split.others] = True
            keep = np.ones(split.accepted.num_rows, dtype=bool)
            ids = columns["incident_id"].to_pylist()
            batch_ids = set(ids)
            accepted = 0
            exact_rows = []
            if not len(split.others) and len(batch_ids) == len(ids) and seen.isdisjoint(ids):
                # the usual batch: all accepted, no id twice (the loop below would agree)
                seen |= batch_ids
                self.staged += len(ids)
                ids = []
            for position, key in enumerate(ids):
                line_no = int(line_numbers[position])
                if not exact[position]:
                    if key in seen:
                        keep[accepted] = False
                        self._reject(line_no, f"duplicate_in_file: incident_id={key}",
                                     [column[position].as_py() for column in cells])  # fmt: skip
                    else:
                        seen.add(key)
                        self.staged += 1
                    accepted += 1
                    continue
                try:
                    if key and key in seen:
                        raise Reject("duplicate_in_file", f"incident_id={key}")
                    row = stage(
                        {name: values[position].as_py() for name, values in columns.items()}
                    )
                except Reject as rejected:
                    cells_as_sent = [column[position].as_py() for column in cells]
                    self._reject(line_no, rejected.reason, cells_as_sent)
                    continue
                if key:
                    seen.add(key)
                self.staged += 1
                exact_rows.append((line_no, *row))
            table = split.accepted if keep.all() else split.accepted.filter(pa.array(keep))
            out = io.BytesIO()
            if table.num_rows:
                pa_csv.write_csv(table, out, pa_csv.WriteOptions(include_header=False))
            if exact_rows:
                text = io.StringIO()
                csv.writer(text, lineterminator="\n").writerows(exact_rows)
                out.write(text.getvalue().encode("utf-8"))
            yield out.getvalue()

    def _reject(self, line_no: int, reason: str, cells: list[str]) -> None:
        self.rejected.append((line_no, reason, self.raw_values(cells)))

    def _csv_chunks(self) -> Iterator[str | bytes]:
        if self.kind == "incidents":
            yield from self._incident_chunks()
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        rows = 0
        for row in self._records():
            writer.writerow(row)
            rows += 1
            if rows == BATCH_ROWS:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
                rows = 0
        if rows:
            yield buffer.getvalue()

    @property
    def copy_columns(self) -> str:
        columns = ("line_no", *self.validator.columns) + (("raw",) if self.keep_raw else ())
        return ", ".join(columns)
