-- Service figures (DESIGN §5), from the per-facility-per-day rollup. Scope by RLS;
-- :scope_codes names its communities for the indexes (see incidents.sql).
-- :start_day, :end_day  the period's local days, inclusive, end never after the as-of day
-- :start_at, :end_at    the same period as instants (for unique users, from the facts)

-- name: service_summary
-- One row per community in scope plus a total row (community_code NULL): visits
-- (attended units), unique users, utilisation = attended units ÷ (capacity × days),
-- summed before dividing, 60+ share of attended units, no-show rate.
WITH days AS (
    SELECT (CAST(:end_day AS date) - CAST(:start_day AS date) + 1) AS n
), capacity AS (
    SELECT community_code, sum(capacity) AS per_day FROM dim_facility GROUP BY community_code
), usage AS (
    SELECT community_code,
           sum(attended_units) AS units,
           sum(attended_visits) AS attended,
           sum(no_show) AS no_show,
           sum(units_age_60_79 + units_age_80_plus) AS units_60_plus
      FROM rollup_facility_day
     WHERE day BETWEEN :start_day AND :end_day
       AND in_scope_codes(community_code, :scope_codes)
     GROUP BY community_code
), users AS (
    SELECT community_code, resident_ref
      FROM fact_service_visit
     WHERE status = 'attended' AND visited_at >= :start_at AND visited_at < :end_at
       AND resident_ref IS NOT NULL
       AND in_scope_codes(community_code, :scope_codes)
), community_users AS (
    SELECT community_code, count(DISTINCT resident_ref) AS unique_users
      FROM users GROUP BY community_code
), per_community AS (
    SELECT c.community_code,
           coalesce(u.units, 0) AS units, coalesce(u.attended, 0) AS attended,
           coalesce(u.no_show, 0) AS no_show, coalesce(u.units_60_plus, 0) AS units_60_plus,
           coalesce(k.per_day, 0) * (SELECT n FROM days) AS capacity_units,
           coalesce(r.unique_users, 0) AS unique_users
      FROM dim_community c
      LEFT JOIN usage u USING (community_code)
      LEFT JOIN capacity k USING (community_code)
      -- joined by equality before the grouping: matching the grouped rows afterwards
      -- (the total row's key is NULL) compared 3,001 × 3,001
      LEFT JOIN community_users r USING (community_code)
), grouped AS (
    SELECT community_code, sum(units) AS visits, sum(attended) AS attended,
           sum(no_show) AS no_show, sum(units_60_plus) AS units_60_plus,
           sum(capacity_units) AS capacity_units, sum(unique_users) AS community_users
      FROM per_community
     GROUP BY GROUPING SETS ((community_code), ())
)
SELECT community_code, visits,
       CASE WHEN community_code IS NOT NULL THEN community_users
            -- the scope's distinct users: one may use services in two communities
            ELSE (SELECT count(DISTINCT resident_ref) FROM users) END AS unique_users,
       visits::double precision / nullif(capacity_units, 0) AS utilisation,
       units_60_plus::double precision / nullif(visits, 0) AS share_60_plus,
       no_show::double precision / nullif(attended + no_show, 0) AS no_show_rate,
       capacity_units
  FROM grouped
 ORDER BY community_code NULLS FIRST;
