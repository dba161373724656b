"""积分流转: flows by reason and counterparty, balances over time, holders, and the
ledger's integrity (sql/queries/points_detail.sql and checks.sql).

Counts of residents (earners, redeemers, holders) leave here suppressed below 5
(data_access.privacy). The headline tiles are figures.points_summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from data_access.figures import split_total
from data_access.period import Period
from data_access.privacy import suppress
from data_access.runner import fetch
from data_access.scope import Scope


def _flows(scope: Scope, period: Period) -> pd.DataFrame:
    params = period.params()
    return fetch("points_flows", scope, start_at=params["start_at"], end_at=params["end_at"])


def _ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Ranked by points, with each row's share of the total; residents suppressed."""
    frame = frame.sort_values(["points", "label"], ascending=[False, True], kind="stable")
    total = frame["points"].sum()
    frame = frame.assign(share=frame["points"] / total if total else None)
    return suppress(frame.reset_index(drop=True), ["residents"])


def by_reason(scope: Scope, period: Period) -> pd.DataFrame:
    """Points earned in the period per reason: label, points, journals, residents, share."""
    flows = _flows(scope, period)
    return _ranked(flows[flows["kind"] == "earn"])


def by_counterparty(scope: Scope, period: Period) -> pd.DataFrame:
    """Points redeemed in the period per counterparty (where they are spent), ranked."""
    flows = _flows(scope, period)
    return _ranked(flows[flows["kind"] == "redeem"])


def other_flows(scope: Scope, period: Period) -> dict[str, int]:
    """Points expired and (signed) adjusted in the period."""
    flows = _flows(scope, period)
    totals = flows.groupby("kind")["points"].sum()
    return {kind: int(totals.get(kind, 0)) for kind in ("expire", "adjust")}


def daily(scope: Scope, period: Period) -> pd.DataFrame:
    """One row per day: issued, redeemed, expired, adjusted, outstanding at the day's end."""
    params = period.params()
    return fetch("points_daily", scope, start_day=params["start_day"], end_day=params["end_day"])


def holders(scope: Scope, period: Period) -> tuple[dict, pd.DataFrame]:
    """(the scope's total, the per-community rows): holders, residents, holders_share.

    The total is a figure (its holders count is not a table cell); the per-community
    rows' holders are suppressed below 5.
    """
    total, per_community = split_total(fetch("points_holders", scope, t=period.params()["t"]))
    return total, suppress(per_community, ["holders"])


# Beyond this many communities the page shows the ledger checks as `cockpit check` last
# recorded them: the live check reads every entry ever posted (95 s for a city's 40M).
LIVE_CHECK_COMMUNITIES = 50
# Nor beyond this many entries in the scope (counted from rollup_freshness): a city
# street's 30 communities hold ~400k, which the live check read in 1–1.6 s.
LIVE_CHECK_ENTRIES = 200_000


@dataclass(frozen=True)
class LedgerIntegrity:
    """The trial balance of every account the scope can read (RLS: its communities)."""

    balanced: bool | None  # None: too large to check live and never checked
    imbalance: float  # |sum of all entries|; 0 when balanced (live only)
    unbalanced_journals: int  # (live only)
    checked_at: datetime | None = None  # None: checked now at this scope, else recorded
    details: tuple[str, ...] = ()  # the recorded checks' findings when they failed


def ledger_integrity(scope: Scope) -> LedgerIntegrity:
    """`cockpit check`'s ledger queries, run as the reader at this scope; for a scope of
    more than LIVE_CHECK_COMMUNITIES or LIVE_CHECK_ENTRIES, their last recorded
    (whole-warehouse) results."""
    from data_access.status import table_status

    communities = len(fetch("communities_in_scope", scope))
    tables = table_status(scope).set_index("table_name")["row_count"]
    if communities > LIVE_CHECK_COMMUNITIES or tables["ledger_entry"] > LIVE_CHECK_ENTRIES:
        return _recorded_integrity(scope)
    # the runner names the scope's communities (:scope_codes), so the checks read them by key
    trial = fetch("ledger_trial_balance", scope).iloc[0]
    journals = fetch("ledger_journals_balanced", scope).iloc[0]
    imbalance = float(trial["problems"])
    unbalanced = int(journals["problems"])
    return LedgerIntegrity(imbalance == 0 and unbalanced == 0, imbalance, unbalanced)


def _recorded_integrity(scope: Scope) -> LedgerIntegrity:
    from data_access.status import checks

    recorded = checks(scope)
    ledger = recorded[recorded["name"].isin(["ledger_trial_balance", "ledger_journals_balanced"])]
    checked_at = recorded.attrs["checked_at"]
    if ledger.empty or checked_at is None:
        return LedgerIntegrity(None, 0.0, 0)
    failed = tuple(ledger.loc[~ledger["ok"].astype(bool), "detail"])
    return LedgerIntegrity(not failed, 0.0, 0, checked_at=checked_at, details=failed)


def flow_columns(scope: Scope, period: Period) -> pd.DataFrame:
    """The period's points as two columns of equal height, for the flow picture.

    side "source": earned per reason (plus positive adjustments); side "use": redeemed
    per counterparty, expired (and negative adjustments). The difference is what stayed
    in residents' balances ("to_balance", on the use side) or was drawn from earlier
    balances ("from_balance", on the source side). `code` names the rows that are not a
    reason or counterparty (expire, adjust, to_balance, from_balance), else is None.
    """
    flows = _flows(scope, period)
    rows = []
    for row in flows.itertuples():
        points = int(row.points)
        if row.kind == "earn":
            rows.append(("source", row.label, None, points))
        elif row.kind == "redeem":
            rows.append(("use", row.label, None, points))
        elif row.kind == "expire":
            rows.append(("use", None, "expire", points))
        elif points > 0:  # adjust
            rows.append(("source", None, "adjust", points))
        elif points < 0:
            rows.append(("use", None, "adjust", -points))
    frame = pd.DataFrame(rows, columns=["side", "label", "code", "points"])
    gap = int(frame.loc[frame["side"] == "source", "points"].sum()) - int(
        frame.loc[frame["side"] == "use", "points"].sum()
    )
    if gap > 0:
        frame.loc[len(frame)] = ("use", None, "to_balance", gap)
    elif gap < 0:
        frame.loc[len(frame)] = ("source", None, "from_balance", -gap)
    return frame
