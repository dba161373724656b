"""Map labels that never overprint one another: each candidate's box is measured in
the map's own pixels (or SVG units) at the view the map opens at, and labels are
placed greedily by priority; one that would touch a placed label tries its short
form, then a spot just above or below, and is otherwise left out.

Shared by the desk map (pydeck, projected with the opening view's Web Mercator
transform) and the wall screen's SVG map (projected into its viewBox). Opening views
are the tightest the page shows: zooming in only moves labels apart, since their
boxes keep their pixel size.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Measured from Noto Sans CJK SC at weight 600: a CJK glyph is one em wide, Latin
# letters and digits about 0.62 em on average. Boxes are padded by the text halo.
CJK_EM = 1.0
LATIN_EM = 0.62
HALO = 3.0
LINE_HEIGHT = 1.25


def is_wide(character: str) -> bool:
    """Full-width characters (CJK, full-width punctuation) take a whole em."""
    return ord(character) >= 0x2E80


def text_width(text: str, size: float) -> float:
    return sum(CJK_EM * size if is_wide(ch) else LATIN_EM * size for ch in text)


@dataclass(frozen=True)
class Candidate:
    """A label that would like to be drawn: its texts (preferred first), where it
    sits in lon/lat, its size in the map's units and its priority (lower first)."""

    texts: tuple[str, ...]
    lon: float
    lat: float
    size: float
    priority: float
    kind: str = "area"


@dataclass(frozen=True)
class Placed:
    text: str
    lon: float
    lat: float
    x: float
    y: float
    size: float
    kind: str
    dx: float = 0.0  # the label's offset from its point, in the map's units
    dy: float = 0.0

    @property
    def box(self) -> tuple[float, float, float, float]:
        return label_box(self.text, self.x, self.y, self.size)


def label_box(text: str, x: float, y: float, size: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a label centred on (x, y), halo included."""
    half_w = text_width(text, size) / 2 + HALO
    half_h = size * LINE_HEIGHT / 2 + HALO
    return (x - half_w, y - half_h, x + half_w, y + half_h)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(box, frame) -> bool:
    return frame is None or (
        box[0] >= frame[0] and box[1] >= frame[1] and box[2] <= frame[2] and box[3] <= frame[3]
    )


def place(
    candidates: Iterable[Candidate],
    project: Callable[[float, float], tuple[float, float]],
    frame: tuple[float, float, float, float] | None = None,
    reserved: Iterable[tuple[float, float, float, float]] = (),
) -> list[Placed]:
    """The labels that fit, highest priority first. `project` maps (lon, lat) to the
    map's x (right) and y (down); `frame`, when given, is the visible box a label
    must lie within; `reserved` boxes (a caption, a legend) take no label."""
    placed: list[Placed] = []
    taken = list(reserved)
    for candidate in sorted(candidates, key=lambda c: c.priority):
        x, y = project(candidate.lon, candidate.lat)
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        spot = _first_fitting(candidate, x, y, taken, frame)
        if spot:
            placed.append(spot)
            taken.append(spot.box)
    return placed


def _first_fitting(candidate: Candidate, x, y, taken, frame) -> Placed | None:
    """The first text and spot that touch nothing: on the point, above, below, then
    beside it (a label beside its point still names it)."""
    step = candidate.size * LINE_HEIGHT + 2 * HALO  # one box's height: clear of the point's
    for text in candidate.texts:
        half = text_width(text, candidate.size) / 2 + candidate.size * 0.4
        for dx, dy in ((0, 0), (0, -step), (0, step), (half, 0), (-half, 0)):
            box = label_box(text, x + dx, y + dy, candidate.size)
            if _inside(box, frame) and not any(_overlaps(box, other) for other in taken):
                return Placed(
                    text, candidate.lon, candidate.lat, x + dx, y + dy, candidate.size,
                    candidate.kind, dx, dy,
                )  # fmt: skip
    return None


SUFFIXES = ("社区", "街道", "镇")


def short_forms(name: str) -> tuple[str, ...]:
    """The name, then without its administrative suffix (罗婆路社区 -> 罗婆路)."""
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return (name, name[: -len(suffix)])
    return (name,)
