"""Incidents files: encodings, Chinese headers, XLSX, re-sends, idempotency."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from data_access import Period, Scope
from data_access import incidents as incidents_data
from data_access.runner import query_cache
from ingest.load import ingest
from tests.ingest import files
from tests.ingest.files import COMMUNITY_A, COMMUNITY_B, GRID_A, GRID_B, MICRO_A

CST = timezone(timedelta(hours=8))


def local(text_value: str) -> datetime:
    return datetime.fromisoformat(text_value).replace(tzinfo=CST)


@pytest.fixture
def loaded(fresh_warehouse, tmp_path, monkeypatch):
    """A warehouse with the reference files loaded."""
    monkeypatch.setenv("COCKPIT_HMAC_KEY", "test-key")
    files.reference_files(tmp_path / "ref")
    reports = ingest(fresh_warehouse.owner, [tmp_path / "ref"], progress=lambda m: None)
    # a folder: reference kinds in dependency order, whatever the names sort to
    assert [r.kind for r in reports] == ["streets", "communities", "grids", "facilities"]
    assert [r.status for r in reports] == ["done"] * 4, [r.error for r in reports]
    return fresh_warehouse


def incidents(engine) -> list[tuple]:
    with engine.connect() as c:
        return [
            tuple(row)
            for row in c.execute(
                text(
                    "SELECT community_code, incident_id, grid_code, category_code, channel, status,"
                    " reported_at, accepted_at, closed_at, rejected_at, due_at, description"
                    " FROM fact_incident ORDER BY incident_id"
                )
            )
        ]


def status_log(engine) -> list[tuple]:
    with engine.connect() as c:
        return [
            tuple(row)
            for row in c.execute(
                text(
                    "SELECT incident_id, status, changed_at FROM fact_incident_status_log"
                    " ORDER BY incident_id, changed_at, status"
                )
            )
        ]


def history(warehouse, monkeypatch, community: str, incident_id: str) -> list[tuple]:
    """The incident's status steps as the 民情事件 timeline shows them (status log and
    milestones together), as of now."""
    monkeypatch.setenv("DATABASE_URL", warehouse.reader_url)
    query_cache().clear()
    today = date.today()
    frame = incidents_data.timeline(
        Scope.district(), Period(today, today, today), community, incident_id
    )
    query_cache().clear()
    return [
        (status, when.to_pydatetime(), source)
        for status, when, source in zip(
            frame["status"], frame["changed_at"], frame["source"], strict=True
        )
    ]


HEADER_ZH = ["事件编号", "社区代码", "网格编码", "类别", "渠道", "上报时间", "受理时间",
             "办结时间", "状态", "due_at", "描述"]  # fmt: skip


def test_gbk_csv_with_chinese_headers_loads_exact_rows(loaded, tmp_path):
    path = files.write_csv(
        tmp_path / "incidents_2026-05.csv",
        [
            HEADER_ZH,
            [
                "E1",
                COMMUNITY_A,
                MICRO_A,
                "安全隐患",
                "patrol",
                "2026/5/1 9:05",
                "2026/05/01 10:00",
                "2026/05/02 08:30:15",
                "closed",
                "",
                "楼道堆放杂物",
            ],
            [
                "E2",
                COMMUNITY_B,
                GRID_B,
                "repair",
                "",
                "2026-05-03 14:00",
                "",
                "",
                "reported",
                "2026-05-10 18:00",
                "",
            ],
        ],  # fmt: skip
        "gbk",
    )
    [report] = ingest(loaded.owner, [path], progress=lambda m: None)
    assert report.encoding == "gb18030" and report.status == "done"
    assert (report.rows_read, report.loaded, report.updated, report.unchanged) == (2, 2, 0, 0)
    assert report.adds_up
    assert incidents(loaded.owner) == [
        (COMMUNITY_A, "E1", MICRO_A, "hazard", "patrol", "closed", local("2026-05-01 09:05"),
         local("2026-05-01 10:00"), local("2026-05-02 08:30:15"), None,
         local("2026-05-01 09:05") + timedelta(hours=24), "楼道堆放杂物"),
        (COMMUNITY_B, "E2", GRID_B, "repair", "other", "reported", local("2026-05-03 14:00"),
         None, None, None, local("2026-05-10 18:00"), None),
    ]  # fmt: skip
    # a new incident's milestones are its history: nothing is written twice to the log
    assert status_log(loaded.owner) == []
    with loaded.owner.connect() as c:
        row = c.execute(
            text(
                "SELECT kind, rows_read, rows_loaded, rows_quarantined, status, newest_event_at"
                " FROM ingest_load WHERE load_id = :id"
            ),
            {"id": report.load_id},
        ).one()
        rollup = c.execute(
            text(
                "SELECT day, incidents_reported, incidents_closed, hazards_closed"
                " FROM rollup_community_day WHERE community_code = :a ORDER BY day"
            ),
            {"a": COMMUNITY_A},
        ).all()
    assert tuple(row) == ("incidents", 2, 2, 0, "done", local("2026-05-03 14:00"))
    d1, d2 = local("2026-05-01 00:00").date(), local("2026-05-02 00:00").date()
    assert [tuple(r) for r in rollup] == [(d1, 1, 0, 0), (d2, 0, 1, 1)]


def snapshot(engine) -> dict[str, list[tuple]]:
    tables = {
        "fact_incident": "community_code, incident_id",
        "fact_incident_status_log": "community_code, log_id",
        "rollup_community_day": "community_code, day",
    }
    with engine.connect() as c:
        return {
            name: [tuple(r) for r in c.execute(text(f"SELECT * FROM {name} ORDER BY {order}"))]
            for name, order in tables.items()
        }


def test_bom_csv_loaded_twice_changes_nothing(loaded, tmp_path):
    path = files.write_csv(
        tmp_path / "incidents.csv",
        [
            ["incident_id", "community_code", "category", "reported_at", "accepted_at", "status"],
            [
                "E1",
                COMMUNITY_A,
                "违规停车",
                "2026-04-01T08:00:00+08:00",
                "2026-04-01T09:00",
                "accepted",
            ],
            ["E2", COMMUNITY_A, "其他", "2026-04-02 08:00", "", "reported"],
            ["E3", COMMUNITY_A, "nonsense", "2026-04-02 08:00", "", "reported"],
        ],  # fmt: skip
        "utf-8-sig",
    )
    [first] = ingest(loaded.owner, [path], progress=lambda m: None)
    assert first.encoding == "utf-8"
    assert (first.loaded, first.updated, first.unchanged) == (2, 0, 0)
    assert dict(first.quarantined) == {"unknown_category": 1}
    before = snapshot(loaded.owner)
    [second] = ingest(loaded.owner, [path], progress=lambda m: None)
    assert (second.rows_read, second.loaded, second.updated, second.unchanged) == (3, 0, 0, 2)
    assert dict(second.quarantined) == {"unknown_category": 1}
    assert second.adds_up
    assert snapshot(loaded.owner) == before


def test_resent_incident_gains_milestones_and_keeps_its_history(loaded, tmp_path, monkeypatch):
    header = ["incident_id", "community_code", "grid_code", "category", "reported_at",
              "accepted_at", "handled_at", "closed_at", "status"]  # fmt: skip
    first = files.write_csv(
        tmp_path / "incidents_a.csv",
        [
            header,
            [
                "E1",
                COMMUNITY_A,
                GRID_A,
                "设施维修",
                "2026-05-01 09:00",
                "2026-05-01 09:30",
                "",
                "",
                "accepted",
            ],
        ],  # fmt: skip
    )
    second = files.write_xlsx(
        tmp_path / "incidents_b.xlsx",
        [
            header,
            [
                "E1",
                COMMUNITY_A,
                GRID_A,
                "设施维修",
                datetime(2026, 5, 1, 9, 0),
                "2026-05-01 09:30",
                "2026-05-03 10:00",
                "2026/05/03 17:45",
                "closed",
            ],
        ],  # fmt: skip
    )
    ingest(loaded.owner, [first], progress=lambda m: None)
    [report] = ingest(loaded.owner, [second], progress=lambda m: None)
    assert report.encoding == "xlsx"
    assert (report.rows_read, report.loaded, report.updated, report.unchanged) == (1, 0, 1, 0)
    [row] = incidents(loaded.owner)
    assert row[5:9] == (
        "closed",
        local("2026-05-01 09:00"),
        local("2026-05-01 09:30"),
        local("2026-05-03 17:45"),
    )
    # only new milestones: nothing was overwritten, so the log stays empty
    assert status_log(loaded.owner) == []
    assert history(loaded, monkeypatch, COMMUNITY_A, "E1") == [
        ("reported", local("2026-05-01 09:00"), "milestone"),
        ("accepted", local("2026-05-01 09:30"), "milestone"),
        ("handled", local("2026-05-03 10:00"), "milestone"),
        ("closed", local("2026-05-03 17:45"), "milestone"),
    ]
    with loaded.owner.connect() as c:
        closed = c.execute(
            text(
                "SELECT incidents_closed FROM rollup_community_day"
                " WHERE community_code = :a AND day = '2026-05-03'"
            ),
            {"a": COMMUNITY_A},
        ).scalar_one()
    assert closed == 1


def test_reopened_incident_keeps_the_steps_its_new_row_overwrites(loaded, tmp_path, monkeypatch):
    """Closed, then re-sent reopened (closed_at cleared, handled again later): the
    overwritten handled and closed steps go to the log, once, and the timeline shows
    the whole story."""
    header = ["incident_id", "community_code", "category", "reported_at", "accepted_at",
              "handled_at", "closed_at", "status"]  # fmt: skip
    closed = ["E5", COMMUNITY_A, "其他", "2026-05-01 09:00", "2026-05-01 09:30",
              "2026-05-01 12:00", "2026-05-01 13:00", "closed"]  # fmt: skip
    reopened = ["E5", COMMUNITY_A, "其他", "2026-05-01 09:00", "2026-05-01 09:30",
                "2026-05-02 16:00", "", "handled"]  # fmt: skip
    for name, row in (("incidents_1.csv", closed), ("incidents_2.csv", reopened)):
        [report] = ingest(loaded.owner, [files.write_csv(tmp_path / name, [header, row])],
                          progress=lambda m: None)  # fmt: skip
        assert report.status == "done" and report.adds_up
    assert report.updated == 1 and report.status_steps_logged == 2
    # the same reopened row again changes nothing and logs nothing twice
    [again] = ingest(loaded.owner, [tmp_path / "incidents_2.csv"], progress=lambda m: None)
    assert (again.unchanged, again.status_steps_logged) == (1, 0)
    assert status_log(loaded.owner) == [
        ("E5", "handled", local("2026-05-01 12:00")),
        ("E5", "closed", local("2026-05-01 13:00")),
    ]
    assert history(loaded, monkeypatch, COMMUNITY_A, "E5") == [
        ("reported", local("2026-05-01 09:00"), "milestone"),
        ("accepted", local("2026-05-01 09:30"), "milestone"),
        ("handled", local("2026-05-01 12:00"), "log"),
        ("closed", local("2026-05-01 13:00"), "log"),
        ("handled", local("2026-05-02 16:00"), "milestone"),
    ]


def test_rejected_incident_takes_its_closing_time_as_rejected_at(loaded, tmp_path):
    path = files.write_csv(
        tmp_path / "incidents.csv",
        [
            ["incident_id", "community_code", "category", "reported_at", "closed_at", "status"],
            ["E9", COMMUNITY_B, "其他", "2026-05-01 09:00", "2026-05-01 12:00", "rejected"],
        ],
    )
    [report] = ingest(loaded.owner, [path], progress=lambda m: None)
    assert report.loaded == 1
    [row] = incidents(loaded.owner)
    assert (row[5], row[8], row[9]) == ("rejected", None, local("2026-05-01 12:00"))
    assert status_log(loaded.owner) == []


def test_cli_reports_and_dry_run_loads_nothing(loaded, tmp_path, monkeypatch, capsys):
    from cockpit_cli.main import main

    for name, value in loaded.env().items():
        monkeypatch.setenv(name, value)
    path = files.write_csv(
        tmp_path / "data.csv",
        [
            ["incident_id", "community_code", "category", "reported_at", "status"],
            ["E1", COMMUNITY_A, "其他", "2026-05-01 09:00", "reported"],
            ["E2", COMMUNITY_A, "其他", "2099-05-01 09:00", "reported"],
        ],
    )
    assert main(["ingest", str(path), "--kind", "incidents", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "DRY RUN" in out and "read 2 = loaded 1 + updated 0 + unchanged 0 + quarantined 1" in out
    assert "future_timestamp: 1" in out
    assert incidents(loaded.owner) == []
    with loaded.owner.connect() as c:
        load = c.execute(
            text(
                "SELECT status, rows_loaded, rows_quarantined FROM ingest_load"
                " ORDER BY load_id DESC LIMIT 1"
            )
        ).one()
    assert tuple(load) == ("dry_run", 1, 1)
    assert main(["ingest", str(path), "--kind", "incidents"]) == 0
    assert [r[1] for r in incidents(loaded.owner)] == ["E1"]
