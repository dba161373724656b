-- 017 residents' current points balances. 持有积分居民占比 counts the resident accounts
-- whose entries up to T sum to more than zero: over a city's 40M ledger entries that sum
-- took 19 s on every rerun. The ledger is append-only, so each resident account's
-- balance is kept as entries arrive (a statement trigger adds each statement's entries
-- per account); for an as-of at or after the newest entry (the usual view) the figure
-- counts positive balances here, and an as-of in the past still sums the entries up to
-- it (data_access.points.holders). Bulk loaders that set triggers aside call
-- rebuild_account_balances() afterwards, as for rollup_freshness.

CREATE TABLE ledger_account_balance (
    community_code  text NOT NULL,
    account         text NOT NULL,   -- resident:<ref>
    balance         bigint NOT NULL,
    PRIMARY KEY (community_code, account)
);

-- Add the resident entries in `source` (a transition table) to their accounts.
CREATE FUNCTION account_balances_adding(source text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format(
    'INSERT INTO ledger_account_balance AS b (community_code, account, balance)'
    ' SELECT community_code, account, sum(amount) FROM %I'
    '  WHERE account_kind = ''resident'''
    '  GROUP BY 1, 2'
    ' ON CONFLICT (community_code, account) DO UPDATE'
    ' SET balance = b.balance + EXCLUDED.balance', source);

CREATE FUNCTION add_account_balances() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE account_balances_adding('new_rows');
    RETURN NULL;
END $$;

-- ledger_entry refuses updates and deletes (migration 002): inserts are all there is.
CREATE TRIGGER ledger_entry_balances AFTER INSERT ON ledger_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION add_account_balances();

-- Recount every balance from the entries (after a bulk load, or to repair).
CREATE FUNCTION rebuild_account_balances() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    DELETE FROM ledger_account_balance;
    EXECUTE account_balances_adding('ledger_entry');
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;

SELECT rebuild_account_balances();

CREATE INDEX ledger_account_balance_holders ON ledger_account_balance (community_code)
    WHERE balance > 0;

ALTER TABLE ledger_account_balance ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON ledger_account_balance FOR SELECT TO cockpit_reader
    USING ((SELECT scope_is_whole_district())
           OR community_code = ANY ((SELECT scope_communities())::text[]));
GRANT SELECT ON ledger_account_balance TO cockpit_reader;
