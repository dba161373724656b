"""What the benchmarks share: a throwaway embedded warehouse holding the demo district.

The warehouse lives in a temporary folder, never in the checkout's .cockpit, and is
stopped and deleted afterwards (unless kept). COCKPIT_PG_BIN is honoured; DATABASE_URL
and COCKPIT_OWNER_URL are ignored, so a benchmark never writes to an operator's server.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The warehouse variables a benchmark sets for itself and for the app it starts.
_EXTERNAL = ("DATABASE_URL", "COCKPIT_OWNER_URL")
DEMO_SEED = 2026  # the seed the app's first start uses (ui/startup.py)


@dataclass(frozen=True)
class DemoWarehouse:
    home: Path  # COCKPIT_HOME of the embedded server
    owner_url: str
    load_seconds: float

    def env(self) -> dict[str, str]:
        """The environment for a process (the app) that must use this warehouse."""
        env = {key: value for key, value in os.environ.items() if key not in _EXTERNAL}
        env["COCKPIT_HOME"] = str(self.home)
        return env


@contextmanager
def _embedded_in(home: Path) -> Iterator[None]:
    """While the block runs, this process's warehouse is the embedded one in `home`:
    COCKPIT_HOME points at it and DATABASE_URL / COCKPIT_OWNER_URL are set aside."""
    saved = {key: os.environ.get(key) for key in ("COCKPIT_HOME", *_EXTERNAL)}
    for key in _EXTERNAL:
        os.environ.pop(key, None)
    os.environ["COCKPIT_HOME"] = str(home)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _server(home: Path):
    from warehouse.server import ServerManager

    pg_bin = os.environ.get("COCKPIT_PG_BIN")
    return ServerManager(home, Path(pg_bin) if pg_bin else None)


@contextmanager
def throwaway_demo_warehouse(prefix: str, keep: bool = False) -> Iterator[DemoWarehouse]:
    """An embedded PostgreSQL in a temporary folder, migrated, with the demo district
    ending today; this process's COCKPIT_HOME points at it while the block runs."""
    from data_access.period import today_local
    from demo.district import load_demo
    from warehouse.db import owner_url
    from warehouse.migrate import migrate

    work = Path(tempfile.mkdtemp(prefix=prefix))
    home = work / "home"
    manager = _server(home)
    try:
        with _embedded_in(home):
            manager.ensure_running()
            from sqlalchemy import create_engine

            url = owner_url()
            engine = create_engine(url)
            try:
                began = time.perf_counter()
                migrate(engine)
                load_demo(engine, seed=DEMO_SEED, today=today_local(), replace=False, progress=None)
                seconds = time.perf_counter() - began
            finally:
                engine.dispose()
            yield DemoWarehouse(home, url, seconds)
    finally:
        manager.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


@contextmanager
def existing_warehouse(home: Path) -> Iterator[DemoWarehouse]:
    """The embedded warehouse already in `home` (the city of `cockpit demo --scale
    city`), started if need be and stopped afterwards only if it was not running; this
    process's COCKPIT_HOME points at it while the block runs."""
    from warehouse.db import owner_url

    home = home.resolve()
    manager = _server(home)
    was_running = manager.is_running()
    try:
        with _embedded_in(home):
            manager.ensure_running()
            yield DemoWarehouse(home, owner_url(), 0.0)
    finally:
        if not was_running:
            manager.stop()
