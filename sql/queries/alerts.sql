-- 督办 alerts (issue [11], docs/alerts.md). An alert is an open incident at a level of
-- the ladder (config/alerts.toml), as of :t: warning 预警 (due within :warning_hours
-- hours; its community acts), overdue 超期 (due before :t; its street acts), escalated
-- 督办 (open at the end of the :escalate_days-th working day after the day it fell
-- due; the district acts). The levels have one definition, alerts_at (migration 036).
-- Scope by row-level security (and :scope_codes); :grid_code (nullable) narrows to a
-- grid and its micro-grids, as on the 民情事件 page.

-- name: open_alerts
-- One row per incident open at :t with an alert: its highest level, since when (the
-- instant it reached that level) and who should act; escalated first, then overdue,
-- then warning, oldest first (acknowledgements: alert_acks, read uncached).
-- unknown_years: years the working calendar does not know that its due date or
-- escalation was counted across (Monday-Friday, provisional).
WITH alerts AS (
    SELECT * FROM alerts_at(:t, CAST(:warning_hours AS integer), CAST(:escalate_days AS integer),
                            CAST(:scope_codes AS text[]), CAST(:grid_code AS text))
), gap_days AS (
    -- the local days unknown_years counts between, for the alerts that count them
    SELECT a.community_code, a.incident_id,
           local_day(CASE WHEN k.sla_unit <> 'hours' AND NOT a.due_given
                          THEN a.reported_at ELSE a.due_at END) AS from_day,
           local_day(coalesce(a.escalate_at, a.due_at)) AS to_day
      FROM alerts a
      JOIN dim_incident_category k USING (category_code)
     WHERE (k.sla_unit <> 'hours' AND NOT a.due_given) OR a.escalate_at IS NOT NULL
), gaps AS (
    -- calendar_gaps reads only the local days of its arguments (migration 025): asked
    -- once per pair of days instead of once per alert (0.15 s for the city's ~7,000)
    SELECT d.from_day, d.to_day,
           calendar_gaps(day_start(d.from_day), day_start(d.to_day)) AS years
      FROM (SELECT DISTINCT from_day, to_day FROM gap_days) d
)
SELECT a.community_code, m.community_name, m.street_code, s.street_name, a.incident_id,
       a.category_code, c.category_name, a.grid_code, g.grid_name,
       coalesce(g.worker, p.worker) AS worker, a.reported_at, a.due_at, a.escalate_at,
       a.level,
       CASE a.level WHEN 'escalated' THEN a.escalate_at
                    WHEN 'overdue' THEN a.due_at
                    ELSE greatest(a.reported_at,
                                  a.due_at - make_interval(hours => CAST(:warning_hours AS integer)))
       END AS since,
       CASE a.level WHEN 'warning' THEN 'community' WHEN 'overdue' THEN 'street'
                    ELSE 'district' END AS act_by,
       CASE a.level WHEN 'warning' THEN m.community_name WHEN 'overdue' THEN s.street_name
                    ELSE NULL END AS act_by_name,
       coalesce(y.years, CAST(ARRAY[] AS smallint[])) AS unknown_years
  FROM alerts a
  JOIN dim_incident_category c USING (category_code)
  JOIN dim_community m USING (community_code)
  JOIN dim_street s ON s.street_code = m.street_code
  LEFT JOIN dim_grid g ON g.grid_code = a.grid_code
  LEFT JOIN dim_grid p ON p.grid_code = g.parent_grid_code
  LEFT JOIN gap_days b
         ON b.community_code = a.community_code AND b.incident_id = a.incident_id
  LEFT JOIN gaps y ON y.from_day = b.from_day AND y.to_day = b.to_day
 ORDER BY CASE a.level WHEN 'escalated' THEN 0 WHEN 'overdue' THEN 1 ELSE 2 END, since,
          a.community_code, a.incident_id;

-- name: alert_level_counts
-- One row per level with an alert at :t: level, alerts (an incident counts once, at its
-- highest level). What the wall screen's ladder shows, without the alerts themselves.
SELECT a.level, count(*) AS alerts
  FROM alerts_at(:t, CAST(:warning_hours AS integer), CAST(:escalate_days AS integer),
                 CAST(:scope_codes AS text[]), CAST(:grid_code AS text)) a
 GROUP BY a.level;

-- name: alerts_due_soonest
-- The :limit warnings (预警) at :t due soonest: community_name, category_name,
-- grid_name, worker, due_at. What the wall screen's overdue strip shows when fewer
-- incidents than its rows are overdue.
-- The names are joined to those rows only (the city has thousands of warnings).
SELECT a.community_code, m.community_name, a.incident_id, c.category_name, g.grid_name,
       coalesce(g.worker, p.worker) AS worker, a.due_at
  FROM (SELECT w.community_code, w.incident_id, w.grid_code, w.category_code, w.due_at
          FROM alerts_at(:t, CAST(:warning_hours AS integer), CAST(:escalate_days AS integer),
                         CAST(:scope_codes AS text[]), CAST(:grid_code AS text)) w
         WHERE w.level = 'warning'
         ORDER BY w.due_at, w.community_code, w.incident_id
         LIMIT :limit) a
  JOIN dim_incident_category c USING (category_code)
  JOIN dim_community m USING (community_code)
  LEFT JOIN dim_grid g ON g.grid_code = a.grid_code
  LEFT JOIN dim_grid p ON p.grid_code = g.parent_grid_code
 ORDER BY a.due_at, a.community_code, a.incident_id;

-- name: alert_acks
-- One row per acknowledged alert in scope: incident, level, by whom, when, the note.
SELECT k.community_code, k.incident_id, k.level, k.acked_by, k.acked_at, k.note AS ack_note
  FROM fact_alert_ack k
 WHERE in_scope_codes(k.community_code, :scope_codes)
 ORDER BY k.community_code, k.incident_id, k.level;

-- name: notice_failures
-- One row per notice not delivered yet after at least one failed attempt, or given up
-- (status 'failed'): channel, alert, attempts, next attempt, last error; newest first.
SELECT o.channel, o.community_code, o.incident_id, o.level, o.status, o.attempts,
       o.recorded_at, o.last_attempt_at, o.next_attempt_at, o.last_error
  FROM fact_alert_outbox o
 WHERE in_scope_codes(o.community_code, :scope_codes)
   AND (o.status = 'failed' OR (o.status = 'pending' AND o.attempts > 0))
 ORDER BY o.last_attempt_at DESC NULLS LAST, o.channel, o.community_code, o.incident_id
 LIMIT :limit;

-- name: notice_summary
-- One row per channel: notices sent, pending, failed (given up), and the newest send.
SELECT o.channel,
       count(*) FILTER (WHERE o.status = 'sent') AS sent,
       count(*) FILTER (WHERE o.status = 'pending') AS pending,
       count(*) FILTER (WHERE o.status = 'failed') AS failed,
       max(o.sent_at) AS last_sent_at
  FROM fact_alert_outbox o
 WHERE in_scope_codes(o.community_code, :scope_codes)
 GROUP BY o.channel
 ORDER BY o.channel;
