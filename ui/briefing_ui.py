"""生成简报: the desk sidebar's meeting briefing of the current view (scope, period,
as-of) as PPTX and PDF, built by the briefing package from the same data_access
figures the pages show.

The files are generated only when a button is clicked (a callable `data`), on a
download thread of Streamlit's: that thread has neither the script's viewer nor its
URL, so the viewer and the language travel in the closure. Each click is recorded in
the audit log (the button's on_click callback, on the script thread).

The briefing package (matplotlib, python-pptx, the PDF writer) is imported at the first
click, not with the page: importing it took ~0.6 s of the first page run after the app
started, for a button most views never press.
"""

from __future__ import annotations

import streamlit as st

from briefing.fonts import FontMissing, cjk_font
from data_access import auth
from ui import auth_ui, views
from ui.filters import Filters
from ui.i18n import t

KEY_PREFIX = "cockpit_briefing_"
FORMATS = {
    # kind: (button label key, MIME type)
    "pptx": (
        "briefing.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "pdf": ("briefing.pdf", "application/pdf"),
}


def _maker(view: Filters, viewer: auth.Viewer, scope_name: str, kind: str):
    scope, period, lang = view.scope, view.period, view.lang

    def make() -> bytes:
        from briefing import content, pdf_document, slides  # at the first click: see above

        writer = {"pptx": slides.pptx_bytes, "pdf": pdf_document.pdf_bytes}[kind]
        auth.set_current_viewer(viewer)  # row-level security bounds the download too
        try:
            return writer(content.build(scope, period, scope_name, lang))
        finally:
            auth.set_current_viewer(None)

    return make


def export_label(view: Filters, kind: str) -> str:
    """What the audit log records for a briefing download."""
    period = view.period
    return (
        f"briefing.{kind} {view.scope.setting()} {period.start.isoformat()}"
        f"..{period.effective_end.isoformat()} asof {period.as_of.isoformat()}"
    )


def _record(viewer: auth.Viewer, what: str) -> None:
    auth.record_export(viewer, what)


def sidebar_section(view: Filters) -> None:
    """The 生成简报 section under the filter bar (desk mode, signed in)."""
    viewer = st.session_state.get(auth_ui.VIEWER_KEY)
    if viewer is None:
        return
    lang, period = view.lang, view.period
    scope_name = views.scope_label(view)
    with st.sidebar:
        st.subheader(t("briefing.heading", lang))
        caption = t(
            "briefing.caption",
            lang,
            scope=scope_name,
            start=period.start.isoformat(),
            end=period.effective_end.isoformat(),
            as_of=period.as_of.isoformat(),
        )
        if view.scope.kind == "street":
            caption += " " + t("briefing.caption_street", lang)
        st.caption(caption)
        try:
            cjk_font()
        except FontMissing:
            st.error(t("briefing.no_font", lang))
            return
        stem = f"{t('briefing.file', lang)}_{scope_name}_{period.as_of.isoformat()}"
        for kind, (label, mime) in FORMATS.items():
            st.download_button(
                t(label, lang),
                data=_maker(view, viewer, scope_name, kind),
                file_name=f"{stem}.{kind}",
                mime=mime,
                on_click=_record,
                args=(viewer, export_label(view, kind)),
                key=f"{KEY_PREFIX}{kind}",
                width="stretch",
            )
