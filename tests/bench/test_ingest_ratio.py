"""The bench's ingest step measures `cockpit ingest` against a bare COPY of the same rows
(DESIGN §7, issue [13]): the bare COPY really wrote the rows the loader wrote, into the
same table, and left the warehouse as it was. No timing is asserted."""

from __future__ import annotations

from benchmarks import ingest_step

INGEST_ROWS = 2_000


def test_bare_copy_writes_the_loaded_rows_and_the_ratio_rows_say_so(pg_server, monkeypatch):
    monkeypatch.setenv("COCKPIT_HMAC_KEY", "bench-test")
    result = ingest_step.measure_ingest(pg_server, INGEST_ROWS)

    bare = result.bare
    assert bare is not None
    # The same rows: as many as the first load inserted, and the table's checksum after
    # the COPY equals the one the load left (every column, every row).
    assert (result.first.loaded, bare.rows) == (INGEST_ROWS, INGEST_ROWS)
    assert bare.same_rows
    # the primary key and six secondary indexes (migration 032 added two)
    assert bare.indexes == 7
    assert bare.seconds > 0 and bare.csv_bytes > INGEST_ROWS * 100
    # The COPY's transaction was rolled back: the loader's rows are still the table's.
    assert result.incidents_in_table == INGEST_ROWS

    rows = ingest_step.ingest_rows(result)
    assert [row.measure for row in rows] == [
        "ingest rows/s",
        "ingest rows/s",
        "bare COPY rows/s",
        "ingest / bare COPY",
        "ingest / bare COPY",
    ]
    assert all(row.n == 1 for row in rows)
    copy_row, first_ratio, again_ratio = rows[2:]
    assert copy_row.p50 == f"{bare.rows_per_second:,.0f}/s"
    assert copy_row.verdict == "—"
    for row, report in ((first_ratio, result.first), (again_ratio, result.again)):
        ratio = report.rows_per_second / bare.rows_per_second
        assert row.p50 == f"{ratio:.2f}"
        assert row.budget == "≥ 0.8"
        assert row.verdict == ("ok" if ratio >= 0.8 else "UNDER")
    # The absolute rates stay in the table, against the 8-core projection.
    assert rows[0].p50 == f"{result.first.rows_per_second:,.0f}/s"
    assert rows[0].budget == "8-core projection ≥ 150,000/s"


def test_a_bare_copy_that_wrote_other_rows_fails_the_ratio(pg_server, monkeypatch):
    monkeypatch.setenv("COCKPIT_HMAC_KEY", "bench-test")
    result = ingest_step.measure_ingest(pg_server, 200)
    result.bare.same_rows = False

    rows = ingest_step.ingest_rows(result)
    assert [row.verdict for row in rows[2:]] == ["FAILED", "FAILED", "FAILED"]
