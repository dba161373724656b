"""Write the export files the tests load, the way offices' tools write them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

STREET = "330109001"
COMMUNITY_A, COMMUNITY_B = "330109001001", "330109001002"
GRID_A, MICRO_A, GRID_B = "A-G1", "A-G1-M1", "B-G1"
FACILITY_A = "A-F1"


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    """encoding 'utf-8-sig' writes a BOM; 'gbk' is what Chinese Excel writes."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("second sheet is ignored").append(["nothing", "here"])
    workbook.save(path)
    return path


def reference_files(folder: Path) -> list[Path]:
    """A street, two communities, grids (one micro-grid) and a facility."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_csv(
            folder / "streets.csv",
            [["street_code", "street_name", "kind"], [STREET, "城厢街道", "街道"]],
        ),
        write_csv(
            folder / "communities.csv",
            [
                ["社区代码", "街道代码", "社区", "户数", "常住人口"],
                [COMMUNITY_A, STREET, "甲社区", "1000", "2500"],
                [COMMUNITY_B, STREET, "乙社区", "800", "2000"],
            ],
            "gbk",
        ),
        write_csv(
            folder / "grids.csv",
            [
                ["网格编码", "community_code", "parent_grid_code", "grid_name", "level", "网格员"],
                [GRID_A, COMMUNITY_A, "", "甲一网格", "grid", "李网格员"],
                [MICRO_A, COMMUNITY_A, GRID_A, "甲一微网格", "micro_grid", "王楼长"],
                [GRID_B, COMMUNITY_B, "", "乙一网格", "grid", ""],
            ],
        ),
        write_csv(
            folder / "facilities.csv",
            [
                ["facility_code", "community_code", "facility_name", "facility_type", "capacity"],
                [FACILITY_A, COMMUNITY_A, "甲食堂", "canteen", "120"],
            ],
        ),
    ]
