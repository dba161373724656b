"""The vectorised acceptance of incident rows (ingest/fast.py) and the foreign keys
replaced by set-based checks (migration 008)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pytest
from sqlalchemy import text

from ingest.fast import accept_incidents
from ingest.load import ingest
from ingest.privacy import Pseudonymiser
from ingest.validate import Context
from tests.ingest import files
from tests.ingest.files import COMMUNITY_A, COMMUNITY_B, GRID_A, GRID_B

CST = timezone(timedelta(hours=8))


def context() -> Context:
    ctx = Context(datetime(2026, 6, 1, tzinfo=CST), Pseudonymiser(b"k"))
    ctx.communities = {COMMUNITY_A, COMMUNITY_B}
    ctx.grids = {GRID_A: (COMMUNITY_A, "grid"), GRID_B: (COMMUNITY_B, "grid")}
    ctx.categories = {"other": "other", "其他": "other"}
    return ctx


def batch(rows: list[dict[str, str]]) -> dict[str, pa.Array]:
    names = ["incident_id", "community_code", "grid_code", "category", "channel",
             "reported_at", "accepted_at", "closed_at", "status", "due_at", "lat",
             "description"]  # fmt: skip
    return {name: pa.array([r.get(name, "") for r in rows], pa.string()) for name in names}


def good(**changes) -> dict[str, str]:
    row = {"incident_id": "E", "community_code": COMMUNITY_A, "category": "其他",
           "reported_at": "2026-05-01 09:00", "status": "reported"}  # fmt: skip
    return row | changes


# Rows the fast path must leave to the exact validator (valid or not).
LEFT_TO_THE_VALIDATOR = [
    good(reported_at="2026-02-29 09:00"),  # 2026 is not a leap year
    good(reported_at="2026-05-01 24:00"),
    good(reported_at="2026-05-01 09:60"),
    good(reported_at="2026-05/01 09:00"),  # mixed separators
    good(reported_at="2026-05-01T09:00:00+08:00"),  # valid, but a form left to Python
    good(reported_at="2026-05-01"),
    good(reported_at="2026-06-02 09:00"),  # after `now`
    good(accepted_at="2026-05-01 08:59", status="accepted"),  # before reported
    good(status="closed"),  # closed without closed_at
    good(status="accepted"),  # accepted without accepted_at
    good(community_code="330109009999"),
    good(grid_code=GRID_B),  # B's grid in community A
    good(category="外星人"),
    good(channel="fax"),
    good(due_at="2026-04-30 09:00"),
    good(lat="91"),
    good(lat="1e1"),
    good(description="电话13812345678"),  # to be masked by the validator
    good(incident_id=""),
]


def test_the_fast_path_leaves_every_doubtful_row_to_the_validator():
    rows = [good(incident_id="OK")] + LEFT_TO_THE_VALIDATOR
    split = accept_incidents(np.arange(2, len(rows) + 2), batch(rows), context())
    assert split.accepted.column("incident_id").to_pylist() == ["OK"]
    assert split.others.tolist() == list(range(1, len(rows)))


def test_accepted_values_are_the_ones_the_validator_stages():
    rows = [
        good(incident_id="A1", reported_at="2024/2/29 9:05", accepted_at="2024-02-29 10:00:30",
             closed_at="2024-03-01 08:00", status="closed", grid_code=GRID_A, lat="30.25",
             channel="patrol", description="楼道堆积"),
        good(incident_id="A2", reported_at="2026-05-01 09:00", closed_at="2026-05-01 12:00",
             status="rejected", due_at="2026-05-03 09:00"),
    ]  # fmt: skip
    split = accept_incidents(np.array([2, 3]), batch(rows), context())
    got = split.accepted.to_pylist()
    utc = UTC

    def at(*parts) -> datetime:
        # staged as UTC without a zone (the COPY runs with TimeZone = UTC)
        return datetime(*parts, tzinfo=CST).astimezone(utc).replace(tzinfo=None)

    assert [(r["line_no"], r["incident_id"], r["grid_code"], r["category_code"], r["channel"],
             r["status"]) for r in got] == [
        (2, "A1", GRID_A, "other", "patrol", "closed"),
        (3, "A2", None, "other", "other", "rejected"),
    ]  # fmt: skip
    first, second = got
    assert (first["reported_at"], first["accepted_at"], first["closed_at"]) == (
        at(2024, 2, 29, 9, 5), at(2024, 2, 29, 10, 0, 30), at(2024, 3, 1, 8, 0),
    )  # fmt: skip
    assert (first["rejected_at"], first["due_at"], first["lat"], first["description"]) == (
        None, None, "30.25", "楼道堆积",
    )  # fmt: skip
    # a rejected incident: closed_at becomes its rejected_at
    assert (second["closed_at"], second["rejected_at"], second["due_at"]) == (
        None, at(2026, 5, 1, 12, 0), at(2026, 5, 3, 9, 0),
    )  # fmt: skip


@pytest.fixture
def loaded(fresh_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_HMAC_KEY", "test-key")
    reports = ingest(fresh_warehouse.owner, files.reference_files(tmp_path / "ref"),
                     progress=lambda m: None)  # fmt: skip
    assert [r.status for r in reports] == ["done"] * 4
    return fresh_warehouse


def test_fast_and_exact_rows_mix_in_file_order(loaded, tmp_path):
    """E1 goes the fast way, E2 the exact way (a time zone), E1 again is a duplicate
    of an accepted fast row, E2 again a duplicate of an exact row."""
    header = ["incident_id", "community_code", "category", "reported_at", "status"]
    path = files.write_csv(
        tmp_path / "incidents.csv",
        [
            header,
            ["E1", COMMUNITY_A, "其他", "2026-05-01 09:00", "reported"],
            ["E2", COMMUNITY_B, "其他", "2026-05-01T02:00:00Z", "reported"],
            ["E1", COMMUNITY_A, "其他", "2026-05-02 09:00", "reported"],
            ["E2", COMMUNITY_B, "其他", "2026-05-02 09:00", "reported"],
        ],
    )
    [report] = ingest(loaded.owner, [path], progress=lambda m: None)
    assert (report.rows_read, report.loaded, dict(report.quarantined)) == (
        4, 2, {"duplicate_in_file": 2},
    )  # fmt: skip
    assert report.adds_up
    with loaded.owner.connect() as c:
        rows = c.execute(
            text("SELECT incident_id, reported_at FROM fact_incident ORDER BY incident_id")
        ).all()
        lines = c.execute(
            text("SELECT line_no, reason FROM ingest_quarantine WHERE load_id = :id"
                 " ORDER BY line_no"), {"id": report.load_id},
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        ("E1", datetime(2026, 5, 1, 9, 0, tzinfo=CST)),
        ("E2", datetime(2026, 5, 1, 10, 0, tzinfo=CST)),
    ]
    assert [tuple(r) for r in lines] == [
        (4, "duplicate_in_file: incident_id=E1"),
        (5, "duplicate_in_file: incident_id=E2"),
    ]


def test_check_counts_status_log_and_incident_orphans(loaded):
    from warehouse.checks import run_checks

    assert {r.name: r.ok for r in run_checks(loaded.owner)}["orphans"]
    with loaded.owner.begin() as c:
        # no foreign keys since migration 008: the check is what notices
        c.execute(
            text(
                "INSERT INTO fact_incident_status_log (community_code, incident_id, status,"
                " changed_at) VALUES (:a, 'ghost', 'reported', now())"
            ),
            {"a": COMMUNITY_A},
        )
    orphans = {r.name: r for r in run_checks(loaded.owner)}["orphans"]
    assert not orphans.ok


@pytest.mark.parametrize("multiline", [False, True])
def test_line_numbers_blank_rows_and_padding_whichever_reader(loaded, tmp_path, multiline):
    """A file whose lines are its rows is parsed in bulk; a value spanning two lines
    sends it to the row-by-row reader. Both count lines, skip empty rows and strip
    cells (a full-width space too) the same way."""
    description = "第一行\r\n第二行" if multiline else "一行"
    content = (
        "incident_id,community_code,category,reported_at,status,description\r\n"
        f'E1,{COMMUNITY_A},其他,2026-05-01 09:00,reported,"{description}"\r\n'
        "\r\n"
        ",,,,,\r\n"
        f"\u3000E2 ,{COMMUNITY_A},其他,2026-05-01 09:00,reported,\r\n"
        f"E3,{COMMUNITY_A},外星人,2026-05-01 09:00,reported,\r\n"
    )
    path = tmp_path / "incidents.csv"
    path.write_bytes(content.encode("utf-8"))
    [report] = ingest(loaded.owner, [path], progress=lambda m: None)
    assert (report.rows_read, report.loaded, dict(report.quarantined)) == (
        3, 2, {"unknown_category": 1},
    )  # fmt: skip
    with loaded.owner.connect() as c:
        ids = c.execute(text("SELECT incident_id, description FROM fact_incident ORDER BY 1")).all()
        [line] = c.execute(
            text("SELECT line_no FROM ingest_quarantine WHERE load_id = :id"),
            {"id": report.load_id},
        ).scalars()
    assert [tuple(r) for r in ids] == [("E1", description), ("E2", None)]
    assert line == (7 if multiline else 6)


def test_the_written_out_whitespace_is_what_str_strip_removes():
    # ingest/fast.py spells the list out instead of scanning all of Unicode per process;
    # a Python with other Unicode tables would make the bulk trim differ from str.strip.
    from ingest.fast import WHITESPACE, python_whitespace

    assert python_whitespace() == WHITESPACE


STAMPS = [
    "2026-05-01 09:00", "2026-05-01 09:00:30", "2026/05/01T09:00", "2026-05/01 09:00",
    "2026-05-01 09-00", "2026-05-01 09:00:3x", "2026-05-01 09:00:", "2026-5-01 09:00",
    "2026-02-29 09:00", "2024-02-29 23:59:59", "0000-01-01 00:00", "2026-13-01 09:00",
    "2026-05-01 24:00", "2026-05-01 09:60", "2026-05-01 09:00:60", "2026-05-01 09:00Z",
    "２０２６-05-01 09:00", "2026-05-01 0９:00", "2026-05-01_09:00", "", "-",
]  # fmt: skip


@pytest.mark.parametrize(
    "values",
    [
        STAMPS,  # every form mixed: values gathered one by one
        ["2026-05-01 09:00:30", "", "2024-02-29 23:59:59", "2026-05-01 09:00:60"],
        ["2026-05-01 09:00", "", "2026/05/01T09:00", "2026-05-01 09:60", ""],  # 16 bytes
    ],
)
def test_stamps_read_from_bytes_are_what_the_regex_and_slices_read(values):
    """_fixed_width reads the usual stamps from the array's bytes instead of a regex
    and per-field slices: the same rows match, with the same fields, whether the
    values are of one width (read as a matrix) or mixed (gathered one by one), and in
    a slice of an array."""
    import pyarrow.compute as pc

    from ingest.fast import _FIXED_WIDTH, _fixed_width

    sliced = pa.array(["x", *values, "y"]).slice(1, len(values))
    for array in (pa.array(values, pa.string()), sliced):
        empty, fixed, fields = _fixed_width(array)
        assert empty.tolist() == [v == "" for v in values]
        assert fixed.tolist() == pc.match_substring_regex(array, _FIXED_WIDTH).to_pylist()
        for position, value in enumerate(values):
            expected = [0] * 6
            if fixed[position]:
                spans = [(0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19)]
                expected = [int(value[a:b] or 0) for a, b in spans]
            assert [int(f[position]) for f in fields] == expected, value


def test_header_lines_are_those_of_a_stringio():
    # ingest/read.py reads the header from lazily found lines, not a StringIO of the
    # whole file; the csv module must see the same lines either way.
    import io
    import itertools

    from ingest.read import lines

    for size in range(7):
        for content in map("".join, itertools.product('a\r\n,"', repeat=size)):
            assert list(lines(content)) == list(io.StringIO(content, newline="")), repr(content)
