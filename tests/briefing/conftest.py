"""Fixtures for the briefing tests: the app fixtures (demo_app, known_app) and the
browser harness (browser, app_server, browser_session, open_page; skipped without
Chromium unless the browser tests are required)."""

import sys
from pathlib import Path

import pytest

from tests.app.conftest import demo_app, known_app  # noqa: F401 (fixtures)

sys.path.insert(0, str(Path(__file__).parents[1] / "browser"))
from harness import browser_required, chromium_available  # noqa: E402

from tests.browser.conftest import app_server, browser, browser_session, open_page  # noqa: E402, F401


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents and "browser" in item.name:
            item.add_marker(pytest.mark.browser)
            if not chromium_available() and not browser_required():
                item.add_marker(pytest.mark.skip(reason="/usr/bin/chromium not installed"))
