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

-- name: last_earnings_equal
-- Each resident's kept last earning (migrations 033, 034) equals the journals' newest
-- earning, per community and for the district, and the residents counted per day of
-- it (migration 038) equal those last earnings counted: kept by the journals' trigger,
-- which bulk loaders set aside (they rebuild them afterwards).
WITH journaled AS (
    SELECT community_code, resident_ref, max(occurred_at) AS last_earned_at
      FROM ledger_journal WHERE kind = 'earn' AND resident_ref IS NOT NULL GROUP BY 1, 2
), last_off AS (
    SELECT count(*) AS residents
      FROM journaled j
      FULL JOIN ledger_last_earn l USING (community_code, resident_ref)
     WHERE j.last_earned_at IS DISTINCT FROM l.last_earned_at
), district_off AS (
    SELECT count(*) AS residents
      FROM (SELECT resident_ref, max(last_earned_at) AS last_earned_at
              FROM journaled GROUP BY 1) j
      FULL JOIN rollup_district_last_earn d USING (resident_ref)
     WHERE j.last_earned_at IS DISTINCT FROM d.last_earned_at
), days_off AS (
    SELECT count(*) AS days
      FROM (SELECT community_code, local_day(last_earned_at) AS day, count(*) AS residents
              FROM ledger_last_earn GROUP BY 1, 2) c
      FULL JOIN (SELECT * FROM rollup_last_earn_day WHERE residents <> 0) h
             USING (community_code, day)
     WHERE c.residents IS DISTINCT FROM h.residents
), district_days_off AS (
    SELECT count(*) AS days
      FROM (SELECT local_day(last_earned_at) AS day, count(*) AS residents
              FROM rollup_district_last_earn GROUP BY 1) c
      FULL JOIN (SELECT * FROM rollup_district_last_earn_day WHERE residents <> 0) h
             USING (day)
     WHERE c.residents IS DISTINCT FROM h.residents
)
SELECT l.residents + d.residents + c.days + t.days AS problems,
       l.residents || ' residents'' last earnings differ from their journals ('
       || d.residents || ' for the district), ' || c.days
       || ' community-days'' counts of last earnings (' || t.days || ' district days)'
       AS detail
  FROM last_off l CROSS JOIN district_off d CROSS JOIN days_off c
 CROSS JOIN district_days_off t;

-- name: area_rollups_equal
-- The street and district rollups (migration 028) equal the community rollups summed
-- per street and day and per day (the facility-type ones: the facility-days summed
-- per street, type and day and per type and day), and the district's all-time totals
-- equal the facts'. A row missing on one side counts as zeros; handling_hours_sum,
-- a double kept by adding differences, is compared within 1e-6 relative.
WITH community_days AS (
    SELECT c.street_code, r.day,
           sum(r.incidents_reported) AS incidents_reported,
           sum(r.incidents_rejected) AS incidents_rejected,
           sum(r.incidents_closed) AS incidents_closed,
           sum(r.incidents_closed_on_time) AS incidents_closed_on_time,
           sum(r.hazards_closed) AS hazards_closed,
           sum(r.handling_hours_sum) AS handling_hours_sum,
           sum(r.visits_units) AS visits_units, sum(r.visits_no_show) AS visits_no_show,
           sum(r.visits_units_60_plus) AS visits_units_60_plus,
           sum(r.points_issued) AS points_issued, sum(r.points_redeemed) AS points_redeemed,
           sum(r.points_expired) AS points_expired, sum(r.points_adjusted) AS points_adjusted
      FROM rollup_community_day r JOIN dim_community c USING (community_code)
     GROUP BY GROUPING SETS ((c.street_code, r.day), (r.day))
), kept_days AS (
    SELECT street_code, day, incidents_reported, incidents_rejected, incidents_closed,
           incidents_closed_on_time, hazards_closed, handling_hours_sum, visits_units,
           visits_no_show, visits_units_60_plus, points_issued, points_redeemed,
           points_expired, points_adjusted
      FROM rollup_street_day
    UNION ALL
    SELECT NULL, day, incidents_reported, incidents_rejected, incidents_closed,
           incidents_closed_on_time, hazards_closed, handling_hours_sum, visits_units,
           visits_no_show, visits_units_60_plus, points_issued, points_redeemed,
           points_expired, points_adjusted
      FROM rollup_district_day
), days_off AS (
    SELECT count(*) AS n
      FROM community_days s
      FULL JOIN kept_days k
        ON k.day = s.day AND k.street_code IS NOT DISTINCT FROM s.street_code
     WHERE coalesce(s.incidents_reported, 0) <> coalesce(k.incidents_reported, 0)
        OR coalesce(s.incidents_rejected, 0) <> coalesce(k.incidents_rejected, 0)
        OR coalesce(s.incidents_closed, 0) <> coalesce(k.incidents_closed, 0)
        OR coalesce(s.incidents_closed_on_time, 0) <> coalesce(k.incidents_closed_on_time, 0)
        OR coalesce(s.hazards_closed, 0) <> coalesce(k.hazards_closed, 0)
        OR abs(coalesce(s.handling_hours_sum, 0) - coalesce(k.handling_hours_sum, 0))
           > 1e-6 * greatest(abs(coalesce(s.handling_hours_sum, 0)), 1)
        OR coalesce(s.visits_units, 0) <> coalesce(k.visits_units, 0)
        OR coalesce(s.visits_no_show, 0) <> coalesce(k.visits_no_show, 0)
        OR coalesce(s.visits_units_60_plus, 0) <> coalesce(k.visits_units_60_plus, 0)
        OR coalesce(s.points_issued, 0) <> coalesce(k.points_issued, 0)
        OR coalesce(s.points_redeemed, 0) <> coalesce(k.points_redeemed, 0)
        OR coalesce(s.points_expired, 0) <> coalesce(k.points_expired, 0)
        OR coalesce(s.points_adjusted, 0) <> coalesce(k.points_adjusted, 0)
), facility_days AS (
    SELECT c.street_code, f.facility_type, r.day,
           sum(r.attended_units) AS attended_units, sum(r.attended_visits) AS attended_visits,
           sum(r.booked) AS booked, sum(r.no_show) AS no_show, sum(r.cancelled) AS cancelled,
           sum(r.units_age_0_3) AS units_age_0_3, sum(r.units_age_4_14) AS units_age_4_14,
           sum(r.units_age_15_34) AS units_age_15_34, sum(r.units_age_35_59) AS units_age_35_59,
           sum(r.units_age_60_79) AS units_age_60_79,
           sum(r.units_age_80_plus) AS units_age_80_plus,
           sum(r.units_age_unknown) AS units_age_unknown
      FROM rollup_facility_day r
      JOIN dim_facility f USING (facility_code)
      JOIN dim_community c ON c.community_code = r.community_code
     GROUP BY GROUPING SETS ((c.street_code, f.facility_type, r.day), (f.facility_type, r.day))
), kept_types AS (
    SELECT street_code, facility_type, day, attended_units, attended_visits, booked, no_show,
           cancelled, units_age_0_3, units_age_4_14, units_age_15_34, units_age_35_59,
           units_age_60_79, units_age_80_plus, units_age_unknown
      FROM rollup_street_facility_type_day
    UNION ALL
    SELECT NULL, facility_type, day, attended_units, attended_visits, booked, no_show,
           cancelled, units_age_0_3, units_age_4_14, units_age_15_34, units_age_35_59,
           units_age_60_79, units_age_80_plus, units_age_unknown
      FROM rollup_district_facility_type_day
), types_off AS (
    SELECT count(*) AS n
      FROM facility_days s
      FULL JOIN kept_types k
        ON k.day = s.day AND k.facility_type = s.facility_type
       AND k.street_code IS NOT DISTINCT FROM s.street_code
     WHERE coalesce(s.attended_units, 0) <> coalesce(k.attended_units, 0)
        OR coalesce(s.attended_visits, 0) <> coalesce(k.attended_visits, 0)
        OR coalesce(s.booked, 0) <> coalesce(k.booked, 0)
        OR coalesce(s.no_show, 0) <> coalesce(k.no_show, 0)
        OR coalesce(s.cancelled, 0) <> coalesce(k.cancelled, 0)
        OR coalesce(s.units_age_0_3, 0) <> coalesce(k.units_age_0_3, 0)
        OR coalesce(s.units_age_4_14, 0) <> coalesce(k.units_age_4_14, 0)
        OR coalesce(s.units_age_15_34, 0) <> coalesce(k.units_age_15_34, 0)
        OR coalesce(s.units_age_35_59, 0) <> coalesce(k.units_age_35_59, 0)
        OR coalesce(s.units_age_60_79, 0) <> coalesce(k.units_age_60_79, 0)
        OR coalesce(s.units_age_80_plus, 0) <> coalesce(k.units_age_80_plus, 0)
        OR coalesce(s.units_age_unknown, 0) <> coalesce(k.units_age_unknown, 0)
), district AS (
    SELECT coalesce(sum(incidents_reported), 0) AS reported,
           coalesce(sum(incidents_closed), 0) AS closed,
           coalesce(sum(incidents_rejected), 0) AS rejected,
           coalesce(sum(visits_units), 0) AS visits,
           coalesce(sum(points_issued), 0) AS issued,
           coalesce(sum(points_redeemed), 0) AS redeemed
      FROM rollup_district_day
), facts_off AS (
    SELECT (d.reported <> (SELECT count(*) FROM fact_incident))::int
         + (d.closed <> (SELECT count(*) FROM fact_incident WHERE closed_at IS NOT NULL))::int
         + (d.rejected <> (SELECT count(*) FROM fact_incident WHERE rejected_at IS NOT NULL))::int
         + (d.visits <> (SELECT coalesce(sum(units), 0) FROM fact_service_visit
                          WHERE status = 'attended'))::int
         + (d.visits <> (SELECT coalesce(sum(attended_units), 0)
                           FROM rollup_district_facility_type_day))::int
         + (d.issued <> (SELECT coalesce(sum(amount), 0) FROM ledger_journal
                          WHERE kind = 'earn'))::int
         + (d.redeemed <> (SELECT coalesce(sum(amount), 0) FROM ledger_journal
                            WHERE kind = 'redeem'))::int AS n
      FROM district d
)
SELECT d.n + t.n + f.n AS problems,
       d.n || ' street or district days differ from their communities'' days, '
       || t.n || ' street or district facility-type days from their facility-days, '
       || f.n || ' district totals from the facts' AS detail
  FROM days_off d CROSS JOIN types_off t CROSS JOIN facts_off f;
