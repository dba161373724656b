"""What `cockpit refresh` and `cockpit ingest` add as a load ends: the whole-city results
the page runs kept (data_access/kept.py) outdated, as a load's write outdates them, and
computed again by the keeper (data_access/keeper.py). Timed once, with how many."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, text

from benchmarks.table import Row, ms
from data_access.keeper import KeepReport, keep_again


@dataclass
class KeepResult:
    kept_before: int
    report: KeepReport
    seconds: float
    current_after: int


def _counts(owner: Engine) -> tuple[int, int]:
    with owner.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*), count(*) FILTER (WHERE kept_is_current(snapshot))"
                " FROM kept_result"
            )
        ).one()


def measure_keep(owner: Engine, reader_url: str) -> KeepResult:
    kept_before, _ = _counts(owner)
    with owner.begin() as connection:  # a write, as a load's: every kept result outdated
        connection.execute(text("INSERT INTO data_write_log (xid) VALUES (pg_current_xact_id())"))
    started = time.perf_counter()
    report = keep_again(owner, reader_url)
    seconds = time.perf_counter() - started
    _, current_after = _counts(owner)
    return KeepResult(kept_before, report, seconds, current_after)


def keep_rows(r: KeepResult) -> list[Row]:
    what = (
        f"after a load: {len(r.report.computed)} of {r.kept_before} kept whole-city results "
        f"computed again, {r.current_after} current after"
    )
    return [Row("kept results computed again", what, 1, ms(r.seconds), ms(r.seconds), "—", "—")]
