"""The wall screen (mode=screen) in AppTest, opened with a real screen token: the frame
bar shows the data's as-of time (newest event, computed here by SQL), the clock in
Asia/Shanghai and the stale warning against the playlist's threshold; the overview's
screen layout shows the figures of DESIGN §5. Plus the playlist's rules (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from data_access.period import LOCAL
from tests.app.conftest import make_app
from ui import screen
from ui.formatting import format_count
from warehouse.accounts import create_screen_token

NEWEST_SQL = """
SELECT least(max(newest), now()) FROM (
  SELECT max(reported_at) AS newest FROM fact_incident
  UNION ALL SELECT max(changed_at) FROM fact_incident_status_log
  UNION ALL SELECT max(visited_at) FROM fact_service_visit WHERE status <> 'booked'
  UNION ALL SELECT max(occurred_at) FROM ledger_journal
) AS tables
"""


def _playlist(tmp_path, monkeypatch, stale_minutes: float) -> None:
    path = tmp_path / "playlist.toml"
    path.write_text(
        f"[screen]\nstale_after_minutes = {stale_minutes}\n\n"
        '[[page]]\npath = "/"\ndwell_seconds = 30\n\n'
        '[[page]]\npath = "/incidents"\ncommunity = "330109112002"\ndwell_seconds = 20\n',
        encoding="utf-8",
    )
    monkeypatch.setenv(screen.PLAYLIST_ENV, str(path))


def _screen_app(demo_warehouse):
    token = create_screen_token(
        demo_warehouse.owner, "district", None, timedelta(hours=1), "app test"
    ).token
    return make_app(mode="screen", token=token)


def _bar(app) -> str:
    bars = [e.proto.body for e in app.get("html") if 'data-testid="screenBar"' in e.proto.body]
    assert len(bars) == 1, bars
    return bars[0]


def _newest(demo_warehouse) -> datetime:
    with demo_warehouse.owner.connect() as connection:
        return connection.execute(text(NEWEST_SQL)).scalar_one().astimezone(LOCAL)


def test_screen_token_opens_the_frame_with_clock_and_as_of(
    demo_app, demo_warehouse, tmp_path, monkeypatch
):
    newest = _newest(demo_warehouse)
    age_minutes = (datetime.now(LOCAL) - newest).total_seconds() / 60
    _playlist(tmp_path, monkeypatch, stale_minutes=age_minutes * 2 + 60)
    app = _screen_app(demo_warehouse)
    assert not app.exception, [e.value for e in app.exception]
    bar = _bar(app)
    # capped at now when the demo runs ahead of the clock: the app's now lies between
    # the two readings
    shown = {f"数据截至 {n:%m-%d %H:%M}" for n in (newest, _newest(demo_warehouse))}
    assert any(text_shown in bar for text_shown in shown), (shown, bar[:200])
    assert "screenStale" not in bar
    # Asia/Shanghai clock (HH:MM), within the minute of the run.
    now = datetime.now(LOCAL)
    assert any(f">{moment:%H:%M}<" in bar for moment in (now, now - timedelta(minutes=1)))
    assert "1/2" in bar and "民情事件" in bar  # stop 1 of 2; the next page is named
    # No sidebar on the wall: no filters, no sign-out.
    assert not app.sidebar.selectbox and not app.sidebar.button


def test_stale_warning_when_the_newest_data_is_older_than_the_threshold(
    known_app, fresh_warehouse, tmp_path, monkeypatch
):
    """Known rows whose newest event is three hours old (the demo may run ahead of the
    clock, so it cannot be used here): stale against a 90-minute threshold."""
    from tests.warehouse import rows

    rows.two_communities(fresh_warehouse.owner)
    three_hours_ago = datetime.now(LOCAL).replace(microsecond=0) - timedelta(hours=3)
    rows.incident(fresh_warehouse.owner, rows.COMMUNITY_A, "a1", three_hours_ago)
    rows.incident(
        fresh_warehouse.owner, rows.COMMUNITY_B, "b1", three_hours_ago - timedelta(days=1)
    )
    with fresh_warehouse.owner.begin() as connection:
        connection.execute(text("SELECT refresh_rollups()"))
    _playlist(tmp_path, monkeypatch, stale_minutes=90)
    token = create_screen_token(
        fresh_warehouse.owner, "district", None, timedelta(hours=1), "app test"
    ).token
    bar = _bar(make_app(mode="screen", token=token))
    assert f"数据截至 {three_hours_ago:%m-%d %H:%M}" in bar
    assert 'data-testid="screenStale"' in bar
    assert "未更新" in bar


def test_screen_overview_is_the_composed_wall(demo_app, demo_warehouse, tmp_path, monkeypatch):
    """The wall's overview: the open and overdue figures, the newest reports, the
    overdue list's total and the league's top five, each against the rows."""
    _playlist(tmp_path, monkeypatch, stale_minutes=10_000)
    app = _screen_app(demo_warehouse)
    now = datetime.now(LOCAL).replace(second=0, microsecond=0)
    open_sql = (
        "reported_at <= :t AND NOT (closed_at IS NOT NULL AND closed_at <= :t)"
        " AND NOT (rejected_at IS NOT NULL AND rejected_at <= :t)"
    )
    with demo_warehouse.owner.connect() as connection:
        open_now = connection.execute(
            text(f"SELECT count(*) FROM fact_incident WHERE {open_sql}"), {"t": now}
        ).scalar_one()
        overdue_now = connection.execute(
            text(f"SELECT count(*) FROM fact_incident WHERE {open_sql} AND due_at < :t"),
            {"t": now},
        ).scalar_one()
        newest = connection.execute(
            text(
                "SELECT to_char(i.reported_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI'),"
                " k.category_name, c.community_name FROM fact_incident i"
                " JOIN dim_incident_category k USING (category_code)"
                " JOIN dim_community c USING (community_code)"
                " WHERE i.reported_at <= :t AND i.reported_at > :t - interval '1 day'"
                " AND NOT (i.rejected_at IS NOT NULL AND i.rejected_at <= :t)"
                " ORDER BY i.reported_at DESC, i.community_code, i.incident_id LIMIT 1"
            ),
            {"t": now},
        ).one()
        communities = connection.execute(text("SELECT count(*) FROM dim_community")).scalar_one()
    walls = [e.proto.body for e in app.get("html") if 'data-testid="wall"' in e.proto.body]
    assert len(walls) == 1
    wall = walls[0]
    assert _figure(wall, "open") == format_count(open_now)
    assert _figure(wall, "overdue") == format_count(overdue_now)
    newest_table = wall.split('data-testid="wallNewest"', 1)[1].split("</table>", 1)[0]
    first_row = newest_table.split("<tbody><tr>", 1)[1].split("</tr>", 1)[0]
    assert [cell.split("</td>")[0] for cell in first_row.split("<td>")[1:4]] == list(newest)
    assert f"超期未结 · 共 {overdue_now:,} 件" in wall
    league = wall.split('data-testid="wallLeague"', 1)[1].split("</table>", 1)[0]
    assert league.count("<tr>") == 1 + min(communities, 5)  # header + the top five
    assert 'data-testid="wallMap"' in wall


def _figure(wall: str, key: str) -> str:
    block = wall.split(f'data-key="{key}"', 1)[1]
    return block.split('data-testid="wallFigure">', 1)[1].split("</div>", 1)[0]


def test_desk_mode_has_no_screen_frame(demo_app):
    app = demo_app()
    assert not [e for e in app.get("html") if "screenBar" in e.proto.body]


# -- the playlist's rules (no database) -------------------------------------------------
def test_playlist_rejects_unknown_paths_and_keys():
    with pytest.raises(screen.PlaylistError, match="unknown path"):
        screen.parse_playlist({"page": [{"path": "/nowhere"}]})
    with pytest.raises(screen.PlaylistError, match="unknown keys"):
        screen.parse_playlist({"page": [{"path": "/", "colour": "red"}]})
    with pytest.raises(screen.PlaylistError, match="no"):
        screen.parse_playlist({})


def test_the_shipped_playlist_loads():
    loaded = screen._load(str(screen.DEFAULT_PLAYLIST), 0.0)
    assert loaded.stops and all(stop.path in screen.PAGE_SCRIPTS for stop in loaded.stops)


def test_matching_stop_tells_filters_apart():
    settings = screen.parse_playlist(
        {
            "page": [
                {"path": "/"},
                {"path": "/", "street": "330109004"},
                {"path": "/incidents", "community": "330109112002"},
            ]
        }
    )
    stops = settings.stops
    assert screen.matching_stop(stops, "overview", {"mode": "screen"}) == 0
    assert screen.matching_stop(stops, "overview", {"street": "330109004"}) == 1
    # A community's URL carries its street too once checked: still the community stop.
    params = {"street": "330109112", "community": "330109112002"}
    assert screen.matching_stop(stops, "incidents", params) == 2
    assert screen.matching_stop(stops, "incidents", {}) is None
    assert (
        screen.matching_stop(stops, "overview", {"street": "330109004", "asof": "2026-01-01"})
        is None
    )


def test_tick_is_never_slower_than_refresh_or_dwell():
    settings = screen.parse_playlist(
        {
            "screen": {"refresh_seconds": 5, "tick_seconds": 10},
            "page": [{"path": "/", "dwell_seconds": 3}],
        }
    )
    assert settings.tick == 3


OPEN_PER_GRID_SQL = """
SELECT coalesce(g.parent_grid_code, g.grid_code) AS grid, count(*) AS open
  FROM fact_incident i JOIN dim_grid g USING (grid_code)
 WHERE i.community_code = :community AND i.reported_at <= now()
   AND (i.closed_at IS NULL OR i.closed_at > now())
   AND (i.rejected_at IS NULL OR i.rejected_at > now())
 GROUP BY 1
"""


def test_a_community_screen_ranks_its_grids(demo_app, demo_warehouse):
    """A community's wall ranks its grids (a ranking of its one community says
    nothing): the 未结事件 ranking lists every grid with its open count from SQL."""
    community = "330109112002"
    token = create_screen_token(
        demo_warehouse.owner, "community", community, timedelta(hours=1), "app test"
    ).token
    app = make_app("pages/incidents.py", mode="screen", token=token)
    assert not app.exception
    with demo_warehouse.owner.connect() as connection:
        names = dict(
            connection.execute(
                text(
                    "SELECT grid_code, split_part(grid_name, '（', 1) FROM dim_grid"
                    " WHERE community_code = :c AND level = 'grid'"
                ),
                {"c": community},
            ).all()
        )
        open_by_grid = dict(
            connection.execute(text(OPEN_PER_GRID_SQL), {"community": community}).all()
        )
    wall = next(e.proto.body for e in app.get("html") if 'data-testid="wall"' in e.proto.body)
    panel = wall.split("未结事件 · 排名", 1)[1].split("</section>", 1)[0]
    shown = dict(
        (label.split("</span>")[0], value.split("</span>")[0])
        for label, value in zip(
            panel.split('class="w-bar-label">')[1:],
            panel.split('class="w-bar-value">')[1:],
            strict=True,
        )
    )
    assert shown == {names[code]: str(open_by_grid.get(code, 0)) for code in names}
