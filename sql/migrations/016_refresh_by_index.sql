-- 016 refresh_rollups() reads each dirty community's span of days by its index, always.
-- 005 joined the dirty communities' spans to the fact tables; the planner cannot
-- estimate a range whose bounds come from another table, guessed a third of each fact
-- table, and hashed whole tables: a 10k-row delta over 1,250 of a city's communities
-- read 50M fact rows (12.7 s). Each span is now a LATERAL subquery (OFFSET 0 keeps the
-- planner from flattening it back into a join), so it is one index range scan per dirty
-- community and fact table, whatever the estimate; the facility-days to zero are found
-- the same way (they were found by reading all 9M of them). Same results.

CREATE OR REPLACE FUNCTION refresh_rollups() RETURNS integer
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
    WITH bounds AS (
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

    -- Facility-days: zero the touched ones, then upsert what the facts say.
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

    RETURN refreshed;
END $$;

