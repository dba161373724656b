"""Benchmark (not a test): N wall screens (大屏) on ONE `streamlit run app.py` process,
printing the p95 refresh time of N screens against one screen alone. Budget (DESIGN §7):
50 big screens refreshing every 30 s without the p95 rerun growing more than 20 %.

    .venv/bin/python benchmarks/screen_load.py                       # 50 screens, 30 s, 3 min
    .venv/bin/python benchmarks/screen_load.py --sessions 5 --interval 5 --duration 20
    .venv/bin/python benchmarks/screen_load.py --home /path/to/city-home --streets 50

Starts a throwaway embedded warehouse with the demo district (benchmarks/common.py), a
district screen token, and one headless `streamlit run app.py` on a free loopback port.
`--home` uses an existing embedded warehouse instead (the city of `cockpit demo --scale
city`), left as it was (running or not) but for the screen tokens it adds, which expire
with the run.
`--streets N` gives the screens street tokens, one street per screen, round-robin
over the first N streets by code: a city's fifty command centres each watching their
own street, which share no cached figure; the single screen watches the first street.
Each screen is a websocket client speaking Streamlit's own protocol (BackMsg /
ForwardMsg protobufs on /_stcore/stream) the way the browser's frontend does, without
a browser: it opens `/?mode=screen&token=…`, arms a timer for every `auto_rerun` the
app asks for and sends the fragment rerun it would send, follows page switches
(`navigation.page_script_hash`) and URL changes (`page_info_changed`), and keeps the
frontend's message cache (`cached_message_hashes`, `ref_hash`).

What is measured is what a real wall screen does. The screen's frame (ui/screen.py)
runs an `st.fragment(run_every=tick)`: every tick the browser reruns that fragment,
which redraws the bar; once `refresh_seconds` have passed since the last full run, or
a playlist stop's dwell is over, the fragment calls `st.rerun()` / `st.switch_page()`
and the server reruns the whole page. So the 30 s refresh is a full rerun that starts
with a fragment rerun: a **refresh** is timed from the timer's BackMsg to the
`script_finished` that ends the full run, and its bytes are all ForwardMsgs in between.
Bar-only ticks, and the shell's 15 s recovery-watch fragment, are the rest of the
load; they are counted but reported apart. `--interval` sets the app's refresh period
(COCKPIT_SCREEN_REFRESH_S); the playlist (config/screen_playlist.toml, or
`--playlist`) keeps its pages and dwell times, so a stop whose dwell is shorter than
the interval switches page earlier. The screens start at evenly staggered offsets.

Phases: a warm-up screen visits every stop once (as of yesterday, so it leaves no
cached figure for today behind); one screen alone; then the N screens together, so
each screen makes as many refreshes as the single one. Each phase counts the
refreshes whose timer fired in the `--duration` window that follows a ramp-up of one
interval. Every refresh is checked to have drawn the page: no exception, no error
box, the screen bar, the page's title, its figure tiles with values, and the map's
deck, the league or the charts; otherwise the run fails. When the app falls behind
its screens' timers the verdict is "OVER: backlog" (the times are then lower bounds,
and Streamlit drops a run's unsent messages when the next run starts, so pages may
miss parts). The app runs without its file watcher (other edits to the checkout must
not reload modules mid-measurement); `--app-env NAME=VALUE` adds to its environment,
e.g. a Streamlit option such as STREAMLIT_RUNNER_POST_SCRIPT_GC=false.

The screen itself (the websocket client and what a drawn page must show) is in
benchmarks/screen_client.py; this file runs the phases and reports (split in issue [12]).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))  # harness.AppServer: `streamlit run`

from harness import AppServer  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks.common import existing_warehouse, throwaway_demo_warehouse  # noqa: E402
from benchmarks.screen_client import Rerun, ScreenClient  # noqa: E402
from ui import screen  # noqa: E402
from warehouse.accounts import create_screen_token  # noqa: E402

BUDGET_GROWTH = 0.20
DRAIN_TIMEOUT_S = 90


# -- phases ---------------------------------------------------------------------------------
@dataclass
class Phase:
    sessions: int
    results: list[Rerun]
    window: float
    unanswered: int
    overlapping: int
    app_cpu_s: float
    db_cpu_s: float

    def of(self, kind: str) -> list[Rerun]:
        return [run for run in self.results if run.kind == kind]


async def run_phase(
    port: int,
    query_strings: list[str],
    sessions: int,
    interval: float,
    duration: float,
    app_pid: int,
    pg_home: Path,
) -> Phase:
    """N screens, staggered over one interval; keep the requests sent in the window.
    Screen i opens query_strings[i % len(query_strings)]."""
    clients = [
        ScreenClient(number, port, query_strings[number % len(query_strings)])
        for number in range(sessions)
    ]
    began = time.perf_counter()
    window = (began + interval, began + interval + duration)

    async def one(client: ScreenClient) -> None:
        await asyncio.sleep(client.number * interval / sessions)
        client.start_timers()  # as in the browser: armed by the first run's auto_rerun
        await client.open()
        await asyncio.sleep(max(0.0, window[1] - time.perf_counter()))
        client.stop_timers()
        await client.wait_settled(DRAIN_TIMEOUT_S)
        await client.close()

    async def measure_cpu() -> tuple[float, float]:
        await asyncio.sleep(max(0.0, window[0] - time.perf_counter()))
        app_before, db_before = process_cpu(app_pid), postgres_cpu(pg_home)
        await asyncio.sleep(max(0.0, window[1] - time.perf_counter()))
        return process_cpu(app_pid) - app_before, postgres_cpu(pg_home) - db_before

    cpu = asyncio.create_task(measure_cpu())
    await asyncio.gather(*(one(client) for client in clients))
    app_cpu, db_cpu = await cpu
    results = [
        run
        for client in clients
        for run in client.results
        if run.kind in ("open", "connection") or window[0] <= run.sent < window[1]
    ]
    return Phase(
        sessions,
        results,
        duration,
        sum(client.unanswered for client in clients),
        sum(client.overlapping for client in clients),
        app_cpu,
        db_cpu,
    )


async def warm_up(port: int, token: str) -> list[Rerun]:
    """Visit every playlist stop once, as of yesterday: imports, geometry and first-run
    costs are paid here, and no figure of today's as-of is left in the query cache."""
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    client = ScreenClient(-1, port, urlencode({"mode": "screen", "token": token}))
    await client.open()
    await client.wait_first_run(timeout=180)
    hashes = {name: page_hash for page_hash, name in client.page_names.items()}
    for stop in screen.settings().stops:
        params = {**stop.params, "asof": yesterday, "mode": "screen", "token": token}
        await client.send(page_hash=hashes[stop.page_name], query_string=urlencode(params))
        await client.wait_settled(180)
    await client.close()
    return client.results


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (its threads included)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu(home: Path) -> float:
    """CPU seconds of the embedded server: the postmaster, its reaped children and the
    backends alive now (the app's pooled connections live through a phase)."""
    try:
        postmaster = int((home / "pgdata" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError):
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(stat.parent.name)
        if pid == postmaster:
            total += sum(int(value) for value in fields[11:15]) / tick
        elif int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# -- the report -------------------------------------------------------------------------------
def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(runs: list[Rerun]) -> dict:
    millis = [run.seconds * 1000 for run in runs]
    return {
        "reruns": len(runs),
        "p50": percentile(millis, 0.50),
        "p95": percentile(millis, 0.95),
        "max": max(millis, default=float("nan")),
        "bytes": statistics.fmean(run.bytes for run in runs) if runs else float("nan"),
    }


def ms(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:,.0f}"


def verdict(growth: float, problems: list[Rerun], measured: bool, crowd: Phase) -> str:
    if crowd.unanswered or crowd.overlapping:
        # The app fell behind its screens' timers; behind a backlog Streamlit also
        # drops a run's unsent messages when the next run starts, so a page can miss
        # parts (listed below) without any error in the app.
        return "OVER: backlog"
    if problems:
        return "INVALID: render problems"
    if not measured:
        return "INVALID: no refreshes"
    return "within" if growth <= BUDGET_GROWTH else "OVER"


def print_report(single: Phase, crowd: Phase, args, warm: list[Rerun]) -> bool:
    base, many = summary(single.of("refresh")), summary(crowd.of("refresh"))
    measured = base["reruns"] > 0 and many["reruns"] > 0
    growth = many["p95"] / base["p95"] - 1 if measured else float("nan")
    problems = [run for run in [*warm, *single.results, *crowd.results] if run.problems]
    judged = verdict(growth, problems, measured, crowd)
    print()
    print(
        f"Wall screens on one app process: full-page refreshes, timed from the screen "
        f"timer's BackMsg to script_finished; refresh every {args.interval} s, "
        f"{args.duration:g} s measured per phase"
        + (f"; app environment {' '.join(args.app_env)}" if args.app_env else "")
    )
    watched = f"one street each, over {args.streets} streets" if args.streets else "the district"
    where = f"the warehouse in {args.home}" if args.home else "the demo district"
    print(f"Screens watch {watched}, on {where}.")
    print()
    print(
        f"| {'sessions':>8} | {'reruns':>6} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} "
        f"| {'mean bytes/rerun':>16} | {'p95 growth':>10} | budget (≤ 20 %) |"
    )
    print(f"|{'-' * 10}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 18}|{'-' * 12}|{'-' * 17}|")
    change = "—" if math.isnan(growth) else f"{growth * 100:+.1f} %"
    for phase, row, grew, said in ((single, base, "—", "baseline"), (crowd, many, change, judged)):
        print(
            f"| {phase.sessions:>8} | {row['reruns']:>6} | {ms(row['p50']):>7} "
            f"| {ms(row['p95']):>7} | {ms(row['max']):>7} | {ms(row['bytes']):>16} "
            f"| {grew:>10} | {said:<15} |"
        )
    print()
    for phase in (single, crowd):
        ticks, watch = summary(phase.of("tick")), summary(phase.of("watch"))
        opens, refreshes = summary(phase.of("open")), phase.of("refresh")
        cpu_each = phase.app_cpu_s * 1000 / len(refreshes) if refreshes else float("nan")
        print(f"{phase.sessions} screen(s):")
        print(
            f"  bar-only ticks {ticks['reruns']} (p50 {ms(ticks['p50'])} ms, p95 "
            f"{ms(ticks['p95'])} ms, {ms(ticks['bytes'])} bytes each); recovery-watch reruns "
            f"{watch['reruns']}; opening a screen p50 {ms(opens['p50'])} ms"
        )
        print(
            f"  app process CPU {phase.app_cpu_s / phase.window:.0%} of a core "
            f"({ms(cpu_each)} ms per refresh, ticks included), PostgreSQL "
            f"{phase.db_cpu_s / phase.window:.0%}"
        )
        print(
            f"  timer requests sent while the previous one was unanswered (backlog): "
            f"{phase.overlapping}; unanswered after the drain: {phase.unanswered}"
        )
    print()
    print("p95 ms by page (refreshes): one screen | all screens")
    for page in sorted({run.page for run in [*single.of("refresh"), *crowd.of("refresh")]}):
        alone = summary([run for run in single.of("refresh") if run.page == page])
        together = summary([run for run in crowd.of("refresh") if run.page == page])
        print(
            f"  {page:<10} {ms(alone['p95']):>7} ({alone['reruns']:>3}) | "
            f"{ms(together['p95']):>7} ({together['reruns']:>4})"
        )
    if crowd.unanswered or crowd.overlapping:
        print(
            "note: the app fell behind its screens' timers (requests queued behind a "
            "backlog); the rerun times above are lower bounds"
        )
    if 0 < base["reruns"] < 20:
        print(
            f"note: the single screen made {base['reruns']} refreshes, so its p95 is close to "
            "its slowest one; a longer --duration gives a steadier baseline"
        )
    warm_ms = ", ".join(f"{run.page} {ms(run.seconds * 1000)}" for run in warm)
    print(f"warm-up (ms; the first is the process's first run): {warm_ms}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (shared with other work)")
    for run in problems[:10]:
        print(f"PROBLEM screen {run.session} {run.kind} {run.page}: {'; '.join(run.problems)}")
    if len(problems) > 10:
        print(f"… and {len(problems) - 10} more reruns with problems")
    return measured and not problems


def screen_tokens(engine, streets: int, lasting: timedelta) -> list[str]:
    """One district token, or one token for each of the first `streets` streets."""
    label = "screen_load benchmark"
    if not streets:
        return [create_screen_token(engine, "district", None, lasting, label).token]
    with engine.connect() as connection:
        codes = connection.execute(
            text("SELECT street_code FROM dim_street ORDER BY street_code LIMIT :n"),
            {"n": streets},
        ).scalars()
        codes = list(codes)
    return [create_screen_token(engine, "street", code, lasting, label).token for code in codes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50, help="screens at once")
    parser.add_argument(
        "--interval", type=int, default=30, help="refresh seconds (COCKPIT_SCREEN_REFRESH_S)"
    )
    parser.add_argument("--duration", type=float, default=180, help="seconds measured per phase")
    parser.add_argument("--playlist", type=Path, help="another screen playlist (TOML)")
    parser.add_argument(
        "--home", type=Path, help="an existing embedded warehouse (COCKPIT_HOME) to use"
    )
    parser.add_argument(
        "--streets", type=int, default=0, help="street screens over the first N streets"
    )
    parser.add_argument(
        "--cache-ttl", type=float, help="the app's query-cache TTL in seconds (default 60)"
    )
    parser.add_argument(
        "--app-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the app, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false",
    )
    args = parser.parse_args(argv)
    if any("=" not in item for item in args.app_env):
        parser.error("--app-env takes NAME=VALUE")
    if args.interval < 1 or args.sessions < 1 or args.duration <= 0 or args.streets < 0:
        parser.error("--interval ≥ 1, --sessions ≥ 1, --duration > 0, --streets ≥ 0, please")
    if args.home and not (args.home / "pgdata").is_dir():
        parser.error(f"--home {args.home} holds no embedded warehouse (no pgdata folder)")
    if args.playlist:
        os.environ[screen.PLAYLIST_ENV] = str(args.playlist.resolve())
    os.environ[screen.REFRESH_ENV] = str(args.interval)

    began = time.perf_counter()
    warehouse_in = (
        existing_warehouse(args.home)
        if args.home
        else throwaway_demo_warehouse("cockpit-screen-load-")
    )
    with warehouse_in as warehouse:
        print(f"warehouse ready in {warehouse.load_seconds:.1f} s", flush=True)
        engine = create_engine(warehouse.owner_url)
        hours = (args.duration * 2 + args.interval * 2) / 3600 + 1
        tokens = screen_tokens(engine, args.streets, timedelta(hours=hours))
        engine.dispose()
        env = warehouse.env()  # with the refresh period and playlist set above
        env["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
        if args.cache_ttl is not None:
            env["COCKPIT_CACHE_TTL"] = str(args.cache_ttl)
        env.update(item.split("=", 1) for item in args.app_env)
        app = AppServer(ROOT / "app.py", env).start(timeout=120)
        try:
            print(f"app on port {app.port} (log {app.log_path})", flush=True)
            query_strings = [urlencode({"mode": "screen", "token": token}) for token in tokens]
            warm = asyncio.run(warm_up(app.port, tokens[0]))
            phases = []
            for sessions in (1, args.sessions):
                print(f"measuring {sessions} screen(s)…", flush=True)
                phases.append(
                    asyncio.run(
                        run_phase(
                            app.port,
                            query_strings,
                            sessions,
                            args.interval,
                            args.duration,
                            app.process.pid,
                            warehouse.home,
                        )
                    )
                )
        finally:
            app.stop()
        ok = print_report(phases[0], phases[1], args, warm)
    print(f"total time {time.perf_counter() - began:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
