"""Draw an Altair chart without Altair's schema validation.

st.altair_chart calls chart.to_dict(), which validates the whole spec against the
Vega-Lite JSON schema on every rerun: half of a chart's build time (≈ 8 of 15 ms), and
服务场景 draws 13 charts. Our charts are fixed shapes built in code and rendered by the
page tests, so the check buys nothing at run time.
"""

from __future__ import annotations

import functools

import altair as alt
import streamlit as st


def show(chart: alt.TopLevelMixin, *, theme: str | None) -> None:
    # object.__setattr__: Altair's own __setattr__ would store it in the spec. Once per
    # chart: a kept chart (service_views.draw_kept) comes back on every rerun.
    if not isinstance(vars(chart).get("to_dict"), functools.partial):
        object.__setattr__(chart, "to_dict", functools.partial(chart.to_dict, validate=False))
    st.altair_chart(chart, width="stretch", theme=theme)
