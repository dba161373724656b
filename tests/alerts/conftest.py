"""Fixtures of the 督办 tests: the app fixtures of tests/app, and a warehouse with a
known set of alerts relative to now."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from data_access.period import LOCAL
from tests.app.conftest import demo_app, known_app  # noqa: F401  (fixtures)
from tests.warehouse import rows

A, B = rows.COMMUNITY_A, rows.COMMUNITY_B


def known_alerts(engine, now: datetime | None = None) -> dict[str, str]:
    """Incidents whose levels at `now` are known: {incident_id: level or 'none'}."""
    now = (now or datetime.now(LOCAL)).replace(second=0, microsecond=0)
    rows.two_communities(engine)
    plan = [
        (A, "A-warn", now - timedelta(hours=70), now + timedelta(hours=2), None, "warning"),
        (A, "A-over", now - timedelta(hours=75), now - timedelta(hours=3), None, "overdue"),
        (A, "A-esc", now - timedelta(days=23), now - timedelta(days=20), None, "escalated"),
        (A, "A-later", now - timedelta(hours=1), now + timedelta(days=3), None, "none"),
        (A, "A-closed", now - timedelta(days=5), now - timedelta(days=4),
         now - timedelta(days=1), "none"),
        (B, "B-over", now - timedelta(hours=80), now - timedelta(hours=5), None, "overdue"),
    ]  # fmt: skip
    for community, incident_id, reported, due, closed, _ in plan:
        rows.incident(engine, community, incident_id, reported, due=due, closed=closed)
    return {incident_id: level for _, incident_id, *_, level in plan}


@pytest.fixture
def alerts_warehouse(fresh_warehouse):
    levels = known_alerts(fresh_warehouse.owner)
    fresh_warehouse.levels = levels
    return fresh_warehouse
