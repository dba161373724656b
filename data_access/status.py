"""数据状态: freshness of every source, loads, rollup lag and the integrity checks of
`cockpit check` (sql/queries/status.sql and checks.sql), read through the one door."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pandas as pd
from sqlalchemy.exc import DBAPIError

from data_access.runner import current_reader_url, fetch, query_cache, reader_engine
from data_access.scope import Scope
from sqlfiles import query
from warehouse.checks import CHECKS


def table_status(scope: Scope) -> pd.DataFrame:
    """One row per fact, ledger and rollup table: table_name, row_count, newest."""
    return fetch("table_status", scope)


def recent_loads(scope: Scope, limit: int = 10) -> pd.DataFrame:
    return fetch("recent_loads", scope, limit=limit)


def quarantine_summary(scope: Scope, limit: int = 10) -> pd.DataFrame:
    """Quarantined rows of the last loads: load_id, kind, source, reason (code), row_count."""
    return fetch("quarantine_summary", scope, limit=limit)


def rollup_lag(scope: Scope) -> dict:
    frame = fetch("rollup_lag", scope)
    row = frame.iloc[0].to_dict() if len(frame) else {"dirty": 0, "oldest_marked_at": None}
    oldest = row.get("oldest_marked_at")
    return {
        "dirty": int(row.get("dirty") or 0),
        "oldest_marked_at": None if pd.isna(oldest) else oldest,
    }


def checks(scope: Scope | None = None) -> pd.DataFrame:
    """The integrity checks as last recorded by `cockpit check`: name, ok, detail, in
    the order of CHECKS; attrs['checked_at'] is when (None and no rows: never run)."""
    frame = fetch("last_check", scope or Scope.district())
    if frame.empty:
        result = pd.DataFrame(columns=["name", "ok", "detail"])
        result.attrs["checked_at"] = None
        return result
    recorded = frame.iloc[0]["value"]
    recorded = json.loads(recorded) if isinstance(recorded, str) else recorded
    by_name = {r["name"]: r for r in recorded["results"]}
    result = pd.DataFrame(
        [
            {"name": name, "ok": by_name[name]["ok"], "detail": by_name[name]["detail"]}
            for name in CHECKS
            if name in by_name
        ]
    )
    result.attrs["checked_at"] = datetime.fromisoformat(recorded["checked_at"])
    return result


def warehouse_reachable(url: str | None = None) -> bool:
    """Try the warehouse now, bypassing the cache; records the outcome in the health."""
    health = query_cache().health
    try:
        engine = reader_engine(url or current_reader_url())
        with engine.connect() as connection:
            connection.execute(query("ping").clause())
    except DBAPIError as error:
        health.record_failure(error)
        return False
    health.record_success()
    return True


def health() -> dict:
    """down_since / last_success as epoch seconds (None when unknown), for the banner."""
    state = query_cache().health
    return {
        "down": state.down_since is not None,
        "down_since": state.down_since,
        "last_success": state.last_success,
        "checked_at": time.time(),
    }
