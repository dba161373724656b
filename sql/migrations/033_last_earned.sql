-- 033 each resident's last earning, kept as journals arrive (issue 13). 参与率
-- (participation) counts the residents who earned in the 30 days to T; for the whole
-- city that is ~370k earning journals made distinct at every request (0.7-1 s), and,
-- a rolling window, it moves with the clock, so it cannot be kept like the period's
-- figures (migration 031). The ledger is append-only (migration 002), so a resident's
-- last earning only ever moves forward: kept per community and resident by the
-- statement trigger below. While no earning lies after T (T = now: the ingest contract
-- refuses events after a load), a resident earned in (T - 30 days, T] exactly when the
-- last earning does: points_participation counts those rows, and reads the journals
-- otherwise (a past as-of date).

CREATE TABLE ledger_last_earn (
    community_code  text NOT NULL REFERENCES dim_community,
    resident_ref    text NOT NULL,
    last_earned_at  timestamptz NOT NULL,
    PRIMARY KEY (community_code, resident_ref)
);
CREATE INDEX ledger_last_earn_recent ON ledger_last_earn (community_code, last_earned_at)
    INCLUDE (resident_ref);

CREATE FUNCTION track_last_earn() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- communities and residents in key order, so two statements lock rows alike
    INSERT INTO ledger_last_earn AS l (community_code, resident_ref, last_earned_at)
    SELECT community_code, resident_ref, max(occurred_at)
      FROM new_rows
     WHERE kind = 'earn' AND resident_ref IS NOT NULL
     GROUP BY 1, 2
     ORDER BY 1, 2
    ON CONFLICT (community_code, resident_ref) DO UPDATE
       SET last_earned_at = EXCLUDED.last_earned_at
     WHERE l.last_earned_at < EXCLUDED.last_earned_at;
    RETURN NULL;
END $$;

CREATE TRIGGER ledger_journal_last_earn AFTER INSERT ON ledger_journal
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION track_last_earn();

-- From the journals (after a bulk load that set the triggers aside, or to repair).
CREATE FUNCTION rebuild_last_earn() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    DELETE FROM ledger_last_earn;
    INSERT INTO ledger_last_earn (community_code, resident_ref, last_earned_at)
    SELECT community_code, resident_ref, max(occurred_at) FROM ledger_journal
     WHERE kind = 'earn' AND resident_ref IS NOT NULL
     GROUP BY 1, 2;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

SELECT rebuild_last_earn();

ALTER TABLE ledger_last_earn ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON ledger_last_earn FOR SELECT TO cockpit_reader
    USING ((SELECT scope_is_whole_district())
           OR community_code = ANY ((SELECT scope_communities())::text[]));
GRANT SELECT ON ledger_last_earn TO cockpit_reader;
