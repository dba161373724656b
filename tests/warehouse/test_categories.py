"""SLA hours are kept in the warehouse and editable by its owner (`cockpit category`)."""

import os
import subprocess
import sys

from sqlalchemy import text


def _cockpit(warehouse, *args):
    env = {**os.environ, **warehouse.env()}
    return subprocess.run([sys.executable, "-m", "cockpit_cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_set_sla_by_code_or_name(fresh_warehouse):
    assert _cockpit(fresh_warehouse, "category", "set-sla", "repair", "96").returncode == 0
    changed = _cockpit(fresh_warehouse, "category", "set-sla", "楼道堆积", "36")
    assert changed.returncode == 0
    assert "楼道堆积" in changed.stdout
    with fresh_warehouse.owner.connect() as c:
        hours = dict(
            c.execute(text("SELECT category_code, sla_hours FROM dim_incident_category")).all()
        )
    assert hours["repair"] == 96 and hours["stairwell_clutter"] == 36
    assert hours["hazard"] == 24  # untouched


def test_bad_requests_explain_themselves(fresh_warehouse):
    unknown = _cockpit(fresh_warehouse, "category", "set-sla", "galaxy", "5")
    assert unknown.returncode == 2 and "no incident category" in unknown.stderr
    zero = _cockpit(fresh_warehouse, "category", "set-sla", "repair", "0")
    assert zero.returncode == 2 and "positive" in zero.stderr
