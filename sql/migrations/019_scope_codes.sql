-- 019 a scope's communities said outright, for the planner. Row-level security tests
-- each row against scope_communities(), a function of the session: no index serves it,
-- so a street leader's query (30 communities of a city's 3,000) read the whole city's
-- month and kept 1 %. The request-path queries now also say `in_scope_codes(
-- community_code, :scope_codes)`, with the scope's communities bound as a literal array
-- by data_access.runner (NULL for the whole district). This function is plain SQL, so
-- the planner inlines it and folds the constants: NULL leaves no condition, a list
-- becomes `community_code = ANY (...)` that the community indexes serve. Security still
-- rests on the policies; a list wider than the viewer's scope admits nothing more.

CREATE FUNCTION in_scope_codes(community_code text, codes text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN codes IS NULL OR community_code = ANY (codes);

GRANT EXECUTE ON FUNCTION in_scope_codes(text, text[]) TO cockpit_reader;
