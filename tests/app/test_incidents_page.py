"""The 民情事件 page over the demo district (AppTest): every tile equals independent SQL,
the overdue list is the worst first, and 南城's published results show on the page."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from data_access.period import today_local
from tests.app import expected
from ui.formatting import format_count, format_hours, format_rate
from ui.i18n import t

PAGE = "pages/incidents.py"
AS_OF = today_local() - timedelta(days=1)
START = AS_OF - timedelta(days=29)

# Figures expected.figures() does not compute, from the definitions of DESIGN §5.
MORE_SQL = """
WITH live AS (
    SELECT *, (closed_at IS NOT NULL AND closed_at <= :t) AS closed_by_t,
           (rejected_at IS NOT NULL AND rejected_at <= :t) AS rejected_by_t,
           extract(epoch FROM closed_at - reported_at) / 3600 AS hours
      FROM fact_incident
     WHERE (CAST(:c AS text) IS NULL OR community_code = :c) AND reported_at <= :t
)
SELECT
  (SELECT count(*) FROM live WHERE reported_at >= CAST(:t AS timestamptz) - interval '1 day'
      AND NOT rejected_by_t) AS new_today,
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) FROM live
    WHERE closed_at >= :s AND closed_at < :e) AS median_handling_hours,
  (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY hours) FROM live
    WHERE closed_at >= :s AND closed_at < :e) AS p90_handling_hours,
  (SELECT avg(extract(epoch FROM accepted_at - reported_at) / 3600) FROM live
    WHERE reported_at >= :s AND reported_at < :e AND accepted_at <= :t)
      AS first_response_hours,
  (SELECT incident_id FROM live
    WHERE NOT closed_by_t AND NOT rejected_by_t AND due_at < :t
    ORDER BY due_at, community_code, incident_id LIMIT 1) AS worst_overdue
"""


def more_figures(engine, start: date, end: date, as_of: date, community: str | None = None):
    with engine.connect() as connection:
        row = connection.execute(
            text(MORE_SQL), {**expected.window(start, end, as_of), "c": community}
        ).mappings()
        return dict(row.one())


def tiles(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def assert_clean(app):
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def test_every_tile_equals_independent_sql(demo_app, demo_warehouse):
    app = demo_app(PAGE, asof=AS_OF.isoformat())
    assert_clean(app)
    figures = expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    more = more_figures(demo_warehouse.owner, START, AS_OF, AS_OF)
    shown = tiles(app)
    assert shown[t("fig.open", "zh")] == format_count(figures["open"])
    assert shown[t("fig.overdue", "zh")] == format_count(figures["overdue"])
    assert shown[t("incidents.new_today", "zh")] == format_count(more["new_today"])
    assert shown[t("fig.closed", "zh")] == format_count(figures["closed"])
    assert shown[t("fig.closure_rate", "zh")] == format_rate(figures["closure_rate"])
    assert shown[t("fig.on_time_rate", "zh")] == format_rate(figures["on_time_rate"])
    assert shown[t("fig.mean_handling_hours", "zh")] == format_hours(figures["mean_handling_hours"])
    assert shown[t("fig.median_handling_hours", "zh")] == format_hours(
        more["median_handling_hours"]
    )
    assert shown[t("incidents.p90_hours", "zh")] == format_hours(more["p90_handling_hours"])
    assert shown[t("incidents.first_response_hours", "zh")] == format_hours(
        more["first_response_hours"]
    )
    assert shown[t("fig.hazards_fixed", "zh")] == format_count(figures["hazards_fixed"])
    # The overdue list starts with the incident whose due time passed first.
    overdue = app.dataframe[0].value
    assert overdue.iloc[0]["事件编号"] == more["worst_overdue"]


def nancheng_window() -> tuple[date, date]:
    """The most recent 30 April – 23 September that has ended (DOMAIN.md: 南城)."""
    today = today_local()
    year = today.year if today >= date(today.year, 9, 23) else today.year - 1
    return date(year, 4, 30), date(year, 9, 23)


def test_nancheng_published_results_show_on_the_page(demo_app, demo_warehouse):
    with demo_warehouse.owner.connect() as connection:
        code = connection.execute(
            text("SELECT community_code FROM dim_community WHERE community_name = '南城社区'")
        ).scalar_one()
    start, end = nancheng_window()
    app = demo_app(
        PAGE,
        community=code,
        asof=end.isoformat(),
        **{"from": start.isoformat(), "to": end.isoformat()},
    )
    assert_clean(app)
    assert "南城社区" in app.caption[0].value
    shown = tiles(app)
    assert shown["办结数"] == "1,248"
    assert float(shown["平均办结时长(小时)"]) < 24
    assert shown["隐患整改"] == "170"


def test_english_labels(demo_app):
    app = demo_app(PAGE, lang="en", asof=AS_OF.isoformat())
    assert_clean(app)
    shown = tiles(app)
    assert "Overdue" in shown and "P90 handling time (h)" in shown
    assert "Incident" in app.dataframe[0].value.columns
