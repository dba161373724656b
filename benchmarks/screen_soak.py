"""Benchmark (not a test): one wall screen refreshing for an hour of simulated time,
printing the process's memory (RSS) at the start, along the way and at the end.

    .venv/bin/python benchmarks/screen_soak.py [--hours 1] [--refresh 10] [--ttl 30]

Drives app.py with Streamlit's AppTest in mode=screen, opened with a real screen token,
against the usual warehouse (the embedded one in .cockpit, or DATABASE_URL with
COCKPIT_OWNER_URL). Every simulated `--refresh` seconds the app reruns (what the
screen's timer does); the page follows the playlist (config/screen_playlist.toml) by
its dwell times; the query cache is expired every simulated `--ttl` seconds, so the
soak also runs the queries, not only cache hits. The numbers to read: RSS after the
warm-up (first rotation) against RSS at the end; a screen that runs for days must not
grow with the number of refreshes.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from data_access.runner import query_cache  # noqa: E402
from ui import screen  # noqa: E402
from warehouse.accounts import create_screen_token  # noqa: E402


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--refresh", type=int, default=10, help="simulated seconds per rerun")
    parser.add_argument("--ttl", type=int, default=30, help="simulated cache TTL, seconds")
    args = parser.parse_args(argv)

    from warehouse.db import owner_url

    engine = create_engine(owner_url())
    token = create_screen_token(engine, "district", None, timedelta(hours=2), "soak").token
    engine.dispose()
    stops = screen.settings().stops

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.query_params["mode"] = "screen"
    app.query_params["token"] = token

    def show(index: int) -> None:
        stop = stops[index]
        for key in list(app.query_params):
            if key not in ("mode", "token"):
                del app.query_params[key]
        for key, value in stop.params.items():
            app.query_params[key] = value
        app.switch_page(stop.script)

    steps = int(args.hours * 3600 / args.refresh)
    simulated = 0
    stop_index, stop_since = 0, 0
    last_expiry = 0
    show(0)
    app.run()
    gc.collect()
    start_rss = rss_mib()
    print(f"start: RSS {start_rss:.1f} MiB  ({steps} reruns of {args.refresh} s to simulate)")
    warm_rss = None
    started = time.perf_counter()
    for step in range(1, steps + 1):
        simulated += args.refresh
        if simulated - stop_since >= stops[stop_index].dwell_seconds:
            stop_index, stop_since = (stop_index + 1) % len(stops), simulated
            show(stop_index)
            if stop_index == 0 and warm_rss is None:
                gc.collect()
                warm_rss = rss_mib()
                print(f"after the first rotation: RSS {warm_rss:.1f} MiB")
        if simulated - last_expiry >= args.ttl:
            query_cache().clear()  # as if the 60 s TTL ran out: the queries run again
            last_expiry = simulated
        app.run()
        if app.exception:
            print(f"step {step}: exception {app.exception[0].value}", file=sys.stderr)
            return 1
        if step % max(1, steps // 10) == 0:
            gc.collect()
            print(
                f"simulated {simulated / 60:5.0f} min  reruns {step:5d}  RSS {rss_mib():.1f} MiB"
                f"  ({(time.perf_counter() - started) / step * 1000:.0f} ms per rerun)",
                flush=True,
            )
    gc.collect()
    end_rss = rss_mib()
    base = warm_rss if warm_rss is not None else start_rss
    print(f"end: RSS {end_rss:.1f} MiB; start {start_rss:.1f} MiB; after warm-up {base:.1f} MiB;")
    print(f"growth after warm-up {end_rss - base:+.1f} MiB over {steps} reruns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
