-- 007 accounts, sessions, wall-screen tokens and the audit log, in their own schema
-- (so `cockpit demo --replace`, which rebuilds public, keeps them; hence IF NOT
-- EXISTS and OR REPLACE below: the migration runs again after such a rebuild).
--
-- The app role never reads a password hash. Sign-in is two calls to SECURITY DEFINER
-- functions: login_parameters() hands out the account's Argon2 salt and cost (a
-- deterministic decoy for unknown names, so names cannot be probed), the app derives
-- the key, and sign_in() compares it, counts failures, locks the account after
-- repeated failures, records the attempt and opens a session. Tokens (sessions and
-- screens) are stored as SHA-256 hashes only.
--
-- A session also bounds what the reader sees: with `cockpit.session` set to the
-- session's token hash, scope_communities() admits only communities inside both the
-- requested scope and the account's (or screen token's) scope, so even a wrong scope
-- from the app cannot widen a community head's view.

CREATE SCHEMA IF NOT EXISTS cockpit_auth;

-- one row per person who signs in
CREATE TABLE IF NOT EXISTS cockpit_auth.account (
    username         text PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9_.@-]{2,64}$'),
    display_name     text NOT NULL,
    role             text NOT NULL CHECK (role IN ('district', 'street', 'community')),
    scope_code       text,
    email            text UNIQUE,
    salt             bytea NOT NULL,
    time_cost        integer NOT NULL,
    memory_cost      integer NOT NULL,
    parallelism      integer NOT NULL,
    derived_key      bytea NOT NULL,
    disabled         boolean NOT NULL DEFAULT false,
    failed_attempts  integer NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    is_demo          boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'district') = (scope_code IS NULL))
);

-- one row per sign-in session; ends at sign-out or expiry
CREATE TABLE IF NOT EXISTS cockpit_auth.session (
    token_hash   text PRIMARY KEY,
    username     text NOT NULL REFERENCES cockpit_auth.account,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);

-- one row per wall-screen token: read-only, scoped, expiring, revocable
CREATE TABLE IF NOT EXISTS cockpit_auth.screen_token (
    token_id     text PRIMARY KEY,
    token_hash   text NOT NULL UNIQUE,
    scope_kind   text NOT NULL CHECK (scope_kind IN ('district', 'street', 'community')),
    scope_code   text,
    label        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- one row per security-relevant event
CREATE TABLE IF NOT EXISTS cockpit_auth.audit_log (
    event_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    event      text NOT NULL CHECK (event IN ('sign_in', 'sign_in_failed', 'locked', 'sign_out',
                                              'token_used', 'token_rejected', 'export')),
    username   text,
    detail     jsonb NOT NULL DEFAULT '{}'
);

CREATE OR REPLACE FUNCTION cockpit_auth.scope_setting(kind text, code text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN kind = 'district' THEN 'district' ELSE kind || ':' || code END;

-- The scope (as a cockpit.scope setting) that a live session or screen token allows.
CREATE OR REPLACE FUNCTION cockpit_auth.session_scope(token_hash text) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
    SELECT coalesce(
        (SELECT scope_setting(a.role, a.scope_code)
           FROM session s JOIN account a USING (username)
          WHERE s.token_hash = session_scope.token_hash AND s.ended_at IS NULL
            AND s.expires_at > now() AND NOT a.disabled),
        (SELECT scope_setting(t.scope_kind, t.scope_code)
           FROM screen_token t
          WHERE t.token_hash = session_scope.token_hash AND t.revoked_at IS NULL
            AND t.expires_at > now()))
$$;

CREATE OR REPLACE FUNCTION cockpit_auth.login_parameters(name text)
RETURNS TABLE (salt bytea, time_cost integer, memory_cost integer, parallelism integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
    SELECT a.salt, a.time_cost, a.memory_cost, a.parallelism FROM account a
     WHERE a.username = name
    UNION ALL
    SELECT decode(md5('cockpit-decoy:' || name), 'hex'), 2, 19456, 1
     WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.username = name)
$$;

-- Check a derived key; on success open a session for session_hours. Returns why not.
CREATE OR REPLACE FUNCTION cockpit_auth.sign_in(name text, key bytea, new_token_hash text,
                                     session_hours integer, max_failures integer,
                                     lock_minutes integer)
RETURNS TABLE (ok boolean, reason text, role text, scope_code text, display_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
#variable_conflict use_column
DECLARE
    acct account%ROWTYPE;
BEGIN
    SELECT * INTO acct FROM account a WHERE a.username = name FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO audit_log (event, username, detail) VALUES ('sign_in_failed', name, '{"why":"unknown"}');
        RETURN QUERY SELECT false, 'invalid', NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF acct.disabled THEN
        INSERT INTO audit_log (event, username, detail) VALUES ('sign_in_failed', name, '{"why":"disabled"}');
        RETURN QUERY SELECT false, 'disabled', NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF acct.locked_until IS NOT NULL AND acct.locked_until > now() THEN
        INSERT INTO audit_log (event, username, detail) VALUES ('sign_in_failed', name, '{"why":"locked"}');
        RETURN QUERY SELECT false, 'locked', NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;
    IF acct.derived_key <> key THEN
        UPDATE account a SET failed_attempts = a.failed_attempts + 1,
               locked_until = CASE WHEN a.failed_attempts + 1 >= max_failures
                                   THEN now() + make_interval(mins => lock_minutes) END
         WHERE a.username = name;
        INSERT INTO audit_log (event, username, detail) VALUES ('sign_in_failed', name, '{"why":"password"}');
        IF acct.failed_attempts + 1 >= max_failures THEN
            INSERT INTO audit_log (event, username) VALUES ('locked', name);
            RETURN QUERY SELECT false, 'locked', NULL::text, NULL::text, NULL::text;
        ELSE
            RETURN QUERY SELECT false, 'invalid', NULL::text, NULL::text, NULL::text;
        END IF;
        RETURN;
    END IF;
    UPDATE account a SET failed_attempts = 0, locked_until = NULL WHERE a.username = name;
    INSERT INTO session (token_hash, username, expires_at)
    VALUES (new_token_hash, name, now() + make_interval(hours => session_hours));
    INSERT INTO audit_log (event, username) VALUES ('sign_in', name);
    RETURN QUERY SELECT true, 'ok', acct.role, acct.scope_code, acct.display_name;
END $$;

-- The account behind a live session (a page reload resumes it).
CREATE OR REPLACE FUNCTION cockpit_auth.resume(token_hash text)
RETURNS TABLE (username text, role text, scope_code text, display_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
    SELECT a.username, a.role, a.scope_code, a.display_name
      FROM session s JOIN account a USING (username)
     WHERE s.token_hash = resume.token_hash AND s.ended_at IS NULL
       AND s.expires_at > now() AND NOT a.disabled
$$;

CREATE OR REPLACE FUNCTION cockpit_auth.sign_out(token_hash text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
    INSERT INTO audit_log (event, username)
    SELECT 'sign_out', s.username FROM session s
     WHERE s.token_hash = sign_out.token_hash AND s.ended_at IS NULL;
    UPDATE session s SET ended_at = now()
     WHERE s.token_hash = sign_out.token_hash AND s.ended_at IS NULL;
$$;

-- The scope a wall-screen token opens, recording its use (or the refusal).
CREATE OR REPLACE FUNCTION cockpit_auth.use_screen_token(token_hash text)
RETURNS TABLE (token_id text, scope_kind text, scope_code text, label text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
#variable_conflict use_column
DECLARE
    tok screen_token%ROWTYPE;
BEGIN
    SELECT * INTO tok FROM screen_token t WHERE t.token_hash = use_screen_token.token_hash;
    IF NOT FOUND OR tok.revoked_at IS NOT NULL OR tok.expires_at <= now() THEN
        INSERT INTO audit_log (event, detail)
        VALUES ('token_rejected', jsonb_build_object('token_id', tok.token_id));
        RETURN;
    END IF;
    -- At most one usage row a minute per token: screens refresh every 30 s for days.
    IF tok.last_used_at IS NULL OR tok.last_used_at < now() - interval '1 minute' THEN
        UPDATE screen_token t SET last_used_at = now() WHERE t.token_id = tok.token_id;
        INSERT INTO audit_log (event, detail)
        VALUES ('token_used', jsonb_build_object('token_id', tok.token_id));
    END IF;
    RETURN QUERY SELECT tok.token_id, tok.scope_kind, tok.scope_code, tok.label;
END $$;

CREATE OR REPLACE FUNCTION cockpit_auth.record_export(token_hash text, what text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
    INSERT INTO audit_log (event, username, detail)
    VALUES ('export',
            (SELECT s.username FROM session s WHERE s.token_hash = record_export.token_hash),
            jsonb_build_object('what', what));
$$;

-- The audit log, for district sessions only.
CREATE OR REPLACE FUNCTION cockpit_auth.recent_audit(token_hash text, max_rows integer)
RETURNS TABLE (at timestamptz, event text, username text, detail jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
    SELECT l.at, l.event, l.username, l.detail FROM audit_log l
     WHERE session_scope(recent_audit.token_hash) = 'district'
     ORDER BY l.event_id DESC LIMIT max_rows
$$;

-- Scope, bounded by the session when one is set (see the header).
CREATE OR REPLACE FUNCTION scope_communities() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    WITH requested AS (
        SELECT split_part(coalesce(current_setting('cockpit.scope', true), ''), ':', 1) AS kind,
               split_part(coalesce(current_setting('cockpit.scope', true), ''), ':', 2) AS code
    ), session AS (
        SELECT nullif(current_setting('cockpit.session', true), '') AS token_hash
    ), allowed AS (
        SELECT CASE WHEN s.token_hash IS NULL THEN 'district'
                    ELSE coalesce(cockpit_auth.session_scope(s.token_hash), 'none') END AS setting
          FROM session s
    ), allowed_parts AS (
        SELECT split_part(setting, ':', 1) AS kind, split_part(setting, ':', 2) AS code FROM allowed
    )
    SELECT coalesce(array_agg(c.community_code ORDER BY c.community_code), '{}')
      FROM dim_community c, requested r, allowed_parts a
     WHERE (r.kind = 'district'
            OR (r.kind = 'street' AND c.street_code = r.code)
            OR (r.kind = 'community' AND c.community_code = r.code)
            OR (r.kind = 'grid' AND c.community_code =
                    (SELECT g.community_code FROM dim_grid g WHERE g.grid_code = r.code)))
       AND (a.kind = 'district'
            OR (a.kind = 'street' AND c.street_code = a.code)
            OR (a.kind = 'community' AND c.community_code = a.code))
$$;

GRANT USAGE ON SCHEMA cockpit_auth TO cockpit_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA cockpit_auth FROM cockpit_reader;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA cockpit_auth FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
    cockpit_auth.login_parameters(text),
    cockpit_auth.sign_in(text, bytea, text, integer, integer, integer),
    cockpit_auth.resume(text),
    cockpit_auth.sign_out(text),
    cockpit_auth.use_screen_token(text),
    cockpit_auth.record_export(text, text),
    cockpit_auth.recent_audit(text, integer)
TO cockpit_reader;
