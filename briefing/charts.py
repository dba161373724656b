"""The briefing's charts, drawn on the server as PNG images with matplotlib (Agg, no
display, no network) in the briefing's CJK font, so they look the same in the PDF,
in PowerPoint and on any machine."""

from __future__ import annotations

import io
import threading
from functools import cache

import matplotlib

matplotlib.use("Agg")  # before pyplot: no display on a server

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from briefing.fonts import cjk_font  # noqa: E402
from ui.i18n import t  # noqa: E402

BLUE, ORANGE, GREY, GREEN = "#3a6fd8", "#e8743b", "#8a94a6", "#2e9e6a"
DPI = 160
# pyplot keeps global state; downloads run on worker threads, so draw one at a time.
_LOCK = threading.Lock()


@cache
def _family() -> str:
    """Register the briefing font with matplotlib once; its family name."""
    font = cjk_font()
    font_manager.fontManager.addfont(str(font.path))
    return font_manager.FontProperties(fname=str(font.path)).get_name()


def _figure(width: float, height: float):
    plt.rcParams["font.family"] = [_family()]
    plt.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212
    figure, axes = plt.subplots(figsize=(width, height), dpi=DPI)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#e3e7ee", linewidth=0.8)
    axes.set_axisbelow(True)
    return figure, axes


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    return buffer.getvalue()


def _days(daily: pd.DataFrame) -> list:
    return [pd.Timestamp(day).strftime("%m-%d") for day in daily["day"]]


def _thin_ticks(axes, labels: list[str], most: int = 10) -> None:
    step = max(1, len(labels) // most)
    axes.set_xticks(range(0, len(labels), step))
    axes.set_xticklabels(labels[::step], fontsize=8)


def incident_flow(daily: pd.DataFrame, lang: str, wide: bool = False) -> bytes:
    """Incidents reported and closed per day of the period."""
    with _LOCK:
        figure, axes = _figure(10 if wide else 7, 3.0)
        days = _days(daily)
        x = range(len(days))
        axes.plot(x, daily["incidents_reported"], color=BLUE, linewidth=1.8,
                  label=t("incidents.col.reported", lang))  # fmt: skip
        axes.plot(x, daily["incidents_closed"], color=ORANGE, linewidth=1.8,
                  label=t("incidents.col.closed", lang))  # fmt: skip
        _thin_ticks(axes, days)
        axes.tick_params(axis="y", labelsize=8)
        axes.legend(frameon=False, fontsize=9, loc="upper left")
        return _png(figure)


def league_index(table: pd.DataFrame, lang: str, most: int = 20) -> bytes:
    """The 大比武 index per community, best at the top."""
    top = table.head(most).iloc[::-1]
    with _LOCK:
        figure, axes = _figure(5.2, max(2.2, 0.32 * len(top) + 0.8))
        axes.grid(axis="x", color="#e3e7ee", linewidth=0.8)
        axes.grid(axis="y", visible=False)
        bars = axes.barh(top["community_name"], top["score"], color=BLUE)
        axes.bar_label(bars, labels=[f"{v:.1f}" for v in top["score"]], fontsize=8, padding=2)
        axes.set_xlim(0, 110)
        axes.tick_params(labelsize=9)
        axes.set_xlabel(t("league.score", lang), fontsize=9)
        return _png(figure)


def services_points(daily: pd.DataFrame, lang: str) -> bytes:
    """Visits per day, and points issued and redeemed per day, side by side."""
    with _LOCK:
        plt.rcParams["font.family"] = [_family()]
        plt.rcParams["axes.unicode_minus"] = False
        figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.0), dpi=DPI)
        days = _days(daily)
        x = range(len(days))
        left.bar(x, daily["visits"], color=GREEN, width=0.8)
        left.set_title(t("fig.visits", lang), fontsize=10)
        right.plot(x, daily["points_issued"], color=BLUE, linewidth=1.8,
                   label=t("fig.issued", lang))  # fmt: skip
        right.plot(x, daily["points_redeemed"], color=ORANGE, linewidth=1.8,
                   label=t("fig.redeemed", lang))  # fmt: skip
        right.legend(frameon=False, fontsize=9, loc="upper left")
        for axes in (left, right):
            axes.spines[["top", "right"]].set_visible(False)
            axes.grid(axis="y", color="#e3e7ee", linewidth=0.8)
            axes.set_axisbelow(True)
            axes.tick_params(axis="y", labelsize=8)
            _thin_ticks(axes, days, most=8)
        return _png(figure)
