-- Points circulation in detail (积分流转): where points come from and go, balances over
-- time and who holds them. Scope by RLS. No query returns a resident key.
-- :start_day, :end_day  the period's local days (end never after the as-of day)
-- :start_at, :end_at    the same period as instants
-- :t                    the as-of instant

-- name: points_flows
-- One row per kind and label of the journals in the period: earn by reason, redeem by
-- counterparty, expire and adjust one row each (label = the kind); points (sum of
-- amounts, signed for adjust), journals, and distinct residents (a count of residents:
-- suppressed below 5 by data_access).
SELECT kind,
       CASE kind WHEN 'earn' THEN coalesce(reason, '')
                 WHEN 'redeem' THEN coalesce(counterparty, '')
                 ELSE kind END AS label,
       sum(amount) AS points,
       count(*) AS journals,
       count(DISTINCT resident_ref) AS residents
  FROM ledger_journal
 WHERE occurred_at >= :start_at AND occurred_at < :end_at
 AND in_scope_codes(community_code, :scope_codes)
 GROUP BY 1, 2
 ORDER BY 1, 3 DESC, 2;

-- name: points_daily
-- One row per local day of the period: points issued, redeemed, expired and adjusted
-- that day, and outstanding at the day's end (every journal up to and including the day:
-- earn − redeem − expire ± adjust, as points_summary's outstanding).
WITH daily AS (
    SELECT day, sum(points_issued) AS issued, sum(points_redeemed) AS redeemed,
           sum(points_expired) AS expired, sum(points_adjusted) AS adjusted,
           sum(points_net(points_issued, points_redeemed, points_expired, points_adjusted))
               AS net
      FROM rollup_community_day
     WHERE day BETWEEN :start_day AND :end_day
       AND CAST(:scope_codes AS text[]) IS NOT NULL
       AND in_scope_codes(community_code, :scope_codes)
     GROUP BY day
    UNION ALL
    -- the whole district (:scope_codes NULL): its own days (migration 028)
    SELECT day, points_issued, points_redeemed, points_expired, points_adjusted,
           points_net(points_issued, points_redeemed, points_expired, points_adjusted)
      FROM rollup_district_day
     WHERE day BETWEEN :start_day AND :end_day
       AND CAST(:scope_codes AS text[]) IS NULL
), month_start AS (
    SELECT date_trunc('month', CAST(:start_day AS date))::date AS day
), opening AS (
    -- held before the period: the whole months before it (migration 014), then the
    -- days of its first month before it, as points_summary; summing every day since
    -- the first journal read a city's three years of days (0.8 s). The whole district
    -- sums its own days before the period (migration 028: ~1,000 rows, not 3,000
    -- communities' months).
    SELECT CASE WHEN CAST(:scope_codes AS text[]) IS NULL THEN
                coalesce((SELECT sum(points_net(points_issued, points_redeemed, points_expired,
                                                points_adjusted))
                            FROM rollup_district_day WHERE day < :start_day), 0)
           ELSE
                coalesce((SELECT sum(points_net(points_issued, points_redeemed, points_expired,
                                                points_adjusted))
                            FROM rollup_community_month
                           WHERE month < (SELECT day FROM month_start)
                             AND in_scope_codes(community_code, :scope_codes)), 0)
              + coalesce((SELECT sum(points_net(points_issued, points_redeemed, points_expired,
                                                points_adjusted))
                            FROM rollup_community_day
                           WHERE day >= (SELECT day FROM month_start) AND day < :start_day
                             AND in_scope_codes(community_code, :scope_codes)), 0)
           END AS amount
)
SELECT cal.day::date AS day,
       coalesce(d.issued, 0) AS issued,
       coalesce(d.redeemed, 0) AS redeemed,
       coalesce(d.expired, 0) AS expired,
       coalesce(d.adjusted, 0) AS adjusted,
       (SELECT amount FROM opening)
         + sum(coalesce(d.net, 0)) OVER (ORDER BY cal.day) AS outstanding
  FROM generate_series(CAST(:start_day AS date), CAST(:end_day AS date), interval '1 day') cal(day)
  LEFT JOIN daily d ON d.day = cal.day::date
 ORDER BY cal.day;

-- name: points_holders
-- One row per community in scope plus the total (community_code NULL): holders (resident
-- accounts whose ledger entries up to :t sum to more than zero), residents, and the
-- share of residents holding points (holders ÷ residents).
-- Counted from the balances kept as entries arrive (migration 017): the accounts
-- positive now (each community's count kept beside them, migration 023), corrected by
-- the accounts whose entries after :t change that (their balance at :t is the balance
-- now less those entries). Summing every entry up to :t took 10 s over a city's 40M,
-- counting the positive balances 1–2 s; an as-of at or after the newest entry reads
-- no entry and no balance.
WITH later AS (
    SELECT community_code, account, sum(amount) AS amount
      FROM ledger_entry
     WHERE account_kind = 'resident' AND occurred_at > :t
       AND in_scope_codes(community_code, :scope_codes)
     GROUP BY community_code, account
), changed AS (
    SELECT l.community_code,
           sum(CASE WHEN b.balance - l.amount > 0 THEN 1 ELSE 0 END
               - CASE WHEN b.balance > 0 THEN 1 ELSE 0 END) AS change
      FROM later l
      JOIN ledger_account_balance b USING (community_code, account)
     GROUP BY l.community_code
), per_community AS (
    SELECT c.community_code, c.residents,
           coalesce((SELECT h.holders FROM ledger_holder_count h
                      WHERE h.community_code = c.community_code), 0)
           + coalesce((SELECT x.change FROM changed x
                        WHERE x.community_code = c.community_code), 0) AS holders
      FROM dim_community c
)
SELECT community_code, sum(holders) AS holders, sum(residents) AS residents,
       sum(holders)::double precision / nullif(sum(residents), 0) AS holders_share
  FROM per_community
 GROUP BY GROUPING SETS ((community_code), ())
 ORDER BY community_code NULLS FIRST;
