"""Tables and charts of 积分流转. They lay out what data_access.points returned
(resident counts already suppressed); they never query or compute figures."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.formatting import format_count, format_rate
from ui.i18n import current_language, t

SIDES = ("source", "use")
SPECIAL_COLOURS = {
    "expire": "#9aa5b1",
    "adjust": "#c9b8e8",
    "to_balance": "#d0d5db",
    "from_balance": "#d0d5db",
}


def flow_chart(flow: pd.DataFrame) -> alt.Chart:
    """Two stacked columns of equal height: where points came from and where they went."""
    total = float(flow.loc[flow["side"] == "source", "points"].sum()) or 1.0
    names = [
        t(f"points.flow.{code}") if isinstance(code, str) else label
        for label, code in zip(flow["label"], flow["code"], strict=True)
    ]
    data = pd.DataFrame(
        {
            "side": [t(f"points.side.{side}") for side in flow["side"]],
            "name": names,
            "points": flow["points"].astype(float),
            "shown": [format_count(n, current_language()) for n in flow["points"]],
            # Small segments get no label inside the bar (the tooltip still has them).
            "label": [
                f"{name} {format_count(n, current_language())}" if n / total >= 0.04 else ""
                for name, n in zip(names, flow["points"], strict=True)
            ],
            "order": range(len(flow)),
        }
    )
    special = {t(f"points.flow.{code}"): colour for code, colour in SPECIAL_COLOURS.items()}
    others = [name for name in dict.fromkeys(data["name"]) if name not in special]
    palette = [
        "#3a6fd8", "#4fb286", "#f2b134", "#e8743b", "#a05fd0", "#2bb3c0", "#d64545",
        "#7a9a01", "#c2185b", "#5c6bc0", "#8d6e63", "#26a69a", "#ef6c00", "#6d4c41",
        "#1e88e5", "#43a047", "#fdd835", "#8e24aa", "#00897b", "#f4511e",
    ]  # fmt: skip
    colours = {name: palette[i % len(palette)] for i, name in enumerate(others)}
    colours.update({name: special[name] for name in data["name"] if name in special})
    base = alt.Chart(data).encode(
        x=alt.X("side:N", sort=[t(f"points.side.{s}") for s in SIDES], title=None,
                axis=alt.Axis(labelAngle=0, labelFontSize=14)),
        y=alt.Y("sum(points):Q", stack="zero", title=t("points.points")),
        order=alt.Order("order:Q"),
    )  # fmt: skip
    bars = base.mark_bar(size=150, stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "name:N",
            scale=alt.Scale(domain=list(colours), range=list(colours.values())),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("side:N", title=" "),
            alt.Tooltip("name:N", title=t("points.reason") + " / " + t("points.counterparty")),
            alt.Tooltip("shown:N", title=t("points.points")),
        ],
    )
    labels = base.mark_text(color="black", fontSize=12).encode(
        y=alt.Y("sum(points):Q", stack="zero", bandPosition=0.5),
        text="label:N",
    )
    return (bars + labels).properties(height=460)


def ranked_bars(frame: pd.DataFrame, label_key: str, residents_key: str, colour: str) -> alt.Chart:
    """Points per reason or counterparty, largest first; residents (suppressed) in the tooltip."""
    data = pd.DataFrame(
        {
            "name": frame["label"],
            "points": frame["points"].astype(float),
            "share": [format_rate(v) for v in frame["share"]],
            "residents": frame["residents"],
            "journals": frame["journals"].astype(int),
        }
    )
    return (
        alt.Chart(data)
        .mark_bar(color=colour)
        .encode(
            y=alt.Y("name:N", sort="-x", title=None),
            x=alt.X("points:Q", title=t("points.points")),
            tooltip=[
                alt.Tooltip("name:N", title=t(label_key)),
                alt.Tooltip("points:Q", title=t("points.points"), format=","),
                alt.Tooltip("share:N", title=t("points.share")),
                alt.Tooltip("journals:Q", title=t("points.journals"), format=","),
                alt.Tooltip("residents:N", title=t(residents_key)),
            ],
        )
        .properties(height=max(120, 26 * len(data)))
    )


def ranked_table(frame: pd.DataFrame, label_key: str, residents_key: str) -> pd.DataFrame:
    lang = current_language()
    return pd.DataFrame(
        {
            t(label_key): frame["label"],
            t("points.points"): [format_count(n, lang) for n in frame["points"]],
            t("points.share"): [format_rate(v) for v in frame["share"]],
            t("points.journals"): [format_count(n, lang) for n in frame["journals"]],
            t(residents_key): list(frame["residents"]),  # suppressed text already
        }
    )


def issued_redeemed_chart(daily: pd.DataFrame) -> alt.Chart:
    series = {"issued": t("fig.issued"), "redeemed": t("fig.redeemed")}
    data = pd.concat(
        [
            pd.DataFrame(
                {
                    "day": pd.to_datetime(daily["day"]),
                    "series": name,
                    "points": daily[column].astype(float),
                }
            )
            for column, name in series.items()
        ]
    )
    return (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X("day:T", title=t("points.day"), axis=alt.Axis(format="%m-%d")),
            y=alt.Y("points:Q", title=t("points.points")),
            color=alt.Color(
                "series:N",
                title=t("points.series"),
                scale=alt.Scale(domain=list(series.values()), range=["#3a6fd8", "#e8743b"]),
            ),
            tooltip=[
                alt.Tooltip("day:T", title=t("points.day"), format="%Y-%m-%d"),
                alt.Tooltip("series:N", title=t("points.series")),
                alt.Tooltip("points:Q", title=t("points.points"), format=","),
            ],
        )
        .properties(height=280)
    )


def outstanding_chart(daily: pd.DataFrame) -> alt.Chart:
    data = pd.DataFrame(
        {"day": pd.to_datetime(daily["day"]), "outstanding": daily["outstanding"].astype(float)}
    )
    return (
        alt.Chart(data)
        .mark_area(line=True, opacity=0.3, color="#4fb286")
        .encode(
            x=alt.X("day:T", title=t("points.day"), axis=alt.Axis(format="%m-%d")),
            y=alt.Y("outstanding:Q", title=t("fig.outstanding"), scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("day:T", title=t("points.day"), format="%Y-%m-%d"),
                alt.Tooltip("outstanding:Q", title=t("fig.outstanding"), format=","),
            ],
        )
        .properties(height=280)
    )


def holders_table(per_community: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    lang = current_language()
    return pd.DataFrame(
        {
            t("points.community"): [names.get(c, c) for c in per_community["community_code"]],
            t("points.holders"): list(per_community["holders"]),  # suppressed text already
            t("points.residents"): [format_count(n, lang) for n in per_community["residents"]],
            t("points.holders_share"): [format_rate(v) for v in per_community["holders_share"]],
        }
    )
