"""First start: with the embedded warehouse, start it, migrate it and load the demo
district once, showing progress. With DATABASE_URL the operator owns the schema
(`cockpit init`), so nothing is done here."""

from __future__ import annotations

import contextlib
import threading
from functools import cache

import streamlit as st

from data_access.period import today_local
from ui.i18n import t
from warehouse.config import settings
from warehouse.migrate import MigrationError
from warehouse.server import ServerError


class _Preparation:
    """Once per process and data folder; later reruns skip straight past."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ready: set[str] = set()


@cache
def _preparation() -> _Preparation:
    return _Preparation()


def ensure_warehouse() -> None:
    config = settings()
    if not config.embedded:
        return
    home = str(config.home)
    preparation = _preparation()
    if home in preparation.ready:
        return
    with preparation.lock:
        if home not in preparation.ready:
            try:
                _prepare()
            except (MigrationError, ServerError) as error:
                # An operator's problem (an applied migration edited, a data folder the
                # server cannot use): said plainly, not as a traceback, and tried again
                # at the next reload.
                st.error(t("startup.failed", error=error))
                st.stop()
            preparation.ready.add(home)


def _prepare() -> None:
    from demo.district import DemoExists, load_demo
    from warehouse.db import owner_engine
    from warehouse.migrate import is_empty, migrate

    engine = owner_engine()
    try:
        migrate(engine)
        if not is_empty(engine):
            return
        # load_demo serialises loaders with an advisory lock and raises DemoExists
        # when another process (a second visitor, `cockpit demo`) loaded it meanwhile.
        _load_with_progress(engine, load_demo, DemoExists)
    finally:
        engine.dispose()


def _load_with_progress(engine, load_demo, demo_exists) -> None:
    label = "首次启动：正在生成演示数据 (first start: loading the demo district)…"
    progress_box = st.empty()  # cleared once the demo is in: the page needs no reminder
    with progress_box.status(label, expanded=True) as status:
        with contextlib.suppress(demo_exists):  # someone else loaded it meanwhile
            load_demo(
                engine,
                seed=2026,
                today=today_local(),
                replace=False,
                progress=lambda message: status.write(message),
            )
        status.update(label="演示数据已就绪 (demo district ready)", state="complete")
    progress_box.empty()
