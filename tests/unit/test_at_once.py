"""data_access.at_once: a page's calls run together, as the page's viewer, and come
back in the order asked."""

from __future__ import annotations

import threading

import pytest

from data_access import Scope
from data_access.at_once import MOST_AT_ONCE, at_once
from data_access.auth import Viewer, current_viewer, set_current_viewer


def test_results_come_back_in_the_order_the_calls_were_given():
    values = [7, 3, 11, 5, 2, 13]
    assert at_once(*[lambda v=v: v * 10 for v in values]) == [v * 10 for v in values]


def test_the_calls_run_at_the_same_time():
    # a barrier only opens when every party waits at it at once: run one after the
    # other, the first call would wait alone and time out
    parties = min(3, MOST_AT_ONCE)
    barrier = threading.Barrier(parties, timeout=10)
    arrivals = at_once(*[barrier.wait for _ in range(parties)])
    assert sorted(arrivals) == list(range(parties))


def test_each_call_fetches_as_the_callers_viewer():
    viewer = Viewer("社区书记", Scope("community", "330109001012"), "hash-of-a-token", "head")
    set_current_viewer(viewer)
    try:
        seen = at_once(*[current_viewer for _ in range(3)])
    finally:
        set_current_viewer(None)
    assert seen == [viewer, viewer, viewer]


def test_the_first_failing_call_raises_after_every_call_has_run():
    ran = []

    def fails(message):
        def call():
            ran.append(message)
            raise LookupError(message)

        return call

    with pytest.raises(LookupError, match="first"):
        at_once(lambda: ran.append("fine"), fails("first"), fails("second"))
    assert sorted(ran) == ["fine", "first", "second"]
