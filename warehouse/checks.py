"""`cockpit check`: the integrity queries of sql/queries/checks.sql, run as the owner.

They read whole fact tables (every journal, every orphan), which takes minutes at city
scale, so they are not run on a page's request path: `cockpit check` (and the demo
loader) record the results in warehouse_meta 'last_check', and 数据状态 shows those
with their time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, text

from sqlfiles import all_queries

CHECKS = (
    "ledger_trial_balance",
    "ledger_journals_balanced",
    "rollups_current",
    "rollups_equal_facts",
    "area_rollups_equal",
    "balances_equal_entries",
    "last_earnings_equal",
    "orphans",
)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


def run_checks(engine: Engine) -> list[CheckResult]:
    queries = all_queries()
    results = []
    with engine.connect() as connection:
        for name in CHECKS:
            query = queries[name]
            everything = dict.fromkeys(query.params)  # every community (scope_codes=NULL)
            row = connection.execute(query.clause(), everything).one()
            results.append(CheckResult(name, row.problems == 0, row.detail))
    return results


def record_checks(engine: Engine, results: list[CheckResult]) -> None:
    """Keep the results (and when they were taken) for the 数据状态 page."""
    value = {
        "checked_at": datetime.now(UTC).isoformat(),
        "results": [{"name": r.name, "ok": r.ok, "detail": r.detail} for r in results],
    }
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO warehouse_meta (key, value) VALUES ('last_check', :value)"
                " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
            ),
            {"value": json.dumps(value, ensure_ascii=False)},
        )
