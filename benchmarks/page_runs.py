"""Every page's script run in Streamlit's AppTest, cold and warm, as a signed-in viewer:
how long the script ran, how many bytes it queued for the browser, and which named
queries reached the database (data_access.runner.QUERY_OBSERVERS).

- Script run: from the run's first SCRIPT_STARTED to its last stop event, so AppTest's
  own set-up and element-tree parsing are left out. (Under AppTest every run starts
  with app.py's one-line switch out of pages-directory mode and a rerun; it is
  counted, as are any reruns a page asks for.)
- Bytes: the sum of ForwardMsg.ByteSize() over every message the run enqueued, which
  is what a browser session would be sent at most (Streamlit's queue may merge deltas
  to the same element before a flush).
- Cold: data_access's query cache, its derived results and Streamlit's caches cleared
  before the run: an app process that just started, on a warehouse as `cockpit
  refresh` leaves it, whole-city results kept (data_access/kept.py). Cold, nothing
  kept (the whole district's viewer only; no other reads them): the same, once, with
  the warehouse's kept results set aside too (the first viewer of a period since the
  data changed, if the refresh did not keep it); they are put back after it.
  Warm: run again with all of them populated (a query whose :t moved to
  the next minute runs again, as it would in the app).
- Next minute: what a wall screen's rerun meets once a minute. The app's clock is moved
  a minute on and every cached result is past its time to live. The warehouse is
  unchanged, so the live view's last-minute results are served and its queries (their
  "now" moved) run behind the rerun (data_access.runner); the rest are kept. Timed
  twice: the rerun, which the viewer waits for, and until the results computed behind
  it are in (the figures current again), which nobody waits for.
- Viewers: the district (the whole city at city scale), a street (a wall screen's
  usual scope) and a community.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine, text
from streamlit import config as streamlit_config
from streamlit import logger as streamlit_logger
from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.testing.v1 import AppTest, app_test
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from benchmarks.table import (
    BYTES_PER_RERUN,
    PAGE_COLD_S,
    PAGE_WARM_S,
    QUERY_S,
    Row,
    kb,
    percentile,
    timing_row,
)
from data_access import auth, derived, period, runner
from ui.auth_ui import VIEWER_KEY
from warehouse.accounts import add_user, list_users, reset_password

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 300
# (label, script, URL parameters): every page of app.py, and the overview on the wall.
PAGES = (
    ("overview", "pages/overview.py", {}),
    ("overview mode=screen", "pages/overview.py", {"mode": "screen"}),
    ("map", "pages/map.py", {}),
    ("incidents", "pages/incidents.py", {}),
    ("services", "pages/services.py", {}),
    ("points", "pages/points.py", {}),
    ("community", "pages/community.py", {}),
    ("status", "pages/status.py", {}),
)
_STOPS = {
    ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS,
    ScriptRunnerEvent.SCRIPT_STOPPED_WITH_COMPILE_ERROR,
    ScriptRunnerEvent.SCRIPT_STOPPED_FOR_RERUN,
}


@dataclass
class PageRun:
    seconds: float
    bytes_sent: int
    queries: list[tuple[str, float, int]]  # (name, seconds, rows) that reached the database
    error: str | None = None
    # queries run behind results served from the minute before (data_access.runner), and
    # seconds from the run's start until they were all in
    behind: list[tuple[str, float, int]] = field(default_factory=list)
    current_after: float | None = None


@dataclass
class PageResult:
    page: str
    viewer: str
    unkept: list[PageRun] = field(default_factory=list)
    cold: list[PageRun] = field(default_factory=list)
    warm: list[PageRun] = field(default_factory=list)
    next_minute: list[PageRun] = field(default_factory=list)

    @property
    def runs(self) -> tuple[PageRun, ...]:
        return (*self.unkept, *self.cold, *self.warm, *self.next_minute)

    @property
    def errors(self) -> list[str]:
        return [run.error for run in self.runs if run.error]


VIEWER_ROLES = ("district", "street", "community")


def viewer_accounts(owner: Engine) -> dict[str, dict]:
    """role -> {"username", "password"} for each of VIEWER_ROLES: the demo's accounts. A
    warehouse whose demo lacks the street or community account (another district) gets
    one for its first street or community."""
    with owner.connect() as connection:
        accounts = connection.execute(
            text("SELECT value FROM warehouse_meta WHERE key = 'demo_accounts'")
        ).scalar_one()
        first = {
            role: connection.execute(text(f"SELECT min({role}_code) FROM dim_{role}")).scalar_one()
            for role in ("street", "community")
        }
    by_role = {account["role"]: account for account in accounts}
    for role, scope_code in first.items():
        if role in by_role:
            continue
        username, password = f"bench_{role}", secrets.token_urlsafe(12)
        if username in {user["username"] for user in list_users(owner)}:
            reset_password(owner, username, password)
        else:
            add_user(owner, username, password, role, scope_code)
        by_role[role] = {"username": username, "password": password}
    return {role: by_role[role] for role in VIEWER_ROLES}


def sign_in_viewers(owner: Engine, accounts: dict[str, dict] | None = None) -> dict:
    """role -> auth.Viewer: `accounts` (default: the viewer_accounts), signed in."""
    viewers = {}
    for role, account in (accounts or viewer_accounts(owner)).items():
        answer = auth.sign_in(account["username"], account["password"])
        if answer.viewer is None:
            raise RuntimeError(f"the demo {role} account cannot sign in: {answer.reason}")
        viewers[role] = answer.viewer
    return viewers


class _Probe:
    """The script runners AppTest makes while patched; each notes its events."""

    def __init__(self):
        self.runners: list = []

    def runner_class(self):
        probe = self

        class MeasuredRunner(LocalScriptRunner):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.marks: list[tuple[ScriptRunnerEvent, float]] = []
                self.sent: list = []
                self.on_event.connect(self._note, weak=False)
                probe.runners.append(self)

            def _note(self, sender, event, **kwargs):
                if event == ScriptRunnerEvent.ENQUEUE_FORWARD_MSG:
                    self.sent.append(kwargs["forward_msg"])  # sized after the run
                else:
                    self.marks.append((event, time.perf_counter()))

        return MeasuredRunner

    def take(self) -> tuple[float, int]:
        """(script-run seconds, bytes enqueued) of the last run, forgetting it."""
        last = self.runners[-1]
        self.runners.clear()
        starts = [at for event, at in last.marks if event == ScriptRunnerEvent.SCRIPT_STARTED]
        stops = [at for event, at in last.marks if event in _STOPS]
        seconds = stops[-1] - starts[0] if starts and stops else float("nan")
        return seconds, sum(message.ByteSize() for message in last.sent)


@contextlib.contextmanager
def _measuring():
    probe, queries, behind = _Probe(), [], []

    def observe(name: str, seconds: float, rows: int) -> None:
        if threading.current_thread().name.startswith(runner.BEHIND_THREAD_PREFIX):
            behind.append((name, seconds, rows, time.perf_counter()))  # and when it was in
        else:
            queries.append((name, seconds, rows))

    original = app_test.LocalScriptRunner
    app_test.LocalScriptRunner = probe.runner_class()
    runner.QUERY_OBSERVERS.append(observe)
    # Driving AppTest and clearing caches from this thread makes Streamlit warn that
    # there is no script context, several lines per run: expected here, so quiet.
    # (AppTest re-applies the logger.level option at each run, so set the option.)
    level = streamlit_config.get_option("logger.level")
    streamlit_config.set_option("logger.level", "error")
    streamlit_logger.set_log_level("error")
    try:
        yield probe, queries, behind
    finally:
        app_test.LocalScriptRunner = original
        runner.QUERY_OBSERVERS.remove(observe)
        streamlit_config.set_option("logger.level", level)
        streamlit_logger.set_log_level(level)


def clear_caches() -> None:
    runner.query_cache().clear()
    derived.clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@contextlib.contextmanager
def _a_minute_later():
    """The app's clock (data_access.period, which reads "now") a minute on, and every
    cached result past its time to live."""
    saved = period.datetime, runner.CACHE_TTL
    clock = saved[0]

    class MinuteLater(datetime):
        @classmethod
        def now(cls, tz=None):
            return clock.now(tz) + timedelta(minutes=1)

    period.datetime, runner.CACHE_TTL = MinuteLater, -1.0
    try:
        yield
    finally:
        period.datetime, runner.CACHE_TTL = saved


def _run(app: AppTest, probe: _Probe, queries: list, behind: list) -> PageRun:
    before, before_behind = len(queries), len(behind)
    started = time.perf_counter()
    app.run()
    seconds, size = probe.take()
    runner.settle(TIMEOUT_S)  # not to be timed in the next run
    ran_behind = [(name, took, rows) for name, took, rows, _ in behind[before_behind:]]
    done_at = [done for *_, done in behind[before_behind:]]
    current_after = max(done_at) - started if done_at else None
    error = "; ".join(str(e.value)[:200] for e in app.exception) or None
    return PageRun(seconds, size, queries[before:], error, ran_behind, current_after)


def measure_page(
    label: str,
    script: str,
    params: dict,
    viewer_label: str,
    viewer,
    cold: int,
    warm: int,
    owner: Engine | None = None,
) -> PageResult:
    result = PageResult(label, viewer_label)
    with _measuring() as (probe, queries, behind):
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_S)
        app.session_state[VIEWER_KEY] = viewer
        for key, value in params.items():
            app.query_params[key] = value
        app.run()  # lands on the overview; the page's own runs follow
        probe.take()
        if script != PAGES[0][1]:
            app.switch_page(script)
        if owner is not None and viewer.scope.kind == "district":
            clear_caches()
            with kept_results_set_aside(owner):
                result.unkept.append(_run(app, probe, queries, behind))
        for _ in range(cold):
            clear_caches()
            result.cold.append(_run(app, probe, queries, behind))
        for _ in range(warm):
            result.warm.append(_run(app, probe, queries, behind))
        with _a_minute_later():
            result.next_minute.append(_run(app, probe, queries, behind))
    return result


def measure_pages(
    viewers: dict, cold: int, warm: int, pages=PAGES, say=print, owner: Engine | None = None
) -> list:
    """Given the owner, each page also runs once cold with nothing kept (see above)."""
    results = []
    for viewer_label, viewer in viewers.items():
        for label, script, params in pages:
            say(f"page {label} as {viewer_label}…")
            results.append(
                measure_page(label, script, params, viewer_label, viewer, cold, warm, owner)
            )
    return results


@contextlib.contextmanager
def kept_results_set_aside(owner: Engine):
    """Within it the warehouse keeps no whole-city result; after it, those it kept before
    are back (still current: the page runs write nothing), beside what the run kept. So
    the next pages, and the paint step, meet the results every page kept."""
    with owner.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS bench_kept_aside"))
        connection.execute(text("CREATE TABLE bench_kept_aside AS SELECT * FROM kept_result"))
        connection.execute(text("DELETE FROM kept_result"))
    try:
        yield
    finally:
        with owner.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO kept_result OVERRIDING SYSTEM VALUE"
                    " SELECT * FROM bench_kept_aside ON CONFLICT DO NOTHING"
                )
            )
            connection.execute(text("DROP TABLE bench_kept_aside"))


def page_rows(results: list[PageResult]) -> list[Row]:
    rows = []
    for r in results:
        what = f"{r.page} · {r.viewer}"
        # The next minute's live queries run again: the cold budget is the one to meet.
        kinds = (
            # nothing kept: what `cockpit refresh`'s keeping spares the first viewer
            ("cold, nothing kept", r.unkept, None),
            ("cold", r.cold, PAGE_COLD_S),
            ("warm", r.warm, PAGE_WARM_S),
            ("next minute", r.next_minute, PAGE_COLD_S),
        )
        for kind, runs, limit in kinds:
            if not runs:
                continue
            row = timing_row(f"page run {kind}", what, [run.seconds for run in runs], limit)
            if not kind.startswith("cold"):
                ran = sum(len(run.queries) for run in runs)
                of = sum(len(run.queries) for run in r.cold)
                ran_behind = sum(len(run.behind) for run in runs)
                also = f", {ran_behind} behind it" if ran_behind else ""
                row = _with_what(row, f"{what} ({ran} queries ran{also}; {of} cold)")
            if kind == "cold, nothing kept":
                ran = sum(len(run.queries) for run in runs)
                row = _with_what(row, f"{what} ({ran} queries ran)")
            rows.append(_with_errors(row, r.errors) if kind == "cold" else row)
            current = [run.current_after for run in runs if run.current_after is not None]
            if current:
                # Nobody waits for this: the viewer has the minute before's figures.
                rows.append(timing_row(f"figures current, {kind}", what, current, None))
        sizes = [run.bytes_sent for run in r.runs]
        top = max(sizes)
        rows.append(
            Row(
                "bytes per rerun",
                what,
                len(sizes),
                kb(percentile(sizes, 0.5)),
                f"max {kb(top)}",
                f"≤ {kb(BYTES_PER_RERUN)}",
                "ok" if top <= BYTES_PER_RERUN else "OVER",
            )
        )
    return rows


def query_rows(results: list[PageResult]) -> list[Row]:
    """Per named query and viewer, its database time over every cold run of every page,
    kept or not (one row per viewer: a street's query and the whole district's differ a
    hundredfold; a kept result read back is the query kept_result_read)."""
    by_query: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for result in results:
        for run in (*result.unkept, *result.cold):
            for name, seconds, count in run.queries:
                by_query.setdefault((name, result.viewer), []).append((seconds, count))
    order = {viewer: index for index, viewer in enumerate(dict.fromkeys(r.viewer for r in results))}
    rows = []
    for name, viewer in sorted(by_query, key=lambda key: (key[0], order[key[1]])):
        samples = by_query[(name, viewer)]
        most = max(count for _, count in samples)
        what = f"{name} · {viewer} (≤ {most:,} rows)"
        rows.append(timing_row("query", what, [s for s, _ in samples], QUERY_S))
    return rows


def _with_what(row: Row, what: str) -> Row:
    return Row(row.measure, what, row.n, row.p50, row.p95, row.budget, row.verdict)


def _with_errors(row: Row, errors: list[str]) -> Row:
    if not errors:
        return row
    return Row(row.measure, row.what, row.n, row.p50, row.p95, row.budget, "ERROR")
