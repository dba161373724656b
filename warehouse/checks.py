"""`cockpit check`: the integrity queries of sql/queries/checks.sql, run as the owner."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from data_access.sql_files import all_queries

CHECKS = (
    "ledger_trial_balance",
    "ledger_journals_balanced",
    "rollups_current",
    "rollups_equal_facts",
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
            row = connection.execute(queries[name].clause()).one()
            results.append(CheckResult(name, row.problems == 0, row.detail))
    return results
