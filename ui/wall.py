"""The wall screen's composition (大屏): the map in the centre, figure panels on both
sides, a live strip along the bottom; on a spliced 3×1 wall (5760×1080) the side
screens carry two columns of panels each and the map and strip hold the middle one.

Drawn as one HTML block sized in rem and vh (the root font follows the screen, see
ui/shell.SCREEN_CSS), so the same composition fills 1920×1080 and 3840×2160 alike
and nothing scrolls. Charts are small SVGs drawn here (they scale with their panel;
a wall needs no hover). Pages fill the slots; every figure in them comes from
data_access as on the desk.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import streamlit as st

from ui import wall_map
from ui.i18n import t
from ui.tiles import format_change, format_value


@dataclass
class Wall:
    """What a page puts on the wall. Panels are HTML strings from the helpers below;
    `extra_left`/`extra_right` appear only on a wall wide enough for them (3×1)."""

    centre: str
    left: list[str] = field(default_factory=list)
    right: list[str] = field(default_factory=list)
    bottom: list[str] = field(default_factory=list)
    extra_left: list[str] = field(default_factory=list)
    extra_right: list[str] = field(default_factory=list)


def draw(wall: Wall) -> None:
    def column(name: str, panels: list[str]) -> str:
        return f'<div class="w-{name}">{"".join(panels)}</div>'

    st.html(
        f"<style>{CSS}{wall_map.CSS}</style>"
        '<div class="wall" data-testid="wall">'
        + column("xl", wall.extra_left)
        + column("left", wall.left)
        + f'<div class="w-centre">{wall.centre}</div>'
        + column("right", wall.right)
        + column("xr", wall.extra_right)
        + column("bottom", wall.bottom)
        + "</div>"
    )


# -- panels ----------------------------------------------------------------------------
def panel(title: str, body: str, testid: str = "", grow: float = 1.0, meta: str = "") -> str:
    """A titled box; `grow` 0 keeps it at its content's height (figures), others share
    what is left of their column in proportion (charts, bars, tables). `meta` is a
    note on the title's right: the unit, the period, what the list is sorted by."""
    marker = f' data-testid="{testid}"' if testid else ""
    flex = "flex: 0 0 auto" if grow == 0 else f"flex-grow: {grow}"
    note = f'<span class="w-meta">{html.escape(meta)}</span>' if meta else ""
    return (
        f'<section class="w-panel" style="{flex}"{marker}>'
        f'<h3>{html.escape(title)}{note}</h3><div class="w-body">{body}</div></section>'
    )


@dataclass(frozen=True)
class Figure:
    label_key: str
    key: str  # the summary's column, also the figure's data-key
    kind: str = "count"  # count, rate or hours (ui.tiles)
    lower_is_better: bool = False
    series: str | None = None  # the daily_activity column drawn beside it, as on the desk


def figures(summary: dict, before: dict | None, shown: Sequence[Figure], daily=None) -> str:
    """Big numbers with their change against the previous period, two per row; beside
    each, the period's daily activity it stems from (the desk tiles' sparklines)."""
    cells = []
    for figure in shown:
        value, previous = summary.get(figure.key), (before or {}).get(figure.key)
        change = format_change(value, previous, figure.kind)
        tone = ""
        if change is not None and float(value) != float(previous):
            worse = (float(value) > float(previous)) == figure.lower_is_better
            tone = " w-worse" if worse else " w-better"
        cells.append(
            f'<div class="w-fig" data-key="{figure.key}">'
            f'<div class="w-fig-label">{html.escape(t(figure.label_key))}</div>'
            '<div class="w-fig-row"><div class="w-fig-value" data-testid="wallFigure">'
            f"{html.escape(format_value(value, figure.kind))}</div>"
            f"{_spark(daily, figure.series)}</div>"
            + (f'<div class="w-fig-change{tone}">{html.escape(change)}</div>' if change else "")
            + "</div>"
        )
    return f'<div class="w-figs">{"".join(cells)}</div>'


def _spark(daily, column: str | None) -> str:
    if daily is None or column is None or column not in daily or len(daily) < 2:
        return ""
    values = [float(v) for v in daily[column]]
    top = max(values) or 1.0
    n = len(values) - 1
    points = " ".join(f"{i / n * 100:.1f},{30 - v / top * 28:.1f}" for i, v in enumerate(values))
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 30"'
        ' preserveAspectRatio="none">'
        f'<polygon points="0,30 {points} 100,30" fill="{BAR}" fill-opacity="0.22"/>'
        f'<polyline points="{points}" fill="none" stroke="{BAR}" stroke-width="2"'
        ' vector-effect="non-scaling-stroke"/></svg>'
    )
    return svg_image(svg, "w-fig-spark")


def rows(header: Sequence[str], body: Sequence[Sequence[str]], testid: str, empty: str) -> str:
    """A short table; an empty one says so in words."""
    if not body:
        return f'<div class="w-empty" data-testid="{testid}">{html.escape(empty)}</div>'
    head = "".join(f"<th>{html.escape(str(cell))}</th>" for cell in header)
    lines = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in body
    )
    return (
        f'<table class="w-table" data-testid="{testid}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{lines}</tbody></table>"
    )


# -- charts (SVG) -------------------------------------------------------------------------
def svg_image(svg: str, css_class: str, testid: str = "") -> str:
    """An SVG document as an <img>: st.html keeps only HTML (its sanitiser's profile
    drops inline <svg>), and an image scales with its box like the SVG would."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    marker = f' data-testid="{testid}"' if testid else ""
    return f'<img class="{css_class}"{marker} alt="" src="data:image/svg+xml;base64,{encoded}"/>'


BAR = "#3fa9f5"
SECOND = "#f5a623"
BAD = "#e5484d"


def bars(
    items: Sequence[tuple[str, float, str]],
    colour: str = BAR,
    testid: str = "",
    scale_top: float | None = None,
) -> str:
    """Horizontal bars: (label, value, value as text), longest first as given; the
    track is the largest value, or `scale_top` for a measure with a fixed scale."""
    if not items:
        return f'<div class="w-empty">{html.escape(t("common.none"))}</div>'
    top = scale_top or max((value for _, value, _ in items), default=0) or 1
    marker = f' data-testid="{testid}"' if testid else ""
    lines = "".join(
        '<div class="w-bar">'
        f'<span class="w-bar-label">{html.escape(label)}</span>'
        f'<span class="w-bar-track"><span class="w-bar-fill" style="width:'
        f'{max(0.0, value) / top * 100:.1f}%;background:{colour}"></span></span>'
        f'<span class="w-bar-value">{html.escape(text)}</span></div>'
        for label, value, text in items
    )
    return f'<div class="w-bars"{marker}>{lines}</div>'


def lines(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    testid: str = "",
) -> str:
    """Line chart of a few series over the same x, with a legend and first/last x labels."""
    width, height, pad = 600.0, 200.0, 6.0
    values = [v for _, ys, _ in series for v in ys if v is not None]
    if not x_labels or not values:
        return f'<div class="w-empty">{html.escape(t("common.none"))}</div>'
    top = max(values) or 1.0
    n = max(len(x_labels) - 1, 1)
    paths = []

    def point(i: int, y: float) -> str:
        x_at = pad + i / n * (width - 2 * pad)
        return f"{x_at:.1f},{height - pad - y / top * (height - 2 * pad):.1f}"

    for share in (0.25, 0.5, 0.75, 1.0):
        y_at = height - pad - share * (height - 2 * pad)
        paths.append(
            f'<line x1="0" y1="{y_at:.1f}" x2="{width}" y2="{y_at:.1f}" stroke="#1f3252"'
            ' stroke-width="1" vector-effect="non-scaling-stroke"/>'
        )
    for _, ys, colour in series:
        points = [point(i, y) for i, y in enumerate(ys) if y is not None]
        if points:
            first_x, last_x = points[0].split(",")[0], points[-1].split(",")[0]
            paths.append(
                f'<polygon points="{first_x},{height - pad} {" ".join(points)}'
                f' {last_x},{height - pad}" fill="{colour}" fill-opacity="0.16"/>'
            )
            paths.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}"'
                ' stroke-width="3" vector-effect="non-scaling-stroke"'
                ' stroke-linejoin="round"/>'
            )
    legend = "".join(
        f'<span><i style="background:{colour}"></i>{html.escape(name)}</span>'
        for name, _, colour in series
    )
    marker = f' data-testid="{testid}"' if testid else ""
    return (
        f'<div class="w-lines"{marker}><div class="w-legend">{legend}'
        f'<span class="w-top">{html.escape(format_value(top, "count"))}</span></div>'
        + svg_image(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}"'
            ' preserveAspectRatio="none">'
            f'<line x1="0" y1="{height - pad}" x2="{width}" y2="{height - pad}" stroke="#2a3b57"'
            ' stroke-width="1" vector-effect="non-scaling-stroke"/>'
            f"{''.join(paths)}</svg>",
            "w-lines-img",
        )
        + f'<div class="w-xaxis"><span>{html.escape(x_labels[0])}</span>'
        f"<span>{html.escape(x_labels[-1])}</span></div></div>"
    )


def map_block(svg: str, legend: str, caption: str) -> str:
    return (
        f'<div class="wall-map">{svg_image(svg, "wall-map-img", "wallMap")}'
        f'<div class="w-map-caption">{html.escape(caption)}</div>'
        f'<div class="w-map-legend">{legend}</div></div>'
    )


CSS = """
.wall { display: grid; gap: 0.6rem; height: calc(100vh - 5.75rem);
  grid-template-columns: 28rem minmax(0, 1fr) 28rem;
  grid-template-rows: minmax(0, 1fr) 17.5rem;
  grid-template-areas: "left centre right" "bottom bottom bottom"; }
.w-left { grid-area: left; } .w-right { grid-area: right; } .w-centre { grid-area: centre; }
.w-bottom { grid-area: bottom; flex-direction: row !important; }
.w-xl { grid-area: xl; } .w-xr { grid-area: xr; }
.w-left, .w-right, .w-bottom, .w-xl, .w-xr { display: flex; flex-direction: column;
  gap: 0.6rem; min-height: 0; min-width: 0; }
.w-xl, .w-xr { display: none; }
.w-panel { flex: 1 1 0; min-height: 0; min-width: 0; display: flex; flex-direction: column;
  background: #12213a; border: 1px solid #1d3556; border-radius: 0.5rem;
  padding: 0.5rem 0.9rem 0.6rem; overflow: hidden; }
.w-panel h3 { font-size: 1.35rem !important; color: #7fd3ff !important; margin: 0 0 0.35rem;
  padding: 0 !important; font-weight: 600; letter-spacing: 0.05em; display: flex;
  align-items: baseline; gap: 1rem; }
.w-meta { margin-left: auto; font-size: 1.05rem; font-weight: 400; color: #8fa3bf;
  letter-spacing: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.w-body { flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column;
  justify-content: space-evenly; }
.w-figs { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.4rem 0.9rem; }
.w-fig { background: #0e1a2e; border-radius: 0.4rem; padding: 0.3rem 0.7rem; }
.w-fig-row { display: flex; align-items: center; gap: 0.6rem; }
.w-fig-spark { flex: 1 1 0; width: 0; min-width: 0; height: 2.6rem; }
.w-fig-label { font-size: 1.25rem; color: #b9c7dc; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.w-fig-value { font-size: 3.4rem; line-height: 1.1; font-weight: 700; color: #7fd3ff;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.w-fig-change { font-size: 1.1rem; color: #9fb2cc; font-variant-numeric: tabular-nums; }
.w-fig-change.w-worse { color: #ff8a80; } .w-fig-change.w-better { color: #7ee2a8; }
.w-ladder { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.5rem; }
.w-rung { background: #0e1a2e; border-radius: 0.4rem; padding: 0.2rem 0.7rem; }
.w-rung-bar { height: 0.4rem; background: #1a2c48; border-radius: 0.2rem; margin: 0.1rem 0 0.35rem;
  overflow: hidden; }
.w-rung-bar span { display: block; height: 100%; border-radius: 0.2rem; }
.w-rung-value { font-size: 2.6rem; font-weight: 700; line-height: 1.15;
  font-variant-numeric: tabular-nums; }
.w-table { width: 100%; border-collapse: collapse; font-size: 1.3rem; color: #e6edf7;
  font-variant-numeric: tabular-nums; table-layout: auto; }
.w-table th { text-align: left; color: #9fb2cc; font-weight: 500; font-size: 1.1rem;
  border-bottom: 1px solid #2a3b57; padding: 0.15rem 0.4rem; white-space: nowrap; }
.w-table td { padding: 0.2rem 0.4rem; border-bottom: 1px solid #17263f; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; max-width: 14rem; }
.w-table tr:nth-child(even) td { background: #0f1c31; }
.w-empty { color: #9fb2cc; font-size: 1.2rem; padding: 0.5rem 0; }
/* One grid for all rows: the labels' column is as wide as the longest label (up to
   40 %), so the bars start right after it and rows share the panel's height. */
.w-bars { display: grid; grid-template-columns: minmax(0, max-content) 1fr max-content;
  grid-auto-rows: minmax(1.4rem, 4.5rem); align-content: space-evenly; align-items: center;
  gap: 0.3rem 0.6rem; flex: 1 1 auto; min-height: 0; font-size: 1.15rem; color: #e6edf7; }
.w-bar { display: contents; }
.w-bar-label { max-width: 11rem; }
.w-bar-label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.w-bar-track { height: 66%; min-height: 1.2rem; background: #1a2c48; border-radius: 0.25rem;
  overflow: hidden; }
.w-bar-fill { display: block; height: 100%; border-radius: 0.25rem; }
.w-bar-value { text-align: right; font-variant-numeric: tabular-nums; color: #b9c7dc; }
.w-lines { display: flex; flex-direction: column; flex: 1 1 auto; min-height: 0; }
.w-lines-img { flex: 1 1 auto; min-height: 3rem; width: 100%; height: 0; }
.w-legend { display: flex; gap: 1.2rem; font-size: 1.05rem; color: #b9c7dc; }
.w-legend i { display: inline-block; width: 1rem; height: 0.35rem; margin-right: 0.35rem;
  vertical-align: middle; border-radius: 0.2rem; }
.w-legend .w-top { margin-left: auto; color: #8fa3bf; }
.w-xaxis { display: flex; justify-content: space-between; font-size: 0.95rem;
  color: #8fa3bf; }
.w-map-caption { position: absolute; left: 1rem; top: 0.6rem; font-size: 1.4rem;
  font-weight: 600; color: #e6edf7; text-shadow: 0 0 0.4rem #08101e; }
.w-map-legend { position: absolute; left: 1rem; bottom: 0.8rem; font-size: 1.05rem;
  line-height: 1.6; color: #dbe6f5; background: rgba(11, 21, 38, 0.82);
  border: 1px solid #1d3556; border-radius: 0.4rem; padding: 0.4rem 0.8rem; }
.w-map-legend .swatch { display: inline-block; width: 1.3em; height: 0.85em;
  border-radius: 3px; margin-right: 0.45em; vertical-align: -0.05em; }
.w-map-legend .dot { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%;
  margin: 0 0.3em 0 0.6em; vertical-align: -0.05em; }
.w-map-legend .dot:first-of-type { margin-left: 0; }
/* A spliced 3×1 wall: each side screen holds two columns of panels; the middle
   screen holds the map and the live strip, so no panel crosses a bezel. */
@media (min-aspect-ratio: 3/1) {
  .wall { grid-template-columns: 1fr 1fr minmax(0, 100rem) 1fr 1fr;
    grid-template-areas: "xl left centre right xr" "xl left bottom right xr"; }
  .w-xl, .w-xr { display: flex; }
  .w-fig-value { font-size: 3.8rem; }
  /* A side screen's column is three times as wide as a 16:9 wall's: each figure
     stands over its month's activity drawn the tile's full width. */
  .w-fig { display: grid; grid-template-columns: max-content minmax(0, 1fr);
    column-gap: 1rem; align-items: end; }
  .w-fig-row { display: contents; }
  .w-fig-label { grid-area: 1 / 1; } .w-fig-value { grid-area: 2 / 1; }
  .w-fig-change { grid-area: 3 / 1; }
  .w-fig-spark { grid-area: 1 / 2 / 4 / 3; width: 100%; height: 100%; min-height: 4rem; }
  /* Figure panels take a share of what their column has left, so a column of
     figures alone reaches the bottom: the tiles and their charts grow. */
  .w-panel:has(> .w-body > .w-figs .w-fig-spark) { flex: 0.5 1 auto !important; }
  .w-body:has(> .w-figs .w-fig-spark) { justify-content: stretch; }
  .w-figs { flex: 1 1 auto; grid-auto-rows: 1fr; }
  .w-rung { display: grid; grid-template-columns: max-content minmax(0, 1fr);
    column-gap: 1rem; align-items: center; padding: 0.3rem 0.8rem; }
  .w-rung .w-fig-label { grid-area: 1 / 1; } .w-rung-value { grid-area: 2 / 1; }
  .w-rung-bar { grid-area: 1 / 2 / 3 / 3; height: 2.4rem; margin: 0; }
  .w-bars { font-size: 1.35rem; grid-auto-rows: minmax(1.4rem, 6rem); }
}
"""
