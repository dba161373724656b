-- 032 the incidents open at T, read for the whole city without a search per community.
-- "Open at T" (reported by T, neither closed nor rejected by T) is three disjoint sets:
-- still open today (closed_at and rejected_at NULL), closed after T, rejected after T
-- (an incident is never both: its status says which, migration 001). The open-at-T
-- queries (map_open_incidents, open_alerts, overdue_incidents, incident_overdue_counts)
-- now read each set by its own index, as a UNION ALL:
--
-- * still open: fact_incident_unclosed, same key and predicate as before, now covering
--   the columns those queries read, so the whole district's ~15,000 open incidents come
--   from the index alone (index-only on all-visible pages). They were fetched from
--   ~11,700 heap pages scattered over three years of facts: open incidents are of every
--   age. Only open incidents are in it, so its width costs little (1.9 MB at city scale).
-- * closed after T: a BRIN index on closed_at. With keys led by community_code
--   (fact_incident_closed) "closed_at > T" for the whole city was 3,001 index searches,
--   12,000 pages (0.57 s cold) to find nothing when T is now. Facts arrive in time order
--   and are closed soon after, so each 32-page range's closing times lie close together:
--   for T = now no range matches (a range at the table's end is summarized once full:
--   autosummarize); a past T reads the ranges closed after it, about the heap pages a
--   btree's rows would be fetched from. A BRIN costs an insert nearly nothing and a bulk
--   load one scan, and is ~0.3 MB at city scale, where a btree on closed_at would be
--   ~200 MB maintained on every closure.
-- * rejected after T: a btree on rejected_at, partial: rejected incidents are ~2 %
--   (~200,000 of 10M, ~5 MB), too scattered for a BRIN (a month back read 7,500 pages
--   for 28 rows), and only a rejection writes to it.
-- benchmarks/results/open-at-t-2026-12-04.md has the measurements.

DROP INDEX fact_incident_unclosed;
CREATE INDEX fact_incident_unclosed ON fact_incident (community_code, due_at)
    INCLUDE (incident_id, reported_at, grid_code, category_code, due_given, lat, lon)
    WHERE closed_at IS NULL AND rejected_at IS NULL;

CREATE INDEX fact_incident_closed_at ON fact_incident USING brin (closed_at)
    WITH (pages_per_range = 32, autosummarize = on);
CREATE INDEX fact_incident_rejected_at ON fact_incident (rejected_at)
    WHERE rejected_at IS NOT NULL;
