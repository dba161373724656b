"""网格地图 (placeholder): what it will show, and the scope's headline figures."""

from data_access import figures
from ui import filters, shell, views

shell.ensure_frame()

view = filters.current()
incidents, _ = figures.incident_summary(view.scope, view.period)
views.placeholder(
    "map",
    [
        ("fig.residents", figures.residents(view.scope), "count"),
        ("fig.open", incidents.get("open"), "count"),
        ("fig.overdue", incidents.get("overdue"), "count"),
    ],
)
