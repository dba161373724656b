"""Every quarantine reason; points re-sent; visits; privacy; unreadable files."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat

import pytest
from sqlalchemy import text

from ingest.load import ingest
from ingest.validate import REASONS
from tests.ingest import files
from tests.ingest.files import COMMUNITY_A, COMMUNITY_B, FACILITY_A, GRID_A, GRID_B, MICRO_A

KEY = "test-key"
ID_CARD, PHONE = "33010219900101123X", "13812345678"


def digest(value: str) -> str:
    return hmac.new(KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def quiet(message: str) -> None:
    pass


@pytest.fixture
def loaded(fresh_warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_HMAC_KEY", KEY)
    reports = ingest(fresh_warehouse.owner, files.reference_files(tmp_path / "ref"), progress=quiet)
    assert [r.status for r in reports] == ["done"] * 4
    return fresh_warehouse


def quarantine(engine, load_id) -> list[tuple]:
    with engine.connect() as c:
        return [
            (line, reason.split(":", 1)[0], raw)
            for line, reason, raw in c.execute(
                text(
                    "SELECT line_no, reason, raw_values FROM ingest_quarantine"
                    " WHERE load_id = :id ORDER BY line_no"
                ),
                {"id": load_id},
            )
        ]


INCIDENT_HEADER = ["incident_id", "community_code", "grid_code", "category", "channel",
                   "reported_at", "accepted_at", "closed_at", "status", "due_at"]  # fmt: skip


def row(incident_id, reason=None, *extra, community=COMMUNITY_A, grid="", category="其他",
        channel="app", reported="2026-05-01 09:00", accepted="", closed="", status="reported",
        due=""):  # fmt: skip
    """An incidents row (cells, expected quarantine reason) differing from a good one."""
    cells = [incident_id, community, grid, category, channel, reported, accepted, closed, status]
    return ([*cells, due, *extra], reason)


# line numbers follow from the order (the header is line 1)
BAD_INCIDENTS = [
    row("OK1", grid=GRID_A),
    row("X1", "missing_value", category=""),
    row("X2", "bad_code", community="33010900100"),
    row("X3", "unknown_code", community="330109009999"),
    row("X4", "unknown_category", category="外星人"),
    row("X5", "bad_value", channel="fax"),
    row("X6", "bad_timestamp", reported="01.05.2026 09:00"),
    row("X7", "bad_timestamp", reported="2026-02-30 09:00"),
    row(
        "X8",
        "timestamp_order",
        reported="2026-05-02 09:00",
        accepted="2026-05-01 09:00",
        status="accepted",
    ),  # fmt: skip
    row("X9", "future_timestamp", reported="2099-05-01 09:00"),
    row("X10", "status_mismatch", status="closed"),
    row("X11", "grid_mismatch", grid=GRID_B),
    row("OK1", "duplicate_in_file"),
    row("X12", "wrong_column_count", "extra"),
    row("X13", "timestamp_order", due="2026-04-01 09:00"),
]


def test_every_quarantine_reason(loaded, tmp_path):
    incidents = files.write_csv(
        tmp_path / "incidents.csv", [INCIDENT_HEADER] + [cells for cells, _ in BAD_INCIDENTS]
    )
    grids = files.write_csv(
        tmp_path / "grids.csv",
        [
            ["grid_code", "community_code", "parent_grid_code", "level", "households", "geometry"],
            ["G-OK", COMMUNITY_B, "", "grid", "10", '{"type": "Point", "coordinates": [120, 30]}'],
            ["G-1", COMMUNITY_B, "", "micro_grid", "", ""],
            ["G-2", COMMUNITY_B, "", "grid", "many", ""],
            ["G-3", COMMUNITY_B, "", "grid", "", "{not json"],
        ],
    )
    points = files.write_csv(
        tmp_path / "points.csv",
        [
            ["txn_id", "community_code", "resident_ref", "occurred_at", "kind", "amount"],
            ["P1", COMMUNITY_A, "r1", "2026-05-01 10:00", "earn", "10"],
            ["P2", COMMUNITY_A, "r1", "2026-05-01 10:00", "earn", "-5"],
            ["P3", COMMUNITY_A, "r1", "2026-05-01 10:00", "redeem", "1.5"],
        ],
    )
    reports = ingest(loaded.owner, [incidents, grids, points], progress=quiet)
    by_kind = {r.kind: r for r in reports}
    for report in reports:
        assert report.status == "done" and report.adds_up
    expected = [(line, reason) for line, (_, reason) in enumerate(BAD_INCIDENTS, start=2) if reason]
    got = quarantine(loaded.owner, by_kind["incidents"].load_id)
    assert [(line, reason) for line, reason, _ in got] == expected
    assert got[0][2]["incident_id"] == "X1" and got[0][2]["category"] == ""
    assert by_kind["incidents"].loaded == 1
    grid_rows = quarantine(loaded.owner, by_kind["grids"].load_id)
    assert [(line, reason) for line, reason, _ in grid_rows] == [
        (3, "grid_mismatch"), (4, "bad_number"), (5, "bad_geometry")
    ]  # fmt: skip
    point_rows = quarantine(loaded.owner, by_kind["points"].load_id)
    assert [(line, reason) for line, reason, _ in point_rows] == [
        (3, "bad_amount"),
        (4, "bad_amount"),
    ]

    # a points transaction re-sent with a different amount: quarantined, never updated
    conflict = files.write_csv(
        tmp_path / "points_again.csv",
        [
            ["txn_id", "community_code", "resident_ref", "occurred_at", "kind", "amount"],
            ["P1", COMMUNITY_A, "r1", "2026-05-01 10:00", "earn", "100"],
        ],
    )
    [again] = ingest(loaded.owner, [conflict], progress=quiet)
    assert dict(again.quarantined) == {"txn_conflict": 1} and again.adds_up
    [(line, reason, raw)] = quarantine(loaded.owner, again.load_id)
    assert (line, reason, raw["amount"]) == (2, "txn_conflict", "100")
    with loaded.owner.connect() as c:
        assert c.execute(text("SELECT amount FROM ledger_journal")).scalars().all() == [10]

    seen = {reason for _, reason in BAD_INCIDENTS if reason}
    seen |= {"bad_number", "bad_geometry", "bad_amount", "txn_conflict"}
    assert seen == set(REASONS)


def ledger(engine) -> tuple[list, list]:
    with engine.connect() as c:
        journals = c.execute(
            text(
                "SELECT community_code, journal_id, kind, resident_ref, amount, reason,"
                " counterparty FROM ledger_journal ORDER BY journal_id"
            )
        ).all()
        entries = c.execute(
            text(
                "SELECT journal_id, line_no, account, account_kind, amount FROM ledger_entry"
                " ORDER BY journal_id, line_no"
            )
        ).all()
    return [tuple(r) for r in journals], [tuple(r) for r in entries]


def test_points_resent_are_not_counted_twice_and_refs_are_hashed(loaded, tmp_path):
    path = files.write_xlsx(
        tmp_path / "points_may.xlsx",
        [
            ["交易编号", "社区代码", "居民编号", "发生时间", "类型", "积分", "事由", "对方"],
            ["T1", COMMUNITY_A, ID_CARD.lower(), "2026-05-01 10:00", "earn", 30, "垃圾分类", ""],
            ["T2", COMMUNITY_A, PHONE, "2026-05-02 10:00", "earn", 20, "志愿服务", ""],
            ["T3", COMMUNITY_A, ID_CARD, "2026-05-03 10:00", "redeem", 25, "", "爱心超市"],
            ["T4", COMMUNITY_A, "R-0042", "2026-05-03 11:00", "adjust", -5, "人工更正", ""],
        ],
    )
    [first] = ingest(loaded.owner, [path], progress=quiet)
    assert (first.rows_read, first.loaded, first.unchanged) == (4, 4, 0)
    snapshot = ledger(loaded.owner)
    journals, entries = snapshot
    card, phone = digest(ID_CARD), digest(PHONE)
    assert journals == [
        (COMMUNITY_A, "T1", "earn", card, 30, "垃圾分类", None),
        (COMMUNITY_A, "T2", "earn", phone, 20, "志愿服务", None),
        (COMMUNITY_A, "T3", "redeem", card, 25, None, "爱心超市"),
        (COMMUNITY_A, "T4", "adjust", "R-0042", -5, "人工更正", None),
    ]
    assert entries == [
        ("T1", 1, "source:垃圾分类", "source", -30),
        ("T1", 2, f"resident:{card}", "resident", 30),
        ("T2", 1, "source:志愿服务", "source", -20),
        ("T2", 2, f"resident:{phone}", "resident", 20),
        ("T3", 1, f"resident:{card}", "resident", -25),
        ("T3", 2, "sink:爱心超市", "sink", 25),
        ("T4", 1, "resident:R-0042", "resident", -5),
        ("T4", 2, "adjustment", "adjustment", 5),
    ]
    [second] = ingest(loaded.owner, [path], progress=quiet)
    assert (second.rows_read, second.loaded, second.unchanged, second.quarantined_total) == (
        4, 0, 4, 0,
    )  # fmt: skip
    assert ledger(loaded.owner) == snapshot
    with loaded.owner.connect() as c:
        issued = c.execute(
            text("SELECT sum(points_issued) FROM rollup_community_day WHERE community_code = :a"),
            {"a": COMMUNITY_A},
        ).scalar_one()
        dump = " ".join(
            c.execute(text(f"SELECT coalesce(json_agg(t)::text, '') FROM {table} t")).scalar_one()
            for table in ("ledger_journal", "ledger_entry", "ingest_quarantine")
        )
    assert issued == 50
    assert ID_CARD not in dump and ID_CARD.lower() not in dump and PHONE not in dump


def test_visits_and_descriptions_are_masked(loaded, tmp_path):
    visits = files.write_csv(
        tmp_path / "service_visits.csv",
        [
            ["visit_id", "facility_code", "visited_at", "resident_ref", "age_band", "units"],
            ["V1", FACILITY_A, "2026-05-01 11:30", "+86 138 1234 5678", "60-79", "2"],
            ["V2", FACILITY_A, "2026-05-01 11:40", "", "", ""],
        ],
        "gbk",
    )
    incidents = files.write_csv(
        tmp_path / "incidents.csv",
        [
            [
                "incident_id",
                "community_code",
                "grid_code",
                "category",
                "reported_at",
                "status",
                "description",
            ],
            [
                "E1",
                COMMUNITY_A,
                MICRO_A,
                "其他",
                "2026-05-01 09:00",
                "reported",
                f"居民{ID_CARD}反映，电话{PHONE}，座机0571-82345678",
            ],
        ],  # fmt: skip
    )
    reports = ingest(loaded.owner, [visits, incidents], progress=quiet)
    assert [r.loaded for r in reports] == [1, 2] or [r.loaded for r in reports] == [2, 1]
    with loaded.owner.connect() as c:
        rows = c.execute(
            text(
                "SELECT visit_id, community_code, resident_ref, age_band, units, status"
                " FROM fact_service_visit ORDER BY visit_id"
            )
        ).all()
        description = c.execute(text("SELECT description FROM fact_incident")).scalar_one()
    assert [tuple(r) for r in rows] == [
        ("V1", COMMUNITY_A, digest(PHONE), "60-79", 2, "attended"),
        ("V2", COMMUNITY_A, None, None, 1, "attended"),
    ]
    assert description == "居民330102********123X反映，电话138****5678，座机0571-82345678"


def test_key_file_is_created_private_outside_the_warehouse(loaded, tmp_path, monkeypatch):
    monkeypatch.delenv("COCKPIT_HMAC_KEY")
    monkeypatch.setenv("COCKPIT_HOME", str(tmp_path / "home"))
    path = files.write_csv(
        tmp_path / "points.csv",
        [
            ["txn_id", "community_code", "resident_ref", "occurred_at", "kind", "amount"],
            ["T1", COMMUNITY_A, PHONE, "2026-05-01 10:00", "earn", "5"],
        ],
    )
    ingest(loaded.owner, [path], progress=quiet)
    key_file = tmp_path / "home" / "hmac.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    key = key_file.read_text().strip().encode()
    with loaded.owner.connect() as c:
        ref = c.execute(text("SELECT resident_ref FROM ledger_journal")).scalar_one()
    assert ref == hmac.new(key, PHONE.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("incidents.csv", b"incident_id,status\r\nE1,reported\r\n", "missing required column"),
        ("incidents.csv", b"\xff\xfe\x00i\x00d", "binary"),
        ("incidents.csv", "事件编号\n".encode() + b"\x81\x30\xff\n", "not UTF-8"),
        ("incidents.xlsx", b"not a zip", "not a readable XLSX"),
        ("incidents.csv", b"", "empty"),
        ("notes.csv", b"a,b\n", "cannot tell the kind"),
    ],
)
def test_unreadable_file_is_one_clear_error(loaded, tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    good = files.write_csv(
        tmp_path / "incidents_good.csv",
        [["incident_id", "community_code", "category", "reported_at", "status"],
         ["E1", COMMUNITY_A, "其他", "2026-05-01 09:00", "reported"]],
    )  # fmt: skip
    reports = ingest(loaded.owner, [path, good], progress=quiet)
    bad = next(r for r in reports if r.path == path)
    assert bad.status == "failed" and problem in bad.error
    assert str(path) in bad.lines()[0]
    assert next(r for r in reports if r.path == good).loaded == 1


def test_a_file_failing_midway_loads_nothing(loaded, tmp_path):
    path = tmp_path / "incidents.csv"
    good_row = f"E1,{COMMUNITY_A},其他,2026-05-01 09:00,reported\r\n"
    path.write_bytes(
        b"incident_id,community_code,category,reported_at,status\r\n"
        + good_row.encode("utf-8")
        + b'E2,"unterminated\r\n'
        + b"x" * 200_000  # csv's field size limit (131072) is exceeded
    )
    [report] = ingest(loaded.owner, [path], progress=quiet)
    assert report.status == "failed" and "not valid CSV" in report.error
    with loaded.owner.connect() as c:
        assert c.execute(text("SELECT count(*) FROM fact_incident")).scalar_one() == 0
        assert (
            c.execute(
                text("SELECT status FROM ingest_load ORDER BY load_id DESC LIMIT 1")
            ).scalar_one()
            == "failed"
        )
