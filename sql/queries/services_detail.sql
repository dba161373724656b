-- Service usage per facility, week, age band and hour (服务场景). Scope by RLS: a
-- scope sees only its communities' facilities, so each community shows its own scenes.
-- :start_day, :end_day  the period's local days, inclusive, end never after the as-of day
-- :start_at, :end_at    the same period as instants (for figures read from the facts)

-- name: facility_usage
-- One row per facility in scope: capacity per day (beds for childcare), visits (attended
-- units), attended visits, no-shows, 60+ units and share, unique users (from the facts),
-- capacity units = capacity × days, utilisation = visits ÷ capacity units (the facility's
-- days summed before dividing; for childcare this is bed occupancy), mean daily units and
-- the busiest day's units.
WITH days AS (
    SELECT (CAST(:end_day AS date) - CAST(:start_day AS date) + 1) AS n
), usage AS (
    SELECT facility_code,
           sum(attended_units) AS units,
           sum(attended_visits) AS attended,
           sum(no_show) AS no_show,
           sum(units_age_60_79 + units_age_80_plus) AS units_60_plus,
           max(attended_units) AS peak_day_units
      FROM rollup_facility_day
     WHERE day BETWEEN :start_day AND :end_day
       AND in_scope_codes(community_code, :scope_codes)
     GROUP BY facility_code
), users AS (
    SELECT facility_code, count(DISTINCT resident_ref) AS unique_users
      FROM fact_service_visit
     WHERE status = 'attended' AND visited_at >= :start_at AND visited_at < :end_at
       AND resident_ref IS NOT NULL
       AND in_scope_codes(community_code, :scope_codes)
     GROUP BY facility_code
)
SELECT f.facility_code, f.community_code, c.community_name, f.facility_name, f.facility_type,
       f.capacity,
       coalesce(u.units, 0) AS visits,
       coalesce(u.attended, 0) AS attended_visits,
       coalesce(u.no_show, 0) AS no_show,
       coalesce(u.units_60_plus, 0) AS units_60_plus,
       coalesce(s.unique_users, 0) AS unique_users,
       f.capacity * d.n AS capacity_units,
       coalesce(u.units, 0)::double precision / (f.capacity * d.n) AS utilisation,
       u.units_60_plus::double precision / nullif(u.units, 0) AS share_60_plus,
       coalesce(u.units, 0)::double precision / d.n AS mean_daily_units,
       coalesce(u.peak_day_units, 0) AS peak_day_units
  FROM dim_facility f
  JOIN dim_community c USING (community_code)
 CROSS JOIN days d
  LEFT JOIN usage u USING (facility_code)
  LEFT JOIN users s USING (facility_code)
 ORDER BY f.facility_type, f.community_code, f.facility_code;

-- name: facility_type_weekly_usage
-- One row per facility type in scope per ISO week (Monday first) overlapping the
-- period: the week's days inside the period, visits (attended units), capacity units =
-- the type's capacity per day (its facilities' summed) × those days, utilisation =
-- visits ÷ capacity units. Summed here, per type: per facility, a city's rows were
-- 60,000 for a chart of a few dozen points.
WITH calendar AS (
    SELECT d::date AS day
      FROM generate_series(CAST(:start_day AS date), CAST(:end_day AS date), interval '1 day') d
), weeks AS (
    SELECT date_trunc('week', day::timestamp)::date AS week_start, count(*) AS days
      FROM calendar GROUP BY 1
), types AS (
    SELECT facility_type, sum(capacity) AS capacity_per_day
      FROM dim_facility
     WHERE in_scope_codes(community_code, :scope_codes)
     GROUP BY facility_type
), usage AS (
    SELECT f.facility_type, date_trunc('week', r.day::timestamp)::date AS week_start,
           sum(r.attended_units) AS units
      FROM rollup_facility_day r
      JOIN dim_facility f USING (facility_code)
     WHERE r.day BETWEEN :start_day AND :end_day
       AND CAST(:scope_codes AS text[]) IS NOT NULL
       AND in_scope_codes(r.community_code, :scope_codes)
     GROUP BY 1, 2
    UNION ALL
    -- the whole district (:scope_codes NULL): its days per type (migration 028), tens
    -- of rows instead of 12,000 facilities' days
    SELECT facility_type, date_trunc('week', day::timestamp)::date, sum(attended_units)
      FROM rollup_district_facility_type_day
     WHERE day BETWEEN :start_day AND :end_day
       AND CAST(:scope_codes AS text[]) IS NULL
     GROUP BY 1, 2
)
SELECT t.facility_type, w.week_start, w.days,
       coalesce(u.units, 0) AS visits,
       t.capacity_per_day * w.days AS capacity_units,
       coalesce(u.units, 0)::double precision
           / nullif(t.capacity_per_day * w.days, 0) AS utilisation
  FROM types t
 CROSS JOIN weeks w
  LEFT JOIN usage u ON u.facility_type = t.facility_type AND u.week_start = w.week_start
 ORDER BY t.facility_type, w.week_start;

-- name: visits_by_age_band
-- One row per facility type and age band with attended units in the period, with the
-- band's 一老一小一青年 group: 0-3 and 4-14 young (一小), 15-34 youth (青年), 35-59
-- middle, 60-79 and 80+ old (一老), no recorded band unknown.
WITH per_type AS (
    -- each type's bands summed first, then turned into rows: turning every
    -- facility-day into seven rows first read a city's month seven times over (1.4 s)
    SELECT f.facility_type,
           sum(r.units_age_0_3) AS age_0_3, sum(r.units_age_4_14) AS age_4_14,
           sum(r.units_age_15_34) AS age_15_34, sum(r.units_age_35_59) AS age_35_59,
           sum(r.units_age_60_79) AS age_60_79, sum(r.units_age_80_plus) AS age_80_plus,
           sum(r.units_age_unknown) AS age_unknown
      FROM rollup_facility_day r
      JOIN dim_facility f USING (facility_code)
     WHERE r.day BETWEEN :start_day AND :end_day
       AND CAST(:scope_codes AS text[]) IS NOT NULL
       AND in_scope_codes(r.community_code, :scope_codes)
     GROUP BY f.facility_type
    UNION ALL
    -- the whole district (:scope_codes NULL): its days per type (migration 028)
    SELECT facility_type, sum(units_age_0_3), sum(units_age_4_14), sum(units_age_15_34),
           sum(units_age_35_59), sum(units_age_60_79), sum(units_age_80_plus),
           sum(units_age_unknown)
      FROM rollup_district_facility_type_day
     WHERE day BETWEEN :start_day AND :end_day
       AND CAST(:scope_codes AS text[]) IS NULL
     GROUP BY facility_type
)
SELECT t.facility_type, b.age_band, b.age_group, b.band_order, b.units AS visits
  FROM per_type t
 CROSS JOIN LATERAL (VALUES
        ('0-3', 'young', 1, t.age_0_3),
        ('4-14', 'young', 2, t.age_4_14),
        ('15-34', 'youth', 3, t.age_15_34),
        ('35-59', 'middle', 4, t.age_35_59),
        ('60-79', 'old', 5, t.age_60_79),
        ('80+', 'old', 6, t.age_80_plus),
        ('unknown', 'unknown', 7, t.age_unknown)
       ) AS b (age_band, age_group, band_order, units)
 WHERE b.units > 0
 ORDER BY t.facility_type, b.band_order;

-- name: visit_heatmap
-- One row per facility type (NULL: all types), ISO weekday (1 Monday … 7 Sunday) and
-- local (Asia/Shanghai) hour with attended visits in the period: visits (attended units)
-- and distinct residents (a count of residents: suppressed below 5 by data_access).
WITH attended AS (
    SELECT f.facility_type,
           extract(isodow FROM v.visited_at AT TIME ZONE 'Asia/Shanghai')::int AS weekday,
           extract(hour FROM v.visited_at AT TIME ZONE 'Asia/Shanghai')::int AS hour,
           v.units, v.resident_ref
      FROM fact_service_visit v
      JOIN dim_facility f USING (facility_code)
     WHERE v.status = 'attended' AND v.visited_at >= :start_at AND v.visited_at < :end_at
       AND in_scope_codes(v.community_code, :scope_codes)
)
SELECT facility_type, weekday, hour, sum(units) AS visits,
       count(DISTINCT resident_ref) AS unique_users
  FROM attended
 GROUP BY GROUPING SETS ((facility_type, weekday, hour), (weekday, hour))
 ORDER BY facility_type NULLS FIRST, weekday, hour;
