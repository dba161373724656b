-- Dimensions as the scope sees them (RLS on dim_community, dim_grid, dim_facility).

-- name: communities_in_scope
-- One row per community the scope admits, with its street and reported figures.
SELECT c.community_code, c.community_name, c.street_code, s.street_name, s.kind AS street_kind,
       c.households, c.residents, c.residents_60_plus, c.residents_under_14, c.area_ha,
       c.lat, c.lon, c.estimated_fields, c.profile
  FROM dim_community c
  JOIN dim_street s USING (street_code)
 ORDER BY c.street_code, c.community_code;

-- name: grids_in_scope
-- One row per grid and micro-grid the scope admits.
SELECT g.grid_code, g.community_code, g.parent_grid_code, g.grid_name, g.level, g.worker,
       g.households, g.residents
  FROM dim_grid g
 ORDER BY g.community_code, g.grid_code;

-- name: facilities_in_scope
-- One row per facility the scope admits.
SELECT f.facility_code, f.community_code, f.facility_name, f.facility_type, f.capacity,
       f.lat, f.lon, f.profile
  FROM dim_facility f
 ORDER BY f.community_code, f.facility_code;

-- name: daily_activity
-- One row per local day in [:start_day, :end_day] (zeros where nothing happened):
-- incidents reported and closed, visits, points issued and redeemed; for sparklines.
WITH daily AS (
    -- the period's days said outright: joined to the calendar alone, the planner read
    -- every community's three years of days (0.6 s at city scale)
    SELECT day, sum(incidents_reported) AS incidents_reported,
           sum(incidents_closed) AS incidents_closed, sum(visits_units) AS visits,
           sum(points_issued) AS points_issued, sum(points_redeemed) AS points_redeemed
      FROM rollup_community_day
     WHERE day BETWEEN :start_day AND :end_day
       AND CAST(:scope_codes AS text[]) IS NOT NULL
       AND in_scope_codes(community_code, :scope_codes)
     GROUP BY day
    UNION ALL
    -- the whole district (:scope_codes NULL): its own days (migration 028), one row a
    -- day instead of every community's
    SELECT day, incidents_reported, incidents_closed, visits_units, points_issued,
           points_redeemed
      FROM rollup_district_day
     WHERE day BETWEEN :start_day AND :end_day
       AND CAST(:scope_codes AS text[]) IS NULL
)
SELECT cal.day::date AS day,
       coalesce(d.incidents_reported, 0) AS incidents_reported,
       coalesce(d.incidents_closed, 0) AS incidents_closed,
       coalesce(d.visits, 0) AS visits,
       coalesce(d.points_issued, 0) AS points_issued,
       coalesce(d.points_redeemed, 0) AS points_redeemed
  FROM generate_series(CAST(:start_day AS date), CAST(:end_day AS date), interval '1 day') cal(day)
  LEFT JOIN daily d ON d.day = cal.day::date
 ORDER BY cal.day;

-- name: warehouse_meta_value
-- One row (or none): the value stored under :key in warehouse_meta.
SELECT value FROM warehouse_meta WHERE key = :key;
