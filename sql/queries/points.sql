-- Points figures (DESIGN §5), from the per-community-per-day rollup and the journals.
-- Scope by RLS; :scope_codes names its communities for the indexes (see incidents.sql).
-- :start_day, :end_day  the period's local days (end never after the as-of day)
-- :t                    the as-of instant (participation looks at the 30 days to it)

-- name: points_summary
-- One row per community in scope plus a total row (community_code NULL): issued,
-- redeemed, expired in the period; outstanding as of the end day; residents (whom
-- participation, points_participation's earners, is divided by); redemption rate;
-- velocity (redeemed ÷ mean daily outstanding over the period). Nothing here moves
-- with the clock alone (kept for the whole city, data_access/kept.py); participation,
-- a rolling 30 days, is apart and joined by data_access.figures.
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
), grouped AS (
    SELECT f.community_code, sum(f.issued) AS issued, sum(f.redeemed) AS redeemed,
           sum(f.expired) AS expired, sum(f.closing_outstanding) AS outstanding,
           sum(f.mean_outstanding) AS mean_outstanding, sum(f.residents) AS residents
      FROM per_community f
     GROUP BY GROUPING SETS ((f.community_code), ())
)
SELECT community_code, issued, redeemed, expired, outstanding, residents,
       redeemed::double precision / nullif(issued, 0) AS redemption_rate,
       redeemed::double precision / nullif(mean_outstanding, 0) AS velocity
  FROM grouped
 ORDER BY community_code NULLS FIRST;

-- name: points_participation
-- One row per community in scope with an earner plus a total row (community_code
-- NULL): earners_30d, the distinct residents who earned in the 30 days to :t (one who
-- earned in two communities counts once in the total). While no journal of the scope
-- lies after :t (T = now; rollup_freshness), from each resident's last earning
-- (migrations 033, 034): the residents whose last earning falls on each whole day after
-- the window's first (migration 038, per community and for the district), and those
-- of its first day after T - 30 days; else (a past as-of date) from the journals.
WITH after_t AS MATERIALIZED (
    SELECT coalesce(max(f.newest) > :t, false) AS found
      FROM rollup_freshness f
     WHERE f.table_name = 'ledger_journal'
       AND in_scope_codes(f.community_code, :scope_codes)
), window_start AS MATERIALIZED (
    SELECT w.since, local_day(w.since) AS first_day, local_day(CAST(:t AS timestamptz)) AS last_day
      FROM (SELECT CAST(:t AS timestamptz) - interval '30 days' AS since) w
), last_earned AS NOT MATERIALIZED (
    SELECT community_code, resident_ref
      FROM ledger_last_earn
     WHERE last_earned_at > CAST(:t AS timestamptz) - interval '30 days'
       AND last_earned_at <= :t
       AND in_scope_codes(community_code, :scope_codes)
       AND NOT (SELECT found FROM after_t)
), by_days AS NOT MATERIALIZED (
    SELECT h.community_code, h.residents
      FROM rollup_last_earn_day h
     WHERE h.day > (SELECT first_day FROM window_start)
       AND h.day <= (SELECT last_day FROM window_start)
       AND in_scope_codes(h.community_code, :scope_codes)
       AND NOT (SELECT found FROM after_t)
    UNION ALL
    SELECT l.community_code, 1
      FROM ledger_last_earn l
     WHERE l.last_earned_at > (SELECT since FROM window_start)
       AND l.last_earned_at < day_start((SELECT first_day FROM window_start) + 1)
       AND in_scope_codes(l.community_code, :scope_codes)
       AND NOT (SELECT found FROM after_t)
), journaled AS MATERIALIZED (
    SELECT DISTINCT community_code, resident_ref
      FROM ledger_journal
     WHERE kind = 'earn' AND occurred_at > CAST(:t AS timestamptz) - interval '30 days'
       AND occurred_at <= :t
       AND in_scope_codes(community_code, :scope_codes)
       AND (SELECT found FROM after_t)
), per_community AS (
    SELECT community_code, sum(residents)::bigint AS earners_30d
      FROM by_days GROUP BY community_code HAVING sum(residents) > 0
    UNION ALL
    SELECT community_code, count(*) FROM journaled GROUP BY community_code
), whole_district AS (
    -- the district's own last earnings: one row per resident, no distinct count
    SELECT (SELECT coalesce(sum(h.residents), 0)
              FROM rollup_district_last_earn_day h
             WHERE h.day > (SELECT first_day FROM window_start)
               AND h.day <= (SELECT last_day FROM window_start))
           + (SELECT count(*)
                FROM rollup_district_last_earn d
               WHERE d.last_earned_at > (SELECT since FROM window_start)
                 AND d.last_earned_at < day_start((SELECT first_day FROM window_start) + 1))
           AS earners_30d
     WHERE CAST(:scope_codes AS text[]) IS NULL
       AND NOT (SELECT found FROM after_t)
), scope_total AS (
    SELECT earners_30d FROM whole_district WHERE CAST(:scope_codes AS text[]) IS NULL
                                             AND NOT (SELECT found FROM after_t)
    UNION ALL
    SELECT count(DISTINCT resident_ref)
      FROM (SELECT resident_ref FROM last_earned
             WHERE CAST(:scope_codes AS text[]) IS NOT NULL
            UNION ALL
            SELECT resident_ref FROM journaled) e
    HAVING CAST(:scope_codes AS text[]) IS NOT NULL OR (SELECT found FROM after_t)
)
SELECT community_code, earners_30d FROM per_community
UNION ALL
SELECT NULL, earners_30d FROM scope_total
 ORDER BY community_code NULLS FIRST;
