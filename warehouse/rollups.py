"""Bring the rollup tables up to date with the facts (see sql/migrations/003_rollups.sql)."""

from __future__ import annotations

from sqlalchemy import Engine, text


def refresh(engine: Engine, full: bool = False) -> int:
    """Recompute the dirty community-days (every day with facts when full); returns how many."""
    with engine.begin() as connection:
        if full:
            connection.execute(text("SELECT mark_all_days_dirty()"))
        return connection.execute(text("SELECT refresh_rollups()")).scalar_one()
