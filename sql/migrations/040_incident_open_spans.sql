-- 040 "open at T" as a view, not a function (issue 13). Migration 039 wrote it once as
-- the SQL function incidents_open_at, which PostgreSQL inlines; Citus does not: a query
-- that reads a distributed table through a SQL function with parameters is refused
-- ("parameterized queries for SQL functions referencing distributed tables are not
-- supported", benchmarks/citus_bench.py, benchmarks/results/citus-2026-12-04-b.md), so
-- the overdue counts, the overdue by category and the map's open incidents, which ran on
-- the cluster before 039, no longer did. A view is expanded by the rewriter before
-- either planner sees the query, so both get the UNION ALL they got before 039.
--
-- incident_open_spans: each incident with open_until, the instant it stopped being open
-- (its closing or its rejection; 'infinity' while it is neither). An incident is open at
-- T when reported_at <= T AND open_until > T (DESIGN §5), which the readers write. The
-- three branches are the three disjoint sets of migration 032, each read by its own
-- index once the reader's conditions are pushed into it: still open
-- (fact_incident_unclosed), closed (the BRIN on closed_at: open_until > T becomes
-- closed_at > T), rejected (the btree on rejected_at). No incident is both closed and
-- rejected: the table's CHECKs tie closed_at to status 'closed' and rejected_at to
-- 'rejected'. security_invoker: the reader's row-level security applies, not the
-- owner's.

CREATE VIEW incident_open_spans WITH (security_invoker = true) AS
SELECT f.community_code, f.incident_id, f.grid_code, f.category_code, f.reported_at,
       f.due_at, f.due_given, f.lat, f.lon, CAST('infinity' AS timestamptz) AS open_until
  FROM fact_incident f
 WHERE f.closed_at IS NULL AND f.rejected_at IS NULL
UNION ALL
SELECT f.community_code, f.incident_id, f.grid_code, f.category_code, f.reported_at,
       f.due_at, f.due_given, f.lat, f.lon, f.closed_at
  FROM fact_incident f
 WHERE f.closed_at IS NOT NULL
UNION ALL
SELECT f.community_code, f.incident_id, f.grid_code, f.category_code, f.reported_at,
       f.due_at, f.due_given, f.lat, f.lon, f.rejected_at
  FROM fact_incident f
 WHERE f.rejected_at IS NOT NULL;
GRANT SELECT ON incident_open_spans TO cockpit_reader;

-- alerts_at (migration 036) reads the view; otherwise unchanged. It stays a function
-- (the 督办 levels' one definition): on Citus, open_alerts failed before it too.
CREATE OR REPLACE FUNCTION alerts_at(p_t timestamptz, p_warning_hours integer, p_escalate_days integer,
                          p_scope_codes text[], p_grid_code text)
RETURNS TABLE (community_code text, incident_id text, grid_code text, category_code text,
               reported_at timestamptz, due_at timestamptz, due_given boolean,
               escalate_at timestamptz, level text)
LANGUAGE sql STABLE AS $$
WITH open AS (
    SELECT o.community_code, o.incident_id, o.grid_code, o.category_code, o.reported_at,
           o.due_at, o.due_given
      FROM incident_open_spans o
     WHERE o.reported_at <= p_t AND o.open_until > p_t
       AND in_scope_codes(o.community_code, p_scope_codes)
       AND o.due_at < p_t + make_interval(hours => p_warning_hours)
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

DROP FUNCTION incidents_open_at(timestamptz, text[]);
