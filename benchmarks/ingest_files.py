"""The incident files the ingest benchmarks load (benchmarks/ingest_bench.py's 1M rows,
benchmarks/ingest_step.py's suite step): reference CSVs for a street of eight
communities and a year of incidents, reproducible from a seed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

STREET = "330109001"
COMMUNITIES = [f"330109001{n:03d}" for n in range(1, 9)]
CATEGORIES = [
    "安全隐患",
    "设施维修",
    "老人接送",
    "飞线充电",
    "违规停车",
    "管道老化",
    "楼道堆积",
    "其他",
]
CHANNELS = ["wechat", "patrol", "hotline", "app", "other"]


def write_reference(folder: Path) -> None:
    (folder / "streets.csv").write_text(
        f"street_code,street_name,kind\n{STREET},城厢街道,街道\n", encoding="utf-8"
    )
    lines = ["community_code,street_code,community_name,households,residents"]
    lines += [f"{code},{STREET},社区{n},1000,2500" for n, code in enumerate(COMMUNITIES, 1)]
    (folder / "communities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["grid_code,community_code,parent_grid_code,grid_name,level"]
    for code in COMMUNITIES:
        lines += [f"{code}G{g},{code},,第{g}网格,grid" for g in range(1, 6)]
    (folder / "grids.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_incidents(path: Path, rows: int, seed: int = 7) -> None:
    """A year of incidents: most closed, some open, a few rejected; due_at mostly empty."""
    rng = random.Random(seed)
    start = datetime(2025, 9, 1)
    fmt = "%Y-%m-%d %H:%M:%S"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "incident_id,community_code,grid_code,category,channel,reported_at,accepted_at,"
            "dispatched_at,handled_at,closed_at,status,due_at,description\n"
        )
        for n in range(rows):
            community = COMMUNITIES[n % len(COMMUNITIES)]
            reported = start + timedelta(seconds=rng.randrange(300 * 86400))
            stamps = [reported]
            for _ in range(4):
                stamps.append(stamps[-1] + timedelta(minutes=rng.randrange(5, 600)))
            reached = rng.choices([0, 1, 2, 3, 4], [5, 5, 5, 5, 80])[0]
            status = ["reported", "accepted", "dispatched", "handled", "closed"][reached]
            cells = [s.strftime(fmt) if i <= reached else "" for i, s in enumerate(stamps)]
            if rng.random() < 0.02:
                status = "rejected"
            due = (reported + timedelta(hours=48)).strftime(fmt) if rng.random() < 0.03 else ""
            out.write(
                f"B{n:07d},{community},{community}G{rng.randrange(1, 6)},"
                f"{rng.choice(CATEGORIES)},{rng.choice(CHANNELS)},{','.join(cells)},"
                f"{status},{due},第{rng.randrange(1, 40)}幢楼道堆放杂物\n"
            )
