"""Row validation: each input row either becomes a staged tuple for COPY or is
rejected with a reason code (quarantined with its raw values).

Values arrive as text (see read.py). Reason codes are stable identifiers; the report
and the 数据状态 page group by them (`reason` is stored as "code: detail").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from ingest.contract import ENUMS
from ingest.privacy import Pseudonymiser, mask_text

# Asia/Shanghai has had no DST since 1991 and the warehouse's calendar starts in 2018,
# so a fixed +08:00 is exact here and much faster than a zoneinfo lookup per value.
SHANGHAI = timezone(timedelta(hours=8))

REASONS = {
    "wrong_column_count": "row has more or fewer cells than the header",
    "missing_value": "a required column is empty",
    "bad_code": "a code is not in its format (street 9 digits, community 12 digits)",
    "unknown_code": "a code that does not exist in the warehouse",
    "unknown_category": "category is neither a name nor a code of the category table",
    "bad_value": "a value outside its enumeration",
    "bad_number": "not a number, or out of range",
    "bad_amount": "points amount not a positive integer (adjust: non-zero)",
    "bad_timestamp": "not one of the accepted timestamp forms",
    "timestamp_order": "milestones out of order",
    "future_timestamp": "a timestamp after the load started",
    "status_mismatch": "status and milestones disagree",
    "grid_mismatch": "grid level, parent or community inconsistent",
    "bad_geometry": "geometry is not GeoJSON",
    "duplicate_in_file": "the same id appears earlier in this file",
    "txn_conflict": "points transaction re-sent with different values (ledger rows never change)",
}


class Reject(Exception):
    def __init__(self, code: str, detail: str = ""):
        assert code in REASONS, code
        super().__init__(code)
        self.code = code
        self.detail = detail

    @property
    def reason(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


_TIMESTAMP = re.compile(
    r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)
STREET_CODE = re.compile(r"\d{9}")
COMMUNITY_CODE = re.compile(r"\d{12}")


def parse_timestamp(column: str, value: str) -> datetime:
    """ISO 8601, YYYY-MM-DD HH:MM[:SS] or YYYY/MM/DD HH:MM[:SS]; naive = Asia/Shanghai."""
    match = _TIMESTAMP.fullmatch(value)
    if not match:
        raise Reject("bad_timestamp", f"{column}={value}")
    year, _, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone is None:
        tz = SHANGHAI
    elif zone == "Z":
        tz = UTC
    else:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        tz = timezone(-offset if zone[0] == "-" else offset)
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
            int((fraction or "0").ljust(6, "0")), tz,
        )  # fmt: skip
    except ValueError:
        raise Reject("bad_timestamp", f"{column}={value}") from None


def parse_int(column: str, value: str, minimum: int | None = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        try:
            as_float = float(value)
        except ValueError:
            raise Reject("bad_number", f"{column}={value}") from None
        if not as_float.is_integer():
            raise Reject("bad_number", f"{column}={value}") from None
        number = int(as_float)
    if minimum is not None and number < minimum:
        raise Reject("bad_number", f"{column}={value}")
    return number


def parse_float(column: str, value: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Reject("bad_number", f"{column}={value}") from None
    if not low <= number <= high:
        raise Reject("bad_number", f"{column}={value}")
    return number


def enum(column: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise Reject("bad_value", f"{column}={value}")
    return value


@dataclass
class Context:
    """What the warehouse knows when a file starts (codes that exist), plus the
    reference rows accepted earlier in the same file."""

    now: datetime
    pseudonymiser: Pseudonymiser
    streets: set[str] = field(default_factory=set)
    communities: set[str] = field(default_factory=set)
    grids: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (community, level)
    facilities: dict[str, str] = field(default_factory=dict)  # code -> community
    categories: dict[str, str] = field(default_factory=dict)  # code or name -> code


def load_context(cursor, pseudonymiser: Pseudonymiser, now: datetime) -> Context:
    context = Context(now, pseudonymiser)
    cursor.execute("SELECT street_code FROM dim_street")
    context.streets = {row[0] for row in cursor}
    cursor.execute("SELECT community_code FROM dim_community")
    context.communities = {row[0] for row in cursor}
    cursor.execute("SELECT grid_code, community_code, level FROM dim_grid")
    context.grids = {row[0]: (row[1], row[2]) for row in cursor}
    cursor.execute("SELECT facility_code, community_code FROM dim_facility")
    context.facilities = dict(cursor.fetchall())
    cursor.execute("SELECT category_code, category_name FROM dim_incident_category")
    for code, name in cursor.fetchall():
        context.categories[code] = code
        context.categories[name] = code
    return context


class RowValidator:
    """One kind's rules. `stage(record)` returns the tuple to COPY (in `columns` order)
    or raises Reject. `key(record)` is the row's id, for duplicates within a file."""

    columns: tuple[str, ...] = ()
    id_column = ""

    def __init__(self, context: Context):
        self.context = context

    def require(self, record: dict[str, str], *names: str) -> None:
        for name in names:
            if not record.get(name):
                raise Reject("missing_value", name)

    def community(self, record: dict[str, str], column: str = "community_code") -> str:
        code = record[column]
        if not COMMUNITY_CODE.fullmatch(code):
            raise Reject("bad_code", f"{column}={code}")
        if code not in self.context.communities:
            raise Reject("unknown_code", f"{column}={code}")
        return code

    def not_future(self, column: str, value: datetime) -> datetime:
        if value > self.context.now:
            raise Reject("future_timestamp", f"{column}={value.isoformat()}")
        return value

    def optional_float(self, record, column, low, high):
        value = record.get(column)
        return parse_float(column, value, low, high) if value else None

    def optional_int(self, record, column):
        value = record.get(column)
        return parse_int(column, value) if value else None


class StreetRows(RowValidator):
    columns = ("street_code", "street_name", "kind")
    id_column = "street_code"

    def stage(self, r):
        self.require(r, "street_code", "street_name")
        code = r["street_code"]
        if not STREET_CODE.fullmatch(code):
            raise Reject("bad_code", f"street_code={code}")
        kind = enum("kind", r.get("kind") or "街道", ENUMS["street_kind"])
        self.context.streets.add(code)
        return (code, r["street_name"], kind)


class CommunityRows(RowValidator):
    columns = (
        "community_code", "street_code", "community_name", "households", "residents",
        "residents_60_plus", "residents_under_14", "area_ha", "lat", "lon",
    )  # fmt: skip
    id_column = "community_code"

    def stage(self, r):
        self.require(r, "community_code", "street_code", "community_name")
        code, street = r["community_code"], r["street_code"]
        if not COMMUNITY_CODE.fullmatch(code):
            raise Reject("bad_code", f"community_code={code}")
        if not STREET_CODE.fullmatch(street):
            raise Reject("bad_code", f"street_code={street}")
        if street not in self.context.streets:
            raise Reject("unknown_code", f"street_code={street}")
        row = (
            code, street, r["community_name"],
            self.optional_int(r, "households"), self.optional_int(r, "residents"),
            self.optional_int(r, "residents_60_plus"), self.optional_int(r, "residents_under_14"),
            self.optional_float(r, "area_ha", 0, 1e7),
            self.optional_float(r, "lat", -90, 90), self.optional_float(r, "lon", -180, 180),
        )  # fmt: skip
        self.context.communities.add(code)
        return row


class GridRows(RowValidator):
    columns = (
        "grid_code", "community_code", "parent_grid_code", "grid_name", "level", "worker",
        "households", "geometry",
    )  # fmt: skip
    id_column = "grid_code"

    def stage(self, r):
        self.require(r, "grid_code", "community_code", "level")
        code = r["grid_code"]
        community = self.community(r)
        level = enum("level", r["level"], ENUMS["level"])
        parent = r.get("parent_grid_code") or None
        if (level == "micro_grid") != (parent is not None):
            raise Reject("grid_mismatch", f"level={level} parent_grid_code={parent or ''}")
        if parent is not None:
            if parent not in self.context.grids:
                raise Reject("unknown_code", f"parent_grid_code={parent}")
            parent_community, parent_level = self.context.grids[parent]
            if parent_community != community or parent_level != "grid":
                raise Reject("grid_mismatch", f"parent_grid_code={parent}")
        geometry = r.get("geometry") or None
        if geometry is not None:
            try:
                shape = json.loads(geometry)
            except ValueError:
                raise Reject("bad_geometry", "not JSON") from None
            if not isinstance(shape, dict) or "type" not in shape:
                raise Reject("bad_geometry", "no GeoJSON type")
        row = (
            code, community, parent, r.get("grid_name") or code, level, r.get("worker") or None,
            self.optional_int(r, "households"), geometry,
        )  # fmt: skip
        self.context.grids[code] = (community, level)
        return row


class FacilityRows(RowValidator):
    columns = (
        "facility_code", "community_code", "facility_name", "facility_type", "capacity",
        "lat", "lon",
    )  # fmt: skip
    id_column = "facility_code"

    def stage(self, r):
        self.require(
            r, "facility_code", "community_code", "facility_name", "facility_type", "capacity"
        )
        community = self.community(r)
        kind = enum("facility_type", r["facility_type"], ENUMS["facility_type"])
        capacity = parse_int("capacity", r["capacity"], minimum=1)
        row = (
            r["facility_code"], community, r["facility_name"], kind, capacity,
            self.optional_float(r, "lat", -90, 90), self.optional_float(r, "lon", -180, 180),
        )  # fmt: skip
        self.context.facilities[r["facility_code"]] = community
        return row


MILESTONES = ("reported_at", "accepted_at", "dispatched_at", "handled_at", "closed_at")
STATUS_MILESTONE = {
    "accepted": "accepted_at",
    "dispatched": "dispatched_at",
    "handled": "handled_at",
    "closed": "closed_at",
}


class IncidentRows(RowValidator):
    columns = (
        "community_code", "incident_id", "grid_code", "category_code", "channel", "status",
        "reported_at", "accepted_at", "dispatched_at", "handled_at", "closed_at", "rejected_at",
        "due_at", "lat", "lon", "description",
    )  # fmt: skip
    id_column = "incident_id"

    def stage(self, r):
        self.require(r, "incident_id", "community_code", "category", "reported_at", "status")
        community = self.community(r)
        grid = r.get("grid_code") or None
        if grid is not None:
            if grid not in self.context.grids:
                raise Reject("unknown_code", f"grid_code={grid}")
            if self.context.grids[grid][0] != community:
                raise Reject("grid_mismatch", f"grid_code={grid} is not in {community}")
        category = self.context.categories.get(r["category"])
        if category is None:
            raise Reject("unknown_category", r["category"])
        status = enum("status", r["status"], ENUMS["incident_status"])
        channel = enum("channel", r.get("channel") or "other", ENUMS["channel"])
        stamps = []
        previous = None
        for column in MILESTONES:
            value = r.get(column)
            if not value:
                stamps.append(None)
                continue
            stamp = self.not_future(column, parse_timestamp(column, value))
            if previous is not None and stamp < previous[1]:
                raise Reject("timestamp_order", f"{column} before {previous[0]}")
            previous = (column, stamp)
            stamps.append(stamp)
        reported, accepted, dispatched, handled, closed = stamps
        rejected = None
        if status == "rejected":
            # The contract has no rejected_at: a rejected incident's 办结时间 (closed_at)
            # is when it was turned down, else its latest milestone.
            rejected = previous[1]
            closed = None
        else:
            if (status == "closed") != (closed is not None):
                raise Reject("status_mismatch", f"status={status} closed_at={r.get('closed_at')}")
            needed = STATUS_MILESTONE.get(status)
            if needed and not r.get(needed):
                raise Reject("status_mismatch", f"status={status} without {needed}")
        due = r.get("due_at")
        due = parse_timestamp("due_at", due) if due else None
        if due is not None and due < reported:
            raise Reject("timestamp_order", "due_at before reported_at")
        description = r.get("description") or None
        return (
            community, r["incident_id"], grid, category, channel, status,
            reported, accepted, dispatched, handled, closed, rejected, due,
            self.optional_float(r, "lat", -90, 90), self.optional_float(r, "lon", -180, 180),
            mask_text(description) if description else None,
        )  # fmt: skip


class VisitRows(RowValidator):
    columns = (
        "community_code", "visit_id", "facility_code", "visited_at", "resident_ref",
        "age_band", "units", "status",
    )  # fmt: skip
    id_column = "visit_id"

    def stage(self, r):
        self.require(r, "visit_id", "facility_code", "visited_at")
        facility = r["facility_code"]
        community = self.context.facilities.get(facility)
        if community is None:
            raise Reject("unknown_code", f"facility_code={facility}")
        status = enum("status", r.get("status") or "attended", ENUMS["visit_status"])
        visited = parse_timestamp("visited_at", r["visited_at"])
        if status != "booked":  # a booking may be for a future day
            self.not_future("visited_at", visited)
        age_band = r.get("age_band") or None
        if age_band is not None:
            enum("age_band", age_band, ENUMS["age_band"])
        units = parse_int("units", r["units"], minimum=1) if r.get("units") else 1
        ref = r.get("resident_ref") or None
        return (
            community, r["visit_id"], facility, visited,
            self.context.pseudonymiser.resident_ref(ref) if ref else None,
            age_band, units, status,
        )  # fmt: skip


class PointsRows(RowValidator):
    columns = (
        "community_code", "journal_id", "occurred_at", "kind", "resident_ref", "amount",
        "reason", "counterparty",
    )  # fmt: skip
    id_column = "txn_id"

    def stage(self, r):
        self.require(r, "txn_id", "community_code", "resident_ref", "occurred_at", "kind", "amount")
        community = self.community(r)
        kind = enum("kind", r["kind"], ENUMS["points_kind"])
        try:
            amount = int(r["amount"])
        except ValueError:
            raise Reject("bad_amount", f"amount={r['amount']}") from None
        if amount == 0 or (amount < 0 and kind != "adjust"):
            raise Reject("bad_amount", f"amount={r['amount']} kind={kind}")
        occurred = self.not_future("occurred_at", parse_timestamp("occurred_at", r["occurred_at"]))
        return (
            community, r["txn_id"], occurred, kind,
            self.context.pseudonymiser.resident_ref(r["resident_ref"]), amount,
            r.get("reason") or None, r.get("counterparty") or None,
        )  # fmt: skip


VALIDATORS: dict[str, type[RowValidator]] = {
    "streets": StreetRows,
    "communities": CommunityRows,
    "grids": GridRows,
    "facilities": FacilityRows,
    "incidents": IncidentRows,
    "service_visits": VisitRows,
    "points": PointsRows,
}
