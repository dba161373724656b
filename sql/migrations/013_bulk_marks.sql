-- 013 one definition of what a statement's rows note in rollup_dirty and
-- rollup_freshness, for the triggers and for a bulk load that sets the triggers aside.
-- A large `cockpit ingest` of new incidents drops fact_incident's secondary indexes and
-- disables its triggers for the insert (see ingest/bulk.py): rebuilding four indexes
-- costs a fraction of a million index insertions, and a transition table of a million
-- rows costs more than the loader's one pass over the rows it inserted. The triggers and
-- the loader both run the statements built here, reading their rows from `source`: a
-- transition table (new_rows, old_rows) or the loader's temporary table.

-- The community-days an incident row counts on: reported, closed, rejected.
CREATE FUNCTION incident_days_marking(source text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format(
    'INSERT INTO rollup_dirty (community_code, day)'
    ' SELECT DISTINCT community_code, d FROM %I,'
    '        LATERAL (VALUES (local_day(reported_at)), (local_day(closed_at)),'
    '                        (local_day(rejected_at))) v(d)'
    '  WHERE d IS NOT NULL'
    ' ON CONFLICT DO NOTHING', source);

CREATE OR REPLACE FUNCTION mark_incident_days() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE incident_days_marking('new_rows');
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE incident_days_marking('old_rows');
    END IF;
    RETURN NULL;
END $$;

-- Added rows: the count and newest event per community. stamp and settled are the
-- table's track_freshness trigger arguments.
CREATE FUNCTION fresh_rows_counting(table_name text, stamp text, settled text, source text)
RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format(
    'INSERT INTO rollup_freshness AS f (community_code, table_name, row_count, newest)'
    ' SELECT community_code, %L, count(*), max(%I) FILTER (WHERE %s)'
    '   FROM %I GROUP BY 1'
    ' ON CONFLICT (community_code, table_name) DO UPDATE'
    ' SET row_count = f.row_count + EXCLUDED.row_count,'
    '     newest = greatest(f.newest, EXCLUDED.newest)',
    table_name, stamp, settled, source);

CREATE OR REPLACE FUNCTION track_freshness() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE fresh_rows_counting(TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1], 'new_rows');
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format(
            'UPDATE rollup_freshness f SET newest = greatest(f.newest, n.newest)'
            '  FROM (SELECT community_code, max(%I) FILTER (WHERE %s) AS newest'
            '          FROM new_rows GROUP BY 1) n'
            ' WHERE f.community_code = n.community_code AND f.table_name = %L',
            TG_ARGV[0], TG_ARGV[1], TG_TABLE_NAME);
    ELSE
        EXECUTE format(
            'UPDATE rollup_freshness f SET row_count = f.row_count - o.n'
            '  FROM (SELECT community_code, count(*) AS n FROM old_rows GROUP BY 1) o'
            ' WHERE f.community_code = o.community_code AND f.table_name = %L',
            TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END $$;

-- What fact_incident's insert triggers would have noted for the rows in `source`, for
-- a loader that inserted them with the triggers disabled. The freshness arguments are
-- read from the trigger itself, so they are stated once.
CREATE FUNCTION note_inserted_incidents(source text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    args text[];
BEGIN
    SELECT string_to_array(rtrim(encode(tgargs, 'escape'), '\000'), '\000') INTO args
      FROM pg_trigger
     WHERE tgrelid = 'fact_incident'::regclass AND tgname = 'fact_incident_fresh_ins';
    EXECUTE incident_days_marking(source);
    EXECUTE fresh_rows_counting('fact_incident', args[1], args[2], source);
END $$;
