-- Points figures (DESIGN §5), from the per-community-per-day rollup and the journals.
-- :start_day, :end_day  the period's local days (end never after the as-of day)
-- :t                    the as-of instant (participation looks at the 30 days to it)

-- name: points_summary
-- One row per community in scope plus a total row (community_code NULL): issued,
-- redeemed, expired in the period; outstanding as of the end day; participation
-- (distinct earners in the 30 days to :t ÷ residents); redemption rate; velocity
-- (redeemed ÷ mean daily outstanding over the period).
WITH daily_net AS NOT MATERIALIZED (
    SELECT community_code, day, points_issued, points_redeemed, points_expired,
           points_issued - points_redeemed - points_expired + points_adjusted AS net
      FROM rollup_community_day
     WHERE day <= :end_day
), calendar AS (
    SELECT d::date AS day
      FROM generate_series(CAST(:start_day AS date), CAST(:end_day AS date), interval '1 day') d
), opening AS (
    -- one grouped pass over the days before the period (a correlated sum per
    -- community re-read the whole rollup once per community: minutes at city scale)
    SELECT c.community_code, c.residents, coalesce(sum(n.net), 0) AS amount
      FROM dim_community c
      LEFT JOIN daily_net n ON n.community_code = c.community_code AND n.day < :start_day
     GROUP BY c.community_code, c.residents
), outstanding_by_day AS (
    SELECT o.community_code, cal.day,
           o.amount + sum(coalesce(n.net, 0)) OVER (
               PARTITION BY o.community_code ORDER BY cal.day) AS outstanding
      FROM opening o
     CROSS JOIN calendar cal
      LEFT JOIN daily_net n ON n.community_code = o.community_code AND n.day = cal.day
), flows AS (
    SELECT o.community_code, o.residents,
           coalesce(sum(n.points_issued), 0) AS issued,
           coalesce(sum(n.points_redeemed), 0) AS redeemed,
           coalesce(sum(n.points_expired), 0) AS expired
      FROM opening o
      LEFT JOIN daily_net n ON n.community_code = o.community_code AND n.day >= :start_day
     GROUP BY o.community_code, o.residents
), closing AS (
    SELECT community_code, outstanding AS closing_outstanding
      FROM outstanding_by_day WHERE day = CAST(:end_day AS date)
), mean_outstanding AS (
    SELECT community_code, avg(outstanding) AS mean_outstanding
      FROM outstanding_by_day GROUP BY community_code
), earners AS (
    SELECT community_code, resident_ref
      FROM ledger_journal
     WHERE kind = 'earn' AND occurred_at > CAST(:t AS timestamptz) - interval '30 days'
       AND occurred_at <= :t
), earner_counts AS (
    SELECT community_code, count(DISTINCT resident_ref) AS earners_30d
      FROM earners GROUP BY GROUPING SETS ((community_code), ())
), grouped AS (
    SELECT f.community_code, sum(f.issued) AS issued, sum(f.redeemed) AS redeemed,
           sum(f.expired) AS expired, sum(c.closing_outstanding) AS outstanding,
           sum(m.mean_outstanding) AS mean_outstanding, sum(f.residents) AS residents
      FROM flows f
      JOIN closing c USING (community_code)
      JOIN mean_outstanding m USING (community_code)
     GROUP BY GROUPING SETS ((f.community_code), ())
)
SELECT g.community_code, g.issued, g.redeemed, g.expired, g.outstanding,
       coalesce(e.earners_30d, 0) AS earners_30d,
       coalesce(e.earners_30d, 0)::double precision / nullif(g.residents, 0) AS participation,
       g.redeemed::double precision / nullif(g.issued, 0) AS redemption_rate,
       g.redeemed::double precision / nullif(g.mean_outstanding, 0) AS velocity
  FROM grouped g
  LEFT JOIN earner_counts e ON e.community_code IS NOT DISTINCT FROM g.community_code
 ORDER BY g.community_code NULLS FIRST;
