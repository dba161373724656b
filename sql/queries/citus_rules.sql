-- Catalog facts that warehouse/citus_rules.py checks against the rules a Citus
-- cluster imposes (community_code distributes the fact, ledger and rollup tables;
-- dimensions are reference tables). Read-only; no parameters; schema public only,
-- partitions left out (they follow their parent table).

-- name: citus_tables
-- One row per table of schema public, with its community_code column if it has one
-- and whether it has a primary key.
SELECT c.relname AS table_name,
       a.attname IS NOT NULL AS has_community_code,
       coalesce(a.attnotnull, false) AS community_code_not_null,
       format_type(a.atttypid, a.atttypmod) AS community_code_type,
       EXISTS (SELECT 1 FROM pg_constraint p
                WHERE p.conrelid = c.oid AND p.contype = 'p') AS has_primary_key
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attribute a
         ON a.attrelid = c.oid AND a.attname = 'community_code' AND NOT a.attisdropped
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY c.relname;

-- name: citus_unique_keys
-- One row per primary key, unique constraint, unique index and exclusion constraint
-- of a table of schema public: its key columns in order ('(expression)' for an
-- expression) and, for an exclusion constraint, each column's operator.
SELECT t.relname AS table_name,
       i.relname AS index_name,
       CASE WHEN x.indisprimary THEN 'primary key'
            WHEN k.contype = 'u' THEN 'unique constraint'
            WHEN k.contype = 'x' THEN 'exclusion constraint'
            ELSE 'unique index' END AS kind,
       ARRAY(SELECT coalesce(a.attname::text, '(expression)')
               FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS col(attnum, ord)
               LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = col.attnum
              WHERE col.ord <= x.indnkeyatts
              ORDER BY col.ord) AS columns,
       ARRAY(SELECT o.oprname::text
               FROM unnest(k.conexclop) WITH ORDINALITY AS op(oid, ord)
               JOIN pg_operator o ON o.oid = op.oid
              ORDER BY op.ord) AS operators
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  LEFT JOIN pg_constraint k
         ON k.conindid = x.indexrelid AND k.conrelid = t.oid AND k.contype IN ('p', 'u', 'x')
 WHERE n.nspname = 'public' AND NOT t.relispartition
   AND (x.indisunique OR k.contype = 'x')
 ORDER BY t.relname, i.relname;

-- name: citus_foreign_keys
-- One row per foreign key from or to a table of schema public: both ends with their
-- schema, the key columns in order on each side, and the ON UPDATE / ON DELETE
-- actions (a no action, r restrict, c cascade, n set null, d set default).
SELECT k.conname AS constraint_name,
       fs.nspname AS from_schema, f.relname AS from_table,
       ts.nspname AS to_schema, t.relname AS to_table,
       ARRAY(SELECT a.attname::text
               FROM unnest(k.conkey) WITH ORDINALITY AS col(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = col.attnum
              ORDER BY col.ord) AS from_columns,
       ARRAY(SELECT a.attname::text
               FROM unnest(k.confkey) WITH ORDINALITY AS col(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = col.attnum
              ORDER BY col.ord) AS to_columns,
       k.confupdtype::text AS on_update,
       k.confdeltype::text AS on_delete
  FROM pg_constraint k
  JOIN pg_class f ON f.oid = k.conrelid
  JOIN pg_namespace fs ON fs.oid = f.relnamespace
  JOIN pg_class t ON t.oid = k.confrelid
  JOIN pg_namespace ts ON ts.oid = t.relnamespace
 WHERE k.contype = 'f' AND k.conparentid = 0
   AND 'public' IN (fs.nspname, ts.nspname)
 ORDER BY f.relname, k.conname;

-- name: citus_key_generators
-- One row per column of a table of schema public whose value a sequence makes (an
-- identity column, or a nextval() default as serial writes), with its type.
SELECT c.relname AS table_name,
       a.attname AS column_name,
       format_type(a.atttypid, a.atttypmod) AS column_type
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND a.attnum > 0 AND NOT a.attisdropped
   AND (a.attidentity <> '' OR position('nextval(' IN coalesce(pg_get_expr(d.adbin, d.adrelid), '')) > 0)
 ORDER BY c.relname, a.attnum;

-- name: citus_policies
-- One row per row-level security policy on a table of schema public and per function
-- its expressions call (outside pg_catalog; NULL when none): whether its USING or
-- WITH CHECK expression holds a subquery, and the function's definition.
SELECT c.relname AS table_name,
       p.polname AS policy_name,
       position('{SUBLINK' IN coalesce(p.polqual::text, '') || coalesce(p.polwithcheck::text, '')) > 0
           AS has_subquery,
       fn.oid::regprocedure::text AS function_name,
       CASE WHEN fn.oid IS NOT NULL THEN pg_get_functiondef(fn.oid) END AS function_definition
  FROM pg_policy p
  JOIN pg_class c ON c.oid = p.polrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_depend d
         ON d.classid = 'pg_policy'::regclass AND d.objid = p.oid
        AND d.refclassid = 'pg_proc'::regclass
  LEFT JOIN pg_proc fn
         ON fn.oid = d.refobjid AND fn.pronamespace <> 'pg_catalog'::regnamespace
 WHERE n.nspname = 'public'
 ORDER BY c.relname, p.polname, function_name;

-- name: citus_triggers
-- One row per trigger written for a table of schema public (not the internal ones
-- behind foreign keys), with its definition and its function's definition, followed by
-- the definitions of the schema's functions it calls: a trigger may build its statements
-- in a helper (migration 013), and what the helper touches, the trigger touches.
SELECT c.relname AS table_name,
       g.tgname AS trigger_name,
       pg_get_triggerdef(g.oid) AS trigger_definition,
       g.tgfoid::regprocedure::text AS function_name,
       pg_get_functiondef(g.tgfoid) || coalesce((
           SELECT string_agg(pg_get_functiondef(f.oid), E'\n' ORDER BY f.oid)
             FROM pg_proc f
            WHERE f.pronamespace = n.oid AND f.prokind = 'f' AND f.oid <> g.tgfoid
              AND pg_get_functiondef(g.tgfoid) ~ ('\m' || f.proname || '\s*\(')), '')
           AS function_definition
  FROM pg_trigger g
  JOIN pg_class c ON c.oid = g.tgrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND NOT g.tgisinternal
 ORDER BY c.relname, g.tgname;

-- name: citus_sql_functions
-- One row per LANGUAGE sql function of schema public (trigger functions are
-- citus_triggers'), with its definition: the tables its body names.
SELECT p.proname AS function_name,
       p.oid::regprocedure::text AS signature,
       pg_get_functiondef(p.oid) AS definition
  FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_language l ON l.oid = p.prolang
 WHERE n.nspname = 'public' AND p.prokind = 'f' AND l.lanname = 'sql'
   AND p.prorettype <> 'trigger'::regtype
 ORDER BY 1, 2;

-- name: citus_view_tables
-- One row per view of schema public and table it reads.
SELECT v.relname AS view_name, t.relname AS table_name
  FROM pg_rewrite r
  JOIN pg_class v ON v.oid = r.ev_class AND v.relkind = 'v'
  JOIN pg_namespace n ON n.oid = v.relnamespace
  JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass
                  AND d.refclassid = 'pg_class'::regclass
  JOIN pg_class t ON t.oid = d.refobjid AND t.oid <> v.oid AND t.relkind IN ('r', 'p')
 WHERE n.nspname = 'public'
 GROUP BY 1, 2
 ORDER BY 1, 2;
