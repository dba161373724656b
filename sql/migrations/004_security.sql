-- 004 who reads what. The app connects as cockpit_reader, which may only SELECT
-- reporting tables; every community-keyed table has a row-level security policy
-- that admits the communities of the scope the app set for this transaction with
--   SELECT set_config('cockpit.scope', 'community:330109001001', true)
-- Scope forms: 'district' | 'street:<code>' | 'community:<code>' | 'grid:<code>'
-- (a grid scope admits its community; narrowing to the grid is a query filter).
-- No scope set, or a malformed one, admits nothing.

CREATE FUNCTION scope_communities() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    WITH scope AS (
        SELECT split_part(coalesce(current_setting('cockpit.scope', true), ''), ':', 1) AS kind,
               split_part(coalesce(current_setting('cockpit.scope', true), ''), ':', 2) AS code
    )
    SELECT coalesce(array_agg(c.community_code ORDER BY c.community_code), '{}')
      FROM dim_community c, scope s
     WHERE s.kind = 'district'
        OR (s.kind = 'street' AND c.street_code = s.code)
        OR (s.kind = 'community' AND c.community_code = s.code)
        OR (s.kind = 'grid' AND c.community_code =
                (SELECT g.community_code FROM dim_grid g WHERE g.grid_code = s.code))
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO cockpit_reader;
GRANT EXECUTE ON FUNCTION scope_communities(), local_day(timestamptz), day_start(date)
    TO cockpit_reader;

DO $$
DECLARE
    scoped_table text;
BEGIN
    FOREACH scoped_table IN ARRAY ARRAY[
        'dim_community', 'dim_grid', 'dim_facility',
        'fact_incident', 'fact_incident_status_log', 'fact_service_visit',
        'ledger_journal', 'ledger_entry',
        'rollup_community_day', 'rollup_facility_day'
    ] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', scoped_table);
        EXECUTE format(
            'CREATE POLICY scope_read ON %I FOR SELECT TO cockpit_reader '
            'USING (community_code = ANY ((SELECT scope_communities())::text[]))', scoped_table);
        EXECUTE format('GRANT SELECT ON %I TO cockpit_reader', scoped_table);
    END LOOP;
END $$;

-- Unscoped reference data and load bookkeeping (no resident data in them).
GRANT SELECT ON dim_street, dim_incident_category, dim_date, ingest_load, rollup_dirty,
    warehouse_meta TO cockpit_reader;
-- ingest_quarantine holds raw input values and is deliberately not granted.
