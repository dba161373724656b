"""`cockpit alerts send`: deliver new alerts to their channels through the outbox
(fact_alert_outbox, migration 026), as the warehouse owner.

For each usable channel: every current alert of its levels in its scope is recorded
(INSERT … ON CONFLICT DO NOTHING, committed) before anything is sent; then each
pending notice whose back-off has passed is tried: the attempt is counted and committed,
the notice sent, and the outcome committed. A run killed at any point leaves every
alert either recorded and pending (sent by the next run) or marked sent: an alert level
of an incident reaches a channel once; only a notice in flight when the run died (the
receiver may or may not have taken it) is sent again. One run at a time (an advisory
lock): a cron job that overlaps the previous one exits at once.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, text

from data_access.period import LOCAL, current_minute
from notices.channels import DeliveryError, NotConfigured, Notice, check_ready, deliver
from notices.config import AlertsConfig, Channel
from sqlfiles import query

LOCK_KEY = "cockpit-alerts-send"
LEVEL_NAMES = {"warning": "预警", "overdue": "超期", "escalated": "督办"}
ACTOR_NAMES = {"community": "社区", "street": "街道", "district": "区"}


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0  # attempts that failed in this run
    given_up: int = 0
    recorded: int = 0
    pending: int = 0  # left for a later run
    errors: list[str] = field(default_factory=list)
    would_send: list[tuple[str, str]] = field(default_factory=list)  # dry run: (channel, text)
    locked_out: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failed and not self.given_up


def current_alerts(engine: Engine, config: AlertsConfig, t: datetime | None = None,
                   scope_codes: list[str] | None = None) -> list[dict]:  # fmt: skip
    """Open alerts as of t (now), as the owner sees them (the whole district unless
    scope_codes); the same named query the 督办 page reads."""
    params = {
        "t": (t or current_minute()).astimezone(LOCAL),
        "warning_hours": config.ladder.warning_hours,
        "escalate_days": config.ladder.escalate_work_days,
        "grid_code": None,
        "scope_codes": scope_codes,
    }
    with engine.connect() as connection:
        rows = connection.execute(query("open_alerts").clause(), params).mappings().all()
    return [dict(row) for row in rows]


def in_channel(channel: Channel, alert: dict) -> bool:
    if alert["level"] not in channel.levels:
        return False
    if channel.scope_kind == "street":
        return alert["street_code"] == channel.scope_code
    if channel.scope_kind == "community":
        return alert["community_code"] == channel.scope_code
    return True


def _when(value: datetime | None) -> str:
    return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if value is not None else "—"


def notice_for(alert: dict) -> Notice:
    """The message of one alert (Chinese; no description, no resident data)."""
    level = LEVEL_NAMES[alert["level"]]
    actor = alert.get("act_by_name") or "萧山区"
    actor_kind = ACTOR_NAMES[alert["act_by"]]
    place = f"{alert['street_name']} {alert['community_name']}"
    title = f"【{level}】{alert['community_name']} {alert['category_name']} {alert['incident_id']}"
    lines = [
        f"事件 {alert['incident_id']}（{alert['category_name']}）· {place}",
        f"上报 {_when(alert['reported_at'])} · 办结时限 {_when(alert['due_at'])}",
        f"{level}自 {_when(alert['since'])} · 请{actor_kind}（{actor}）督办处理",
    ]
    if alert["level"] == "warning":
        lines[2] = f"将于 {_when(alert['due_at'])} 到期 · 请{actor_kind}（{actor}）抓紧办理"
    text_body = title + "\n" + "\n".join(lines)
    markdown = f"### {title}\n\n" + "\n\n".join(f"- {line}" for line in lines)
    key = f"{alert['community_code']}/{alert['incident_id']}/{alert['level']}"
    return Notice(key, title, text_body, markdown)


def send(engine: Engine, config: AlertsConfig, *, dry_run: bool = False, baseline: bool = False,
         t: datetime | None = None, say=print, warn=None) -> SendReport:  # fmt: skip
    warn = warn or (lambda message: print(message, file=sys.stderr))
    report = SendReport()
    for problem in config.channel_errors:
        report.errors.append(f"malformed {problem}")
    usable = []
    for channel in config.channels:
        try:
            if not baseline:
                check_ready(channel)
        except NotConfigured as problem:
            report.errors.append(str(problem))
            continue
        usable.append(channel)
    for message in report.errors:
        warn(f"error: {message}")
    alerts = current_alerts(engine, config, t)
    if dry_run:
        _dry_run(engine, usable, alerts, report, say)
        return report
    with engine.connect() as lock_connection:
        got = lock_connection.execute(
            text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": LOCK_KEY}
        ).scalar_one()
        lock_connection.commit()
        if not got:
            report.locked_out = True
            warn("another `cockpit alerts send` is running; nothing done")
            return report
        try:
            for channel in usable:
                report.recorded += _record(engine, channel, alerts, baseline)
                if not baseline:
                    _deliver_pending(engine, channel, config, report, say)
        finally:
            lock_connection.execute(
                text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": LOCK_KEY}
            )
            lock_connection.commit()
    with engine.connect() as connection:
        report.pending = connection.execute(
            text("SELECT count(*) FROM fact_alert_outbox WHERE status = 'pending'")
        ).scalar_one()
    return report


def _dry_run(engine, channels, alerts, report, say) -> None:
    with engine.connect() as connection:
        done = {
            tuple(row)
            for row in connection.execute(
                text(
                    "SELECT channel, community_code, incident_id, level FROM fact_alert_outbox"
                    " WHERE status <> 'pending'"
                )
            )
        }
    for channel in channels:
        for alert in alerts:
            key = (channel.name, alert["community_code"], alert["incident_id"], alert["level"])
            if in_channel(channel, alert) and key not in done:
                notice = notice_for(alert)
                report.would_send.append((channel.name, notice.text))
                say(f"[dry run] {channel.name} ({channel.kind}) ← {notice.text}\n")
    say(f"[dry run] {len(report.would_send)} notice(s) would be sent; nothing recorded")


def _record(engine, channel: Channel, alerts: list[dict], baseline: bool) -> int:
    rows = [
        {
            "c": alert["community_code"],
            "i": alert["incident_id"],
            "l": alert["level"],
            "ch": channel.name,
            "m": notice_for(alert).text,
            "s": "skipped" if baseline else "pending",
        }
        for alert in alerts
        if in_channel(channel, alert)
    ]
    if not rows:
        return 0
    with engine.begin() as connection:
        result = connection.execute(
            text(
                "INSERT INTO fact_alert_outbox (community_code, incident_id, level, channel,"
                " status, message) VALUES (:c, :i, :l, :ch, :s, :m)"
                " ON CONFLICT (community_code, incident_id, level, channel) DO NOTHING"
            ),
            rows,
        )
        return max(result.rowcount, 0)


def _deliver_pending(engine, channel: Channel, config: AlertsConfig, report: SendReport, say):
    delivery = config.delivery
    with engine.connect() as connection:
        pending = (
            connection.execute(
                text(
                    "SELECT community_code, incident_id, level, message, attempts"
                    "  FROM fact_alert_outbox"
                    " WHERE channel = :ch AND status = 'pending' AND next_attempt_at <= now()"
                    " ORDER BY recorded_at, community_code, incident_id, level"
                ),
                {"ch": channel.name},
            )
            .mappings()
            .all()
        )
    for row in pending:
        key = {"c": row["community_code"], "i": row["incident_id"], "l": row["level"],
               "ch": channel.name}  # fmt: skip
        title = row["message"].split("\n", 1)[0]
        notice = Notice(
            f"{row['community_code']}/{row['incident_id']}/{row['level']}",
            title,
            row["message"],
            f"### {title}\n\n"
            + "\n\n".join(f"- {line}" for line in row["message"].split("\n")[1:]),
        )
        attempts = row["attempts"]
        for try_in_run in range(delivery.attempts_per_run):
            attempts += 1
            wait = delivery.backoff_seconds * 2 ** (attempts - 1)
            with engine.begin() as connection:  # counted before it is tried
                connection.execute(
                    text(
                        "UPDATE fact_alert_outbox SET attempts = :a, last_attempt_at = now(),"
                        " next_attempt_at = now() + make_interval(secs => :w)"
                        " WHERE community_code = :c AND incident_id = :i AND level = :l"
                        " AND channel = :ch"
                    ),
                    {**key, "a": attempts, "w": wait},
                )
            try:
                deliver(channel, notice, delivery.timeout_seconds)
            except DeliveryError as error:
                report.failed += 1
                gave_up = attempts >= delivery.max_attempts
                with engine.begin() as connection:
                    connection.execute(
                        text(
                            "UPDATE fact_alert_outbox SET last_error = :e,"
                            " status = CASE WHEN :g THEN 'failed' ELSE 'pending' END"
                            " WHERE community_code = :c AND incident_id = :i AND level = :l"
                            " AND channel = :ch"
                        ),
                        {**key, "e": str(error)[:500], "g": gave_up},
                    )
                say(f"{channel.name}: {notice.key} failed (attempt {attempts}): {error}")
                if gave_up:
                    report.given_up += 1
                    break
                if try_in_run + 1 < delivery.attempts_per_run:
                    time.sleep(wait)
                continue
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "UPDATE fact_alert_outbox SET status = 'sent', sent_at = now()"
                        " WHERE community_code = :c AND incident_id = :i AND level = :l"
                        " AND channel = :ch"
                    ),
                    key,
                )
            report.sent += 1
            say(f"{channel.name}: {notice.key} sent")
            break
