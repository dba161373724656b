"""Browser fixtures: the real app on a free port over the demo district, and Chromium.

Without /usr/bin/chromium the browser tests are skipped, unless CI=true or
COCKPIT_REQUIRE_BROWSER=1, where they fail loudly instead. `open_page(path)` opens a
page in a fresh 1920×1080 context, waits for Streamlit to be idle, saves
test-artifacts/screenshots/<test name>.png, fails on a shown exception, and at teardown
fails the test if any request left 127.0.0.1:<port>.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import (  # noqa: E402
    CHROMIUM,
    AppServer,
    BrowserSession,
    app_script,
    browser_required,
    chromium_available,
    demo_account,
    launch_browser,
    screenshot_stem,
)

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    mine = [item for item in items if _HERE in Path(str(item.path)).parents]
    for item in mine:
        item.add_marker(pytest.mark.browser)
    if not chromium_available() and not browser_required():
        skip = pytest.mark.skip(
            reason=f"{CHROMIUM} not installed (apt-get install chromium); "
            "set COCKPIT_REQUIRE_BROWSER=1 to make this a failure"
        )
        for item in mine:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        pytest.fail(
            f"{CHROMIUM} is missing but the browser tests are required here "
            "(CI=true or COCKPIT_REQUIRE_BROWSER=1); run scripts/test as root to install it",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def app_server(demo_warehouse, tmp_path_factory):
    """`streamlit run app.py` over the demo district; the app starts no server of its own."""
    env = {
        **os.environ,
        **demo_warehouse.env(),
        # Even a wrong turn into the embedded server must not touch the developer's .cockpit.
        "COCKPIT_HOME": str(tmp_path_factory.mktemp("app-home")),
    }
    server = AppServer(app_script(), env)
    problem = None
    try:
        server.start(timeout=60)
    except AssertionError as error:
        problem = str(error)
    if problem:
        pytest.fail(problem, pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def browser_session(browser, app_server, request, demo_warehouse):
    """A browser context signed in as the demo district (through the sign-in form)."""
    session = BrowserSession(browser, app_server.host, screenshot_stem(request.node.name))
    session.sign_in(*demo_account(demo_warehouse.owner_url))
    yield session
    session.close()
    external = session.external_requests()
    if external:
        listed = "\n  ".join(external)
        pytest.fail(
            f"the page made {len(external)} request(s) off {app_server.host}:\n  {listed}",
            pytrace=False,
        )


@pytest.fixture
def open_page(browser_session, app_server):
    """open_page("/incidents?community=…") -> the loaded Playwright page."""

    def open_(path_and_query: str = "/", timeout_ms: float | None = None):
        try:
            return browser_session.open(path_and_query, timeout_ms)
        except AssertionError as error:
            message = str(error)
        if app_server.process.poll() is not None:
            message += f"\nthe app exited; its output:\n{app_server.log_tail()}"
        pytest.fail(message, pytrace=False)

    return open_


@pytest.fixture
def page(browser_session):
    """The test's page (1920×1080, requests recorded); use open_page to navigate."""
    return browser_session.page
