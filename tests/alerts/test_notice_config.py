"""config/alerts.toml read without a database: the shipped file, defaults, fatal and
per-channel errors, the robots' JSON bodies and DingTalk's 加签 signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse

import pytest

from notices.channels import NotConfigured, Notice, _signed, check_ready, webhook_body
from notices.config import DEFAULT_PATH, ConfigError, load


def _write(tmp_path, body: str):
    path = tmp_path / "alerts.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_shipped_file_is_valid():
    config = load(DEFAULT_PATH)
    assert (config.ladder.warning_hours, config.ladder.escalate_work_days) == (24, 2)
    assert config.channel_errors == ()
    assert {c.name: c.levels for c in config.channels} == {
        "district-dingtalk": ("escalated",),
        "beigan-street-wecom": ("overdue",),
        "tangwan-community-mail": ("warning",),
    }


def test_defaults_and_fatal_errors(tmp_path):
    config = load(_write(tmp_path, ""))
    assert (config.ladder.warning_hours, config.delivery.attempts_per_run) == (24, 3)
    with pytest.raises(ConfigError, match="ladder.warning_hours"):
        load(_write(tmp_path, "[ladder]\nwarning_hours = 0\n"))
    with pytest.raises(ConfigError, match="delivery.backoff_seconds"):
        load(_write(tmp_path, "[delivery]\nbackoff_seconds = 'soon'\n"))
    with pytest.raises(ConfigError, match="not found"):
        load(tmp_path / "missing.toml")


def test_each_malformed_channel_is_reported_and_the_rest_kept(tmp_path):
    config = load(
        _write(
            tmp_path,
            """
[[channel]]
name = "ok"
scope = "district"
kind = "wecom"
url_env = "X"

[[channel]]
name = "secret-in-file"
scope = "district"
kind = "dingtalk"
url_env = "X"
url = "https://oapi.dingtalk.com/robot/send?access_token=leaked"

[[channel]]
name = "mail"
scope = "community:330109002005"
kind = "email"
smtp_host = "127.0.0.1"
sender = "a@b.c"
recipients = ["not-an-address"]

[[channel]]
name = "ok"
scope = "district"
kind = "pager"

[[channel]]
name = "ok"
scope = "district"
kind = "wecom"
url_env = "Y"
levels = ["urgent"]

[[channel]]
name = "ok"
scope = "district"
kind = "wecom"
url_env = "Z"
""",
        )
    )
    assert [c.name for c in config.channels] == ["ok"]
    assert [str(e) for e in config.channel_errors] == [
        "channel #2 (secret-in-file): put the webhook URL in the environment (url_env),"
        " not in the file",
        "channel #3 (mail): recipients must be a list of e-mail addresses",
        "channel #4 (ok): kind 'pager' is not one of dingtalk, wecom, email",
        "channel #5 (ok): levels ['urgent'] are not a list of warning, overdue, escalated",
        "channel #6 (ok): the name is used twice",
    ]


def test_robot_bodies_and_signature(tmp_path, monkeypatch):
    config = load(
        _write(
            tmp_path,
            """
[[channel]]
name = "ding"
scope = "district"
kind = "dingtalk"
format = "markdown"
url_env = "DING_URL"
secret_env = "DING_SECRET"

[[channel]]
name = "wecom"
scope = "district"
kind = "wecom"
format = "markdown"
url_env = "WECOM_URL"
""",
        )
    )
    ding, wecom = config.channels
    notice = Notice(
        "c/i/overdue", "【超期】标题", "【超期】标题\n正文", "### 【超期】标题\n\n- 正文"
    )
    assert webhook_body(ding, notice) == {
        "msgtype": "markdown",
        "markdown": {"title": "【超期】标题", "text": "### 【超期】标题\n\n- 正文"},
    }
    assert webhook_body(wecom, notice) == {
        "msgtype": "markdown",
        "markdown": {"content": "### 【超期】标题\n\n- 正文"},
    }
    with pytest.raises(NotConfigured, match="DING_URL is not set"):
        check_ready(ding)
    monkeypatch.setenv("DING_URL", "https://robot.example/send?access_token=t")
    with pytest.raises(NotConfigured, match="DING_SECRET is not set"):
        check_ready(ding)
    signed = _signed("https://robot.example/send?access_token=t", "SEC123")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(signed).query)
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SEC123", f"{timestamp}\nSEC123".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected] and query["access_token"] == ["t"]
