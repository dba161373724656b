"""服务场景: usage per facility, week, age band and hour (sql/queries/services_detail.sql).

Counts of residents (unique users) leave here suppressed below 5 (data_access.privacy).
The headline tiles are figures.service_summary; nothing here redefines them.
"""

from __future__ import annotations

import pandas as pd

from data_access.derived import derived
from data_access.period import Period
from data_access.privacy import suppress
from data_access.runner import fetch
from data_access.scope import Scope

# A facility is flagged when its utilisation over the period is outside these bounds.
UNDER_USED = 0.30  # below: under-used (闲置)
OVER_FULL = 0.95  # above: over-full (饱和)

# The order scenes are shown in, and 一老一小一青年 groups in their display order.
FACILITY_TYPES = (
    "canteen", "eldercare", "childcare", "health", "library", "gym", "youth", "activity", "other",
)  # fmt: skip
AGE_GROUPS = ("young", "youth", "middle", "old", "unknown")
WEEKDAYS = tuple(range(1, 8))  # ISO: 1 Monday … 7 Sunday


def _params(period: Period, *names: str) -> dict:
    params = period.params()
    return {name: params[name] for name in names}


def load_flag(utilisation) -> str:
    """under / over / normal against UNDER_USED and OVER_FULL; normal when unknown."""
    if utilisation is None or pd.isna(utilisation):
        return "normal"
    if utilisation < UNDER_USED:
        return "under"
    if utilisation > OVER_FULL:
        return "over"
    return "normal"


def facility_usage(scope: Scope, period: Period) -> pd.DataFrame:
    """One row per facility in scope, with its load flag; unique_users suppressed.
    Shared while the fetched rows are (data_access.derived): read, do not modify."""
    fetched = fetch(
        "facility_usage", scope, **_params(period, "start_day", "end_day", "start_at", "end_at")
    )

    def flagged() -> pd.DataFrame:
        frame = suppress(fetched, ["unique_users"])
        frame["flag"] = [load_flag(value) for value in frame["utilisation"]]
        return frame

    return derived("facility_usage", (fetched,), flagged)


def facility_types(usage: pd.DataFrame) -> list[str]:
    """The facility types present in scope, in display order: only these get a section."""
    present = set(usage["facility_type"])
    return [kind for kind in FACILITY_TYPES if kind in present]


def weekly_usage(scope: Scope, period: Period) -> pd.DataFrame:
    """One row per facility type in scope per ISO week overlapping the period."""
    return fetch("facility_type_weekly_usage", scope, **_params(period, "start_day", "end_day"))


def visits_by_age_band(scope: Scope, period: Period) -> pd.DataFrame:
    """One row per facility type and age band with visits; age_group is 一老一小一青年."""
    return fetch("visits_by_age_band", scope, **_params(period, "start_day", "end_day"))


def visit_heatmap(scope: Scope, period: Period, facility_type: str | None = None) -> pd.DataFrame:
    """Weekday × hour cells of one facility type (None: all), unique_users suppressed."""
    frame = fetch("visit_heatmap", scope, **_params(period, "start_at", "end_at"))
    if facility_type is None:
        cells = frame[frame["facility_type"].isna()]
    else:
        cells = frame[frame["facility_type"] == facility_type]
    return suppress(cells.reset_index(drop=True), ["unique_users"])
