"""Figures computed independently of data_access: plain SQL over the facts, as the
owner, straight from the definitions of DESIGN §5. The app tests compare the tiles
with these, formatted by ui.formatting."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

LOCAL = ZoneInfo("Asia/Shanghai")
WEIGHTS = Path(__file__).resolve().parents[2] / "config" / "league_weights.toml"


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def window(start: date, end: date, as_of: date) -> dict:
    """The instants of a past view: [start, end] local days, T = end of the as-of day."""
    t = midnight(as_of + timedelta(days=1))
    return {
        "s": midnight(start),
        "e": min(midnight(end + timedelta(days=1)), t),
        "t": t,
        "days": (end - start).days + 1,
    }


FIGURES_SQL = """
WITH i AS (
    SELECT * FROM fact_incident
     WHERE (CAST(:c AS text) IS NULL OR community_code = :c) AND reported_at <= :t
), live AS (
    SELECT *, (closed_at IS NOT NULL AND closed_at <= :t) AS closed_by_t,
           (rejected_at IS NOT NULL AND rejected_at <= :t) AS rejected_by_t
      FROM i
), cohort AS (
    SELECT * FROM live WHERE reported_at >= :s AND reported_at < :e AND NOT rejected_by_t
)
SELECT
  (SELECT count(*) FROM live WHERE NOT closed_by_t AND NOT rejected_by_t) AS open,
  (SELECT count(*) FROM live WHERE NOT closed_by_t AND NOT rejected_by_t AND due_at < :t)
      AS overdue,
  (SELECT count(*) FROM live WHERE closed_at >= :s AND closed_at < :e) AS closed,
  (SELECT count(*) FILTER (WHERE closed_by_t)::float / nullif(count(*), 0) FROM cohort)
      AS closure_rate,
  (SELECT count(*) FILTER (WHERE closed_by_t AND closed_at <= due_at)::float
          / nullif(count(*), 0) FROM cohort) AS on_time_rate,
  (SELECT avg(extract(epoch FROM closed_at - reported_at) / 3600) FROM live
    WHERE closed_at >= :s AND closed_at < :e) AS mean_handling_hours,
  (SELECT count(*) FROM live JOIN dim_incident_category USING (category_code)
    WHERE is_safety_hazard AND closed_at >= :s AND closed_at < :e) AS hazards_fixed,
  (SELECT coalesce(sum(units), 0) FROM fact_service_visit
    WHERE (CAST(:c AS text) IS NULL OR community_code = :c) AND status = 'attended'
      AND visited_at >= :s AND visited_at < :e) AS visits,
  (SELECT count(DISTINCT resident_ref) FROM fact_service_visit
    WHERE (CAST(:c AS text) IS NULL OR community_code = :c) AND status = 'attended'
      AND visited_at >= :s AND visited_at < :e) AS unique_users,
  (SELECT sum(units) FILTER (WHERE age_band IN ('60-79', '80+'))::float / nullif(sum(units), 0)
     FROM fact_service_visit
    WHERE (CAST(:c AS text) IS NULL OR community_code = :c) AND status = 'attended'
      AND visited_at >= :s AND visited_at < :e) AS share_60_plus,
  (SELECT sum(capacity) * :days FROM dim_facility
    WHERE (CAST(:c AS text) IS NULL OR community_code = :c)) AS capacity_units,
  (SELECT coalesce(sum(amount), 0) FROM ledger_journal
    WHERE (CAST(:c AS text) IS NULL OR community_code = :c) AND kind = 'earn'
      AND occurred_at >= :s AND occurred_at < :e) AS issued,
  (SELECT coalesce(sum(amount), 0) FROM ledger_journal
    WHERE (CAST(:c AS text) IS NULL OR community_code = :c) AND kind = 'redeem'
      AND occurred_at >= :s AND occurred_at < :e) AS redeemed,
  (SELECT coalesce(sum(CASE kind WHEN 'redeem' THEN -amount WHEN 'expire' THEN -amount
                                 ELSE amount END), 0)
     FROM ledger_journal
    WHERE (CAST(:c AS text) IS NULL OR community_code = :c) AND occurred_at < :e) AS outstanding,
  (SELECT count(DISTINCT resident_ref) FROM ledger_journal
    WHERE (CAST(:c AS text) IS NULL OR community_code = :c) AND kind = 'earn'
      AND occurred_at > CAST(:t AS timestamptz) - interval '30 days' AND occurred_at <= :t)
      AS earners,
  (SELECT sum(residents) FROM dim_community
    WHERE (CAST(:c AS text) IS NULL OR community_code = :c)) AS residents
"""


def figures(
    engine: Engine, start: date, end: date, as_of: date, community: str | None = None
) -> dict:
    with engine.connect() as connection:
        row = (
            connection.execute(text(FIGURES_SQL), {**window(start, end, as_of), "c": community})
            .mappings()
            .one()
        )
    result = dict(row)
    result["utilisation"] = (
        result["visits"] / result["capacity_units"] if result["capacity_units"] else None
    )
    result["participation"] = (
        result["earners"] / result["residents"] if result["residents"] else None
    )
    return result


def community_codes(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT community_code, community_name FROM dim_community ORDER BY 1")
        ).all()
    return dict(rows)


def league_order(engine: Engine, start: date, end: date, as_of: date) -> list[str]:
    """Community names in league order, from the weights file and independent SQL."""
    with open(WEIGHTS, "rb") as handle:
        parts = tomllib.load(handle)["component"]
    values = {}
    for code in community_codes(engine):
        f = figures(engine, start, end, as_of, code)
        people = f["residents"]
        values[code] = {
            "closure_rate": f["closure_rate"],
            "on_time_rate": f["on_time_rate"],
            "overdue_per_1000": f["overdue"] / people * 1000 if people else None,
            "visits_per_1000": f["visits"] / people * 1000 if people else None,
            "utilisation": f["utilisation"],
            "participation": f["participation"],
        }
    total = sum(part["weight"] for part in parts)
    scores = dict.fromkeys(values, 0.0)
    for part in parts:
        present = [v[part["key"]] for v in values.values() if v[part["key"]] is not None]
        low, high = min(present), max(present)
        for code, v in values.items():
            value = v[part["key"]]
            if value is None:
                share = 0.0
            elif high == low:
                share = 1.0
            else:
                share = (value - low) / (high - low)
                if part["better"] == "lower":
                    share = 1 - share
            scores[code] += share * part["weight"] / total * 100
    names = community_codes(engine)
    return [names[code] for code in sorted(scores, key=lambda c: (-scores[c], c))]
