"""Every table on every desk page can be taken away as CSV (UTF-8 BOM) and XLSX."""

import pytest

PAGES = [None, "pages/map.py", "pages/incidents.py", "pages/services.py", "pages/points.py",
         "pages/community.py", "pages/status.py", "pages/alerts.py"]  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_each_table_has_csv_and_xlsx_buttons(demo_app, page):
    app = demo_app(page)
    assert not app.exception
    tables = len(app.dataframe)
    buttons = app.get("download_button")
    labels = [button.proto.label for button in buttons]
    assert tables > 0, page
    assert labels.count("下载 CSV") >= tables, (page, tables, labels)
    assert labels.count("下载 Excel") >= tables, (page, tables, labels)
