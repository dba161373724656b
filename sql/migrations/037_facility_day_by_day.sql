-- 037 the facility-day rollup keyed by day first (issue 13). A load's delta upserts the
-- facility-days of the last few days of every community; keyed (community, facility,
-- day), each of those rows sat in its own leaf of the key: a 10k-row delta probed ~5,000
-- leaves spread over the whole index, which a step reading a year of facts had evicted
-- (1.7 s, 5,251 of them read from disk). Keyed (day, community, facility), the recent
-- days' keys are a few hundred adjacent leaves, the ones the pages read too. The index
-- (community_code, day) still serves a street's or a community's period; the whole
-- city's period is now one range of the key. The upserts name the same columns, in
-- whatever order (ON CONFLICT infers the index from the set).
ALTER TABLE rollup_facility_day DROP CONSTRAINT rollup_facility_day_pkey;
ALTER TABLE rollup_facility_day ADD PRIMARY KEY (day, community_code, facility_code);
