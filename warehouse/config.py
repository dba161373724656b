"""Where the warehouse is: the embedded server's folder, or an operator's DATABASE_URL.

Read from the environment each time it is asked (never at import), so tests and the
`cockpit` command can point the same code at different warehouses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OWNER_ROLE = "cockpit_owner"
READER_ROLE = "cockpit_reader"
DATABASE_NAME = "cockpit"


@dataclass(frozen=True)
class WarehouseSettings:
    home: Path
    reader_url: str | None
    owner_url: str | None
    pg_bin: Path | None

    @property
    def embedded(self) -> bool:
        return self.reader_url is None


def settings() -> WarehouseSettings:
    home = Path(os.environ.get("COCKPIT_HOME") or PROJECT_ROOT / ".cockpit").expanduser()
    pg_bin = os.environ.get("COCKPIT_PG_BIN")
    return WarehouseSettings(
        home=home.resolve(),
        reader_url=os.environ.get("DATABASE_URL") or None,
        owner_url=os.environ.get("COCKPIT_OWNER_URL") or None,
        pg_bin=Path(pg_bin) if pg_bin else None,
    )
