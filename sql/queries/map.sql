-- The grid map (网格地图): areas with their outlines, incident counts per grid, open
-- incidents as points. Scope by RLS; :grid_code (nullable) narrows to a grid and its
-- micro-grids; :t is the as-of instant. Geometry is GeoJSON text (WGS-84).

-- name: map_community_areas
-- One row per community in scope: outline, people, and how many grids and
-- micro-grids (with their workers) it has.
SELECT c.community_code AS area_code, c.community_name AS area_name, 'community' AS level,
       c.community_code, c.community_name, c.street_code, s.street_name,
       NULL::text AS parent_code, NULL::text AS worker,
       c.households, c.residents, c.geometry::text AS geometry,
       (SELECT count(*) FROM dim_grid g
         WHERE g.community_code = c.community_code AND g.level = 'grid') AS grids,
       (SELECT count(*) FROM dim_grid g
         WHERE g.community_code = c.community_code AND g.level = 'micro_grid') AS micro_grids
  FROM dim_community c
  JOIN dim_street s USING (street_code)
 ORDER BY c.community_code;

-- name: map_grid_areas
-- One row per grid and micro-grid in scope (both levels; the caller picks one):
-- outline, worker, households and residents, and the community it belongs to.
SELECT g.grid_code AS area_code, g.grid_name AS area_name, g.level,
       g.community_code, c.community_name, c.street_code, s.street_name,
       g.parent_grid_code AS parent_code, g.worker,
       g.households, g.residents, g.geometry::text AS geometry,
       (SELECT count(*) FROM dim_grid m WHERE m.parent_grid_code = g.grid_code) AS micro_grids
  FROM dim_grid g
  JOIN dim_community c USING (community_code)
  JOIN dim_street s ON s.street_code = c.street_code
 WHERE CAST(:grid_code AS text) IS NULL
    OR g.grid_code = :grid_code OR g.parent_grid_code = :grid_code
 ORDER BY g.community_code, g.grid_code;

-- name: map_grid_incidents
-- One row per grid and micro-grid in scope: open and overdue incidents as of :t
-- (DESIGN §5 definitions). A grid counts the incidents of its micro-grids as well as
-- those filed on the grid itself; incidents without a grid are on no grid.
WITH open_now AS (
    SELECT i.grid_code, (i.due_at < :t) AS is_overdue
      FROM fact_incident i
     WHERE i.reported_at <= :t
       AND i.grid_code IS NOT NULL
       AND in_scope_codes(i.community_code, :scope_codes)
       AND NOT (i.closed_at IS NOT NULL AND i.closed_at <= :t)
       AND NOT (i.rejected_at IS NOT NULL AND i.rejected_at <= :t)
       -- open at :t, said the way its indexes can find (one per branch, migration 011)
       AND ((i.closed_at IS NULL AND i.rejected_at IS NULL)
            OR i.closed_at > :t OR i.rejected_at > :t)
), placed AS (
    SELECT o.grid_code AS area_code, o.is_overdue FROM open_now o
    UNION ALL
    SELECT g.parent_grid_code, o.is_overdue
      FROM open_now o JOIN dim_grid g ON g.grid_code = o.grid_code
     WHERE g.parent_grid_code IS NOT NULL
)
SELECT g.grid_code AS area_code, g.level,
       count(p.area_code) AS open,
       count(*) FILTER (WHERE p.is_overdue) AS overdue
  FROM dim_grid g
  LEFT JOIN placed p ON p.area_code = g.grid_code
 WHERE CAST(:grid_code AS text) IS NULL
    OR g.grid_code = :grid_code OR g.parent_grid_code = :grid_code
 GROUP BY g.grid_code, g.level
 ORDER BY g.grid_code;

-- name: map_open_incidents
-- One row per incident open as of :t (reported by :t, neither closed nor rejected by
-- then), with where it is, its grid and parent grid, its reported and due times, most
-- overdue first (the earliest due). No description: free text never goes to the map.
-- Its age and hours overdue at :t are data_access.geo's: without them the rows of a
-- live view stay the same from minute to minute (kept for the whole city, kept.py).
-- Open at :t: incident_open_spans (migration 040).
SELECT i.incident_id, i.community_code, c.street_code, i.grid_code,
       g.parent_grid_code, g.level AS grid_level, k.category_name,
       i.reported_at, i.due_at, i.lat, i.lon
  FROM incident_open_spans i
  JOIN dim_incident_category k USING (category_code)
  JOIN dim_community c ON c.community_code = i.community_code
  LEFT JOIN dim_grid g ON g.grid_code = i.grid_code
 WHERE i.reported_at <= :t AND i.open_until > :t
   AND in_scope_codes(i.community_code, :scope_codes)
   AND (CAST(:grid_code AS text) IS NULL OR i.grid_code IN (
           SELECT m.grid_code FROM dim_grid m
            WHERE m.grid_code = :grid_code OR m.parent_grid_code = :grid_code))
 ORDER BY i.due_at, i.incident_id;

-- name: map_street_areas
-- One row per street of the scope (the streets its communities lie in): outline as
-- GeoJSON text (NULL when none was loaded). dim_street has no row-level security (it
-- holds no resident data), so the streets are named through dim_community, whose
-- policy admits only the viewer's communities: a community's viewer sees its own street.
SELECT s.street_code, s.street_name, s.geometry::text AS geometry
  FROM dim_street s
 WHERE s.street_code IN (SELECT c.street_code FROM dim_community c
                          WHERE in_scope_codes(c.community_code, :scope_codes))
 ORDER BY s.street_code;
