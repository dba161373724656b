-- Incident figures (DESIGN §5). Scope is applied by row-level security; :grid_code
-- (nullable) narrows to a grid and its micro-grids. :scope_codes names the scope's
-- communities (NULL for the whole district; filled in by data_access.runner), so the
-- planner reads them by the community indexes (in_scope_codes, migration 019).
-- Period parameters:
-- :start_at, :end_at  the period as instants, end exclusive and never after :t
-- :t                  the as-of instant (end of the as-of day, or now)
-- :day_start          start of the as-of day (for 'new today')

-- name: incident_summary
-- One row per community in scope plus a total row (community_code NULL) with every
-- incident figure but overdue: open, new today, closed in the period, closure and
-- on-time rates over incidents reported in the period, handling hours, first
-- response, hazards fixed. Each counts events at or before :t, so for T = now its
-- rows stay the same until something is written (kept for the whole city,
-- data_access/kept.py); overdue (due_at < :t) moves with the clock alone and is
-- incident_overdue_counts (incidents_open.sql), joined by data_access.figures.
WITH scoped AS (
    SELECT i.community_code, i.reported_at, i.accepted_at, i.closed_at, i.due_at,
           c.is_safety_hazard,
           (i.closed_at IS NOT NULL AND i.closed_at <= :t) AS closed_by_t,
           (i.rejected_at IS NOT NULL AND i.rejected_at <= :t) AS rejected_by_t,
           (i.reported_at >= :start_at AND i.reported_at < :end_at) AS reported_in_period,
           (i.closed_at >= :start_at AND i.closed_at < :end_at) AS closed_in_period,
           extract(epoch FROM i.closed_at - i.reported_at) / 3600.0 AS handling_hours,
           extract(epoch FROM i.accepted_at - i.reported_at) / 3600.0 AS response_hours
      FROM fact_incident i
      JOIN dim_incident_category c USING (category_code)
     WHERE i.reported_at <= :t
       AND in_scope_codes(i.community_code, :scope_codes)
       -- only incidents some figure counts: open at :t, reported today or in the
       -- period, closed in the period. Each branch has an index (migration 011), so a
       -- city's history is not read to count a month.
       AND ((i.closed_at IS NULL AND i.rejected_at IS NULL)
            OR i.closed_at > :t OR i.rejected_at > :t
            OR i.reported_at >= least(CAST(:start_at AS timestamptz), :day_start)
            OR i.closed_at >= :start_at)
       AND (CAST(:grid_code AS text) IS NULL OR i.grid_code IN (
               SELECT g.grid_code FROM dim_grid g
                WHERE g.grid_code = :grid_code OR g.parent_grid_code = :grid_code))
), counted AS (
    SELECT community_code,
           count(*) FILTER (WHERE NOT closed_by_t AND NOT rejected_by_t) AS open,
           count(*) FILTER (WHERE reported_at >= :day_start AND NOT rejected_by_t) AS new_today,
           count(*) FILTER (WHERE closed_in_period) AS closed,
           count(*) FILTER (WHERE reported_in_period AND NOT rejected_by_t) AS reported,
           count(*) FILTER (WHERE reported_in_period AND NOT rejected_by_t AND closed_by_t)
               AS reported_closed,
           count(*) FILTER (WHERE reported_in_period AND NOT rejected_by_t AND closed_by_t
                              AND closed_at <= due_at) AS reported_closed_on_time,
           avg(handling_hours) FILTER (WHERE closed_in_period) AS mean_handling_hours,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY handling_hours)
               FILTER (WHERE closed_in_period) AS median_handling_hours,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY handling_hours)
               FILTER (WHERE closed_in_period) AS p90_handling_hours,
           avg(response_hours) FILTER (WHERE reported_in_period AND accepted_at <= :t)
               AS first_response_hours,
           count(*) FILTER (WHERE closed_in_period AND is_safety_hazard) AS hazards_fixed
      FROM scoped
     GROUP BY GROUPING SETS ((community_code), ())
)
SELECT community_code, open, new_today, closed, reported, reported_closed,
       reported_closed::double precision / nullif(reported, 0) AS closure_rate,
       reported_closed_on_time::double precision / nullif(reported, 0) AS on_time_rate,
       mean_handling_hours, median_handling_hours, p90_handling_hours,
       first_response_hours, hazards_fixed
  FROM counted
 ORDER BY community_code NULLS FIRST;
