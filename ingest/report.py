"""What one file's load did, as printed at the end and recorded in ingest_load."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class LoadReport:
    path: Path
    kind: str | None
    dry_run: bool = False
    status: str = "running"  # done | dry_run | failed
    load_id: int | None = None
    encoding: str | None = None
    rows_read: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    status_steps_logged: int = 0  # milestones a re-sent incident overwrote, kept in its log
    bulk: bool = False  # the new rows went in with the table's indexes rebuilt (load.py)
    quarantined: Counter = field(default_factory=Counter)  # reason code -> rows
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    phases: dict[str, float] = field(default_factory=dict)  # phase -> seconds, in order

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())

    @property
    def adds_up(self) -> bool:
        """Every row read ended loaded, updated, unchanged or quarantined."""
        accounted = self.loaded + self.updated + self.unchanged + self.quarantined_total
        return self.rows_read == accounted

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        if self.status == "failed":
            return [f"FAILED {self.path}: {self.error} (nothing loaded from this file)"]
        label = "DRY RUN (nothing loaded)" if self.dry_run else "loaded"
        head = f"{self.path} [{self.kind}, {self.encoding}] {label}"
        out = [
            head,
            f"  read {self.rows_read:,} = loaded {self.loaded:,} + updated {self.updated:,}"
            f" + unchanged {self.unchanged:,} + quarantined {self.quarantined_total:,}",
        ]
        for reason, rows in sorted(self.quarantined.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"    quarantined {reason}: {rows:,}")
        if self.ignored_columns:
            out.append(f"  ignored columns: {', '.join(self.ignored_columns)}")
        if self.bulk:
            out.append("  bulk load: indexes rebuilt after the insert")
        out.append(f"  {self.seconds:.2f} s, {self.rows_per_second:,.0f} rows/s")
        return out


def summary(reports: list[LoadReport]) -> str:
    read = sum(r.rows_read for r in reports)
    seconds = sum(r.seconds for r in reports)
    failed = sum(r.status == "failed" for r in reports)
    return f"{len(reports)} file(s), {failed} failed; {read:,} rows in {seconds:.2f} s" + (
        f" ({read / seconds:,.0f} rows/s)" if seconds > 0 else ""
    )
