-- 026 督办 alerts (issue [11]): acknowledgements and the notice outbox.
--
-- Alerts themselves are not stored: an open incident's level (预警 warning, 超期
-- overdue, 督办 escalated) follows from its due date, the clock and the ladder in
-- config/alerts.toml (sql/queries/alerts.sql). What is stored is what people and the
-- sender did about them:
--   fact_alert_ack     one row per acknowledged alert (an incident at a level), written
--                      only by cockpit_auth.acknowledge_alert() below, for a signed-in
--                      account whose scope holds the incident; every call is audited.
--   fact_alert_outbox  one row per alert per notice channel: recorded before the notice
--                      is sent, marked sent after (`cockpit alerts send`), so a level
--                      of an incident goes to a channel once even across a killed run;
--                      failures keep their attempts, back-off and last error (数据状态);
--                      'skipped' marks alerts recorded by `cockpit alerts send --baseline`.
-- Both carry community_code first (Citus: distributed, co-located with fact_incident)
-- and the scope_read policy of the other fact tables; the app role only reads them.

CREATE TABLE fact_alert_ack (
    community_code  text NOT NULL,
    incident_id     text NOT NULL,
    level           text NOT NULL CHECK (level IN ('warning', 'overdue', 'escalated')),
    acked_by        text NOT NULL,
    acked_at        timestamptz NOT NULL DEFAULT now(),
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    PRIMARY KEY (community_code, incident_id, level),
    FOREIGN KEY (community_code, incident_id) REFERENCES fact_incident
);

CREATE TABLE fact_alert_outbox (
    community_code   text NOT NULL,
    incident_id      text NOT NULL,
    level            text NOT NULL CHECK (level IN ('warning', 'overdue', 'escalated')),
    channel          text NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts         integer NOT NULL DEFAULT 0,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    sent_at          timestamptz,
    last_error       text,
    message          text NOT NULL,
    PRIMARY KEY (community_code, incident_id, level, channel)
);
CREATE INDEX fact_alert_outbox_due ON fact_alert_outbox (next_attempt_at) WHERE status = 'pending';

DO $$
DECLARE
    scoped_table text;
BEGIN
    FOREACH scoped_table IN ARRAY ARRAY['fact_alert_ack', 'fact_alert_outbox'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', scoped_table);
        EXECUTE format(
            'CREATE POLICY scope_read ON %I FOR SELECT TO cockpit_reader '
            'USING ((SELECT scope_is_whole_district()) '
            'OR community_code = ANY ((SELECT scope_communities())::text[]))', scoped_table);
        EXECUTE format('GRANT SELECT ON %I TO cockpit_reader', scoped_table);
    END LOOP;
END $$;

-- The audit log learns two events (IF EXISTS: `cockpit demo --replace` runs this again).
ALTER TABLE cockpit_auth.audit_log DROP CONSTRAINT IF EXISTS audit_log_event_check;
ALTER TABLE cockpit_auth.audit_log ADD CONSTRAINT audit_log_event_check CHECK (event IN (
    'sign_in', 'sign_in_failed', 'locked', 'sign_out', 'token_used', 'token_rejected',
    'export', 'alert_ack', 'alert_ack_refused'));

-- Acknowledge one alert with a note, as the signed-in account behind token_hash.
-- Returns 'ok', or why not: 'refused' (no live session of an account, e.g. a wall
-- screen, or the incident is outside the account's scope; the same answer whether or
-- not the incident exists, so other scopes cannot be probed), 'closed' (the incident
-- is no longer open), 'invalid' (level or note). Every call is audited.
CREATE OR REPLACE FUNCTION cockpit_auth.acknowledge_alert(
    token_hash text, community text, incident text, alert_level text, ack_note text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = cockpit_auth, public AS $$
DECLARE
    acct account%ROWTYPE;
    street text;
    open_incident boolean;
    outcome text;
BEGIN
    SELECT a.* INTO acct
      FROM session s JOIN account a USING (username)
     WHERE s.token_hash = acknowledge_alert.token_hash AND s.ended_at IS NULL
       AND s.expires_at > now() AND NOT a.disabled;
    SELECT c.street_code INTO street FROM public.dim_community c WHERE c.community_code = community;
    SELECT i.closed_at IS NULL AND i.rejected_at IS NULL INTO open_incident
      FROM public.fact_incident i
     WHERE i.community_code = community AND i.incident_id = incident;
    IF acct.username IS NULL OR street IS NULL OR open_incident IS NULL
       OR NOT (acct.role = 'district'
               OR (acct.role = 'street' AND acct.scope_code = street)
               OR (acct.role = 'community' AND acct.scope_code = community)) THEN
        outcome := 'refused';
    ELSIF alert_level IS NULL OR alert_level NOT IN ('warning', 'overdue', 'escalated')
          OR length(coalesce(ack_note, '')) > 500 THEN
        outcome := 'invalid';
    ELSIF NOT open_incident THEN
        outcome := 'closed';
    ELSE
        INSERT INTO public.fact_alert_ack AS k (community_code, incident_id, level, acked_by, note)
        VALUES (community, incident, alert_level, acct.username, coalesce(ack_note, ''))
        ON CONFLICT (community_code, incident_id, level) DO UPDATE
           SET acked_by = EXCLUDED.acked_by, acked_at = now(), note = EXCLUDED.note;
        outcome := 'ok';
    END IF;
    INSERT INTO audit_log (event, username, detail)
    VALUES (CASE WHEN outcome = 'ok' THEN 'alert_ack' ELSE 'alert_ack_refused' END,
            acct.username,
            jsonb_build_object('community_code', community, 'incident_id', incident,
                               'level', alert_level, 'note', left(coalesce(ack_note, ''), 500),
                               'outcome', outcome));
    RETURN outcome;
END $$;

REVOKE EXECUTE ON FUNCTION cockpit_auth.acknowledge_alert(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cockpit_auth.acknowledge_alert(text, text, text, text, text)
    TO cockpit_reader;
