-- 030 a bulk load adds its rows to the rollups as the insert triggers do.
-- Since migration 018 an inserted incident adds what it counts to the delta log and the
-- refresh folds it in with `+`; but note_inserted_incidents() (migration 013: what the
-- insert triggers would have noted, for a loader that set them aside) still marked the
-- rows' days dirty, so after a backfill the refresh read every one of those days back
-- from the facts: for a million new rows, marking their days and recomputing them took
-- 6-10 s of a 25-30 s load (docs/ingest.md). The delta statement is now one definition,
-- run by the trigger on its transition table and by the loader on its own table.

CREATE FUNCTION incident_deltas_adding(source text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format(
    'INSERT INTO rollup_community_day_delta ('
    '    community_code, day, incidents_reported, incidents_rejected, incidents_closed,'
    '    incidents_closed_on_time, hazards_closed, handling_hours_sum)'
    ' SELECT community_code, day, sum(reported), sum(rejected), sum(closed), sum(on_time),'
    '        sum(hazard), sum(hours)'
    '   FROM (SELECT community_code, local_day(reported_at) AS day, 1 AS reported,'
    '                0 AS rejected, 0 AS closed, 0 AS on_time, 0 AS hazard,'
    '                0::numeric AS hours'
    '           FROM %1$I'
    '         UNION ALL'
    '         SELECT community_code, local_day(rejected_at), 0, 1, 0, 0, 0, 0'
    '           FROM %1$I WHERE rejected_at IS NOT NULL'
    '         UNION ALL'
    '         SELECT n.community_code, local_day(n.closed_at), 0, 0, 1,'
    '                CASE WHEN n.closed_at <= n.due_at THEN 1 ELSE 0 END,'
    '                CASE WHEN c.is_safety_hazard THEN 1 ELSE 0 END,'
    '                extract(epoch FROM n.closed_at - n.reported_at) / 3600.0'
    '           FROM %1$I n JOIN dim_incident_category c USING (category_code)'
    '          WHERE n.closed_at IS NOT NULL) added'
    '  GROUP BY 1, 2', source);

CREATE OR REPLACE FUNCTION add_incident_deltas() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE incident_deltas_adding('new_rows');
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION note_inserted_incidents(source text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    args text[];
BEGIN
    SELECT string_to_array(rtrim(encode(tgargs, 'escape'), '\000'), '\000') INTO args
      FROM pg_trigger
     WHERE tgrelid = 'fact_incident'::regclass AND tgname = 'fact_incident_fresh_ins';
    EXECUTE incident_deltas_adding(source);
    EXECUTE fresh_rows_counting('fact_incident', args[1], args[2], source);
END $$;
