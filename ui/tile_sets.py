"""Which figures the overview's headline row shows, in one definition read by the
overview page's tiles (ui/views.py) and the meeting briefing (briefing/content.py).

Below both ui and briefing in the layers (docs/architecture.md, "Layers and moves"),
with ui.i18n and ui.formatting: plain data, no Streamlit, nothing else of ui.
"""

# (label key, summary, column, kind, lower is better, sparkline series)
OVERVIEW_TILES = [
    ("fig.open", "incidents", "open", "count", True, "incidents_reported"),
    ("fig.overdue", "incidents", "overdue", "count", True, "incidents_reported"),
    ("fig.closure_rate", "incidents", "closure_rate", "rate", False, "incidents_closed"),
    (
        "fig.mean_handling_hours",
        "incidents",
        "mean_handling_hours",
        "hours",
        True,
        "incidents_closed",
    ),
    ("fig.visits", "services", "visits", "count", False, "visits"),
    ("fig.utilisation", "services", "utilisation", "rate", False, "visits"),
    ("fig.issued", "points", "issued", "count", False, "points_issued"),
    ("fig.outstanding", "points", "outstanding", "count", False, "points_redeemed"),
    ("fig.participation", "points", "participation", "rate", False, "points_issued"),
]
