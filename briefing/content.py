"""What a briefing says: the same data_access figures the pages show, formatted the way
the pages format them (ui.formatting), in the viewer's language — independent of the
file format. Both writers (pdf_document, slides) lay out the same `Briefing`.

A briefing is a list of sections, each a list of pages (one PDF page = one slide):
the scope's overview (headline tiles, the 大比武 league, the overdue list, services
and points), and for a street one more section per community, in league order, for
the 大比武 meeting.

Everything here takes the language explicitly: the PDF and PPTX are generated on a
download thread that has no Streamlit script context to read `?lang=` from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from briefing import charts
from data_access import figures, incidents, league, runner
from data_access.period import LOCAL, Period, day_start
from data_access.scope import Scope
from ui.formatting import (
    MISSING,
    format_count,
    format_datetime,
    format_hours,
    format_number,
    format_points_change,
    format_rate,
)
from ui.i18n import t
from ui.tile_sets import OVERVIEW_TILES

OVERDUE_ROWS = 10
LEAGUE_ROWS = 20  # a district of a city has thousands of communities: the top of the league

# The overview page's tiles (ui.tile_sets.OVERVIEW_TILES, one definition), 常住人口 first:
# (label key, subject, column, kind)
OVERVIEW = (("fig.residents", "residents", "residents", "count"),) + tuple(
    (label, subject, column, kind) for label, subject, column, kind, _, _ in OVERVIEW_TILES
)
INCIDENTS = (
    ("fig.open", "incidents", "open", "count"),
    ("fig.overdue", "incidents", "overdue", "count"),
    ("fig.closed", "incidents", "closed", "count"),
    ("fig.closure_rate", "incidents", "closure_rate", "rate"),
    ("fig.on_time_rate", "incidents", "on_time_rate", "rate"),
    ("fig.mean_handling_hours", "incidents", "mean_handling_hours", "hours"),
    ("fig.median_handling_hours", "incidents", "median_handling_hours", "hours"),
    ("fig.hazards_fixed", "incidents", "hazards_fixed", "count"),
)
SERVICES = (
    ("fig.visits", "services", "visits", "count"),
    ("fig.unique_users", "services", "unique_users", "count"),
    ("fig.utilisation", "services", "utilisation", "rate"),
    ("fig.share_60_plus", "services", "share_60_plus", "rate"),
    ("services.no_show_rate", "services", "no_show_rate", "rate"),
)
POINTS = (
    ("fig.issued", "points", "issued", "count"),
    ("fig.redeemed", "points", "redeemed", "count"),
    ("points.expired", "points", "expired", "count"),
    ("fig.outstanding", "points", "outstanding", "count"),
    ("fig.participation", "points", "participation", "rate"),
    ("points.redemption_rate", "points", "redemption_rate", "rate"),
)


@dataclass(frozen=True)
class Tile:
    label: str
    value: str


@dataclass(frozen=True)
class TileGroup:
    title: str
    tiles: tuple[Tile, ...]


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame  # formatted strings, labelled columns: exactly what is printed
    note: str = ""


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes


@dataclass(frozen=True)
class Page:
    title: str
    groups: tuple[TileGroup, ...] = ()
    table: Table | None = None
    chart: Chart | None = None
    note: str = ""


@dataclass(frozen=True)
class Section:
    title: str  # the bookmark / PowerPoint section name
    pages: tuple[Page, ...]
    community_code: str | None = None


@dataclass(frozen=True)
class Briefing:
    title: str
    scope_name: str
    period_text: str  # "{scope} · {start} 至 {end} · 截至 {as_of}", as the pages' caption
    as_of_text: str  # the instant the figures are frozen at
    generated_text: str
    lang: str
    sections: tuple[Section, ...] = field(default=())

    @property
    def pages(self) -> list[tuple[Section, Page]]:
        return [(section, page) for section in self.sections for page in section.pages]


def format_value(value, kind: str, lang: str) -> str:
    if kind == "rate":
        return format_rate(value)
    if kind == "hours":
        return format_hours(value)
    return format_count(value, lang)


def as_of_text(period: Period, lang: str, now: datetime | None = None) -> str:
    """The as-of date and the instant T: "2025-11-27 24:00" for a past day, else now."""
    instant = period.as_of_instant(now)
    end_of_day = day_start(period.as_of + timedelta(days=1))
    clock = "24:00" if instant >= end_of_day else instant.strftime("%H:%M")
    return t("briefing.as_of", lang, day=period.as_of.isoformat(), clock=clock)


def _summaries(scope: Scope, period: Period) -> dict[str, dict]:
    return {
        "residents": {"residents": figures.residents(scope)},
        "incidents": figures.incident_summary(scope, period)[0],
        "services": figures.service_summary(scope, period)[0],
        "points": figures.points_summary(scope, period)[0],
    }


def _tiles(spec, summaries: dict[str, dict], lang: str) -> tuple[Tile, ...]:
    return tuple(
        Tile(t(label, lang), format_value(summaries[subject].get(column), kind, lang))
        for label, subject, column, kind in spec
    )


def overdue_table(overdue: pd.DataFrame, total, lang: str) -> Table:
    """The worst OVERDUE_ROWS of the page's overdue list, with the page's column labels."""
    worst = overdue.head(OVERDUE_ROWS)
    frame = pd.DataFrame(
        {
            t("incidents.col.incident", lang): worst["incident_id"],
            t("incidents.col.category", lang): worst["category_name"],
            t("incidents.col.community", lang): worst["community_name"],
            t("incidents.col.grid", lang): worst["grid_name"].fillna(MISSING),
            t("incidents.col.worker", lang): worst["worker"].fillna(MISSING),
            t("incidents.col.hours_overdue", lang): [
                format_hours(h) for h in worst["hours_overdue"]
            ],
            t("incidents.col.status", lang): [
                t(f"incidents.status.{s}", lang) for s in worst["status"]
            ],
            t("incidents.col.due_at", lang): [format_datetime(v) for v in worst["due_at"]],
        }
    )
    shown = len(frame)
    note = (
        t("briefing.overdue_note", lang, total=format_count(total, lang), shown=shown)
        if shown
        else t("incidents.overdue_none", lang)
    )
    return Table(frame, note)


def league_table(result: league.League, lang: str) -> Table:
    """The league as the overview shows it (values of each component; index; rank change)."""
    rows = []
    for row in result.table.head(LEAGUE_ROWS).to_dict("records"):
        shown = {
            t("league.rank", lang): str(int(row["rank"])),
            t("league.community", lang): row["community_name"],
            t("league.street", lang): row["street_name"],
            t("league.score", lang): format_number(row["score"]),
            t("league.change", lang): format_points_change(row["rank_change"]),
        }
        for part in result.components:
            value = row[part.key]
            shown[t(part.label, lang)] = (
                format_number(value) if part.per_1000 else format_rate(value)
            )
        rows.append(shown)
    note = t("league.caption", lang)
    if len(result.table) > LEAGUE_ROWS:
        note = t("briefing.league_top", lang, shown=LEAGUE_ROWS, total=len(result.table))
    best = result.most_improved
    if best:
        note += " " + t(
            "league.most_improved",
            lang,
            name=best["community_name"],
            places=int(best["rank_change"]),
            prev=int(best["previous_rank"]),
            now=int(best["rank"]),
        )
    return Table(pd.DataFrame(rows), note)


def _overview_section(scope: Scope, period: Period, result: league.League, lang: str) -> Section:
    summaries = _summaries(scope, period)
    daily = figures.daily_activity(scope, period)
    overdue = incidents.overdue(scope, period, limit=OVERDUE_ROWS)
    pages = (
        Page(
            t("briefing.page.headline", lang),
            groups=(TileGroup(t("page.overview", lang), _tiles(OVERVIEW, summaries, lang)),),
            chart=Chart(
                t("incidents.flow_title", lang), charts.incident_flow(daily, lang, wide=True)
            ),
        ),
        Page(
            t("league.title", lang),
            table=league_table(result, lang),
            chart=Chart(t("league.score", lang), charts.league_index(result.table, lang))
            if not result.table.empty
            else None,
        ),
        Page(
            t("briefing.page.incidents", lang),
            groups=(TileGroup(t("page.incidents", lang), _tiles(INCIDENTS, summaries, lang)),),
            table=overdue_table(overdue, summaries["incidents"].get("overdue"), lang),
        ),
        Page(
            t("briefing.page.services_points", lang),
            groups=(
                TileGroup(t("page.services", lang), _tiles(SERVICES, summaries, lang)),
                TileGroup(t("page.points", lang), _tiles(POINTS, summaries, lang)),
            ),
            chart=Chart(
                t("briefing.chart.services_points", lang),
                charts.services_points(daily, lang),
            ),
        ),
    )
    return Section(t("briefing.section.overview", lang), pages)


def _community_section(row: dict, period: Period, lang: str) -> Section:
    """One community of a street's 大比武: its rank and index, tiles, overdue list, flow."""
    scope = Scope("community", row["community_code"])
    summaries = _summaries(scope, period)
    overdue = incidents.overdue(scope, period, limit=OVERDUE_ROWS)
    daily = figures.daily_activity(scope, period)
    title = t(
        "briefing.section.community",
        lang,
        rank=int(row["rank"]),
        name=row["community_name"],
        score=format_number(row["score"]),
        change=format_points_change(row["rank_change"]),
    )
    page = Page(
        title,
        groups=(TileGroup(row["community_name"], _tiles(OVERVIEW, summaries, lang)),),
        table=overdue_table(overdue, summaries["incidents"].get("overdue"), lang),
        chart=Chart(t("incidents.flow_title", lang), charts.incident_flow(daily, lang)),
    )
    return Section(row["community_name"], (page,), row["community_code"])


def build(
    scope: Scope, period: Period, scope_name: str, lang: str, now: datetime | None = None
) -> Briefing:
    """The briefing of the view (scope, period, as-of) that the pages show, its figures
    those of the T it states (never the minute before's, see data_access.runner)."""
    with runner.exact_minute():
        result = league.league(scope, period)
        sections = [_overview_section(scope, period, result, lang)]
        if scope.kind == "street":
            sections += [
                _community_section(row, period, lang) for row in result.table.to_dict("records")
            ]
    generated = (now or datetime.now(LOCAL)).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    return Briefing(
        title=t("briefing.title", lang),
        scope_name=scope_name,
        period_text=t(
            "overview.period",
            lang,
            scope=scope_name,
            start=period.start.isoformat(),
            end=period.effective_end.isoformat(),
            as_of=period.as_of.isoformat(),
        ),
        as_of_text=as_of_text(period, lang, now),
        generated_text=t("briefing.generated", lang, time=generated),
        lang=lang,
        sections=tuple(sections),
    )
