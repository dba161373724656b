"""The ingest contract of DESIGN §4: the kinds, their columns, Chinese aliases, and
which are required. A public interface: other people write files against it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    is_reference: bool

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def header_lookup(self) -> dict[str, str]:
        """Normalised header text -> column name (English names and Chinese aliases)."""
        lookup = {}
        for column in self.columns:
            for label in (column.name, *column.aliases):
                lookup[normalise_header(label)] = column.name
        return lookup


def C(name: str, *aliases: str, required: bool = False) -> Column:  # noqa: N802
    return Column(name, required, aliases)


def R(name: str, *aliases: str) -> Column:  # noqa: N802
    return Column(name, True, aliases)


# Aliases: the bracketed names of DESIGN §4 first, then the usual headers of the
# offices' own exports (accepted too; the contract's names always work).
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "streets",
            (R("street_code", "街道代码"), R("street_name", "街道"), C("kind", "类型")),
            True,
        ),
        Kind(
            "communities",
            (
                R("community_code", "社区代码"),
                R("street_code", "街道代码"),
                R("community_name", "社区"),
                C("households", "户数"),
                C("residents", "常住人口"),
                C("residents_60_plus", "60岁以上人口"),
                C("residents_under_14", "14岁以下人口"),
                C("area_ha", "面积(公顷)"),
                C("lat", "纬度"),
                C("lon", "经度"),
            ),
            True,
        ),
        Kind(
            "grids",
            (
                R("grid_code", "网格编码"),
                R("community_code", "社区代码"),
                C("parent_grid_code", "上级网格编码"),
                C("grid_name", "网格名称"),
                R("level", "层级"),
                C("worker", "网格员"),
                C("households", "户数"),
                C("geometry", "边界"),
            ),
            True,
        ),
        Kind(
            "facilities",
            (
                R("facility_code", "设施编码"),
                R("community_code", "社区代码"),
                R("facility_name", "设施名称"),
                R("facility_type", "设施类型"),
                R("capacity", "容量"),
                C("lat", "纬度"),
                C("lon", "经度"),
            ),
            True,
        ),
        Kind(
            "incidents",
            (
                R("incident_id", "事件编号"),
                R("community_code", "社区代码"),
                C("grid_code", "网格编码"),
                R("category", "类别"),
                C("channel", "渠道"),
                R("reported_at", "上报时间"),
                C("accepted_at", "受理时间"),
                C("dispatched_at", "派遣时间"),
                C("handled_at", "处置时间"),
                C("closed_at", "办结时间"),
                R("status", "状态"),
                C("due_at", "截止时间"),
                C("lat", "纬度"),
                C("lon", "经度"),
                C("description", "描述"),
            ),
            False,
        ),
        Kind(
            "service_visits",
            (
                R("visit_id", "服务编号"),
                R("facility_code", "设施编码"),
                R("visited_at", "服务时间"),
                C("resident_ref", "居民编号"),
                C("age_band", "年龄段"),
                C("units", "人次"),
                C("status", "状态"),
            ),
            False,
        ),
        Kind(
            "points",
            (
                R("txn_id", "交易编号"),
                R("community_code", "社区代码"),
                R("resident_ref", "居民编号"),
                R("occurred_at", "发生时间"),
                R("kind", "类型"),
                C("reason", "事由"),
                R("amount", "积分"),
                C("counterparty", "对方"),
            ),
            False,
        ),
    )
}

# Reference kinds first (facts point at them), in dependency order.
LOAD_ORDER = [
    "streets", "communities", "grids", "facilities", "incidents", "service_visits", "points",
]  # fmt: skip

ENUMS = {
    "street_kind": ("街道", "镇"),
    "level": ("grid", "micro_grid"),
    "facility_type": (
        "canteen", "eldercare", "childcare", "health", "library", "gym", "youth", "activity",
        "other",
    ),
    "channel": ("wechat", "patrol", "hotline", "app", "other"),
    "incident_status": ("reported", "accepted", "dispatched", "handled", "closed", "rejected"),
    "age_band": ("0-3", "4-14", "15-34", "35-59", "60-79", "80+"),
    "visit_status": ("attended", "booked", "no_show", "cancelled"),
    "points_kind": ("earn", "redeem", "expire", "adjust"),
}  # fmt: skip


def normalise_header(label: str) -> str:
    return label.strip().lstrip("\ufeff").strip().lower().replace("（", "(").replace("）", ")")


def kind_from_filename(path: Path) -> str | None:
    """`incidents_2026-05.csv` -> incidents; the longest matching prefix wins."""
    stem = path.name.lower()
    for name in sorted(KINDS, key=len, reverse=True):
        if stem.startswith(name):
            return name
    return None
