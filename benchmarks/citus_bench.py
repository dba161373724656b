"""Benchmark (not a test): the warehouse on a local Citus cluster, a coordinator and two
workers on loopback (issue [13], docs/scale-out.md "Warehouse on Citus").

    .venv/bin/python benchmarks/citus_bench.py [--repeat 3] [--keep] [--out FILE]

1. Starts three PostgreSQL clusters from `pg_config --bindir` with
   shared_preload_libraries = citus (trust on loopback only; throwaway folders), makes
   the cockpit database and roles on each, and joins the workers to the coordinator.
2. Migrates the schema on the coordinator and loads the demo district there, as plain
   tables, then records every request-path query the pages run: each page of app.py
   run once in AppTest (benchmarks/page_runs.py) as the demo's district, street and
   community viewers, with the runner's query function wrapped to note the query, its
   parameters, scope and session.
3. Replays every recorded query through the runner's own `_run` (the reader role, the
   scope set as the app sets it) `--repeat` times: the single-node times and rows.
4. Applies the schema's distributed form (below), then replays the same queries again
   and compares each one's rows with the single node's.

The distributed form, as far as the schema allows today: the row-level security
policies of the Citus tables are replaced by one that reads only a setting (the plan of
docs/scale-out.md; its subqueries would make Citus refuse the tables), the triggers are
kept with `citus.enable_unsafe_triggers = on`, the dim_ tables become reference tables
and the fact_, ledger_ and rollup_ tables are distributed by community_code, co-located
with fact_incident (`warehouse/citus_rules.py`'s placement). Each step's outcome is
printed; a step Citus refuses is reported, not hidden. The replay sets the new policy's
setting, `cockpit.communities`, to the viewer's communities with SET LOCAL and
`citus.propagate_set_commands = 'local'`, as scale-out.md proposes.

Skips (exit 0, with why) when Citus is not installed for the server of `pg_config`.
Never starts anything outside its temporary folder; stops the three servers at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

if __package__ in (None, ""):  # run as benchmarks/citus_bench.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402

from warehouse.citus_rules import placement  # noqa: E402

OWNER, READER, SUPER = "cockpit_owner", "cockpit_reader", "postgres"
DATABASE = "cockpit"
DEMO_SEED = 2026
# The policy of docs/scale-out.md step 4: no subquery, no table read, only a setting.
SETTING_POLICY = (
    "CREATE POLICY scope_read ON {table} FOR SELECT TO cockpit_reader USING "
    "(community_code = ANY (string_to_array(current_setting('cockpit.communities', true), ',')))"
)
# Migration 028's street and district rollups have no community_code (coordinator-local on
# Citus); the same idea: the coordinator works the answer out, the policy reads a setting.
STREET_POLICY = (
    "CREATE POLICY scope_read ON {table} FOR SELECT TO cockpit_reader USING "
    "(street_code = ANY (string_to_array(current_setting('cockpit.whole_streets', true), ',')))"
)
DISTRICT_POLICY = (
    "CREATE POLICY scope_read ON {table} FOR SELECT TO cockpit_reader USING "
    "(coalesce(current_setting('cockpit.whole_district', true), '') = 'on')"
)


# docs/scale-out.md: a journal's entries share its community, so each shard's statement
# sees all of a journal's new entries; old entries netted to zero when they came in.
BALANCE_CHECK = """
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE unbalanced record;
BEGIN
    SELECT community_code, journal_id, sum(amount) AS net INTO unbalanced
      FROM new_entries GROUP BY 1, 2 HAVING sum(amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger journal %/% does not balance (nets to %)',
            unbalanced.community_code, unbalanced.journal_id, unbalanced.net
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def citus_available() -> tuple[Path | None, str]:
    """The server's bin folder when citus.so and its control file are installed there."""
    try:
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        libdir = subprocess.run(
            ["pg_config", "--pkglibdir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        sharedir = subprocess.run(
            ["pg_config", "--sharedir"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as error:
        return None, f"pg_config not usable ({error})"
    if not (Path(libdir) / "citus.so").exists():
        return None, f"citus.so is not in {libdir} (Citus is not installed for this server)"
    if not (Path(sharedir) / "extension" / "citus.control").exists():
        return None, f"citus.control is not in {sharedir}/extension"
    return Path(bindir), ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Node:
    name: str
    folder: Path
    port: int = field(default_factory=_free_port)

    def url(self, role: str, database: str = DATABASE) -> str:
        return f"postgresql+psycopg2://{role}@127.0.0.1:{self.port}/{database}"


class Cluster:
    """A coordinator and two workers, each a PostgreSQL cluster in `root`, as a system
    user (PostgreSQL refuses root)."""

    def __init__(self, bindir: Path, root: Path):
        from warehouse.server import SYSTEM_USER, _ensure_system_user, _make_traversable

        self.bindir = bindir
        self.root = root
        self.user = _ensure_system_user() if os.geteuid() == 0 else None
        self.system_user = SYSTEM_USER
        self.nodes = [Node(name, root / name) for name in ("coordinator", "worker1", "worker2")]
        self.started: list[Node] = []
        if self.user:
            _make_traversable(root)

    def _as_server_user(self, args: list[str]) -> None:
        kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid} if self.user else {}
        subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)

    def start(self) -> None:
        for node in self.nodes:
            node.folder.mkdir(parents=True)
            if self.user:
                os.chown(node.folder, self.user.pw_uid, self.user.pw_gid)
            self._as_server_user(
                [str(self.bindir / "initdb"), "-D", str(node.folder / "data"), "-U", SUPER,
                 "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]
            )  # fmt: skip
            with (node.folder / "data" / "postgresql.conf").open("a") as conf:
                conf.write(
                    "\n# citus_bench\n"
                    "shared_preload_libraries = 'citus'\n"
                    "listen_addresses = '127.0.0.1'\n"
                    f"port = {node.port}\n"
                    "unix_socket_directories = ''\n"
                    "max_connections = 200\n"
                    "shared_buffers = 512MB\n"
                    "work_mem = 32MB\n"
                    "jit = off\n"
                    "timezone = 'Asia/Shanghai'\n"
                    "citus.enable_unsafe_triggers = on\n"
                    # loopback only; the server runs with root's HOME, whose
                    # ~/.postgresql its user may not read
                    "citus.node_conninfo = 'sslmode=disable'\n"
                    # Citus creates the triggers' functions on the workers before the
                    # tables they name exist there (as pg_dump does, bodies unchecked)
                    "check_function_bodies = off\n"
                )
            self._as_server_user(
                [str(self.bindir / "pg_ctl"), "-D", str(node.folder / "data"), "-w", "-t", "60",
                 "-l", str(node.folder / "server.log"), "start"]
            )  # fmt: skip
            self.started.append(node)

    def stop(self) -> None:
        for node in reversed(self.started):
            with contextlib.suppress(subprocess.CalledProcessError):
                self._as_server_user(
                    [str(self.bindir / "pg_ctl"), "-D", str(node.folder / "data"), "-m", "fast",
                     "-w", "stop"]
                )  # fmt: skip
        self.started = []

    @property
    def coordinator(self) -> Node:
        return self.nodes[0]


def superuser_sql(node: Node, statements: list[str], database: str = DATABASE) -> None:
    engine = create_engine(node.url(SUPER, database), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def prepare_nodes(cluster: Cluster) -> str:
    """Roles, database and the extension on every node; the workers joined. Returns
    Citus's version."""
    for node in cluster.nodes:
        superuser_sql(
            node,
            [
                f"CREATE ROLE {OWNER} LOGIN",
                f"CREATE ROLE {READER} LOGIN",
                f"CREATE DATABASE {DATABASE} OWNER {OWNER} ENCODING 'UTF8'",
                f"ALTER DATABASE {DATABASE} SET timezone TO 'Asia/Shanghai'",
                f"ALTER ROLE {READER} SET default_transaction_read_only TO on",
            ],
            database="postgres",
        )
        superuser_sql(node, ["CREATE EXTENSION citus"])
    coordinator = cluster.coordinator
    superuser_sql(
        coordinator,
        [f"SELECT citus_set_coordinator_host('127.0.0.1', {coordinator.port})"]
        + [f"SELECT citus_add_node('127.0.0.1', {node.port})" for node in cluster.nodes[1:]],
    )
    engine = create_engine(coordinator.url(SUPER))
    with engine.connect() as connection:
        version = connection.execute(text("SELECT citus_version()")).scalar_one()
    engine.dispose()
    return version


@dataclass
class Recorded:
    """One request-path query as a page ran it."""

    name: str
    named: object  # sqlfiles query: .clause()
    scope: object  # data_access Scope
    params: dict
    session: str | None
    viewer: str

    def key(self) -> tuple:
        return (self.name, self.viewer, repr(sorted(self.params.items(), key=str)))


def record_page_queries(owner_url: str) -> list[Recorded]:
    """Run every page once per demo viewer and note each query that reached the
    database (the runner's _fetch_now, wrapped)."""
    from benchmarks import page_runs
    from data_access import runner

    owner = create_engine(owner_url)
    viewers = page_runs.sign_in_viewers(owner)
    owner.dispose()
    recorded: dict[tuple, Recorded] = {}
    current = {"viewer": ""}
    original = runner._fetch_now

    signature = inspect.signature(original)

    def noting(*args, **kwargs):
        # by name, so that a parameter the runner gains later passes through untouched
        given = signature.bind(*args, **kwargs).arguments
        item = Recorded(
            given["name"], given["named"], given["scope"], dict(given["bound"]),
            given["session"], current["viewer"],
        )  # fmt: skip
        recorded.setdefault(item.key(), item)
        return original(*args, **kwargs)

    runner._fetch_now = noting
    try:
        for label, viewer in viewers.items():
            current["viewer"] = label
            page_runs.measure_pages({label: viewer}, cold=1, warm=0, say=say)
            runner.settle(60)
    finally:
        runner._fetch_now = original
    return list(recorded.values())


@dataclass
class Replay:
    seconds: list[float] = field(default_factory=list)
    rows: int = 0
    frame: object = None
    error: str | None = None

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def replay(reader_url: str, queries: list[Recorded], repeat: int, citus: bool) -> dict:
    """Each query `repeat` times as the app runs it (data_access.runner._run); on the
    cluster, inside a transaction that first sets the setting policy's list."""
    from data_access import runner

    engine = create_engine(reader_url)
    communities = _communities_by_scope(engine, queries)
    results = {}
    try:
        for item in queries:
            result = Replay()
            for _ in range(repeat):
                try:
                    started = time.perf_counter()
                    if citus:
                        frame = _run_with_list(engine, item, communities[item.scope.setting()])
                    else:
                        frame, _version = runner._run(
                            engine, item.named.clause(), item.scope, item.params, item.session
                        )
                    result.seconds.append(time.perf_counter() - started)
                    result.frame, result.rows = frame, len(frame)
                except Exception as error:  # a query Citus cannot run: reported, not fatal
                    result.error = str(getattr(error, "orig", error)).strip().splitlines()[0]
                    if _server_went_away(result.error):
                        result.error = "the coordinator's backend crashed (see its log)"
                        _wait_for_recovery(engine)
                    break
            results[item.key()] = result
    finally:
        engine.dispose()
    return results


def _server_went_away(message: str) -> bool:
    return any(
        sign in message
        for sign in ("closed the connection", "recovery mode", "terminating connection")
    )


def _wait_for_recovery(engine, seconds: float = 90) -> None:
    """After a backend crash the server restarts every backend and replays its WAL."""
    engine.dispose()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except Exception:
            time.sleep(1)
    raise RuntimeError("the coordinator did not come back after a crash")


def crashes(log: Path) -> list[str]:
    """'signal N: query…' for each backend the coordinator's log says crashed."""
    found = []
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for n, line in enumerate(lines):
        if "was terminated by signal" in line:
            signal = line.split("terminated by ", 1)[1]
            query = next(
                (
                    following.split("was running: ", 1)[1]
                    for following in lines[n + 1 : n + 3]
                    if "was running: " in following
                ),
                "?",
            )
            found.append(f"{signal}, running: {query.strip()[:120]}")
    return found


def _communities_by_scope(engine, queries: list[Recorded]) -> dict[str, dict[str, str]]:
    """scope -> the settings the setting policies read: the communities the app's scope
    gives it, whether it is the whole district, the streets it covers whole (read as the
    reader, through the app's own scope functions, before distributing)."""
    from data_access import runner

    lists = {}
    for item in queries:
        if item.scope.setting() in lists:
            continue
        with engine.begin() as connection:
            connection.execute(
                text(
                    "SELECT set_config('cockpit.scope', :scope, true),"
                    " set_config('cockpit.session', :session, true)"
                ),
                {"scope": item.scope.setting(), "session": item.session or ""},
            )
            codes = connection.execute(text("SELECT scope_communities()")).scalar_one()
            if codes is None:  # the whole district: every community, said outright
                codes = connection.execute(
                    text("SELECT array_agg(community_code ORDER BY 1) FROM dim_community")
                ).scalar_one()
            whole = connection.execute(text("SELECT scope_is_whole_district()")).scalar_one()
            streets = connection.execute(text("SELECT scope_whole_streets()")).scalar_one()
        lists[item.scope.setting()] = {
            "cockpit.communities": ",".join(codes or []),
            "cockpit.whole_district": "on" if whole else "off",
            "cockpit.whole_streets": ",".join(streets or []),
        }
    del runner
    return lists


def _run_with_list(engine, item: Recorded, communities: dict[str, str]):
    import pandas as pd

    with engine.begin() as connection:
        connection.execute(text("SET LOCAL citus.propagate_set_commands = 'local'"))
        for name, value in communities.items():  # SET LOCAL takes no bind parameters
            quoted = value.replace("'", "''")
            connection.execute(text(f"SET LOCAL {name} = '{quoted}'"))
        connection.execute(
            text(
                "SELECT set_config('cockpit.scope', :scope, true),"
                " set_config('cockpit.session', :session, true)"
            ),
            {"scope": item.scope.setting(), "session": item.session or ""},
        )
        result = connection.execute(item.named.clause(), item.params)
        return pd.DataFrame(result.mappings().all(), columns=list(result.keys()))


@dataclass
class Step:
    what: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0


def distribute(coordinator: Node) -> list[Step]:
    """The schema's distributed form, one statement at a time, each outcome kept."""
    steps: list[Step] = []
    engine = create_engine(coordinator.url(SUPER), isolation_level="AUTOCOMMIT")

    def run(what: str, statement: str) -> bool:
        started = time.perf_counter()
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        except Exception as error:
            detail = str(getattr(error, "orig", error)).strip().splitlines()[0]
            steps.append(Step(what, False, detail, time.perf_counter() - started))
            return False
        steps.append(Step(what, True, "", time.perf_counter() - started))
        return True

    with engine.connect() as connection:
        tables = [
            row.relname
            for row in connection.execute(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1"
                )
            )
        ]
        policies = connection.execute(
            text(
                "SELECT c.relname, p.polname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
                " ORDER BY 1, 2"
            )
        ).all()
    citus_tables = {t for t in tables if placement(t) in ("distributed", "reference")}
    # Triggers whose functions touch other tables (the checker's trigger_reads_tables):
    # on a shard they would write tables the worker does not have (seen: copying
    # fact_incident's rows into its shards fired the delta trigger there). The balance
    # check is rewritten to read its transition table only; the others are dropped, as
    # docs/scale-out.md plans (the loader would mark days and freshness itself).
    from warehouse.citus_rules import find_violations

    with engine.connect() as connection:
        touching = sorted(
            (found.table, found.subject)
            for found in find_violations(connection)
            if found.rule == "trigger_reads_tables"
        )
    for table, trigger in touching:
        if trigger == "ledger_entry_balanced":
            run("balance check reads only new_entries", BALANCE_CHECK)
        else:
            run(f"drop trigger {trigger} on {table}", f'DROP TRIGGER "{trigger}" ON {table}')
    with engine.connect() as connection:
        keyed = set(
            connection.execute(
                text(
                    "SELECT table_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND column_name = 'community_code'"
                )
            ).scalars()
        )
    with engine.connect() as connection:
        street_keyed = set(
            connection.execute(
                text(
                    "SELECT table_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND column_name = 'street_code'"
                )
            ).scalars()
        )
    for table, policy in policies:
        if table not in citus_tables:
            continue
        if table in keyed:
            setting_policy = SETTING_POLICY
        elif table in street_keyed:
            setting_policy = STREET_POLICY
        else:
            setting_policy = DISTRICT_POLICY
        if run(f"drop policy {policy} on {table}", f'DROP POLICY "{policy}" ON {table}'):
            run(f"setting policy on {table}", setting_policy.format(table=table))

    # A foreign key between two distributed tables (ledger_entry -> ledger_journal) stops
    # either being distributed first while the other is local: set it aside, put it
    # back once both are co-located.
    with engine.connect() as connection:
        foreign_keys = connection.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
                " FROM pg_constraint WHERE contype = 'f'"
                " AND connamespace = 'public'::regnamespace ORDER BY 1, 2"
            )
        ).all()
    between = [
        (table, name, definition)
        for table, name, definition in foreign_keys
        if placement(table) == "distributed"
        and placement(definition.split("REFERENCES ", 1)[1].split("(", 1)[0].strip())
        == "distributed"
    ]
    for table, name, _ in between:
        run(f"set aside foreign key {name}", f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')

    reference = [t for t in tables if placement(t) == "reference"]
    distributed = [t for t in tables if placement(t) == "distributed"]
    # fact_incident first: the others are co-located with it. Foreign keys decide the
    # rest of the order, so a refused table is tried again after the others.
    distributed.sort(key=lambda t: (t != "fact_incident", t != "ledger_journal", t))
    pending = [("reference", t) for t in reference] + [("distributed", t) for t in distributed]
    while pending:
        left = []
        for kind, table in pending:
            if kind == "reference":
                statement = f"SELECT create_reference_table('{table}')"
            elif table == "fact_incident":
                statement = "SELECT create_distributed_table('fact_incident', 'community_code')"
            else:
                statement = (
                    f"SELECT create_distributed_table('{table}', 'community_code',"
                    " colocate_with => 'fact_incident')"
                )
            if not run(f"{kind} {table}", statement):
                left.append((kind, table))
        if len(left) == len(pending):
            break
        # keep only the last failure of a table that went through on a later pass
        done = {(kind, table) for kind, table in pending} - set(left)
        steps[:] = [
            s for s in steps if s.ok or not any(s.what == f"{kind} {table}" for kind, table in done)
        ]
        pending = left
    for table, name, definition in between:
        statement = f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        run(f"restore foreign key {name}", statement)
    # A view over distributed tables is created on the workers when its tables are
    # distributed, without the reader's grant (seen: "permission denied for view
    # incident_open_spans" in a query Citus routed to one shard): granted again here,
    # from the coordinator, which propagates it.
    with engine.connect() as connection:
        grants = (
            connection.execute(
                text(
                    "SELECT DISTINCT table_name FROM information_schema.role_table_grants"
                    " WHERE table_schema = 'public' AND grantee = :reader"
                    " AND privilege_type = 'SELECT' AND table_name IN"
                    " (SELECT viewname FROM pg_views WHERE schemaname = 'public') ORDER BY 1"
                ),
                {"reader": READER},
            )
            .scalars()
            .all()
        )
    for view in grants:
        run(f"grant the reader view {view} again", f"GRANT SELECT ON {view} TO {READER}")
    engine.dispose()
    return steps


def _differing_columns(a, b) -> list[str]:
    if a is None or b is None or list(a.columns) != list(b.columns) or len(a) != len(b):
        return []
    order = list(a.columns)
    left = a.astype(str).sort_values(order).reset_index(drop=True)
    right = b.astype(str).sort_values(order).reset_index(drop=True)
    return [c for c in order if not left[c].equals(right[c])]


def _frames_equal(a, b) -> bool:
    if a is None or b is None:
        return False
    if list(a.columns) != list(b.columns) or len(a) != len(b):
        return False
    if not len(a):
        return True
    order = list(a.columns)
    left = a.astype(str).sort_values(order).reset_index(drop=True)
    right = b.astype(str).sort_values(order).reset_index(drop=True)
    return left.equals(right)


def _why_not(a, b) -> str:
    if a is None or b is None or len(a) != len(b):
        return f"**no**: {0 if b is None else len(b)} rows"
    columns = _differing_columns(a, b)
    return f"**no**: {', '.join(columns) or 'column names'} differ"


def report(version, steps, queries, single, cluster_results, repeat, started, crashed) -> str:
    lines = [
        f"Citus {version} on PostgreSQL 15 (Debian), coordinator + 2 workers on loopback, "
        f"one machine ({os.cpu_count()} cores); demo district (seed {DEMO_SEED}); "
        f"{len(queries)} request-path queries (page runs as district, street and community "
        f"viewers), each replayed {repeat}× through data_access.runner; p50 shown.",
        "",
        "### Distributed form",
        "",
        "| step | outcome | seconds |",
        "|---|---|---:|",
    ]
    for step in steps:
        outcome = "ok" if step.ok else f"**refused**: {step.detail}"
        lines.append(f"| {step.what} | {outcome} | {step.seconds:.2f} |")
    lines += [
        "",
        "### Request-path queries",
        "",
        "| query | viewer | rows | single node p50 | Citus p50 | × | same rows |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    same = failed = 0
    for item in sorted(queries, key=lambda q: (q.name, q.viewer)):
        one, many = single[item.key()], cluster_results[item.key()]
        if many.error or one.error:
            failed += 1
            lines.append(
                f"| {item.name} | {item.viewer} | {one.rows} | {one.p50 * 1000:.1f} ms | "
                f"**failed**: {(many.error or one.error)[:160]} | | |"
            )
            continue
        equal = _frames_equal(one.frame, many.frame)
        same += equal
        if not equal:
            say(f"{item.name} ({item.viewer}) differs:\n{one.frame.head(3)}\n{many.frame.head(3)}")
        lines.append(
            f"| {item.name} | {item.viewer} | {one.rows} | {one.p50 * 1000:.1f} ms | "
            f"{many.p50 * 1000:.1f} ms | {many.p50 / one.p50:.1f} | "
            f"{'yes' if equal else _why_not(one.frame, many.frame)} |"
        )
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    if crashed:
        lines += ["", "Backends of the coordinator that crashed (its log):", ""]
        lines += [f"- {line}" for line in crashed]
    lines += [
        "",
        f"{same} of {len(queries)} queries returned the single node's rows on Citus; "
        f"{failed} failed. Whole run {time.perf_counter() - started:.0f} s; "
        f"load average at the end {load} (the machine is shared).",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()

    bindir, why = citus_available()
    if bindir is None:
        print(f"citus_bench: skipped: {why}")
        return 0
    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="cockpit-citus-"))
    cluster = Cluster(bindir, root)
    os.environ.setdefault("COCKPIT_HMAC_KEY", "citus-bench")
    os.environ["COCKPIT_HOME"] = str(root / "home")
    try:
        say(f"starting 3 servers in {root}…")
        cluster.start()
        version = prepare_nodes(cluster)
        coordinator = cluster.coordinator
        os.environ["COCKPIT_OWNER_URL"] = coordinator.url(OWNER)
        os.environ["DATABASE_URL"] = coordinator.url(READER)

        from demo.district import load_demo
        from warehouse.migrate import migrate

        owner = create_engine(coordinator.url(OWNER))
        say("migrating and loading the demo district on the coordinator…")
        migrate(owner)
        load_demo(owner, seed=DEMO_SEED, today=date.today(), replace=False, progress=say)
        owner.dispose()

        say("recording the pages' queries…")
        queries = record_page_queries(coordinator.url(OWNER))
        say(f"{len(queries)} distinct queries; replaying on the single node…")
        single = replay(coordinator.url(READER), queries, args.repeat, citus=False)
        say("distributing…")
        steps = distribute(coordinator)
        say("replaying on the cluster…")
        from data_access import runner

        runner.query_cache().clear()
        on_cluster = replay(coordinator.url(READER), queries, args.repeat, citus=True)
        crashed = crashes(coordinator.folder / "server.log")
        text_report = report(
            version, steps, queries, single, on_cluster, args.repeat, started, crashed
        )
        print(text_report)
        if args.out:
            args.out.write_text(text_report + "\n", encoding="utf-8")
    finally:
        cluster.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
