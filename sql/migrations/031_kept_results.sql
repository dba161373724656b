-- 031 whole-city results kept in the warehouse (issue 13). A viewer of the whole city
-- (3,000 communities) waits 1-2 s for each figure that is no sum of days (unique users,
-- medians, per-community rates): computed once, such a result is kept here and served
-- to every whole-district session of every app process until the data it was computed
-- from change. docs/performance.md, "Kept whole-city results", says which queries and
-- why their results stay exact.
--
-- When is a kept result current? data_write_log holds one row per transaction that
-- wrote a table the figures read (statement triggers below; lock-free: each writer
-- inserts its own transaction id). A kept result carries the snapshot it was computed
-- in; it is current while every logged writer is visible in that snapshot, i.e. while
-- nothing committed that its computation did not see. A live view's result (T = now)
-- is also bound to its local day and to minutes at or after the one it was computed
-- for (data_access/kept.py).

CREATE TABLE data_write_log (
    xid  xid8 PRIMARY KEY,
    -- when the transaction first wrote: a load's rows carry no event after its start
    -- (the ingest contract), so none after this time
    at   timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE FUNCTION log_data_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO data_write_log (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

DO $$
DECLARE
    written text;
BEGIN
    FOREACH written IN ARRAY ARRAY[
        'dim_street', 'dim_community', 'dim_grid', 'dim_facility', 'dim_incident_category',
        'dim_date', 'dim_work_year', 'dim_workday', 'dim_work_period',
        'fact_incident', 'fact_incident_status_log', 'fact_service_visit',
        'ledger_journal', 'ledger_entry', 'ledger_account_balance', 'ledger_holder_count',
        'rollup_community_day', 'rollup_community_day_delta', 'rollup_community_month',
        'rollup_facility_day', 'rollup_facility_day_delta',
        'rollup_street_day', 'rollup_district_day',
        'rollup_street_facility_type_day', 'rollup_district_facility_type_day'
    ] LOOP
        EXECUTE format(
            'CREATE TRIGGER %1$s_written AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %1$I'
            ' FOR EACH STATEMENT EXECUTE FUNCTION log_data_write()', written);
    END LOOP;
END $$;

CREATE TABLE kept_result (
    kept_id      bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    query_name   text NOT NULL,
    -- the query's text and bound parameters, a live view's minute left out (a changed
    -- query is another key: a deploy never serves the old definition's result)
    params_key   text NOT NULL,
    params       jsonb NOT NULL,        -- as bound, typed, so `cockpit refresh` can recompute
    live_day     date,                  -- a live view's local day; NULL for a fixed T
    computed_for timestamptz NOT NULL,  -- the T it was computed for (a live view's minute)
    snapshot     pg_snapshot NOT NULL,
    payload      bytea NOT NULL,        -- the rows (Parquet)
    PRIMARY KEY (query_name, params_key)
);

ALTER TABLE kept_result ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON kept_result FOR SELECT TO cockpit_reader
    USING ((SELECT scope_is_whole_district()));
GRANT SELECT ON kept_result TO cockpit_reader;
GRANT SELECT ON data_write_log TO cockpit_reader;

-- Whether a result computed in `computed_in` is current: every logged writer visible.
CREATE FUNCTION kept_is_current(computed_in pg_snapshot) RETURNS boolean
LANGUAGE sql STABLE SET search_path = public AS $$
    SELECT NOT EXISTS (SELECT 1 FROM data_write_log w
                        WHERE NOT pg_visible_in_snapshot(w.xid, computed_in))
$$;
GRANT EXECUTE ON FUNCTION kept_is_current(pg_snapshot) TO cockpit_reader;

-- Keep a result a whole-district session computed (the app's reader may not write
-- tables; it calls this). A live view's result is kept only when no writer it saw wrote
-- after its T: rows loaded in the same minute could hold events after T, which the next
-- minute would count. Returns whether it was kept.
CREATE FUNCTION keep_result(p_query text, p_params_key text, p_params jsonb, p_live_day date,
                            p_computed_for timestamptz, p_snapshot pg_snapshot, p_payload bytea)
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
    IF p_live_day IS NOT NULL AND EXISTS (
            SELECT 1 FROM data_write_log w
             WHERE w.at > p_computed_for AND pg_visible_in_snapshot(w.xid, p_snapshot)) THEN
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
GRANT EXECUTE ON FUNCTION keep_result(text, text, jsonb, date, timestamptz, pg_snapshot, bytea)
    TO cockpit_reader;

-- The writers logged before every kept result's snapshot matter to none: forget them
-- (all finished ones when nothing is kept), and remember below which transaction the
-- log no longer knows, so a result computed in an older snapshot (one still being
-- computed while this runs) is not kept. Run by `cockpit refresh` after it re-keeps.
CREATE TABLE data_write_log_forgotten (
    below  xid8 NOT NULL,
    single boolean PRIMARY KEY DEFAULT true CHECK (single)
);
INSERT INTO data_write_log_forgotten (below) VALUES ('0'::xid8);
GRANT SELECT ON data_write_log_forgotten TO cockpit_reader;

CREATE FUNCTION forget_seen_writes() RETURNS bigint
LANGUAGE plpgsql SET search_path = public AS $$
DECLARE
    horizon xid8;
    forgotten bigint;
BEGIN
    LOCK TABLE kept_result IN SHARE ROW EXCLUSIVE MODE;  -- no result is being kept
    SELECT coalesce(min(pg_snapshot_xmin(snapshot)), pg_snapshot_xmin(pg_current_snapshot()))
      INTO horizon FROM kept_result;
    DELETE FROM data_write_log WHERE xid < horizon;
    GET DIAGNOSTICS forgotten = ROW_COUNT;
    UPDATE data_write_log_forgotten SET below = greatest(below, horizon);
    RETURN forgotten;
END $$;
