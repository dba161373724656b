"""CSV and XLSX downloads of a table exactly as shown (labels in the user's language).

CSV is UTF-8 with a BOM so that Excel on Chinese Windows opens it without mojibake.
"""

from __future__ import annotations

import functools
import io

import pandas as pd
import streamlit as st

from ui.i18n import t


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def _record_export(what: str) -> None:
    """Exports go to the audit log (who took which table out of the cockpit)."""
    from data_access import auth
    from ui.auth_ui import VIEWER_KEY

    viewer = st.session_state.get(VIEWER_KEY)
    if viewer is not None:
        auth.record_export(viewer, what)


def download_buttons(frame: pd.DataFrame, name: str, key: str) -> None:
    """Two buttons under a table: CSV and XLSX of `frame`, files named `name`.csv/.xlsx.
    In a row as wide as their labels (columns of fixed shares squeezed them to empty
    boxes beside the map's narrow ranking table)."""
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        t("download.csv"),
        functools.partial(csv_bytes, frame),  # built on click, not on every rerun
        f"{name}.csv",
        "text/csv",
        key=f"{key}_csv",
        on_click=_record_export,
        args=(f"{name}.csv",),
    )
    row.download_button(
        t("download.xlsx"),
        functools.partial(xlsx_bytes, frame),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click=_record_export,
        args=(f"{name}.xlsx",),
    )


def shown_table(
    name: str, key: str, frame: pd.DataFrame, *, limit: int | None = None, **dataframe_options
) -> None:
    """A table as shown, with its CSV and XLSX buttons under it (every table is exportable).
    With `limit`, a longer table shows its first `limit` rows and says so, and the files
    hold every row: 12,000 facilities at city scope were megabytes sent on every rerun."""
    shown = frame if limit is None or len(frame) <= limit else frame.head(limit)
    if len(shown) < len(frame):
        st.caption(t("download.first_rows", shown=len(shown), total=len(frame)))
    st.dataframe(shown, **dataframe_options)
    download_buttons(frame, name, key)
