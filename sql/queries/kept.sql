-- The whole-city results kept in the warehouse (migration 031, data_access/kept.py).
-- Row-level security shows kept_result only to a session that sees the whole district.

-- name: kept_result_read
-- The kept result of one query and parameters if it is current: nothing written since
-- it was computed, and for a live view, kept on :live_day for a minute at or before
-- :now. The payload is left out when it is the one the caller holds (:known_id).
SELECT k.kept_id,
       CASE WHEN k.kept_id = CAST(:known_id AS bigint) THEN NULL ELSE k.payload END AS payload
  FROM kept_result k
 WHERE k.query_name = :query_name AND k.params_key = :params_key
   AND (k.live_day IS NULL
        OR (k.live_day = CAST(:live_day AS date) AND k.computed_for <= :now))
   AND kept_is_current(k.snapshot);

-- name: kept_result_keep
-- Keep a result computed in :snapshot (keep_result() says whether it was kept).
SELECT keep_result(:query_name, :params_key, CAST(:params AS jsonb), CAST(:live_day AS date),
                   :computed_for, CAST(:snapshot AS pg_snapshot), :payload) AS kept;

-- name: kept_results_listed
-- Every kept result's query and parameters, and whether it is current: what `cockpit
-- refresh` computes again.
SELECT k.query_name, k.params_key, k.params::text AS params, k.live_day, k.computed_for,
       kept_is_current(k.snapshot) AS is_current
  FROM kept_result k
 ORDER BY k.query_name, k.params_key;
