"""Run a named query for a scope: one transaction, scope set first, results cached.

Results are cached by (query, parameters, scope) for CACHE_TTL seconds, and the last
good result is kept, so when the warehouse is down a page can keep showing what it
had, marked stale (`frame.attrs["stale_since"]`), instead of an error.

A result past CACHE_TTL is still served, without running its query again, while the
warehouse has committed nothing since it was fetched (`warehouse_version`): a closed
period's figures, or a list of communities, are then asked once per change of the data
instead of once a minute. Only a live view's "now" moves every minute by itself.

One query runs at a time per cache key: a caller that misses while the same query is
already running waits for that run's result instead of running it again. Fifty wall
screens whose cache expired in the same minute ask the warehouse once, and a page's
calls fetched at once (data_access.at_once) may share a query.

A live view (T = now, to the minute) asks anew each minute. When the minute turns and
the warehouse has committed nothing since the last minute's result was fetched, that
result is served at once and the new minute's is computed behind it
(stale-while-revalidate): only the passing of time separates the two, so a wall screen
does not wait a whole-city query's seconds every minute for figures that moved by a
minute. New rows are never held back this way: after a commit, the caller waits.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

import pandas as pd
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from data_access import kept, period
from data_access.scope import Scope
from data_access.viewer import current_viewer
from sqlfiles import query

log = logging.getLogger(__name__)

# Seconds: figures move slowly; big screens refresh every 30–60 s. COCKPIT_CACHE_TTL
# shortens it for tests that watch new rows arrive.
CACHE_TTL = float(os.environ.get("COCKPIT_CACHE_TTL") or 60.0)
CACHE_ENTRIES = 4096
# Seconds a read of the warehouse's version is reused (by every key's revalidation): a
# result revalidated with it reflects the data of at most this long ago, never more
# than CACHE_TTL.
VERSION_TTL = min(2.0, CACHE_TTL)
STATEMENT_TIMEOUT_MS = 10_000
# Seconds an earlier minute's live result may stand in while the current minute's is
# computed: a wall screen reruns every 30-60 s; a desk coming back later waits instead.
LIVE_GRACE_S = 120.0
# Live results computed behind a served one at once (each holds a connection).
BACKGROUND_WORKERS = 2
CONNECT_TIMEOUT_S = 3
# Called with (query name, seconds, rows) after each database execution (never on a
# cache hit): benchmarks/suite.py times the request-path queries here. Empty in the app.
QUERY_OBSERVERS: list[Callable[[str, float, int], None]] = []


class WarehouseUnavailable(RuntimeError):
    """The warehouse could not be reached and nothing was cached for this view."""


class QueryTimedOut(WarehouseUnavailable):
    """The warehouse answered, but a query ran past the statement timeout (a scope too
    large for it) and nothing was cached for this view. Not an outage: the warehouse's
    health is left alone, and the page says what to do instead of "retrying"."""


QUERY_CANCELED = "57014"  # SQLSTATE of a statement cancelled by statement_timeout


@cache
def reader_engine(url: str) -> Engine:
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_recycle=600,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            "application_name": "cockpit-app",
        },
    )


def current_reader_url() -> str:
    from warehouse.config import settings

    return _reader_url_for(settings())


@cache
def _reader_url_for(config) -> str:
    # Once per process and configuration: finding (or starting) the embedded server
    # takes a lock and a pg_ctl call, too dear for every query. Its port is stable.
    from warehouse.db import reader_url

    return reader_url()


@dataclass
class _Entry:
    frame: pd.DataFrame
    fetched_at: float  # when fetched, or last found still current
    version: str | None = None  # the warehouse's version read just before the query ran


@dataclass
class Health:
    """What the last attempts to reach the warehouse said (shown in the page banner)."""

    down_since: float | None = None
    last_error: str | None = None
    last_success: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record_success(self) -> None:
        with self.lock:
            self.down_since = None
            self.last_error = None
            self.last_success = time.time()

    def record_failure(self, error: Exception) -> None:
        with self.lock:
            if self.down_since is None:
                self.down_since = time.time()
            self.last_error = type(error).__name__


class QueryCache:
    def __init__(self):
        self._fresh: OrderedDict[tuple, _Entry] = OrderedDict()
        self._last_good: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._running: dict[tuple, threading.Event] = {}
        # live family (a key without its "now") -> (the newest key fetched, its now)
        self._live: OrderedDict[tuple, tuple[tuple, datetime]] = OrderedDict()
        self.health = Health()

    def get_fresh(
        self, key: tuple, current_version: Callable[[], str | None] | None = None
    ) -> pd.DataFrame | None:
        """The key's result if fetched within CACHE_TTL, or older but still current:
        `current_version()` equals the version it was fetched at."""
        with self._lock:
            entry = self._fresh.get(key)
            if entry is None:
                return None
            if time.time() - entry.fetched_at <= CACHE_TTL:
                self._fresh.move_to_end(key)
                return entry.frame
        if entry.version is None or current_version is None:
            return None
        if current_version() != entry.version:
            return None
        with self._lock:
            entry.fetched_at = time.time()  # current as of now: the TTL starts again
            if key in self._fresh:
                self._fresh.move_to_end(key)
            return entry.frame

    def get_last_good(self, key: tuple) -> _Entry | None:
        with self._lock:
            return self._last_good.get(key)

    def put(self, key: tuple, frame: pd.DataFrame, version: str | None = None, live=None) -> None:
        """Keep a result; `live` = (family, now) for a live view's (see _live_family)."""
        entry = _Entry(frame, time.time(), version)
        with self._lock:
            for store in (self._fresh, self._last_good):
                store[key] = entry
                store.move_to_end(key)
                while len(store) > CACHE_ENTRIES:
                    store.popitem(last=False)
            if live is not None:
                family, now = live
                newest = self._live.get(family)
                if newest is None or newest[1] <= now:
                    self._live[family] = (key, now)
                    self._live.move_to_end(family)
                while len(self._live) > CACHE_ENTRIES:
                    self._live.popitem(last=False)

    def earlier_live(self, family: tuple, not_before: datetime) -> _Entry | None:
        """The family's newest result if its "now" is at or after `not_before`."""
        with self._lock:
            newest = self._live.get(family)
            if newest is None or newest[1] < not_before:
                return None
            return self._last_good.get(newest[0])

    def clear(self) -> None:
        with self._lock:
            self._fresh.clear()
            self._last_good.clear()
            self._live.clear()

    def start_run(self, key: tuple) -> tuple[threading.Event, bool]:
        """(the key's running query's end, True when the caller is to run it)."""
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return running, False
            running = self._running[key] = threading.Event()
            return running, True

    def end_run(self, key: tuple, running: threading.Event) -> None:
        with self._lock:
            if self._running.get(key) is running:
                del self._running[key]
        running.set()


@cache
def query_cache() -> QueryCache:
    return QueryCache()


def _freeze(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item) for item in value)
    return value


def fetch(name: str, scope: Scope, url: str | None = None, **params) -> pd.DataFrame:
    """Rows of the named query as the scope sees them (cached; stale when the warehouse is down)."""
    named = query(name)
    url = url or current_reader_url()
    viewer = current_viewer()
    if "scope_codes" in named.params and "scope_codes" not in params:
        # The whole district asked for by a narrower viewer is the viewer's scope.
        narrowest = viewer.scope if viewer and scope.kind == "district" else scope
        params = {**params, "scope_codes": scope_codes(narrowest, url)}
    missing = named.params - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameters {sorted(missing)}")
    bound = {key: params[key] for key in named.params}
    session = viewer.token_hash if viewer else None
    # Results depend on the scope asked for and the viewer's own scope that bounds it.
    bound_by = viewer.scope.setting() if viewer else None
    params_key = tuple(sorted((k, _freeze(v)) for k, v in bound.items()))
    key = (name, url, scope.setting(), bound_by, params_key)
    cache_store = query_cache()
    cached = cache_store.get_fresh(key, lambda: warehouse_version(url))
    if cached is not None:
        return cached
    live = _live_family(key, bound)
    keepable = kept.applies(name, scope, viewer, live=live is not None)
    if keepable:
        frame = _kept_frame(name, named, bound, url, scope, session, live)
        if frame is not None:
            cache_store.put(key, frame, warehouse_version(url), live)
            return frame
    if live is not None and not _exact_minute.get():
        earlier = _earlier_minute(cache_store, live, url)
        if earlier is not None:
            _compute_behind(name, key, url, named, scope, bound, session, live, keepable)
            return earlier
    running, runs_it = cache_store.start_run(key)
    if not runs_it:
        running.wait(STATEMENT_TIMEOUT_MS / 1000 + CONNECT_TIMEOUT_S)
        cached = cache_store.get_fresh(key)
        if cached is not None:
            return cached
        last_good = cache_store.get_last_good(key)
        if cache_store.health.down_since is not None and last_good is not None:
            return _stale(last_good)  # that run found the warehouse down: no second wait
        # that run failed otherwise (or is stuck): try, or fall back, as if alone
    try:
        return _fetch_now(name, key, url, named, scope, bound, session, live, keepable)
    finally:
        if runs_it:
            cache_store.end_run(key, running)


_exact_minute = contextvars.ContextVar("exact_minute", default=False)


@contextlib.contextmanager
def exact_minute():
    """Within it (and the calls data_access.at_once makes from it), a live view's result
    is the current minute's, waited for if need be: for what states its T, as a
    briefing does, which must not carry the minute before's figures."""
    token = _exact_minute.set(True)
    try:
        yield
    finally:
        _exact_minute.reset(token)


def _live_family(key: tuple, bound: dict) -> tuple[tuple, datetime] | None:
    """(the key without its "now", now) when the query is a live view's at the current
    minute: some bound instant is now (data_access.period) — :t, or a live period's
    :end_at. None for a fixed as-of, whose figures never move."""
    now = period.current_minute()
    if not any(isinstance(value, datetime) and value == now for value in bound.values()):
        return None
    name, url, scope, bound_by, params_key = key
    frozen_now = _freeze(now)
    timeless = tuple(item for item in params_key if item[1] != frozen_now)
    return (name, url, scope, bound_by, timeless), now


def _earlier_minute(cache_store: QueryCache, live, url: str) -> pd.DataFrame | None:
    """An earlier minute's result of the same live view, fetched at most LIVE_GRACE_S
    before now, when the warehouse has committed nothing since (time alone moved)."""
    family, now = live
    entry = cache_store.earlier_live(family, now - timedelta(seconds=LIVE_GRACE_S))
    if entry is None or entry.version is None:
        return None
    if warehouse_version(url) != entry.version:
        return None
    return entry.frame


BEHIND_THREAD_PREFIX = "cockpit-live"  # names the threads (QUERY_OBSERVERS may tell them)
_behind = ThreadPoolExecutor(BACKGROUND_WORKERS, thread_name_prefix=BEHIND_THREAD_PREFIX)
_behind_futures: set[Future] = set()
_behind_lock = threading.Lock()


def _compute_behind(name, key, url, named, scope, bound, session, live, keepable) -> None:
    """Compute the key's result in the background, unless it is already running."""
    cache_store = query_cache()
    running, runs_it = cache_store.start_run(key)
    if not runs_it:
        return

    def compute():
        try:
            _fetch_now(name, key, url, named, scope, bound, session, live, keepable)
        except WarehouseUnavailable:
            pass  # a later call meets the outage in the foreground and says so
        except Exception:
            log.exception("computing %s behind a served result failed", name)
        finally:
            cache_store.end_run(key, running)

    _submit_behind(compute)


def _submit_behind(function, *args) -> None:
    future = _behind.submit(function, *args)
    with _behind_lock:
        _behind_futures.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future) -> None:
    with _behind_lock:
        _behind_futures.discard(future)


def settle(timeout: float | None = None) -> None:
    """Wait for the results being computed behind served ones: for tests and benchmarks,
    which must not count or time them in their next step."""
    with _behind_lock:
        pending = set(_behind_futures)
    wait(pending, timeout)


def scope_codes(scope: Scope, url: str | None = None) -> list[str] | None:
    """What a query's :scope_codes says: the communities of the scope asked for (as the
    viewer sees them), None for the whole district. Said outright, they let the planner
    read the community indexes; row-level security, a function of the session no index
    serves, still decides which rows come back."""
    if scope.kind == "district":
        return None
    if scope.kind == "community":
        return [scope.code]
    return sorted(fetch("communities_in_scope", scope, url=url)["community_code"])


def _fetch_now(
    name, key, url, named, scope, bound, session, live=None, keepable=False
) -> pd.DataFrame:
    cache_store = query_cache()
    started = time.perf_counter()
    try:
        frame, version = _run(reader_engine(url), named.clause(), scope, bound, session)
    except DBAPIError as error:
        # Unreachable, timed out or dropped: fall back. Anything else is a bug: raise.
        if not (isinstance(error, OperationalError) or error.connection_invalidated):
            raise
        timed_out = getattr(error.orig, "pgcode", None) == QUERY_CANCELED
        if not timed_out:
            cache_store.health.record_failure(error)
        last_good = cache_store.get_last_good(key)
        if last_good is None:
            if timed_out:
                raise QueryTimedOut(name) from error
            raise WarehouseUnavailable(str(error.orig) if error.orig else str(error)) from error
        return _stale(last_good)
    cache_store.health.record_success()
    for observe in QUERY_OBSERVERS:
        observe(name, time.perf_counter() - started, len(frame))
    cache_store.put(key, frame, version, live)
    if keepable and version is not None:
        _submit_behind(_keep, name, named, bound, frame, version, url, scope, session, live)
    return frame


KEPT_READ = "kept_result_read"  # what QUERY_OBSERVERS hear for a kept result looked up

# (warehouse URL, kept_id) -> its decoded frame: a kept result read again each minute
# is not decoded again (kept_id counts in each warehouse)
_kept_frames: OrderedDict[tuple[str, int], pd.DataFrame] = OrderedDict()
_KEPT_FRAMES = 64


def _kept_frame(name, named, bound, url, scope, session, live) -> pd.DataFrame | None:
    """The warehouse's kept result of this whole-district query, if current (None when
    none is, or the warehouse cannot say: the query then runs as usual)."""
    if query_cache().health.down_since is not None:
        return None  # down: the query's own path falls back, without a second wait
    now = live[1] if live is not None else None
    where = kept.Key(name, named.sql, bound, now)
    started = time.perf_counter()
    try:
        rows, _ = _run(
            reader_engine(url),
            query(KEPT_READ).clause(),
            scope,
            {
                "query_name": name,
                "params_key": where.params_key,
                "live_day": where.live_day,
                "now": now or period.current_minute(),
                "known_id": _known_kept_id(url, name, where.params_key) or -1,
            },
            session,
        )
    except DBAPIError:
        return None
    for observe in QUERY_OBSERVERS:
        observe(KEPT_READ, time.perf_counter() - started, len(rows))
    if rows.empty:
        return None
    kept_id, payload = (url, int(rows.iloc[0]["kept_id"])), rows.iloc[0]["payload"]
    with _behind_lock:
        if payload is None and kept_id in _kept_frames:
            _kept_frames.move_to_end(kept_id)
            return _kept_frames[kept_id]
    if payload is None:
        return None
    frame = kept.decode(payload)
    with _behind_lock:
        _kept_frames[kept_id] = frame
        _kept_ids[(url, name, where.params_key)] = kept_id
        while len(_kept_frames) > _KEPT_FRAMES:
            _kept_frames.popitem(last=False)
    return frame


_kept_ids: dict[tuple[str, str, str], tuple[str, int]] = {}


def _known_kept_id(url: str, name: str, params_key: str) -> int | None:
    """The kept result this process holds decoded for the key, if it still holds it."""
    with _behind_lock:
        kept_id = _kept_ids.get((url, name, params_key))
        return kept_id[1] if kept_id in _kept_frames else None


def _keep(name, named, bound, frame, version, url, scope, session, live) -> None:
    """Keep a whole-district result in the warehouse for every process (kept.py)."""
    now = live[1] if live is not None else None
    where = kept.Key(name, named.sql, bound, now)
    try:
        _run(
            reader_engine(url),
            query("kept_result_keep").clause(),
            scope,
            {
                "query_name": name,
                "params_key": where.params_key,
                "params": where.params,
                "live_day": where.live_day,
                "computed_for": now or bound.get("t") or period.current_minute(),
                "snapshot": version.split("@", 1)[0],
                "payload": kept.encode(frame),
            },
            session,
            writes=True,
        )
    except DBAPIError:
        log.warning("keeping %s failed", name, exc_info=True)


def _stale(last_good: _Entry) -> pd.DataFrame:
    stale = last_good.frame.copy()
    stale.attrs["stale_since"] = last_good.fetched_at
    return stale


# What the warehouse holds, in one string: its snapshot horizon (the newest transaction
# finished, those still running) and when the server started. Equal strings mean no
# transaction committed in between, anywhere on the server, so every query would return
# what it returned. Read-only viewers never move it; any write, a restart or a restore
# does. (On Citus, read through the coordinator, which assigns distributed writes'
# transactions.)
VERSION_SQL = "pg_current_snapshot()::text || '@' || pg_postmaster_start_time()::text"


def _run(
    engine: Engine, clause, scope: Scope, params: dict, session: str | None, writes=False
) -> tuple[pd.DataFrame, str]:
    """The query's rows, and the warehouse's version read just before it ran (in the
    same transaction, before the query's own snapshot: a commit in between changes the
    version later, so the rows are never taken for newer than they are). The reader's
    transactions are read-only by default; `writes` is for keep_result() alone."""
    with engine.begin() as connection:
        if writes:
            connection.execute(text("SET TRANSACTION READ WRITE"))
        version = (
            connection.execute(
                text(
                    "SELECT set_config('cockpit.scope', :scope, true),"
                    " set_config('cockpit.session', :session, true),"
                    f" {VERSION_SQL} AS version"
                ),
                {"scope": scope.setting(), "session": session or ""},
            )
            .one()
            .version
        )
        result = connection.execute(clause, params)
        return pd.DataFrame(result.mappings().all(), columns=list(result.keys())), version


_versions: dict[str, tuple[str, float]] = {}
_versions_lock = threading.Lock()


def warehouse_version(url: str) -> str | None:
    """The warehouse's version (VERSION_SQL), read at most VERSION_TTL ago; None when it
    cannot be read (then nothing is revalidated: the query path handles the outage)."""
    if query_cache().health.down_since is not None:
        # down: do not wait for a connection twice per query, nor take a version read
        # before the outage for one after it (the first query that runs says it is back)
        return None
    with _versions_lock:
        known = _versions.get(url)
    if known is not None and time.time() - known[1] <= VERSION_TTL:
        return known[0]
    read_at = time.time()
    try:
        with reader_engine(url).connect() as connection:
            version = connection.execute(text(f"SELECT {VERSION_SQL}")).scalar_one()
    except DBAPIError:
        return None
    with _versions_lock:
        _versions[url] = (version, read_at)
    return version
