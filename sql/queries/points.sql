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
           points_net(points_issued, points_redeemed, points_expired, points_adjusted) AS net
      FROM rollup_community_day
     WHERE day <= :end_day
), calendar AS (
    SELECT d::date AS day
      FROM generate_series(CAST(:start_day AS date), CAST(:end_day AS date), interval '1 day') d
), month_start AS (
    SELECT date_trunc('month', CAST(:start_day AS date))::date AS day
), opening AS (
    -- what residents held before the period: the whole months before it (migration
    -- 014), then the days of its first month before it; not three years of days
    SELECT c.community_code, c.residents,
           coalesce(before_month.amount, 0) + coalesce(in_month.amount, 0) AS amount
      FROM dim_community c
      LEFT JOIN (
           SELECT community_code,
                  sum(points_net(points_issued, points_redeemed, points_expired,
                                 points_adjusted)) AS amount
             FROM rollup_community_month
            WHERE month < (SELECT day FROM month_start)
            GROUP BY community_code) before_month USING (community_code)
      LEFT JOIN (
           SELECT community_code, sum(net) AS amount
             FROM daily_net
            WHERE day >= (SELECT day FROM month_start) AND day < :start_day
            GROUP BY community_code) in_month USING (community_code)
), outstanding_by_day AS (
    SELECT o.community_code, cal.day,
           o.amount + sum(coalesce(n.net, 0)) OVER (
               PARTITION BY o.community_code ORDER BY cal.day) AS outstanding
      FROM opening o
     CROSS JOIN calendar cal
      LEFT JOIN daily_net n ON n.community_code = o.community_code AND n.day = cal.day
       AND n.day >= :start_day  -- said outright, so only the period's days are read
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
      FROM earners GROUP BY community_code
), grouped AS (
    -- each community's earners joined by equality before the grouping: matching the
    -- grouped rows afterwards (the total row's key is NULL) compared 3,001 × 3,001
    SELECT f.community_code, sum(f.issued) AS issued, sum(f.redeemed) AS redeemed,
           sum(f.expired) AS expired, sum(c.closing_outstanding) AS outstanding,
           sum(m.mean_outstanding) AS mean_outstanding, sum(f.residents) AS residents,
           coalesce(sum(e.earners_30d), 0) AS community_earners
      FROM flows f
      JOIN closing c USING (community_code)
      JOIN mean_outstanding m USING (community_code)
      LEFT JOIN earner_counts e USING (community_code)
     GROUP BY GROUPING SETS ((f.community_code), ())
), with_earners AS (
    SELECT g.*,
           CASE WHEN g.community_code IS NOT NULL THEN g.community_earners
                -- the scope's distinct earners: one may earn in two communities
                ELSE (SELECT count(DISTINCT resident_ref) FROM earners) END AS earners_30d
      FROM grouped g
)
SELECT community_code, issued, redeemed, expired, outstanding, earners_30d,
       earners_30d::double precision / nullif(residents, 0) AS participation,
       redeemed::double precision / nullif(issued, 0) AS redemption_rate,
       redeemed::double precision / nullif(mean_outstanding, 0) AS velocity
  FROM with_earners
 ORDER BY community_code NULLS FIRST;
