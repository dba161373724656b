"""Facts of a scaled demo, vectorised (numpy, pyarrow): incidents, service visits and
the points ledger for thousands of communities over several years, a block of
communities at a time so memory stays bounded. Each block draws from its own
generator seeded by (seed, kind, block), so the output is deterministic by seed.

Timestamps are int64 microseconds in UTC, written as naive timestamps; the loader
COPYs them with TimeZone = UTC (as ingest/fast.py does, for the same speed reason).
A new incident's milestones are its status history, so no status-log rows are made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from demo.communities import CATEGORY_WEIGHTS, DESCRIPTIONS
from demo.facts import AGE_BANDS, CHANNEL_WEIGHTS, CHANNELS, EARN_REASONS, REPORT_HOURS
from demo.scaled_dims import FACILITY_TYPES, GRIDS_PER_COMMUNITY, MICRO_PER_GRID, Dimensions

HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
BLOCK_COMMUNITIES = 100
REJECTED_SHARE = 0.02
# Visits: share of a community's visits per facility type, opening hours, age bands.
FACILITY_SHARE = np.array([0.45, 0.2, 0.15, 0.2])
FACILITY_HOURS = {
    "canteen": [(10, 11, 2), (11, 13, 10), (16, 18, 3)],
    "eldercare": [(8, 12, 5), (13, 17, 4)],
    "childcare": [(7, 9, 10), (9, 10, 2)],
    "activity": [(9, 11, 5), (14, 17, 5), (19, 21, 3)],
}
FACILITY_AGES = {
    "canteen": [0, 2, 6, 12, 55, 25],
    "eldercare": [0, 0, 0, 3, 60, 37],
    "childcare": [100, 0, 0, 0, 0, 0],
    "activity": [4, 18, 15, 25, 30, 8],
}
COUNTERPARTIES = ["邻里超市", "社区食堂", "便民理发店", "积分兑换站"]
# Of the earn journals: the share later redeemed, and of the rest the share that lapses.
REDEEMED_SHARE, EXPIRED_SHARE = 0.4, 0.15


@dataclass(frozen=True)
class Span:
    start_us: int  # the first local midnight, as UTC microseconds
    as_of_us: int  # the demo's "now"

    @property
    def days(self) -> int:
        return int((self.as_of_us - self.start_us) // DAY_US) + 1


def _probabilities(weights) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    return weights / weights.sum()


def _hour_weights(spans) -> np.ndarray:
    weights = np.zeros(24)
    for start, end, weight in spans:
        weights[start:end] += weight
    return _probabilities(weights)


def split_counts(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer parts of total proportional to weights, summing exactly to total."""
    raw = total * weights / weights.sum()
    counts = np.floor(raw).astype(np.int64)
    counts[np.argsort(counts - raw, kind="stable")[: total - counts.sum()]] += 1
    return counts


def _moments(rng, span: Span, n: int, hour_p: np.ndarray) -> np.ndarray:
    """n instants: a uniform day of the span, an hour by hour_p, a uniform second;
    never after the span's as-of instant."""
    day = rng.integers(0, span.days, n)
    hour = rng.choice(24, n, p=hour_p)
    at = span.start_us + day * DAY_US + hour * HOUR_US + rng.integers(0, HOUR_US, n)
    late = at > span.as_of_us
    at[late] -= DAY_US * (1 + (at[late] - span.as_of_us) // DAY_US)
    return at


def _ids(prefix: str, first: int, n: int) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(first, first + n)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, 9, "0"), "")


def _timestamps(micros: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    mask = None if present is None else ~present
    return pa.array(micros, pa.timestamp("us"), mask=mask)


def _resident_refs(community: np.ndarray, index: np.ndarray) -> pa.Array:
    """Pseudonymous keys "r<community number>-<resident number>": nothing like a phone
    or ID number, and the same resident in visits and points."""
    left = pc.cast(pa.array(community), pa.string())
    right = pc.cast(pa.array(index), pa.string())
    return pc.binary_join_element_wise("r", left, "-", right, "")


def _blocks(dims: Dimensions) -> Iterator[tuple[int, np.ndarray]]:
    n = len(dims.community_codes)
    for block, first in enumerate(range(0, n, BLOCK_COMMUNITIES)):
        yield block, np.arange(first, min(n, first + BLOCK_COMMUNITIES))


class Facts:
    def __init__(self, seed: int, dims: Dimensions, span: Span, categories: list[tuple]):
        self.seed, self.dims, self.span = seed, dims, span
        self.codes = pa.array(dims.community_codes.tolist(), pa.string())
        weights = dims.residents.astype(float)
        self.category_codes = [c[0] for c in categories]
        self.sla_us = np.array([c[1] for c in categories], dtype=np.int64) * HOUR_US
        self.category_p = _probabilities(
            [CATEGORY_WEIGHTS.get(code, 5) for code in self.category_codes]
        )
        self.weights = weights
        micro = [
            f"{code}G{g:02d}M{m:02d}"
            for code in dims.community_codes
            for g in range(1, GRIDS_PER_COMMUNITY + 1)
            for m in range(1, MICRO_PER_GRID + 1)
        ]
        self.micro_codes = pa.array(micro, pa.string())
        self.descriptions = pa.array(
            [DESCRIPTIONS.get(code, ["其他"])[0].format(b=3) for code in self.category_codes]
        )

    def _rng(self, kind: int, block: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, kind, block])

    # ------------------------------------------------------------ incidents

    def incidents(self, total: int) -> Iterator[pa.Table]:
        counts = split_counts(total, self.weights)
        first_ids = np.concatenate([[0], np.cumsum(counts)])
        hour_p = _probabilities(REPORT_HOURS)
        for block, members in _blocks(self.dims):
            rng = self._rng(1, block)
            community = np.repeat(members, counts[members])
            n = len(community)
            reported = _moments(rng, self.span, n, hour_p)
            category = rng.choice(len(self.category_codes), n, p=self.category_p)
            sla = self.sla_us[category]
            accepted = reported + (rng.exponential(0.6, n) * HOUR_US).astype(np.int64)
            dispatched = accepted + (rng.exponential(1.5, n) * HOUR_US).astype(np.int64)
            handled = dispatched + (rng.gamma(2.0, 0.3, n) * sla).astype(np.int64)
            closed = handled + (rng.exponential(4.0, n) * HOUR_US).astype(np.int64)
            rejected = reported + (rng.exponential(2.0, n) * HOUR_US).astype(np.int64)
            is_rejected = rng.random(n) < REJECTED_SHARE
            now = self.span.as_of_us
            stamps = {}
            for name, value in (("accepted", accepted), ("dispatched", dispatched),
                                ("handled", handled), ("closed", closed)):  # fmt: skip
                stamps[name] = (value, (value <= now) & ~is_rejected)
            stamps["rejected"] = (rejected, (rejected <= now) & is_rejected)
            status = np.full(n, "reported", dtype=object)
            for name in ("accepted", "dispatched", "handled", "closed", "rejected"):
                status[stamps[name][1]] = name
            grid = community * (GRIDS_PER_COMMUNITY * MICRO_PER_GRID) + rng.integers(
                0, GRIDS_PER_COMMUNITY * MICRO_PER_GRID, n
            )
            centre = self.dims.centres[community]
            spread = self.dims.spread[community] / 0.003
            yield pa.table(
                {
                    "community_code": self.codes.take(pa.array(community)),
                    "incident_id": _ids("I", int(first_ids[members[0]]), n),
                    "grid_code": self.micro_codes.take(pa.array(grid)),
                    "category_code": pa.array(self.category_codes).take(pa.array(category)),
                    "channel": pa.array(CHANNELS).take(
                        pa.array(rng.choice(len(CHANNELS), n, p=_probabilities(CHANNEL_WEIGHTS)))
                    ),
                    "status": pa.array(status.tolist(), pa.string()),
                    "reported_at": _timestamps(reported),
                    **{
                        f"{name}_at": _timestamps(value, present)
                        for name, (value, present) in stamps.items()
                    },
                    "due_at": _timestamps(reported + sla),
                    # the same draws as ever, scaled to stay inside the community
                    "lat": np.round(centre[:, 0] + rng.uniform(-0.003, 0.003, n) * spread, 6),
                    "lon": np.round(centre[:, 1] + rng.uniform(-0.003, 0.003, n) * spread, 6),
                    "description": self.descriptions.take(pa.array(category)),
                }
            )

    # ------------------------------------------------------------ visits

    def _band_resident(self, rng, community: np.ndarray, band: np.ndarray, skew: float):
        """A resident number in the community's slice of residents for that age band;
        low numbers come often (regular users)."""
        people = self.dims.residents[community]
        young = self.dims.under_14_share[community]
        old = self.dims.over_60_share[community]
        shares = np.stack([young * 0.28, young * 0.72, (1 - young - old) * 0.5,
                           (1 - young - old) * 0.5, old * 0.8, old * 0.2], axis=1)  # fmt: skip
        offsets = np.cumsum(shares, axis=1) - shares
        rows = np.arange(len(community))
        size = np.maximum(1, (shares[rows, band] * people).astype(np.int64))
        start = (offsets[rows, band] * people).astype(np.int64)
        return start + (size * rng.random(len(community)) ** skew).astype(np.int64)

    def visits(self, total: int) -> Iterator[pa.Table]:
        counts = split_counts(total, self.weights)
        first_ids = np.concatenate([[0], np.cumsum(counts)])
        hours = [_hour_weights(FACILITY_HOURS[kind]) for kind in FACILITY_TYPES]
        ages = [_probabilities(FACILITY_AGES[kind]) for kind in FACILITY_TYPES]
        for block, members in _blocks(self.dims):
            rng = self._rng(2, block)
            community = np.repeat(members, counts[members])
            n = len(community)
            facility = rng.choice(len(FACILITY_TYPES), n, p=FACILITY_SHARE)
            at = np.empty(n, dtype=np.int64)
            band = np.empty(n, dtype=np.int64)
            for kind in range(len(FACILITY_TYPES)):
                chosen = facility == kind
                at[chosen] = _moments(rng, self.span, int(chosen.sum()), hours[kind])
                band[chosen] = rng.choice(len(AGE_BANDS), int(chosen.sum()), p=ages[kind])
            resident = self._band_resident(rng, community, band, 2.0)
            status = rng.choice(["attended", "no_show", "cancelled"], n, p=[0.93, 0.04, 0.03])
            units = np.where((facility == 0) & (rng.random(n) < 0.1), 2, 1)
            facility_codes = pc.binary_join_element_wise(
                self.codes.take(pa.array(community)),
                pc.cast(pa.array(facility + 1), pa.string()),
                "F0",
            )
            yield pa.table(
                {
                    "community_code": self.codes.take(pa.array(community)),
                    "visit_id": _ids("V", int(first_ids[members[0]]), n),
                    "facility_code": facility_codes,
                    "visited_at": _timestamps(at),
                    "resident_ref": _resident_refs(community, resident),
                    "age_band": pa.array(AGE_BANDS).take(pa.array(band)),
                    "units": units,
                    "status": pa.array(status.tolist(), pa.string()),
                }
            )

    # ------------------------------------------------------------ points

    def points(self, entries: int) -> Iterator[tuple[pa.Table, pa.Table]]:
        """(journals, entries) per block: earns, some later redeemed (each redeem spends
        one earlier earn of the same resident, so no balance goes negative) and some
        lapsing at the first quarter end 120 days on."""
        journals_per_earn = 1 + REDEEMED_SHARE + (1 - REDEEMED_SHARE) * EXPIRED_SHARE
        earns_total = int(entries / 2 / journals_per_earn)
        rng0 = np.random.default_rng([self.seed, 3])
        participation = rng0.uniform(0.03, 0.2, len(self.weights))
        counts = split_counts(earns_total, self.weights * participation)
        first_ids = np.concatenate([[0], np.cumsum(counts)]) * 3
        reasons = list(EARN_REASONS)
        reason_p = _probabilities([EARN_REASONS[r][0] for r in reasons])
        hour_p = _probabilities(REPORT_HOURS)
        quarter_ends = _quarter_ends(self.span)
        for block, members in _blocks(self.dims):
            rng = self._rng(3, block)
            community = np.repeat(members, counts[members])
            n = len(community)
            participants = np.maximum(
                1, (self.dims.residents[community] * participation[community]).astype(np.int64)
            )
            resident = (participants * rng.random(n) ** 2.2).astype(np.int64)
            earned_at = _moments(rng, self.span, n, hour_p)
            reason = rng.choice(len(reasons), n, p=reason_p)
            amount = np.empty(n, dtype=np.int64)
            for r, name in enumerate(reasons):
                chosen = reason == r
                amount[chosen] = rng.choice(EARN_REASONS[name][2], int(chosen.sum()))
            redeemed_at = earned_at + (rng.exponential(20.0, n) * DAY_US).astype(np.int64)
            redeem = (rng.random(n) < REDEEMED_SHARE) & (redeemed_at <= self.span.as_of_us)
            lapse_at = quarter_ends[np.searchsorted(quarter_ends, earned_at + 120 * DAY_US)]
            lapse = ~redeem & (rng.random(n) < EXPIRED_SHARE) & (lapse_at <= self.span.as_of_us)
            first = int(first_ids[members[0]])
            parts = [
                (np.ones(n, bool), "earn", earned_at, 0),
                (redeem, "redeem", redeemed_at, 1),
                (lapse, "expire", lapse_at, 2),
            ]
            yield _ledger(self.codes, community, resident, amount, reason, reasons, parts,
                          first, rng)  # fmt: skip


def _quarter_ends(span: Span) -> np.ndarray:
    """23:30 local on the last day of each quarter, from the span's start to well past
    its end (as UTC microseconds), for searchsorted."""
    import datetime as dt

    start = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=span.start_us + 8 * HOUR_US)
    ends = []
    year = start.year
    while len(ends) < 4 * 8:
        for month in (3, 6, 9, 12):
            last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
            local = dt.datetime(last.year, last.month, last.day, 23, 30)
            ends.append(int((local - dt.datetime(1970, 1, 1)).total_seconds()) * 1_000_000)
        year += 1
    return np.array(ends, dtype=np.int64) - 8 * HOUR_US


def _ledger(codes, community, resident, amount, reason, reasons, parts, first, rng):
    n = len(community)
    journal_parts, entry_parts = [], []
    reason_text = pa.array(reasons).take(pa.array(reason))
    refs = _resident_refs(community, resident)
    resident_account = pc.binary_join_element_wise("resident:", refs, "")
    counterparty = pa.array(COUNTERPARTIES).take(pa.array(rng.integers(0, len(COUNTERPARTIES), n)))
    for chosen, kind, at, slot in parts:
        keep = pa.array(chosen)
        ids = _ids("P", first, 3 * n).take(pa.array(np.arange(n) * 3 + slot)).filter(keep)
        m = len(ids)
        when = _timestamps(at).filter(keep)
        codes_m = codes.take(pa.array(community)).filter(keep)
        value = pa.array(amount).filter(keep)
        no_text = pa.nulls(m, pa.string())
        reason_m = reason_text.filter(keep)
        journal_parts.append(
            pa.table(
                {
                    "community_code": codes_m,
                    "journal_id": ids,
                    "occurred_at": when,
                    "kind": pa.array([kind] * m, pa.string()),
                    "resident_ref": refs.filter(keep),
                    "amount": value,
                    "reason": {"earn": reason_m, "expire": pa.array(["积分到期"] * m)}.get(
                        kind, no_text
                    ),
                    "counterparty": counterparty.filter(keep) if kind == "redeem" else no_text,
                }
            )
        )
        own = resident_account.filter(keep)
        if kind == "earn":
            other = (pc.binary_join_element_wise("source:", reason_m, ""), "source")
        elif kind == "redeem":
            other = (pc.binary_join_element_wise("sink:", counterparty.filter(keep), ""), "sink")
        else:
            other = (pa.array(["expired"] * m), "expired")
        negative = pc.negate(value)
        # earn: the source pays the resident; redeem and expire: the resident pays out
        lines = [(other[0], other[1], negative), (own, "resident", value)] if kind == "earn" else [
            (own, "resident", negative), (other[0], other[1], value)]  # fmt: skip
        for line_no, (account, account_kind, signed) in enumerate(lines, start=1):
            entry_parts.append(
                pa.table(
                    {
                        "community_code": codes_m,
                        "journal_id": ids,
                        "line_no": pa.array(np.full(m, line_no, dtype=np.int16)),
                        "account": account,
                        "account_kind": pa.array([account_kind] * m, pa.string()),
                        "amount": signed,
                        "occurred_at": when,
                    }
                )
            )
    return pa.concat_tables(journal_parts), pa.concat_tables(entry_parts)
