"""Fully painted pages in a real browser (DESIGN §7: ≤ 2.5 s).

The app is served by `streamlit run` on loopback over the suite's warehouse, and
Debian's headless Chromium (tests/browser/harness.py, the browser tests' own harness)
signs in as each viewer through the sign-in form, then opens every page from its URL.
A page is timed from the navigation to the moment Streamlit's run was over and the page
was painted, the state the browser tests wait for (`wait_for_idle`: the script not
running, no skeleton left, a tile or text drawn, and still so 0.4 s later; the time is
when that state was first seen). The first opening of each page after the app started
meets that page's queries cold; the revisits meet the app's cache, as a leader switching
between pages does. Every request is checked to stay on the app's own host.

The browser keeps its HTTP cache, as a leader's does: Streamlit serves its ~140 script
files as immutable, so after the sign-in form has loaded them a page fetches only the
element code it is the first to use. (Playwright's request routing, which the browser
tests use to refuse other hosts, turns that cache off; here no host name resolves
instead.) The sign-in form itself is timed once with the cache empty, the cost of a
browser's very first visit, and every visit counts the script files it fetched.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from benchmarks.table import PAINT_S, Row, timing_row
from tests.browser.harness import (
    NO_NAME_RESOLVES,
    PAGE_PATHS,
    AppServer,
    BrowserSession,
    HarnessError,
    app_script,
    assert_no_exception,
    chromium_available,
    launch_browser,
    wait_for_idle,
)

# Every page, and the overview as a wall screen shows it.
PATHS = (*PAGE_PATHS, "/?mode=screen")
SIGN_IN_PATH = "/status"  # lands on the data status page, so the overview's first visit is timed
TIMEOUT_MS = 300_000  # a page over the budget is measured, not cut off


EMPTY_CACHE = "sign-in form, empty browser cache"
# Script and style files of Streamlit's bundle that this navigation fetched from the
# server rather than from the browser's cache (a cached file transfers 0 bytes).
_STATIC_FETCHED_JS = """
() => performance.getEntriesByType('resource')
  .filter((r) => new URL(r.name).pathname.startsWith('/static/') && r.transferSize > 0)
  .length
"""


@dataclass
class Paint:
    path: str
    viewer: str
    first: list[float] = field(default_factory=list)
    again: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    title: str = ""  # the page's heading as painted at the end of its first visit
    fetched_first: list[int] = field(default_factory=list)  # static files per visit
    fetched_again: list[int] = field(default_factory=list)


def _painted(session: BrowserSession, path: str) -> tuple[float, int]:
    """Seconds from the navigation to the painted page, and the static files fetched."""
    page = session.page
    started = time.monotonic()
    page.goto(session.base_url + path, wait_until="commit")
    painted_at = wait_for_idle(page, TIMEOUT_MS)
    assert_no_exception(page, path)
    return painted_at - started, page.evaluate(_STATIC_FETCHED_JS)


def _visit(paint: Paint, session: BrowserSession, first: bool, path: str = "") -> None:
    seconds, fetched = _painted(session, path or paint.path)
    (paint.first if first else paint.again).append(seconds)
    (paint.fetched_first if first else paint.fetched_again).append(fetched)


def measure_paint(accounts: dict[str, dict], revisits: int, paths=PATHS, say=print) -> list:
    """Per viewer (role -> demo account) and path: the first visit and the revisits, in
    seconds. A page that fails is noted in its errors and the run goes on."""
    from playwright.sync_api import sync_playwright

    server = AppServer(app_script(), dict(os.environ)).start(timeout=120)
    results = []
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright, NO_NAME_RESOLVES)
            for role, account in accounts.items():
                session = BrowserSession(
                    browser,
                    server.host,
                    f"paint-{role}",
                    timeout_ms=TIMEOUT_MS,
                    refuse_by_route=False,
                )
                say(f"paint the sign-in form as {role}, browser cache empty…")
                sign_in_form = Paint(EMPTY_CACHE, role)
                try:  # a new context's cache is empty
                    _visit(sign_in_form, session, first=True, path=SIGN_IN_PATH)
                except HarnessError as error:
                    sign_in_form.errors.append(str(error).splitlines()[0])
                results.append(sign_in_form)
                session.sign_in(account["username"], account["password"], path=SIGN_IN_PATH)
                for path in paths:
                    say(f"paint {path} as {role}…")
                    paint = Paint(path, role)
                    try:
                        _visit(paint, session, first=True)
                        # a wall screen has no heading of its own: its tab's title
                        heading = session.page.locator("h1")
                        paint.title = (
                            heading.first.inner_text() if heading.count() else session.page.title()
                        )
                        for _ in range(revisits):
                            _visit(paint, session, first=False)
                    except HarnessError as error:
                        paint.errors.append(str(error).splitlines()[0])
                    results.append(paint)
                external = session.external_requests()
                if external:
                    results[-1].errors.append(f"requests off the app's host: {external[:3]}")
                session.close()
            browser.close()
    finally:
        server.stop()
    return results


def paint_rows(results: list[Paint]) -> list[Row]:
    rows = []
    for paint in results:
        visits = (
            ("first visit", paint.first, paint.fetched_first),
            ("revisit", paint.again, paint.fetched_again),
        )
        for kind, seconds, fetched in visits:
            if not seconds:
                continue
            what = f"{paint.path} · {paint.viewer} ({max(fetched)} script files fetched)"
            row = timing_row(f"page painted, {kind}", what, seconds, PAINT_S)
            if paint.errors:
                row = Row(row.measure, row.what, row.n, row.p50, row.p95, row.budget, "ERROR")
            rows.append(row)
    return rows


def available() -> bool:
    return chromium_available()
