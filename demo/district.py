"""The demo district: the ten communities of DOMAIN.md with a year of facts.

`build_district(seed, today)` builds every row in memory (a pure function, so tests can
check determinism without a database); `load_demo` writes them with COPY in one
transaction and brings the rollups up to date.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, text

from demo import facts
from demo.communities import COMMUNITIES, DEFAULT_CATEGORIES, STREETS
from demo.geometry import Area, community_shape, split, streets
from warehouse.accounts import ensure_demo_accounts
from warehouse.checks import record_checks, run_checks


class DemoExists(RuntimeError):
    """The warehouse already holds data and replace was not asked for."""


@dataclass
class Table:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple]


@dataclass
class District:
    seed: int
    today: date
    as_of: datetime
    tables: list[Table]  # in load order (parents before children)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def _split(total: int, weights: list[float]) -> list[int]:
    """Split total into integer parts proportional to weights that sum exactly to it
    (largest remainder), so grids add up to their community."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _dimensions(seed: int):
    """Communities, grids and facilities; also the incident cells per community. The
    outlines come from demo/geometry.py and draw nothing from `rng`, so the figures and
    facts of a seed stay the same whatever the outlines are."""
    rng = facts.rng_for(seed, "dimensions")
    communities, grids, facilities, cells = [], [], [], {}
    for c in COMMUNITIES:
        outline, _ = community_shape(c.code, c.lat, c.lon, c.area_ha, streets()[c.street_code])
        area = Area(outline)
        profile = dict(c.profile, area_ha=c.area_ha)
        communities.append(
            (
                c.code,
                c.street_code,
                c.name,
                c.households,
                c.residents,
                c.over_60,
                c.under_14,
                c.area_ha,
                c.lat,
                c.lon,
                json.dumps(area.geojson()),
                "{" + ",".join(c.estimated) + "}",
                json.dumps(profile, ensure_ascii=False),
            )
        )
        compounds = c.profile.get("compounds") or []
        n_grids = len(c.micro_grids)
        weights = [rng.uniform(0.7, 1.3) for _ in range(n_grids)]
        households = _split(c.households, weights)
        residents = _split(c.residents, weights)
        cells[c.code] = []
        micro_no = 0
        for g, grid_shape in enumerate(split(outline, n_grids, c.code)):
            grid_area = Area(grid_shape)
            grid_code = f"{c.code}G{g + 1:02d}"
            where = f"（{compounds[g * len(compounds) // n_grids]}）" if compounds else ""
            grid_name = f"第{g + 1}网格{where}"
            grids.append(
                (
                    grid_code,
                    c.code,
                    None,
                    grid_name,
                    "grid",
                    f"网格员 {g + 1:02d}",
                    households[g],
                    residents[g],
                    json.dumps(grid_area.geojson()),
                )
            )
            n_micro = c.micro_grids[g]
            if not n_micro:
                cells[c.code].append((grid_code, grid_area))
                continue
            micro_weights = [rng.uniform(0.6, 1.4) for _ in range(n_micro)]
            micro_households = _split(households[g], micro_weights)
            micro_residents = _split(residents[g], micro_weights)
            unit = "楼道" if c.micro_label == "楼道长" else "微网格"
            for m, micro_shape in enumerate(split(grid_shape, n_micro, grid_code)):
                micro_area = Area(micro_shape)
                micro_no += 1
                micro_code = f"{grid_code}M{m + 1:02d}"
                grids.append(
                    (
                        micro_code,
                        c.code,
                        grid_code,
                        f"第{g + 1}网格·{unit}{m + 1:02d}",
                        "micro_grid",
                        f"{c.micro_label} {micro_no:02d}",
                        micro_households[m],
                        micro_residents[m],
                        json.dumps(micro_area.geojson()),
                    )
                )
                cells[c.code].append((micro_code, micro_area))
        for n, f in enumerate(c.facilities):
            lat, lon = area.point(rng.random(), rng.random(), margin=0.15)
            details = dict(f.details, utilisation_hint=f.utilisation)
            facilities.append(
                (
                    f"{c.code}F{n + 1:02d}",
                    c.code,
                    f.name,
                    f.kind,
                    f.capacity,
                    lat,
                    lon,
                    json.dumps(details, ensure_ascii=False),
                    f,
                )
            )
    return communities, grids, facilities, cells


def build_district(
    seed: int, today: date, categories=None, progress=None, only: set[str] | None = None
) -> District:
    """Every row of the demo district, deterministic for (seed, today). `only` limits
    the facts to some community names (a cheap determinism check for tests)."""
    say = progress or (lambda message: None)
    categories = [facts.Category(*row) for row in (categories or DEFAULT_CATEGORIES)]
    start = today - timedelta(days=364)
    as_of = facts.local(today, facts.AS_OF_HOUR)

    say("streets and communities…")
    communities, grids, facility_rows, cells = _dimensions(seed)
    incidents, log, visits, journals, entries = [], [], [], [], []
    for c in COMMUNITIES:
        if only is not None and c.name not in only:
            continue
        build = facts.build_nancheng_incidents if c.name == "南城社区" else facts.build_incidents
        rows, changes = build(seed, c, categories, cells[c.code], start, today, as_of)
        incidents += rows
        log += changes
        residents = facts.Residents(seed, c)
        own = [(row[0], row[-1]) for row in facility_rows if row[1] == c.code]
        visits += facts.build_visits(seed, c, residents, own, start, today, as_of)
        j, e = facts.build_points(seed, c, residents, start, today, as_of)
        journals += j
        entries += e
        say(
            f"{c.name}: incidents {len(incidents):,}, visits {len(visits):,}, "
            f"journals {len(journals):,}…"
        )

    return District(
        seed,
        today,
        as_of,
        [
            Table(
                "dim_street",
                ("street_code", "street_name", "kind", "geometry"),
                [(*s, json.dumps(Area(streets()[s[0]]).geojson())) for s in STREETS],
            ),
            Table(
                "dim_community",
                (
                    "community_code",
                    "street_code",
                    "community_name",
                    "households",
                    "residents",
                    "residents_60_plus",
                    "residents_under_14",
                    "area_ha",
                    "lat",
                    "lon",
                    "geometry",
                    "estimated_fields",
                    "profile",
                ),
                communities,
            ),
            Table(
                "dim_grid",
                (
                    "grid_code",
                    "community_code",
                    "parent_grid_code",
                    "grid_name",
                    "level",
                    "worker",
                    "households",
                    "residents",
                    "geometry",
                ),
                grids,
            ),
            Table(
                "dim_facility",
                (
                    "facility_code",
                    "community_code",
                    "facility_name",
                    "facility_type",
                    "capacity",
                    "lat",
                    "lon",
                    "profile",
                ),
                [row[:-1] for row in facility_rows],
            ),
            Table("fact_incident", facts.INCIDENT_COLUMNS, incidents),
            Table("fact_incident_status_log", facts.STATUS_LOG_COLUMNS, log),
            Table("fact_service_visit", facts.VISIT_COLUMNS, visits),
            Table("ledger_journal", facts.JOURNAL_COLUMNS, journals),
            Table("ledger_entry", facts.ENTRY_COLUMNS, entries),
        ],
    )


# ---------------------------------------------------------------- loading

# ingest_load kinds (DESIGN §4 names) and the timestamp column giving newest_event_at.
LOAD_KINDS = {
    "dim_street": ("streets", None),
    "dim_community": ("communities", None),
    "dim_grid": ("grids", None),
    "dim_facility": ("facilities", None),
    "fact_incident": ("incidents", "reported_at"),
    "fact_service_visit": ("service_visits", "visited_at"),
    "ledger_journal": ("points", "occurred_at"),
}


def _csv(rows: list[tuple]) -> io.StringIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        # None becomes an unquoted empty field, which COPY csv reads as NULL.
        writer.writerow([v.isoformat() if isinstance(v, datetime) else v for v in row])
    buffer.seek(0)
    return buffer


def _reset(engine: Engine) -> None:
    """Drop everything (ledger triggers refuse deletes, by design) and migrate afresh."""
    from warehouse.migrate import migrate

    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)


def _holds_data(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.execute(text("SELECT exists (SELECT 1 FROM dim_community)")).scalar()
        )


def load_demo(
    engine: Engine,
    *,
    seed: int,
    today: date,
    replace: bool,
    progress: Callable[[str], None] | None,
) -> str:
    """Load the demo district into a migrated warehouse; returns a one-line summary."""
    say = progress or (lambda message: None)
    started = time.perf_counter()
    if _holds_data(engine):
        if not replace:
            raise DemoExists(
                "the warehouse already holds data; run `cockpit demo --replace` to drop it "
                "and load the demo district afresh"
            )
        say("dropping the old warehouse…")
        _reset(engine)

    with engine.connect() as connection:
        categories = connection.execute(
            text(
                "SELECT category_code, sla_hours, is_safety_hazard FROM dim_incident_category "
                "ORDER BY sort_order, category_code"
            )
        ).all()
    district = build_district(seed, today, [tuple(row) for row in categories], say)

    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # One loader at a time; re-check emptiness under the lock.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('cockpit-demo'))")
        cursor.execute("SELECT exists (SELECT 1 FROM dim_community)")
        if cursor.fetchone()[0]:
            raise DemoExists("another process loaded data meanwhile; use `cockpit demo --replace`")
        # Foreign keys are checked row by row during COPY (most of the load time);
        # drop them and add them back afterwards, which validates each in one join.
        # All inside this transaction, so nobody ever sees the tables without them.
        facts_tables = [t.name for t in district.tables if not t.name.startswith("dim_")]
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)"
            " ORDER BY 1, 2",
            (facts_tables,),
        )
        foreign_keys = cursor.fetchall()
        for table_name, name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {table_name} DROP CONSTRAINT "{name}"')
        for table in district.tables:
            say(f"{table.name} {len(table.rows):,}…")
            cursor.copy_expert(
                f"COPY {table.name} ({', '.join(table.columns)}) FROM STDIN WITH (FORMAT csv)",
                _csv(table.rows),
            )
        say("foreign keys…")
        for table_name, name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {table_name} ADD CONSTRAINT "{name}" {definition}')
        say("analyze…")
        cursor.execute("ANALYZE")  # fresh statistics before the rollup queries plan
        say("rollups…")
        cursor.execute("SELECT mark_all_days_dirty()")
        cursor.execute("SELECT refresh_rollups()")
        say("bookkeeping…")
        source = f"demo:seed={seed}"
        for table in district.tables:
            kind, stamp = LOAD_KINDS.get(table.name, (None, None))
            if kind is None:
                continue
            newest = None
            if stamp:
                index = table.columns.index(stamp)
                newest = max((row[index] for row in table.rows), default=None)
            cursor.execute(
                "INSERT INTO ingest_load (kind, source, finished_at, rows_read, rows_loaded, "
                "newest_event_at, status) VALUES (%s, %s, now(), %s, %s, %s, 'done')",
                (kind, source, len(table.rows), len(table.rows), newest),
            )
        meta = {
            "seed": seed,
            "today": today.isoformat(),
            "scale": "district",
            "as_of": district.as_of.isoformat(),
        }
        cursor.execute(
            "INSERT INTO warehouse_meta (key, value) VALUES ('demo', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (json.dumps(meta),),
        )
        # the demo's events run to its as_of, later than the load (migration 035)
        cursor.execute("SELECT declare_events_until(%s)", (district.as_of,))
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()

    say("demo accounts…")
    ensure_demo_accounts(engine)
    say("integrity checks…")
    record_checks(engine, run_checks(engine))  # a few seconds at this size
    counts = {t.name: len(t.rows) for t in district.tables}
    return (
        f"{len(COMMUNITIES)} communities, {counts['dim_grid']:,} grids, "
        f"{counts['fact_incident']:,} incidents, {counts['fact_service_visit']:,} visits, "
        f"{counts['ledger_journal']:,} points journals (seed {seed}, to {today}) "
        f"in {time.perf_counter() - started:.1f} s"
    )
