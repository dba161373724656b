"""The rollups checked and timed: each headline figure that reads them against the same
figure computed from the raw facts (benchmarks/naive.sql), for the same scope and
period. A difference is a rollup bug, reported loudly by the suite."""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, text

from benchmarks.table import QUERY_S, Row, ms, percentile, timing_row
from data_access import runner
from data_access.period import Period
from data_access.scope import Scope
from sqlfiles import parse, query

NAIVE = parse((Path(__file__).parent / "naive.sql").read_text(encoding="utf-8"), "naive")
# The figures of sql/queries/ that read rollup_community_day / rollup_facility_day.
# incident_summary reads fact_incident itself: timed, with nothing to compare.
FIGURES = (
    "incident_summary",
    "service_summary",
    "points_summary",
    "points_participation",  # from each resident's last earning (migrations 033, 034)
    "daily_activity",
)
# Read from the street and district rollups (migration 028) when the scope is the whole
# district: checked against the same query told every community by name, which reads
# the community rollups and the facts as a street's does (daily_activity, above, is
# checked against the facts themselves).
AREA_FIGURES = (
    "points_daily",
    "facility_type_weekly_usage",
    "visits_by_age_band",
    "incident_flow_by_day",
)
PERIOD_DAYS = (30, 365)


@dataclass
class FigureCheck:
    figure: str
    scope: str
    days: int
    production: list[float] = field(default_factory=list)
    naive: list[float] = field(default_factory=list)  # empty: the figure reads the facts
    differences: list[str] = field(default_factory=list)
    rows: int = 0
    against: str = "naive"  # what the naive side is: the facts, or every community's rows


def _timed(engine: Engine, sql: str, scope: Scope, session: str, params: dict):
    """(seconds, rows) of one query as the viewer, with the scope set as data_access does."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "SELECT set_config('cockpit.scope', :scope, true),"
                " set_config('cockpit.session', :session, true),"
                " set_config('statement_timeout', '0', true)"  # the naive side may be slow
            ),
            {"scope": scope.setting(), "session": session},
        )
        started = time.perf_counter()
        result = connection.execute(text(sql), params)
        frame = pd.DataFrame(result.mappings().all(), columns=list(result.keys()))
        return time.perf_counter() - started, frame


def _missing(value) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _same(a, b) -> bool:
    """Equal, numbers within rounding (numeric, bigint and double precision mix)."""
    if _missing(a) or _missing(b):
        return _missing(a) and _missing(b)
    if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def differences(production: pd.DataFrame, naive: pd.DataFrame, limit: int = 5) -> list[str]:
    """Where the two results differ (columns, row count, then cells), at most `limit`."""
    if list(production.columns) != list(naive.columns):
        return [f"columns {list(production.columns)} != {list(naive.columns)}"]
    if len(production) != len(naive):
        return [f"{len(production)} rows != {len(naive)} rows"]
    found = []
    pairs = zip(production.itertuples(index=False), naive.itertuples(index=False), strict=True)
    for index, (rolled, facts) in enumerate(pairs):
        for column, a, b in zip(production.columns, rolled, facts, strict=True):
            if not _same(a, b):
                found.append(f"row {index} ({rolled[0]}) {column}: rollup {a!r} != facts {b!r}")
                if len(found) >= limit:
                    return found
    return found


def compare_figures(
    reader: Engine, viewer, as_of: date, repeat: int, scope: Scope | None = None
) -> list[FigureCheck]:
    scope = scope or viewer.scope
    checks = []
    for days in PERIOD_DAYS:
        period = Period.last_days(days, as_of)
        values = {**period.params(), "grid_code": scope.grid_code}
        # as data_access.runner names the scope's communities to the production queries
        values["scope_codes"] = runner.scope_codes(
            scope, reader.url.render_as_string(hide_password=False)
        )
        for figure in FIGURES:
            check = FigureCheck(figure, scope.setting(), days)
            production = query(figure)
            bound = {k: values[k] for k in production.params}
            for _ in range(repeat):
                seconds, rolled = _timed(reader, production.sql, scope, viewer.token_hash, bound)
                check.production.append(seconds)
            check.rows = len(rolled)
            if figure in NAIVE:
                naive = NAIVE[figure]
                naive_bound = {k: values[k] for k in naive.params}
                for _ in range(repeat):
                    seconds, facts = _timed(
                        reader, naive.sql, scope, viewer.token_hash, naive_bound
                    )
                    check.naive.append(seconds)
                check.differences = differences(rolled, facts)
            checks.append(check)
        if values["scope_codes"] is None:
            checks += _area_checks(reader, viewer, scope, values, days, repeat)
    return checks


def _area_checks(reader, viewer, scope, values, days, repeat) -> list[FigureCheck]:
    """The whole district's area-rollup queries against themselves told every community."""
    _, communities = _timed(
        reader, "SELECT community_code FROM dim_community ORDER BY 1", scope, viewer.token_hash, {}
    )
    every = {**values, "scope_codes": list(communities["community_code"])}
    checks = []
    for figure in AREA_FIGURES:
        check = FigureCheck(figure, scope.setting(), days, against="every community")
        named = query(figure)
        for _ in range(repeat):
            seconds, rolled = _timed(
                reader, named.sql, scope, viewer.token_hash, {k: values[k] for k in named.params}
            )
            check.production.append(seconds)
        for _ in range(repeat):
            seconds, by_community = _timed(
                reader, named.sql, scope, viewer.token_hash, {k: every[k] for k in named.params}
            )
            check.naive.append(seconds)
        check.rows = len(rolled)
        check.differences = differences(rolled, by_community)
        checks.append(check)
    return checks


def figure_rows(checks: list[FigureCheck]) -> list[Row]:
    rows = []
    for c in checks:
        what = f"{c.figure} · {c.scope} · {c.days} d"
        if not c.naive:
            row = timing_row(
                "figure (facts only)", f"{what} (reads the facts itself)", c.production, QUERY_S
            )
            rows.append(row)
            continue
        rolled = [percentile(c.production, q) for q in (0.5, 0.95)]
        naive = [percentile(c.naive, q) for q in (0.5, 0.95)]
        ratio = naive[0] / rolled[0] if rolled[0] else float("inf")
        budget_ok = rolled[1] <= QUERY_S
        verdict = ("MISMATCH" if c.differences else "equal") + (", ok" if budget_ok else ", OVER")
        rows.append(
            Row(
                "figure rollup / naive",
                f"{what}: naive ×{ratio:,.1f}"
                + ("" if c.against == "naive" else f" (naive: told {c.against})"),
                len(c.production),
                f"{ms(rolled[0])} / {ms(naive[0])}",
                f"{ms(rolled[1])} / {ms(naive[1])}",
                f"≤ {ms(QUERY_S)}",
                verdict,
            )
        )
    return rows
