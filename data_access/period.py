"""The period [start, end] in local days and the as-of date that freezes the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def today_local() -> date:
    return datetime.now(LOCAL).date()


def current_minute() -> datetime:
    """Now, local, to the minute: a live view's T (as_of_instant), so caches can hit."""
    return datetime.now(LOCAL).replace(second=0, microsecond=0)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    as_of: date

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError("the period starts after it ends")

    @classmethod
    def last_days(cls, days: int, as_of: date | None = None) -> Period:
        as_of = as_of or today_local()
        return cls(as_of - timedelta(days=days - 1), as_of, as_of)

    @property
    def effective_end(self) -> date:
        """The period's last day, never after the as-of date."""
        return min(self.end, self.as_of)

    def previous(self) -> Period:
        """The period of the same length just before this one (for changes)."""
        length = (self.effective_end - self.start).days + 1
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=length - 1), end, end)

    def as_of_instant(self, now: datetime | None = None) -> datetime:
        """T: the end of the as-of day, or now (to the minute, so caches can hit)."""
        if now is None:
            now = current_minute()
        now = now.astimezone(LOCAL).replace(second=0, microsecond=0)
        return min(now, day_start(self.as_of + timedelta(days=1)))

    def params(self, now: datetime | None = None) -> dict:
        """Bound parameters shared by the figure queries (see sql/queries/*.sql)."""
        t = self.as_of_instant(now)
        end_day = self.effective_end
        start_day = min(self.start, end_day)
        return {
            "start_day": start_day,
            "end_day": end_day,
            "start_at": day_start(start_day),
            "end_at": min(day_start(end_day + timedelta(days=1)), t),
            "t": t,
            "day_start": day_start(self.as_of),
        }
