-- 018 new facts are added to the rollups, not recomputed. Until now every inserted row
-- marked its community-days dirty and refresh_rollups() read those days back from the
-- facts: at city scale a 10k-row delta over a week reads ~150k fact rows by index, 3.4 s
-- warm and 15 s cold, against a 0.5 s budget. An insert already holds its rows (the
-- statement's transition table), so its triggers now write what those rows add, summed
-- per community-day (and facility-day), into two insert-only delta logs; the refresh
-- folds the logs into the rollups with `+`. Updates and deletes (a re-sent incident, a
-- correction) still mark their days dirty, and dirty days are still recomputed from the
-- facts, as is a bulk load (ingest's bulk path, the demo) and `cockpit refresh --full`.
--
-- Folding is not idempotent, so two rules keep it exact:
-- * a dirty day's pending deltas are deleted by the very statement that recomputes it
--   (one snapshot: the facts it reads are exactly those whose deltas it deletes; deltas
--   committed later stay for the next refresh, and their facts were not read);
-- * refreshes take turns (a transaction-level advisory lock): otherwise a refresh
--   with an older snapshot could overwrite a day another refresh had just added to.
-- The logs are insert-only (no upsert), so a delete never sees a newer row version.

CREATE TABLE rollup_community_day_delta (
    community_code            text NOT NULL,
    delta_id                  bigint GENERATED ALWAYS AS IDENTITY,
    day                       date NOT NULL,
    incidents_reported        integer NOT NULL DEFAULT 0,
    incidents_rejected        integer NOT NULL DEFAULT 0,
    incidents_closed          integer NOT NULL DEFAULT 0,
    incidents_closed_on_time  integer NOT NULL DEFAULT 0,
    hazards_closed            integer NOT NULL DEFAULT 0,
    handling_hours_sum        double precision NOT NULL DEFAULT 0,
    visits_units              bigint NOT NULL DEFAULT 0,
    visits_no_show            integer NOT NULL DEFAULT 0,
    visits_units_60_plus      bigint NOT NULL DEFAULT 0,
    points_issued             bigint NOT NULL DEFAULT 0,
    points_redeemed           bigint NOT NULL DEFAULT 0,
    points_expired            bigint NOT NULL DEFAULT 0,
    points_adjusted           bigint NOT NULL DEFAULT 0,
    marked_at                 timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_code, delta_id)
);

CREATE TABLE rollup_facility_day_delta (
    community_code        text NOT NULL,
    delta_id              bigint GENERATED ALWAYS AS IDENTITY,
    facility_code         text NOT NULL,
    day                   date NOT NULL,
    attended_units        bigint NOT NULL DEFAULT 0,
    attended_visits       integer NOT NULL DEFAULT 0,
    booked                integer NOT NULL DEFAULT 0,
    no_show               integer NOT NULL DEFAULT 0,
    cancelled             integer NOT NULL DEFAULT 0,
    units_age_0_3         bigint NOT NULL DEFAULT 0,
    units_age_4_14        bigint NOT NULL DEFAULT 0,
    units_age_15_34       bigint NOT NULL DEFAULT 0,
    units_age_35_59       bigint NOT NULL DEFAULT 0,
    units_age_60_79       bigint NOT NULL DEFAULT 0,
    units_age_80_plus     bigint NOT NULL DEFAULT 0,
    units_age_unknown     bigint NOT NULL DEFAULT 0,
    marked_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_code, delta_id)
);

-- Community-days whose rollup rows are behind the facts, whichever way: dirty (to
-- recompute) or with deltas to add. 数据状态 and `cockpit check` count these.
CREATE VIEW rollup_pending AS
SELECT community_code, day, marked_at FROM rollup_dirty
UNION ALL
SELECT community_code, day, marked_at FROM rollup_community_day_delta
UNION ALL
SELECT community_code, day, marked_at FROM rollup_facility_day_delta;
GRANT SELECT ON rollup_pending TO cockpit_reader;

-- ---------------------------------------------------------------- what inserts add
-- The same measures as the recompute in refresh_community_days() and
-- refresh_facility_days() below, of the inserted rows only.

CREATE FUNCTION add_incident_deltas() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_community_day_delta (
        community_code, day, incidents_reported, incidents_rejected, incidents_closed,
        incidents_closed_on_time, hazards_closed, handling_hours_sum)
    SELECT community_code, day, sum(reported), sum(rejected), sum(closed), sum(on_time),
           sum(hazard), sum(hours)
      FROM (SELECT community_code, local_day(reported_at) AS day, 1 AS reported,
                   0 AS rejected, 0 AS closed, 0 AS on_time, 0 AS hazard, 0::numeric AS hours
              FROM new_rows
            UNION ALL
            SELECT community_code, local_day(rejected_at), 0, 1, 0, 0, 0, 0
              FROM new_rows WHERE rejected_at IS NOT NULL
            UNION ALL
            SELECT n.community_code, local_day(n.closed_at), 0, 0, 1,
                   CASE WHEN n.closed_at <= n.due_at THEN 1 ELSE 0 END,
                   CASE WHEN c.is_safety_hazard THEN 1 ELSE 0 END,
                   extract(epoch FROM n.closed_at - n.reported_at) / 3600.0
              FROM new_rows n JOIN dim_incident_category c USING (category_code)
             WHERE n.closed_at IS NOT NULL) added
     GROUP BY 1, 2;
    RETURN NULL;
END $$;

CREATE FUNCTION add_visit_deltas() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_community_day_delta (
        community_code, day, visits_units, visits_no_show, visits_units_60_plus)
    SELECT community_code, local_day(visited_at),
           coalesce(sum(units) FILTER (WHERE status = 'attended'), 0),
           count(*) FILTER (WHERE status = 'no_show'),
           coalesce(sum(units) FILTER (WHERE status = 'attended'
                                         AND age_band IN ('60-79', '80+')), 0)
      FROM new_rows
     GROUP BY 1, 2;
    INSERT INTO rollup_facility_day_delta (
        community_code, facility_code, day, attended_units, attended_visits, booked, no_show,
        cancelled, units_age_0_3, units_age_4_14, units_age_15_34, units_age_35_59,
        units_age_60_79, units_age_80_plus, units_age_unknown)
    SELECT community_code, facility_code, local_day(visited_at),
           coalesce(sum(units) FILTER (WHERE status = 'attended'), 0),
           count(*) FILTER (WHERE status = 'attended'),
           count(*) FILTER (WHERE status = 'booked'),
           count(*) FILTER (WHERE status = 'no_show'),
           count(*) FILTER (WHERE status = 'cancelled'),
           coalesce(sum(units) FILTER (WHERE status = 'attended' AND age_band = '0-3'), 0),
           coalesce(sum(units) FILTER (WHERE status = 'attended' AND age_band = '4-14'), 0),
           coalesce(sum(units) FILTER (WHERE status = 'attended' AND age_band = '15-34'), 0),
           coalesce(sum(units) FILTER (WHERE status = 'attended' AND age_band = '35-59'), 0),
           coalesce(sum(units) FILTER (WHERE status = 'attended' AND age_band = '60-79'), 0),
           coalesce(sum(units) FILTER (WHERE status = 'attended' AND age_band = '80+'), 0),
           coalesce(sum(units) FILTER (WHERE status = 'attended' AND age_band IS NULL), 0)
      FROM new_rows
     GROUP BY 1, 2, 3;
    RETURN NULL;
END $$;

CREATE FUNCTION add_journal_deltas() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_community_day_delta (
        community_code, day, points_issued, points_redeemed, points_expired, points_adjusted)
    SELECT community_code, local_day(occurred_at),
           coalesce(sum(amount) FILTER (WHERE kind = 'earn'), 0),
           coalesce(sum(amount) FILTER (WHERE kind = 'redeem'), 0),
           coalesce(sum(amount) FILTER (WHERE kind = 'expire'), 0),
           coalesce(sum(amount) FILTER (WHERE kind = 'adjust'), 0)
      FROM new_rows
     GROUP BY 1, 2;
    RETURN NULL;
END $$;

DROP TRIGGER fact_incident_dirty_ins ON fact_incident;
CREATE TRIGGER fact_incident_delta_ins AFTER INSERT ON fact_incident
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION add_incident_deltas();
DROP TRIGGER fact_service_visit_dirty_ins ON fact_service_visit;
CREATE TRIGGER fact_service_visit_delta_ins AFTER INSERT ON fact_service_visit
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION add_visit_deltas();
DROP TRIGGER ledger_journal_dirty_ins ON ledger_journal;
CREATE TRIGGER ledger_journal_delta_ins AFTER INSERT ON ledger_journal
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION add_journal_deltas();
DROP FUNCTION mark_journal_days();

-- ---------------------------------------------------------------- cheaper updates
-- A fold updates thousands of day rows in place. Room on each page lets PostgreSQL
-- update a row without new index entries (a HOT update; no indexed column changes);
-- pages written from now on keep a fifth free (existing pages until rewritten).
ALTER TABLE rollup_community_day SET (fillfactor = 80);
ALTER TABLE rollup_facility_day SET (fillfactor = 80);
ALTER TABLE rollup_community_month SET (fillfactor = 80);

-- Migration 014's trigger summed the months of every updated day again, twice (old and
-- new rows). An update now sums only the months of days whose points changed, or whose
-- key did: a fold of incidents and visits leaves the months alone.
CREATE OR REPLACE FUNCTION sum_community_months() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE community_months_summing('new_rows');
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE community_months_summing('old_rows');
    ELSE
        EXECUTE 'WITH points_changed AS ('
                '    (SELECT community_code, day, points_issued, points_redeemed,'
                '            points_expired, points_adjusted FROM new_rows'
                '     EXCEPT SELECT community_code, day, points_issued, points_redeemed,'
                '            points_expired, points_adjusted FROM old_rows)'
                '    UNION'
                '    (SELECT community_code, day, points_issued, points_redeemed,'
                '            points_expired, points_adjusted FROM old_rows'
                '     EXCEPT SELECT community_code, day, points_issued, points_redeemed,'
                '            points_expired, points_adjusted FROM new_rows)) '
             || community_months_summing('points_changed');
    END IF;
    RETURN NULL;
END $$;

-- ---------------------------------------------------------------- the refresh
-- Split in three so the next change restates one part, not the whole refresh.

-- Add the pending deltas of days that are not being recomputed; returns the rollup rows
-- written.
CREATE FUNCTION fold_rollup_deltas() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    days integer;
BEGIN
    WITH taken AS (
        DELETE FROM rollup_community_day_delta x
         WHERE NOT EXISTS (SELECT 1 FROM refresh_days d
                            WHERE d.community_code = x.community_code AND d.day = x.day)
        RETURNING x.*)
    INSERT INTO rollup_community_day AS r (
        community_code, day, incidents_reported, incidents_rejected, incidents_closed,
        incidents_closed_on_time, hazards_closed, handling_hours_sum,
        visits_units, visits_no_show, visits_units_60_plus,
        points_issued, points_redeemed, points_expired, points_adjusted, refreshed_at)
    SELECT community_code, day, sum(incidents_reported), sum(incidents_rejected),
           sum(incidents_closed), sum(incidents_closed_on_time), sum(hazards_closed),
           sum(handling_hours_sum), sum(visits_units), sum(visits_no_show),
           sum(visits_units_60_plus), sum(points_issued), sum(points_redeemed),
           sum(points_expired), sum(points_adjusted), now()
      FROM taken GROUP BY 1, 2
    ON CONFLICT (community_code, day) DO UPDATE SET
        incidents_reported = r.incidents_reported + EXCLUDED.incidents_reported,
        incidents_rejected = r.incidents_rejected + EXCLUDED.incidents_rejected,
        incidents_closed = r.incidents_closed + EXCLUDED.incidents_closed,
        incidents_closed_on_time = r.incidents_closed_on_time + EXCLUDED.incidents_closed_on_time,
        hazards_closed = r.hazards_closed + EXCLUDED.hazards_closed,
        handling_hours_sum = r.handling_hours_sum + EXCLUDED.handling_hours_sum,
        visits_units = r.visits_units + EXCLUDED.visits_units,
        visits_no_show = r.visits_no_show + EXCLUDED.visits_no_show,
        visits_units_60_plus = r.visits_units_60_plus + EXCLUDED.visits_units_60_plus,
        points_issued = r.points_issued + EXCLUDED.points_issued,
        points_redeemed = r.points_redeemed + EXCLUDED.points_redeemed,
        points_expired = r.points_expired + EXCLUDED.points_expired,
        points_adjusted = r.points_adjusted + EXCLUDED.points_adjusted,
        refreshed_at = EXCLUDED.refreshed_at;
    GET DIAGNOSTICS days = ROW_COUNT;

    WITH taken AS (
        DELETE FROM rollup_facility_day_delta x
         WHERE NOT EXISTS (SELECT 1 FROM refresh_days d
                            WHERE d.community_code = x.community_code AND d.day = x.day)
        RETURNING x.*)
    INSERT INTO rollup_facility_day AS r (
        community_code, facility_code, day, attended_units, attended_visits, booked, no_show,
        cancelled, units_age_0_3, units_age_4_14, units_age_15_34, units_age_35_59,
        units_age_60_79, units_age_80_plus, units_age_unknown, refreshed_at)
    SELECT community_code, facility_code, day, sum(attended_units), sum(attended_visits),
           sum(booked), sum(no_show), sum(cancelled), sum(units_age_0_3), sum(units_age_4_14),
           sum(units_age_15_34), sum(units_age_35_59), sum(units_age_60_79),
           sum(units_age_80_plus), sum(units_age_unknown), now()
      FROM taken GROUP BY 1, 2, 3
    ON CONFLICT (community_code, facility_code, day) DO UPDATE SET
        attended_units = r.attended_units + EXCLUDED.attended_units,
        attended_visits = r.attended_visits + EXCLUDED.attended_visits,
        booked = r.booked + EXCLUDED.booked,
        no_show = r.no_show + EXCLUDED.no_show,
        cancelled = r.cancelled + EXCLUDED.cancelled,
        units_age_0_3 = r.units_age_0_3 + EXCLUDED.units_age_0_3,
        units_age_4_14 = r.units_age_4_14 + EXCLUDED.units_age_4_14,
        units_age_15_34 = r.units_age_15_34 + EXCLUDED.units_age_15_34,
        units_age_35_59 = r.units_age_35_59 + EXCLUDED.units_age_35_59,
        units_age_60_79 = r.units_age_60_79 + EXCLUDED.units_age_60_79,
        units_age_80_plus = r.units_age_80_plus + EXCLUDED.units_age_80_plus,
        units_age_unknown = r.units_age_unknown + EXCLUDED.units_age_unknown,
        refreshed_at = EXCLUDED.refreshed_at;
    RETURN days;
END $$;

-- Recompute the community-days in refresh_days from the facts (as migration 016 did),
-- deleting their pending deltas in the same statement.
CREATE FUNCTION refresh_community_days() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    WITH absorbed AS (
            DELETE FROM rollup_community_day_delta x USING refresh_days d
             WHERE x.community_code = d.community_code AND x.day = d.day
         ), bounds AS (
            -- each dirty community's span of dirty days, as instants
            SELECT community_code, day_start(min(day)) AS lo, day_start(max(day) + 1) AS hi
              FROM refresh_days GROUP BY community_code
         ), reported AS (
            SELECT b.community_code, local_day(i.reported_at) AS day,
                   count(*) AS n
              FROM bounds b
              CROSS JOIN LATERAL (
                   SELECT * FROM fact_incident x
                    WHERE x.community_code = b.community_code
                      AND x.reported_at >= b.lo AND x.reported_at < b.hi
                   OFFSET 0) i
             GROUP BY 1, 2
         ), rejected AS (
            SELECT b.community_code, local_day(i.rejected_at) AS day,
                   count(*) AS n
              FROM bounds b
              CROSS JOIN LATERAL (
                   SELECT * FROM fact_incident x
                    WHERE x.community_code = b.community_code
                      AND x.rejected_at >= b.lo AND x.rejected_at < b.hi
                   OFFSET 0) i
             GROUP BY 1, 2
         ), closed AS (
            SELECT b.community_code, local_day(i.closed_at) AS day,
                   count(*) AS n,
                   count(*) FILTER (WHERE i.closed_at <= i.due_at) AS on_time,
                   count(*) FILTER (WHERE c.is_safety_hazard) AS hazards,
                   sum(extract(epoch FROM i.closed_at - i.reported_at) / 3600.0) AS hours
              FROM bounds b
              CROSS JOIN LATERAL (
                   SELECT * FROM fact_incident x
                    WHERE x.community_code = b.community_code
                      AND x.closed_at >= b.lo AND x.closed_at < b.hi
                   OFFSET 0) i
              JOIN dim_incident_category c USING (category_code)
             GROUP BY 1, 2
         ), visited AS (
            SELECT b.community_code, local_day(v.visited_at) AS day,
                   sum(v.units) FILTER (WHERE v.status = 'attended') AS units,
                   count(*) FILTER (WHERE v.status = 'no_show') AS no_show,
                   sum(v.units) FILTER (WHERE v.status = 'attended'
                                          AND v.age_band IN ('60-79', '80+')) AS units_60_plus
              FROM bounds b
              CROSS JOIN LATERAL (
                   SELECT * FROM fact_service_visit x
                    WHERE x.community_code = b.community_code
                      AND x.visited_at >= b.lo AND x.visited_at < b.hi
                   OFFSET 0) v
             GROUP BY 1, 2
         ), points AS (
            SELECT b.community_code, local_day(j.occurred_at) AS day,
                   sum(j.amount) FILTER (WHERE j.kind = 'earn') AS issued,
                   sum(j.amount) FILTER (WHERE j.kind = 'redeem') AS redeemed,
                   sum(j.amount) FILTER (WHERE j.kind = 'expire') AS expired,
                   sum(j.amount) FILTER (WHERE j.kind = 'adjust') AS adjusted
              FROM bounds b
              CROSS JOIN LATERAL (
                   SELECT * FROM ledger_journal x
                    WHERE x.community_code = b.community_code
                      AND x.occurred_at >= b.lo AND x.occurred_at < b.hi
                   OFFSET 0) j
             GROUP BY 1, 2
         )
    INSERT INTO rollup_community_day AS r (
        community_code, day, incidents_reported, incidents_rejected, incidents_closed,
        incidents_closed_on_time, hazards_closed, handling_hours_sum,
        visits_units, visits_no_show, visits_units_60_plus,
        points_issued, points_redeemed, points_expired, points_adjusted, refreshed_at)
    SELECT d.community_code, d.day,
           coalesce(rep.n, 0), coalesce(rej.n, 0), coalesce(clo.n, 0),
           coalesce(clo.on_time, 0), coalesce(clo.hazards, 0), coalesce(clo.hours, 0),
           coalesce(vis.units, 0), coalesce(vis.no_show, 0), coalesce(vis.units_60_plus, 0),
           coalesce(pts.issued, 0), coalesce(pts.redeemed, 0), coalesce(pts.expired, 0),
           coalesce(pts.adjusted, 0), now()
      FROM refresh_days d
      LEFT JOIN reported rep USING (community_code, day)
      LEFT JOIN rejected rej USING (community_code, day)
      LEFT JOIN closed clo USING (community_code, day)
      LEFT JOIN visited vis USING (community_code, day)
      LEFT JOIN points pts USING (community_code, day)
    ON CONFLICT (community_code, day) DO UPDATE SET
        incidents_reported = EXCLUDED.incidents_reported,
        incidents_rejected = EXCLUDED.incidents_rejected,
        incidents_closed = EXCLUDED.incidents_closed,
        incidents_closed_on_time = EXCLUDED.incidents_closed_on_time,
        hazards_closed = EXCLUDED.hazards_closed,
        handling_hours_sum = EXCLUDED.handling_hours_sum,
        visits_units = EXCLUDED.visits_units,
        visits_no_show = EXCLUDED.visits_no_show,
        visits_units_60_plus = EXCLUDED.visits_units_60_plus,
        points_issued = EXCLUDED.points_issued,
        points_redeemed = EXCLUDED.points_redeemed,
        points_expired = EXCLUDED.points_expired,
        points_adjusted = EXCLUDED.points_adjusted,
        refreshed_at = EXCLUDED.refreshed_at;
END $$;

-- Recompute the facility-days of the days in refresh_days: zero the touched ones, then
-- upsert what the facts say, deleting their pending deltas in that statement.
CREATE FUNCTION refresh_facility_days() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rollup_facility_day f
       SET attended_units = 0, attended_visits = 0, booked = 0, no_show = 0, cancelled = 0,
           units_age_0_3 = 0, units_age_4_14 = 0, units_age_15_34 = 0, units_age_35_59 = 0,
           units_age_60_79 = 0, units_age_80_plus = 0, units_age_unknown = 0, refreshed_at = now()
      FROM refresh_days d
     CROSS JOIN LATERAL (
           SELECT x.facility_code FROM rollup_facility_day x
            WHERE x.community_code = d.community_code AND x.day = d.day
           OFFSET 0) touched
     WHERE f.community_code = d.community_code AND f.facility_code = touched.facility_code
       AND f.day = d.day;

    WITH absorbed AS (
        DELETE FROM rollup_facility_day_delta x USING refresh_days d
         WHERE x.community_code = d.community_code AND x.day = d.day)
    INSERT INTO rollup_facility_day AS r (
        community_code, facility_code, day, attended_units, attended_visits, booked, no_show,
        cancelled, units_age_0_3, units_age_4_14, units_age_15_34, units_age_35_59,
        units_age_60_79, units_age_80_plus, units_age_unknown, refreshed_at)
    SELECT v.community_code, v.facility_code, local_day(v.visited_at),
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended'), 0),
           count(*) FILTER (WHERE v.status = 'attended'),
           count(*) FILTER (WHERE v.status = 'booked'),
           count(*) FILTER (WHERE v.status = 'no_show'),
           count(*) FILTER (WHERE v.status = 'cancelled'),
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended' AND v.age_band = '0-3'), 0),
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended' AND v.age_band = '4-14'), 0),
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended' AND v.age_band = '15-34'), 0),
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended' AND v.age_band = '35-59'), 0),
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended' AND v.age_band = '60-79'), 0),
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended' AND v.age_band = '80+'), 0),
           coalesce(sum(v.units) FILTER (WHERE v.status = 'attended' AND v.age_band IS NULL), 0),
           now()
      FROM (SELECT community_code, day_start(min(day)) AS lo, day_start(max(day) + 1) AS hi
              FROM refresh_days GROUP BY community_code) b
     CROSS JOIN LATERAL (
           SELECT * FROM fact_service_visit x
            WHERE x.community_code = b.community_code
              AND x.visited_at >= b.lo AND x.visited_at < b.hi
           OFFSET 0) v
     WHERE (v.community_code, local_day(v.visited_at)) IN (
               SELECT community_code, day FROM refresh_days)
     GROUP BY v.community_code, v.facility_code, local_day(v.visited_at)
    ON CONFLICT (community_code, facility_code, day) DO UPDATE SET
        attended_units = EXCLUDED.attended_units,
        attended_visits = EXCLUDED.attended_visits,
        booked = EXCLUDED.booked,
        no_show = EXCLUDED.no_show,
        cancelled = EXCLUDED.cancelled,
        units_age_0_3 = EXCLUDED.units_age_0_3,
        units_age_4_14 = EXCLUDED.units_age_4_14,
        units_age_15_34 = EXCLUDED.units_age_15_34,
        units_age_35_59 = EXCLUDED.units_age_35_59,
        units_age_60_79 = EXCLUDED.units_age_60_79,
        units_age_80_plus = EXCLUDED.units_age_80_plus,
        units_age_unknown = EXCLUDED.units_age_unknown,
        refreshed_at = EXCLUDED.refreshed_at;
END $$;

-- Bring the rollups up to the facts: recompute the dirty days, add the other days'
-- deltas. Returns the community-days refreshed (recomputed or added to).
CREATE OR REPLACE FUNCTION refresh_rollups() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    recomputed integer;
    folded integer;
BEGIN
    -- one refresh at a time (see the top of migration 018); released at commit
    PERFORM pg_advisory_xact_lock(hashtext('refresh_rollups'));
    CREATE TEMP TABLE IF NOT EXISTS refresh_days (
        community_code text, day date, PRIMARY KEY (community_code, day)
    ) ON COMMIT DROP;
    TRUNCATE refresh_days;
    WITH taken AS (DELETE FROM rollup_dirty RETURNING community_code, day)
    INSERT INTO refresh_days SELECT DISTINCT community_code, day FROM taken;
    GET DIAGNOSTICS recomputed = ROW_COUNT;
    IF recomputed > 0 THEN
        ANALYZE refresh_days;
        PERFORM refresh_community_days();
        PERFORM refresh_facility_days();
    END IF;
    folded := fold_rollup_deltas();
    RETURN recomputed + folded;
END $$;
