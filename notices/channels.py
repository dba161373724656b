"""Delivering one notice to one channel: a DingTalk or WeCom group robot (webhook, JSON
body) or e-mail over SMTP. A failure raises DeliveryError with what went wrong; the
sender records it and retries with back-off. No notice carries a description or a
resident's data: the category, the community, the dates and who should act."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from notices.config import Channel


class DeliveryError(RuntimeError):
    pass


class NotConfigured(ValueError):
    """A channel whose secret variable is not set: reported, and nothing recorded for it."""


@dataclass(frozen=True)
class Notice:
    key: str  # community_code/incident_id/level: the same in every retry
    title: str
    text: str  # plain text
    markdown: str


def check_ready(channel: Channel) -> None:
    """Raise NotConfigured when the environment lacks what the channel names."""
    if channel.kind in ("dingtalk", "wecom"):
        variable = channel.settings["url_env"]
        url = channel.secret("url_env")
        if not url:
            raise NotConfigured(
                f"channel {channel.name}: environment variable {variable} is not set"
            )
        if urllib.parse.urlparse(url).scheme not in ("http", "https"):
            raise NotConfigured(f"channel {channel.name}: {variable} is not an http(s) URL")
        if channel.settings.get("secret_env") and not channel.secret("secret_env"):
            raise NotConfigured(
                f"channel {channel.name}: environment variable "
                f"{channel.settings['secret_env']} is not set"
            )
    elif channel.settings.get("password_env") and channel.secret("password_env") is None:
        raise NotConfigured(
            f"channel {channel.name}: environment variable "
            f"{channel.settings['password_env']} is not set"
        )


def webhook_body(channel: Channel, notice: Notice) -> dict:
    """The robot's JSON body: DingTalk and WeCom share the text form; markdown differs."""
    if channel.settings.get("format", "text") == "markdown":
        if channel.kind == "dingtalk":
            return {
                "msgtype": "markdown",
                "markdown": {"title": notice.title, "text": notice.markdown},
            }
        return {"msgtype": "markdown", "markdown": {"content": notice.markdown}}
    return {"msgtype": "text", "text": {"content": notice.text}}


def _signed(url: str, secret: str) -> str:
    """A DingTalk robot with 加签: timestamp and HMAC-SHA256 signature in the query."""
    timestamp = str(round(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def deliver(channel: Channel, notice: Notice, timeout: float) -> None:
    if channel.kind == "email":
        _send_mail(channel, notice, timeout)
    else:
        _post_webhook(channel, notice, timeout)


def _post_webhook(channel: Channel, notice: Notice, timeout: float) -> None:
    url = channel.secret("url_env")
    if channel.kind == "dingtalk" and channel.settings.get("secret_env"):
        url = _signed(url, channel.secret("secret_env"))
    body = json.dumps(webhook_body(channel, notice), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} from the webhook") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(f"webhook unreachable: {reason}") from None
    try:
        answer = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # a 2xx without JSON: taken as accepted
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise DeliveryError(
            f"robot refused: errcode {answer.get('errcode')} {answer.get('errmsg', '')}"
        )


def _send_mail(channel: Channel, notice: Notice, timeout: float) -> None:
    settings = channel.settings
    message = EmailMessage()
    message["Subject"] = notice.title
    message["From"] = settings["sender"]
    message["To"] = ", ".join(settings["recipients"])
    message["Message-ID"] = make_msgid(idstring=notice.key.replace("/", "."))
    message["X-Cockpit-Alert"] = notice.key
    message.set_content(notice.text)
    host, port = settings["smtp_host"], settings.get("smtp_port", 25)
    security = settings.get("security", "none")
    try:
        if security == "ssl":
            client = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.get("username"):
                client.login(settings["username"], channel.secret("password_env") or "")
            client.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"SMTP {host}:{port}: {error}") from None
