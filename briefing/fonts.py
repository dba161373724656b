"""The CJK font that briefings are drawn with, found on this machine without a network.

The PDF must embed its font, and reportlab embeds TrueType outlines only: the Noto
Sans CJK collection of Debian's fonts-noto-cjk has PostScript (CFF) outlines, so it
cannot be used there. The first choice is an operator's own file (COCKPIT_CJK_FONT),
then the TrueType CJK fonts that Linux (Debian's fonts-wqy-microhei, which
scripts/start and scripts/test install), Windows and macOS ship. No font wheel from
PyPI is used: the only small one found comes from a single new maintainer. Charts use
the same file, so a briefing looks the same on every machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONT_ENV = "COCKPIT_CJK_FONT"  # an operator's own TrueType CJK font file (first face)

SYSTEM_FONTS = (
    # (path, index of the face inside a collection)
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
)


class FontMissing(RuntimeError):
    """No TrueType font with Chinese glyphs was found on this machine."""


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int  # the face inside a .ttc collection


def _from_env() -> tuple[str, int] | None:
    value = os.environ.get(FONT_ENV)
    return (value, 0) if value else None


def _usable(path: str, index: int) -> bool:
    """Whether reportlab can embed this face (TrueType outlines, Chinese glyphs)."""
    if not Path(path).is_file():
        return False
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        face = TTFont("cockpit-probe", path, subfontIndex=index)
    except Exception:  # CFF outlines, a broken file, embedding forbidden
        return False
    return ord("社") in face.face.charToGlyph


@cache
def cjk_font() -> FontFile:
    """The font briefings use; FontMissing (with the places searched) when there is none."""
    candidates = [found for found in (_from_env(),) if found] + list(SYSTEM_FONTS)
    for path, index in candidates:
        if _usable(path, index):
            return FontFile(Path(path), index)
    raise FontMissing(", ".join(path for path, _ in candidates))
