-- 039 "open at T" in one definition (issue 13). An incident is open at T when it was
-- reported by T and neither closed nor rejected by then (DESIGN §5). Five queries wrote
-- that out as the same three disjoint sets, each read by its own index (migration 032):
-- still open (fact_incident_unclosed, which covers every column returned here), closed
-- after T (fact_incident_closed_at), rejected after T (fact_incident_rejected_at); an
-- incident is never both. They read incidents_open_at now. LANGUAGE sql, STABLE, no SET
-- or SECURITY DEFINER: the planner inlines it, so row-level security applies and a
-- caller's conditions (due before T, a grid) reach each of the three sets as if written
-- there. alerts_at (migration 036) is redefined on it, unchanged otherwise.

CREATE FUNCTION incidents_open_at(p_t timestamptz, p_scope_codes text[])
RETURNS TABLE (community_code text, incident_id text, grid_code text, category_code text,
               reported_at timestamptz, due_at timestamptz, due_given boolean,
               lat double precision, lon double precision)
LANGUAGE sql STABLE AS $$
SELECT f.community_code, f.incident_id, f.grid_code, f.category_code, f.reported_at,
       f.due_at, f.due_given, f.lat, f.lon
  FROM fact_incident f
 WHERE f.closed_at IS NULL AND f.rejected_at IS NULL
   AND f.reported_at <= p_t
   AND in_scope_codes(f.community_code, p_scope_codes)
UNION ALL
SELECT f.community_code, f.incident_id, f.grid_code, f.category_code, f.reported_at,
       f.due_at, f.due_given, f.lat, f.lon
  FROM fact_incident f
 WHERE f.closed_at > p_t AND (f.rejected_at IS NULL OR f.rejected_at > p_t)
   AND f.reported_at <= p_t
   AND in_scope_codes(f.community_code, p_scope_codes)
UNION ALL
SELECT f.community_code, f.incident_id, f.grid_code, f.category_code, f.reported_at,
       f.due_at, f.due_given, f.lat, f.lon
  FROM fact_incident f
 WHERE f.rejected_at > p_t AND f.closed_at IS NULL
   AND f.reported_at <= p_t
   AND in_scope_codes(f.community_code, p_scope_codes)
$$;
GRANT EXECUTE ON FUNCTION incidents_open_at(timestamptz, text[]) TO cockpit_reader;

CREATE OR REPLACE FUNCTION alerts_at(p_t timestamptz, p_warning_hours integer, p_escalate_days integer,
                          p_scope_codes text[], p_grid_code text)
RETURNS TABLE (community_code text, incident_id text, grid_code text, category_code text,
               reported_at timestamptz, due_at timestamptz, due_given boolean,
               escalate_at timestamptz, level text)
LANGUAGE sql STABLE AS $$
WITH open AS (
    SELECT o.community_code, o.incident_id, o.grid_code, o.category_code, o.reported_at,
           o.due_at, o.due_given
      FROM incidents_open_at(p_t, p_scope_codes) o
     WHERE o.due_at < p_t + make_interval(hours => p_warning_hours)
       AND (p_grid_code IS NULL OR o.grid_code IN (
               SELECT g.grid_code FROM dim_grid g
                WHERE g.grid_code = p_grid_code OR g.parent_grid_code = p_grid_code))
), escalation AS (
    -- once per local day that overdue incidents fell due, not once per incident
    SELECT d.day, work_days_after(day_start(d.day), p_escalate_days) AS at
      FROM (SELECT DISTINCT local_day(o.due_at) AS day FROM open o WHERE o.due_at < p_t) d
), leveled AS (
    SELECT o.*, CASE WHEN e.at IS NOT NULL THEN greatest(e.at, o.due_at) END AS escalate_at
      FROM open o
      LEFT JOIN escalation e ON o.due_at < p_t AND e.day = local_day(o.due_at)
)
SELECT l.community_code, l.incident_id, l.grid_code, l.category_code, l.reported_at,
       l.due_at, l.due_given, l.escalate_at,
       CASE WHEN l.escalate_at <= p_t THEN 'escalated'
            WHEN l.due_at < p_t THEN 'overdue'
            ELSE 'warning' END AS level
  FROM leveled l
$$;
