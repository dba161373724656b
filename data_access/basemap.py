"""The map's geographic context, read from geodata/xiaoshan.geojson (see its README):
the district outline, its neighbours, its streets and towns, schematic water, and the
unnamed communities around each demo community ("community_context").

A committed file, not the warehouse: no database, no scope (it holds no resident data).
Every feature's properties are {"kind", "name", "code"}; kinds are listed in KINDS.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

PATH = Path(__file__).resolve().parent.parent / "geodata" / "xiaoshan.geojson"
KINDS = ("district", "neighbour", "street", "water", "community_context")


@cache
def context() -> dict:
    """The parsed FeatureCollection (read once per process; treat it as read-only)."""
    return json.loads(PATH.read_text(encoding="utf-8"))


def features(kind: str) -> list[dict]:
    """The features of one kind, in file order (streets by code)."""
    if kind not in KINDS:
        raise ValueError(f"unknown context kind {kind!r}; one of {KINDS}")
    return [f for f in context()["features"] if f["properties"]["kind"] == kind]
