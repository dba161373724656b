-- 014 what points_summary reads at city scale. Its opening balance is the net of every
-- day before the period: at 3,000 communities over three years, 3.3M rollup rows summed
-- on every rerun (5 s). rollup_community_month keeps each month's points sums, so the
-- opening balance reads a few dozen months per community plus the days of the period's
-- first month. It is kept by a trigger on rollup_community_day: whatever writes a day
-- (refresh_rollups, a rebuild) sums that day's month again from its days, so the months
-- equal the days by construction. The earners of the last 30 days (distinct residents)
-- read a covering index instead of scattered journal rows (7 s cold at city scale).

-- The points a day or month added to what residents hold: one definition for the
-- daily and the monthly sums.
CREATE FUNCTION points_net(issued bigint, redeemed bigint, expired bigint, adjusted bigint)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN issued - redeemed - expired + adjusted;

CREATE TABLE rollup_community_month (
    community_code   text NOT NULL REFERENCES dim_community,
    month            date NOT NULL,  -- its first day
    points_issued    bigint NOT NULL DEFAULT 0,
    points_redeemed  bigint NOT NULL DEFAULT 0,
    points_expired   bigint NOT NULL DEFAULT 0,
    points_adjusted  bigint NOT NULL DEFAULT 0,  -- signed
    PRIMARY KEY (community_code, month)
);

-- Sum again the months of the day rows in `source` (a transition table).
CREATE FUNCTION community_months_summing(source text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format(
    'INSERT INTO rollup_community_month AS m (community_code, month, points_issued,'
    '        points_redeemed, points_expired, points_adjusted)'
    ' SELECT t.community_code, t.month, coalesce(sum(d.points_issued), 0),'
    '        coalesce(sum(d.points_redeemed), 0), coalesce(sum(d.points_expired), 0),'
    '        coalesce(sum(d.points_adjusted), 0)'
    '   FROM (SELECT DISTINCT community_code, date_trunc(''month'', day)::date AS month'
    '           FROM %I) t'
    '   LEFT JOIN rollup_community_day d ON d.community_code = t.community_code'
    '    AND d.day >= t.month AND d.day < (t.month + interval ''1 month'')::date'
    '  GROUP BY 1, 2'
    ' ON CONFLICT (community_code, month) DO UPDATE SET'
    '     points_issued = EXCLUDED.points_issued, points_redeemed = EXCLUDED.points_redeemed,'
    '     points_expired = EXCLUDED.points_expired, points_adjusted = EXCLUDED.points_adjusted',
    source);

CREATE FUNCTION sum_community_months() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE community_months_summing('new_rows');
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE community_months_summing('old_rows');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER rollup_community_day_months_ins AFTER INSERT ON rollup_community_day
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sum_community_months();
CREATE TRIGGER rollup_community_day_months_upd AFTER UPDATE ON rollup_community_day
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION sum_community_months();
CREATE TRIGGER rollup_community_day_months_del AFTER DELETE ON rollup_community_day
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sum_community_months();

-- The months the warehouse already holds, summed by the triggers' own statement.
DO $$ BEGIN EXECUTE community_months_summing('rollup_community_day'); END $$;

ALTER TABLE rollup_community_month ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON rollup_community_month FOR SELECT TO cockpit_reader
    USING ((SELECT scope_is_whole_district())
           OR community_code = ANY ((SELECT scope_communities())::text[]));
GRANT SELECT ON rollup_community_month TO cockpit_reader;

CREATE INDEX ledger_journal_earners ON ledger_journal (community_code, occurred_at)
    INCLUDE (resident_ref) WHERE kind = 'earn';
