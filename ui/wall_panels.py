"""The wall screen's panels, each built from the same data_access results the desk
pages show (one definition per figure): the map, figure blocks, the live strip
(newest reports, the overdue list, the league's top five) and small charts."""

from __future__ import annotations

import html

import pandas as pd

from data_access import geo
from data_access.derived import derived
from data_access.period import LOCAL, Period
from data_access.scope import Scope
from ui import map_context, map_view, wall, wall_map
from ui.formatting import format_hours, format_number, format_points_change, format_rate
from ui.i18n import current_language, t
from ui.incident_views import bucket_label
from ui.map_view import short_label
from ui.service_views import type_name
from ui.wall import Figure

STRIP_ROWS = 5
LEAGUE_ROWS = 5

INCIDENT_FIGURES = (
    Figure("fig.open", "open", "count", True, "incidents_reported"),
    Figure("fig.overdue", "overdue", "count", True, "incidents_reported"),
    Figure("fig.closure_rate", "closure_rate", "rate", False, "incidents_closed"),
    Figure("fig.on_time_rate", "on_time_rate", "rate", False, "incidents_closed"),
)
INCIDENT_MORE = (
    Figure("fig.closed", "closed", "count", False, "incidents_closed"),
    Figure("fig.mean_handling_hours", "mean_handling_hours", "hours", True, "incidents_closed"),
    Figure("fig.median_handling_hours", "median_handling_hours", "hours", True, "incidents_closed"),
    Figure("fig.hazards_fixed", "hazards_fixed", "count", False, "incidents_closed"),
)
SERVICE_FIGURES = (
    Figure("fig.visits", "visits", "count", False, "visits"),
    Figure("fig.unique_users", "unique_users", "count", False, "visits"),
    Figure("fig.utilisation", "utilisation", "rate", False, "visits"),
    Figure("fig.share_60_plus", "share_60_plus", "rate", False, "visits"),
)
SERVICE_MORE = (
    Figure("services.no_show_rate", "no_show_rate", "rate", True),
    Figure("fig.unique_users", "unique_users", "count", False, "visits"),
)
POINTS_FIGURES = (
    Figure("fig.issued", "issued", "count", False, "points_issued"),
    Figure("fig.redeemed", "redeemed", "count", False, "points_redeemed"),
    Figure("fig.outstanding", "outstanding", "count", False, "points_redeemed"),
    Figure("fig.participation", "participation", "rate", False, "points_issued"),
)


# -- the map ---------------------------------------------------------------------------
def map_panel(
    scope: Scope, period: Period, measure: str, incidents: pd.DataFrame | None = None
) -> str:
    """The scope's areas one level down, coloured by `measure` (an incident measure
    where the level has no other), with the open incidents as points (if given)."""
    level = geo.default_level(scope)
    if measure not in geo.measures_at(level):
        measure = geo.measures_at(level)[0]
    areas = map_view.prepared_areas(scope, level)
    colouring = map_view.colour_areas(geo.area_measures(scope, period, level), measure)
    outlines = map_view.prepared_areas(scope, "community") if level != "community" else None
    label = t(f"map.measure.{measure}")
    street = next(
        (
            f
            for f in map_context.features("street")
            if scope.kind == "street" and f.code == scope.code
        ),
        None,
    )
    svg, _ = derived(
        "wall_map",
        (areas, colouring, incidents, outlines),
        lambda: wall_map.svg(areas, colouring, incidents, outlines, label, street),
        current_language(),
        scope.setting(),
    )
    if not svg:
        empty = html.escape(t("map.no_areas"))
        return f'<div class="wall-map"><div class="w-empty">{empty}</div></div>'
    caption = f"{t('page.map')} · {label}（{map_view.measure_unit(measure)}）"
    return wall.map_block(svg, _legend(colouring, incidents), caption)


def _legend(colouring: map_view.Colouring, incidents: pd.DataFrame) -> str:
    parts = [
        f"{_swatch(colour)}{html.escape(text)}<br/>"
        for colour, text in map_view.legend_rows(colouring)
    ]
    if incidents is None or incidents.empty:
        return "".join(parts)
    dots = "".join(
        f'<span class="dot" style="background:{wall_map.css_rgb(c)}"></span>{html.escape(t(key))}'
        for c, key in (
            (map_view.POINT_OVERDUE, "wall.dot.overdue"),
            (map_view.POINT_DUE_SOON, "wall.dot.due_soon"),
            (map_view.POINT_IN_TIME, "wall.dot.in_time"),
        )
    )
    parts.append(dots)
    if len(incidents) > wall_map.POINTS_MAX:
        parts.append(f"<br/>{html.escape(t('wall.points_cap', n=f'{wall_map.POINTS_MAX:,}'))}")
    return "".join(parts)


def _swatch(colour) -> str:
    return f'<span class="swatch" style="background:{wall_map.css_rgb(colour)}"></span>'


# -- figures -----------------------------------------------------------------------------
def figures_panel(
    title_key: str, summary: dict, before: dict, shown, testid: str, daily=None
) -> str:
    body = wall.figures(summary, before, shown, daily)
    return wall.panel(t(title_key), body, testid, grow=0, meta=t("wall.meta.vs_previous"))


# -- the live strip ------------------------------------------------------------------------
def _missing_as_dash(value) -> str:
    """A cell's text; a NULL (None or NaN, as pandas gives it) is a dash."""
    return "—" if value is None or pd.isna(value) else str(value)


def _grid(name) -> str:
    """A grid's short name; an incident placed on no grid has a dash."""
    text = _missing_as_dash(name)
    return text if text == "—" else short_label(text, "micro_grid")


def _clock(moment, latest) -> str:
    """HH:MM, or 昨 HH:MM for the day before the latest report's day."""
    moment, latest = pd.Timestamp(moment).tz_convert(LOCAL), pd.Timestamp(latest).tz_convert(LOCAL)
    if moment.date() == latest.date():
        return moment.strftime("%H:%M")
    return t("wall.yesterday", time=moment.strftime("%H:%M"))


def newest_panel(newest: pd.DataFrame) -> str:
    body = [
        (
            _clock(row.reported_at, newest["reported_at"].max()),
            row.category_name,
            row.community_name,
            _grid(row.grid_name),
            t("wall.closed") if row.closed else t("wall.open"),
        )
        for row in newest.head(STRIP_ROWS).itertuples()
    ]
    header = (
        t("wall.col.time"),
        t("wall.col.category"),
        t("wall.col.community"),
        t("wall.col.grid"),
        t("wall.col.state"),
    )
    return wall.panel(
        t("wall.newest"),
        wall.rows(header, body, "wallNewest", t("wall.newest_none")),
        "wallNewestPanel",
        meta=t("wall.meta.newest_first"),
    )


def overdue_panel(overdue: pd.DataFrame, total, soon=None, t_now=None) -> str:
    """The longest overdue first; when fewer than a strip's rows are overdue, the 预警
    alerts due soonest (`soon`, data_access.alerts.due_soonest) fill the rest: what to
    chase next."""
    body = [
        (
            row.community_name,
            row.category_name,
            _grid(row.grid_name),
            _missing_as_dash(row.worker),
            format_hours(row.hours_overdue),
        )
        for row in overdue.head(STRIP_ROWS).itertuples()
    ]
    if soon is not None and t_now is not None and len(body) < STRIP_ROWS:
        for row in soon.head(STRIP_ROWS - len(body)).itertuples():
            left = (row.due_at - t_now).total_seconds() / 3600
            body.append(
                (
                    row.community_name,
                    row.category_name,
                    _grid(row.grid_name),
                    _missing_as_dash(row.worker),
                    t("wall.due_in", hours=format_hours(max(left, 0))),
                )
            )
    header = (
        t("wall.col.community"),
        t("wall.col.category"),
        t("wall.col.grid"),
        t("wall.col.worker"),
        t("wall.col.hours_overdue"),
    )
    title = t("wall.overdue", n=format_number(total or 0, 0))
    return wall.panel(
        title,
        wall.rows(header, body, "wallOverdue", t("incidents.overdue_none")),
        "wallOverduePanel",
        meta=t("wall.meta.longest_first"),
    )


def league_panel(table: pd.DataFrame, title: str | None = None) -> str:
    body = []
    for row in table.head(LEAGUE_ROWS).itertuples():
        change = row.rank_change
        arrow = "—" if pd.isna(change) or change == 0 else ("▲" if change > 0 else "▼")
        body.append(
            (
                int(row.rank),
                row.community_name,
                format_number(row.score),
                f"{arrow} {format_points_change(change)}" if arrow != "—" else arrow,
            )
        )
    header = (t("league.rank"), t("league.community"), t("league.score"), t("league.change"))
    return wall.panel(
        title or t("wall.league", n=min(len(table), LEAGUE_ROWS)),
        wall.rows(header, body, "wallLeague", t("league.empty")),
        "wallLeaguePanel",
        meta=t("wall.meta.index"),
    )


def league_bars_panel(table: pd.DataFrame, title: str) -> str:
    """Further down the league, as bars on the index's own 0–100 scale: on a side
    screen a bar reads from farther away than a row of a table."""
    items = []
    for row in table.itertuples():
        change = row.rank_change
        moved = (
            ""
            if pd.isna(change) or change == 0
            else (f"  {'▲' if change > 0 else '▼'} {format_points_change(change)}")
        )
        items.append((f"{int(row.rank)}  {row.community_name}", float(row.score),
                      f"{format_number(row.score)}{moved}"))  # fmt: skip
    return wall.panel(
        title,
        wall.bars(items, testid="wallLeagueBars", scale_top=100.0),
        "wallLeagueNext",
        meta=t("wall.meta.index"),
    )


# -- charts ----------------------------------------------------------------------------------
def flow_panel(flow: pd.DataFrame, days: int = 30) -> str:
    recent = flow.tail(days)
    x = [pd.Timestamp(day).strftime("%m-%d") for day in recent["day"]]
    chart = wall.lines(
        x,
        [
            (t("wall.reported"), recent["reported"].tolist(), wall.BAR),
            (t("wall.closed_daily"), recent["closed"].tolist(), wall.SECOND),
        ],
        testid="wallFlow",
    )
    return wall.panel(
        t("wall.flow", n=len(recent)), chart, "wallFlowPanel", 1.3, t("wall.meta.per_day")
    )


def category_panel(categories: pd.DataFrame, limit: int = 7) -> str:
    shown = categories.sort_values("reported", ascending=False, kind="stable").head(limit)
    items = [
        (row.category_name, float(row.reported), format_number(row.reported, 0))
        for row in shown.itertuples()
    ]
    return wall.panel(
        t("wall.categories"),
        wall.bars(items, testid="wallCategories"),
        "wallCategoriesPanel",
        meta=t("wall.meta.reported"),
    )


def channel_panel(channels: pd.DataFrame) -> str:
    items = [
        (t(f"incidents.channel.{row.channel}"), float(row.reported), format_number(row.reported, 0))
        for row in channels.itertuples()
    ]
    return wall.panel(
        t("wall.channels"),
        wall.bars(items, wall.SECOND, "wallChannels"),
        meta=t("wall.meta.reported"),
    )


def histogram_panel(histogram: pd.DataFrame) -> str:
    items = [
        (
            bucket_label(row.lower_hours, row.upper_hours),
            float(row.closed),
            format_number(row.closed, 0),
        )
        for row in histogram.itertuples()
    ]
    return wall.panel(
        t("wall.histogram"), wall.bars(items, testid="wallHistogram"), meta=t("wall.meta.hours")
    )


def community_closure_panel(table: pd.DataFrame) -> str:
    ranked = table.sort_values("closure_rate", ascending=False, kind="stable").head(STRIP_ROWS + 2)
    items = [
        (row.community_name, float(row.closure_rate or 0), format_rate(row.closure_rate))
        for row in ranked.itertuples()
    ]
    return wall.panel(
        t("fig.closure_rate"),
        wall.bars(items, testid="wallClosure"),
        meta=t("wall.meta.best_first"),
    )


def ages_panel(ages: pd.DataFrame) -> str:
    by_band = ages.groupby(["band_order", "age_band"], as_index=False)["visits"].sum()
    items = [
        (row.age_band, float(row.visits), format_number(row.visits, 0))
        for row in by_band.sort_values("band_order").itertuples()
    ]
    return wall.panel(
        t("wall.ages"), wall.bars(items, testid="wallAges"), meta=t("wall.meta.this_period")
    )


def utilisation_panel(usage: pd.DataFrame, lowest: bool = False, limit: int = 8) -> str:
    ranked = usage.dropna(subset=["utilisation"]).sort_values(
        ["utilisation", "facility_code"], ascending=[lowest, True], kind="stable"
    )
    items = [
        (row.facility_name, float(row.utilisation), format_rate(row.utilisation))
        for row in ranked.head(limit).itertuples()
    ]
    title = t("wall.utilisation_low" if lowest else "wall.utilisation", n=len(items))
    return wall.panel(
        title, wall.bars(items, wall.SECOND if lowest else wall.BAR, "wallUtilisation")
    )


def trend_panel(weekly: pd.DataFrame) -> str:
    per_week = weekly.groupby("week_start", as_index=False)["visits"].sum()
    chart = wall.lines(
        [pd.Timestamp(week).strftime("%m-%d") for week in per_week["week_start"]],
        [(t("fig.visits"), [float(v) for v in per_week["visits"]], wall.BAR)],
        testid="wallTrend",
    )
    return wall.panel(t("wall.trend"), chart, grow=1.4, meta=t("wall.meta.per_week"))


def scenes_panel(usage: pd.DataFrame) -> str:
    per_type = usage.groupby("facility_type", as_index=False).agg(
        facilities=("facility_code", "count"), visits=("attended_visits", "sum")
    )
    items = [
        (type_name(row.facility_type), float(row.visits), format_number(row.visits, 0))
        for row in per_type.sort_values("visits", ascending=False).itertuples()
    ]
    return wall.panel(
        t("wall.scenes"),
        wall.bars(items[:6], wall.SECOND, "wallScenes"),
        meta=t("wall.meta.this_period"),
    )


def flows_panel(title_key: str, flows: pd.DataFrame, colour: str, limit: int = 7) -> str:
    shown = flows.head(limit)
    items = [
        (row.label, float(row.points), format_number(row.points, 0)) for row in shown.itertuples()
    ]
    return wall.panel(
        t(title_key, n=len(items)),
        wall.bars(items, colour, "wallFlows"),
        meta=t("wall.meta.points_this_period"),
    )


def points_daily_panel(daily: pd.DataFrame, days: int = 30) -> str:
    recent = daily.tail(days)
    chart = wall.lines(
        [pd.Timestamp(day).strftime("%m-%d") for day in recent["day"]],
        [
            (t("wall.issued"), [float(v) for v in recent["issued"]], wall.BAR),
            (t("wall.redeemed"), [float(v) for v in recent["redeemed"]], wall.SECOND),
        ],
        testid="wallPointsDaily",
    )
    return wall.panel(
        t("wall.points_daily"), chart, grow=1.4, meta=t("wall.meta.days", n=len(recent))
    )


def points_more_panel(summary: dict, before: dict) -> str:
    shown = (
        Figure("points.redemption_rate", "redemption_rate", "rate"),
        Figure("wall.earners", "earners_30d", "count"),
    )
    return figures_panel("wall.points_more", summary, before, shown, "wallPointsMore")


def holders_panel(holders: pd.DataFrame, communities: pd.DataFrame, limit: int = 8) -> str:
    names = dict(zip(communities["community_code"], communities["community_name"], strict=True))
    ranked = holders.dropna(subset=["community_code", "holders_share"]).sort_values(
        ["holders_share", "community_code"], ascending=[False, True], kind="stable"
    )
    items = [
        (names.get(row.community_code, row.community_code), float(row.holders_share),
         format_rate(row.holders_share))
        for row in ranked.head(limit).itertuples()
    ]  # fmt: skip
    return wall.panel(
        t("wall.holders"), wall.bars(items, testid="wallHolders"), meta=t("wall.meta.holders")
    )


def ranking_panel(table: pd.DataFrame, column: str, lower_is_better: bool) -> str:
    """The communities by one column of incidents.community_table (or a community's
    grids, named alike), worst first where lower is better; the column's label is the
    figure's (fig.<column>)."""
    label_key = f"fig.{column}"
    ranked = table.dropna(subset=[column]).sort_values(
        [column, "community_code"], ascending=[not lower_is_better, True], kind="stable"
    )
    rate = column.endswith("_rate")
    decimals = 0 if column in ("open", "overdue") else 1  # counts, or per 1,000
    items = [
        (
            row.community_name,
            float(getattr(row, column)),
            format_rate(getattr(row, column))
            if rate
            else format_number(getattr(row, column), decimals),
        )
        for row in ranked.head(12).itertuples()
    ]
    colour = wall.BAD if lower_is_better else wall.BAR
    order = "wall.meta.worst_first" if lower_is_better else "wall.meta.best_first"
    return wall.panel(
        t("wall.ranking", label=t(label_key)),
        wall.bars(items, colour, "wallRanking"),
        meta=t(order),
    )


LADDER_COLOURS = {"warning": "#ffb020", "overdue": "#ff6b5e", "escalated": "#ff3b6b"}


def alerts_panel(counts: dict[str, int]) -> str:
    """The 督办 ladder's open alerts per level (data_access.alerts.level_counts), each
    with a bar against the largest level, so the ladder's shape reads at a glance."""
    largest = max((counts.get(level, 0) for level in LADDER_COLOURS), default=0) or 1
    cells = "".join(
        f'<div class="w-rung" data-level="{level}">'
        f'<div class="w-fig-label">{html.escape(t(f"alerts.level.{level}"))}</div>'
        f'<div class="w-rung-value" style="color:{colour}" data-testid="wallAlertCount">'
        f"{format_number(counts.get(level, 0), 0)}</div>"
        f'<div class="w-rung-bar"><span style="width:{counts.get(level, 0) / largest * 100:.1f}%;'
        f'background:{colour}"></span></div></div>'
        for level, colour in LADDER_COLOURS.items()
    )
    body = f'<div class="w-ladder">{cells}</div>'
    return wall.panel(t("wall.alerts"), body, "wallAlerts", 0, t("wall.meta.alerts"))


def per_community_panel(
    frame: pd.DataFrame, communities: pd.DataFrame, column: str, label_key: str, limit: int = 12
) -> str:
    """Communities by one column of a summary's per-community rows (a rate), highest
    first; names from figures.communities."""
    names = dict(zip(communities["community_code"], communities["community_name"], strict=True))
    ranked = frame.dropna(subset=["community_code", column]).sort_values(
        [column, "community_code"], ascending=[False, True], kind="stable"
    )
    items = [
        (names.get(code, code), float(value), format_rate(value))
        for code, value in zip(ranked["community_code"], ranked[column], strict=True)
    ][:limit]
    return wall.panel(
        t("wall.ranking", label=t(label_key)),
        wall.bars(items, testid="wallPerCommunity"),
        meta=t("wall.meta.best_first"),
    )


def outstanding_panel(daily: pd.DataFrame, days: int = 30) -> str:
    recent = daily.tail(days)
    chart = wall.lines(
        [pd.Timestamp(day).strftime("%m-%d") for day in recent["day"]],
        [(t("fig.outstanding"), [float(v) for v in recent["outstanding"]], wall.BAR)],
        testid="wallOutstanding",
    )
    return wall.panel(t("fig.outstanding"), chart, meta=t("wall.meta.days", n=len(recent)))
