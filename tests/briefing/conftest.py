"""Fixtures for the briefing tests: the app fixtures (demo_app, known_app). The
briefing's browser test lives in tests/browser/, with the one Playwright session."""

from tests.app.conftest import demo_app, known_app  # noqa: F401 (fixtures)
