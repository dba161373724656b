-- 011 an index on when incidents were rejected. incident_summary reads only the
-- incidents some figure counts (open at T, reported or closed in the period); one of
-- those conditions is "rejected after T", and without this index that OR forces a
-- scan of every incident the scope holds. Rejected incidents are few (a partial index).
CREATE INDEX fact_incident_rejected ON fact_incident (community_code, rejected_at)
    WHERE rejected_at IS NOT NULL;
