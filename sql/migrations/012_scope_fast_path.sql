-- 012 the whole-district scope without a list. Every scoped table's policy compared
-- each row's community_code with scope_communities(), an array of every community in
-- scope; `= ANY(array)` over a computed array is a linear search, so a district
-- leader's query at city scale (3,000 communities) made thousands of comparisons per
-- row. scope_is_whole_district() says, once per statement, that the requested scope
-- and the session's (as in scope_communities(), migration 007) are both the whole
-- district; the policy then admits every row without looking at the list. Narrower
-- scopes keep the list (a street's few dozen communities, a community's one).

CREATE FUNCTION scope_is_whole_district() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT split_part(coalesce(current_setting('cockpit.scope', true), ''), ':', 1) = 'district'
       AND CASE WHEN nullif(current_setting('cockpit.session', true), '') IS NULL THEN true
                ELSE coalesce(cockpit_auth.session_scope(current_setting('cockpit.session', true)),
                              'none') = 'district' END
$$;

GRANT EXECUTE ON FUNCTION scope_is_whole_district() TO cockpit_reader;

DO $$
DECLARE
    scoped_table text;
BEGIN
    FOREACH scoped_table IN ARRAY ARRAY[
        'dim_community', 'dim_grid', 'dim_facility',
        'fact_incident', 'fact_incident_status_log', 'fact_service_visit',
        'ledger_journal', 'ledger_entry',
        'rollup_community_day', 'rollup_facility_day', 'rollup_freshness'
    ] LOOP
        EXECUTE format('DROP POLICY scope_read ON %I', scoped_table);
        EXECUTE format(
            'CREATE POLICY scope_read ON %I FOR SELECT TO cockpit_reader '
            'USING ((SELECT scope_is_whole_district()) '
            'OR community_code = ANY ((SELECT scope_communities())::text[]))', scoped_table);
    END LOOP;
END $$;
