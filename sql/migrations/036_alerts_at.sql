-- 036 the 督办 ladder's levels in one definition, asked for whole or counted (issue 13).
-- The wall screen shows the alerts per level and a few due soonest, yet asked for every
-- alert of the city with its names, calendar gaps and acknowledgements (~6,900 rows, 0.4
-- s): the levels, defined until now inside sql/queries/alerts.sql's open_alerts, move
-- here, and open_alerts, alert_level_counts and alerts_due_soonest all read them.
-- LANGUAGE sql, STABLE, no SET or SECURITY DEFINER: the planner inlines it into the
-- caller's query, so row-level security and the indexes apply as if written there.
--
-- An alert is an incident open at p_t due within p_warning_hours hours:
--   warning    预警  not yet due
--   overdue    超期  due_at before p_t (DESIGN §5 超期未结)
--   escalated  督办  still open at the end of the p_escalate_days-th working day after
--                    the day it fell due (work_days_after, migration 025)

CREATE FUNCTION alerts_at(p_t timestamptz, p_warning_hours integer, p_escalate_days integer,
                          p_scope_codes text[], p_grid_code text)
RETURNS TABLE (community_code text, incident_id text, grid_code text, category_code text,
               reported_at timestamptz, due_at timestamptz, due_given boolean,
               escalate_at timestamptz, level text)
LANGUAGE sql STABLE AS $$
WITH open AS (
    -- open at p_t is three disjoint sets, each read by its own index (migration 032):
    -- still open (fact_incident_unclosed covers these columns), closed after p_t
    -- (fact_incident_closed_at), rejected after p_t (fact_incident_rejected_at)
    SELECT i.community_code, i.incident_id, i.grid_code, i.category_code, i.reported_at,
           i.due_at, i.due_given
      FROM (SELECT f.community_code, f.incident_id, f.grid_code, f.category_code,
                   f.reported_at, f.due_at, f.due_given
              FROM fact_incident f
             WHERE f.closed_at IS NULL AND f.rejected_at IS NULL
               AND f.reported_at <= p_t
               AND in_scope_codes(f.community_code, p_scope_codes)
            UNION ALL
            SELECT f.community_code, f.incident_id, f.grid_code, f.category_code,
                   f.reported_at, f.due_at, f.due_given
              FROM fact_incident f
             WHERE f.closed_at > p_t AND (f.rejected_at IS NULL OR f.rejected_at > p_t)
               AND f.reported_at <= p_t
               AND in_scope_codes(f.community_code, p_scope_codes)
            UNION ALL
            SELECT f.community_code, f.incident_id, f.grid_code, f.category_code,
                   f.reported_at, f.due_at, f.due_given
              FROM fact_incident f
             WHERE f.rejected_at > p_t AND f.closed_at IS NULL
               AND f.reported_at <= p_t
               AND in_scope_codes(f.community_code, p_scope_codes)) i
     WHERE i.due_at < p_t + make_interval(hours => p_warning_hours)
       AND (p_grid_code IS NULL OR i.grid_code IN (
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
GRANT EXECUTE ON FUNCTION alerts_at(timestamptz, integer, integer, text[], text) TO cockpit_reader;
