-- 029 dirty marks are an insert-only log, like the delta logs of migration 018.
-- A mark was one row per community-day, written ON CONFLICT DO NOTHING: a writer whose
-- day was already marked wrote nothing and relied on the existing mark. A refresh could
-- take (delete) that mark before the writer committed and recompute the day from a
-- snapshot without the writer's change; the day then stayed behind the facts until
-- something else marked it (one closure missing from a day, seen under load by
-- tests/warehouse/test_additive_rollups.py). Now no mark is shared: each statement
-- inserts its own rows, a refresh deletes only the marks its snapshot sees, and the
-- facts behind those are all read by its recompute (a later snapshot); a mark committed
-- after that stays for the next refresh. A day may carry several marks: the refresh
-- takes them DISTINCT, and 数据状态 and `cockpit check` count distinct days.
-- Keyed as the delta logs are: by community (the distribution column on Citus) and a
-- number of its own.
ALTER TABLE rollup_dirty DROP CONSTRAINT rollup_dirty_pkey;
ALTER TABLE rollup_dirty ADD COLUMN mark_id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE rollup_dirty ADD PRIMARY KEY (community_code, mark_id);
CREATE INDEX rollup_dirty_community_day ON rollup_dirty (community_code, day);
