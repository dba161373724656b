-- 035 a writer whose rows hold events after its own time says so (issue 13). A live
-- view's result is kept for the later minutes of its day because the ingest contract
-- refuses events after a load starts (031). The demo loaders do not load through the
-- contract: their day ends at 20:00 local (demo/facts.py), so before then their rows
-- hold incidents reported and closed after the minute a result is computed for, which
-- a later minute counts. Such a writer raises data_events_until to the newest event it
-- wrote, in its transaction; no live result is kept for a minute before it.

CREATE TABLE data_events_until (
    until  timestamptz NOT NULL,
    single boolean PRIMARY KEY DEFAULT true CHECK (single)
);
INSERT INTO data_events_until (until) VALUES ('-infinity');

CREATE FUNCTION declare_events_until(newest timestamptz) RETURNS void
LANGUAGE sql SET search_path = public AS $$
    UPDATE data_events_until SET until = greatest(until, newest)
$$;

CREATE OR REPLACE FUNCTION keep_result(p_query text, p_params_key text, p_params jsonb,
                                       p_live_day date, p_computed_for timestamptz,
                                       p_snapshot pg_snapshot, p_payload bytea)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF NOT scope_is_whole_district() THEN
        RAISE EXCEPTION 'only a session that sees the whole district keeps its results';
    END IF;
    -- before the checks: forget_seen_writes() cannot move the horizon under them
    LOCK TABLE kept_result IN ROW EXCLUSIVE MODE;
    IF NOT kept_is_current(p_snapshot)
       OR pg_snapshot_xmin(p_snapshot) < (SELECT below FROM data_write_log_forgotten) THEN
        RETURN false;  -- outdated, or older than what the log still knows
    END IF;
    -- a live result holds for later minutes only if no event lies after its minute:
    -- none from a writer that wrote after it, none a writer declared
    IF p_live_day IS NOT NULL AND (
            EXISTS (SELECT 1 FROM data_write_log w
                     WHERE w.at > p_computed_for AND pg_visible_in_snapshot(w.xid, p_snapshot))
            OR (SELECT until FROM data_events_until) > p_computed_for) THEN
        RETURN false;
    END IF;
    INSERT INTO kept_result AS k (query_name, params_key, params, live_day, computed_for,
                                  snapshot, payload)
    VALUES (p_query, p_params_key, p_params, p_live_day, p_computed_for, p_snapshot, p_payload)
    ON CONFLICT (query_name, params_key) DO UPDATE
       SET params = excluded.params, live_day = excluded.live_day,
           computed_for = excluded.computed_for, snapshot = excluded.snapshot,
           payload = excluded.payload, kept_id = DEFAULT;
    RETURN true;
END $$;
