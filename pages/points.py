"""积分流转: is the civility-points economy alive, and is its ledger whole."""

import streamlit as st

from data_access import figures
from data_access import points as ledger
from data_access.at_once import at_once
from data_access.frames import lookup
from ui import downloads, filters, shell, views, wall_pages
from ui import points_views as show
from ui.formatting import format_count, format_datetime, format_number
from ui.i18n import t
from ui.service_views import draw
from ui.tiles import tile

shell.ensure_frame()

view = filters.current()
scope, period = view.scope, view.period

if view.mode == "screen":  # the wall's own composition (ui/wall_pages.py)
    wall_pages.points_wall(scope, period)
    st.stop()

st.title(t("page.points"))
st.caption(f"{views.period_caption(view)} · {t('points.caption')}")

integrity, summary, before, (holders, per_community), reasons, daily = at_once(
    lambda: ledger.ledger_integrity(scope),
    lambda: figures.points_summary(scope, period)[0],  # [0]: the scope's total row
    lambda: figures.points_summary(scope, period.previous())[0],
    lambda: ledger.holders(scope, period),
    lambda: ledger.by_reason(scope, period),
    lambda: ledger.daily(scope, period),
)
if integrity.balanced is None:
    st.warning(t("points.ledger_unchecked"))
elif integrity.checked_at is not None:  # a large scope: the recorded check
    checked = format_datetime(integrity.checked_at)
    if integrity.balanced:
        st.success(t("points.ledger_ok_recorded", at=checked))
    else:
        st.error(
            t("points.ledger_broken_recorded", at=checked, detail="；".join(integrity.details))
        )
elif integrity.balanced:
    st.success(t("points.ledger_ok"))
else:
    st.error(
        t(
            "points.ledger_broken",
            amount=format_number(integrity.imbalance, 0),
            journals=format_count(integrity.unbalanced_journals),
        )
    )
if integrity.checked_at is None and integrity.balanced is not None:
    st.caption(t("points.ledger_covers", scope=views.scope_label(view)))

TILES = [
    ("fig.issued", "issued", "count"),
    ("fig.redeemed", "redeemed", "count"),
    ("points.expired", "expired", "count"),
    ("fig.outstanding", "outstanding", "count"),
]
RATES = [
    ("fig.participation", "participation", "rate"),
    ("points.redemption_rate", "redemption_rate", "rate"),
]
for column, (label, key, kind) in zip(st.columns(len(TILES)), TILES, strict=True):
    tile(column, label, summary.get(key), kind, previous=before.get(key))
columns = st.columns(4)
for column, (label, key, kind) in zip(columns, RATES, strict=False):
    tile(column, label, summary.get(key), kind, previous=before.get(key))
columns[2].metric(
    t("points.velocity"),
    format_number(summary.get("velocity"), 2),
    help=t("points.velocity_help"),
    border=True,
)
tile(
    columns[3],
    "points.holders_share",
    holders.get("holders_share"),
    "rate",
    help_text=t("points.holders_help", as_of=period.as_of.isoformat()),
)

counterparties = ledger.by_counterparty(scope, period)  # the reasons' query, cached
if reasons.empty and counterparties.empty:
    st.info(t("points.none"))
    st.stop()

st.subheader(t("points.flow"))
st.caption(t("points.flow_caption"))
flow, ranks = st.columns([2, 3])
with flow:
    draw(show.flow_chart(ledger.flow_columns(scope, period)), view.mode)
with ranks:
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('points.reasons', total=format_count(reasons['points'].sum()))}**")
        draw(show.ranked_bars(reasons, "points.reason", "points.earners", "#3a6fd8"), view.mode)
    with right:
        total = format_count(counterparties["points"].sum())
        st.markdown(f"**{t('points.counterparties', total=total)}**")
        draw(
            show.ranked_bars(counterparties, "points.counterparty", "points.redeemers", "#e8743b"),
            view.mode,
        )

left, right = st.columns(2)
with left:
    st.subheader(t("points.over_time"))
    draw(show.issued_redeemed_chart(daily), view.mode)
with right:
    st.subheader(t("points.outstanding_over_time"))
    draw(show.outstanding_chart(daily), view.mode)

left, middle, right = st.columns(3)
with left:
    st.subheader(t("points.reason"))
    table = show.ranked_table(reasons, "points.reason", "points.earners")
    st.dataframe(table, hide_index=True, width="stretch")
    downloads.download_buttons(table, "points_reasons", "points_reasons")
with middle:
    st.subheader(t("points.counterparty"))
    table = show.ranked_table(counterparties, "points.counterparty", "points.redeemers")
    st.dataframe(table, hide_index=True, width="stretch")
    downloads.download_buttons(table, "points_counterparties", "points_counterparties")
with right:
    st.subheader(t("points.holders_by_community"))
    places = figures.communities(scope)
    names = lookup(places, "community_code", "community_name")
    table = show.holders_table(per_community, names)
    st.dataframe(table, hide_index=True, width="stretch")
    downloads.download_buttons(table, "points_holders", "points_holders")
