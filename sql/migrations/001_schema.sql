-- 001 star schema: dimensions, facts, ledger, rollups, ingest bookkeeping.
-- Citus-ready: every fact and rollup table carries community_code as the first
-- column of its primary key (the distribution column); dimensions are small
-- reference tables.

CREATE FUNCTION local_day(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (ts AT TIME ZONE 'Asia/Shanghai')::date;

-- ---------------------------------------------------------------- dimensions

-- one row per street or town
CREATE TABLE dim_street (
    street_code  text PRIMARY KEY CHECK (street_code ~ '^[0-9]{9}$'),
    street_name  text NOT NULL,
    kind         text NOT NULL DEFAULT '街道' CHECK (kind IN ('街道', '镇'))
);

-- one row per community; figures as reported, estimates listed in estimated_fields
CREATE TABLE dim_community (
    community_code      text PRIMARY KEY CHECK (community_code ~ '^[0-9]{12}$'),
    street_code         text NOT NULL REFERENCES dim_street,
    community_name      text NOT NULL,
    households          integer CHECK (households >= 0),
    residents           integer CHECK (residents >= 0),
    residents_60_plus   integer CHECK (residents_60_plus >= 0),
    residents_under_14  integer CHECK (residents_under_14 >= 0),
    area_ha             numeric(10, 2),
    lat                 double precision,
    lon                 double precision,
    geometry            jsonb,
    estimated_fields    text[] NOT NULL DEFAULT '{}',
    profile             jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX dim_community_street ON dim_community (street_code);

-- one row per grid or micro-grid (a micro-grid has a parent grid)
CREATE TABLE dim_grid (
    grid_code         text PRIMARY KEY,
    community_code    text NOT NULL REFERENCES dim_community,
    parent_grid_code  text REFERENCES dim_grid,
    grid_name         text NOT NULL,
    level             text NOT NULL CHECK (level IN ('grid', 'micro_grid')),
    worker            text,
    households        integer CHECK (households >= 0),
    residents         integer CHECK (residents >= 0),
    geometry          jsonb,
    CHECK ((level = 'grid') = (parent_grid_code IS NULL))
);
CREATE INDEX dim_grid_community ON dim_grid (community_code);

-- one row per service facility
CREATE TABLE dim_facility (
    facility_code   text PRIMARY KEY,
    community_code  text NOT NULL REFERENCES dim_community,
    facility_name   text NOT NULL,
    facility_type   text NOT NULL CHECK (facility_type IN
        ('canteen', 'eldercare', 'childcare', 'health', 'library', 'gym', 'youth', 'activity', 'other')),
    capacity        integer NOT NULL CHECK (capacity > 0),
    lat             double precision,
    lon             double precision,
    profile         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX dim_facility_community ON dim_facility (community_code);

-- one row per incident category, with its SLA (editable)
CREATE TABLE dim_incident_category (
    category_code     text PRIMARY KEY,
    category_name     text NOT NULL UNIQUE,
    sla_hours         integer NOT NULL CHECK (sla_hours > 0),
    is_safety_hazard  boolean NOT NULL DEFAULT false,
    sort_order        integer NOT NULL DEFAULT 100
);
INSERT INTO dim_incident_category (category_code, category_name, sla_hours, is_safety_hazard, sort_order) VALUES
    ('hazard',        '安全隐患', 24,  true,  1),
    ('repair',        '设施维修', 72,  false, 2),
    ('elderly_care',  '老人接送', 24,  false, 3),
    ('flying_wire',   '飞线充电', 24,  true,  4),
    ('illegal_parking', '违规停车', 12, false, 5),
    ('aging_pipes',   '管道老化', 120, false, 6),
    ('stairwell_clutter', '楼道堆积', 48, false, 7),
    ('other',         '其他',     72,  false, 99);

-- one row per local (Asia/Shanghai) calendar day
CREATE TABLE dim_date (
    day         date PRIMARY KEY,
    year        smallint NOT NULL,
    quarter     smallint NOT NULL,
    month       smallint NOT NULL,
    iso_week    smallint NOT NULL,
    weekday     smallint NOT NULL,  -- ISO: 1 Monday … 7 Sunday
    is_weekend  boolean NOT NULL
);
INSERT INTO dim_date
SELECT d::date, extract(year FROM d), extract(quarter FROM d), extract(month FROM d),
       extract(week FROM d), extract(isodow FROM d), extract(isodow FROM d) >= 6
FROM generate_series(date '2018-01-01', date '2040-12-31', interval '1 day') AS d;

-- ---------------------------------------------------------------- facts

-- one row per incident, with its milestones as of the latest load
CREATE TABLE fact_incident (
    community_code  text NOT NULL REFERENCES dim_community,
    incident_id     text NOT NULL,
    grid_code       text REFERENCES dim_grid,
    category_code   text NOT NULL REFERENCES dim_incident_category,
    channel         text NOT NULL DEFAULT 'other'
                    CHECK (channel IN ('wechat', 'patrol', 'hotline', 'app', 'other')),
    status          text NOT NULL
                    CHECK (status IN ('reported', 'accepted', 'dispatched', 'handled', 'closed', 'rejected')),
    reported_at     timestamptz NOT NULL,
    accepted_at     timestamptz,
    dispatched_at   timestamptz,
    handled_at      timestamptz,
    closed_at       timestamptz,
    rejected_at     timestamptz,
    due_at          timestamptz NOT NULL,  -- given, or reported_at + the category's SLA
    lat             double precision,
    lon             double precision,
    description     text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_code, incident_id),
    CHECK (closed_at IS NULL OR closed_at >= reported_at),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK ((status = 'rejected') = (rejected_at IS NOT NULL))
);
CREATE INDEX fact_incident_reported ON fact_incident (community_code, reported_at);
CREATE INDEX fact_incident_closed ON fact_incident (community_code, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX fact_incident_unclosed ON fact_incident (community_code, due_at)
    WHERE closed_at IS NULL AND rejected_at IS NULL;

-- one row per status change of an incident; append-only
CREATE TABLE fact_incident_status_log (
    community_code  text NOT NULL,
    log_id          bigint GENERATED ALWAYS AS IDENTITY,
    incident_id     text NOT NULL,
    status          text NOT NULL,
    changed_at      timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_code, log_id),
    FOREIGN KEY (community_code, incident_id) REFERENCES fact_incident
);
CREATE INDEX fact_incident_status_log_incident
    ON fact_incident_status_log (community_code, incident_id, changed_at);

-- one row per service visit or booking
CREATE TABLE fact_service_visit (
    community_code  text NOT NULL REFERENCES dim_community,
    visit_id        text NOT NULL,
    facility_code   text NOT NULL REFERENCES dim_facility,
    visited_at      timestamptz NOT NULL,
    resident_ref    text,
    age_band        text CHECK (age_band IN ('0-3', '4-14', '15-34', '35-59', '60-79', '80+')),
    units           integer NOT NULL DEFAULT 1 CHECK (units > 0),
    status          text NOT NULL DEFAULT 'attended'
                    CHECK (status IN ('attended', 'booked', 'no_show', 'cancelled')),
    PRIMARY KEY (community_code, visit_id)
);
CREATE INDEX fact_service_visit_time ON fact_service_visit (community_code, visited_at);
CREATE INDEX fact_service_visit_facility ON fact_service_visit (facility_code, visited_at);

-- one row per points transaction (a journal); its entries net to zero
CREATE TABLE ledger_journal (
    community_code   text NOT NULL REFERENCES dim_community,
    journal_id       text NOT NULL,          -- the source's txn_id: the idempotency key
    occurred_at      timestamptz NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('earn', 'redeem', 'expire', 'adjust')),
    resident_ref     text NOT NULL,
    amount           integer NOT NULL CHECK (amount <> 0),
    reason           text,
    counterparty     text,
    reverses         text,                   -- journal_id this one corrects, if any
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_code, journal_id),
    CHECK (kind = 'adjust' OR amount > 0)
);
CREATE INDEX ledger_journal_time ON ledger_journal (community_code, occurred_at);

-- one row per ledger line: account debited (negative) or credited (positive)
CREATE TABLE ledger_entry (
    community_code  text NOT NULL,
    journal_id      text NOT NULL,
    line_no         smallint NOT NULL,
    account         text NOT NULL,          -- resident:<ref> | source:<reason> | sink:<counterparty> | expired | adjustment
    account_kind    text NOT NULL CHECK (account_kind IN ('resident', 'source', 'sink', 'expired', 'adjustment')),
    amount          bigint NOT NULL CHECK (amount <> 0),
    occurred_at     timestamptz NOT NULL,
    PRIMARY KEY (community_code, journal_id, line_no),
    FOREIGN KEY (community_code, journal_id) REFERENCES ledger_journal
);
CREATE INDEX ledger_entry_account ON ledger_entry (community_code, account_kind, occurred_at);

-- ---------------------------------------------------------------- rollups

-- one row per community per local day: the additive figures of DESIGN §5
CREATE TABLE rollup_community_day (
    community_code            text NOT NULL REFERENCES dim_community,
    day                       date NOT NULL,
    incidents_reported        integer NOT NULL DEFAULT 0,  -- by reported day, rejected included
    incidents_rejected        integer NOT NULL DEFAULT 0,  -- by rejected day
    incidents_closed          integer NOT NULL DEFAULT 0,  -- by closed day
    incidents_closed_on_time  integer NOT NULL DEFAULT 0,  -- by closed day, closed_at <= due_at
    hazards_closed            integer NOT NULL DEFAULT 0,  -- safety-hazard categories, by closed day
    handling_hours_sum        double precision NOT NULL DEFAULT 0,  -- of incidents closed that day
    visits_units              bigint NOT NULL DEFAULT 0,   -- attended units
    visits_no_show            integer NOT NULL DEFAULT 0,
    visits_units_60_plus      bigint NOT NULL DEFAULT 0,
    points_issued             bigint NOT NULL DEFAULT 0,
    points_redeemed           bigint NOT NULL DEFAULT 0,
    points_expired            bigint NOT NULL DEFAULT 0,
    points_adjusted           bigint NOT NULL DEFAULT 0,   -- signed
    refreshed_at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_code, day)
);

-- one row per facility per local day
CREATE TABLE rollup_facility_day (
    community_code        text NOT NULL REFERENCES dim_community,
    facility_code         text NOT NULL REFERENCES dim_facility,
    day                   date NOT NULL,
    attended_units        bigint NOT NULL DEFAULT 0,
    attended_visits       integer NOT NULL DEFAULT 0,
    booked                integer NOT NULL DEFAULT 0,
    no_show               integer NOT NULL DEFAULT 0,
    cancelled             integer NOT NULL DEFAULT 0,
    units_age_0_3         bigint NOT NULL DEFAULT 0,
    units_age_4_14        bigint NOT NULL DEFAULT 0,
    units_age_15_34       bigint NOT NULL DEFAULT 0,
    units_age_35_59       bigint NOT NULL DEFAULT 0,
    units_age_60_79       bigint NOT NULL DEFAULT 0,
    units_age_80_plus     bigint NOT NULL DEFAULT 0,
    units_age_unknown     bigint NOT NULL DEFAULT 0,
    refreshed_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_code, facility_code, day)
);

-- community-days whose rollup rows are behind the facts
CREATE TABLE rollup_dirty (
    community_code  text NOT NULL,
    day             date NOT NULL,
    marked_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (community_code, day)
);

-- ---------------------------------------------------------------- bookkeeping

-- one row per load (a file, or a demo generation)
CREATE TABLE ingest_load (
    load_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL,
    source        text NOT NULL,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    rows_read     integer NOT NULL DEFAULT 0,
    rows_loaded   integer NOT NULL DEFAULT 0,
    rows_updated  integer NOT NULL DEFAULT 0,
    rows_unchanged integer NOT NULL DEFAULT 0,
    rows_quarantined integer NOT NULL DEFAULT 0,
    newest_event_at timestamptz,
    status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'dry_run'))
);

-- one row per rejected input row, with why; never read by the app role (raw values)
CREATE TABLE ingest_quarantine (
    quarantine_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    load_id        bigint NOT NULL REFERENCES ingest_load,
    source         text NOT NULL,
    line_no        integer NOT NULL,
    reason         text NOT NULL,
    raw_values     jsonb NOT NULL,
    quarantined_at timestamptz NOT NULL DEFAULT now()
);

-- key/value facts about this warehouse (e.g. that it holds the demo district)
CREATE TABLE warehouse_meta (
    key    text PRIMARY KEY,
    value  jsonb NOT NULL
);
