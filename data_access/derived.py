"""Results computed from query results, kept while those results are unchanged.

The query cache hands back the very same frame while it is fresh (data_access.runner),
so a computation over frames can be keyed by their identity: a warm rerun gets the
result it had, and a refetch (a new frame) computes it again. The inputs are held with
the result, so their ids cannot be reused by other objects while the entry lives.
What is returned is shared between reruns and sessions: callers must not modify it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

ENTRIES = 512
T = TypeVar("T")

_lock = threading.Lock()
_memo: OrderedDict[tuple, tuple[tuple, object]] = OrderedDict()


def derived(name: str, inputs: tuple, compute: Callable[[], T], *key: Hashable) -> T:
    """compute(), or what it returned for the same name, key and input objects."""
    ident = (name, key, tuple(id(item) for item in inputs))
    with _lock:
        hit = _memo.get(ident)
        if hit is not None and all(a is b for a, b in zip(hit[0], inputs, strict=True)):
            _memo.move_to_end(ident)
            return hit[1]  # type: ignore[return-value]
    value = compute()
    with _lock:
        _memo[ident] = (inputs, value)
        _memo.move_to_end(ident)
        while len(_memo) > ENTRIES:
            _memo.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _memo.clear()
