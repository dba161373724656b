"""First start: with the embedded warehouse, start it, migrate it and load the demo
district once (one call, demo.first_start.prepare), showing progress. With DATABASE_URL
the operator owns the schema (`cockpit init`), so nothing is done here."""

from __future__ import annotations

import threading
from functools import cache

import streamlit as st

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
    from demo import first_start

    progress = _LoadProgress()
    try:
        first_start.prepare(on_load=progress.open)
    except BaseException:
        progress.close(failed=True)
        raise
    progress.close(failed=False)


class _LoadProgress:
    """The demo load's status box: opened when a load begins, cleared once it is done
    (the page needs no reminder)."""

    LABEL = "首次启动：正在生成演示数据 (first start: loading the demo district)…"
    DONE = "演示数据已就绪 (demo district ready)"

    def __init__(self):
        self.box = None
        self.status = None

    def open(self):
        self.box = st.empty()
        self.status = self.box.status(self.LABEL, expanded=True)
        return self.status.write

    def close(self, failed: bool) -> None:
        if self.status is None:
            return
        if failed:
            self.status.update(state="error")
            return
        self.status.update(label=self.DONE, state="complete")
        self.box.empty()
