"""config/alerts.toml: the 督办 ladder, delivery settings and notice channels.

A malformed channel entry is not fatal to the others: `load` keeps it as a
ChannelError (with its position and name, and what is wrong), and the sender reports
it and goes on with the rest. A malformed ladder or delivery section is fatal
(ConfigError): without it no alert can be judged.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.config import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "config" / "alerts.toml"
LEVELS = ("warning", "overdue", "escalated")
# Who acts on each level, and so which channels receive it by default.
ACTOR = {"warning": "community", "overdue": "street", "escalated": "district"}
KINDS = ("dingtalk", "wecom", "email")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_SCOPE = re.compile(r"^(district|street:[0-9]{9}|community:[0-9]{12})$")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Ladder:
    warning_hours: int = 24
    escalate_work_days: int = 2


@dataclass(frozen=True)
class Delivery:
    attempts_per_run: int = 3
    backoff_seconds: float = 30.0
    max_attempts: int = 10
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class Channel:
    name: str
    scope: str  # "district" | "street:<code>" | "community:<code>"
    kind: str
    levels: tuple[str, ...]
    settings: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def scope_kind(self) -> str:
        return self.scope.split(":")[0]

    @property
    def scope_code(self) -> str | None:
        return self.scope.split(":")[1] if ":" in self.scope else None

    def secret(self, key: str) -> str | None:
        """The value of the environment variable named by settings[key] (e.g. url_env)."""
        variable = self.settings.get(key)
        return os.environ.get(variable) if variable else None


@dataclass(frozen=True)
class ChannelError:
    position: int  # 1-based, in the file's order
    name: str | None
    problem: str

    def __str__(self) -> str:
        label = f"channel #{self.position}" + (f" ({self.name})" if self.name else "")
        return f"{label}: {self.problem}"


@dataclass(frozen=True)
class AlertsConfig:
    path: Path
    ladder: Ladder
    delivery: Delivery
    channels: tuple[Channel, ...]
    channel_errors: tuple[ChannelError, ...]


def config_path() -> Path:
    return Path(os.environ.get("COCKPIT_ALERTS_CONFIG") or DEFAULT_PATH)


def _positive_int(section: dict, key: str, default: int, where: str, minimum: int = 1) -> int:
    value = section.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"{where}.{key} must be a whole number ≥ {minimum}, not {value!r}")
    return value


def _seconds(section: dict, key: str, default: float, where: str) -> float:
    value = section.get(key, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{where}.{key} must be a number of seconds ≥ 0, not {value!r}")
    return float(value)


def load(path: Path | None = None) -> AlertsConfig:
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"alerts configuration not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    ladder_section = data.get("ladder", {})
    delivery_section = data.get("delivery", {})
    ladder = Ladder(
        _positive_int(ladder_section, "warning_hours", 24, "ladder"),
        _positive_int(ladder_section, "escalate_work_days", 2, "ladder", minimum=0),
    )
    delivery = Delivery(
        _positive_int(delivery_section, "attempts_per_run", 3, "delivery"),
        _seconds(delivery_section, "backoff_seconds", 30.0, "delivery"),
        _positive_int(delivery_section, "max_attempts", 10, "delivery"),
        _seconds(delivery_section, "timeout_seconds", 10.0, "delivery"),
    )
    channels, errors, seen = [], [], set()
    entries = data.get("channel", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: channels are [[channel]] tables")
    for position, entry in enumerate(entries, start=1):
        try:
            channel = _channel(entry)
        except ConfigError as problem:
            name = entry.get("name") if isinstance(entry, dict) else None
            errors.append(ChannelError(position, name if isinstance(name, str) else None,
                                       str(problem)))  # fmt: skip
            continue
        if channel.name in seen:
            errors.append(ChannelError(position, channel.name, "the name is used twice"))
            continue
        seen.add(channel.name)
        channels.append(channel)
    return AlertsConfig(path, ladder, delivery, tuple(channels), tuple(errors))


def _channel(entry) -> Channel:
    if not isinstance(entry, dict):
        raise ConfigError("not a table")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError("name missing or not letters, digits, '_', '.', '-'")
    scope = entry.get("scope")
    if not isinstance(scope, str) or not _SCOPE.match(scope):
        raise ConfigError(
            f"scope {scope!r} is not 'district', 'street:<9 digits>' or 'community:<12 digits>'"
        )
    kind = entry.get("kind")
    if kind not in KINDS:
        raise ConfigError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    scope_kind = scope.split(":")[0]
    levels = entry.get("levels", [lvl for lvl in LEVELS if ACTOR[lvl] == scope_kind])
    if not isinstance(levels, list) or not levels or any(level not in LEVELS for level in levels):
        raise ConfigError(f"levels {levels!r} are not a list of {', '.join(LEVELS)}")
    settings = {k: v for k, v in entry.items() if k not in ("name", "scope", "kind", "levels")}
    if kind in ("dingtalk", "wecom"):
        if not isinstance(settings.get("url_env"), str) or not settings["url_env"]:
            raise ConfigError("a webhook channel needs url_env (the variable holding its URL)")
        if settings.get("format", "text") not in ("text", "markdown"):
            raise ConfigError(f"format {settings.get('format')!r} is not text or markdown")
        if "url" in settings:
            raise ConfigError("put the webhook URL in the environment (url_env), not in the file")
    else:
        for key in ("smtp_host", "sender"):
            if not isinstance(settings.get(key), str) or not settings[key]:
                raise ConfigError(f"an e-mail channel needs {key}")
        recipients = settings.get("recipients")
        if (
            not isinstance(recipients, list)
            or not recipients
            or not all(isinstance(r, str) and "@" in r for r in recipients)
        ):
            raise ConfigError("recipients must be a list of e-mail addresses")
        port = settings.get("smtp_port", 25)
        if not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigError(f"smtp_port {port!r} is not a port number")
        if settings.get("security", "none") not in ("ssl", "starttls", "none"):
            raise ConfigError(f"security {settings.get('security')!r} is not ssl, starttls or none")
        if "password" in settings:
            raise ConfigError("put the SMTP password in the environment (password_env)")
    return Channel(name, scope, kind, tuple(levels), settings)


def ladder(path: Path | None = None) -> Ladder:
    """The ladder alone (the 督办 page and level_counts)."""
    return load(path).ladder
