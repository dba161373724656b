"""Run a page's independent data calls at the same time.

A page with cold caches used to wait for its queries one after another. The warehouse
can run several at once: on the 2-core benchmark machine, the overview's six summaries
took 6.3 s in a row and 3.1–3.5 s two or more at a time (docs/performance.md). Warm
reruns are cache hits either way and gain nothing, lose nothing.

Each call runs in a worker thread inside a copy of the caller's context, so it fetches
as the same viewer (data_access.auth keeps the viewer in a ContextVar): a thread that
lost it would query without the viewer's bound. Calls must not draw on the page.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# More would only queue on the warehouse's cores and take connections from other
# sessions (the reader pool holds 15).
MOST_AT_ONCE = 4


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Each call's result, in the order given. Every call runs to its end; the first
    call (in that order) that raised then raises here, as it would have run alone."""
    if len(calls) < 2:
        return [call() for call in calls]
    with ThreadPoolExecutor(
        max_workers=min(MOST_AT_ONCE, len(calls)), thread_name_prefix="cockpit-fetch"
    ) as pool:
        futures = [pool.submit(contextvars.copy_context().run, call) for call in calls]
    return [future.result() for future in futures]
