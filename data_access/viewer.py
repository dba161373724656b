"""Who is looking in this script run: the signed-in person or wall screen, kept in a
context variable. `data_access.auth` signs viewers in and sets it; `runner.fetch`
reads it to set the viewer's session on every transaction, so PostgreSQL bounds every
scope by the viewer's own.

Its own module so that the runner and auth, which both need it, need not import each
other (issue [12]: auth imports the runner to reach the warehouse)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from data_access.scope import Scope


@dataclass(frozen=True)
class Viewer:
    """A signed-in person or a wall screen, with the widest scope it may see."""

    display_name: str
    scope: Scope
    token_hash: str
    username: str | None = None  # None for a wall screen
    role: str = "district"

    @property
    def is_screen(self) -> bool:
        return self.username is None


_viewer: ContextVar[Viewer | None] = ContextVar("cockpit_viewer", default=None)


def set_current_viewer(viewer: Viewer | None) -> None:
    _viewer.set(viewer)


def current_viewer() -> Viewer | None:
    return _viewer.get()
