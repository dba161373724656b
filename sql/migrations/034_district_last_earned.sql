-- 034 the whole city's earners without a distinct count (issue 13). Migration 033 keeps
-- each resident's last earning per community; for the whole city, points_participation
-- still counted ~310k of those rows per community by a search per community (0.17 s)
-- and made them distinct across communities (0.2 s): a resident who earns in two
-- communities is one earner of the city. Kept beside them now, by the same trigger:
-- each resident's last earning anywhere in the district (rollup_district_last_earn,
-- read only by a session that sees the whole district, like rollup_district_day), and
-- an index that reads a window of last earnings for every community in one range.

CREATE TABLE rollup_district_last_earn (
    resident_ref    text PRIMARY KEY,
    last_earned_at  timestamptz NOT NULL
);
CREATE INDEX rollup_district_last_earn_recent ON rollup_district_last_earn (last_earned_at);

CREATE INDEX ledger_last_earn_window ON ledger_last_earn (last_earned_at)
    INCLUDE (community_code);

CREATE OR REPLACE FUNCTION track_last_earn() RETURNS trigger
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
    INSERT INTO rollup_district_last_earn AS d (resident_ref, last_earned_at)
    SELECT resident_ref, max(occurred_at)
      FROM new_rows
     WHERE kind = 'earn' AND resident_ref IS NOT NULL
     GROUP BY 1
     ORDER BY 1
    ON CONFLICT (resident_ref) DO UPDATE
       SET last_earned_at = EXCLUDED.last_earned_at
     WHERE d.last_earned_at < EXCLUDED.last_earned_at;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION rebuild_last_earn() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    DELETE FROM ledger_last_earn;
    DELETE FROM rollup_district_last_earn;
    INSERT INTO ledger_last_earn (community_code, resident_ref, last_earned_at)
    SELECT community_code, resident_ref, max(occurred_at) FROM ledger_journal
     WHERE kind = 'earn' AND resident_ref IS NOT NULL
     GROUP BY 1, 2;
    GET DIAGNOSTICS written = ROW_COUNT;
    INSERT INTO rollup_district_last_earn (resident_ref, last_earned_at)
    SELECT resident_ref, max(last_earned_at) FROM ledger_last_earn GROUP BY 1;
    RETURN written;
END $$;

INSERT INTO rollup_district_last_earn (resident_ref, last_earned_at)
SELECT resident_ref, max(last_earned_at) FROM ledger_last_earn GROUP BY 1;

ALTER TABLE rollup_district_last_earn ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON rollup_district_last_earn FOR SELECT TO cockpit_reader
    USING ((SELECT scope_is_whole_district()));
GRANT SELECT ON rollup_district_last_earn TO cockpit_reader;
