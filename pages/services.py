"""服务场景 (placeholder): what it will show, and its headline figures."""

from data_access import figures
from ui import filters, shell, views

shell.ensure_frame()

view = filters.current()
services, _ = figures.service_summary(view.scope, view.period)
views.placeholder(
    "services",
    [
        ("fig.visits", services.get("visits"), "count"),
        ("fig.unique_users", services.get("unique_users"), "count"),
        ("fig.utilisation", services.get("utilisation"), "rate"),
        ("fig.share_60_plus", services.get("share_60_plus"), "rate"),
    ],
)
