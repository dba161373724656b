"""Compute the kept whole-city results again after new data (data_access/kept.py).

`cockpit refresh` and `cockpit ingest` call keep_again() once the new rows are
committed: every result a whole-district viewer was served from the warehouse and
that the new rows outdated is computed again, so the whole city's pages open on kept
rows after a load instead of on the first viewer's seconds. Which results: those kept
before (what someone watches), not a list of pages. A live view's is computed for the
next whole minute (from then on it is current: the load's rows carry no later event)
and, when the day has turned since, over its period moved by those days.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, text

from data_access import kept, period, runner
from data_access.scope import Scope
from sqlfiles import all_queries, query
from warehouse.checks import CheckResult

KEPT_CHECK = "kept_results_equal"  # its name among `cockpit check`'s (ui/i18n: check.…)


@dataclass
class KeepReport:
    computed: list[str] = field(default_factory=list)  # query names computed again
    current: int = 0  # kept results that were still current
    dropped: int = 0  # outdated ones no longer kept (moved to a new day, or query gone)
    seconds: float = 0.0

    def line(self) -> str:
        return (
            f"kept whole-city results: {len(self.computed)} computed again, "
            f"{self.current} still current, {self.dropped} dropped ({self.seconds:.1f} s)"
        )


def next_minute(now: datetime | None = None) -> datetime:
    if now is None:  # the app's clock (data_access.period), which a test may set
        return period.current_minute() + timedelta(minutes=1)
    return now.astimezone(period.LOCAL).replace(second=0, microsecond=0) + timedelta(minutes=1)


def keep_again(owner: Engine, reader_url: str, now: datetime | None = None) -> KeepReport:
    started = time.perf_counter()
    report = KeepReport()
    district = Scope.district()
    engine = runner.reader_engine(reader_url)
    listed, _ = runner._run(engine, query("kept_results_listed").clause(), district, {}, None)
    due = next_minute(now)
    outdated_keys = []
    for row in listed.itertuples(index=False):
        live_day = row.live_day
        if row.is_current and (live_day is None or live_day == due.date()):
            report.current += 1
            continue
        outdated_keys.append((row.query_name, row.params_key))
        is_live = live_day is not None
        if row.query_name not in all_queries() or not kept.applies(
            row.query_name, district, None, live=is_live
        ):
            continue
        named = query(row.query_name)
        computed_for = row.computed_for.to_pydatetime() if is_live else None
        bound = kept.bound_again(row.params, live_day, computed_for, due)
        frame, version = runner._run(engine, named.clause(), district, bound, None)
        live = (None, due) if is_live else None
        runner._keep(row.query_name, named, bound, frame, version, reader_url, district, None, live)
        report.computed.append(row.query_name)
    with owner.begin() as connection:
        for name, params_key in outdated_keys:
            # gone unless computed again under the same key (the same day and query text)
            report.dropped += connection.execute(
                text(
                    "DELETE FROM kept_result WHERE query_name = :name AND params_key = :key"
                    " AND (NOT kept_is_current(snapshot) OR live_day < :day)"
                ),
                {"name": name, "key": params_key, "day": due.date()},
            ).rowcount
        connection.execute(text("SELECT forget_seen_writes()"))
    report.seconds = time.perf_counter() - started
    return report


def check_kept(reader_url: str) -> CheckResult:
    """`cockpit check`: every current kept result equals its query run again now with the
    parameters, and the T, it was kept for."""
    district = Scope.district()
    engine = runner.reader_engine(reader_url)
    listed, _ = runner._run(engine, query("kept_results_listed").clause(), district, {}, None)
    differing, compared = [], 0
    for row in listed.itertuples(index=False):
        live = row.live_day is not None
        if not row.is_current or not kept.applies(row.query_name, district, None, live=live):
            continue
        named = query(row.query_name)
        computed_for = row.computed_for.to_pydatetime()
        bound = kept.bound_again(row.params, row.live_day, computed_for, computed_for)
        served, _ = runner._run(
            engine,
            query(runner.KEPT_READ).clause(),
            district,
            {
                "query_name": row.query_name,
                "params_key": row.params_key,
                "live_day": row.live_day,
                "now": computed_for,
                "known_id": -1,
            },
            None,
        )
        if served.empty:
            continue  # outdated in between
        fresh, _ = runner._run(engine, named.clause(), district, bound, None)
        compared += 1
        try:
            pd.testing.assert_frame_equal(kept.decode(served.iloc[0]["payload"]), fresh)
        except AssertionError:
            differing.append(row.query_name)
    if differing:
        detail = f"{len(differing)} of {compared} differ from their query: {', '.join(differing)}"
    else:
        detail = f"{compared} kept whole-city results equal their queries"
    return CheckResult(KEPT_CHECK, not differing, detail)
