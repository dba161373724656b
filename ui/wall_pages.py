"""The playlist pages as composed for the wall (`mode=screen`): each function reads
like the screen it draws, map in the centre, panels around it, the live strip along
the bottom, and on a 3×1 wall two more columns each side.

Every result comes from data_access, fetched at once; the same figure as on the desk.
"""

from __future__ import annotations

from data_access import alerts, figures, geo, league, points, services
from data_access import incidents as incident_data
from data_access.at_once import at_once
from data_access.period import Period
from data_access.scope import Scope
from ui import wall, wall_panels
from ui.i18n import t
from ui.wall import Wall
from ui.wall_panels import (
    INCIDENT_FIGURES,
    INCIDENT_MORE,
    POINTS_FIGURES,
    SERVICE_FIGURES,
    SERVICE_MORE,
)


def _summaries(scope: Scope, period: Period):
    previous = period.previous()
    return (
        lambda: figures.incident_summary(scope, period)[0],  # [0]: the scope's total row
        lambda: figures.incident_summary(scope, previous)[0],
        lambda: figures.service_summary(scope, period)[0],
        lambda: figures.service_summary(scope, previous)[0],
        lambda: figures.points_summary(scope, period)[0],
        lambda: figures.points_summary(scope, previous)[0],
    )


def overview(scope: Scope, period: Period) -> None:
    (
        inc,
        inc_before,
        svc,
        svc_before,
        pts,
        pts_before,
        open_now,
        newest,
        overdue,
        ranked,
        flow,
        categories,
        daily_points,
        ladder,
    ) = at_once(
        *_summaries(scope, period),
        lambda: geo.open_incidents(scope, period),
        lambda: incident_data.newest(scope, period),
        lambda: incident_data.overdue(scope, period, limit=wall_panels.STRIP_ROWS),
        lambda: league.league(scope, period),
        lambda: incident_data.flow_by_day(scope, period),
        lambda: incident_data.categories(scope, period),
        lambda: points.daily(scope, period),
        lambda: alerts.level_counts(scope),
    )
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel(
                    "wall.incidents", inc, inc_before, INCIDENT_FIGURES, "wallIncidents"
                ),
                wall_panels.alerts_panel(ladder),
                wall_panels.flow_panel(flow),
            ],
            centre=wall_panels.map_panel(scope, period, "open_per_1000", open_now),
            right=[
                wall_panels.figures_panel(
                    "wall.services", svc, svc_before, SERVICE_FIGURES, "wallServices"
                ),
                wall_panels.figures_panel(
                    "wall.points", pts, pts_before, POINTS_FIGURES, "wallPoints"
                ),
            ],
            bottom=[
                wall_panels.newest_panel(newest),
                wall_panels.overdue_panel(overdue, inc.get("overdue")),
                wall_panels.league_panel(ranked.table),
            ],
            extra_left=[
                wall_panels.figures_panel(
                    "wall.handling", inc, inc_before, INCIDENT_MORE, "wallHandling"
                ),
                wall_panels.category_panel(categories),
            ],
            extra_right=[
                wall_panels.points_daily_panel(daily_points),
                wall_panels.league_panel(ranked.table.iloc[5:10], t("wall.league_next")),
            ],
        )
    )


def incidents(scope: Scope, period: Period) -> None:
    previous = period.previous()
    (
        inc,
        inc_before,
        open_now,
        newest,
        overdue,
        flow,
        categories,
        channels,
        histogram,
        closure,
        ladder,
    ) = at_once(
        lambda: figures.incident_summary(scope, period)[0],
        lambda: figures.incident_summary(scope, previous)[0],
        lambda: geo.open_incidents(scope, period),
        lambda: incident_data.newest(scope, period),
        lambda: incident_data.overdue(scope, period, limit=wall_panels.STRIP_ROWS),
        lambda: incident_data.flow_by_day(scope, period),
        lambda: incident_data.categories(scope, period),
        lambda: incident_data.channels(scope, period),
        lambda: incident_data.handling_histogram(scope, period),
        lambda: incident_data.community_table(scope, period),
        lambda: alerts.level_counts(scope),
    )
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel(
                    "wall.incidents", inc, inc_before, INCIDENT_FIGURES, "wallIncidents"
                ),
                wall_panels.alerts_panel(ladder),
                wall_panels.category_panel(categories),
            ],
            centre=wall_panels.map_panel(scope, period, "overdue_per_1000", open_now),
            right=[
                wall_panels.figures_panel(
                    "wall.handling", inc, inc_before, INCIDENT_MORE, "wallHandling"
                ),
                wall_panels.channel_panel(channels),
            ],
            bottom=[
                wall_panels.flow_panel(flow),
                wall_panels.overdue_panel(overdue, inc.get("overdue")),
                wall_panels.newest_panel(newest),
            ],
            extra_left=[wall_panels.histogram_panel(histogram)],
            extra_right=[wall_panels.community_closure_panel(closure)],
        )
    )


def services_wall(scope: Scope, period: Period) -> None:
    previous = period.previous()
    svc, svc_before, open_now, usage, weekly, ages = at_once(
        lambda: figures.service_summary(scope, period)[0],
        lambda: figures.service_summary(scope, previous)[0],
        lambda: geo.open_incidents(scope, period),
        lambda: services.facility_usage(scope, period),
        lambda: services.weekly_usage(scope, period),
        lambda: services.visits_by_age_band(scope, period),
    )
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel(
                    "wall.services", svc, svc_before, SERVICE_FIGURES, "wallServices"
                ),
                wall_panels.ages_panel(ages),
            ],
            centre=wall_panels.map_panel(scope, period, "visits", open_now.iloc[0:0]),
            right=[wall_panels.utilisation_panel(usage, limit=14)],
            bottom=[
                wall_panels.trend_panel(weekly),
                wall_panels.scenes_panel(usage),
            ],
            extra_left=[wall_panels.utilisation_panel(usage, lowest=True)],
            extra_right=[
                wall_panels.figures_panel(
                    "wall.services_more", svc, svc_before, SERVICE_MORE, "wallServicesMore"
                )
            ],
        )
    )


def points_wall(scope: Scope, period: Period) -> None:
    previous = period.previous()
    pts, pts_before, open_now, sources, sinks, daily, (_, holders), names = at_once(
        lambda: figures.points_summary(scope, period)[0],
        lambda: figures.points_summary(scope, previous)[0],
        lambda: geo.open_incidents(scope, period),
        lambda: points.by_reason(scope, period),
        lambda: points.by_counterparty(scope, period),
        lambda: points.daily(scope, period),
        lambda: points.holders(scope, period),
        lambda: figures.communities(scope),
    )
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel(
                    "wall.points", pts, pts_before, POINTS_FIGURES, "wallPoints"
                ),
                wall_panels.flows_panel("wall.sources", sources, wall.BAR),
            ],
            centre=wall_panels.map_panel(scope, period, "participation", open_now.iloc[0:0]),
            right=[wall_panels.flows_panel("wall.sinks", sinks, wall.SECOND, limit=14)],
            bottom=[wall_panels.points_daily_panel(daily)],
            extra_left=[wall_panels.points_more_panel(pts, pts_before)],
            extra_right=[wall_panels.holders_panel(holders, names)],
        )
    )


def map_wall(scope: Scope, period: Period) -> None:
    previous = period.previous()
    inc, inc_before, open_now, overdue, table, newest = at_once(
        lambda: figures.incident_summary(scope, period)[0],
        lambda: figures.incident_summary(scope, previous)[0],
        lambda: geo.open_incidents(scope, period),
        lambda: incident_data.overdue(scope, period, limit=wall_panels.STRIP_ROWS),
        lambda: incident_data.community_table(scope, period),
        lambda: incident_data.newest(scope, period),
    )
    wall.draw(
        Wall(
            left=[
                wall_panels.figures_panel(
                    "wall.incidents", inc, inc_before, INCIDENT_FIGURES, "wallIncidents"
                ),
                wall_panels.ranking_panel(table, "open_per_1000", True),
            ],
            centre=wall_panels.map_panel(scope, period, "open_per_1000", open_now),
            right=[wall_panels.ranking_panel(table, "overdue_per_1000", True)],
            bottom=[
                wall_panels.overdue_panel(overdue, inc.get("overdue")),
                wall_panels.newest_panel(newest),
            ],
            extra_left=[
                wall_panels.figures_panel(
                    "wall.handling", inc, inc_before, INCIDENT_MORE, "wallHandling"
                )
            ],
            extra_right=[wall_panels.ranking_panel(table, "closure_rate", False)],
        )
    )
