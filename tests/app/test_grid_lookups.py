"""Grids are fetched for a grid named in the URL or a chosen community, never the whole
scope's (36,000 rows at city scale, on every page)."""

from sqlalchemy import text

from data_access import runner
from data_access.runner import query_cache
from ui.filters import VIEW_KEY


def _grid_fetches(monkeypatch) -> list[int]:
    rows_fetched: list[int] = []
    monkeypatch.setattr(
        runner,
        "QUERY_OBSERVERS",
        [
            lambda name, seconds, rows: (
                rows_fetched.append(rows) if name == "grids_in_scope" else None
            )
        ],
    )
    return rows_fetched


def test_grids_are_fetched_only_for_the_grid_or_community_in_view(
    demo_app, demo_warehouse, monkeypatch
):
    with demo_warehouse.owner.connect() as c:
        per_community = dict(
            c.execute(text("SELECT community_code, count(*) FROM dim_grid GROUP BY 1")).all()
        )
        micro_grid, its_community, its_name = c.execute(
            text(
                "SELECT grid_code, community_code, grid_name FROM dim_grid"
                " WHERE level = 'micro_grid' ORDER BY grid_code LIMIT 1"
            )
        ).one()
    assert sum(per_community.values()) > max(per_community.values())  # more than one's

    query_cache().clear()
    fetched = _grid_fetches(monkeypatch)
    whole = demo_app()  # the overview of the whole district, no grid or community
    assert not whole.exception
    assert fetched == []

    query_cache().clear()
    fetched = _grid_fetches(monkeypatch)
    one = demo_app(grid=micro_grid)
    assert not one.exception
    view = one.session_state[VIEW_KEY]
    assert (view.grid, view.community) == (micro_grid, its_community)
    assert its_name in one.title[0].value or its_name in " ".join(c.value for c in one.caption)
    # one fetch of one community's grids, shared by the URL's check, the sidebar's grid
    # box and the heading (the view's grid scope)
    assert fetched == [per_community[its_community]]
