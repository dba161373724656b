"""Twelve months of facts per community: incidents (with their status log), service
visits and the points ledger. Pure functions of (seed, today): every generator takes its
own random.Random seeded from a string, so communities do not disturb each other.

One module although over the ~500 lines of issue [12]: the three generators share one
set of helpers (the local calendar, the per-part random streams, the residents' keys)
and change together, when the demo's story does; a fifth of the length is the hourly
profiles written out as data.
"""

from __future__ import annotations

import hashlib
import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from zoneinfo import ZoneInfo

from demo.communities import CATEGORY_WEIGHTS, DESCRIPTIONS, Community

TZ = ZoneInfo("Asia/Shanghai")
AS_OF_HOUR = 20  # the demo's "now": 20:00 local on `today`
CHANNELS = ["wechat", "patrol", "hotline", "app", "other"]
CHANNEL_WEIGHTS = [52, 20, 11, 13, 4]
# When residents report: mostly daytime, a morning and an afternoon peak.
REPORT_HOURS = [
    0.2,
    0.1,
    0.1,
    0.1,
    0.1,
    0.3,
    1,
    3,
    6,
    8,
    8,
    7,
    5,
    6,
    7,
    7,
    6,
    5,
    5,
    5,
    4,
    3,
    1.5,
    0.6,
]
AGE_BANDS = ["0-3", "4-14", "15-34", "35-59", "60-79", "80+"]
REPORT_CUM = list(accumulate(REPORT_HOURS))


@lru_cache(maxsize=4096)
def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ)


def local(day: date, hours: float = 0.0) -> datetime:
    """Local (Asia/Shanghai) time `hours` after the day's midnight."""
    return _midnight(day) + timedelta(hours=hours)


def draw(rng: random.Random, cumulative: list[float]) -> int:
    """An index drawn by cumulative weights (rng.choices without its overhead)."""
    return bisect_right(cumulative, rng.random() * cumulative[-1])


def rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(d) for d in range((end - start).days + 1)]


def nancheng_window(today: date) -> tuple[date, date]:
    """The latest 30 April - 23 September that ends on or before today."""
    year = today.year if today >= date(today.year, 9, 23) else today.year - 1
    return date(year, 4, 30), date(year, 9, 23)


@dataclass(frozen=True)
class Category:
    code: str
    sla_hours: int
    hazard: bool


# ---------------------------------------------------------------- incidents

INCIDENT_COLUMNS = (
    "community_code",
    "incident_id",
    "grid_code",
    "category_code",
    "channel",
    "status",
    "reported_at",
    "accepted_at",
    "dispatched_at",
    "handled_at",
    "closed_at",
    "rejected_at",
    "due_at",
    "lat",
    "lon",
    "description",
)
STATUS_LOG_COLUMNS = ("community_code", "incident_id", "status", "changed_at")
MILESTONES = ("accepted", "dispatched", "handled", "closed")


def _handling_offsets(rng: random.Random, sla: float, total: float | None = None) -> list[float]:
    """Hours after reporting of accepted, dispatched, handled, closed (increasing).
    Without `total`, work takes a lognormal share of the SLA with a stuck tail."""
    accept = rng.expovariate(1 / 0.6) + 0.05
    dispatch = accept + rng.expovariate(1 / 1.0) + 0.05
    if total is None:
        work = sla * rng.lognormvariate(math.log(0.35), 0.6)
        stuck = rng.random()
        if stuck < 0.025:  # waiting for works or a contractor: far over the SLA
            work *= rng.uniform(3, 15)
        elif stuck < 0.032:  # awaiting renovation funds: open for months
            work *= rng.uniform(40, 200)
        handled = dispatch + work
        return [accept, dispatch, handled, handled + rng.expovariate(1 / 3) + 0.1]
    # A fixed total: scale the same shape to fit it.
    shape = [accept, dispatch, dispatch + rng.uniform(0.5, 1.0) * total, 0]
    shape[3] = max(shape[2] + 0.05, total)
    factor = total / shape[3]
    return [x * factor for x in shape]


class IncidentBuilder:
    """Builds one community's incident rows and status-log rows."""

    def __init__(self, rng, community: Community, categories, cells, as_of: datetime):
        self.rng = rng
        self.c = community
        self.as_of = as_of
        self.cells = cells  # [(grid_code, Rect)] where incidents are placed
        self.by_code = {cat.code: cat for cat in categories}
        weights = [
            CATEGORY_WEIGHTS.get(cat.code, 5) * community.category_bias.get(cat.code, 1.0)
            for cat in categories
        ]
        self.codes = [cat.code for cat in categories]
        self.weights = weights
        self.pending: list[tuple] = []  # (reported, category, channel, offsets, rejected, due)

    def category(self, hazard: bool | None = None) -> str:
        if hazard is None:
            return self.rng.choices(self.codes, self.weights)[0]
        pairs = [
            (code, w)
            for code, w in zip(self.codes, self.weights, strict=True)
            if self.by_code[code].hazard == hazard
        ]
        return self.rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]

    def channel(self, category: str) -> str:
        weights = list(CHANNEL_WEIGHTS)
        if self.by_code[category].hazard:
            weights[1] *= 2.5  # volunteer hazard patrols find many hazards
        if self.c.name == "南城社区":
            weights[0] *= 2  # the 阳光南城 WeChat platform
        return self.rng.choices(CHANNELS, weights)[0]

    def report_time(self, day: date, latest: datetime | None = None) -> datetime:
        hour = draw(self.rng, REPORT_CUM)
        at = local(day, hour + self.rng.random())
        if latest is not None and at > latest:
            at = latest - timedelta(minutes=self.rng.uniform(5, 300))
        return at

    def add(self, reported: datetime, category: str, offsets=None, rejected=None) -> None:
        sla = self.by_code[category].sla_hours
        if offsets is None and rejected is None:
            if self.rng.random() < 0.03:
                rejected = self.rng.expovariate(1 / 2) + 0.1  # duplicate or out of scope
            else:
                offsets = _handling_offsets(self.rng, sla)
        due = reported + timedelta(hours=sla)
        if self.rng.random() < 0.03:  # an explicit deadline given by the source
            due = reported + timedelta(hours=sla * self.rng.choice([0.5, 2.0]))
        self.pending.append((reported, category, self.channel(category), offsets, rejected, due))

    def rows(self) -> tuple[list[tuple], list[tuple]]:
        incidents, log = [], []
        self.pending.sort(key=lambda p: p[0])
        for n, (reported, category, channel, offsets, rejected, due) in enumerate(self.pending):
            incident_id = f"{self.c.code[-6:]}-{n + 1:06d}"
            stamps = {"reported": reported}
            if rejected is not None:
                at = reported + timedelta(hours=rejected)
                if at <= self.as_of:
                    stamps["rejected"] = at
            else:
                for name, hours in zip(MILESTONES, offsets, strict=True):
                    at = reported + timedelta(hours=hours)
                    if at > self.as_of:
                        break
                    stamps[name] = at
            status = list(stamps)[-1]
            grid_code, rect = self.cells[self.rng.randrange(len(self.cells))]
            lat, lon = rect.point(self.rng.random(), self.rng.random())
            text = self.rng.choice(DESCRIPTIONS.get(category, DESCRIPTIONS["other"]))
            incidents.append(
                (
                    self.c.code,
                    incident_id,
                    grid_code,
                    category,
                    channel,
                    status,
                    reported,
                    stamps.get("accepted"),
                    stamps.get("dispatched"),
                    stamps.get("handled"),
                    stamps.get("closed"),
                    stamps.get("rejected"),
                    due,
                    lat,
                    lon,
                    text.format(b=self.rng.randint(1, 40)),
                )
            )
            log.extend((self.c.code, incident_id, s, at) for s, at in stamps.items())
        return incidents, log


def _daily_counts(rng: random.Random, span: list[date], per_day: float) -> list[tuple[date, int]]:
    """Incidents per day: weekends a little quieter, summer a little busier."""
    out = []
    for day in span:
        mean = per_day * (0.8 if day.weekday() >= 5 else 1.08)
        mean *= 1.15 if day.month in (6, 7, 8) else 1.0
        out.append((day, max(0, round(rng.gauss(mean, math.sqrt(mean))))))
    return out


def build_incidents(seed, community, categories, cells, start, today, as_of):
    rng = rng_for(seed, "incidents", community.code)
    builder = IncidentBuilder(rng, community, categories, cells, as_of)
    per_day = community.residents * community.incidents_per_1000 / 1000 / 365
    for day, count in _daily_counts(rng, days(start, today), per_day):
        for _ in range(count):
            reported = builder.report_time(day, as_of if day == today else None)
            builder.add(reported, builder.category())
    return builder.rows()


NANCHENG_CLOSED = 1248  # requests resolved in the window, as published
NANCHENG_HAZARDS = 170  # of them, hazards found and fixed


def build_nancheng_incidents(seed, community, categories, cells, start, today, as_of):
    """南城's published results hold exactly in its window: 1,248 closed there, 170 of
    them hazards, mean handling about 15 h; no other 南城 incident closes inside it."""
    rng = rng_for(seed, "incidents", community.code)
    builder = IncidentBuilder(rng, community, categories, cells, as_of)
    first, last = nancheng_window(today)
    window_start, window_end = local(first), local(last + timedelta(1))
    latest_close = min(window_end, as_of) - timedelta(minutes=1)

    window_days = days(first, last)
    hazards = set(rng.sample(range(NANCHENG_CLOSED), NANCHENG_HAZARDS))
    for i in range(NANCHENG_CLOSED):
        reported = builder.report_time(rng.choice(window_days), latest_close - timedelta(hours=2))
        room = (latest_close - reported).total_seconds() / 3600
        total = min(rng.lognormvariate(math.log(10), 0.8), 96.0, room - 0.05)
        category = builder.category(hazard=i in hazards)
        builder.add(reported, category, offsets=_handling_offsets(rng, 0, max(total, 0.2)))
    # Rejected requests in the window (they never close) and a few late ones that
    # close after it.
    for _ in range(round(NANCHENG_CLOSED * 0.03)):
        reported = builder.report_time(rng.choice(window_days), latest_close)
        builder.add(reported, builder.category(), rejected=rng.expovariate(1 / 2) + 0.1)
    for _ in range(6):
        reported = local(last, rng.uniform(18, 23))
        total = (window_end - reported).total_seconds() / 3600 + rng.uniform(2, 30)
        builder.add(
            reported, builder.category(hazard=False), offsets=_handling_offsets(rng, 0, total)
        )

    # Outside the window: fewer reports before the platform started, more after.
    for day, count in _daily_counts(rng, days(start, today), 1.0):
        if first <= day <= last:
            continue
        count *= 3 if day < first else 8
        for _ in range(count):
            reported = builder.report_time(day, as_of if day == today else None)
            category = builder.category()
            offsets = _handling_offsets(rng, builder.by_code[category].sla_hours)
            closes = reported + timedelta(hours=offsets[3])
            if day < first and closes >= window_start:
                # Squeeze the milestones so it closes before the window opens.
                room = (window_start - reported).total_seconds() / 3600 - 0.02
                offsets = [x * room / offsets[3] for x in offsets]
            builder.add(reported, category, offsets=offsets)
    return builder.rows()


# ---------------------------------------------------------------- residents


def resident_ref(seed: int, community: str, index: int) -> str:
    """A pseudonymous key: nothing like a name, phone or ID number."""
    digest = hashlib.blake2b(f"{seed}:{community}:{index}".encode(), digest_size=8)
    return "r" + digest.hexdigest()


class Residents:
    """A community's residents split into age bands, as contiguous index ranges."""

    def __init__(self, seed: int, c: Community):
        young = 0.55 if c.age_tilt < 1 else 0.42  # share of 15-59 who are 15-34
        adults = max(0, c.residents - c.over_60 - c.under_14)
        sizes = [
            round(c.under_14 * 0.28),
            c.under_14 - round(c.under_14 * 0.28),
            round(adults * young),
            adults - round(adults * young),
            round(c.over_60 * 0.8),
            c.over_60 - round(c.over_60 * 0.8),
        ]
        self.offsets = {}
        start = 0
        for band, size in zip(AGE_BANDS, sizes, strict=True):
            self.offsets[band] = (start, max(1, size))
            start += size
        self.seed, self.code = seed, c.code
        self._refs: dict[int, str] = {}

    def ref(self, index: int) -> str:
        if index not in self._refs:
            self._refs[index] = resident_ref(self.seed, self.code, index)
        return self._refs[index]

    def pick(self, rng: random.Random, band: str, users: int, skew: float = 1.8) -> str:
        """One of the `users` most frequent users of that band; low indices come often."""
        start, size = self.offsets[band]
        return self.ref(start + int(min(size, max(1, users)) * rng.random() ** skew))


# ---------------------------------------------------------------- service visits

VISIT_COLUMNS = (
    "community_code",
    "visit_id",
    "facility_code",
    "visited_at",
    "resident_ref",
    "age_band",
    "units",
    "status",
)
# Per facility type: opening-hour weights (24), weekday/weekend factor, age-band weights,
# how many distinct users per unit of capacity.
_H = [0.0] * 24


def _hours(**spans: float) -> list[float]:
    weights = list(_H)
    for span, weight in spans.items():
        a, b = (int(x) for x in span[1:].split("_"))
        for h in range(a, b):
            weights[h] += weight
    return weights


VISIT_PROFILES = {
    "canteen": (_hours(h10_11=2, h11_13=10, h16_18=3), (1.0, 0.8), [0, 2, 6, 12, 55, 25], 3),
    "eldercare": (_hours(h8_12=5, h13_17=4), (1.0, 0.5), [0, 0, 0, 3, 60, 37], 2),
    "childcare": (_hours(h7_9=10, h9_10=2), (1.0, 0.0), [100, 0, 0, 0, 0, 0], 1),
    "health": (_hours(h8_11=8, h11_12=3, h14_17=4), (1.0, 0.4), [3, 8, 12, 25, 40, 12], 10),
    "library": (_hours(h9_12=3, h14_18=4, h18_21=4), (0.8, 1.5), [4, 34, 28, 24, 9, 1], 8),
    "youth": (_hours(h16_20=8, h9_12=1, h14_17=2), (0.8, 1.6), [0, 72, 28, 0, 0, 0], 4),
    "gym": (_hours(h6_8=4, h8_11=1, h17_21=7), (1.0, 1.2), [0, 3, 45, 37, 14, 1], 3),
    "activity": (_hours(h9_11=5, h14_17=5, h19_21=3), (0.9, 1.3), [4, 18, 15, 25, 30, 8], 6),
    "other": (_hours(h8_12=5, h13_18=5, h18_20=2), (1.0, 1.2), [2, 8, 30, 35, 20, 5], 8),
}


def build_visits(seed, community, residents, facilities, start, today, as_of):
    """Visits to one community's facilities; volume follows capacity x utilisation."""
    rows = []
    for facility_code, f in facilities:
        rng = rng_for(seed, "visits", facility_code)
        hours, (weekday, weekend), ages, users_per_place = VISIT_PROFILES[f.kind]
        ages = list(ages)
        ages[4] *= community.age_tilt  # old communities send more elderly
        ages[5] *= community.age_tilt
        # Cumulative weights, drawn with bisect: the hot loop of the demo.
        hour_cum, age_cum = list(accumulate(hours)), list(accumulate(ages))
        band_users = [int(f.capacity * users_per_place * a / sum(ages)) for a in ages]
        enrolled = round(f.capacity * 1.05)  # childcare: a fixed roll of children
        seq = 0
        for day in days(start, today):
            factor = weekend if day.weekday() >= 5 else weekday
            if f.kind == "youth" and day.month in (7, 8):
                factor *= 1.4  # summer holidays
            mean = f.capacity * f.utilisation * factor * rng.uniform(0.85, 1.1)
            if f.kind == "canteen":
                mean /= 1.2  # rows, not meals: some take two
            if mean <= 0:
                continue
            count = max(0, round(rng.gauss(mean, math.sqrt(mean))))
            if f.kind == "childcare":
                count = min(count, enrolled)
                children = rng.sample(range(enrolled), count)
            for k in range(count):
                at = local(day, draw(rng, hour_cum) + rng.random())
                if f.kind == "childcare":
                    start_index = residents.offsets["0-3"][0]
                    band, ref = "0-3", residents.ref(start_index + children[k])
                else:
                    b = draw(rng, age_cum)
                    band, ref = AGE_BANDS[b], residents.pick(rng, AGE_BANDS[b], band_users[b])
                if at > as_of:
                    status = "booked"  # a booking for later today
                else:
                    r = rng.random()
                    status = (
                        "attended"
                        if r < 0.91
                        else "no_show"
                        if r < 0.95
                        else "cancelled"
                        if r < 0.99
                        else "booked"  # never confirmed
                    )
                units = (
                    2 if f.kind == "canteen" and status == "attended" and rng.random() < 0.2 else 1
                )
                seq += 1
                rows.append(
                    (
                        community.code,
                        f"{facility_code}-{seq:06d}",
                        facility_code,
                        at,
                        ref,
                        band,
                        units,
                        status,
                    )
                )
    return rows


# ---------------------------------------------------------------- points

JOURNAL_COLUMNS = (
    "community_code",
    "journal_id",
    "occurred_at",
    "kind",
    "resident_ref",
    "amount",
    "reason",
    "counterparty",
)
ENTRY_COLUMNS = (
    "community_code",
    "journal_id",
    "line_no",
    "account",
    "account_kind",
    "amount",
    "occurred_at",
)
EARN_REASONS = {  # reason: (weight busy, weight light, amounts)
    "志愿服务": (25, 30, [10, 20, 30, 50]),
    "邻里互助": (25, 15, [5, 10, 15, 20]),
    "隐患上报": (10, 15, [10, 20]),
    "垃圾分类": (30, 25, [1, 2, 3, 5]),
    "社团活动": (10, 15, [5, 10, 15]),
}
REDEEM_AMOUNTS = [20, 30, 50, 80, 100, 150, 200]


def build_points(seed, community, residents, start, today, as_of):
    """A year of earning and spending, simulated in time order so that no resident ever
    redeems more than they hold."""
    rng = rng_for(seed, "points", community.code)
    scale = community.residents / 9000
    earns = round((11000 if community.points_busy else 2200) * scale)
    share = 0.18 if community.points_busy else 0.05  # residents who take part
    participants = {
        band: int(residents.offsets[band][1] * share * 3) for band in ("15-34", "35-59", "60-79")
    }
    span = days(start, today)
    reasons = list(EARN_REASONS)
    reason_weights = [v[0 if community.points_busy else 1] for v in EARN_REASONS.values()]

    def when() -> datetime:
        at = local(rng.choice(span), draw(rng, REPORT_CUM) + rng.random())
        return min(at, as_of - timedelta(minutes=rng.uniform(1, 600)))

    def who() -> str:
        band = rng.choices(list(participants), [3, 4, 5])[0]
        return residents.pick(rng, band, participants[band] // 3 + 1, skew=2.2)

    events = []  # (occurred_at, kind, resident, amount, reason, counterparty)
    for _ in range(earns):
        reason = rng.choices(reasons, reason_weights)[0]
        events.append((when(), "earn", who(), rng.choice(EARN_REASONS[reason][2]), reason, None))
    for _ in range(round(earns * 0.3)):
        events.append(
            (
                when(),
                "redeem",
                who(),
                rng.choice(REDEEM_AMOUNTS),
                None,
                rng.choice(community.counterparties),
            )
        )
    for _ in range(round(earns * 0.004)):
        events.append((when(), "adjust", who(), rng.choice([5, 10, -5, -10]), "人工更正", None))
    # Quarter ends: dormant balances (no activity for 120 days) lapse half the time.
    for day in span:
        if (day + timedelta(1)).day == 1 and day.month in (3, 6, 9, 12):
            events.append((local(day, 23.5), "expire-sweep", None, 0, "积分到期", None))
    events.sort(key=lambda e: (e[0], e[1], e[2] or ""))

    balance: dict[str, int] = {}
    last_seen: dict[str, datetime] = {}
    journals = []
    for at, kind, ref, amount, reason, counterparty in events:
        if kind == "expire-sweep":
            for who_ref in sorted(balance):
                idle = at - last_seen[who_ref] > timedelta(days=120)
                if balance[who_ref] > 0 and idle and rng.random() < 0.5:
                    journals.append((at, "expire", who_ref, balance[who_ref], reason, None))
                    balance[who_ref] = 0
            continue
        held = balance.get(ref, 0)
        if kind == "redeem":
            if held < 20:
                continue  # nothing to spend: the resident walks away
            amount = min(amount, held // 10 * 10)
        if kind == "adjust" and held + amount < 0:
            continue
        balance[ref] = held + (-amount if kind == "redeem" else amount)
        last_seen[ref] = at
        journals.append((at, kind, ref, amount, reason, counterparty))

    journal_rows, entry_rows = [], []
    for n, (at, kind, ref, amount, reason, counterparty) in enumerate(journals):
        journal_id = f"{community.code[-6:]}-P{n + 1:07d}"
        journal_rows.append(
            (community.code, journal_id, at, kind, ref, amount, reason, counterparty)
        )
        resident = f"resident:{ref}"
        lines = {
            "earn": [(f"source:{reason}", "source", -amount), (resident, "resident", amount)],
            "redeem": [(resident, "resident", -amount), (f"sink:{counterparty}", "sink", amount)],
            "expire": [(resident, "resident", -amount), ("expired", "expired", amount)],
            "adjust": [(resident, "resident", amount), ("adjustment", "adjustment", -amount)],
        }[kind]
        for line_no, (account, account_kind, value) in enumerate(lines, start=1):
            entry_rows.append(
                (community.code, journal_id, line_no, account, account_kind, value, at)
            )
    return journal_rows, entry_rows
