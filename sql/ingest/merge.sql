-- Ingest (cockpit ingest): staging tables and the set-based merges from staging into
-- the warehouse. Staging is a TEMP table filled by COPY (ON COMMIT DROP: one file,
-- one transaction). Each merge reports its own counts, so the closing report's
-- loaded/updated/unchanged come from what PostgreSQL did, not from Python's guess.
-- No bind parameters: everything comes from the staging table.

-- name: stage_streets
-- Staging for a streets file.
CREATE TEMP TABLE stage (
    line_no integer, street_code text, street_name text, kind text
) ON COMMIT DROP;

-- name: merge_streets
-- Upsert streets; a row counts as updated only when a value changed.
WITH merged AS (
    INSERT INTO dim_street AS d (street_code, street_name, kind)
    SELECT street_code, street_name, kind FROM stage
    ON CONFLICT (street_code) DO UPDATE
       SET street_name = EXCLUDED.street_name, kind = EXCLUDED.kind
     WHERE (d.street_name, d.kind) IS DISTINCT FROM (EXCLUDED.street_name, EXCLUDED.kind)
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged;

-- name: stage_communities
-- Staging for a communities file.
CREATE TEMP TABLE stage (
    line_no integer, community_code text, street_code text, community_name text,
    households integer, residents integer, residents_60_plus integer,
    residents_under_14 integer, area_ha numeric(10, 2), lat double precision,
    lon double precision
) ON COMMIT DROP;

-- name: merge_communities
-- Upsert communities; an empty optional cell keeps what the warehouse has.
WITH merged AS (
    INSERT INTO dim_community AS d (community_code, street_code, community_name, households,
        residents, residents_60_plus, residents_under_14, area_ha, lat, lon)
    SELECT community_code, street_code, community_name, households, residents,
           residents_60_plus, residents_under_14, area_ha, lat, lon
      FROM stage
    ON CONFLICT (community_code) DO UPDATE SET
        street_code = EXCLUDED.street_code,
        community_name = EXCLUDED.community_name,
        households = coalesce(EXCLUDED.households, d.households),
        residents = coalesce(EXCLUDED.residents, d.residents),
        residents_60_plus = coalesce(EXCLUDED.residents_60_plus, d.residents_60_plus),
        residents_under_14 = coalesce(EXCLUDED.residents_under_14, d.residents_under_14),
        area_ha = coalesce(EXCLUDED.area_ha, d.area_ha),
        lat = coalesce(EXCLUDED.lat, d.lat),
        lon = coalesce(EXCLUDED.lon, d.lon)
     WHERE (d.street_code, d.community_name, d.households, d.residents, d.residents_60_plus,
            d.residents_under_14, d.area_ha, d.lat, d.lon)
           IS DISTINCT FROM
           (EXCLUDED.street_code, EXCLUDED.community_name,
            coalesce(EXCLUDED.households, d.households),
            coalesce(EXCLUDED.residents, d.residents),
            coalesce(EXCLUDED.residents_60_plus, d.residents_60_plus),
            coalesce(EXCLUDED.residents_under_14, d.residents_under_14),
            coalesce(EXCLUDED.area_ha, d.area_ha), coalesce(EXCLUDED.lat, d.lat),
            coalesce(EXCLUDED.lon, d.lon))
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged;

-- name: stage_grids
-- Staging for a grids file.
CREATE TEMP TABLE stage (
    line_no integer, grid_code text, community_code text, parent_grid_code text,
    grid_name text, level text, worker text, households integer, geometry jsonb
) ON COMMIT DROP;

-- name: merge_grids
-- Upsert grids, parents before micro-grids (the parent must exist when a child lands).
WITH merged AS (
    INSERT INTO dim_grid AS d (grid_code, community_code, parent_grid_code, grid_name, level,
        worker, households, geometry)
    SELECT grid_code, community_code, parent_grid_code, grid_name, level, worker, households,
           geometry
      FROM stage
     ORDER BY level = 'micro_grid', line_no
    ON CONFLICT (grid_code) DO UPDATE SET
        community_code = EXCLUDED.community_code,
        parent_grid_code = EXCLUDED.parent_grid_code,
        grid_name = EXCLUDED.grid_name,
        level = EXCLUDED.level,
        worker = coalesce(EXCLUDED.worker, d.worker),
        households = coalesce(EXCLUDED.households, d.households),
        geometry = coalesce(EXCLUDED.geometry, d.geometry)
     WHERE (d.community_code, d.parent_grid_code, d.grid_name, d.level, d.worker,
            d.households, d.geometry)
           IS DISTINCT FROM
           (EXCLUDED.community_code, EXCLUDED.parent_grid_code, EXCLUDED.grid_name,
            EXCLUDED.level, coalesce(EXCLUDED.worker, d.worker),
            coalesce(EXCLUDED.households, d.households),
            coalesce(EXCLUDED.geometry, d.geometry))
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged;

-- name: stage_facilities
-- Staging for a facilities file.
CREATE TEMP TABLE stage (
    line_no integer, facility_code text, community_code text, facility_name text,
    facility_type text, capacity integer, lat double precision, lon double precision
) ON COMMIT DROP;

-- name: merge_facilities
-- Upsert facilities; an empty optional cell keeps what the warehouse has.
WITH merged AS (
    INSERT INTO dim_facility AS d (facility_code, community_code, facility_name,
        facility_type, capacity, lat, lon)
    SELECT facility_code, community_code, facility_name, facility_type, capacity, lat, lon
      FROM stage
    ON CONFLICT (facility_code) DO UPDATE SET
        community_code = EXCLUDED.community_code,
        facility_name = EXCLUDED.facility_name,
        facility_type = EXCLUDED.facility_type,
        capacity = EXCLUDED.capacity,
        lat = coalesce(EXCLUDED.lat, d.lat),
        lon = coalesce(EXCLUDED.lon, d.lon)
     WHERE (d.community_code, d.facility_name, d.facility_type, d.capacity, d.lat, d.lon)
           IS DISTINCT FROM
           (EXCLUDED.community_code, EXCLUDED.facility_name, EXCLUDED.facility_type,
            EXCLUDED.capacity, coalesce(EXCLUDED.lat, d.lat), coalesce(EXCLUDED.lon, d.lon))
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged;

-- name: stage_incidents
-- Staging for an incidents file (due_at empty: the category's SLA applies in the merge,
-- over the working calendar for a working-hours or working-days SLA, migration 025).
CREATE TEMP TABLE stage (
    line_no integer, community_code text, incident_id text, grid_code text,
    category_code text, channel text, status text, reported_at timestamptz,
    accepted_at timestamptz, dispatched_at timestamptz, handled_at timestamptz,
    closed_at timestamptz, rejected_at timestamptz, due_at timestamptz,
    lat double precision, lon double precision, description text
) ON COMMIT DROP;

-- name: update_incidents
-- Bring the incidents the warehouse holds up to date with the file (the file's row is
-- the incident's current state); returns how many changed and how many status steps
-- were logged. An incident's status history is its milestones plus its status log
-- (readers take the union, see incidents_detail.sql), so the log keeps only the steps
-- a later row overwrote: when a re-sent row changes a milestone, the milestone it
-- replaces goes to the log (unless the log holds that step already). The `previous`
-- lookup reads fact_incident as it was before this statement: every part of one
-- statement sees the same snapshot. New incidents are insert_incidents' work.
WITH changed AS (
    UPDATE fact_incident AS f SET
        grid_code = s.grid_code,
        category_code = s.category_code,
        channel = s.channel,
        status = s.status,
        reported_at = s.reported_at,
        accepted_at = s.accepted_at,
        dispatched_at = s.dispatched_at,
        handled_at = s.handled_at,
        closed_at = s.closed_at,
        rejected_at = s.rejected_at,
        due_at = s.effective_due_at,
        due_given = s.due_at IS NOT NULL,
        lat = s.lat,
        lon = s.lon,
        description = s.description,
        updated_at = now()
      FROM (SELECT s.*, coalesce(s.due_at, sla_due_at(s.reported_at, c.sla_hours, c.sla_unit, c.sla_work_amount))
                   AS effective_due_at
              FROM stage s JOIN dim_incident_category c USING (category_code)) AS s
     WHERE f.community_code = s.community_code AND f.incident_id = s.incident_id
       AND (f.grid_code, f.category_code, f.channel, f.status, f.reported_at, f.accepted_at,
            f.dispatched_at, f.handled_at, f.closed_at, f.rejected_at, f.due_at, f.lat, f.lon,
            f.description)
           IS DISTINCT FROM
           (s.grid_code, s.category_code, s.channel, s.status, s.reported_at, s.accepted_at,
            s.dispatched_at, s.handled_at, s.closed_at, s.rejected_at, s.effective_due_at,
            s.lat, s.lon, s.description)
    RETURNING f.community_code, f.incident_id, f.reported_at, f.accepted_at, f.dispatched_at,
              f.handled_at, f.closed_at, f.rejected_at
), superseded AS (
    SELECT m.community_code, m.incident_id, step.status, step.before AS changed_at
      FROM changed m
     -- LIMIT 1 keeps this a key lookup per changed incident.
     CROSS JOIN LATERAL (
           SELECT * FROM fact_incident p
            WHERE p.community_code = m.community_code AND p.incident_id = m.incident_id
            LIMIT 1) AS previous
     CROSS JOIN LATERAL (VALUES
               ('reported', previous.reported_at, m.reported_at),
               ('accepted', previous.accepted_at, m.accepted_at),
               ('dispatched', previous.dispatched_at, m.dispatched_at),
               ('handled', previous.handled_at, m.handled_at),
               ('closed', previous.closed_at, m.closed_at),
               ('rejected', previous.rejected_at, m.rejected_at)) AS step (status, before, after)
     WHERE step.before IS NOT NULL AND step.before IS DISTINCT FROM step.after
       AND NOT EXISTS (
           SELECT 1 FROM fact_incident_status_log l
            WHERE l.community_code = m.community_code AND l.incident_id = m.incident_id
              AND l.status = step.status AND l.changed_at = step.before)
), logged AS (
    INSERT INTO fact_incident_status_log (community_code, incident_id, status, changed_at)
    SELECT community_code, incident_id, status, changed_at FROM superseded
    RETURNING 1
)
SELECT count(*), (SELECT count(*) FROM logged) FROM changed;

-- name: stage_new_incidents
-- The staged incidents the warehouse does not hold yet, kept apart so that a bulk
-- load can mark their days itself (see ingest/bulk.py). A plain INSERT of these
-- costs half of an INSERT … ON CONFLICT: no speculative insertion per row. One loader
-- at a time (the advisory lock in load.py), so nobody adds them in between.
CREATE TEMP TABLE new_incidents ON COMMIT DROP AS
SELECT s.community_code, s.incident_id, s.grid_code, s.category_code, s.channel, s.status,
       s.reported_at, s.accepted_at, s.dispatched_at, s.handled_at, s.closed_at,
       s.rejected_at, coalesce(s.due_at, sla_due_at(s.reported_at, c.sla_hours, c.sla_unit, c.sla_work_amount))
           AS due_at,
       s.due_at IS NOT NULL AS due_given, s.lat, s.lon, s.description
  FROM stage s JOIN dim_incident_category c USING (category_code)
 WHERE NOT EXISTS (
       SELECT 1 FROM fact_incident f
        WHERE f.community_code = s.community_code AND f.incident_id = s.incident_id);

-- name: insert_incidents
-- Add the new incidents. A new incident writes no status-log row: its milestones are
-- its history.
INSERT INTO fact_incident (community_code, incident_id, grid_code, category_code, channel,
    status, reported_at, accepted_at, dispatched_at, handled_at, closed_at, rejected_at,
    due_at, due_given, lat, lon, description, updated_at)
SELECT community_code, incident_id, grid_code, category_code, channel, status, reported_at,
       accepted_at, dispatched_at, handled_at, closed_at, rejected_at, due_at, due_given, lat,
       lon, description, now()
  FROM new_incidents;

-- name: stage_service_visits
-- Staging for a service-visits file (resident_ref already pseudonymised).
CREATE TEMP TABLE stage (
    line_no integer, community_code text, visit_id text, facility_code text,
    visited_at timestamptz, resident_ref text, age_band text, units integer, status text
) ON COMMIT DROP;

-- name: merge_service_visits
-- Upsert visits; a row counts as updated only when a value changed.
WITH merged AS (
    INSERT INTO fact_service_visit AS f (community_code, visit_id, facility_code, visited_at,
        resident_ref, age_band, units, status)
    SELECT community_code, visit_id, facility_code, visited_at, resident_ref, age_band,
           units, status
      FROM stage
    ON CONFLICT (community_code, visit_id) DO UPDATE SET
        facility_code = EXCLUDED.facility_code,
        visited_at = EXCLUDED.visited_at,
        resident_ref = EXCLUDED.resident_ref,
        age_band = EXCLUDED.age_band,
        units = EXCLUDED.units,
        status = EXCLUDED.status
     WHERE (f.facility_code, f.visited_at, f.resident_ref, f.age_band, f.units, f.status)
           IS DISTINCT FROM
           (EXCLUDED.facility_code, EXCLUDED.visited_at, EXCLUDED.resident_ref,
            EXCLUDED.age_band, EXCLUDED.units, EXCLUDED.status)
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged;

-- name: stage_points
-- Staging for a points file; raw keeps the input row for a conflict's quarantine.
CREATE TEMP TABLE stage (
    line_no integer, community_code text, journal_id text, occurred_at timestamptz,
    kind text, resident_ref text, amount integer, reason text, counterparty text,
    raw jsonb, outcome text
) ON COMMIT DROP;

-- name: classify_points
-- Each staged transaction is new, unchanged (already in the ledger with the same
-- values) or a conflict (already there with other values: ledger rows never change).
UPDATE stage s
   SET outcome = coalesce((
       SELECT CASE WHEN (j.occurred_at, j.kind, j.resident_ref, j.amount, j.reason,
                         j.counterparty)
                        IS NOT DISTINCT FROM
                        (s.occurred_at, s.kind, s.resident_ref, s.amount, s.reason,
                         s.counterparty)
                   THEN 'unchanged' ELSE 'conflict' END
         FROM ledger_journal j
        WHERE j.community_code = s.community_code AND j.journal_id = s.journal_id), 'new');

-- name: point_conflicts
-- The conflicting transactions, for the quarantine.
SELECT line_no, raw, journal_id FROM stage WHERE outcome = 'conflict' ORDER BY line_no;

-- name: insert_journals
-- The new transactions' journal headers.
INSERT INTO ledger_journal (community_code, journal_id, occurred_at, kind, resident_ref,
    amount, reason, counterparty)
SELECT community_code, journal_id, occurred_at, kind, resident_ref, amount, reason,
       counterparty
  FROM stage WHERE outcome = 'new';

-- name: insert_entries
-- The new transactions' two ledger lines each, as the demo books them: earn moves
-- points from source:<reason> to the resident, redeem from the resident to
-- sink:<counterparty>, expire to expired, adjust between adjustment and the resident.
INSERT INTO ledger_entry (community_code, journal_id, line_no, account, account_kind,
    amount, occurred_at)
SELECT s.community_code, s.journal_id, l.line_no, l.account, l.account_kind, l.amount,
       s.occurred_at
  FROM stage s
 CROSS JOIN LATERAL (
       SELECT * FROM (VALUES
           (1, 'source:' || coalesce(s.reason, 'unspecified'), 'source', -s.amount, 'earn'),
           (2, 'resident:' || s.resident_ref, 'resident', s.amount, 'earn'),
           (1, 'resident:' || s.resident_ref, 'resident', -s.amount, 'redeem'),
           (2, 'sink:' || coalesce(s.counterparty, 'unspecified'), 'sink', s.amount, 'redeem'),
           (1, 'resident:' || s.resident_ref, 'resident', -s.amount, 'expire'),
           (2, 'expired', 'expired', s.amount, 'expire'),
           (1, 'resident:' || s.resident_ref, 'resident', s.amount, 'adjust'),
           (2, 'adjustment', 'adjustment', -s.amount, 'adjust')
       ) AS lines (line_no, account, account_kind, amount, kind)
        WHERE lines.kind = s.kind
 ) l
 WHERE s.outcome = 'new';
