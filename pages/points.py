"""积分流转 (placeholder): what it will show, and its headline figures."""

from data_access import figures
from ui import filters, shell, views

shell.ensure_frame()

view = filters.current()
points, _ = figures.points_summary(view.scope, view.period)
views.placeholder(
    "points",
    [
        ("fig.issued", points.get("issued"), "count"),
        ("fig.redeemed", points.get("redeemed"), "count"),
        ("fig.outstanding", points.get("outstanding"), "count"),
        ("fig.participation", points.get("participation"), "rate"),
    ],
)
