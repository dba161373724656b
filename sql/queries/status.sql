-- Data status (数据状态): freshness of every source, loads, rollup lag. Scope by RLS
-- (the status page reads with the district scope; the user's scope later).

-- name: ping
-- One row, one column: the warehouse answers.
SELECT 1 AS ok;

-- name: table_status
-- One row per fact, ledger and rollup table: rows the scope sees and its newest event,
-- summed from rollup_freshness (kept per community by triggers, migration 010)
-- rather than counted over the tables. :scope_codes lets a street's or a community's
-- rows be read by key, not filtered by the policy from the city's 21,000.
SELECT t.table_name, coalesce(sum(f.row_count), 0) AS row_count, max(f.newest) AS newest
  FROM (VALUES (1, 'fact_incident'), (2, 'fact_incident_status_log'),
               (3, 'fact_service_visit'), (4, 'ledger_journal'), (5, 'ledger_entry'),
               (6, 'rollup_community_day'), (7, 'rollup_facility_day'))
       AS t (position, table_name)
  LEFT JOIN rollup_freshness f
    ON f.table_name = t.table_name AND in_scope_codes(f.community_code, :scope_codes)
 GROUP BY t.position, t.table_name
 ORDER BY t.position;

-- name: recent_loads
-- The :limit most recent loads (files and demo generations), newest first.
SELECT load_id, kind, source, started_at, finished_at, status, rows_read, rows_loaded,
       rows_updated, rows_unchanged, rows_quarantined, newest_event_at, error
  FROM ingest_load
 ORDER BY started_at DESC, load_id DESC
 LIMIT :limit;

-- name: quarantine_summary
-- Quarantined rows per reason code of the :limit most recent loads (counts only: the
-- raw values stay in ingest_quarantine, which the app role cannot read).
SELECT q.load_id, l.kind, l.source, q.reason, q.row_count
  FROM ingest_quarantine_summary q
  JOIN (SELECT load_id, started_at, kind, source FROM ingest_load
         ORDER BY started_at DESC, load_id DESC LIMIT :limit) l USING (load_id)
 ORDER BY l.started_at DESC, q.load_id DESC, q.row_count DESC, q.reason;

-- name: rollup_lag
-- One row: community-days waiting for a refresh (to recompute, or with new facts to add)
-- and when the oldest was marked.
SELECT count(DISTINCT (community_code, day)) AS dirty, min(marked_at) AS oldest_marked_at
  FROM rollup_pending;

-- name: last_check
-- The integrity checks as `cockpit check` last recorded them (JSON: checked_at and
-- per check name, ok, detail); no row when they never ran.
SELECT value FROM warehouse_meta WHERE key = 'last_check';
