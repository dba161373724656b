"""The playlist pages as composed for the wall (`mode=screen`): each function reads
like the screen it draws, map in the centre, panels around it, the live strip along
the bottom, and on a 3×1 wall two more columns each side.

Every result comes from data_access, fetched at once; the same figure as on the desk.
"""

from __future__ import annotations

from types import SimpleNamespace

from data_access import alerts, figures, geo, league, points, services
from data_access import incidents as incident_data
from data_access.at_once import at_once
from data_access.period import Period
from data_access.scope import Scope
from ui import map_view, wall, wall_panels
from ui.i18n import t
from ui.map_view import short_label
from ui.wall import Wall
from ui.wall_panels import (
    INCIDENT_FIGURES,
    INCIDENT_MORE,
    POINTS_FIGURES,
    SERVICE_FIGURES,
    SERVICE_MORE,
)


def _fetch(**calls) -> SimpleNamespace:
    """Run the named data_access calls at once; their results by name."""
    return SimpleNamespace(**dict(zip(calls, at_once(*calls.values()), strict=True)))


def _t(period: Period):
    return period.params()["t"]


SUMMARIES = {"inc": figures.incident_summary, "svc": figures.service_summary,
             "pts": figures.points_summary}  # fmt: skip


def _summaries(scope: Scope, period: Period, *subjects: str) -> dict:
    """The calls for the named subjects' figures (this period's and the previous'),
    and the daily activity drawn beside them: a page fetches only what it shows."""
    previous = period.previous()
    calls = {"daily": lambda: figures.daily_activity(scope, period)}
    for name in subjects:
        summary = SUMMARIES[name]  # [0]: each summary's total row, the scope's figures
        calls[name] = lambda summary=summary: summary(scope, period)[0]
        calls[f"{name}_before"] = lambda summary=summary: summary(scope, previous)[0]
    return calls


def _grids_ranked(scope: Scope, period: Period):
    """A community screen ranks its grids, not its one community: the grids' incident
    measures (the map's, data_access.geo) named as the rankings expect; None above."""
    if scope.kind not in ("community", "grid"):
        return None
    level = geo.default_level(scope)
    measures = geo.area_measures(scope, period, level)
    names = map_view.prepared_areas(scope, level)[["area_code", "area_name"]]
    named = measures.merge(names, on="area_code", how="left")
    named["area_name"] = [
        short_label(name, level) for name in named["area_name"].fillna(named["area_code"])
    ]
    return named.rename(columns={"area_code": "community_code", "area_name": "community_name"})


def overview(scope: Scope, period: Period) -> None:
    d = _fetch(
        **_summaries(scope, period, "inc", "svc", "pts"),
        open_now=lambda: geo.open_incidents(scope, period),
        newest=lambda: incident_data.newest(scope, period),
        overdue=lambda: incident_data.overdue(scope, period, limit=wall_panels.STRIP_ROWS),
        ranked=lambda: league.league(scope, period),
        flow=lambda: incident_data.flow_by_day(scope, period),
        categories=lambda: incident_data.categories(scope, period),
        points_daily=lambda: points.daily(scope, period),
        ladder=lambda: alerts.level_counts(scope, _t(period)),
        soon=lambda: alerts.due_soonest(scope, wall_panels.STRIP_ROWS, _t(period)),
    )
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel("wall.incidents", d.inc, d.inc_before,
                                          INCIDENT_FIGURES, "wallIncidents", d.daily),
                wall_panels.alerts_panel(d.ladder),
                wall_panels.flow_panel(d.flow),
            ],
            centre=wall_panels.map_panel(scope, period, "open_per_1000", d.open_now),
            right=[
                wall_panels.figures_panel("wall.services", d.svc, d.svc_before,
                                          SERVICE_FIGURES, "wallServices", d.daily),
                wall_panels.figures_panel("wall.points", d.pts, d.pts_before,
                                          POINTS_FIGURES, "wallPoints", d.daily),
            ],
            bottom=[
                wall_panels.newest_panel(d.newest),
                wall_panels.overdue_panel(d.overdue, d.inc.get("overdue"), d.soon, _t(period)),
                # a league of one or two says nothing: their categories instead
                wall_panels.league_panel(d.ranked.table)
                if len(d.ranked.table) >= 3
                else wall_panels.category_panel(d.categories),
            ],
            extra_left=[
                wall_panels.figures_panel("wall.handling", d.inc, d.inc_before,
                                          INCIDENT_MORE, "wallHandling", d.daily),
                wall_panels.category_panel(d.categories),
            ],
            extra_right=[
                wall_panels.points_daily_panel(d.points_daily),
                # a street of five communities or fewer has no one further down
                wall_panels.league_bars_panel(d.ranked.table.iloc[5:10], t("wall.league_next"))
                if len(d.ranked.table) > wall_panels.LEAGUE_ROWS
                else wall_panels.outstanding_panel(d.points_daily),
            ],
        )
    )  # fmt: skip


def incidents(scope: Scope, period: Period) -> None:
    d = _fetch(
        **_summaries(scope, period, "inc"),
        open_now=lambda: geo.open_incidents(scope, period),
        newest=lambda: incident_data.newest(scope, period),
        overdue=lambda: incident_data.overdue(scope, period, limit=wall_panels.STRIP_ROWS),
        flow=lambda: incident_data.flow_by_day(scope, period),
        categories=lambda: incident_data.categories(scope, period),
        channels=lambda: incident_data.channels(scope, period),
        histogram=lambda: incident_data.handling_histogram(scope, period),
        closure=lambda: incident_data.community_table(scope, period),
        ladder=lambda: alerts.level_counts(scope, _t(period)),
        soon=lambda: alerts.due_soonest(scope, wall_panels.STRIP_ROWS, _t(period)),
        grids=lambda: _grids_ranked(scope, period),
    )
    grids = d.grids
    ranked = d.closure if grids is None else grids
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel("wall.incidents", d.inc, d.inc_before,
                                          INCIDENT_FIGURES, "wallIncidents", d.daily),
                wall_panels.alerts_panel(d.ladder),
                wall_panels.category_panel(d.categories),
            ],
            centre=wall_panels.map_panel(scope, period, "overdue_per_1000", d.open_now),
            right=[
                wall_panels.figures_panel("wall.handling", d.inc, d.inc_before,
                                          INCIDENT_MORE, "wallHandling", d.daily),
                wall_panels.channel_panel(d.channels),
            ],
            bottom=[
                wall_panels.flow_panel(d.flow),
                wall_panels.overdue_panel(d.overdue, d.inc.get("overdue"), d.soon, _t(period)),
                wall_panels.newest_panel(d.newest),
            ],
            extra_left=[
                wall_panels.histogram_panel(d.histogram),
                wall_panels.community_closure_panel(d.closure)
                if grids is None
                else wall_panels.ranking_panel(grids, "open", True),
            ],
            extra_right=[
                wall_panels.ranking_panel(ranked, "overdue_per_1000", True),
                wall_panels.ranking_panel(ranked, "open_per_1000", True),
            ],
        )
    )  # fmt: skip


def services_wall(scope: Scope, period: Period) -> None:
    d = _fetch(
        **_summaries(scope, period, "svc"),
        usage=lambda: services.facility_usage(scope, period),
        weekly=lambda: services.weekly_usage(scope, period),
        ages=lambda: services.visits_by_age_band(scope, period),
        per_community=lambda: figures.service_summary(scope, period)[1],
        communities=lambda: figures.communities(scope),
    )
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel("wall.services", d.svc, d.svc_before,
                                          SERVICE_FIGURES, "wallServices", d.daily),
                wall_panels.ages_panel(d.ages),
            ],
            centre=wall_panels.map_panel(scope, period, "visits"),
            right=[wall_panels.utilisation_panel(d.usage, limit=14)],
            bottom=[
                wall_panels.trend_panel(d.weekly),
                wall_panels.scenes_panel(d.usage),
            ],
            extra_left=[
                wall_panels.figures_panel("wall.services_more", d.svc, d.svc_before,
                                          SERVICE_MORE, "wallServicesMore", d.daily),
                wall_panels.utilisation_panel(d.usage, lowest=True),
            ],
            extra_right=[
                wall_panels.per_community_panel(d.per_community, d.communities, "utilisation",
                                                "fig.utilisation"),
                wall_panels.per_community_panel(d.per_community, d.communities, "share_60_plus",
                                                "fig.share_60_plus"),
            ],
        )
    )  # fmt: skip


def points_wall(scope: Scope, period: Period) -> None:
    d = _fetch(
        **_summaries(scope, period, "pts"),
        sources=lambda: points.by_reason(scope, period),
        sinks=lambda: points.by_counterparty(scope, period),
        points_daily=lambda: points.daily(scope, period),
        holders=lambda: points.holders(scope, period)[1],
        communities=lambda: figures.communities(scope),
        per_community=lambda: figures.points_summary(scope, period)[1],
    )
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel("wall.points", d.pts, d.pts_before,
                                          POINTS_FIGURES, "wallPoints", d.daily),
                wall_panels.flows_panel("wall.sources", d.sources, wall.BAR),
            ],
            centre=wall_panels.map_panel(scope, period, "participation"),
            right=[wall_panels.flows_panel("wall.sinks", d.sinks, wall.SECOND, limit=14)],
            bottom=[wall_panels.points_daily_panel(d.points_daily)],
            extra_left=[
                wall_panels.points_more_panel(d.pts, d.pts_before),
                wall_panels.holders_panel(d.holders, d.communities),
            ],
            extra_right=[
                wall_panels.per_community_panel(d.per_community, d.communities, "participation",
                                                "fig.participation"),
                wall_panels.outstanding_panel(d.points_daily),
            ],
        )
    )  # fmt: skip


def map_wall(scope: Scope, period: Period) -> None:
    d = _fetch(
        **_summaries(scope, period, "inc"),
        open_now=lambda: geo.open_incidents(scope, period),
        overdue=lambda: incident_data.overdue(scope, period, limit=wall_panels.STRIP_ROWS),
        table=lambda: incident_data.community_table(scope, period),
        newest=lambda: incident_data.newest(scope, period),
        categories=lambda: incident_data.categories(scope, period),
        soon=lambda: alerts.due_soonest(scope, wall_panels.STRIP_ROWS, _t(period)),
        channels=lambda: incident_data.channels(scope, period),
        grids=lambda: _grids_ranked(scope, period),
    )
    grids = d.grids
    ranked = d.table if grids is None else grids
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel("wall.incidents", d.inc, d.inc_before,
                                          INCIDENT_FIGURES, "wallIncidents", d.daily),
                wall_panels.ranking_panel(ranked, "open_per_1000", True),
            ],
            centre=wall_panels.map_panel(scope, period, "open_per_1000", d.open_now),
            right=[wall_panels.ranking_panel(ranked, "overdue_per_1000", True)],
            bottom=[
                wall_panels.overdue_panel(d.overdue, d.inc.get("overdue"), d.soon, _t(period)),
                wall_panels.newest_panel(d.newest),
                wall_panels.category_panel(d.categories),
            ],
            extra_left=[
                wall_panels.figures_panel("wall.handling", d.inc, d.inc_before,
                                          INCIDENT_MORE, "wallHandling", d.daily),
                wall_panels.ranking_panel(d.table, "on_time_rate", False)
                if grids is None
                else wall_panels.ranking_panel(grids, "open", True),
            ],
            extra_right=[
                wall_panels.channel_panel(d.channels),
                wall_panels.community_closure_panel(d.table)
                if grids is None
                else wall_panels.ranking_panel(grids, "overdue", True),
            ],
        )
    )  # fmt: skip
