-- 010 table freshness per community. 数据状态 and the big screen's "data as of" read
-- each table's row count and newest event; over whole fact tables that is a count(*)
-- of tens of millions of rows at city scale. rollup_freshness keeps them per
-- community, kept current by statement-level triggers from the rows each statement
-- changes (no scan of the table), so the status query sums a few rows per community
-- in scope. Deletes lower the count; the newest time is never lowered by a delete
-- (it is the newest the table has held). A service visit's newest ignores bookings:
-- they may lie ahead and are plans, not events. Bulk loaders that set the triggers aside
-- (cockpit demo --scale) call rebuild_freshness() afterwards.

CREATE TABLE rollup_freshness (
    community_code  text NOT NULL REFERENCES dim_community,
    table_name      text NOT NULL,
    row_count       bigint NOT NULL DEFAULT 0,
    newest          timestamptz,          -- the table's newest event (bookings may lie ahead)
    PRIMARY KEY (community_code, table_name)
);

-- TG_ARGV[0]: the column holding the row's event time; TG_ARGV[1]: which rows count
-- for the newest time (a boolean SQL expression over the row).
CREATE FUNCTION track_freshness() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO rollup_freshness AS f (community_code, table_name, row_count, newest)'
            ' SELECT community_code, %L, count(*), max(%I) FILTER (WHERE %s)'
            '   FROM new_rows GROUP BY 1'
            ' ON CONFLICT (community_code, table_name) DO UPDATE'
            ' SET row_count = f.row_count + EXCLUDED.row_count,'
            '     newest = greatest(f.newest, EXCLUDED.newest)',
            TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1]);
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

DO $$
DECLARE
    tracked record;
BEGIN
    FOR tracked IN SELECT * FROM (VALUES
            ('fact_incident', 'reported_at', 'true'),
            ('fact_incident_status_log', 'changed_at', 'true'),
            ('fact_service_visit', 'visited_at', 'status <> ''booked'''),
            ('ledger_journal', 'occurred_at', 'true'),
            ('ledger_entry', 'occurred_at', 'true'),
            ('rollup_community_day', 'refreshed_at', 'true'),
            ('rollup_facility_day', 'refreshed_at', 'true')) AS t (table_name, stamp, settled)
    LOOP
        EXECUTE format(
            'CREATE TRIGGER %1$s_fresh_ins AFTER INSERT ON %1$I REFERENCING NEW TABLE AS new_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION track_freshness(%2$L, %3$L)',
            tracked.table_name, tracked.stamp, tracked.settled);
        EXECUTE format(
            'CREATE TRIGGER %1$s_fresh_upd AFTER UPDATE ON %1$I REFERENCING NEW TABLE AS new_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION track_freshness(%2$L, %3$L)',
            tracked.table_name, tracked.stamp, tracked.settled);
        EXECUTE format(
            'CREATE TRIGGER %1$s_fresh_del AFTER DELETE ON %1$I REFERENCING OLD TABLE AS old_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION track_freshness(%2$L, %3$L)',
            tracked.table_name, tracked.stamp, tracked.settled);
    END LOOP;
END $$;

-- Recount every table from scratch (after a bulk load with triggers set aside, or to
-- repair); returns the number of (community, table) rows written.
CREATE FUNCTION rebuild_freshness() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    DELETE FROM rollup_freshness;
    INSERT INTO rollup_freshness (community_code, table_name, row_count, newest)
    SELECT community_code, 'fact_incident', count(*), max(reported_at)
      FROM fact_incident GROUP BY 1
    UNION ALL
    SELECT community_code, 'fact_incident_status_log', count(*), max(changed_at)
      FROM fact_incident_status_log GROUP BY 1
    UNION ALL
    SELECT community_code, 'fact_service_visit', count(*),
           max(visited_at) FILTER (WHERE status <> 'booked')
      FROM fact_service_visit GROUP BY 1
    UNION ALL
    SELECT community_code, 'ledger_journal', count(*), max(occurred_at)
      FROM ledger_journal GROUP BY 1
    UNION ALL
    SELECT community_code, 'ledger_entry', count(*), max(occurred_at)
      FROM ledger_entry GROUP BY 1
    UNION ALL
    SELECT community_code, 'rollup_community_day', count(*), max(refreshed_at)
      FROM rollup_community_day GROUP BY 1
    UNION ALL
    SELECT community_code, 'rollup_facility_day', count(*), max(refreshed_at)
      FROM rollup_facility_day GROUP BY 1;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

SELECT rebuild_freshness();

ALTER TABLE rollup_freshness ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON rollup_freshness FOR SELECT TO cockpit_reader
    USING (community_code = ANY ((SELECT scope_communities())::text[]));
GRANT SELECT ON rollup_freshness TO cockpit_reader;
