"""民情事件 (placeholder): what it will show, and its headline figures."""

from data_access import figures
from ui import filters, shell, views

shell.ensure_frame()

view = filters.current()
incidents, _ = figures.incident_summary(view.scope, view.period)
views.placeholder(
    "incidents",
    [
        ("fig.open", incidents.get("open"), "count"),
        ("fig.overdue", incidents.get("overdue"), "count"),
        ("fig.closed", incidents.get("closed"), "count"),
        ("fig.closure_rate", incidents.get("closure_rate"), "rate"),
        ("fig.on_time_rate", incidents.get("on_time_rate"), "rate"),
        ("fig.mean_handling_hours", incidents.get("mean_handling_hours"), "hours"),
        ("fig.hazards_fixed", incidents.get("hazards_fixed"), "count"),
    ],
)
