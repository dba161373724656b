"""data_access.runner: one query runs at a time per cache key. Callers that miss the
cache while it runs get that run's rows (fifty wall screens whose cache expired in the
same minute ask the warehouse once)."""

from __future__ import annotations

import threading
import time

from data_access import Scope, runner
from data_access.at_once import at_once
from data_access.runner import fetch, query_cache


def test_callers_missing_together_share_one_run(demo_warehouse, monkeypatch):
    real_run = runner._run
    runs = []

    def slow_run(*args, **kwargs):
        runs.append(threading.current_thread().name)
        time.sleep(0.5)  # long enough for every other caller to miss the cache meanwhile
        return real_run(*args, **kwargs)

    monkeypatch.setattr(runner, "_run", slow_run)
    query_cache().clear()
    callers = 3
    start = threading.Barrier(callers, timeout=10)

    def caller():
        start.wait()
        return fetch("communities_in_scope", Scope.district(), url=demo_warehouse.reader_url)

    frames = at_once(*[caller for _ in range(callers)])
    query_cache().clear()
    assert len(runs) == 1
    assert all(frame is frames[0] for frame in frames)
    with demo_warehouse.owner.connect() as connection:
        communities = connection.exec_driver_sql("SELECT count(*) FROM dim_community").scalar()
    assert len(frames[0]) == communities
