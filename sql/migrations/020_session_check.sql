-- Whether a session or screen token still opens exactly the scope it opened: the app
-- asks at each full rerun (ui.auth_ui), since results kept while the warehouse is
-- unchanged (data_access.runner) would otherwise outlive the session that fetched them.
-- Yes or no only, and nothing recorded, so a wall screen may ask at every refresh;
-- session_scope itself stays closed to the app role.
CREATE OR REPLACE FUNCTION cockpit_auth.still_allowed(token_hash text, scope text)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
    SELECT coalesce(session_scope(still_allowed.token_hash) = still_allowed.scope, false)
$$;

REVOKE EXECUTE ON FUNCTION cockpit_auth.still_allowed(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cockpit_auth.still_allowed(text, text) TO cockpit_reader;
