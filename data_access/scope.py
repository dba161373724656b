"""Who is looking: the district, a street, a community or a grid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ScopeKind = Literal["district", "street", "community", "grid"]
_CODE = re.compile(r"^[0-9A-Za-z_-]{1,40}$")  # never ":", the setting separator


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    code: str | None = None

    def __post_init__(self):
        if self.kind == "district":
            if self.code is not None:
                raise ValueError("the district scope takes no code")
        elif self.kind in ("street", "community", "grid"):
            if not self.code or not self.is_code(self.code):
                raise ValueError(f"malformed {self.kind} code: {self.code!r}")
        else:
            raise ValueError(f"unknown scope kind: {self.kind!r}")

    @classmethod
    def district(cls) -> Scope:
        return cls("district")

    @staticmethod
    def is_code(value: str) -> bool:
        """Whether a street, community or grid code is well-formed (as __post_init__ checks)."""
        return bool(_CODE.match(value))

    def setting(self) -> str:
        """The value of `cockpit.scope` that the row-level security policies read."""
        return "district" if self.kind == "district" else f"{self.kind}:{self.code}"

    @property
    def grid_code(self) -> str | None:
        return self.code if self.kind == "grid" else None

    def sees_street(self, street_code: str) -> bool:
        """Whether a viewer bounded by this scope sees all of that street (row-level
        security bounds every query by it: asked for more, it returns only its part)."""
        return self.kind == "district" or (self.kind == "street" and self.code == street_code)
