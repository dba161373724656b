"""The app's first start with the embedded warehouse, in one call: migrate it as the
owner and, while it holds no community, load the demo district.

ui/startup.py calls `prepare` and only draws the progress, so the app's own code holds
no second door to the warehouse as the owner (issue [12]). It lives in demo rather than
in warehouse because it loads the demo, and demo writes through warehouse, not the
other way round (docs/architecture.md, "Layers and moves")."""

from __future__ import annotations

from collections.abc import Callable

from data_access.period import today_local
from demo.district import DemoExists, load_demo
from warehouse.db import owner_engine
from warehouse.migrate import is_empty, migrate

DEMO_SEED = 2026  # the demo of the app's first start (benchmarks/common.py uses the same)


def prepare(on_load: Callable[[], Callable[[str], None]]) -> bool:
    """Migrate the warehouse; if it holds no community, load the demo district.

    `on_load()` is called once, when a load begins, and returns the function that
    receives the loader's progress messages. Returns whether this call loaded the demo.
    Raises MigrationError or ServerError, an operator's problem, as they come."""
    engine = owner_engine()
    try:
        migrate(engine)
        if not is_empty(engine):
            return False
        progress = on_load()
        try:
            load_demo(engine, seed=DEMO_SEED, today=today_local(), replace=False, progress=progress)
        except DemoExists:
            # load_demo serialises loaders with an advisory lock and raises DemoExists
            # when another process (a second visitor, `cockpit demo`) loaded it meanwhile.
            return False
        return True
    finally:
        engine.dispose()
