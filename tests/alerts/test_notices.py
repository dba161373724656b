"""`cockpit alerts send` against receivers on 127.0.0.1 (issue [11]): DingTalk / WeCom
robot bodies and e-mail over SMTP; each alert level of an incident delivered once per
channel across a kill and restart of the sender; a receiver that fails twice, then
accepts (back-off, shown on 数据状态); malformed and unconfigured channels reported
without skipping the others; --dry-run and `cockpit alerts list`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import text

from tests.alerts.conftest import A, B
from tests.alerts.receivers import Smtp, Webhook
from tests.warehouse import rows

DELIVERY = "[delivery]\nattempts_per_run = {attempts}\nbackoff_seconds = 0.05\nmax_attempts = 5\ntimeout_seconds = 30\n"  # noqa: E501


def _config(tmp_path, channels: str, attempts: int = 3) -> str:
    path = tmp_path / "alerts.toml"
    path.write_text(
        "[ladder]\nwarning_hours = 24\nescalate_work_days = 2\n\n"
        + DELIVERY.format(attempts=attempts)
        + channels,
        encoding="utf-8",
    )
    return str(path)


def _cockpit(warehouse, *args, env=None, **popen):
    environment = {**os.environ, **warehouse.env(), **(env or {})}
    command = [sys.executable, "-m", "cockpit_cli", *args]
    if popen.pop("background", False):
        return subprocess.Popen(command, env=environment, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)


def _outbox(engine) -> list[tuple]:
    with engine.connect() as c:
        return c.execute(
            text(
                "SELECT channel, incident_id, level, status, attempts FROM fact_alert_outbox"
                " ORDER BY channel, incident_id"
            )
        ).all()


@pytest.fixture
def hooks():
    made = []

    def make(**options) -> Webhook:
        made.append(Webhook(**options))
        return made[-1]

    yield make
    for hook in made:
        hook.close()


@pytest.fixture
def smtp():
    server = Smtp()
    yield server
    server.close()


def test_each_scope_gets_its_level_in_robot_and_mail_formats_once(
    alerts_warehouse, tmp_path, hooks, smtp
):
    district, street = hooks(), hooks()
    config = _config(
        tmp_path,
        f"""
[[channel]]
name = "district-dingtalk"
scope = "district"
kind = "dingtalk"
format = "markdown"
url_env = "TEST_HOOK_DISTRICT"

[[channel]]
name = "street-a-wecom"
scope = "street:{rows.STREET_A}"
kind = "wecom"
format = "text"
url_env = "TEST_HOOK_STREET"

[[channel]]
name = "community-a-mail"
scope = "community:{A}"
kind = "email"
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
security = "none"
sender = "cockpit@xiaoshan.example"
recipients = ["office-a@xiaoshan.example"]
""",
    )
    env = {"TEST_HOOK_DISTRICT": district.url, "TEST_HOOK_STREET": street.url}
    dry = _cockpit(alerts_warehouse, "alerts", "send", "--dry-run", "--config", config, env=env)
    assert dry.returncode == 0, dry.stderr
    assert "3 notice(s) would be sent" in dry.stdout and "A-esc" in dry.stdout
    assert _outbox(alerts_warehouse.owner) == [] and district.requests == 0

    sent = _cockpit(alerts_warehouse, "alerts", "send", "--config", config, env=env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "3 sent" in sent.stdout
    # 督办 to the district, as DingTalk markdown
    assert [body["msgtype"] for body in district.accepted] == ["markdown"]
    markdown = district.accepted[0]["markdown"]
    assert markdown["title"] == "【督办】甲社区 设施维修 A-esc"
    assert "请区（萧山区）督办处理" in markdown["text"]
    # 超期 in street A (not B's) to the street, as WeCom text
    assert [body["msgtype"] for body in street.accepted] == ["text"]
    assert street.contents()[0].startswith("【超期】甲社区 设施维修 A-over")
    assert "请街道（甲街道）督办处理" in street.contents()[0]
    # 预警 to the community, by mail
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["Subject"] == "【预警】甲社区 设施维修 A-warn"
    assert mail["X-Cockpit-Alert"] == f"{A}/A-warn/warning"
    assert "请社区（甲社区）抓紧办理" in mail.get_content()
    assert smtp.envelopes[0] == ("cockpit@xiaoshan.example", ["office-a@xiaoshan.example"])

    again = _cockpit(alerts_warehouse, "alerts", "send", "--config", config, env=env)
    assert again.returncode == 0 and "0 sent" in again.stdout
    assert (len(district.accepted), len(street.accepted), len(smtp.messages)) == (1, 1, 1)
    assert [status for *_, status, _ in _outbox(alerts_warehouse.owner)] == ["sent"] * 3
    dry = _cockpit(alerts_warehouse, "alerts", "send", "--dry-run", "--config", config, env=env)
    assert "0 notice(s) would be sent" in dry.stdout


ALL_LEVELS = """
[[channel]]
name = "district-all"
scope = "district"
kind = "dingtalk"
format = "text"
levels = ["warning", "overdue", "escalated"]
url_env = "TEST_HOOK"
"""


def test_delivered_once_across_a_kill_and_restart(alerts_warehouse, tmp_path, hooks):
    hook = hooks(hold=2)  # takes the first notice, holds the second unanswered
    config = _config(tmp_path, ALL_LEVELS)
    env = {"TEST_HOOK": hook.url}
    sender = _cockpit(alerts_warehouse, "alerts", "send", "--config", config, env=env,
                      background=True)  # fmt: skip
    try:
        assert hook.held.wait(60), "the sender never reached the second notice"
        sender.kill()  # mid-run: one notice sent, one in flight, two waiting
        sender.wait(30)
    finally:
        if sender.poll() is None:
            sender.kill()
    hook.release.set()
    statuses = Counter(status for *_, status, _ in _outbox(alerts_warehouse.owner))
    assert statuses == {"sent": 1, "pending": 3}  # all recorded before the first send
    for _ in range(20):  # the killed run's connection (and its lock) may take a moment
        restarted = _cockpit(alerts_warehouse, "alerts", "send", "--config", config, env=env)
        if "another `cockpit alerts send` is running" not in restarted.stderr:
            break
        time.sleep(0.5)
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert "3 sent" in restarted.stdout
    delivered = Counter(content.split()[2] for content in hook.contents())
    assert delivered == {"A-esc": 1, "B-over": 1, "A-over": 1, "A-warn": 1}
    assert hook.requests == 5  # 4 accepted + the one held when the sender died
    assert {status for *_, status, _ in _outbox(alerts_warehouse.owner)} == {"sent"}


def test_a_receiver_that_fails_twice_then_accepts(alerts_warehouse, tmp_path, hooks, monkeypatch):
    hook = hooks(fail_first=2)
    channel = ALL_LEVELS.replace('["warning", "overdue", "escalated"]', '["escalated"]')
    config = _config(tmp_path, channel, attempts=1)  # one try per run: the timer retries
    env = {"TEST_HOOK": hook.url}
    first = _cockpit(alerts_warehouse, "alerts", "send", "--config", config, env=env)
    assert first.returncode == 1 and "1 failed attempt(s)" in first.stdout
    assert "HTTP 500" in first.stdout
    assert _outbox(alerts_warehouse.owner) == [("district-all", "A-esc", "escalated", "pending", 1)]
    # 数据状态 lists it with its error (read as the app reads it)
    for key, value in alerts_warehouse.env().items():
        monkeypatch.setenv(key, value)
    from data_access import Scope, alerts, auth
    from data_access.runner import query_cache
    from tests.app.conftest import make_app
    from warehouse.accounts import add_user

    query_cache().clear()
    failures = alerts.notice_failures(Scope.district())
    assert list(failures["incident_id"]) == ["A-esc"]
    assert failures.iloc[0]["last_error"] == "HTTP 500 from the webhook"
    add_user(alerts_warehouse.owner, "district_ops", "a-long-password", "district", None)
    viewer = auth.sign_in("district_ops", "a-long-password").viewer
    page = make_app("pages/status.py", viewer=viewer)
    assert not page.exception
    assert "督办通知发送" in [h.value for h in page.subheader]
    shown = {tuple(row) for frame in page.dataframe for row in frame.value.astype(str).values}
    assert any("HTTP 500 from the webhook" in row and "待重试" in row for row in shown), shown
    time.sleep(0.1)  # the back-off (0.05 s) passes
    second = _cockpit(alerts_warehouse, "alerts", "send", "--config", config, env=env)
    assert second.returncode == 1
    time.sleep(0.2)
    third = _cockpit(alerts_warehouse, "alerts", "send", "--config", config, env=env)
    assert third.returncode == 0 and "1 sent" in third.stdout
    assert hook.requests == 3 and len(hook.accepted) == 1
    assert _outbox(alerts_warehouse.owner) == [("district-all", "A-esc", "escalated", "sent", 3)]
    query_cache().clear()
    assert alerts.notice_failures(Scope.district()).empty
    query_cache().clear()


def test_in_one_run_failures_are_retried_with_back_off(alerts_warehouse, tmp_path, hooks):
    hook = hooks(fail_first=2)
    channel = ALL_LEVELS.replace('["warning", "overdue", "escalated"]', '["escalated"]')
    config = _config(tmp_path, channel, attempts=3)
    done = _cockpit(alerts_warehouse, "alerts", "send", "--config", config,
                    env={"TEST_HOOK": hook.url})  # fmt: skip
    assert done.returncode == 1  # two attempts failed on the way (and were reported)
    assert "1 sent" in done.stdout and "2 failed attempt(s)" in done.stdout
    assert len(hook.accepted) == 1
    assert _outbox(alerts_warehouse.owner) == [("district-all", "A-esc", "escalated", "sent", 3)]


def test_malformed_and_unconfigured_channels_do_not_stop_the_others(
    alerts_warehouse, tmp_path, hooks
):
    hook = hooks()
    config = _config(
        tmp_path,
        f"""
[[channel]]
name = "broken-hook"
scope = "district"
kind = "dingtalk"

[[channel]]
name = "bad-scope"
scope = "street:12"
kind = "wecom"
url_env = "TEST_HOOK"

[[channel]]
name = "no-secret"
scope = "street:{rows.STREET_B}"
kind = "wecom"
url_env = "TEST_HOOK_NOT_SET"

{ALL_LEVELS}
""",
    )
    result = _cockpit(alerts_warehouse, "alerts", "send", "--config", config,
                      env={"TEST_HOOK": hook.url})  # fmt: skip
    assert result.returncode == 1
    assert "channel #1 (broken-hook): a webhook channel needs url_env" in result.stderr
    assert "channel #2 (bad-scope): scope 'street:12' is not" in result.stderr
    assert "channel no-secret: environment variable TEST_HOOK_NOT_SET is not set" in result.stderr
    assert "4 sent" in result.stdout and len(hook.accepted) == 4
    assert {channel for channel, *_ in _outbox(alerts_warehouse.owner)} == {"district-all"}


def test_alerts_list_prints_the_open_alerts(alerts_warehouse, tmp_path):
    config = _config(tmp_path, "")
    listed = _cockpit(alerts_warehouse, "alerts", "list", "--config", config)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["督办", "超期", "超期", "预警"]
    assert "预警 warning 1, 超期 overdue 2, 督办 escalated 1" in lines[-1]
    csv_out = _cockpit(alerts_warehouse, "alerts", "list", "--scope", B, "--format", "csv",
                       "--config", config)  # fmt: skip
    header, *body = csv_out.stdout.splitlines()
    assert header.startswith("level,since,hours_since,act_by")
    assert [line.split(",")[0] for line in body] == ["overdue"]
    assert f",{B}," in body[0] and ",B-over," in body[0]
    unknown = _cockpit(alerts_warehouse, "alerts", "list", "--scope", "999", "--config", config)
    assert unknown.returncode == 2 and "no street or community" in unknown.stderr


def test_baseline_records_the_backlog_without_sending(alerts_warehouse, tmp_path, hooks):
    hook = hooks()
    config = _config(tmp_path, ALL_LEVELS)
    env = {"TEST_HOOK": hook.url}
    baseline = _cockpit(alerts_warehouse, "alerts", "send", "--baseline", "--config", config,
                        env=env)  # fmt: skip
    assert baseline.returncode == 0 and "4 recorded" in baseline.stdout
    assert {status for *_, status, _ in _outbox(alerts_warehouse.owner)} == {"skipped"}
    # a new alert after the baseline is sent; the backlog is not
    rows.incident(alerts_warehouse.owner, B, "B-new", rows.at("2026-01-05 09:00"))
    sent = _cockpit(alerts_warehouse, "alerts", "send", "--config", config, env=env)
    assert sent.returncode == 0 and "1 sent" in sent.stdout
    assert [content.split()[2] for content in hook.contents()] == ["B-new"]
