"""Drive the real app in Debian's headless Chromium, the way a user's browser sees it.

Used by the browser tests (see conftest.py) and by `scripts/screenshots`. Playwright
drives `/usr/bin/chromium` (never a downloaded browser). Every request a page makes
is recorded, because the cockpit must work on an intranet: a request to any host
other than the app's own is a failure. A page counts as loaded when Streamlit's
script run is over and something is painted (see `wait_for_idle`).

The screenshot commands behind `scripts/screenshots` are in screenshots.py.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORT = {"width": 1920, "height": 1080}
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
# Points the harness at another Streamlit script while app.py is being written.
APP_OVERRIDE_ENV = "COCKPIT_TEST_APP"
# The page paths of DESIGN.md §6, in menu order.
PAGE_PATHS = ["/", "/map", "/incidents", "/services", "/points", "/community", "/status"]

# Schemes that never leave the browser.
_LOCAL_SCHEMES = {"data", "blob", "about"}

_IDLE_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"]')) return false;
  // Elements whose code is still loading are drawn as skeletons until it arrives.
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  // A wall screen draws its composition as HTML (ui/wall.py), not as markdown or tiles.
  const painted = document.querySelectorAll(
    '[data-testid="stMarkdownContainer"], [data-testid="stMetric"], .wall');
  return Array.from(painted).some((el) => el.getClientRects().length > 0);
}
"""


class HarnessError(AssertionError):
    """The app or the page did not behave; the message says what was seen."""


def browser_required() -> bool:
    """In CI (or when asked) a missing Chromium is a failure, not a skip."""
    return os.environ.get("CI") == "true" or os.environ.get("COCKPIT_REQUIRE_BROWSER") == "1"


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def app_script() -> Path:
    override = os.environ.get(APP_OVERRIDE_ENV)
    return Path(override).resolve() if override else REPO_ROOT / "app.py"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the app under test ----------------------------------------------------------------


class AppServer:
    """`streamlit run` on a free loopback port, with its output kept in a log file."""

    def __init__(self, app: Path, env: dict[str, str], cwd: Path = REPO_ROOT):
        self.app = app
        self.env = env
        self.cwd = cwd
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        # Kept after the run (test-artifacts/ is what CI keeps) and shown on failure.
        self.log_path = REPO_ROOT / "test-artifacts" / "logs" / f"streamlit-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w+b")  # noqa: SIM115 - lives as long as the app

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"http://{self.host}"

    def log_tail(self, chars: int = 6000) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def start(self, timeout: float = 60) -> AppServer:
        if not self.app.is_file():
            raise HarnessError(f"no app to start: {self.app} does not exist")
        command = [
            sys.executable, "-m", "streamlit", "run", str(self.app),
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        # No proxy: a developer's http_proxy must not swallow loopback requests.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HarnessError(
                    f"streamlit exited with status {self.process.returncode} before it was "
                    f"healthy; its output:\n{self.log_tail()}"
                )
            try:
                with opener.open(f"{self.base_url}/_stcore/health", timeout=2) as response:
                    body = response.read().decode(errors="replace").strip()
                if body == "ok":
                    return
                last = f"health answered {body!r}"
            except (urllib.error.URLError, OSError) as error:
                last = str(error)
            time.sleep(0.25)
        self.stop()
        raise HarnessError(
            f"streamlit on port {self.port} not healthy after {timeout:.0f} s ({last}); "
            f"its output:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self._log.close()


# --- the browser -------------------------------------------------------------------------


# No host but the loopback address the app is served on resolves: an intranet without a
# way out, at the network layer. For sessions that must keep the HTTP cache (see
# BrowserSession.refuse_by_route).
NO_NAME_RESOLVES = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def launch_browser(playwright, *extra_args: str):
    """Debian's Chromium, headless, with nothing of its own phoning home."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


def is_local(url: str, host: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in _LOCAL_SCHEMES:
        return True
    return parts.netloc == host


@dataclass
class BrowserSession:
    """One browser context (1920×1080) that records every request its pages make."""

    browser: object
    app_host: str
    screenshot_stem: str
    screenshot_dir: Path = SCREENSHOTS
    timeout_ms: float = 60_000
    requests: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    # Playwright turns a context's HTTP cache off while it routes requests, so every
    # navigation fetches Streamlit's ~140 script files again, which a real browser keeps
    # (they are served immutable). Timing sessions pass False, and launch the browser
    # with NO_NAME_RESOLVES instead; requests are recorded either way.
    refuse_by_route: bool = True

    def __post_init__(self):
        self.context = self.browser.new_context(
            viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        self.context.on("request", lambda request: self.requests.append(request.url))
        if self.refuse_by_route:
            # Anything bound elsewhere is recorded above and then refused, as an intranet
            # would.
            self.context.route(lambda url: not is_local(url, self.app_host), lambda r: r.abort())
        self.page = self.context.new_page()
        self.page.on("websocket", lambda socket_: self.requests.append(socket_.url))

    @property
    def base_url(self) -> str:
        return f"http://{self.app_host}"

    def open(self, path_and_query: str = "/", timeout_ms: float | None = None):
        """Navigate, wait until Streamlit is idle, screenshot, fail on a shown exception."""
        page = self.page
        page.goto(self.base_url + path_and_query, wait_until="domcontentloaded")
        try:
            wait_for_idle(page, timeout_ms or self.timeout_ms)
        finally:
            self.screenshot()
        assert_no_exception(page, path_and_query)
        return page

    def sign_in(
        self, username: str, password: str, timeout_ms: float | None = None, path: str = "/"
    ) -> None:
        """Sign in through the app's own form (shown at `path`, whose page then runs); the
        session cookie then lasts for this context."""
        page = self.page
        page.goto(self.base_url + path, wait_until="domcontentloaded")
        wait_for_idle(page, timeout_ms or self.timeout_ms)
        if not page.get_by_label("用户名").count():
            return  # signed in already (the cookie)
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_label("密码").press("Enter")  # commit the value (Tab lands on the eye icon)
        wait_for_idle(page, timeout_ms or self.timeout_ms)
        page.get_by_role("button", name="登录").click()
        page.get_by_label("用户名").wait_for(
            state="detached", timeout=timeout_ms or self.timeout_ms
        )
        wait_for_idle(page, timeout_ms or self.timeout_ms)

    def screenshot(self) -> Path:
        self.screenshot_dir.mkdir(parents=True, exist_ok=True)
        number = len(self.screenshots) + 1
        name = self.screenshot_stem if number == 1 else f"{self.screenshot_stem}-{number}"
        path = self.screenshot_dir / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        self.screenshots.append(path)
        return path

    def external_requests(self) -> list[str]:
        return [url for url in self.requests if not is_local(url, self.app_host)]

    def close(self) -> None:
        self.context.close()


def wait_for_idle(page, timeout_ms: float = 60_000, settle_ms: int = 400) -> float:
    """Wait until the script run is over and something is painted, twice in a row;
    returns when (time.monotonic()) that last idle state was first seen.

    The second look after `settle_ms` catches a rerun that starts right after the first
    (a widget default, a query-parameter rewrite, the big screen's refresh).
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        remaining = max(deadline - time.monotonic(), 0.1) * 1000
        try:
            page.wait_for_function(_IDLE_JS, timeout=remaining, polling=100)
        except Exception as error:
            state = page.evaluate(
                "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
                " return a ? [a.getAttribute('data-test-script-state'),"
                " a.getAttribute('data-test-connection-state')] : null; }"
            )
            raise HarnessError(
                f"{page.url}: Streamlit not idle after {timeout_ms / 1000:.0f} s "
                f"(stApp script/connection state: {state})"
            ) from error
        idle_since = time.monotonic()
        page.wait_for_timeout(settle_ms)
        if page.evaluate(_IDLE_JS):
            return idle_since
        if time.monotonic() > deadline:
            raise HarnessError(f"{page.url}: Streamlit kept rerunning for {timeout_ms / 1000} s")


def assert_no_exception(page, where: str) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    if exceptions.count():
        texts = "\n---\n".join(exceptions.nth(i).inner_text() for i in range(exceptions.count()))
        raise HarnessError(f"{where}: the app shows an exception:\n{texts}")


def page_text(page) -> str:
    """What a reader sees in the app (the sidebar included)."""
    return page.locator('[data-testid="stApp"]').inner_text()


def screenshot_stem(test_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")


# --- scripts/screenshots -----------------------------------------------------------------


def demo_account(url: str, role: str = "district") -> tuple[str, str]:
    """(username, password) of the demo warehouse's account for `role`."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            accounts = connection.execute(
                text("SELECT value FROM warehouse_meta WHERE key = 'demo_accounts'")
            ).scalar_one()
    finally:
        engine.dispose()
    account = next(a for a in accounts if a["role"] == role)
    return account["username"], account["password"]
