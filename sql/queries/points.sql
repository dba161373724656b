-- Points figures (DESIGN §5), from the per-community-per-day rollup and the journals.
-- Scope by RLS; :scope_codes names its communities for the indexes (see incidents.sql).
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
       AND in_scope_codes(community_code, :scope_codes)
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
              AND in_scope_codes(community_code, :scope_codes)
            GROUP BY community_code) before_month USING (community_code)
      LEFT JOIN (
           SELECT community_code, sum(net) AS amount
             FROM daily_net
            WHERE day >= (SELECT day FROM month_start) AND day < :start_day
            GROUP BY community_code) in_month USING (community_code)
), period AS (
    -- the closing balance and the mean daily balance come from the period's days in
    -- one pass: day d's net is held on (end_day - d + 1) of the period's days, so
    -- Σ balance(d) = n · opening + Σ net(d) · (end_day - d + 1). (Running a window
    -- over a calendar of 3,000 communities × the days cost 0.6 s at city scale.)
    SELECT community_code,
           sum(points_issued) AS issued, sum(points_redeemed) AS redeemed,
           sum(points_expired) AS expired, sum(net) AS net,
           sum(net * (CAST(:end_day AS date) - day + 1)) AS net_days_held
      FROM daily_net
     WHERE day >= :start_day
     GROUP BY community_code
), per_community AS (
    SELECT o.community_code, o.residents,
           coalesce(p.issued, 0) AS issued, coalesce(p.redeemed, 0) AS redeemed,
           coalesce(p.expired, 0) AS expired,
           o.amount + coalesce(p.net, 0) AS closing_outstanding,
           o.amount + coalesce(p.net_days_held, 0)::double precision
               / (CAST(:end_day AS date) - CAST(:start_day AS date) + 1) AS mean_outstanding
      FROM opening o
      LEFT JOIN period p USING (community_code)
), earners AS MATERIALIZED (
    -- each community's distinct earners once, hashed; the scope's count is taken
    -- from these rows, not from the journals a second time
    SELECT DISTINCT community_code, resident_ref
      FROM ledger_journal
     WHERE kind = 'earn' AND occurred_at > CAST(:t AS timestamptz) - interval '30 days'
       AND occurred_at <= :t
       AND in_scope_codes(community_code, :scope_codes)
), earner_counts AS (
    SELECT community_code, count(*) AS earners_30d FROM earners GROUP BY community_code
), scope_earners AS (
    -- one may earn in two communities, so the scope's earners are counted apart
    SELECT count(*) AS earners_30d FROM (SELECT DISTINCT resident_ref FROM earners) e
), grouped AS (
    -- each community's earners joined by equality before the grouping: matching the
    -- grouped rows afterwards (the total row's key is NULL) compared 3,001 × 3,001
    SELECT f.community_code, sum(f.issued) AS issued, sum(f.redeemed) AS redeemed,
           sum(f.expired) AS expired, sum(f.closing_outstanding) AS outstanding,
           sum(f.mean_outstanding) AS mean_outstanding, sum(f.residents) AS residents,
           coalesce(sum(e.earners_30d), 0) AS community_earners
      FROM per_community f
      LEFT JOIN earner_counts e USING (community_code)
     GROUP BY GROUPING SETS ((f.community_code), ())
), with_earners AS (
    SELECT g.*,
           CASE WHEN g.community_code IS NOT NULL THEN g.community_earners
                ELSE s.earners_30d END AS earners_30d
      -- joined, not a subquery in the CASE: the CASE is inlined into both columns
      -- that read it, and its subquery ran once for each
      FROM grouped g CROSS JOIN scope_earners s
)
SELECT community_code, issued, redeemed, expired, outstanding, earners_30d,
       earners_30d::double precision / nullif(residents, 0) AS participation,
       redeemed::double precision / nullif(issued, 0) AS redemption_rate,
       redeemed::double precision / nullif(mean_outstanding, 0) AS velocity
  FROM with_earners
 ORDER BY community_code NULLS FIRST;
