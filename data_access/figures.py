"""The figures of DESIGN §5, one definition each (the SQL in sql/queries/), for a scope.

Each subject's summary returns one row per community in scope plus the scope's total;
the single-figure functions read the total. Rates are fractions (0.87), hours are
floats, counts are ints; None where a figure has no denominator.
"""

from __future__ import annotations

import math

import pandas as pd

from data_access.derived import derived
from data_access.period import Period
from data_access.runner import fetch
from data_access.scope import Scope


def split_total(frame: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """(the total row as a dict, the per-community rows; shared: read, do not modify).
    Kept per fetched frame: the same cached result splits to the same objects, so what
    is derived from them (the league) can be kept too."""
    total, per_community = derived("split", (frame,), lambda: _split_now(frame))
    return dict(total), per_community


def _split_now(frame: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    total_rows = frame[frame["community_code"].isna()]
    total = total_rows.iloc[0].to_dict() if len(total_rows) else {}
    per_community = frame[frame["community_code"].notna()].reset_index(drop=True)
    return {k: _clean(v) for k, v in total.items()}, per_community


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if hasattr(value, "is_finite"):  # Decimal
        value = float(value)
    return value


def incident_summary(scope: Scope, period: Period) -> tuple[dict, pd.DataFrame]:
    params = period.params()
    counted = fetch("incident_summary", scope, grid_code=scope.grid_code, **params)
    overdue = fetch("incident_overdue_counts", scope, grid_code=scope.grid_code, **params)
    frame = derived(  # each row's overdue count beside its open count
        "with_overdue",
        (counted, overdue),
        lambda: beside(counted, overdue, "community_code", "overdue", after="open"),
    )
    return split_total(frame)


def beside(
    counted: pd.DataFrame, counts: pd.DataFrame, key: str, column: str, after: str
) -> pd.DataFrame:
    """`counted`'s rows with `counts`' `column` inserted after `after`, matched by `key`
    (the total row's NULL key matches the total row); 0 for a row `counts` has not (a
    figure that moves with the clock, asked apart from the rest, counts only what it
    finds)."""
    by_key = {
        (None if pd.isna(code) else code): int(value)
        for code, value in zip(counts[key], counts[column], strict=True)
    }
    values = [by_key.get(None if pd.isna(code) else code, 0) for code in counted[key]]
    frame = counted.copy()
    at = frame.columns.get_loc(after) + 1
    frame.insert(at, column, pd.Series(values, index=frame.index, dtype="int64"))
    return frame


def service_summary(scope: Scope, period: Period) -> tuple[dict, pd.DataFrame]:
    return split_total(fetch("service_summary", scope, **period.params()))


def points_summary(scope: Scope, period: Period) -> tuple[dict, pd.DataFrame]:
    params = period.params()
    counted = fetch("points_summary", scope, **params)
    earners = fetch("points_participation", scope, **params)
    frame = derived("with_earners", (counted, earners), lambda: _with_earners(counted, earners))
    return split_total(frame)


def _with_earners(counted: pd.DataFrame, earners: pd.DataFrame) -> pd.DataFrame:
    """points_summary's rows with earners_30d and 参与率 (participation: earners ÷
    residents, None without residents) after outstanding; residents dropped."""
    frame = beside(counted, earners, "community_code", "earners_30d", after="outstanding")
    residents = frame.pop("residents")
    participation = [
        count / float(people) if pd.notna(people) and people else None
        for count, people in zip(frame["earners_30d"], residents, strict=True)
    ]
    at = frame.columns.get_loc("earners_30d") + 1
    frame.insert(at, "participation", pd.Series(participation, index=frame.index, dtype="float64"))
    return frame


def _incident(scope: Scope, period: Period, key: str):
    return incident_summary(scope, period)[0].get(key)


def _service(scope: Scope, period: Period, key: str):
    return service_summary(scope, period)[0].get(key)


def _points(scope: Scope, period: Period, key: str):
    return points_summary(scope, period)[0].get(key)


# -- incidents (未结事件 … 隐患整改) --------------------------------------------------
def open_incidents(scope, period):
    return _incident(scope, period, "open")


def overdue_incidents(scope, period):
    return _incident(scope, period, "overdue")


def new_today(scope, period):
    return _incident(scope, period, "new_today")


def closed_incidents(scope, period):
    return _incident(scope, period, "closed")


def closure_rate(scope, period):
    return _incident(scope, period, "closure_rate")


def on_time_rate(scope, period):
    return _incident(scope, period, "on_time_rate")


def mean_handling_hours(scope, period):
    return _incident(scope, period, "mean_handling_hours")


def median_handling_hours(scope, period):
    return _incident(scope, period, "median_handling_hours")


def p90_handling_hours(scope, period):
    return _incident(scope, period, "p90_handling_hours")


def first_response_hours(scope, period):
    return _incident(scope, period, "first_response_hours")


def hazards_fixed(scope, period):
    return _incident(scope, period, "hazards_fixed")


# -- services (服务人次 … no-show) ------------------------------------------------------
def visits(scope, period):
    return _service(scope, period, "visits")


def unique_users(scope, period):
    return _service(scope, period, "unique_users")


def utilisation(scope, period):
    return _service(scope, period, "utilisation")


def share_60_plus(scope, period):
    return _service(scope, period, "share_60_plus")


def no_show_rate(scope, period):
    return _service(scope, period, "no_show_rate")


# -- points (积分发放 … velocity) -------------------------------------------------------
def points_issued(scope, period):
    return _points(scope, period, "issued")


def points_redeemed(scope, period):
    return _points(scope, period, "redeemed")


def points_expired(scope, period):
    return _points(scope, period, "expired")


def points_outstanding(scope, period):
    return _points(scope, period, "outstanding")


def participation(scope, period):
    return _points(scope, period, "participation")


def redemption_rate(scope, period):
    return _points(scope, period, "redemption_rate")


def velocity(scope, period):
    return _points(scope, period, "velocity")


# -- the scope itself -------------------------------------------------------------------
def communities(scope: Scope) -> pd.DataFrame:
    return fetch("communities_in_scope", scope)


def grids(scope: Scope) -> pd.DataFrame:
    return fetch("grids_in_scope", scope)


def facilities(scope: Scope) -> pd.DataFrame:
    return fetch("facilities_in_scope", scope)


def residents(scope: Scope) -> int:
    """常住人口 of the scope: the grid's when narrowed to a grid, else its communities'."""
    if scope.grid_code:
        grid_rows = grids(scope)
        row = grid_rows[grid_rows["grid_code"] == scope.grid_code]
        if len(row) and pd.notna(row.iloc[0]["residents"]):
            return int(row.iloc[0]["residents"])
    return int(communities(scope)["residents"].fillna(0).sum())


def daily_activity(scope: Scope, period: Period) -> pd.DataFrame:
    params = period.params()
    return fetch("daily_activity", scope, start_day=params["start_day"], end_day=params["end_day"])
