"""The alert ladder as data_access serves it (issue [11]): levels, since when, who
acts, counts per level, the ladder read from config/alerts.toml; and the one narrow
write the app role has, cockpit_auth.acknowledge_alert: own scope only, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from data_access import Scope, alerts, auth
from data_access.runner import query_cache
from tests.alerts.conftest import A, B
from tests.warehouse import rows
from warehouse.accounts import add_user, create_screen_token


@pytest.fixture
def pointed(alerts_warehouse, monkeypatch):
    for key, value in alerts_warehouse.env().items():
        monkeypatch.setenv(key, value)
    query_cache().clear()
    yield alerts_warehouse
    query_cache().clear()


def test_levels_since_and_who_acts(pointed):
    frame = alerts.open_alerts(Scope.district())
    assert list(frame["incident_id"]) == ["A-esc", "B-over", "A-over", "A-warn"]
    levels = dict(zip(frame["incident_id"], frame["level"], strict=True))
    assert levels == {k: v for k, v in pointed.levels.items() if v != "none"}
    by_id = frame.set_index("incident_id")
    assert by_id.loc["A-over", "since"] == by_id.loc["A-over", "due_at"]
    assert by_id.loc["A-warn", "since"] == by_id.loc["A-warn", "due_at"] - timedelta(hours=24)
    esc = by_id.loc["A-esc"]
    assert esc["since"] == esc["escalate_at"] and esc["escalate_at"] > esc["due_at"]
    assert esc["escalate_at"].hour == 17 and esc["escalate_at"].minute == 30
    assert dict(zip(by_id.index, by_id["act_by"], strict=True)) == {
        "A-esc": "district", "B-over": "street", "A-over": "street", "A-warn": "community",
    }  # fmt: skip
    assert by_id["escalate_at"].isna().tolist() == [False, False, False, True]  # A-warn: none
    assert by_id.loc["A-warn", "act_by_name"] == "甲社区"
    assert by_id.loc["A-over", "act_by_name"] == "甲街道"
    assert 2.9 < by_id.loc["A-over", "hours_since"] < 3.1


def test_level_counts_per_scope(pointed):
    assert alerts.level_counts(Scope.district()) == {"warning": 1, "overdue": 2, "escalated": 1}
    assert alerts.level_counts(Scope("community", A)) == {
        "warning": 1,
        "overdue": 1,
        "escalated": 1,
    }
    assert alerts.level_counts(Scope("community", B)) == {
        "warning": 0,
        "overdue": 1,
        "escalated": 0,
    }


def test_the_ladder_comes_from_the_config_file(pointed, tmp_path, monkeypatch):
    config = tmp_path / "alerts.toml"
    config.write_text("[ladder]\nwarning_hours = 96\nescalate_work_days = 0\n")
    monkeypatch.setenv("COCKPIT_ALERTS_CONFIG", str(config))
    # 0 working days: overdue is escalated at once; 96 h: A-later warns too.
    assert alerts.level_counts(Scope.district()) == {"warning": 2, "overdue": 0, "escalated": 3}


def test_the_warnings_due_soonest_come_first(pointed, tmp_path, monkeypatch):
    # What the wall's overdue strip adds below too few overdue: 96 h warns A-later too
    config = tmp_path / "alerts.toml"
    config.write_text("[ladder]\nwarning_hours = 96\nescalate_work_days = 2\n")
    monkeypatch.setenv("COCKPIT_ALERTS_CONFIG", str(config))
    warnings = [i for i, level in alerts.open_alerts(Scope.district())[["incident_id", "level"]]
                .itertuples(index=False) if level == "warning"]  # fmt: skip
    assert sorted(warnings) == ["A-later", "A-warn"]
    soon = alerts.due_soonest(Scope.district(), limit=5)
    assert list(soon["incident_id"]) == ["A-warn", "A-later"]  # due in 2 h, then in 3 days
    assert list(soon["community_name"]) == ["甲社区", "甲社区"]
    assert list(alerts.due_soonest(Scope.district(), limit=1)["incident_id"]) == ["A-warn"]
    assert alerts.due_soonest(Scope("community", B), limit=5).empty


def _session(warehouse, username, role, scope_code):
    add_user(warehouse.owner, username, "a-long-password", role, scope_code)
    return auth.sign_in(username, "a-long-password", warehouse.reader_url).viewer


def _acks(engine):
    with engine.connect() as c:
        return c.execute(
            text(
                "SELECT community_code, incident_id, level, acked_by, note FROM fact_alert_ack"
                " ORDER BY incident_id"
            )
        ).all()


def _audit(engine):
    with engine.connect() as c:
        return c.execute(
            text(
                "SELECT event, username, detail->>'incident_id', detail->>'outcome'"
                " FROM cockpit_auth.audit_log WHERE event LIKE 'alert_ack%' ORDER BY event_id"
            )
        ).all()


def test_acknowledge_own_scope_only_and_audited(pointed):
    engine, url = pointed.owner, pointed.reader_url
    head_a = _session(pointed, "head_a", "community", A)
    head_b = _session(pointed, "head_b", "community", B)
    assert alerts.acknowledge(head_a, A, "A-over", "overdue", "已联系网格员", url) == "ok"
    assert alerts.acknowledge(head_b, A, "A-over", "overdue", "not mine", url) == "refused"
    assert alerts.acknowledge(head_b, A, "no-such", "overdue", "probe", url) == "refused"
    assert alerts.acknowledge(head_a, A, "A-closed", "overdue", "", url) == "closed"
    assert alerts.acknowledge(head_a, A, "A-warn", "bogus", "", url) == "invalid"
    screen = create_screen_token(engine, "community", A, timedelta(hours=1))
    wall = auth.use_screen_token(screen.token, url)
    assert alerts.acknowledge(wall, A, "A-warn", "warning", "", url) == "refused"
    street_a = _session(pointed, "street_a", "street", rows.STREET_A)
    street_b = _session(pointed, "street_b", "street", rows.STREET_B)
    assert alerts.acknowledge(street_b, A, "A-esc", "escalated", "", url) == "refused"
    assert alerts.acknowledge(street_a, A, "A-esc", "escalated", "街道已督促", url) == "ok"
    assert _acks(engine) == [
        (A, "A-esc", "escalated", "street_a", "街道已督促"),
        (A, "A-over", "overdue", "head_a", "已联系网格员"),
    ]
    assert _audit(engine) == [
        ("alert_ack", "head_a", "A-over", "ok"),
        ("alert_ack_refused", "head_b", "A-over", "refused"),
        ("alert_ack_refused", "head_b", "no-such", "refused"),
        ("alert_ack_refused", "head_a", "A-closed", "closed"),
        ("alert_ack_refused", "head_a", "A-warn", "invalid"),
        ("alert_ack_refused", None, "A-warn", "refused"),
        ("alert_ack_refused", "street_b", "A-esc", "refused"),
        ("alert_ack", "street_a", "A-esc", "ok"),
    ]
    # The acknowledgement shows at once (read uncached), to A's viewers only.
    auth.set_current_viewer(head_a)
    try:
        frame = alerts.open_alerts(Scope("community", A)).set_index("incident_id")
        assert frame.loc["A-over", "acked_by"] == "head_a"
        assert frame.loc["A-over", "ack_note"] == "已联系网格员"
    finally:
        auth.set_current_viewer(None)
    with pointed.reader().begin() as c:
        c.execute(text(f"SELECT set_config('cockpit.scope', 'community:{B}', true)"))
        assert c.execute(text("SELECT count(*) FROM fact_alert_ack")).scalar_one() == 0


def test_the_app_role_cannot_write_acknowledgements_itself(pointed):
    with pytest.raises(DBAPIError, match="permission denied"), pointed.reader().begin() as c:
        c.execute(text("SET TRANSACTION READ WRITE"))
        c.execute(
            text(
                "INSERT INTO fact_alert_ack (community_code, incident_id, level, acked_by)"
                " VALUES (:a, 'A-over', 'overdue', 'me')"
            ),
            {"a": A},
        )
    with pytest.raises(DBAPIError, match="permission denied"), pointed.reader().begin() as c:
        c.execute(text("SET TRANSACTION READ WRITE"))
        c.execute(text("UPDATE fact_alert_outbox SET status = 'sent'"))


def test_escalation_counts_working_days_across_the_national_day_week(fresh_warehouse, monkeypatch):
    from datetime import datetime

    from data_access.period import LOCAL

    rows.two_communities(fresh_warehouse.owner)
    due = datetime(2025, 9, 30, 10, 0, tzinfo=LOCAL)
    rows.incident(fresh_warehouse.owner, A, "nd-1", due - timedelta(hours=72), due=due)
    for key, value in fresh_warehouse.env().items():
        monkeypatch.setenv(key, value)
    query_cache().clear()

    def level_at(when: str):
        t = datetime.fromisoformat(when).replace(tzinfo=LOCAL)
        frame = alerts.open_alerts(Scope.district(), t)
        return frame.iloc[0]["level"], frame.iloc[0]["escalate_at"]

    # Overdue from 30 September; 1-8 October are holidays, so the two working days
    # after the due day are 9 and 10 October: escalated at 17:30 on the 10th.
    level, escalate_at = level_at("2025-10-09 12:00")
    assert level == "overdue"
    assert escalate_at == datetime(2025, 10, 10, 17, 30, tzinfo=LOCAL)
    assert level_at("2025-10-10 17:29")[0] == "overdue"
    assert level_at("2025-10-10 17:30")[0] == "escalated"
    assert level_at("2025-09-29 12:00")[0] == "warning"  # within 24 h of its due date
    query_cache().clear()


def test_the_outbox_is_read_by_scope(pointed):
    with pointed.owner.begin() as c:
        c.execute(
            text(
                "INSERT INTO fact_alert_outbox (community_code, incident_id, level, channel,"
                " status, attempts, last_error, message) VALUES"
                " (:a, 'A-over', 'overdue', 'hook', 'pending', 1, 'HTTP 500', 'm'),"
                " (:b, 'B-over', 'overdue', 'hook', 'failed', 5, 'HTTP 500', 'm')"
            ),
            {"a": A, "b": B},
        )
    for scope, expected in ((f"community:{A}", {A}), (f"community:{B}", {B}), ("", set())):
        with pointed.reader().begin() as c:
            c.execute(text("SELECT set_config('cockpit.scope', :s, true)"), {"s": scope})
            seen = set(c.execute(text("SELECT community_code FROM fact_alert_outbox")).scalars())
        assert seen == expected, scope
    assert list(alerts.notice_failures(Scope("community", B))["incident_id"]) == ["B-over"]
    summary = alerts.notice_summary(Scope.district())
    assert summary.to_dict("records")[0] | {"last_sent_at": None} == {
        "channel": "hook", "sent": 0, "pending": 1, "failed": 1, "last_sent_at": None,
    }  # fmt: skip
