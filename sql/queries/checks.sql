-- Integrity checks run by `cockpit check` and shown on 数据状态. Each query returns
-- one row: problems (0 means healthy) and detail (a short description).

-- name: ledger_trial_balance
-- Every account summed over all entries nets to zero. :scope_codes (NULL: all) names
-- the communities the 积分流转 page checks live (in_scope_codes, migration 019): said
-- outright, the check reads them by the key; row-level security alone filters a scan
-- of every entry of the city.
SELECT coalesce(abs(sum(amount)), 0) AS problems,
       'sum of all ledger entries = ' || coalesce(sum(amount), 0) AS detail
  FROM ledger_entry
 WHERE in_scope_codes(community_code, :scope_codes);

-- name: ledger_journals_balanced
-- Every journal has entries and they net to zero (:scope_codes as above).
SELECT count(*) AS problems, count(*) || ' journals unbalanced or without entries' AS detail
  FROM ledger_journal j
  LEFT JOIN (SELECT community_code, journal_id, sum(amount) AS net, count(*) AS lines
               FROM ledger_entry
              WHERE in_scope_codes(community_code, :scope_codes)
              GROUP BY 1, 2) e USING (community_code, journal_id)
 WHERE (e.lines IS NULL OR e.net <> 0)
   AND in_scope_codes(j.community_code, :scope_codes);

-- name: rollups_current
-- No community-day waits for a refresh.
SELECT count(*) AS problems, count(*) || ' community-days waiting for `cockpit refresh`' AS detail
  FROM (SELECT DISTINCT community_code, day FROM rollup_pending) pending;

-- name: rollups_equal_facts
-- Per community, the rollup totals equal the totals computed from the facts.
WITH facts AS (
    SELECT c.community_code,
           (SELECT count(*) FROM fact_incident i WHERE i.community_code = c.community_code) AS reported,
           (SELECT count(*) FROM fact_incident i WHERE i.community_code = c.community_code
               AND i.closed_at IS NOT NULL) AS closed,
           (SELECT coalesce(sum(units), 0) FROM fact_service_visit v
             WHERE v.community_code = c.community_code AND v.status = 'attended') AS visits,
           (SELECT coalesce(sum(amount), 0) FROM ledger_journal j
             WHERE j.community_code = c.community_code AND j.kind = 'earn') AS issued,
           (SELECT coalesce(sum(amount), 0) FROM ledger_journal j
             WHERE j.community_code = c.community_code AND j.kind = 'redeem') AS redeemed
      FROM dim_community c
), rolled AS (
    SELECT community_code, sum(incidents_reported) AS reported, sum(incidents_closed) AS closed,
           sum(visits_units) AS visits, sum(points_issued) AS issued,
           sum(points_redeemed) AS redeemed
      FROM rollup_community_day GROUP BY community_code
), facility AS (
    SELECT community_code, sum(attended_units) AS visits FROM rollup_facility_day GROUP BY 1
)
SELECT count(*) AS problems, count(*) || ' communities whose rollups differ from their facts' AS detail
  FROM facts f
  LEFT JOIN rolled r USING (community_code)
  LEFT JOIN facility fd USING (community_code)
 WHERE f.reported <> coalesce(r.reported, 0) OR f.closed <> coalesce(r.closed, 0)
    OR f.visits <> coalesce(r.visits, 0) OR f.visits <> coalesce(fd.visits, 0)
    OR f.issued <> coalesce(r.issued, 0) OR f.redeemed <> coalesce(r.redeemed, 0);

-- name: orphans
-- Rows whose community disagrees with the grid or facility they point at, incidents
-- whose community, grid or category does not exist, and status-log rows without their
-- incident (those three are not foreign keys since migration 008: ingest checks them).
SELECT (SELECT count(*) FROM fact_incident i JOIN dim_grid g USING (grid_code)
         WHERE g.community_code <> i.community_code)
     + (SELECT count(*) FROM fact_service_visit v JOIN dim_facility f USING (facility_code)
         WHERE f.community_code <> v.community_code)
     + (SELECT count(*) FROM dim_grid m JOIN dim_grid p ON p.grid_code = m.parent_grid_code
         WHERE p.community_code <> m.community_code)
     + (SELECT count(*) FROM fact_incident i
         WHERE NOT EXISTS (SELECT 1 FROM dim_community c
                            WHERE c.community_code = i.community_code)
            OR (i.grid_code IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM dim_grid g WHERE g.grid_code = i.grid_code))
            OR NOT EXISTS (SELECT 1 FROM dim_incident_category k
                            WHERE k.category_code = i.category_code))
     + (SELECT count(*) FROM fact_incident_status_log l
         WHERE NOT EXISTS (SELECT 1 FROM fact_incident i
                            WHERE i.community_code = l.community_code
                              AND i.incident_id = l.incident_id)) AS problems,
       'rows pointing at a missing or mismatched community, grid, category, facility'
       || ' or incident' AS detail;

-- name: balances_equal_entries
-- The kept resident balances (migration 017) equal their entries summed, and each
-- community's kept holder count (migration 023) equals its residents whose entries sum
-- to more than zero: both are kept by a trigger that bulk loaders set aside (they
-- rebuild them afterwards).
WITH summed AS (
    SELECT community_code, account, sum(amount) AS balance
      FROM ledger_entry WHERE account_kind = 'resident' GROUP BY 1, 2
), balances_off AS (
    SELECT count(*) AS accounts
      FROM summed s
      FULL JOIN ledger_account_balance b USING (community_code, account)
     WHERE s.balance IS DISTINCT FROM b.balance
), holders AS (
    SELECT community_code, count(*) AS holders FROM summed WHERE balance > 0 GROUP BY 1
), holders_off AS (
    SELECT count(*) AS communities
      FROM holders h
      FULL JOIN (SELECT * FROM ledger_holder_count WHERE holders <> 0) k USING (community_code)
     WHERE h.holders IS DISTINCT FROM k.holders
)
SELECT b.accounts + h.communities AS problems,
       b.accounts || ' resident balances differ from their entries, '
       || h.communities || ' communities'' holder counts from their entries' AS detail
  FROM balances_off b CROSS JOIN holders_off h;
