"""大比武: every community in scope ranked by a composite index (DESIGN §5: comparisons
use rates per 1,000 residents, never raw counts).

The formula, deterministic and documented in config/league_weights.toml:
  value      each component's figure per community (a count ÷ residents × 1,000, or a rate)
  normalised (value − min) ÷ (max − min) across the communities in scope, 1 − that
             when lower is better; 1 for everyone when max = min; 0 when value missing
  points     normalised × weight ÷ Σ weights × 100
  index      Σ points (0…100); rank by index descending, ties by community code
The previous period (Period.previous()) is ranked the same way over the same
communities; rank change = previous rank − rank (positive: climbed).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from data_access import figures
from data_access.at_once import at_once
from data_access.derived import derived
from data_access.period import Period
from data_access.scope import Scope

WEIGHTS_FILE = Path(__file__).resolve().parent.parent / "config" / "league_weights.toml"
SOURCES = {
    "incident": figures.incident_summary,
    "service": figures.service_summary,
    "points": figures.points_summary,
}


@dataclass(frozen=True)
class Component:
    key: str
    label: str  # an i18n key
    source: str
    column: str
    per_1000: bool
    better: str
    weight: float


@cache
def components(path: Path = WEIGHTS_FILE) -> tuple[Component, ...]:
    with open(path, "rb") as handle:
        config = tomllib.load(handle)
    parts = tuple(Component(**entry) for entry in config["component"])
    for part in parts:
        if part.source not in SOURCES or part.better not in ("higher", "lower"):
            raise ValueError(f"league component {part.key}: bad source or direction")
        if part.weight < 0:
            raise ValueError(f"league component {part.key}: negative weight")
    if not sum(part.weight for part in parts):
        raise ValueError("league weights sum to zero")
    return parts


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _inputs(scope: Scope, period: Period) -> tuple:
    """What a period's league is computed from: the communities, then each source's
    per-community rows (in SOURCES' order)."""
    return (
        figures.communities(scope),
        *(SOURCES[source](scope, period)[1] for source in SOURCES),
    )


def component_values(scope: Scope, period: Period) -> pd.DataFrame:
    """One row per community in scope: code, name, street, residents, each component's value."""
    places, *per_community = _inputs(scope, period)
    frame = places[["community_code", "community_name", "street_name", "residents"]].copy()
    summaries = dict(zip(SOURCES, per_community, strict=True))
    # Column at a time (NaN: no value): row by row took a third of a city-wide rerun.
    people = _numbers(frame["residents"])
    people = people.where(people != 0)
    for part in components():
        rows = summaries[part.source].set_index("community_code")[part.column]
        values = _numbers(frame["community_code"].map(rows))
        frame[part.key] = values / people * 1000 if part.per_1000 else values
    return frame


def _numbers(column: pd.Series) -> pd.Series:
    """Floats, NaN for what is missing or not a number (as _number, a column at a time)."""
    return pd.to_numeric(column.astype(object), errors="coerce").astype(float)


def score(values: pd.DataFrame) -> pd.DataFrame:
    """Points per component, index and rank for the rows of component_values()."""
    frame = values.copy()
    parts = components()
    total_weight = sum(part.weight for part in parts)
    frame["score"] = 0.0
    for part in parts:
        column = _numbers(frame[part.key])
        low, high = column.min(), column.max()  # NaN when no community has a value
        if high == low:
            normalised = pd.Series(1.0, index=column.index)
        else:
            normalised = (column - low) / (high - low)
            if part.better == "lower":
                normalised = 1.0 - normalised
        normalised = normalised.where(column.notna(), 0.0)
        frame[f"{part.key}_points"] = normalised * part.weight / total_weight * 100
        frame["score"] += frame[f"{part.key}_points"]
    frame = frame.sort_values(["score", "community_code"], ascending=[False, True], kind="stable")
    frame["rank"] = range(1, len(frame) + 1)
    return frame.reset_index(drop=True)


@dataclass(frozen=True)
class League:
    table: pd.DataFrame  # ranked: values, <key>_points, score, rank, previous_rank, rank_change
    components: tuple[Component, ...]
    most_improved: dict | None  # the row of the community that climbed most, if any climbed


def league(scope: Scope, period: Period) -> League:
    """The ranked league (shared between reruns while its inputs are the same cached
    results: a city's 3,000 communities took a quarter of a warm rerun to rank)."""
    inputs = (*_inputs(scope, period), *_inputs(scope, period.previous()))
    return derived("league", inputs, lambda: _ranked(scope, period), scope, period)


def _ranked(scope: Scope, period: Period) -> League:
    current = score(component_values(scope, period))
    previous = score(component_values(scope, period.previous()))
    before = dict(zip(previous["community_code"], previous["rank"], strict=True))
    before_score = dict(zip(previous["community_code"], previous["score"], strict=True))
    current["previous_rank"] = current["community_code"].map(before)
    current["rank_change"] = current["previous_rank"] - current["rank"]
    current["score_change"] = current["score"] - current["community_code"].map(before_score)
    climbed = current[current["rank_change"] > 0]
    most_improved = None
    if len(climbed):
        best = climbed.sort_values(
            ["rank_change", "score_change", "community_code"],
            ascending=[False, False, True],
            kind="stable",
        ).iloc[0]
        most_improved = best.to_dict()
    return League(current, components(), most_improved)


# -- one place against its street and the district (社区画像) ----------------------------
PROFILE_RATES = (
    # (key, source, column, per 1,000 residents)
    ("closure_rate", "incident", "closure_rate", False),
    ("on_time_rate", "incident", "on_time_rate", False),
    ("mean_handling_hours", "incident", "mean_handling_hours", False),
    ("open_per_1000", "incident", "open", True),
    ("overdue_per_1000", "incident", "overdue", True),
    ("visits_per_1000", "service", "visits", True),
    ("utilisation", "service", "utilisation", False),
    ("share_60_plus", "service", "share_60_plus", False),
    ("participation", "points", "participation", False),
)


def rates(scope: Scope, period: Period) -> dict[str, float | None]:
    """The scope's comparable figures: rates as they are, counts per 1,000 residents."""
    fetched = at_once(
        *(lambda source=source: SOURCES[source](scope, period)[0] for source in SOURCES)
    )
    totals = dict(zip(SOURCES, fetched, strict=True))
    people = _number(figures.residents(scope))
    result: dict[str, float | None] = {}
    for key, source, column, per_1000 in PROFILE_RATES:
        value = _number(totals[source].get(column))
        if per_1000:
            value = value / people * 1000 if value is not None and people else None
        result[key] = value
    return result


def old_young_share(row: dict) -> float | None:
    """一老一小: residents aged 60+ and under 14 as a share of residents."""
    residents = _number(row.get("residents"))
    old, young = _number(row.get("residents_60_plus")), _number(row.get("residents_under_14"))
    if not residents or old is None or young is None:
        return None
    return (old + young) / residents
