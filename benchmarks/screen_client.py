"""One wall screen (大屏) without a browser, for benchmarks/screen_load.py: a websocket
client that speaks Streamlit's own protocol (BackMsg / ForwardMsg protobufs on
/_stcore/stream) the way the browser's frontend does — timers for every `auto_rerun`,
page switches, URL changes, the frontend's message cache — and the checks that a full
run drew the screen page. Split from screen_load.py (issue [12]): the client changes
with Streamlit's protocol, the load test with the budget and its report.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from ui import screen
from ui.formatting import MISSING
from ui.i18n import t

BAR_MARK = 'data-testid="screenBar"'
WALL_MARK = 'data-testid="wall"'
WALL_FIGURE = re.compile(r'data-testid="wallFigure">([^<]*)<')
# Pages composed for the wall (ui/wall_pages.py): one HTML block with the map and
# figures, no page title; the others draw their desk page in the screen's colours.
WALL_PAGES = {"overview", "incidents", "map", "services", "points"}
PAGES_WITH_TILES = {"overview", "incidents", "map", "services", "points", "community"}
DEFAULT_PAGE = Path(screen.PAGE_SCRIPTS["/"]).stem
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Rerun:
    """One answered request: a full page rerun ("refresh"), a bar-only "tick", a
    "watch" (the recovery fragment) or the screen's first "open"; or a broken
    "connection"."""

    session: int
    kind: str
    page: str
    sent: float
    seconds: float
    bytes: int
    problems: list[str]


@dataclass
class _Chain:
    """The runs answering one request, from its first new_session to script_finished."""

    sent: float
    fragment_ids: tuple[str, ...]
    full: bool = False
    page_hash: str = ""
    bytes: int = 0
    elements: Counter = field(default_factory=Counter)
    marks: set[str] = field(default_factory=set)
    headings: list[str] = field(default_factory=list)
    metric_values: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class ScreenClient:
    """One wall screen: a websocket session that behaves like Streamlit's frontend."""

    def __init__(self, number: int, port: int, query_string: str):
        self.number = number  # its place in the phase (and in the phase's query strings)
        self.url = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.base = f"http://127.0.0.1:{port}/"
        self.query_string = query_string
        self.page_hash = ""
        self.page_names: dict[str, str] = {}  # page_script_hash -> url path
        self.results: list[Rerun] = []
        self.unanswered = 0
        self.overlapping = 0  # timer requests sent while the last one was unanswered
        self.bar_fragment: str | None = None
        self._ws = None
        self._timers: dict[str, asyncio.Task] = {}
        self._timing = False
        self._outstanding: list[tuple[float, str]] = []  # (sent, fragment id or "")
        self._chain: _Chain | None = None
        self._settled = asyncio.Event()
        self._first_done = asyncio.Event()
        # The frontend's ForwardMsg cache: hash -> [last run, fragment id, kind, mark].
        self._cache: dict[str, list] = {}
        self._runs = 0
        self._max_age = 2
        self._reader: asyncio.Task | None = None

    # -- connection ----------------------------------------------------------------
    async def open(self) -> None:
        self._ws = await connect(
            self.url,
            subprotocols=["streamlit"],
            max_size=None,
            compression=None,  # the server's websocket compression is off by default
            ping_interval=None,
            open_timeout=60,
        )
        self._reader = asyncio.create_task(self._read())
        await self.send()  # the browser at / : no page hash yet, the default page

    async def close(self) -> None:
        self.stop_timers()
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    def start_timers(self) -> None:
        self._timing = True

    def stop_timers(self) -> None:
        self._timing = False
        for task in self._timers.values():
            task.cancel()
        self._timers.clear()

    async def wait_first_run(self, timeout: float) -> None:
        await asyncio.wait_for(self._first_done.wait(), timeout)

    async def wait_settled(self, timeout: float) -> None:
        """Until no request is waiting for an answer (or the timeout)."""
        deadline = time.perf_counter() + timeout
        while self._chain is not None or self._outstanding:
            self._settled.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                self.unanswered += len(self._outstanding) + (self._chain is not None)
                self._outstanding.clear()
                self._chain = None
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._settled.wait(), min(left, 1.0))

    async def send(
        self, fragment_id: str = "", page_hash: str | None = None, query_string: str | None = None
    ) -> None:
        """A rerun_script BackMsg as the frontend sends it (this page and URL by default)."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string if query_string is None else query_string
        state.page_script_hash = self.page_hash if page_hash is None else page_hash
        state.fragment_id = fragment_id
        state.is_auto_rerun = bool(fragment_id)
        state.cached_message_hashes.extend(self._cache)
        state.widget_states.SetInParent()
        context = state.context_info
        context.timezone = "Asia/Shanghai"
        context.timezone_offset = -480
        context.locale = "zh-CN"
        context.url = self.base + ("?" + state.query_string if state.query_string else "")
        context.color_scheme = "dark"
        if fragment_id and any(f == fragment_id for _, f in self._outstanding):
            self.overlapping += 1  # the timer fired again: the app is a whole tick behind
        self._outstanding.append((time.perf_counter(), fragment_id))
        await self._ws.send(message.SerializeToString())

    async def _timer(self, fragment_id: str, interval: float) -> None:
        # setInterval in the frontend: fires on schedule, whether or not a run is going.
        while True:
            await asyncio.sleep(interval)
            if self._timing:
                await self.send(fragment_id)

    # -- what the server sends ----------------------------------------------------------
    async def _read(self) -> None:
        try:
            async for frame in self._ws:
                message = ForwardMsg()
                message.ParseFromString(frame)
                self._handle(message, len(frame), time.perf_counter())
        except Exception as error:  # the connection broke: a problem of the phase
            now = time.perf_counter()
            self.results.append(Rerun(self.number, "connection", "", now, 0, 0, [repr(error)]))

    def _handle(self, message: ForwardMsg, size: int, now: float) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self._new_run(message, now)
        if self._chain is not None:  # between runs only session_status_changed arrives
            self._chain.bytes += size
        if kind == "auto_rerun":
            fragment_id = message.auto_rerun.fragment_id
            if fragment_id and fragment_id not in self._timers:
                self._timers[fragment_id] = asyncio.create_task(
                    self._timer(fragment_id, message.auto_rerun.interval)
                )
        elif kind == "stop_auto_rerun":
            for fragment_id in message.stop_auto_rerun.fragment_ids:
                task = self._timers.pop(fragment_id, None)
                if task:
                    task.cancel()
        elif kind == "navigation":
            self._navigation(message.navigation)
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "delta":
            self._delta(message)
        elif kind == "ref_hash":
            self._reference(message.ref_hash)
        elif kind == "session_event":
            if message.session_event.WhichOneof("type") == "script_compilation_exception":
                self._problem("script compilation exception")
        elif kind == "script_finished":
            self._finished(message.script_finished, now)

    def _new_run(self, message: ForwardMsg, now: float) -> None:
        session = message.new_session
        fragment_ids = tuple(message.metadata.run.fragment_ids)
        self._max_age = session.config.max_cached_message_age or self._max_age
        if self._chain is None:
            self._chain = _Chain(self._take_trigger(fragment_ids, now), fragment_ids)
        if not fragment_ids:
            # A full run answers every request sent before it started (the server
            # folds pending fragment reruns into it) and, in the frontend, clears the
            # auto-rerun timers; the run's own auto_rerun messages arm them again.
            self._outstanding = [(sent, f) for sent, f in self._outstanding if sent > now]
            for task in self._timers.values():
                task.cancel()
            self._timers.clear()
            self.page_hash = session.page_script_hash
            self._chain.full = True
            self._chain.page_hash = session.page_script_hash

    def _navigation(self, navigation) -> None:
        # st.navigation's pages and the page it runs; new_session's page list is the
        # one from before st.navigation ran, so the frontend (and this client) follow
        # this message.
        for page in navigation.app_pages:
            name = page.url_pathname or (DEFAULT_PAGE if page.is_default else "")
            self.page_names[page.page_script_hash] = name
        if navigation.page_script_hash:
            self.page_hash = navigation.page_script_hash
            if self._chain is not None:
                self._chain.page_hash = navigation.page_script_hash

    def _take_trigger(self, fragment_ids: tuple[str, ...], now: float) -> float:
        """When the oldest request this run answers was sent: a fragment run answers the
        requests for its fragments (the server folds pending ones into one run), a full
        run all of them. Exact while the server keeps up; behind a backlog, a full run
        seen late also takes requests that the server answers afterwards, and those
        later runs, finding no request, are timed from now (so are lower bounds)."""
        matching = [sent for sent, f in self._outstanding if not fragment_ids or f in fragment_ids]
        self._outstanding = [
            (sent, f) for sent, f in self._outstanding if fragment_ids and f not in fragment_ids
        ]
        return min(matching) if matching else now

    def _delta(self, message: ForwardMsg) -> None:
        delta = message.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        mark = ""
        if kind == "html" and BAR_MARK in element.html.body:
            mark = BAR_MARK
            self.bar_fragment = delta.fragment_id or self.bar_fragment
        elif kind == "html" and WALL_MARK in element.html.body:
            mark = WALL_MARK
            if self._chain is not None:
                self._chain.metric_values.extend(WALL_FIGURE.findall(element.html.body))
        elif kind == "html" and 'data-testid="screen' in element.html.body:
            mark = element.html.body.split('data-testid="', 1)[1].split('"', 1)[0]
            mark = f'data-testid="{mark}"'
        if message.metadata.cacheable and message.hash:
            entry = self._cache.setdefault(message.hash, [self._runs, delta.fragment_id, kind, ""])
            entry[0], entry[3] = self._runs, mark
        self._count(kind, mark)
        if kind == "heading" and self._chain is not None:
            self._chain.headings.append(element.heading.body)
        elif kind == "metric" and self._chain is not None:
            self._chain.metric_values.append(element.metric.body)
        elif kind == "exception":
            self._problem(f"exception: {element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            self._problem(f"error box: {element.alert.body}")

    def _reference(self, ref_hash: str) -> None:
        entry = self._cache.get(ref_hash)
        if entry is None:
            self._problem(f"ref_hash {ref_hash} is not in the message cache")
            return
        entry[0] = self._runs
        self._count(entry[2], entry[3])

    def _count(self, kind: str, mark: str) -> None:
        if self._chain is not None:
            self._chain.elements[kind] += 1
            if mark:
                self._chain.marks.add(mark)

    def _problem(self, text: str) -> None:
        if self._chain is None:
            self._chain = _Chain(time.perf_counter(), ())
        self._chain.problems.append(text)

    def _finished(self, status: int, now: float) -> None:
        chain = self._chain
        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN or chain is None:
            return  # st.rerun / st.switch_page: the same request goes on with a new run
        if status in FINISHED:
            self._expire_cache(chain.fragment_ids if not chain.full else ())
        else:
            chain.problems.append(f"script finished with status {status}")
        page = self.page_names.get(chain.page_hash, "?")
        self.results.append(
            Rerun(
                session=self.number,
                kind=self._kind(chain),
                page=page if chain.full else "",
                sent=chain.sent,
                seconds=now - chain.sent,
                bytes=chain.bytes,
                problems=chain.problems + (render_problems(chain, page) if chain.full else []),
            )
        )
        self._chain = None
        self._first_done.set()
        self._settled.set()

    def _kind(self, chain: _Chain) -> str:
        if not self._first_done.is_set():
            return "open"
        if chain.full:
            return "refresh"
        return "tick" if self.bar_fragment in chain.fragment_ids else "watch"

    def _expire_cache(self, fragment_ids: tuple[str, ...]) -> None:
        # ForwardMessageCache.incrementRunCount of the frontend.
        self._runs += 1
        for message_hash, (last, fragment_id, _, _) in list(self._cache.items()):
            if fragment_ids and fragment_id not in fragment_ids:
                continue
            if self._runs - last > self._max_age:
                del self._cache[message_hash]


def page_titles() -> dict[str, str]:
    names = {Path(script).stem for script in screen.PAGE_SCRIPTS.values()}
    return {name: t("app.title" if name == "overview" else f"page.{name}", "zh") for name in names}


TITLES = page_titles()


def render_problems(chain: _Chain, page: str) -> list[str]:
    """Why this full run did not draw the screen page (empty when it did)."""
    problems = []
    if BAR_MARK not in chain.marks:
        problems.append("no screen bar")
    if page in WALL_PAGES:
        if WALL_MARK not in chain.marks:
            problems.append(f"page {page!r}: no wall composition")
    else:
        title = TITLES.get(page)
        if title is None or title not in chain.headings:
            problems.append(f"page {page!r}: title {title!r} not among {chain.headings[:4]}")
    if page in PAGES_WITH_TILES:
        values = [value for value in chain.metric_values if value and value != MISSING]
        if len(values) < 3:
            problems.append(f"page {page!r}: {len(values)} figures with a value")
    return problems
