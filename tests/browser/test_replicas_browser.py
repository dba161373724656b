"""Two app replicas behind nginx (what scripts/replicas runs) in a real browser.

Every request of one browser, its websocket included, reaches one replica; browsers
pinned to different replicas are served by those replicas and both show the
warehouse's figures; a session cookie signed in on one replica opens on the other
(sessions live in the warehouse); a browser whose replica is down is moved to the other.
Which replica answered is read from nginx's X-Cockpit-Replica header and checked
against nginx's access log, whose upstream port names the process that answered.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from harness import BrowserSession, app_script, browser_required, demo_account, is_local
from replicas import COOKIE, HEADER, REPLICAS, NginxError, Replicas, nginx_available

from data_access.period import today_local
from tests.app import expected
from ui.formatting import format_count

AS_OF = today_local() - timedelta(days=1)
START = AS_OF - timedelta(days=29)  # the default period: the 30 days to the as-of day
ASOF = f"asof={AS_OF.isoformat()}"
SESSION_COOKIE = "cockpit_session"  # ui/auth_ui.py

pytestmark = pytest.mark.skipif(
    not nginx_available() and not browser_required(),
    reason="nginx not installed (apt-get install nginx-light); "
    "set COCKPIT_REQUIRE_BROWSER=1 to make this a failure",
)


@pytest.fixture(scope="module")
def replicas(demo_warehouse, tmp_path_factory):
    if not nginx_available():
        pytest.fail(
            "nginx is missing but the browser tests are required here "
            "(CI=true or COCKPIT_REQUIRE_BROWSER=1); run scripts/test as root to install it",
            pytrace=False,
        )
    env = {
        **os.environ,
        **demo_warehouse.env(),
        # One data folder for both, as two replicas of one deployment share theirs.
        "COCKPIT_HOME": str(tmp_path_factory.mktemp("replicas-home")),
    }
    problem = None
    pair = Replicas(app_script(), env)
    try:
        pair.start(timeout=60)
    except (AssertionError, NginxError) as error:
        problem = str(error)
    if problem:
        pytest.fail(problem, pytrace=False)
    yield pair
    pair.stop()


@pytest.fixture(scope="module")
def figures(demo_warehouse) -> dict:
    """The as-of day's figures by independent SQL (tests/app/expected.py)."""
    return expected.figures(demo_warehouse.owner, START, AS_OF, AS_OF)


@dataclass
class Visitor:
    """A browser context through nginx that records which replica answered each response."""

    session: BrowserSession
    base_url: str
    answers: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def page(self):
        return self.session.page

    def replicas_seen(self) -> set[str | None]:
        return {replica for _, replica in self.answers}

    def pinned_to(self) -> str | None:
        cookies = self.session.context.cookies(self.base_url)
        return next((c["value"] for c in cookies if c["name"] == COOKIE), None)

    def websockets(self) -> int:
        return sum("/_stcore/stream" in url for url in self.session.requests)


@contextlib.contextmanager
def visitor(browser, replicas: Replicas, stem: str, pinned: str | None = None, cookies=()):
    """A fresh 1920×1080 context; `pinned` forces its cockpit_replica cookie. At the end,
    no request may have left nginx's host."""
    session = BrowserSession(browser, replicas.host, stem)
    who = Visitor(session, replicas.base_url)

    def record(response):
        if response.url.startswith(replicas.base_url + "/"):
            who.answers.append((response.url, response.headers.get(HEADER.lower())))

    session.context.on("response", record)
    forced = [{"name": COOKIE, "value": pinned, "url": replicas.base_url}] if pinned else []
    if forced or cookies:
        session.context.add_cookies([*forced, *cookies])
    try:
        yield who
    finally:
        session.close()
    outside = [url for url in session.requests if not is_local(url, replicas.host)]
    assert outside == [], f"requests left {replicas.host}: {outside}"


def sign_in(who: Visitor, warehouse) -> None:
    who.session.sign_in(*demo_account(warehouse.owner_url))


def tile(page, label: str) -> str:
    tiles = page.locator('[data-testid="stMetric"]', has_text=label)
    assert tiles.count() == 1, label
    return tiles.locator('[data-testid="stMetricValue"]').inner_text().strip()


def assert_overview_figures(page, figures: dict) -> None:
    assert tile(page, "常住人口") == format_count(figures["residents"])
    assert tile(page, "未结事件") == format_count(figures["open"])


def wait_for_stream_lines(replicas: Replicas, since: int, count: int) -> list[dict]:
    """nginx logs a websocket when it closes: wait for `count` of them after byte `since`."""
    deadline = time.monotonic() + 20
    while True:
        lines = [
            line
            for line in replicas.access_lines(since)
            if line["path"].startswith("/_stcore/stream")
        ]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)


def answering_port(line: dict) -> int:
    """The port of the last address nginx tried, i.e. the process that answered."""
    return int(line["upstream"].split(",")[-1].strip().rsplit(":", 1)[1])


def assert_log_names_the_answering_process(replicas: Replicas, lines: list[dict]) -> None:
    ports = replicas.ports()
    for line in lines:
        assert answering_port(line) == ports[line["served_by"]], line


def strays(replicas: Replicas, since: int, pinned: str) -> str:
    """What to read when a pinned browser was answered by the other replica: nginx's
    lines for requests carrying that pin but answered elsewhere (their upstream list
    shows the address that failed first), its error log, and the replicas' logs."""
    lines = [
        line
        for line in replicas.access_lines(since)
        if line["cookie"] == pinned and line["served_by"] != pinned
    ]
    return "\n".join([*map(str, lines), replicas.logs()])


def test_one_browser_stays_on_one_replica(browser, replicas, demo_warehouse, figures):
    since = replicas.access_log_size()
    with visitor(browser, replicas, "replicas-one-browser") as who:
        sign_in(who, demo_warehouse)
        page = who.session.open(f"/?{ASOF}")
        assert_overview_figures(page, figures)
        page = who.session.open(f"/incidents?{ASOF}")
        assert tile(page, "超期未结") == format_count(figures["overdue"])
        assert tile(page, "办结数") == format_count(figures["closed"])
        seen = who.replicas_seen()
        pinned = who.pinned_to()
        websockets = who.websockets()
    # The documents and the app's own scripts were among the responses seen.
    urls = [url for url, _ in who.answers]
    assert f"{replicas.base_url}/incidents?{ASOF}" in urls
    assert any("/static/" in url for url in urls)
    assert len(seen) == 1 and seen <= set(REPLICAS), seen
    assert pinned in seen
    # The websockets (one per page load: sign-in, overview, incidents) went there too.
    streams = wait_for_stream_lines(replicas, since, websockets)
    assert websockets >= 3 and len(streams) == websockets
    assert {line["served_by"] for line in streams} == seen
    assert_log_names_the_answering_process(replicas, replicas.access_lines(since))


def test_browsers_pinned_to_different_replicas_are_served_by_them(
    browser, replicas, demo_warehouse, figures
):
    since = replicas.access_log_size()
    with (
        visitor(browser, replicas, "replicas-pinned-a", pinned="a") as on_a,
        visitor(browser, replicas, "replicas-pinned-b", pinned="b") as on_b,
    ):
        for who in (on_a, on_b):
            sign_in(who, demo_warehouse)
        for who in (on_a, on_b):
            assert_overview_figures(who.session.open(f"/?{ASOF}"), figures)
        for who in (on_a, on_b):
            page = who.session.open(f"/services?{ASOF}")
            assert tile(page, "服务人次") == format_count(figures["visits"])
        websockets = on_a.websockets() + on_b.websockets()
    assert on_a.replicas_seen() == {"a"}, strays(replicas, since, "a")
    assert on_b.replicas_seen() == {"b"}, strays(replicas, since, "b")
    streams = wait_for_stream_lines(replicas, since, websockets)
    assert len(streams) == websockets
    assert {line["cookie"] for line in streams} == {"a", "b"}
    assert all(line["served_by"] == line["cookie"] for line in streams), streams
    assert_log_names_the_answering_process(replicas, replicas.access_lines(since))


def test_a_session_signed_in_on_one_replica_opens_on_the_other(
    browser, replicas, demo_warehouse, figures
):
    # Sessions live in the warehouse (cockpit_auth), not in the replica's memory.
    with visitor(browser, replicas, "replicas-sign-in-on-a", pinned="a") as on_a:
        sign_in(on_a, demo_warehouse)
        session_cookie = next(
            c for c in on_a.session.context.cookies(replicas.base_url)
            if c["name"] == SESSION_COOKIE
        )  # fmt: skip
        assert on_a.replicas_seen() == {"a"}
    carried = {k: session_cookie[k] for k in ("name", "value", "domain", "path")}
    with visitor(browser, replicas, "replicas-resume-on-b", pinned="b", cookies=[carried]) as on_b:
        page = on_b.session.open(f"/?{ASOF}")
        assert page.get_by_label("用户名").count() == 0  # no sign-in form
        assert_overview_figures(page, figures)
    assert on_b.replicas_seen() == {"b"}


def test_a_browser_pinned_to_a_stopped_replica_moves_to_the_other(
    browser, replicas, demo_warehouse, figures
):
    replicas.stop_replica("b")
    try:
        with visitor(browser, replicas, "replicas-failover", pinned="b") as who:
            sign_in(who, demo_warehouse)
            assert_overview_figures(who.session.open(f"/?{ASOF}"), figures)
            pinned = who.pinned_to()
        assert who.replicas_seen() == {"a"}
        assert pinned == "a"  # re-pinned to the replica that holds its new session
    finally:
        replicas.restart_replica("b")
    assert replicas.served_by("b") == "b"
