"""Building blocks the pages draw with. They format and lay out figures that
data_access computed; they never query or compute figures themselves."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_access import figures
from data_access.league import League
from ui.downloads import download_buttons
from ui.filters import Filters, user_scope
from ui.formatting import format_number, format_points_change, format_rate
from ui.i18n import t
from ui.tile_sets import OVERVIEW_TILES
from ui.tiles import format_value, tile


def scope_label(view: Filters) -> str:
    """The name of the place the view shows: 萧山区, a street, a community or a grid."""
    scope = user_scope()
    if view.grid:  # its community's grids, as the URL's grid was checked against
        rows = figures.grids(view.scope)
        match = rows[rows["grid_code"] == view.grid]
        if len(match):
            return str(match.iloc[0]["grid_name"])
    places = figures.communities(scope)
    if view.community:
        match = places[places["community_code"] == view.community]
        if len(match):
            return str(match.iloc[0]["community_name"])
    if view.street:
        match = places[places["street_code"] == view.street]
        if len(match):
            return str(match.iloc[0]["street_name"])
    # No filter: the viewer's own scope, which bounds every figure shown
    if scope.kind in ("street", "community") and len(places):
        return str(places.iloc[0]["street_name" if scope.kind == "street" else "community_name"])
    return t("app.district")


def period_caption(view: Filters) -> str:
    period = view.period
    return t(
        "overview.period",
        scope=scope_label(view),
        start=period.start.isoformat(),
        end=period.effective_end.isoformat(),
        as_of=period.as_of.isoformat(),
    )


def _series(daily: pd.DataFrame, column: str) -> list | None:
    if daily is None or column not in daily:
        return None
    return [float(value) for value in daily[column]]


def headline_tiles(
    *,
    residents,
    incidents,
    incidents_before,
    services,
    services_before,
    points,
    points_before,
    daily,
    previous,
    tiles=OVERVIEW_TILES,
    per_row: int = 5,
) -> None:
    summaries = {
        "incidents": (incidents, incidents_before),
        "services": (services, services_before),
        "points": (points, points_before),
    }
    help_text = t(
        "overview.delta_help", start=previous.start.isoformat(), end=previous.end.isoformat()
    )
    cells = [("fig.residents", residents, "count", None, False, None)]
    for label, subject, column, kind, lower, series in tiles:
        now, before = summaries[subject]
        cells.append(
            (label, now.get(column), kind, before.get(column), lower, _series(daily, series))
        )
    for start in range(0, len(cells), per_row):
        columns = st.columns(per_row)
        for column, (label, value, kind, before, lower, chart) in zip(
            columns, cells[start : start + per_row], strict=False
        ):
            tile(
                column,
                label,
                value,
                kind,
                previous=before,
                lower_is_better=lower,
                chart=chart,
                help_text=help_text if before is not None else None,
            )


def league_display(result: League) -> pd.DataFrame:
    """The league as shown: formatted strings, one column per component value and points.
    Built a column at a time: a city's 3,000 rows cell by cell took a third of a rerun."""
    table = result.table

    def formatted(column: str, formatter) -> list:
        return [formatter(value) for value in table[column].tolist()]

    shown = {
        t("league.rank"): [int(rank) for rank in table["rank"].tolist()],
        t("league.community"): table["community_name"].tolist(),
        t("league.street"): table["street_name"].tolist(),
        t("league.score"): formatted("score", format_number),
        t("league.change"): formatted("rank_change", format_points_change),
    }
    for part in result.components:
        label = t(part.label)
        shown[label] = formatted(part.key, format_number if part.per_1000 else format_rate)
        shown[f"{label} {t('league.points')}"] = formatted(f"{part.key}_points", format_number)
    return pd.DataFrame(shown)


def league_table(result: League) -> None:
    st.subheader(t("league.title"))
    st.caption(t("league.caption"))
    if result.table.empty:
        st.info(t("league.empty"))
        return
    best = result.most_improved
    if best:
        st.success(
            t(
                "league.most_improved",
                name=best["community_name"],
                places=int(best["rank_change"]),
                prev=int(best["previous_rank"]),
                now=int(best["rank"]),
            ),
        )
    else:
        st.info(t("league.no_improvement"))
    shown = league_display(result)
    st.dataframe(shown, hide_index=True, width="stretch")
    download_buttons(shown, t("league.title"), "cockpit_league")


def placeholder(page_key: str, tiles: list[tuple[str, object, str]]) -> None:
    """A page still to come: what it will show and its headline figures."""
    st.title(t(f"page.{page_key}"))
    st.write(t(f"placeholder.{page_key}"))
    st.caption(t("placeholder.soon"))
    columns = st.columns(max(len(tiles), 1))
    for column, (label, value, kind) in zip(columns, tiles, strict=False):
        with column:
            st.metric(t(label), format_value(value, kind), border=True)
