-- 028 rollups per street and for the whole district (issue 13). A viewer of the whole
-- city read every community's days to draw one line per day: a month is 3,000 × 30
-- community-days, or 12,000 × 30 facility-days for the services' charts (0.1–0.5 s
-- each, several per page). The same additive measures are now also kept per street per
-- day and per day for the district (and, of the facility-days, per facility type), so
-- such a chart reads tens of rows.
--
-- Kept by the same refresh: statement-level triggers on rollup_community_day and
-- rollup_facility_day add what each statement changed (its new rows less its old ones,
-- summed per street and per district day) to these tables. Whatever writes the
-- community rollups (the fold of inserted facts, a dirty day's recompute, `cockpit
-- refresh --full`) moves the street and district rows in the same transaction; the
-- demo's rewrite in day order sets these triggers aside with the others (its rows
-- change nothing). Every measure is an integer but handling_hours_sum (a double: sums
-- of differences may differ from a fresh sum in the last bits; `cockpit check`
-- compares it within 1e-6 relative).
--
-- Grain: rollup_street_day one row per street per local day; rollup_district_day one
-- row per local day; rollup_street_facility_type_day one row per street, facility type
-- and day; rollup_district_facility_type_day one row per facility type and day. A
-- row exists for every day a community (facility) row of it exists.
--
-- Who reads them: the district rows only a session that sees the whole district; a
-- street's rows only a session that sees every community of that street (so a
-- community viewer never reads a street's total, unless the street is that community
-- alone). These tables carry no community key: on Citus they would stay on the
-- coordinator beside the tables that feed them (docs/scale-out.md).

CREATE TABLE rollup_street_day (
    street_code               text NOT NULL REFERENCES dim_street,
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
    PRIMARY KEY (street_code, day)
) WITH (fillfactor = 80);

CREATE TABLE rollup_district_day (
    day                       date PRIMARY KEY,
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
    points_adjusted           bigint NOT NULL DEFAULT 0
) WITH (fillfactor = 80);

CREATE TABLE rollup_street_facility_type_day (
    street_code        text NOT NULL REFERENCES dim_street,
    facility_type      text NOT NULL,
    day                date NOT NULL,
    attended_units     bigint NOT NULL DEFAULT 0,
    attended_visits    integer NOT NULL DEFAULT 0,
    booked             integer NOT NULL DEFAULT 0,
    no_show            integer NOT NULL DEFAULT 0,
    cancelled          integer NOT NULL DEFAULT 0,
    units_age_0_3      bigint NOT NULL DEFAULT 0,
    units_age_4_14     bigint NOT NULL DEFAULT 0,
    units_age_15_34    bigint NOT NULL DEFAULT 0,
    units_age_35_59    bigint NOT NULL DEFAULT 0,
    units_age_60_79    bigint NOT NULL DEFAULT 0,
    units_age_80_plus  bigint NOT NULL DEFAULT 0,
    units_age_unknown  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (street_code, facility_type, day)
) WITH (fillfactor = 80);

CREATE TABLE rollup_district_facility_type_day (
    facility_type      text NOT NULL,
    day                date NOT NULL,
    attended_units     bigint NOT NULL DEFAULT 0,
    attended_visits    integer NOT NULL DEFAULT 0,
    booked             integer NOT NULL DEFAULT 0,
    no_show            integer NOT NULL DEFAULT 0,
    cancelled          integer NOT NULL DEFAULT 0,
    units_age_0_3      bigint NOT NULL DEFAULT 0,
    units_age_4_14     bigint NOT NULL DEFAULT 0,
    units_age_15_34    bigint NOT NULL DEFAULT 0,
    units_age_35_59    bigint NOT NULL DEFAULT 0,
    units_age_60_79    bigint NOT NULL DEFAULT 0,
    units_age_80_plus  bigint NOT NULL DEFAULT 0,
    units_age_unknown  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (facility_type, day)
) WITH (fillfactor = 80);

-- ---------------------------------------------------------------- what a statement adds
-- `changed` is a query over the statement's transition tables with a column `sign`
-- (+1 for a new row, -1 for an old one); the statement built adds the signed sums per
-- street-day to the streets and per day to the district, in one statement.

CREATE FUNCTION area_days_adding(changed text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format(
    'WITH delta AS ('
    '    SELECT c.street_code, t.day,'
    '           sum(t.sign * t.incidents_reported) AS incidents_reported,'
    '           sum(t.sign * t.incidents_rejected) AS incidents_rejected,'
    '           sum(t.sign * t.incidents_closed) AS incidents_closed,'
    '           sum(t.sign * t.incidents_closed_on_time) AS incidents_closed_on_time,'
    '           sum(t.sign * t.hazards_closed) AS hazards_closed,'
    '           sum(t.sign * t.handling_hours_sum) AS handling_hours_sum,'
    '           sum(t.sign * t.visits_units) AS visits_units,'
    '           sum(t.sign * t.visits_no_show) AS visits_no_show,'
    '           sum(t.sign * t.visits_units_60_plus) AS visits_units_60_plus,'
    '           sum(t.sign * t.points_issued) AS points_issued,'
    '           sum(t.sign * t.points_redeemed) AS points_redeemed,'
    '           sum(t.sign * t.points_expired) AS points_expired,'
    '           sum(t.sign * t.points_adjusted) AS points_adjusted'
    '      FROM (%s) t JOIN dim_community c USING (community_code)'
    '     GROUP BY 1, 2'
    '), streets AS ('
    '    INSERT INTO rollup_street_day AS r SELECT * FROM delta'
    '    ON CONFLICT (street_code, day) DO UPDATE SET'
    '        incidents_reported = r.incidents_reported + EXCLUDED.incidents_reported,'
    '        incidents_rejected = r.incidents_rejected + EXCLUDED.incidents_rejected,'
    '        incidents_closed = r.incidents_closed + EXCLUDED.incidents_closed,'
    '        incidents_closed_on_time = r.incidents_closed_on_time + EXCLUDED.incidents_closed_on_time,'
    '        hazards_closed = r.hazards_closed + EXCLUDED.hazards_closed,'
    '        handling_hours_sum = r.handling_hours_sum + EXCLUDED.handling_hours_sum,'
    '        visits_units = r.visits_units + EXCLUDED.visits_units,'
    '        visits_no_show = r.visits_no_show + EXCLUDED.visits_no_show,'
    '        visits_units_60_plus = r.visits_units_60_plus + EXCLUDED.visits_units_60_plus,'
    '        points_issued = r.points_issued + EXCLUDED.points_issued,'
    '        points_redeemed = r.points_redeemed + EXCLUDED.points_redeemed,'
    '        points_expired = r.points_expired + EXCLUDED.points_expired,'
    '        points_adjusted = r.points_adjusted + EXCLUDED.points_adjusted'
    ')'
    ' INSERT INTO rollup_district_day AS r'
    ' SELECT day, sum(incidents_reported), sum(incidents_rejected), sum(incidents_closed),'
    '        sum(incidents_closed_on_time), sum(hazards_closed), sum(handling_hours_sum),'
    '        sum(visits_units), sum(visits_no_show), sum(visits_units_60_plus),'
    '        sum(points_issued), sum(points_redeemed), sum(points_expired),'
    '        sum(points_adjusted)'
    '   FROM delta GROUP BY day'
    ' ON CONFLICT (day) DO UPDATE SET'
    '     incidents_reported = r.incidents_reported + EXCLUDED.incidents_reported,'
    '     incidents_rejected = r.incidents_rejected + EXCLUDED.incidents_rejected,'
    '     incidents_closed = r.incidents_closed + EXCLUDED.incidents_closed,'
    '     incidents_closed_on_time = r.incidents_closed_on_time + EXCLUDED.incidents_closed_on_time,'
    '     hazards_closed = r.hazards_closed + EXCLUDED.hazards_closed,'
    '     handling_hours_sum = r.handling_hours_sum + EXCLUDED.handling_hours_sum,'
    '     visits_units = r.visits_units + EXCLUDED.visits_units,'
    '     visits_no_show = r.visits_no_show + EXCLUDED.visits_no_show,'
    '     visits_units_60_plus = r.visits_units_60_plus + EXCLUDED.visits_units_60_plus,'
    '     points_issued = r.points_issued + EXCLUDED.points_issued,'
    '     points_redeemed = r.points_redeemed + EXCLUDED.points_redeemed,'
    '     points_expired = r.points_expired + EXCLUDED.points_expired,'
    '     points_adjusted = r.points_adjusted + EXCLUDED.points_adjusted',
    changed);

CREATE FUNCTION area_facility_types_adding(changed text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format(
    'WITH delta AS ('
    '    SELECT c.street_code, f.facility_type, t.day,'
    '           sum(t.sign * t.attended_units) AS attended_units,'
    '           sum(t.sign * t.attended_visits) AS attended_visits,'
    '           sum(t.sign * t.booked) AS booked,'
    '           sum(t.sign * t.no_show) AS no_show,'
    '           sum(t.sign * t.cancelled) AS cancelled,'
    '           sum(t.sign * t.units_age_0_3) AS units_age_0_3,'
    '           sum(t.sign * t.units_age_4_14) AS units_age_4_14,'
    '           sum(t.sign * t.units_age_15_34) AS units_age_15_34,'
    '           sum(t.sign * t.units_age_35_59) AS units_age_35_59,'
    '           sum(t.sign * t.units_age_60_79) AS units_age_60_79,'
    '           sum(t.sign * t.units_age_80_plus) AS units_age_80_plus,'
    '           sum(t.sign * t.units_age_unknown) AS units_age_unknown'
    '      FROM (%s) t'
    '      JOIN dim_facility f USING (facility_code)'
    '      JOIN dim_community c ON c.community_code = t.community_code'
    '     GROUP BY 1, 2, 3'
    '), streets AS ('
    '    INSERT INTO rollup_street_facility_type_day AS r SELECT * FROM delta'
    '    ON CONFLICT (street_code, facility_type, day) DO UPDATE SET'
    '        attended_units = r.attended_units + EXCLUDED.attended_units,'
    '        attended_visits = r.attended_visits + EXCLUDED.attended_visits,'
    '        booked = r.booked + EXCLUDED.booked,'
    '        no_show = r.no_show + EXCLUDED.no_show,'
    '        cancelled = r.cancelled + EXCLUDED.cancelled,'
    '        units_age_0_3 = r.units_age_0_3 + EXCLUDED.units_age_0_3,'
    '        units_age_4_14 = r.units_age_4_14 + EXCLUDED.units_age_4_14,'
    '        units_age_15_34 = r.units_age_15_34 + EXCLUDED.units_age_15_34,'
    '        units_age_35_59 = r.units_age_35_59 + EXCLUDED.units_age_35_59,'
    '        units_age_60_79 = r.units_age_60_79 + EXCLUDED.units_age_60_79,'
    '        units_age_80_plus = r.units_age_80_plus + EXCLUDED.units_age_80_plus,'
    '        units_age_unknown = r.units_age_unknown + EXCLUDED.units_age_unknown'
    ')'
    ' INSERT INTO rollup_district_facility_type_day AS r'
    ' SELECT facility_type, day, sum(attended_units), sum(attended_visits), sum(booked),'
    '        sum(no_show), sum(cancelled), sum(units_age_0_3), sum(units_age_4_14),'
    '        sum(units_age_15_34), sum(units_age_35_59), sum(units_age_60_79),'
    '        sum(units_age_80_plus), sum(units_age_unknown)'
    '   FROM delta GROUP BY facility_type, day'
    ' ON CONFLICT (facility_type, day) DO UPDATE SET'
    '     attended_units = r.attended_units + EXCLUDED.attended_units,'
    '     attended_visits = r.attended_visits + EXCLUDED.attended_visits,'
    '     booked = r.booked + EXCLUDED.booked,'
    '     no_show = r.no_show + EXCLUDED.no_show,'
    '     cancelled = r.cancelled + EXCLUDED.cancelled,'
    '     units_age_0_3 = r.units_age_0_3 + EXCLUDED.units_age_0_3,'
    '     units_age_4_14 = r.units_age_4_14 + EXCLUDED.units_age_4_14,'
    '     units_age_15_34 = r.units_age_15_34 + EXCLUDED.units_age_15_34,'
    '     units_age_35_59 = r.units_age_35_59 + EXCLUDED.units_age_35_59,'
    '     units_age_60_79 = r.units_age_60_79 + EXCLUDED.units_age_60_79,'
    '     units_age_80_plus = r.units_age_80_plus + EXCLUDED.units_age_80_plus,'
    '     units_age_unknown = r.units_age_unknown + EXCLUDED.units_age_unknown',
    changed);

-- The statement's rows with their sign: new rows add, old rows (updated or deleted)
-- take away. (INSERT … ON CONFLICT DO UPDATE fires the INSERT trigger for the rows it
-- inserted and the UPDATE trigger for those it updated.)
CREATE FUNCTION signed_transition_rows(op text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE op
    WHEN 'INSERT' THEN 'SELECT n.*, 1 AS sign FROM new_rows n'
    WHEN 'DELETE' THEN 'SELECT o.*, -1 AS sign FROM old_rows o'
    ELSE 'SELECT n.*, 1 AS sign FROM new_rows n UNION ALL SELECT o.*, -1 FROM old_rows o'
END;

CREATE FUNCTION add_to_area_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE area_days_adding(signed_transition_rows(TG_OP));
    RETURN NULL;
END $$;

CREATE FUNCTION add_to_area_facility_types() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE area_facility_types_adding(signed_transition_rows(TG_OP));
    RETURN NULL;
END $$;

-- A truncated community (facility) rollup empties its street and district sums too.
CREATE FUNCTION clear_area_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'rollup_community_day' THEN
        TRUNCATE rollup_street_day, rollup_district_day;
    ELSE
        TRUNCATE rollup_street_facility_type_day, rollup_district_facility_type_day;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER rollup_community_day_areas_ins AFTER INSERT ON rollup_community_day
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION add_to_area_days();
CREATE TRIGGER rollup_community_day_areas_upd AFTER UPDATE ON rollup_community_day
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION add_to_area_days();
CREATE TRIGGER rollup_community_day_areas_del AFTER DELETE ON rollup_community_day
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION add_to_area_days();
CREATE TRIGGER rollup_community_day_areas_truncate AFTER TRUNCATE ON rollup_community_day
    FOR EACH STATEMENT EXECUTE FUNCTION clear_area_days();

CREATE TRIGGER rollup_facility_day_areas_ins AFTER INSERT ON rollup_facility_day
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION add_to_area_facility_types();
CREATE TRIGGER rollup_facility_day_areas_upd AFTER UPDATE ON rollup_facility_day
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION add_to_area_facility_types();
CREATE TRIGGER rollup_facility_day_areas_del AFTER DELETE ON rollup_facility_day
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION add_to_area_facility_types();
CREATE TRIGGER rollup_facility_day_areas_truncate AFTER TRUNCATE ON rollup_facility_day
    FOR EACH STATEMENT EXECUTE FUNCTION clear_area_days();

-- What the warehouse already holds, summed by the triggers' own statements.
DO $$
BEGIN
    EXECUTE area_days_adding('SELECT r.*, 1 AS sign FROM rollup_community_day r');
    EXECUTE area_facility_types_adding('SELECT r.*, 1 AS sign FROM rollup_facility_day r');
END $$;

-- ---------------------------------------------------------------- who reads them
-- The streets whose every community the session's scope admits (scope_communities(),
-- migrations 004 and 022: the requested scope bounded by the session's own).
CREATE FUNCTION scope_whole_streets() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    WITH admitted AS (
        SELECT unnest(scope_communities()) AS community_code
    ), streets AS (
        SELECT DISTINCT c.street_code
          FROM dim_community c JOIN admitted a USING (community_code)
    )
    SELECT coalesce(array_agg(s.street_code ORDER BY s.street_code), '{}')
      FROM streets s
     WHERE NOT EXISTS (
           SELECT 1 FROM dim_community c
            WHERE c.street_code = s.street_code
              AND c.community_code NOT IN (SELECT community_code FROM admitted))
$$;
GRANT EXECUTE ON FUNCTION scope_whole_streets() TO cockpit_reader;

DO $$
DECLARE
    area_table text;
BEGIN
    FOREACH area_table IN ARRAY ARRAY['rollup_street_day', 'rollup_street_facility_type_day']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', area_table);
        EXECUTE format(
            'CREATE POLICY scope_read ON %I FOR SELECT TO cockpit_reader '
            'USING ((SELECT scope_is_whole_district()) '
            'OR street_code = ANY ((SELECT scope_whole_streets())::text[]))', area_table);
        EXECUTE format('GRANT SELECT ON %I TO cockpit_reader', area_table);
    END LOOP;
    FOREACH area_table IN ARRAY ARRAY['rollup_district_day', 'rollup_district_facility_type_day']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', area_table);
        EXECUTE format(
            'CREATE POLICY scope_read ON %I FOR SELECT TO cockpit_reader '
            'USING ((SELECT scope_is_whole_district()))', area_table);
        EXECUTE format('GRANT SELECT ON %I TO cockpit_reader', area_table);
    END LOOP;
END $$;
