"""data_access.runner names a scope's communities to the queries that ask for them
(:scope_codes), so the planner can read them by the community indexes; row-level
security still decides what comes back."""

from __future__ import annotations

from sqlalchemy import text

from data_access import Period, Scope, runner
from data_access.period import today_local
from data_access.runner import fetch, query_cache


def _bound_scope_codes(warehouse, monkeypatch, scope: Scope) -> tuple[list | None, int]:
    """(the :scope_codes the query ran with, its community rows) for incident_summary."""
    real_run = runner._run
    seen = []

    def recording_run(engine, clause, run_scope, params, session, **kwargs):
        if "query_name" not in params:  # not a kept result's lookup or keeping
            seen.append(params.get("scope_codes", "absent"))
        return real_run(engine, clause, run_scope, params, session, **kwargs)

    monkeypatch.setattr(runner, "_run", recording_run)
    query_cache().clear()
    with warehouse.owner.begin() as connection:  # the query itself runs, not a kept result
        connection.execute(text("DELETE FROM kept_result"))
    frame = fetch(
        "incident_summary",
        scope,
        url=warehouse.reader_url,
        grid_code=None,
        **Period.last_days(30, today_local()).params(),
    )
    query_cache().clear()
    return seen[-1], int(frame["community_code"].notna().sum())


def test_a_street_is_named_by_its_communities_and_the_district_by_none(demo_warehouse, monkeypatch):
    with demo_warehouse.owner.connect() as connection:
        street, expected = connection.execute(
            text(
                "SELECT street_code, array_agg(community_code ORDER BY community_code)"
                "  FROM dim_community GROUP BY street_code"
                " ORDER BY count(*) DESC, street_code LIMIT 1"
            )
        ).one()
        communities = connection.execute(text("SELECT count(*) FROM dim_community")).scalar()
    codes, rows = _bound_scope_codes(demo_warehouse, monkeypatch, Scope("street", street))
    assert codes == list(expected)
    assert rows == len(expected)
    codes, rows = _bound_scope_codes(demo_warehouse, monkeypatch, Scope.district())
    assert codes is None
    assert rows == communities
