-- 003 incremental rollups. Statement-level triggers on the facts mark the
-- community-days a change touches (old and new milestone days alike) in
-- rollup_dirty; refresh_rollups() recomputes exactly those days from the facts and
-- upserts them (INSERT … ON CONFLICT DO UPDATE), so a 10k-row delta costs a few
-- hundred day-rows, not a rebuild. Recomputing a day is idempotent.

CREATE FUNCTION day_start(d date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN d::timestamp AT TIME ZONE 'Asia/Shanghai';

CREATE FUNCTION mark_incident_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO rollup_dirty (community_code, day)
        SELECT DISTINCT community_code, d FROM new_rows,
               LATERAL (VALUES (local_day(reported_at)), (local_day(closed_at)), (local_day(rejected_at))) v(d)
         WHERE d IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO rollup_dirty (community_code, day)
        SELECT DISTINCT community_code, d FROM old_rows,
               LATERAL (VALUES (local_day(reported_at)), (local_day(closed_at)), (local_day(rejected_at))) v(d)
         WHERE d IS NOT NULL
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER fact_incident_dirty_ins AFTER INSERT ON fact_incident
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_incident_days();
CREATE TRIGGER fact_incident_dirty_upd AFTER UPDATE ON fact_incident
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mark_incident_days();
CREATE TRIGGER fact_incident_dirty_del AFTER DELETE ON fact_incident
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_incident_days();

CREATE FUNCTION mark_visit_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO rollup_dirty (community_code, day)
        SELECT DISTINCT community_code, local_day(visited_at) FROM new_rows
        ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO rollup_dirty (community_code, day)
        SELECT DISTINCT community_code, local_day(visited_at) FROM old_rows
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER fact_service_visit_dirty_ins AFTER INSERT ON fact_service_visit
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_visit_days();
CREATE TRIGGER fact_service_visit_dirty_upd AFTER UPDATE ON fact_service_visit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mark_visit_days();
CREATE TRIGGER fact_service_visit_dirty_del AFTER DELETE ON fact_service_visit
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_visit_days();

CREATE FUNCTION mark_journal_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rollup_dirty (community_code, day)
    SELECT DISTINCT community_code, local_day(occurred_at) FROM new_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER ledger_journal_dirty_ins AFTER INSERT ON ledger_journal
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_journal_days();

-- Recompute every dirty community-day; returns how many were refreshed.
CREATE FUNCTION refresh_rollups() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    refreshed integer;
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS refresh_days (
        community_code text, day date, PRIMARY KEY (community_code, day)
    ) ON COMMIT DROP;
    TRUNCATE refresh_days;
    WITH taken AS (DELETE FROM rollup_dirty RETURNING community_code, day)
    INSERT INTO refresh_days SELECT DISTINCT community_code, day FROM taken;
    GET DIAGNOSTICS refreshed = ROW_COUNT;
    IF refreshed = 0 THEN
        RETURN 0;
    END IF;
    ANALYZE refresh_days;

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
      LEFT JOIN LATERAL (
            SELECT count(*) AS n FROM fact_incident i
             WHERE i.community_code = d.community_code
               AND i.reported_at >= day_start(d.day) AND i.reported_at < day_start(d.day + 1)
      ) rep ON true
      LEFT JOIN LATERAL (
            SELECT count(*) AS n FROM fact_incident i
             WHERE i.community_code = d.community_code
               AND i.rejected_at >= day_start(d.day) AND i.rejected_at < day_start(d.day + 1)
      ) rej ON true
      LEFT JOIN LATERAL (
            SELECT count(*) AS n,
                   count(*) FILTER (WHERE i.closed_at <= i.due_at) AS on_time,
                   count(*) FILTER (WHERE c.is_safety_hazard) AS hazards,
                   sum(extract(epoch FROM i.closed_at - i.reported_at) / 3600.0) AS hours
              FROM fact_incident i JOIN dim_incident_category c USING (category_code)
             WHERE i.community_code = d.community_code
               AND i.closed_at >= day_start(d.day) AND i.closed_at < day_start(d.day + 1)
      ) clo ON true
      LEFT JOIN LATERAL (
            SELECT sum(v.units) FILTER (WHERE v.status = 'attended') AS units,
                   count(*) FILTER (WHERE v.status = 'no_show') AS no_show,
                   sum(v.units) FILTER (WHERE v.status = 'attended' AND v.age_band IN ('60-79', '80+'))
                       AS units_60_plus
              FROM fact_service_visit v
             WHERE v.community_code = d.community_code
               AND v.visited_at >= day_start(d.day) AND v.visited_at < day_start(d.day + 1)
      ) vis ON true
      LEFT JOIN LATERAL (
            SELECT sum(j.amount) FILTER (WHERE j.kind = 'earn') AS issued,
                   sum(j.amount) FILTER (WHERE j.kind = 'redeem') AS redeemed,
                   sum(j.amount) FILTER (WHERE j.kind = 'expire') AS expired,
                   sum(j.amount) FILTER (WHERE j.kind = 'adjust') AS adjusted
              FROM ledger_journal j
             WHERE j.community_code = d.community_code
               AND j.occurred_at >= day_start(d.day) AND j.occurred_at < day_start(d.day + 1)
      ) pts ON true
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

    -- Facility-days: zero the touched ones, then upsert what the facts say.
    UPDATE rollup_facility_day f
       SET attended_units = 0, attended_visits = 0, booked = 0, no_show = 0, cancelled = 0,
           units_age_0_3 = 0, units_age_4_14 = 0, units_age_15_34 = 0, units_age_35_59 = 0,
           units_age_60_79 = 0, units_age_80_plus = 0, units_age_unknown = 0, refreshed_at = now()
      FROM refresh_days d
     WHERE f.community_code = d.community_code AND f.day = d.day;

    INSERT INTO rollup_facility_day AS r (
        community_code, facility_code, day, attended_units, attended_visits, booked, no_show,
        cancelled, units_age_0_3, units_age_4_14, units_age_15_34, units_age_35_59,
        units_age_60_79, units_age_80_plus, units_age_unknown, refreshed_at)
    SELECT d.community_code, v.facility_code, d.day,
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
      FROM refresh_days d
      JOIN fact_service_visit v
        ON v.community_code = d.community_code
       AND v.visited_at >= day_start(d.day) AND v.visited_at < day_start(d.day + 1)
     GROUP BY d.community_code, v.facility_code, d.day
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

    RETURN refreshed;
END $$;

-- Mark every day that has any fact, for a full rebuild (`cockpit refresh --full`).
CREATE FUNCTION mark_all_days_dirty() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    marked integer;
BEGIN
    INSERT INTO rollup_dirty (community_code, day)
    SELECT community_code, local_day(reported_at) FROM fact_incident
    UNION SELECT community_code, local_day(closed_at) FROM fact_incident WHERE closed_at IS NOT NULL
    UNION SELECT community_code, local_day(rejected_at) FROM fact_incident WHERE rejected_at IS NOT NULL
    UNION SELECT community_code, local_day(visited_at) FROM fact_service_visit
    UNION SELECT community_code, local_day(occurred_at) FROM ledger_journal
    UNION SELECT community_code, day FROM rollup_community_day
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS marked = ROW_COUNT;
    RETURN marked;
END $$;
