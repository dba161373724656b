"""Tables and charts of 服务场景. They lay out what data_access.services returned
(resident counts already suppressed); they never query or compute figures."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from data_access.derived import derived
from data_access.services import AGE_GROUPS, OVER_FULL, UNDER_USED, WEEKDAYS
from ui import charts
from ui.formatting import format_count, format_number, format_rate
from ui.i18n import current_language, t
from ui.shell import FONT_STACK

FLAG_COLOURS = {"under": "#e8a33d", "normal": "#3a8dde", "over": "#d64545"}


def styled(chart: alt.Chart, mode: str) -> alt.Chart:
    """Our fonts (no web fonts); light text on the big screen's dark background."""
    chart = chart.configure(font=FONT_STACK, background="transparent")
    if mode == "screen":
        ink = "#e6edf7"
        chart = chart.configure_axis(
            labelColor=ink, titleColor=ink, gridColor="#2a3b57", labelFontSize=14
        ).configure_legend(labelColor=ink, titleColor=ink, labelFontSize=14)
    return chart


def draw(chart: alt.Chart, mode: str) -> None:
    charts.show(styled(chart, mode), theme=None)


def draw_kept(name: str, build: Callable[[], alt.Chart], inputs: tuple, mode: str) -> None:
    """draw(build(), mode), the chart kept while `inputs` (the query results it is built
    from) are the same objects (data_access.derived). Building 服务场景's charts was
    most of a warm rerun (Altair deep-copies its spec at every step). `name` tells the
    charts built from the same inputs apart."""
    lang = current_language()
    chart = derived("chart", inputs, lambda: styled(build(), mode), name, mode, lang)
    charts.show(chart, theme=None)


def type_name(kind: str) -> str:
    return t(f"facility.{kind}")


def flag_name(flag: str) -> str:
    return t(f"services.flag.{flag}")


def thresholds_caption() -> str:
    return t(
        "services.thresholds", under=format_rate(UNDER_USED, 0), over=format_rate(OVER_FULL, 0)
    )


def facility_table(usage: pd.DataFrame, *, kind: str | None = None) -> pd.DataFrame:
    """The facilities (of one type, with `kind`) as shown, labels in the user's language;
    childcare speaks of beds. Kept while `usage` is the same result (data_access.derived):
    a city's 12,000 facilities formatted again on every rerun took half of it."""
    lang = current_language()
    return derived(
        "facility_table", (usage,), lambda: _facility_table(usage, kind, lang), kind, lang
    )


def _facility_table(usage: pd.DataFrame, kind: str | None, lang: str) -> pd.DataFrame:
    usage = usage if kind is None else usage[usage["facility_type"] == kind]
    childcare = kind == "childcare"
    shown = {
        t("services.facility"): usage["facility_name"],
        t("services.community"): usage["community_name"],
    }
    if kind is None:
        shown[t("services.type")] = [type_name(k) for k in usage["facility_type"]]
    shown[t("services.beds" if childcare else "services.capacity")] = [
        format_count(n, lang) for n in usage["capacity"]
    ]
    if childcare:
        shown[t("services.mean_children")] = [format_number(n) for n in usage["mean_daily_units"]]
        shown[t("services.peak_children")] = [
            format_count(n, lang) for n in usage["peak_day_units"]
        ]
    shown[t("fig.visits")] = [format_count(n, lang) for n in usage["visits"]]
    shown[t("fig.unique_users")] = list(usage["unique_users"])  # suppressed text already
    shown[t("services.occupancy" if childcare else "fig.utilisation")] = [
        format_rate(v) for v in usage["utilisation"]
    ]
    shown[t("services.flag")] = [flag_name(f) for f in usage["flag"]]
    if kind in (None, "canteen"):
        shown[t("fig.share_60_plus")] = [format_rate(v) for v in usage["share_60_plus"]]
    if kind is None:
        shown[t("services.no_show")] = [format_count(n, lang) for n in usage["no_show"]]
    return pd.DataFrame(shown)


# Beyond these, a scope's facilities are summarised: a chart of 12,000 bars (a city)
# shows nothing and, with the tables, cost 7 MB on every rerun.
CHART_LIMIT = 40
TABLE_LIMIT = 300


def telling(usage: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """The facilities a chart shows: all when they fit, else the least and the most used
    halves (the idle and the overloaded, what a leader acts on), in the given order."""
    limit = CHART_LIMIT if limit is None else limit
    if len(usage) <= limit:
        return usage
    ranked = usage.dropna(subset=["utilisation"]).sort_values("utilisation", kind="stable")
    keep = ranked.head(limit // 2).index.union(ranked.tail(limit - limit // 2).index)
    return usage.loc[usage.index.isin(keep)]


def ends_caption(usage: pd.DataFrame, limit: int | None = None) -> str | None:
    """What telling() left out, or None when the chart shows every facility."""
    limit = CHART_LIMIT if limit is None else limit
    if len(usage) <= limit:
        return None
    return t("services.chart_ends", total=len(usage), low=limit // 2, high=limit - limit // 2)


def utilisation_chart(usage: pd.DataFrame, *, occupancy: bool = False) -> alt.Chart:
    """One bar per facility, coloured by its load flag, with the two thresholds as rules."""
    label = t("services.occupancy" if occupancy else "fig.utilisation")
    data = pd.DataFrame(
        {
            "facility": usage["facility_name"],
            "community": usage["community_name"],
            "utilisation": usage["utilisation"].astype(float),
            "shown": [format_rate(v) for v in usage["utilisation"]],
            "flag": [flag_name(f) for f in usage["flag"]],
            "users": usage["unique_users"],
        }
    )
    flags = [flag_name(f) for f in FLAG_COLOURS]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("facility:N", sort="-x", title=None),
            x=alt.X("utilisation:Q", title=label, axis=alt.Axis(format="%")),
            color=alt.Color(
                "flag:N",
                title=t("services.flag"),
                scale=alt.Scale(domain=flags, range=list(FLAG_COLOURS.values())),
            ),
            tooltip=[
                alt.Tooltip("facility:N", title=t("services.facility")),
                alt.Tooltip("community:N", title=t("services.community")),
                alt.Tooltip("shown:N", title=label),
                alt.Tooltip("users:N", title=t("fig.unique_users")),
            ],
        )
    )
    rules = (
        alt.Chart(pd.DataFrame({"x": [UNDER_USED, OVER_FULL]}))
        .mark_rule(strokeDash=[4, 3], color="#888")
        .encode(x="x:Q")
    )
    return (bars + rules).properties(height=max(120, 26 * len(data)))


def trend_chart(weekly: pd.DataFrame) -> alt.Chart:
    """Visits per week, one line per facility type present, from the rows of
    services.weekly_usage (already one per type and week: summed in the warehouse, not
    here or in the browser, as a city's rows per facility were 60,000 per rerun)."""
    data = pd.DataFrame(
        {
            "week": pd.to_datetime(weekly["week_start"]),
            "type": [type_name(k) for k in weekly["facility_type"]],
            "visits": weekly["visits"].astype(float),
        }
    )
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title=t("services.week"), axis=alt.Axis(format="%m-%d")),
            y=alt.Y("sum(visits):Q", title=t("fig.visits")),
            color=alt.Color("type:N", title=t("services.type")),
            tooltip=[
                alt.Tooltip("week:T", title=t("services.week"), format="%Y-%m-%d"),
                alt.Tooltip("type:N", title=t("services.type")),
                alt.Tooltip("sum(visits):Q", title=t("fig.visits"), format=","),
            ],
        )
        .properties(height=300)
    )


def age_chart(ages: pd.DataFrame) -> alt.Chart:
    """Each facility type's visits split into 一老一小一青年 (100% stacked)."""
    groups = [t(f"services.age.{g}") for g in AGE_GROUPS]
    data = pd.DataFrame(
        {
            "type": [type_name(k) for k in ages["facility_type"]],
            "group": [t(f"services.age.{g}") for g in ages["age_group"]],
            "order": [AGE_GROUPS.index(g) for g in ages["age_group"]],
            "band": ages["age_band"],
            "visits": ages["visits"].astype(float),
        }
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("type:N", title=None),
            x=alt.X(
                "sum(visits):Q", stack="normalize", title=t("services.share"),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "group:N", title=t("services.age_group"), sort=groups,
                scale=alt.Scale(domain=groups,
                                range=["#f2b134", "#4fb286", "#9aa5b1", "#3a6fd8", "#d0d5db"]),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("type:N", title=t("services.type")),
                alt.Tooltip("group:N", title=t("services.age_group")),
                alt.Tooltip("sum(visits):Q", title=t("fig.visits"), format=","),
            ],
        )
        .properties(height=max(120, 40 * data["type"].nunique()))
    )  # fmt: skip


def heatmap_chart(cells: pd.DataFrame) -> alt.Chart:
    """Visits per weekday × local hour; the tooltip's user count is suppressed text."""
    days = [t(f"services.weekday.{d}") for d in WEEKDAYS]
    data = pd.DataFrame(
        {
            "weekday": [t(f"services.weekday.{d}") for d in cells["weekday"]],
            "hour": cells["hour"].astype(int),
            "visits": cells["visits"].astype(float),
            "users": cells["unique_users"],
        }
    )
    return (
        alt.Chart(data)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=t("services.hour")),
            y=alt.Y("weekday:N", sort=days, title=None),
            color=alt.Color("visits:Q", title=t("fig.visits"), scale=alt.Scale(scheme="blues")),
            tooltip=[
                alt.Tooltip("weekday:N", title=t("services.weekday")),
                alt.Tooltip("hour:O", title=t("services.hour")),
                alt.Tooltip("visits:Q", title=t("fig.visits"), format=","),
                alt.Tooltip("users:N", title=t("fig.unique_users")),
            ],
        )
        .properties(height=260)
    )


def scene_chart(usage: pd.DataFrame, kind: str) -> alt.Chart:
    """One scene's chart: canteens' meals by age, childcare's bed occupancy, the other
    types' utilisation; the facilities that tell most (telling())."""
    of_kind = telling(usage[usage["facility_type"] == kind])
    if kind == "canteen":
        return canteen_chart(of_kind)
    if kind == "childcare":
        return childcare_chart(of_kind)
    return utilisation_chart(of_kind)


def canteen_chart(canteens: pd.DataFrame) -> alt.Chart:
    """Each canteen's share of meals taken by residents aged 60+."""
    data = pd.DataFrame(
        {
            "facility": canteens["facility_name"],
            "share": canteens["share_60_plus"].astype(float),
            "shown": [format_rate(v) for v in canteens["share_60_plus"]],
        }
    )
    bars = (
        alt.Chart(data)
        .mark_bar(color="#3a6fd8")
        .encode(
            y=alt.Y("facility:N", title=None),
            x=alt.X("share:Q", title=t("fig.share_60_plus"), axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            tooltip=[alt.Tooltip("facility:N", title=t("services.facility")),
                     alt.Tooltip("shown:N", title=t("fig.share_60_plus"))],
        )
    )  # fmt: skip
    text = bars.mark_text(align="left", dx=4).encode(text="shown:N")
    return (bars + text).properties(height=max(80, 34 * len(data)))


def childcare_chart(childcare: pd.DataFrame) -> alt.Chart:
    """Children per day on average against the beds (a tick), per childcare centre."""
    data = pd.DataFrame(
        {
            "facility": childcare["facility_name"],
            "children": childcare["mean_daily_units"].astype(float),
            "beds": childcare["capacity"].astype(float),
            "occupancy": [format_rate(v) for v in childcare["utilisation"]],
        }
    )
    tooltip = [
        alt.Tooltip("facility:N", title=t("services.facility")),
        alt.Tooltip("children:Q", title=t("services.mean_children"), format=".1f"),
        alt.Tooltip("beds:Q", title=t("services.beds")),
        alt.Tooltip("occupancy:N", title=t("services.occupancy")),
    ]
    base = alt.Chart(data).encode(y=alt.Y("facility:N", title=None))
    bars = base.mark_bar(color="#4fb286").encode(
        x=alt.X("children:Q", title=f"{t('services.mean_children')} / {t('services.beds')}"),
        tooltip=tooltip,
    )
    beds = base.mark_tick(color="#d64545", thickness=3, size=28).encode(x="beds:Q", tooltip=tooltip)
    return (bars + beds).properties(height=max(80, 40 * len(data)))
