import io

import pandas as pd
from openpyxl import load_workbook

from ui.downloads import csv_bytes, xlsx_bytes

FRAME = pd.DataFrame({"社区": ["湘湖社区", "南城社区"], "未结事件": [12, 3]})


def test_csv_has_a_bom_and_reads_back_in_chinese():
    data = csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["社区,未结事件", "湘湖社区,12", "南城社区,3"]


def test_xlsx_holds_the_same_cells():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(FRAME))).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["社区", "未结事件"],
        ["湘湖社区", 12],
        ["南城社区", 3],
    ]
