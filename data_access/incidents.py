"""民情事件 beyond the headline figures: the overdue list, one incident's timeline,
daily flow and backlog, handling-time distribution, categories, channels and the
per-community closure table (sql/queries/incidents_detail.sql).

The headline figures stay in figures.incident_summary (one definition each); the
per-community table reads its rows rather than recomputing them.
"""

from __future__ import annotations

import pandas as pd

from data_access import figures
from data_access.derived import derived
from data_access.period import Period
from data_access.runner import fetch
from data_access.scope import Scope

OVERDUE_LIMIT = 200  # the worst first; the 超期未结 tile gives the full count


def _params(scope: Scope, period: Period) -> dict:
    return {"grid_code": scope.grid_code, **period.params()}


def overdue(scope: Scope, period: Period, limit: int = OVERDUE_LIMIT) -> pd.DataFrame:
    """Incidents overdue at the as-of instant, worst first (at most `limit`)."""
    return fetch("overdue_incidents", scope, limit=limit, **_params(scope, period))


def newest(scope: Scope, period: Period, limit: int = 8) -> pd.DataFrame:
    """The latest reports of the day before the as-of instant, newest first."""
    return fetch("newest_incidents", scope, limit=limit, **_params(scope, period))


def timeline(scope: Scope, period: Period, community_code: str, incident_id: str) -> pd.DataFrame:
    """One incident's status steps up to the as-of instant, in time order."""
    return fetch(
        "incident_timeline",
        scope,
        community_code=community_code,
        incident_id=incident_id,
        **_params(scope, period),
    )


def flow_by_day(scope: Scope, period: Period) -> pd.DataFrame:
    """Per day of the period: reported, closed, rejected, backlog at the day's end."""
    return fetch("incident_flow_by_day", scope, **_params(scope, period))


def handling_histogram(scope: Scope, period: Period) -> pd.DataFrame:
    """Incidents closed in the period per handling-time bucket."""
    return fetch("handling_time_histogram", scope, **_params(scope, period))


def categories(scope: Scope, period: Period) -> pd.DataFrame:
    """Per category, with its SLA hours: reported, open, overdue, closed, mean hours."""
    counted = fetch("incident_categories", scope, **_params(scope, period))
    overdue = fetch("incident_overdue_by_category", scope, **_params(scope, period))
    return derived(
        "categories",
        (counted, overdue),
        lambda: figures.beside(counted, overdue, "category_code", "overdue", after="open"),
    )


def channels(scope: Scope, period: Period) -> pd.DataFrame:
    """Incidents reported in the period per channel."""
    return fetch("incident_channels", scope, **_params(scope, period))


PER_1000 = ("reported", "closed", "open", "overdue")


def community_table(scope: Scope, period: Period) -> pd.DataFrame:
    """One row per community in scope: its incident_summary row, its name and residents,
    and the counts of PER_1000 per 1,000 residents (DESIGN §5: compare rates, not counts).

    Narrowed to a grid, the counts are the grid's, so they are divided by the grid's
    residents.
    """
    _, per_community = figures.incident_summary(scope, period)
    places = figures.communities(scope)[
        ["community_code", "community_name", "street_name", "residents"]
    ]
    table = places.merge(per_community, on="community_code", how="inner")
    if scope.grid_code:
        table["residents"] = figures.residents(scope)
    people = pd.to_numeric(table["residents"], errors="coerce")
    people = people.where(people > 0)
    for column in PER_1000:
        table[f"{column}_per_1000"] = pd.to_numeric(table[column]) / people * 1000
    return table.reset_index(drop=True)
