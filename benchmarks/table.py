"""The suite's one table: a row per measure, its p50/p95 against the DESIGN §7 budget."""

from __future__ import annotations

import math
from dataclasses import dataclass

# DESIGN §7, city scale on the 2-core machine.
PAGE_WARM_S = 0.300
PAGE_COLD_S = 1.5
PAINT_S = 2.5  # a fully painted page in the browser
QUERY_S = 0.100
BYTES_PER_RERUN = 2_000_000
REFRESH_10K_S = 0.5
INGEST_ROWS_PER_S = 150_000


@dataclass(frozen=True)
class Row:
    measure: str
    what: str
    n: int
    p50: str
    p95: str
    budget: str
    verdict: str


COLUMNS = ("measure", "what", "n", "p50", "p95", "budget", "verdict")


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of the values at or
    below it (so the p95 of five runs is the slowest one)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


def kb(size: float) -> str:
    return f"{size / 1000:,.1f} kB"


def within(value: float, limit: float) -> str:
    return "ok" if value <= limit else "OVER"


def timing_row(measure: str, what: str, seconds: list[float], limit: float | None) -> Row:
    """p50 and p95 of `seconds`; judged by the p95 against `limit` (None: no budget)."""
    p50, p95 = percentile(seconds, 0.5), percentile(seconds, 0.95)
    budget = f"≤ {ms(limit)}" if limit is not None else "—"
    verdict = within(p95, limit) if limit is not None else "—"
    return Row(measure, what, len(seconds), ms(p50), ms(p95), budget, verdict)


def render(rows: list[Row]) -> str:
    """A markdown table (numbers right-aligned)."""
    cells = [
        COLUMNS,
        *[(r.measure, r.what, str(r.n), r.p50, r.p95, r.budget, r.verdict) for r in rows],
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    right = {2, 3, 4}

    def line(values) -> str:
        parts = [
            value.rjust(width) if i in right else value.ljust(width)
            for i, (value, width) in enumerate(zip(values, widths, strict=True))
        ]
        return "| " + " | ".join(parts) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if i in right else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(COLUMNS), rule, *(line(values) for values in cells[1:])])
