-- The 民情事件 page beyond the headline figures (those are incident_summary in
-- incidents.sql and are not redefined here). Scope is applied by row-level security;
-- :grid_code (nullable) narrows to a grid and its micro-grids. Everything is as of
-- :t: an incident closed or rejected after :t is still open, and nothing that
-- happened after :t is shown. Period parameters as in incidents.sql:
-- :start_day, :end_day  the period's local days
-- :start_at, :end_at    the period as instants, end exclusive and never after :t

-- name: overdue_incidents
-- One row per incident overdue at :t (reported by :t, neither closed nor rejected by
-- :t, due_at before :t), worst first (most hours overdue, then community and id), at
-- most :limit rows: category, community, grid, the grid worker (a micro-grid without
-- one falls back to its parent grid's), hours overdue at :t, and the status at :t:
-- the latest step by :t of its status log and milestones (the log wins a tie), so a
-- reopened incident shows the step that reopened it.
WITH worst AS (
    -- the :limit worst by the final order, picked from the keys alone (only those rows
    -- are then read whole), of the incidents open at :t (migration 040)
    SELECT o.community_code, o.incident_id,
           CAST(extract(epoch FROM CAST(:t AS timestamptz) - o.due_at) / 3600.0
                AS double precision) AS hours_overdue
      FROM incident_open_spans o
     WHERE o.reported_at <= :t AND o.open_until > :t
       AND in_scope_codes(o.community_code, :scope_codes)
       AND o.due_at < :t
       AND (CAST(:grid_code AS text) IS NULL OR o.grid_code IN (
               SELECT g.grid_code FROM dim_grid g
                WHERE g.grid_code = :grid_code OR g.parent_grid_code = :grid_code))
     ORDER BY hours_overdue DESC, o.community_code, o.incident_id
     LIMIT :limit
), overdue AS (
    -- each by its key (OFFSET 0: planned as one row per key, not as a join the
    -- planner takes for a single row and then scans communities for)
    SELECT i.*
      FROM worst w
     CROSS JOIN LATERAL (
           SELECT x.*
             FROM fact_incident x
            WHERE x.community_code = w.community_code AND x.incident_id = w.incident_id
           OFFSET 0) i
)
SELECT o.community_code, o.incident_id, o.category_code, c.category_name,
       m.community_name, o.grid_code, g.grid_name, coalesce(g.worker, p.worker) AS worker,
       o.reported_at, o.due_at,
       CAST(extract(epoch FROM CAST(:t AS timestamptz) - o.due_at) / 3600.0
            AS double precision) AS hours_overdue,
       (SELECT step.status
          FROM (SELECT l.status, l.changed_at, true AS logged, l.log_id
                  FROM fact_incident_status_log l
                 WHERE l.community_code = o.community_code AND l.incident_id = o.incident_id
                   AND l.changed_at <= :t
                UNION ALL
                SELECT milestone.status, milestone.changed_at, false, NULL
                  FROM (VALUES ('reported', o.reported_at), ('accepted', o.accepted_at),
                               ('dispatched', o.dispatched_at), ('handled', o.handled_at))
                       AS milestone(status, changed_at)
                 WHERE milestone.changed_at <= :t) AS step
         ORDER BY step.changed_at DESC, step.logged DESC, step.log_id DESC
         LIMIT 1) AS status
  FROM overdue o
  JOIN dim_incident_category c USING (category_code)
  JOIN dim_community m USING (community_code)
  LEFT JOIN dim_grid g ON g.grid_code = o.grid_code
  LEFT JOIN dim_grid p ON p.grid_code = g.parent_grid_code
 ORDER BY hours_overdue DESC, o.community_code, o.incident_id
 LIMIT :limit;

-- name: incident_timeline
-- One row per status step of one incident up to :t, in time order: every entry of
-- its status log, plus any milestone of fact_incident the log does not hold (source
-- 'milestone'), with hours since it was reported; due_at repeated on every row.
WITH incident AS (
    SELECT i.*
      FROM fact_incident i
     WHERE i.community_code = :community_code AND i.incident_id = :incident_id
), logged AS (
    SELECT l.status, l.changed_at, l.log_id
      FROM fact_incident_status_log l
     WHERE l.community_code = :community_code AND l.incident_id = :incident_id
       AND l.changed_at <= :t
), milestones AS (
    SELECT m.status, m.changed_at
      FROM incident i
     CROSS JOIN LATERAL (VALUES
               ('reported', i.reported_at), ('accepted', i.accepted_at),
               ('dispatched', i.dispatched_at), ('handled', i.handled_at),
               ('closed', i.closed_at), ('rejected', i.rejected_at)) AS m(status, changed_at)
     WHERE m.changed_at <= :t
), steps AS (
    SELECT status, changed_at, log_id, 'log' AS source FROM logged
    UNION ALL
    SELECT m.status, m.changed_at, NULL, 'milestone'
      FROM milestones m
     WHERE NOT EXISTS (SELECT 1 FROM logged l
                        WHERE l.status = m.status AND l.changed_at = m.changed_at)
)
SELECT s.status, s.changed_at, s.source,
       CAST(extract(epoch FROM s.changed_at - i.reported_at) / 3600.0 AS double precision)
           AS hours_since_reported,
       i.due_at
  FROM steps s
 CROSS JOIN incident i
 ORDER BY s.changed_at, s.log_id NULLS LAST,
          array_position(ARRAY['reported', 'accepted', 'dispatched', 'handled', 'closed',
                               'rejected'], s.status);

-- name: incident_flow_by_day
-- One row per local day in [:start_day, :end_day] (zeros where nothing happened):
-- incidents reported that day (rejected ones included), closed and rejected that day
-- (by :t), and the backlog at the end of the day: reported, not closed, not rejected
-- by then (the 未结事件 definition, at each day's end).
-- The whole district without a grid (:scope_codes and :grid_code NULL) counts the days
-- before the as-of day from its own rollup (migration 028: one row a day; each of those
-- days ended before :t, so "by :t" holds for all its events) and the as-of day's events
-- from the facts, each community's by its index; other scopes read the facts.
WITH scoped AS (
    SELECT i.reported_at, i.closed_at, i.rejected_at
      FROM fact_incident i
     WHERE i.reported_at <= :t
       AND NOT (CAST(:scope_codes AS text[]) IS NULL AND CAST(:grid_code AS text) IS NULL)
       AND in_scope_codes(i.community_code, :scope_codes)
       -- only incidents open when the period starts or with an event in it: one closed
       -- or rejected before it adds 1 - 1 to the opening backlog. Each branch has an
       -- index, so a city's history is not read to draw a month.
       AND ((i.closed_at IS NULL AND i.rejected_at IS NULL)
            OR i.closed_at >= :start_at OR i.rejected_at >= :start_at
            OR i.reported_at >= :start_at)
       AND (CAST(:grid_code AS text) IS NULL OR i.grid_code IN (
               SELECT g.grid_code FROM dim_grid g
                WHERE g.grid_code = :grid_code OR g.parent_grid_code = :grid_code))
), events AS (
    SELECT local_day(reported_at) AS day, 1 AS reported, 0 AS closed, 0 AS rejected
      FROM scoped
    UNION ALL
    SELECT local_day(closed_at), 0, 1, 0 FROM scoped WHERE closed_at <= :t
    UNION ALL
    SELECT local_day(rejected_at), 0, 0, 1 FROM scoped WHERE rejected_at <= :t
    UNION ALL
    SELECT day, incidents_reported, incidents_closed, incidents_rejected
      FROM rollup_district_day
     WHERE day < local_day(CAST(:day_start AS timestamptz))
       AND CAST(:scope_codes AS text[]) IS NULL AND CAST(:grid_code AS text) IS NULL
    UNION ALL
    SELECT local_day(CAST(:day_start AS timestamptz)), reported, closed, rejected
      FROM (SELECT count(*) FILTER (WHERE x.reported_at >= :day_start) AS reported,
                   count(*) FILTER (WHERE x.closed_at >= :day_start
                                      AND x.closed_at <= :t) AS closed,
                   count(*) FILTER (WHERE x.rejected_at >= :day_start
                                      AND x.rejected_at <= :t) AS rejected
              FROM dim_community c
             CROSS JOIN LATERAL (
                   SELECT i.reported_at, i.closed_at, i.rejected_at
                     FROM fact_incident i
                    WHERE i.community_code = c.community_code AND i.reported_at <= :t
                      AND (i.reported_at >= :day_start
                           OR (i.closed_at >= :day_start AND i.closed_at <= :t)
                           OR (i.rejected_at >= :day_start AND i.rejected_at <= :t))
                   OFFSET 0) x
             WHERE CAST(:scope_codes AS text[]) IS NULL
               AND CAST(:grid_code AS text) IS NULL) as_of_day
), opening AS (
    SELECT coalesce(sum(reported - closed - rejected), 0) AS backlog
      FROM events
     WHERE day < :start_day
), daily AS (
    SELECT day, sum(reported) AS reported, sum(closed) AS closed, sum(rejected) AS rejected
      FROM events
     WHERE day BETWEEN :start_day AND :end_day
     GROUP BY day
)
-- counts as bigint: the rollup's branch makes the sums numeric, which pandas would
-- carry as Decimal into the charts
SELECT cal.day::date AS day,
       coalesce(d.reported, 0)::bigint AS reported,
       coalesce(d.closed, 0)::bigint AS closed,
       coalesce(d.rejected, 0)::bigint AS rejected,
       ((SELECT backlog FROM opening)
         + sum(coalesce(d.reported, 0) - coalesce(d.closed, 0) - coalesce(d.rejected, 0))
               OVER (ORDER BY cal.day))::bigint AS backlog
  FROM generate_series(CAST(:start_day AS date), CAST(:end_day AS date), interval '1 day')
       AS cal(day)
  LEFT JOIN daily d ON d.day = cal.day::date
 ORDER BY cal.day;

-- name: handling_time_histogram
-- One row per handling-time bucket [lower_hours, upper_hours) (upper NULL: open-ended),
-- with the number of incidents closed in the period whose handling time
-- (closed_at - reported_at) falls in it; empty buckets included.
WITH buckets (bucket, lower_hours, upper_hours) AS (
    VALUES (1, 0, 4), (2, 4, 8), (3, 8, 12), (4, 12, 24), (5, 24, 48), (6, 48, 72),
           (7, 72, 120), (8, 120, NULL)
), handled AS (
    SELECT extract(epoch FROM i.closed_at - i.reported_at) / 3600.0 AS hours
      FROM fact_incident i
     WHERE i.reported_at <= :t
       AND i.closed_at >= :start_at AND i.closed_at < :end_at
       AND in_scope_codes(i.community_code, :scope_codes)
       AND (CAST(:grid_code AS text) IS NULL OR i.grid_code IN (
               SELECT g.grid_code FROM dim_grid g
                WHERE g.grid_code = :grid_code OR g.parent_grid_code = :grid_code))
), counted AS (
    -- each incident's bucket in one pass: width_bucket over the buckets' lower bounds
    -- (joining every incident to every bucket took 1.2 s of 2 s at city scale)
    SELECT width_bucket(h.hours, (SELECT array_agg(lower_hours ORDER BY bucket)
                                    FROM buckets)) AS bucket,
           count(*) AS closed
      FROM handled h
     GROUP BY 1
)
SELECT b.bucket, b.lower_hours, b.upper_hours, coalesce(c.closed, 0) AS closed
  FROM buckets b
  LEFT JOIN counted c USING (bucket)
 ORDER BY b.bucket;

-- name: incident_categories
-- One row per incident category (all of them, in their display order) with its SLA
-- hours and safety-hazard flag: reported in the period (rejected included), open at
-- :t, closed in the period and their mean handling hours. Each counts events by :t,
-- kept for the whole city (data_access/kept.py); overdue, which moves with the clock,
-- is incident_overdue_by_category (incidents_open.sql), joined by data_access.incidents.
WITH scoped AS (
    SELECT i.*,
           (i.closed_at IS NOT NULL AND i.closed_at <= :t) AS closed_by_t,
           (i.rejected_at IS NOT NULL AND i.rejected_at <= :t) AS rejected_by_t
      FROM fact_incident i
     WHERE i.reported_at <= :t
       AND in_scope_codes(i.community_code, :scope_codes)
       -- only incidents some figure counts: open at :t, reported or closed in the
       -- period (as in incident_summary; each branch has an index)
       AND ((i.closed_at IS NULL AND i.rejected_at IS NULL)
            OR i.closed_at > :t OR i.rejected_at > :t
            OR i.reported_at >= :start_at OR i.closed_at >= :start_at)
       AND (CAST(:grid_code AS text) IS NULL OR i.grid_code IN (
               SELECT g.grid_code FROM dim_grid g
                WHERE g.grid_code = :grid_code OR g.parent_grid_code = :grid_code))
)
SELECT c.category_code, c.category_name, c.sla_hours, c.is_safety_hazard,
       count(s.incident_id) FILTER (WHERE s.reported_at >= :start_at AND s.reported_at < :end_at)
           AS reported,
       count(s.incident_id) FILTER (WHERE NOT s.closed_by_t AND NOT s.rejected_by_t) AS open,
       count(s.incident_id) FILTER (WHERE s.closed_at >= :start_at AND s.closed_at < :end_at)
           AS closed,
       CAST(avg(extract(epoch FROM s.closed_at - s.reported_at) / 3600.0)
                FILTER (WHERE s.closed_at >= :start_at AND s.closed_at < :end_at)
            AS double precision) AS mean_handling_hours
  FROM dim_incident_category c
  LEFT JOIN scoped s USING (category_code)
 GROUP BY c.category_code, c.category_name, c.sla_hours, c.is_safety_hazard, c.sort_order
 ORDER BY c.sort_order, c.category_code;

-- name: incident_channels
-- One row per reporting channel (all five, in display order) with the incidents
-- reported through it in the period (rejected included).
SELECT ch.channel, count(i.incident_id) AS reported
  FROM (VALUES ('wechat', 1), ('patrol', 2), ('hotline', 3), ('app', 4), ('other', 5))
       AS ch(channel, channel_order)
  LEFT JOIN fact_incident i
    ON i.channel = ch.channel
   AND i.reported_at >= :start_at AND i.reported_at < :end_at
   AND in_scope_codes(i.community_code, :scope_codes)
   AND (CAST(:grid_code AS text) IS NULL OR i.grid_code IN (
           SELECT g.grid_code FROM dim_grid g
            WHERE g.grid_code = :grid_code OR g.parent_grid_code = :grid_code))
 GROUP BY ch.channel, ch.channel_order
 ORDER BY ch.channel_order;

-- name: newest_incidents
-- One row per incident reported in the day before :t, newest first, at most :limit:
-- when, what, where (community and grid names) and whether it is closed by :t. No
-- description and no resident: the wall screen's live strip shows what happens, not
-- who. A day bounds the scan (fact_incident_reported: for the whole city one search in
-- each community); the names are joined to the :limit rows only (the city has 36,000
-- grids). A BRIN on reported_at read the day in 8 ms rather than ~25, but cost ingest a
-- tenth against a bare COPY (0.68-0.78, 0.80-0.89 without), under its 0.8 budget.
SELECT i.community_code, i.incident_id, i.reported_at, k.category_name,
       m.community_name, g.grid_name, i.closed
  FROM (SELECT i.community_code, i.incident_id, i.reported_at, i.category_code, i.grid_code,
               (i.closed_at IS NOT NULL AND i.closed_at <= :t) AS closed
          FROM fact_incident i
         WHERE i.reported_at <= :t
           AND i.reported_at > CAST(:t AS timestamptz) - interval '1 day'
           AND in_scope_codes(i.community_code, :scope_codes)
           AND NOT (i.rejected_at IS NOT NULL AND i.rejected_at <= :t)
           AND (CAST(:grid_code AS text) IS NULL OR i.grid_code IN (
                   SELECT x.grid_code FROM dim_grid x
                    WHERE x.grid_code = :grid_code OR x.parent_grid_code = :grid_code))
         ORDER BY i.reported_at DESC, i.community_code, i.incident_id
         LIMIT :limit) i
  JOIN dim_incident_category k USING (category_code)
  JOIN dim_community m USING (community_code)
  LEFT JOIN dim_grid g ON g.grid_code = i.grid_code
 ORDER BY i.reported_at DESC, i.community_code, i.incident_id;
