-- Incidents open at :t, counted without reading the period's: the figures of
-- incident_summary (incidents.sql) that depend on :t alone. Scope is applied by row-level
-- security and :scope_codes (in_scope_codes, migration 019); :grid_code (nullable)
-- narrows to a grid and its micro-grids, as in incident_summary. Open at :t (DESIGN §5):
-- reported by :t and open until after it, incident_open_spans (migration 040).

-- name: incident_overdue_counts
-- One row per community with any incident open at :t, plus a total row first
-- (community_code NULL): overdue, the incidents open at :t that were due before :t
-- (超期未结; 0 for a community whose open incidents are all still within their time).
SELECT o.community_code, count(*) FILTER (WHERE o.due_at < :t) AS overdue
  FROM incident_open_spans o
 WHERE o.reported_at <= :t AND o.open_until > :t
   AND in_scope_codes(o.community_code, :scope_codes)
   AND (CAST(:grid_code AS text) IS NULL OR o.grid_code IN (
           SELECT g.grid_code FROM dim_grid g
            WHERE g.grid_code = :grid_code OR g.parent_grid_code = :grid_code))
 GROUP BY GROUPING SETS ((o.community_code), ())
 ORDER BY o.community_code NULLS FIRST;

-- name: incident_overdue_by_category
-- One row per incident category with any incident open at :t: overdue, those open at
-- :t that were due before :t (incident_categories' other figures are kept apart).
SELECT o.category_code, count(*) FILTER (WHERE o.due_at < :t) AS overdue
  FROM incident_open_spans o
 WHERE o.reported_at <= :t AND o.open_until > :t
   AND in_scope_codes(o.community_code, :scope_codes)
   AND (CAST(:grid_code AS text) IS NULL OR o.grid_code IN (
           SELECT g.grid_code FROM dim_grid g
            WHERE g.grid_code = :grid_code OR g.parent_grid_code = :grid_code))
 GROUP BY o.category_code
 ORDER BY o.category_code;
