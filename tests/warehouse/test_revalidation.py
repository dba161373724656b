"""data_access.runner: a result past its time to live is served again, without running
its query, while the warehouse has committed nothing since it was fetched; the first
commit after it makes the next call run the query and show the new rows."""

from __future__ import annotations

from sqlalchemy import text

from data_access import Scope, runner
from data_access.runner import fetch, query_cache
from tests.warehouse.rows import STREET_A, two_communities


def test_an_expired_result_is_kept_until_a_commit(fresh_warehouse, monkeypatch):
    two_communities(fresh_warehouse.owner)
    # Every result is past its time to live at once, and the version is read every time.
    monkeypatch.setattr(runner, "CACHE_TTL", 0.0)
    monkeypatch.setattr(runner, "VERSION_TTL", 0.0)
    executions: list[str] = []
    monkeypatch.setattr(runner, "QUERY_OBSERVERS", [lambda name, *_: executions.append(name)])
    query_cache().clear()

    def communities():
        return fetch("communities_in_scope", Scope.district(), url=fresh_warehouse.reader_url)

    first = communities()
    again = communities()
    assert executions == ["communities_in_scope"]  # the second call ran no query
    assert again is first

    with fresh_warehouse.owner.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO dim_community (community_code, street_code, community_name,"
                " households, residents) VALUES ('330109001999', :street, '新社区', 10, 20)"
            ),
            {"street": STREET_A},
        )
        expected = connection.execute(text("SELECT count(*) FROM dim_community")).scalar_one()
    after = communities()
    query_cache().clear()
    assert executions == ["communities_in_scope"] * 2
    assert len(first) == expected - 1
    assert len(after) == expected
    assert "新社区" in set(after["community_name"])
