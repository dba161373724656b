-- 002 the ledger's rules, enforced by the database for every role:
-- each journal's entries net to zero at the end of the statement that inserts them,
-- and no ledger row is ever updated, deleted or truncated (corrections are
-- reversing journals). The status log is append-only likewise.

CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (post a reversing journal instead)',
        TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER ledger_journal_append_only BEFORE UPDATE OR DELETE ON ledger_journal
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_journal_no_truncate BEFORE TRUNCATE ON ledger_journal
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_entry
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER status_log_append_only BEFORE UPDATE OR DELETE ON fact_incident_status_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER status_log_no_truncate BEFORE TRUNCATE ON fact_incident_status_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Statement-level, so a bulk COPY of millions of entries is checked in one pass.
CREATE FUNCTION ledger_check_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    unbalanced record;
BEGIN
    SELECT e.community_code, e.journal_id, sum(e.amount) AS net
      INTO unbalanced
      FROM ledger_entry e
      JOIN (SELECT DISTINCT community_code, journal_id FROM new_entries) touched
        USING (community_code, journal_id)
     GROUP BY e.community_code, e.journal_id
    HAVING sum(e.amount) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger journal %/% does not balance (nets to %)',
            unbalanced.community_code, unbalanced.journal_id, unbalanced.net
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_balanced();

-- A journal with no entries at all is as wrong as an unbalanced one; checked by
-- `cockpit check` (a header is inserted before its entries, so no trigger can).
