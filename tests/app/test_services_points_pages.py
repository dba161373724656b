"""服务场景 and 积分流转 as AppTests: tiles equal independent SQL over the demo district,
scenes follow the facilities a community has, small cells are suppressed on the page,
and a ledger broken on purpose turns the integrity badge red."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from data_access.period import today_local
from tests.app import expected
from tests.warehouse import rows
from ui.formatting import format_count, format_rate
from ui.i18n import t
from warehouse.rollups import refresh

AS_OF = today_local() - timedelta(days=1)
START = AS_OF - timedelta(days=29)


def assert_clean(app):
    assert not app.exception, [e.value for e in app.exception]


def tiles(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_services_tiles_equal_independent_sql(demo_app, demo_warehouse):
    app = demo_app("pages/services.py", asof=AS_OF.isoformat())
    assert_clean(app)
    assert not app.error
    figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    window = expected.window(START, AS_OF, AS_OF)
    with demo_warehouse.owner.connect() as connection:
        no_show_rate = connection.execute(
            text(
                "SELECT count(*) FILTER (WHERE status = 'no_show')::float"
                " / count(*) FILTER (WHERE status IN ('attended', 'no_show'))"
                " FROM fact_service_visit WHERE visited_at >= :s AND visited_at < :e"
            ),
            window,
        ).scalar_one()
    shown = tiles(app)
    assert shown["服务人次"] == format_count(figures["visits"])
    assert shown["服务人数"] == format_count(figures["unique_users"])
    assert shown["设施利用率"] == format_rate(figures["utilisation"])
    assert shown["60岁以上占比"] == format_rate(figures["share_60_plus"])
    assert shown["爽约率"] == format_rate(no_show_rate)
    assert any("低于 30%" in c.value and "高于 95%" in c.value for c in app.caption)


def test_a_community_shows_only_its_own_scenes(demo_app, demo_warehouse):
    with demo_warehouse.owner.connect() as connection:
        code, kinds = connection.execute(
            text(
                "SELECT community_code, array_agg(DISTINCT facility_type) FROM dim_facility"
                " GROUP BY 1 ORDER BY count(DISTINCT facility_type), 1 LIMIT 1"
            )
        ).one()
    app = demo_app("pages/services.py", community=code, asof=AS_OF.isoformat())
    assert_clean(app)
    headers = [m.value for m in app.markdown if m.value.startswith("**")]
    shown_kinds = sorted(k for k in kinds if any(t(f"facility.{k}", "zh") in h for h in headers))
    assert shown_kinds == sorted(kinds)
    assert len(headers) == len(kinds)  # no box for a facility type the community lacks


def test_points_tiles_equal_independent_sql(demo_app, demo_warehouse):
    app = demo_app("pages/points.py", asof=AS_OF.isoformat())
    assert_clean(app)
    assert not app.error
    assert any("积分账本平衡" in s.value for s in app.success)
    figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    window = expected.window(START, AS_OF, AS_OF)
    with demo_warehouse.owner.connect() as connection:
        expired, holders = connection.execute(
            text(
                "SELECT (SELECT coalesce(sum(amount), 0) FROM ledger_journal WHERE kind = 'expire'"
                "          AND occurred_at >= :s AND occurred_at < :e),"
                " (SELECT count(*) FROM (SELECT 1 FROM ledger_journal WHERE occurred_at <= :t"
                "   GROUP BY community_code, resident_ref HAVING sum(CASE kind"
                "   WHEN 'redeem' THEN -amount WHEN 'expire' THEN -amount ELSE amount END) > 0) h)"
            ),
            window,
        ).one()
    shown = tiles(app)
    assert shown["积分发放"] == format_count(figures["issued"])
    assert shown["积分兑换"] == format_count(figures["redeemed"])
    assert shown["积分过期"] == format_count(expired)
    assert shown["积分余额"] == format_count(figures["outstanding"])
    assert shown["参与率"] == format_rate(figures["participation"])
    assert shown["兑换率"] == format_rate(figures["redeemed"] / figures["issued"])
    assert shown["持有积分居民占比"] == format_rate(holders / figures["residents"])


def _small_district(engine):
    """Community A: a canteen used by 2 residents; B: childcare used by 6."""
    rows.two_communities(engine)
    rows.visit(
        engine, rows.COMMUNITY_A, rows.FACILITY_A, "v1", rows.at("2026-03-02 12:00"), resident="p1"
    )
    rows.visit(
        engine, rows.COMMUNITY_A, rows.FACILITY_A, "v2", rows.at("2026-03-03 12:00"), resident="p2"
    )
    for n in range(6):
        rows.visit(
            engine,
            rows.COMMUNITY_B,
            rows.FACILITY_B,
            f"w{n}",
            rows.at("2026-03-04 09:00"),
            resident=f"q{n}",
            age_band="0-3",
        )
    rows.journal(engine, rows.COMMUNITY_A, "j1", rows.at("2026-03-02 10:00"), "earn", "p1", 50)
    rows.journal(engine, rows.COMMUNITY_A, "j2", rows.at("2026-03-05 10:00"), "redeem", "p1", 20)
    refresh(engine)


VIEW = {"from": "2026-03-01", "to": "2026-03-10", "asof": "2026-03-10"}


def test_small_cells_are_suppressed_on_the_page(known_app, fresh_warehouse):
    _small_district(fresh_warehouse.owner)
    app = known_app("pages/services.py", **VIEW)
    assert_clean(app)
    table = app.dataframe[-1].value  # 全部设施明细
    users = dict(zip(table["设施"], table["服务人数"], strict=True))
    assert users == {"甲食堂": "<5", "乙托育": "6"}
    points = known_app("pages/points.py", **VIEW)
    assert_clean(points)
    earners = {tuple(frame.value.columns)[0]: frame.value for frame in points.dataframe}
    assert list(earners["事由"]["获取人数"]) == ["<5"]
    assert list(earners["兑换去向"]["兑换人数"]) == ["<5"]
    holders = earners["社区"]
    assert list(holders["持有人数"]) == ["<5", "<5"]  # A: p1 holds 30; B: nobody
    # No resident key anywhere on either page.
    for page in (app, points):
        for frame in page.dataframe:
            assert not frame.value.astype(str).apply(lambda c: c.str.contains("p1|q0")).any().any()


def _break_ledger(engine) -> None:
    """One entry of 13 points without its other side, in community A's journal j1."""
    with engine.begin() as c:  # as the owner, bypassing the ledger's rules on purpose
        c.execute(text("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_balanced"))
        c.execute(
            text(
                "INSERT INTO ledger_entry VALUES"
                " (:c, 'j1', 3, 'resident:p1', 'resident', 13, now())"
            ),
            {"c": rows.COMMUNITY_A},
        )
        c.execute(text("ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_balanced"))


def test_a_broken_ledger_turns_the_badge_red(known_app, fresh_warehouse):
    engine = fresh_warehouse.owner
    _small_district(engine)
    _break_ledger(engine)
    app = known_app("pages/points.py", **VIEW)
    assert_clean(app)
    assert not app.success
    assert len(app.error) == 1
    message = app.error[0].value
    assert "积分账本不平衡" in message and "偏差 13 分" in message and "1 笔凭证" in message
    # Community B's own view reads only B's accounts (RLS), which still balance.
    other = known_app("pages/points.py", community=rows.COMMUNITY_B, **VIEW)
    assert not other.error
    assert any("积分账本平衡" in s.value for s in other.success)


def test_a_large_scope_shows_the_ledger_check_cockpit_check_recorded(
    known_app, fresh_warehouse, monkeypatch
):
    import data_access.points
    from data_access.runner import query_cache
    from ui.formatting import format_datetime
    from warehouse.checks import record_checks, run_checks

    engine = fresh_warehouse.owner
    _small_district(engine)
    monkeypatch.setattr(data_access.points, "LIVE_CHECK_COMMUNITIES", 1)  # the district: 2
    app = known_app("pages/points.py", **VIEW)
    assert_clean(app)
    assert [w.value for w in app.warning] == [t("points.ledger_unchecked")]
    _break_ledger(engine)
    results = run_checks(engine)
    record_checks(engine, results)
    with engine.connect() as c:
        checked_at = c.execute(
            text("SELECT (value->>'checked_at')::timestamptz FROM warehouse_meta"
                 " WHERE key = 'last_check'")
        ).scalar_one()  # fmt: skip
    failed = [r.detail for r in results if r.name.startswith("ledger_") and not r.ok]
    assert len(failed) == 2
    query_cache().clear()
    app = known_app("pages/points.py", **VIEW)
    assert_clean(app)
    assert [e.value for e in app.error] == [
        t("points.ledger_broken_recorded", at=format_datetime(checked_at), detail="；".join(failed))
    ]
    # One community is within the live limit: checked on the page, at its scope (B balances).
    other = known_app("pages/points.py", community=rows.COMMUNITY_B, **VIEW)
    assert [s.value for s in other.success] == [t("points.ledger_ok")]


def test_a_scope_with_many_entries_shows_the_recorded_check(
    known_app, fresh_warehouse, monkeypatch
):
    import data_access.points
    from data_access.runner import query_cache

    engine = fresh_warehouse.owner
    _small_district(engine)
    with engine.connect() as c:
        entries = c.execute(text("SELECT count(*) FROM ledger_entry")).scalar_one()
    assert entries > 0
    monkeypatch.setattr(data_access.points, "LIVE_CHECK_ENTRIES", entries)
    app = known_app("pages/points.py", **VIEW)
    assert [s.value for s in app.success] == [t("points.ledger_ok")]  # checked live
    monkeypatch.setattr(data_access.points, "LIVE_CHECK_ENTRIES", entries - 1)
    query_cache().clear()
    app = known_app("pages/points.py", **VIEW)
    assert_clean(app)
    assert [w.value for w in app.warning] == [t("points.ledger_unchecked")]  # never recorded


def test_many_facilities_are_summarised_and_the_downloads_keep_them_all(
    demo_app, demo_warehouse, monkeypatch
):
    from ui import service_views

    monkeypatch.setattr(service_views, "CHART_LIMIT", 4)
    monkeypatch.setattr(service_views, "TABLE_LIMIT", 3)
    app = demo_app("pages/services.py", asof=AS_OF.isoformat())
    assert_clean(app)
    with demo_warehouse.owner.connect() as connection:
        facilities = connection.execute(text("SELECT count(*) FROM dim_facility")).scalar_one()
    assert facilities > 4
    captions = [c.value for c in app.caption]
    assert t("services.chart_ends", total=facilities, low=2, high=2) in captions
    assert t("download.first_rows", shown=3, total=facilities) in captions
    # every table shows at most three rows; the last is the all-facilities table
    assert {len(frame.value) for frame in app.dataframe} <= {1, 2, 3}
    assert len(app.dataframe[-1].value) == 3


def test_telling_keeps_the_least_and_the_most_used_in_their_order():
    import pandas as pd

    from ui.service_views import telling

    usage = pd.DataFrame(
        {"facility_code": list("abcdef"), "utilisation": [0.5, 0.1, None, 0.9, 0.2, 0.95]}
    )
    assert list(telling(usage, 4)["facility_code"]) == ["b", "d", "e", "f"]
    assert list(telling(usage, 6)["facility_code"]) == list("abcdef")
