"""The only door to the warehouse. Every query runs as the read-only role, inside a
transaction whose scope PostgreSQL enforces with row-level security."""

from data_access.period import Period
from data_access.runner import QueryTimedOut, WarehouseUnavailable
from data_access.scope import Scope

__all__ = ["Period", "QueryTimedOut", "Scope", "WarehouseUnavailable"]
