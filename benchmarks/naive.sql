-- The headline figures that read the rollup tables, computed instead straight from
-- the raw facts (fact_incident, fact_service_visit, ledger_entry, ledger_journal), as
-- a warehouse without rollups would. benchmarks/rollups.py runs each next to its
-- namesake in sql/queries/ for the same scope and period, times both, and fails
-- loudly unless they return the same rows: a correctness check of the rollups.
--
-- Same parameters and output columns as the production queries. Figures by day use
-- whole local days [day_start(:start_day), day_start(:end_day + 1)), as the rollups'
-- days do; unique users and participation use the instants, as production does.
-- Points come from the ledger lines rather than the journals the rollup reads:
-- issued = what left source accounts, redeemed = what reached sinks, expired = what
-- reached `expired`, outstanding = the residents' accounts' balance.

-- name: service_summary
-- One row per community in scope plus the total (community_code NULL), from the visits.
WITH days AS (
    SELECT (CAST(:end_day AS date) - CAST(:start_day AS date) + 1) AS n
), capacity AS (
    SELECT community_code, sum(capacity) AS per_day FROM dim_facility GROUP BY community_code
), in_days AS (
    SELECT community_code, units, status, age_band
      FROM fact_service_visit
     WHERE visited_at >= day_start(CAST(:start_day AS date))
       AND visited_at < day_start(CAST(:end_day AS date) + 1)
), per_community AS (
    SELECT c.community_code,
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended'), 0) AS units,
           count(*) FILTER (WHERE v.status = 'attended') AS attended,
           count(*) FILTER (WHERE v.status = 'no_show') AS no_show,
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended'
                                           AND v.age_band IN ('60-79', '80+')), 0) AS units_60_plus,
           coalesce(max(k.per_day), 0) * (SELECT n FROM days) AS capacity_units
      FROM dim_community c
      LEFT JOIN in_days v USING (community_code)
      LEFT JOIN capacity k USING (community_code)
     GROUP BY c.community_code
), grouped AS (
    SELECT community_code, sum(units) AS visits, sum(attended) AS attended,
           sum(no_show) AS no_show, sum(units_60_plus) AS units_60_plus,
           sum(capacity_units) AS capacity_units
      FROM per_community
     GROUP BY GROUPING SETS ((community_code), ())
), distinct_users AS (
    SELECT community_code, count(DISTINCT resident_ref) AS unique_users
      FROM fact_service_visit
     WHERE status = 'attended' AND visited_at >= :start_at AND visited_at < :end_at
       AND resident_ref IS NOT NULL
     GROUP BY GROUPING SETS ((community_code), ())
)
SELECT g.community_code, g.visits, coalesce(d.unique_users, 0) AS unique_users,
       g.visits::double precision / nullif(g.capacity_units, 0) AS utilisation,
       g.units_60_plus::double precision / nullif(g.visits, 0) AS share_60_plus,
       g.no_show::double precision / nullif(g.attended + g.no_show, 0) AS no_show_rate,
       g.capacity_units
  FROM grouped g
  LEFT JOIN distinct_users d ON d.community_code IS NOT DISTINCT FROM g.community_code
 ORDER BY g.community_code NULLS FIRST;

-- name: points_summary
-- One row per community in scope plus the total, from the ledger lines.
WITH bounds AS (
    SELECT day_start(CAST(:start_day AS date)) AS lo,
           day_start(CAST(:end_day AS date) + 1) AS hi
), calendar AS (
    SELECT d::date AS day
      FROM generate_series(CAST(:start_day AS date), CAST(:end_day AS date), interval '1 day') d
), flows AS (
    SELECT c.community_code, c.residents,
           coalesce(-sum(e.amount) FILTER (WHERE e.account_kind = 'source'), 0) AS issued,
           coalesce(sum(e.amount) FILTER (WHERE e.account_kind = 'sink'), 0) AS redeemed,
           coalesce(sum(e.amount) FILTER (WHERE e.account_kind = 'expired'), 0) AS expired
      FROM dim_community c
      LEFT JOIN ledger_entry e
        ON e.community_code = c.community_code
       AND e.occurred_at >= (SELECT lo FROM bounds) AND e.occurred_at < (SELECT hi FROM bounds)
     GROUP BY c.community_code, c.residents
), resident_days AS (
    SELECT community_code, local_day(occurred_at) AS day, sum(amount) AS net
      FROM ledger_entry
     WHERE account_kind = 'resident' AND occurred_at < (SELECT hi FROM bounds)
     GROUP BY 1, 2
), opening AS (
    SELECT c.community_code,
           coalesce(sum(r.net) FILTER (WHERE r.day < :start_day), 0) AS amount
      FROM dim_community c
      LEFT JOIN resident_days r USING (community_code)
     GROUP BY c.community_code
), balance_by_day AS (
    SELECT o.community_code, cal.day,
           o.amount + sum(coalesce(r.net, 0)) OVER (
               PARTITION BY o.community_code ORDER BY cal.day) AS balance
      FROM opening o
     CROSS JOIN calendar cal
      LEFT JOIN resident_days r ON r.community_code = o.community_code AND r.day = cal.day
), balances AS (
    SELECT community_code,
           sum(balance) FILTER (WHERE day = CAST(:end_day AS date)) AS closing,
           avg(balance) AS mean_balance
      FROM balance_by_day GROUP BY community_code
), grouped AS (
    SELECT f.community_code, sum(f.issued) AS issued, sum(f.redeemed) AS redeemed,
           sum(f.expired) AS expired, sum(b.closing) AS outstanding,
           sum(b.mean_balance) AS mean_outstanding, sum(f.residents) AS residents
      FROM flows f
      JOIN balances b USING (community_code)
     GROUP BY GROUPING SETS ((f.community_code), ())
)
SELECT g.community_code, g.issued, g.redeemed, g.expired, g.outstanding, g.residents,
       g.redeemed::double precision / nullif(g.issued, 0) AS redemption_rate,
       g.redeemed::double precision / nullif(g.mean_outstanding, 0) AS velocity
  FROM grouped g
 ORDER BY g.community_code NULLS FIRST;

-- name: points_participation
-- The distinct earners of the 30 days to :t per community with one, and the scope's,
-- from the journals.
SELECT community_code, count(DISTINCT resident_ref) AS earners_30d
  FROM ledger_journal
 WHERE kind = 'earn' AND occurred_at > CAST(:t AS timestamptz) - interval '30 days'
   AND occurred_at <= :t
 GROUP BY GROUPING SETS ((community_code), ())
 ORDER BY community_code NULLS FIRST;

-- name: daily_activity
-- One row per local day in [:start_day, :end_day]: incidents reported (rejected
-- included) and closed, attended visit units, points issued and redeemed.
WITH calendar AS (
    SELECT d::date AS day
      FROM generate_series(CAST(:start_day AS date), CAST(:end_day AS date), interval '1 day') d
), bounds AS (
    SELECT day_start(CAST(:start_day AS date)) AS lo,
           day_start(CAST(:end_day AS date) + 1) AS hi
), reported AS (
    SELECT local_day(reported_at) AS day, count(*) AS n
      FROM fact_incident
     WHERE reported_at >= (SELECT lo FROM bounds) AND reported_at < (SELECT hi FROM bounds)
     GROUP BY 1
), closed AS (
    SELECT local_day(closed_at) AS day, count(*) AS n
      FROM fact_incident
     WHERE closed_at >= (SELECT lo FROM bounds) AND closed_at < (SELECT hi FROM bounds)
     GROUP BY 1
), visited AS (
    SELECT local_day(visited_at) AS day, sum(units) AS units
      FROM fact_service_visit
     WHERE status = 'attended'
       AND visited_at >= (SELECT lo FROM bounds) AND visited_at < (SELECT hi FROM bounds)
     GROUP BY 1
), points AS (
    SELECT local_day(occurred_at) AS day,
           -sum(amount) FILTER (WHERE account_kind = 'source') AS issued,
           sum(amount) FILTER (WHERE account_kind = 'sink') AS redeemed
      FROM ledger_entry
     WHERE account_kind IN ('source', 'sink')
       AND occurred_at >= (SELECT lo FROM bounds) AND occurred_at < (SELECT hi FROM bounds)
     GROUP BY 1
)
SELECT cal.day,
       coalesce(r.n, 0) AS incidents_reported,
       coalesce(c.n, 0) AS incidents_closed,
       coalesce(v.units, 0) AS visits,
       coalesce(p.issued, 0) AS points_issued,
       coalesce(p.redeemed, 0) AS points_redeemed
  FROM calendar cal
  LEFT JOIN reported r USING (day)
  LEFT JOIN closed c USING (day)
  LEFT JOIN visited v USING (day)
  LEFT JOIN points p USING (day)
 ORDER BY cal.day;
