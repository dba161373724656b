-- 037 the city's newest incidents by a day's pages (issue 13). The wall screen's live
-- strip asks for the newest reports of the day before T. For the whole city that was a
-- search of fact_incident_reported in each of 3,000 communities (~25 ms) or a hash of
-- every grid; a BRIN on reported_at reads the last day's few pages instead (facts lie
-- on disk in the order they arrive), 53 ms -> 8 ms at city scale, with the names joined
-- to the strip's rows only (sql/queries/incidents_detail.sql). Like fact_incident_closed_at
-- (migration 032): a few hundred kB, summarised as pages fill.
CREATE INDEX fact_incident_reported_at ON fact_incident USING brin (reported_at)
    WITH (pages_per_range = 32, autosummarize = on);
