"""Insert small, known sets of rows as the owner (for tests that assert exact figures)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

LOCAL = ZoneInfo("Asia/Shanghai")
STREET_A, STREET_B = "330109901", "330109902"
COMMUNITY_A, COMMUNITY_B = "330109901001", "330109902001"
GRID_A, MICRO_A = "A-G1", "A-G1-M1"
GRID_B = "B-G1"
FACILITY_A, FACILITY_B = "A-F1", "B-F1"


def at(text_value: str) -> datetime:
    """A local (Asia/Shanghai) time written 'YYYY-MM-DD HH:MM'."""
    return datetime.strptime(text_value, "%Y-%m-%d %H:%M").replace(tzinfo=LOCAL)


def two_communities(engine: Engine) -> None:
    with engine.begin() as c:
        c.execute(
            text("INSERT INTO dim_street VALUES (:a, '甲街道', '街道'), (:b, '乙镇', '镇')"),
            {"a": STREET_A, "b": STREET_B},
        )
        c.execute(
            text(
                "INSERT INTO dim_community (community_code, street_code, community_name,"
                " households, residents) VALUES"
                " (:ca, :sa, '甲社区', 1000, 2000), (:cb, :sb, '乙社区', 500, 1500)"
            ),
            {"ca": COMMUNITY_A, "sa": STREET_A, "cb": COMMUNITY_B, "sb": STREET_B},
        )
        c.execute(
            text(
                "INSERT INTO dim_grid (grid_code, community_code, parent_grid_code, grid_name,"
                " level, households, residents) VALUES"
                " (:ga, :ca, NULL, '甲一网格', 'grid', 1000, 2000),"
                " (:ma, :ca, :ga, '甲一微网格', 'micro_grid', 400, 800),"
                " (:gb, :cb, NULL, '乙一网格', 'grid', 500, 1500)"
            ),
            {"ga": GRID_A, "ma": MICRO_A, "gb": GRID_B, "ca": COMMUNITY_A, "cb": COMMUNITY_B},
        )
        c.execute(
            text(
                "INSERT INTO dim_facility (facility_code, community_code, facility_name,"
                " facility_type, capacity) VALUES (:fa, :ca, '甲食堂', 'canteen', 10),"
                " (:fb, :cb, '乙托育', 'childcare', 4)"
            ),
            {"fa": FACILITY_A, "fb": FACILITY_B, "ca": COMMUNITY_A, "cb": COMMUNITY_B},
        )


def incident(
    engine: Engine,
    community: str,
    incident_id: str,
    reported: datetime,
    *,
    category: str = "repair",
    grid: str | None = None,
    closed: datetime | None = None,
    rejected: datetime | None = None,
    accepted: datetime | None = None,
    due: datetime | None = None,
) -> None:
    status = (
        "closed" if closed else "rejected" if rejected else "accepted" if accepted else "reported"
    )
    with engine.begin() as c:
        sla = c.execute(
            text("SELECT sla_hours FROM dim_incident_category WHERE category_code = :c"),
            {"c": category},
        ).scalar_one()
        c.execute(
            text(
                "INSERT INTO fact_incident (community_code, incident_id, grid_code, category_code,"
                " status, reported_at, accepted_at, closed_at, rejected_at, due_at) VALUES"
                " (:community, :id, :grid, :category, :status, :reported, :accepted, :closed,"
                " :rejected, :due)"
            ),
            {
                "community": community,
                "id": incident_id,
                "grid": grid,
                "category": category,
                "status": status,
                "reported": reported,
                "accepted": accepted,
                "closed": closed,
                "rejected": rejected,
                "due": due or reported + timedelta(hours=sla),
            },
        )


def visit(
    engine: Engine,
    community: str,
    facility: str,
    visit_id: str,
    when: datetime,
    *,
    resident: str = "r1",
    age_band: str | None = "35-59",
    units: int = 1,
    status: str = "attended",
) -> None:
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO fact_service_visit (community_code, visit_id, facility_code,"
                " visited_at, resident_ref, age_band, units, status)"
                " VALUES (:c, :v, :f, :w, :r, :a, :u, :s)"
            ),
            {
                "c": community,
                "v": visit_id,
                "f": facility,
                "w": when,
                "r": resident,
                "a": age_band,
                "u": units,
                "s": status,
            },
        )


def journal(
    engine: Engine,
    community: str,
    journal_id: str,
    when: datetime,
    kind: str,
    resident: str,
    amount: int,
    *,
    reason: str = "志愿服务",
    counterparty: str = "邻里食堂",
    entries: list[tuple[str, str, int]] | None = None,
    connection=None,
) -> None:
    """A journal and its entries; by default the balanced pair for its kind. Given a
    `connection`, inside its open transaction (left uncommitted)."""
    resident_account = f"resident:{resident}"
    default_entries = {
        "earn": [(f"source:{reason}", "source", -amount), (resident_account, "resident", amount)],
        "redeem": [
            (resident_account, "resident", -amount),
            (f"sink:{counterparty}", "sink", amount),
        ],
        "expire": [(resident_account, "resident", -amount), ("expired", "expired", amount)],
        "adjust": [(resident_account, "resident", amount), ("adjustment", "adjustment", -amount)],
    }[kind]
    with contextlib.nullcontext(connection) if connection is not None else engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO ledger_journal (community_code, journal_id, occurred_at, kind,"
                " resident_ref, amount, reason, counterparty) VALUES (:c, :j, :w, :k, :r, :a,"
                " :reason, :cp)"
            ),
            {
                "c": community,
                "j": journal_id,
                "w": when,
                "k": kind,
                "r": resident,
                "a": amount,
                "reason": reason,
                "cp": counterparty,
            },
        )
        # One statement: the balance check runs at the end of each inserting statement.
        lines = entries or default_entries
        values, params = [], {"c": community, "j": journal_id, "w": when}
        for n, (account, account_kind, value) in enumerate(lines, 1):
            values.append(f"(:c, :j, {n}, :acc{n}, :kind{n}, :a{n}, :w)")
            params.update({f"acc{n}": account, f"kind{n}": account_kind, f"a{n}": value})
        c.execute(
            text(
                "INSERT INTO ledger_entry (community_code, journal_id, line_no, account,"
                " account_kind, amount, occurred_at) VALUES " + ", ".join(values)
            ),
            params,
        )


# The newest event the facts hold, of any kind (a booking ahead is no event yet)
NEWEST_EVENT = (
    "SELECT greatest((SELECT max(greatest(reported_at, accepted_at, closed_at, rejected_at))"
    " FROM fact_incident), (SELECT max(changed_at) FROM fact_incident_status_log),"
    " (SELECT max(visited_at) FROM fact_service_visit WHERE status = 'attended'),"
    " (SELECT max(occurred_at) FROM ledger_journal))"
)
