-- 009 optional single sign-on (st.login with an OIDC provider). The identity
-- provider vouches for an e-mail; the app maps it to the account with that e-mail
-- and opens an ordinary session. Because the app role could then open a session for
-- any e-mail, the owner must switch single sign-on on explicitly
-- (`cockpit sso enable`); while it is off the function refuses.

CREATE TABLE IF NOT EXISTS cockpit_auth.setting (
    key    text PRIMARY KEY,
    value  jsonb NOT NULL
);

CREATE OR REPLACE FUNCTION cockpit_auth.sign_in_sso(mail text, new_token_hash text,
                                                    session_hours integer)
RETURNS TABLE (ok boolean, reason text, username text, role text, scope_code text,
               display_name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
#variable_conflict use_column
DECLARE
    acct account%ROWTYPE;
BEGIN
    IF NOT coalesce((SELECT (s.value)::boolean FROM setting s WHERE s.key = 'sso_enabled'), false)
    THEN
        RETURN QUERY SELECT false, 'sso_off', NULL::text, NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;
    SELECT * INTO acct FROM account a WHERE lower(a.email) = lower(mail);
    IF NOT FOUND OR acct.disabled THEN
        INSERT INTO audit_log (event, detail)
        VALUES ('sign_in_failed', jsonb_build_object('why', 'sso_unknown_or_disabled', 'email', mail));
        RETURN QUERY SELECT false, 'no_account', NULL::text, NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;
    INSERT INTO session (token_hash, username, expires_at)
    VALUES (new_token_hash, acct.username, now() + make_interval(hours => session_hours));
    INSERT INTO audit_log (event, username, detail) VALUES ('sign_in', acct.username, '{"via":"sso"}');
    RETURN QUERY SELECT true, 'ok', acct.username, acct.role, acct.scope_code, acct.display_name;
END $$;

REVOKE ALL ON cockpit_auth.setting FROM cockpit_reader;
REVOKE EXECUTE ON FUNCTION cockpit_auth.sign_in_sso(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cockpit_auth.sign_in_sso(text, text, integer) TO cockpit_reader;
