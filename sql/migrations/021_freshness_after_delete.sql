-- A delete that takes a community's newest event (a wrongly dated row corrected away)
-- now lowers rollup_freshness.newest to the newest row left: it used to stay, so
-- 数据状态 and the big screen's "data as of" kept the deleted row's time. The newest
-- left is read by the table's (community_code, stamp) index where there is one; only
-- the communities whose newest went are read. Rollup tables are left as they were:
-- their stamp is refreshed_at, which only grows, and a refresh must not pay for this.
CREATE OR REPLACE FUNCTION track_freshness() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE fresh_rows_counting(TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1], 'new_rows');
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format(
            'UPDATE rollup_freshness f SET newest = greatest(f.newest, n.newest)'
            '  FROM (SELECT community_code, max(%I) FILTER (WHERE %s) AS newest'
            '          FROM new_rows GROUP BY 1) n'
            ' WHERE f.community_code = n.community_code AND f.table_name = %L',
            TG_ARGV[0], TG_ARGV[1], TG_TABLE_NAME);
    ELSIF TG_TABLE_NAME LIKE 'rollup\_%' THEN
        EXECUTE format(
            'UPDATE rollup_freshness f SET row_count = f.row_count - o.n'
            '  FROM (SELECT community_code, count(*) AS n FROM old_rows GROUP BY 1) o'
            ' WHERE f.community_code = o.community_code AND f.table_name = %L',
            TG_TABLE_NAME);
    ELSE
        EXECUTE format(
            'UPDATE rollup_freshness f SET row_count = f.row_count - o.n,'
            '       newest = CASE WHEN o.newest >= f.newest THEN'
            '           (SELECT t.%1$I FROM %3$I t'
            '             WHERE t.community_code = f.community_code AND t.%1$I IS NOT NULL'
            '               AND (%2$s)'
            '             ORDER BY t.%1$I DESC LIMIT 1)'
            '         ELSE f.newest END'
            '  FROM (SELECT community_code, count(*) AS n,'
            '               max(%1$I) FILTER (WHERE %2$s) AS newest'
            '          FROM old_rows GROUP BY 1) o'
            ' WHERE f.community_code = o.community_code AND f.table_name = %3$L',
            TG_ARGV[0], TG_ARGV[1], TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END $$;
