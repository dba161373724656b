-- 022 scope_communities() by index. Every scoped table a query reads evaluates the
-- policy's scope_communities() once, and it read the whole of dim_community with one
-- OR'ed condition per kind of scope: at city scale 3,000 rows and ~170 pages, 2.4 ms,
-- several times per query, for a street's 30 communities. It is now PL/pgSQL with one
-- branch per kind of scope, each served by an index (dim_community's street_code and
-- key, dim_grid's key), and the session's allowance is checked on the requested
-- communities alone, by key. PL/pgSQL also keeps its plans for the connection, where
-- a SQL function's body was planned again at each call. The answer is unchanged: the
-- requested communities that the session is allowed, in code order ('{}' for none).

CREATE OR REPLACE FUNCTION scope_communities() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public AS $$
DECLARE
    requested text := coalesce(current_setting('cockpit.scope', true), '');
    requested_kind text := split_part(requested, ':', 1);
    requested_code text := split_part(requested, ':', 2);
    token_hash text := nullif(current_setting('cockpit.session', true), '');
    allowed text := CASE WHEN token_hash IS NULL THEN 'district'
                         ELSE coalesce(cockpit_auth.session_scope(token_hash), 'none') END;
    allowed_kind text := split_part(allowed, ':', 1);
    allowed_code text := split_part(allowed, ':', 2);
    codes text[];
BEGIN
    IF requested_kind = 'district' THEN
        -- all the session is allowed (the policies' whole-district fast path, migration
        -- 012, spares a district session this call)
        SELECT coalesce(array_agg(c.community_code ORDER BY c.community_code), '{}') INTO codes
          FROM dim_community c
         WHERE allowed_kind = 'district'
            OR (allowed_kind = 'street' AND c.street_code = allowed_code)
            OR (allowed_kind = 'community' AND c.community_code = allowed_code);
        RETURN codes;
    ELSIF requested_kind = 'street' THEN
        SELECT array_agg(c.community_code) INTO codes
          FROM dim_community c WHERE c.street_code = requested_code;
    ELSIF requested_kind = 'community' THEN
        SELECT array_agg(c.community_code) INTO codes
          FROM dim_community c WHERE c.community_code = requested_code;
    ELSIF requested_kind = 'grid' THEN
        SELECT array_agg(g.community_code) INTO codes
          FROM dim_grid g WHERE g.grid_code = requested_code;
    END IF;
    SELECT coalesce(array_agg(c.community_code ORDER BY c.community_code), '{}') INTO codes
      FROM dim_community c
     WHERE c.community_code = ANY (codes)
       AND (allowed_kind = 'district'
            OR (allowed_kind = 'street' AND c.street_code = allowed_code)
            OR (allowed_kind = 'community' AND c.community_code = allowed_code));
    RETURN codes;
END
$$;
