"""How much of a wall screen is left blank, measured from its screenshot.

The screenshot is cut into square cells of 2.5 rem (the wall's root font size follows
the screen, ui/shell.SCREEN_CSS: 40 px at 1920×1080 and 5760×1080, 80 px at
3840×2160), about the size of one large character seen from 5 m. A cell is blank
when every pixel in it is within TOLERANCE of one of the design's surface colours
(the page, the panels, the figure boxes, the map's surround, a table's striped row):
no text, line, bar, chart, area or point touches it. The blank share is the blank
cells over all cells. A panel left empty is blank; a map area filled with a data
colour, land or water is not.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

CELL_REM = 2.5
TOLERANCE = 6
SURFACES = [
    (11, 21, 38),  # page  #0b1526
    (18, 33, 58),  # panel #12213a
    (14, 26, 46),  # figure box #0e1a2e
    (13, 26, 47),  # map surround #0d1a2f
    (15, 28, 49),  # striped table row #0f1c31
    (16, 32, 57),  # frame bar #102039
]


def root_font_px(width: int, height: int) -> float:
    """ui/shell.SCREEN_CSS: clamp(12px, min(0.8333vw, 1.4815vh), 64px)."""
    return max(12.0, min(width * 0.008333, height * 0.014815, 64.0))


def blank_share(png: Path) -> float:
    pixels = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    height, width, _ = pixels.shape
    on_surface = np.zeros((height, width), dtype=bool)
    for colour in SURFACES:
        on_surface |= (np.abs(pixels - np.array(colour, dtype=np.int16)) <= TOLERANCE).all(axis=2)
    cell = CELL_REM * root_font_px(width, height)
    columns, rows = round(width / cell), round(height / cell)
    blank = 0
    for row in range(rows):
        top, bottom = row * height // rows, (row + 1) * height // rows
        for column in range(columns):
            left, right = column * width // columns, (column + 1) * width // columns
            blank += bool(on_surface[top:bottom, left:right].all())
    return blank / (columns * rows)
