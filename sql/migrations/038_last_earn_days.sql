-- 038 参与率 from the days of the last earnings (issue 13). points_participation counted
-- the residents whose last earning (migrations 033, 034) lies in the 30 days to T: for
-- the whole city ~310k index entries per community and again for the district, 0.19 s,
-- live at every minute (a rolling window moves with the clock, so it is never kept).
-- Kept beside the last earnings now, by the same trigger: how many residents' last
-- earning falls on each local day, per community and for the district. The 30 days to
-- T are then the whole days after the window's first day, summed (30 rows a community),
-- and the last earnings on that first day after T - 30 days, read from the index (about
-- a day's entries): the same count, exact to the instant.
--
-- The trigger reads each moved resident's previous last earning in the statement's
-- snapshot: exact while loads write one at a time (`cockpit ingest` holds an advisory
-- lock; the demo loaders rebuild). rebuild_last_earn() rebuilds these from the last
-- earnings, and `cockpit check` compares them (last_earn_days_equal).

CREATE TABLE rollup_last_earn_day (
    community_code  text NOT NULL REFERENCES dim_community,
    day             date NOT NULL,
    residents       integer NOT NULL,
    PRIMARY KEY (community_code, day)
);

CREATE TABLE rollup_district_last_earn_day (
    day        date PRIMARY KEY,
    residents  integer NOT NULL
);

CREATE OR REPLACE FUNCTION track_last_earn() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- communities and residents in key order, so two statements lock rows alike; the
    -- CTE `before` sees the last earnings as they were before this statement moved them
    WITH latest AS (
        SELECT community_code, resident_ref, max(occurred_at) AS at
          FROM new_rows
         WHERE kind = 'earn' AND resident_ref IS NOT NULL
         GROUP BY 1, 2
    ), moved AS (
        INSERT INTO ledger_last_earn AS l (community_code, resident_ref, last_earned_at)
        SELECT community_code, resident_ref, at FROM latest ORDER BY 1, 2
        ON CONFLICT (community_code, resident_ref) DO UPDATE
           SET last_earned_at = EXCLUDED.last_earned_at
         WHERE l.last_earned_at < EXCLUDED.last_earned_at
        RETURNING l.community_code, l.resident_ref, l.last_earned_at
    ), before AS (
        SELECT b.community_code, b.last_earned_at
          FROM ledger_last_earn b
          JOIN latest x USING (community_code, resident_ref)
         WHERE b.last_earned_at < x.at
    ), changes AS (
        SELECT community_code, local_day(last_earned_at) AS day, 1 AS n FROM moved
        UNION ALL
        SELECT community_code, local_day(last_earned_at), -1 FROM before
    )
    INSERT INTO rollup_last_earn_day AS h (community_code, day, residents)
    SELECT community_code, day, sum(n) FROM changes
     GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
    ON CONFLICT (community_code, day) DO UPDATE SET residents = h.residents + EXCLUDED.residents;

    WITH latest AS (
        SELECT resident_ref, max(occurred_at) AS at
          FROM new_rows
         WHERE kind = 'earn' AND resident_ref IS NOT NULL
         GROUP BY 1
    ), moved AS (
        INSERT INTO rollup_district_last_earn AS d (resident_ref, last_earned_at)
        SELECT resident_ref, at FROM latest ORDER BY 1
        ON CONFLICT (resident_ref) DO UPDATE
           SET last_earned_at = EXCLUDED.last_earned_at
         WHERE d.last_earned_at < EXCLUDED.last_earned_at
        RETURNING d.resident_ref, d.last_earned_at
    ), before AS (
        SELECT b.last_earned_at
          FROM rollup_district_last_earn b
          JOIN latest x USING (resident_ref)
         WHERE b.last_earned_at < x.at
    ), changes AS (
        SELECT local_day(last_earned_at) AS day, 1 AS n FROM moved
        UNION ALL
        SELECT local_day(last_earned_at), -1 FROM before
    )
    INSERT INTO rollup_district_last_earn_day AS h (day, residents)
    SELECT day, sum(n) FROM changes GROUP BY 1 HAVING sum(n) <> 0 ORDER BY 1
    ON CONFLICT (day) DO UPDATE SET residents = h.residents + EXCLUDED.residents;
    RETURN NULL;
END $$;

CREATE FUNCTION rebuild_last_earn_days() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM rollup_last_earn_day;
    INSERT INTO rollup_last_earn_day (community_code, day, residents)
    SELECT community_code, local_day(last_earned_at), count(*)
      FROM ledger_last_earn GROUP BY 1, 2;
    DELETE FROM rollup_district_last_earn_day;
    INSERT INTO rollup_district_last_earn_day (day, residents)
    SELECT local_day(last_earned_at), count(*) FROM rollup_district_last_earn GROUP BY 1;
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
    PERFORM rebuild_last_earn_days();
    RETURN written;
END $$;

SELECT rebuild_last_earn_days();

ALTER TABLE rollup_last_earn_day ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON rollup_last_earn_day FOR SELECT TO cockpit_reader
    USING ((SELECT scope_is_whole_district())
           OR community_code = ANY ((SELECT scope_communities())::text[]));
GRANT SELECT ON rollup_last_earn_day TO cockpit_reader;

ALTER TABLE rollup_district_last_earn_day ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON rollup_district_last_earn_day FOR SELECT TO cockpit_reader
    USING ((SELECT scope_is_whole_district()));
GRANT SELECT ON rollup_district_last_earn_day TO cockpit_reader;

-- the whole city's 30 days: one range of ~90,000 rows, not 3,000 communities' searches
CREATE INDEX rollup_last_earn_day_by_day ON rollup_last_earn_day (day)
    INCLUDE (community_code, residents);
