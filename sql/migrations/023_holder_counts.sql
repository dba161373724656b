-- 023 holders counted as balances change. points_holders counted each community's
-- positive balances (ledger_account_balance, migration 017) at every request: at city
-- scale 2M accounts, 1–2 s for the whole city. Each community's count of positive
-- balances is now kept beside them by the same statement trigger, from what each
-- upsert returns: an account's balance before the statement is its balance after less
-- the statement's amount. (Read before the upsert instead, a balance another
-- transaction has just changed would be stale, and that account counted twice.)

CREATE TABLE ledger_holder_count (
    community_code  text PRIMARY KEY,
    holders         bigint NOT NULL DEFAULT 0
);

-- Add the resident entries in `source` (a transition table) to their accounts and the
-- accounts that cross zero to their community's holders. Communities in key order, so
-- two statements lock their counters in the same order.
CREATE OR REPLACE FUNCTION account_balances_adding(source text) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN format(
    'WITH delta AS ('
    '    SELECT community_code, account, sum(amount) AS amount FROM %I'
    '     WHERE account_kind = ''resident'''
    '     GROUP BY 1, 2'
    '), upserted AS ('
    '    INSERT INTO ledger_account_balance AS b (community_code, account, balance)'
    '    SELECT community_code, account, amount FROM delta'
    '    ON CONFLICT (community_code, account) DO UPDATE'
    '    SET balance = b.balance + EXCLUDED.balance'
    '    RETURNING b.community_code, b.account, b.balance'
    ')'
    ' INSERT INTO ledger_holder_count AS h (community_code, holders)'
    ' SELECT u.community_code,'
    '        sum((u.balance > 0)::int - (u.balance - d.amount > 0)::int)'
    '   FROM upserted u JOIN delta d USING (community_code, account)'
    '  GROUP BY u.community_code'
    ' HAVING sum((u.balance > 0)::int - (u.balance - d.amount > 0)::int) <> 0'
    '  ORDER BY u.community_code'
    ' ON CONFLICT (community_code) DO UPDATE SET holders = h.holders + EXCLUDED.holders',
    source);

-- Recount every balance from the entries, and the holders from the balances (after a
-- bulk load, or to repair).
CREATE OR REPLACE FUNCTION rebuild_account_balances() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    DELETE FROM ledger_account_balance;
    DELETE FROM ledger_holder_count;
    INSERT INTO ledger_account_balance (community_code, account, balance)
    SELECT community_code, account, sum(amount) FROM ledger_entry
     WHERE account_kind = 'resident'
     GROUP BY 1, 2;
    GET DIAGNOSTICS written = ROW_COUNT;
    INSERT INTO ledger_holder_count (community_code, holders)
    SELECT community_code, count(*) FROM ledger_account_balance WHERE balance > 0 GROUP BY 1;
    RETURN written;
END $$;

SELECT rebuild_account_balances();

ALTER TABLE ledger_holder_count ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope_read ON ledger_holder_count FOR SELECT TO cockpit_reader
    USING ((SELECT scope_is_whole_district())
           OR community_code = ANY ((SELECT scope_communities())::text[]));
GRANT SELECT ON ledger_holder_count TO cockpit_reader;
