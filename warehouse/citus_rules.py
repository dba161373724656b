"""Would this schema distribute on Citus? Rules read from the PostgreSQL catalog.

The plan (DESIGN §2 "Scale-out", docs/scale-out.md): community_code is the
distribution column of every fact, ledger and rollup table, all of them co-located;
the dimensions are reference tables (a copy on every worker); the bookkeeping tables
stay local on the coordinator. Which table is which follows from its name, so a new
table is classified the moment a migration creates it, and one that fits no pattern
is itself a violation.

The rules are those Citus enforces when a table is distributed or a constraint is
added (its documentation, "Creating and Modifying Distributed Objects", and its
source: commands/foreign_constraint.c, commands/policy.c, commands/trigger.c), plus
two of this project's: community_code leads every unique key, and every distributed
and reference table has a primary key. Function bodies are scanned for table names
by a regular expression after their comments are removed (`code_of`): a table named
only in a `--` or `/* */` comment is not a read. Text in string literals still counts
(dynamic SQL, `EXECUTE format('INSERT INTO rollup_dirty …')`, is how several triggers
write), except for comments inside it, so a message that merely names a table in a
string is still a false positive.

Not wired into `cockpit check`; `violations(engine)` is what it would call.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from sqlfiles import all_queries

DISTRIBUTION_COLUMN = "community_code"
DISTRIBUTED_PREFIXES = ("fact_", "ledger_", "rollup_")  # rollup_dirty included
REFERENCE_PREFIX = "dim_"

# Tables that are neither distributed nor reference: they stay ordinary tables on the
# coordinator. None carries a community's rows, none is joined with the facts on a
# request path, and the app never needs them on a worker.
LOCAL_TABLES = {
    "ingest_load": "one row per load; written by `cockpit ingest`, read by the status page",
    "ingest_quarantine": "rejected input rows; owner only, references ingest_load",
    "warehouse_meta": "key/value facts about the warehouse (e.g. that it is the demo)",
    "schema_migrations": "created by warehouse/migrate.py: which migrations ran",
    "kept_result": "whole-city results kept for whole-district sessions (migration 031)",
    "data_write_log": "which transactions wrote the data, to outdate kept results",
    "data_write_log_forgotten": "one row: below which transaction data_write_log forgot",
    "data_events_until": "one row: the newest event a writer declared (migration 035)",
}

# Unique keys that lead with another column than the distribution column, and why. Citus
# only needs the column in the key; this project keeps it first unless a key says why
# not here, and a listed key without it is still a violation.
KEYS_LED_BY_ANOTHER_COLUMN = {
    "rollup_facility_day_pkey": "day first: a load's upserts of the recent days probe a few "
    "hundred adjacent leaves, not one per facility (migration 037)",
}

# pg_constraint codes of the referential actions Citus refuses on a foreign key that
# includes the distribution column (it would rewrite that column on a worker).
_SET_NULL, _SET_DEFAULT, _CASCADE = "n", "d", "c"
_ACTION_NAMES = {_SET_NULL: "SET NULL", _SET_DEFAULT: "SET DEFAULT", _CASCADE: "CASCADE"}


@dataclass(frozen=True)
class Layout:
    """Where each table of schema public goes on a Citus cluster."""

    distributed: tuple[str, ...]
    reference: tuple[str, ...]
    local: tuple[str, ...]
    unclassified: tuple[str, ...]


@dataclass(frozen=True, order=True)
class Violation:
    table: str
    rule: str
    subject: str  # the key, foreign key, column, policy or trigger concerned; "" for the table
    detail: str

    def __str__(self) -> str:
        return f"{self.table}: {self.detail}"


def placement(table: str) -> str | None:
    """'distributed', 'reference' or 'local' for a table of schema public; None if unknown."""
    if table.startswith(DISTRIBUTED_PREFIXES):
        return "distributed"
    if table.startswith(REFERENCE_PREFIX):
        return "reference"
    if table in LOCAL_TABLES:
        return "local"
    return None


def table_layout(bind: Engine | Connection) -> Layout:
    tables = [row.table_name for row in _rows(bind, "citus_tables")]
    by_placement = defaultdict(list)
    for table in tables:
        by_placement[placement(table)].append(table)
    return Layout(
        distributed=tuple(by_placement["distributed"]),
        reference=tuple(by_placement["reference"]),
        local=tuple(by_placement["local"]),
        unclassified=tuple(by_placement[None]),
    )


def violations(bind: Engine | Connection) -> list[str]:
    """Every rule the schema breaks, one line each (empty when Citus-ready)."""
    return [str(violation) for violation in find_violations(bind)]


def find_violations(bind: Engine | Connection) -> list[Violation]:
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return find_violations(connection)
    tables = _rows(bind, "citus_tables")
    citus_tables = {
        row.table_name
        for row in tables
        if placement(row.table_name) in ("distributed", "reference")
    }
    found = [
        *_classification(tables),
        *_distribution_columns(tables),
        *_primary_keys(tables),
        *_unique_keys(_rows(bind, "citus_unique_keys")),
        *_foreign_keys(_rows(bind, "citus_foreign_keys")),
        *_key_generators(_rows(bind, "citus_key_generators")),
        *_policies(_rows(bind, "citus_policies"), {row.table_name for row in tables}),
        *_triggers(_rows(bind, "citus_triggers"), {row.table_name for row in tables}, citus_tables),
        *_sql_functions(
            _rows(bind, "citus_sql_functions"), _rows(bind, "citus_view_tables"), tables
        ),
    ]
    return sorted(found)


def _rows(bind: Engine | Connection, name: str) -> list:
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return _rows(connection, name)
    return list(bind.execute(all_queries()[name].clause()))


def _classification(tables) -> list[Violation]:
    return [
        Violation(
            row.table_name,
            "unclassified",
            "",
            "is neither fact_/ledger_/rollup_ (distributed), dim_ (reference) nor a "
            "listed local table: rename it or add it to LOCAL_TABLES with why",
        )
        for row in tables
        if placement(row.table_name) is None
    ]


def _distribution_columns(tables) -> list[Violation]:
    distributed = [row for row in tables if placement(row.table_name) == "distributed"]
    # Co-located tables must share the distribution column's type; the dimension's
    # key (dim_community.community_code) is the type they all join on.
    expected_type = next(
        (row.community_code_type for row in tables if row.table_name == "dim_community"), "text"
    )
    found = []
    for row in distributed:
        if not row.has_community_code:
            found.append(
                Violation(
                    row.table_name,
                    "distribution_column_missing",
                    "",
                    f"has no {DISTRIBUTION_COLUMN} column to be distributed by",
                )
            )
            continue
        if not row.community_code_not_null:
            found.append(
                Violation(
                    row.table_name,
                    "distribution_column_nullable",
                    "",
                    f"{DISTRIBUTION_COLUMN} may be NULL (Citus cannot place a row without it)",
                )
            )
        if row.community_code_type != expected_type:
            found.append(
                Violation(
                    row.table_name,
                    "distribution_column_type",
                    "",
                    f"{DISTRIBUTION_COLUMN} is {row.community_code_type}, not {expected_type}: "
                    "co-located tables need the same distribution column type",
                )
            )
    return found


def _primary_keys(tables) -> list[Violation]:
    return [
        Violation(
            row.table_name,
            "primary_key_missing",
            "",
            f"has no primary key ({placement(row.table_name)} tables need one: upserts, "
            "and Citus replicates and moves shards by it)",
        )
        for row in tables
        if placement(row.table_name) in ("distributed", "reference") and not row.has_primary_key
    ]


def _unique_keys(keys) -> list[Violation]:
    found = []
    for key in keys:
        if placement(key.table_name) != "distributed":
            continue
        if key.kind == "exclusion constraint":
            operators = dict(zip(key.columns, key.operators, strict=False))
            if operators.get(DISTRIBUTION_COLUMN) != "=":
                found.append(
                    Violation(
                        key.table_name,
                        "exclusion_without_distribution_column",
                        key.index_name,
                        f"exclusion constraint {key.index_name} does not compare "
                        f"{DISTRIBUTION_COLUMN} with = (Citus can only check it within a shard)",
                    )
                )
        elif key.columns[:1] != [DISTRIBUTION_COLUMN] and not (
            key.index_name in KEYS_LED_BY_ANOTHER_COLUMN and DISTRIBUTION_COLUMN in key.columns
        ):
            found.append(
                Violation(
                    key.table_name,
                    "unique_key_not_led_by_distribution_column",
                    key.index_name,
                    f"{key.kind} {key.index_name} ({', '.join(key.columns)}) does not start with "
                    f"{DISTRIBUTION_COLUMN} (Citus refuses a unique key without it; "
                    "this project keeps it first)",
                )
            )
    return found


def _placement_of(schema: str, table: str) -> str | None:
    # Tables outside public (cockpit_auth) stay local on the coordinator.
    return placement(table) if schema == "public" else "local"


def _foreign_keys(keys) -> list[Violation]:
    found = []
    for key in keys:
        source = _placement_of(key.from_schema, key.from_table)
        target = _placement_of(key.to_schema, key.to_table)
        if source is None or target is None:
            continue  # reported as unclassified
        target_name = (
            key.to_table if key.to_schema == "public" else f"{key.to_schema}.{key.to_table}"
        )
        problem = _foreign_key_problem(source, target, key)
        if problem:
            rule, text = problem
            found.append(
                Violation(
                    key.from_table,
                    rule,
                    key.constraint_name,
                    f"foreign key {key.constraint_name} to {target_name}: {text}",
                )
            )
        if source == "distributed" and DISTRIBUTION_COLUMN in key.from_columns:
            refused = [
                f"ON {event} {_ACTION_NAMES[action]}"
                for event, action, refused_actions in (
                    ("DELETE", key.on_delete, (_SET_NULL, _SET_DEFAULT)),
                    ("UPDATE", key.on_update, (_SET_NULL, _SET_DEFAULT, _CASCADE)),
                )
                if action in refused_actions
            ]
            if refused:
                found.append(
                    Violation(
                        key.from_table,
                        "foreign_key_action_on_distribution_column",
                        key.constraint_name,
                        f"foreign key {key.constraint_name} to {target_name} has "
                        f"{' and '.join(refused)} on a key that includes {DISTRIBUTION_COLUMN} "
                        "(Citus never rewrites the distribution column)",
                    )
                )
    return found


def _foreign_key_problem(source: str, target: str, key) -> tuple[str, str] | None:
    if source == "distributed" and target == "distributed":
        columns_from, columns_to = key.from_columns, key.to_columns
        if (
            DISTRIBUTION_COLUMN in columns_from
            and DISTRIBUTION_COLUMN in columns_to
            and columns_from.index(DISTRIBUTION_COLUMN) == columns_to.index(DISTRIBUTION_COLUMN)
        ):
            return None
        return (
            "foreign_key_not_colocated",
            f"({', '.join(columns_from)}) -> ({', '.join(columns_to)}) does not pair "
            f"{DISTRIBUTION_COLUMN} with {DISTRIBUTION_COLUMN} at the same position "
            "(Citus checks it only between co-located shards)",
        )
    if source == "reference" and target == "distributed":
        return (
            "foreign_key_reference_to_distributed",
            "a reference table cannot point into a distributed table",
        )
    if source in ("distributed", "reference") and target == "local":
        return (
            "foreign_key_to_local",
            "a local table exists only on the coordinator, so workers cannot check it",
        )
    if source == "local" and target == "distributed":
        return (
            "foreign_key_local_to_distributed",
            "Citus supports foreign keys from local tables to reference tables only",
        )
    return None


def _key_generators(columns) -> list[Violation]:
    # Citus gives each node its own range of a sequence so workers can insert too;
    # the ranges only fit in bigint (identity columns on distributed tables must be
    # bigint since Citus 11.3).
    return [
        Violation(
            column.table_name,
            "key_generator_not_bigint",
            column.column_name,
            f"{column.column_name} is generated by a sequence but is {column.column_type}, "
            "not bigint",
        )
        for column in columns
        if placement(column.table_name) == "distributed" and column.column_type != "bigint"
    ]


def _policies(rows, public_tables: set[str]) -> list[Violation]:
    policies = defaultdict(lambda: {"subquery": False, "reads": {}})
    for row in rows:
        if placement(row.table_name) not in ("distributed", "reference"):
            continue
        policy = policies[(row.table_name, row.policy_name)]
        policy["subquery"] |= row.has_subquery
        if row.function_name:
            tables_read = _tables_named_in(code_of(row.function_definition), public_tables)
            if tables_read:
                policy["reads"][row.function_name] = tables_read
    found = []
    for (table, name), policy in policies.items():
        if policy["subquery"]:
            found.append(
                Violation(
                    table,
                    "policy_with_subquery",
                    name,
                    f"policy {name} has a subquery: Citus refuses to distribute a table "
                    "whose policy has one",
                )
            )
        for function, tables_read in sorted(policy["reads"].items()):
            found.append(
                Violation(
                    table,
                    "policy_reads_tables",
                    name,
                    f"policy {name} calls {function}, which reads {', '.join(tables_read)}: "
                    "on Citus the policy runs on the workers, inside each shard query, where "
                    "reading a Citus table is a nested distributed query",
                )
            )
    return found


def _triggers(rows, public_tables: set[str], citus_tables: set[str]) -> list[Violation]:
    found = []
    for row in rows:
        if row.table_name not in citus_tables:
            continue
        tables_touched = _tables_named_in(_trigger_code(row.function_definition), public_tables)
        if tables_touched:
            found.append(
                Violation(
                    row.table_name,
                    "trigger_reads_tables",
                    row.trigger_name,
                    f"trigger {row.trigger_name} runs {row.function_name}, which touches "
                    f"{', '.join(tables_touched)}: on Citus it fires on each shard, on a "
                    "worker, where that is a nested distributed query "
                    "(citus.enable_unsafe_triggers)",
                )
            )
    return found


def _sql_functions(functions, view_tables, tables) -> list[Violation]:
    """A LANGUAGE sql function that reads a distributed table, itself or through a view:
    PostgreSQL inlines it, Citus does not. Called with parameters it is refused ("SQL
    functions referencing distributed tables"); routed to one shard it read the
    coordinator's empty shell table and returned no rows (benchmarks/citus_bench.py,
    alerts_at, 2026-12-04). A view in the query itself is expanded before planning and
    is fine (migration 040); PL/pgSQL plans each statement, which Citus distributes."""
    distributed = {row.table_name for row in tables if placement(row.table_name) == "distributed"}
    through_views = defaultdict(set)
    for row in view_tables:
        if row.table_name in distributed:
            through_views[row.view_name].add(row.table_name)
    found = []
    for row in functions:
        named = _tables_named_in(
            code_of(row.definition, strings=False), distributed | set(through_views)
        )
        read = sorted({t for name in named for t in through_views.get(name, {name})})
        for table in read:
            found.append(
                Violation(
                    table,
                    "sql_function_reads_tables",
                    row.function_name,
                    f"the SQL function {row.signature} reads {table}: Citus does not "
                    "inline it (refused with parameters, or run on the coordinator's "
                    "empty shell); a view, or the query written out, reads it instead",
                )
            )
    return found


def _tables_named_in(source: str, tables: set[str]) -> list[str]:
    return sorted(
        table
        for table in tables
        if re.search(rf"(?<![\w.])(?:public\.)?{re.escape(table)}(?!\w)", source)
    )


# A definition as pg_get_functiondef prints it; the query citus_triggers appends the
# definitions of the helpers the trigger's function names, one after another.
_DEFINITION_START = re.compile(r"(?m)^(?=CREATE OR REPLACE FUNCTION )")
_DEFINED_NAME = re.compile(r"CREATE OR REPLACE FUNCTION (?:[\w\"]+\.)?\"?(\w+)\"?\s*\(")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\U0010ffff][\w\x80-\U0010ffff]*)?\$")


def _trigger_code(definitions: str) -> str:
    """The trigger function's code and that of the helpers its code calls. The query
    picks helpers by their name anywhere in the definition, comments included; here a
    helper counts only when its name is followed by `(` in the code."""
    first, *helpers = [part for part in _DEFINITION_START.split(definitions) if part.strip()]
    code = code_of(first)
    for helper in helpers:
        name = _DEFINED_NAME.match(helper)
        if name and re.search(rf"(?<![\w.]){re.escape(name.group(1))}\s*\(", code):
            code += "\n" + code_of(helper)
    return code


def code_of(sql: str, *, strings: bool = True) -> str:
    """SQL (or PL/pgSQL) with its comments blanked out: `--` to the end of the line and
    `/* */` (nested, as PostgreSQL nests them). A comment marker inside a string literal,
    a quoted identifier or a dollar-quoted string is not one, and a quote inside a comment
    opens nothing. The contents of string literals and dollar-quoted strings are kept,
    with their own comments blanked too: a function body is a dollar-quoted string, and
    dynamic SQL is a string; in either, a comment reads nothing. With strings=False
    string literals are emptied: code that cannot run a string (LANGUAGE sql) reads
    nothing it only spells out (a statement built with format(), migration 030)."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            out.append(" ")
        elif sql.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if sql.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif sql.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
        elif char == "'":
            escapes = i > 0 and sql[i - 1] in "Ee" and (i < 2 or not _word(sql[i - 2]))
            text, i = _string(sql, i + 1, backslash=escapes)
            out.append(f" '{code_of(text)}' " if strings else " '' ")
        elif char == '"':
            end = sql.find('"', i + 1)
            end = n if end < 0 else end + 1
            out.append(sql[i:end])
            i = end
        elif char == "$" and (tag := _DOLLAR_TAG.match(sql, i)) and not (i and _word(sql[i - 1])):
            start = tag.end()
            end = sql.find(tag.group(), start)
            end = n if end < 0 else end
            out.append(f" {code_of(sql[start:end], strings=strings)} ")
            i = min(n, end + len(tag.group()))
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _word(char: str) -> bool:
    return char.isalnum() or char in "_$"


def _string(sql: str, i: int, *, backslash: bool) -> tuple[str, int]:
    """A single-quoted literal's text from just after its opening quote (`''` is a quote;
    in an E'' literal so is `\\'`), and the position after its closing quote."""
    text: list[str] = []
    n = len(sql)
    while i < n:
        char = sql[i]
        if backslash and char == "\\" and i + 1 < n:
            text.append(sql[i : i + 2])
            i += 2
        elif char == "'":
            if sql.startswith("''", i):
                text.append("'")
                i += 2
            else:
                return "".join(text), i + 1
        else:
            text.append(char)
            i += 1
    return "".join(text), n
