-- 006 ingest bookkeeping for `cockpit ingest`: why a file failed, and what the app
-- may see of the quarantine. The quarantine keeps raw input values (possibly personal
-- data as sent), so the app role still cannot read it; it reads counts per load and
-- reason through a view that carries no values.

ALTER TABLE ingest_load ADD COLUMN error text;  -- set when status = 'failed'

CREATE INDEX ingest_quarantine_load ON ingest_quarantine (load_id);

-- one row per load and reason code ("code: detail" is stored; the code is before ':')
CREATE VIEW ingest_quarantine_summary AS
SELECT load_id, split_part(reason, ':', 1) AS reason, count(*) AS row_count
  FROM ingest_quarantine
 GROUP BY load_id, split_part(reason, ':', 1);

GRANT SELECT ON ingest_quarantine_summary TO cockpit_reader;
