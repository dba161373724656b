"""First start: with the embedded warehouse, start it, migrate it and load the demo
district once, showing progress. With DATABASE_URL the operator owns the schema
(`cockpit init`), so nothing is done here."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlalchemy import text

from warehouse.config import settings


@st.cache_resource(show_spinner=False)
def _prepared_warehouse(home: str) -> bool:
    from demo.district import DemoExists, load_demo
    from warehouse.db import owner_engine
    from warehouse.migrate import is_empty, migrate

    engine = owner_engine()
    try:
        migrate(engine)
        if not is_empty(engine):
            return True
        with engine.connect() as lock:
            # Two first visitors (or the app and `cockpit demo`) at once: one loads,
            # the other waits here and then finds the data.
            lock.execute(text("SELECT pg_advisory_lock(hashtext('cockpit-demo'))"))
            try:
                if is_empty(engine):
                    _load_with_progress(engine, load_demo, DemoExists)
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(hashtext('cockpit-demo'))"))
        return True
    finally:
        engine.dispose()


def _load_with_progress(engine, load_demo, demo_exists) -> None:
    label = "首次启动：正在生成演示数据 (first start: loading the demo district)…"
    with st.status(label, expanded=True) as status:
        try:
            load_demo(engine, seed=2026, today=date.today(), replace=False,
                      progress=lambda message: status.write(message))
        except demo_exists:
            pass
        status.update(label="演示数据已就绪 (demo district ready)", state="complete")


def ensure_warehouse() -> None:
    config = settings()
    if config.embedded:
        _prepared_warehouse(str(config.home))
