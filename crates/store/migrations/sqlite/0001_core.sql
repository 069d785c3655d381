-- The core records of a city's investment projects (SQLite).
-- Portable types only, so that one set of queries runs here and on PostgreSQL through sqlx's
-- Any driver: integers for ids, amounts (whole 元) and flags (0/1), ISO text for dates
-- (YYYY-MM-DD, which sorts and compares correctly as text), epoch milliseconds for instants.
-- The PostgreSQL migration of the same number must describe the same tables.

CREATE TABLE units (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    score_group   TEXT,
    division_code TEXT,
    parent_id     INTEGER REFERENCES units (id),
    created_at    INTEGER NOT NULL
);

CREATE TABLE leaders (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    title        TEXT,
    illustrative INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE chains (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    industry        TEXT,
    chain_leader_id INTEGER REFERENCES leaders (id)
);

CREATE TABLE teams (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    leader_id INTEGER REFERENCES leaders (id)
);

-- Enterprises are identified by credit code where one is known, else by name.
CREATE TABLE enterprises (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    credit_code TEXT UNIQUE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX enterprises_name ON enterprises (name);

-- A project's stage is not stored: it is replayed from its events.
CREATE TABLE projects (
    id                 INTEGER PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    enterprise_id      INTEGER REFERENCES enterprises (id),
    chain_id           INTEGER REFERENCES chains (id),
    territory_unit_id  INTEGER NOT NULL REFERENCES units (id),
    leader_id          INTEGER REFERENCES leaders (id),
    team_id            INTEGER REFERENCES teams (id),
    source_mode        TEXT,
    capital_origin     TEXT NOT NULL,
    currency           TEXT NOT NULL,
    planned_investment INTEGER,
    signed_amount      INTEGER,
    key_project        INTEGER NOT NULL DEFAULT 0,
    illustrative       INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX projects_territory ON projects (territory_unit_id);

CREATE TABLE project_credits (
    project_id INTEGER NOT NULL REFERENCES projects (id),
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (project_id, unit_id)
);
CREATE INDEX project_credits_unit ON project_credits (unit_id);

-- Events are appended, never updated. A correction is a new row whose corrects_id names the
-- original; the latest correction of an original decides what counts.
CREATE TABLE events (
    id                INTEGER PRIMARY KEY,
    project_id        INTEGER NOT NULL REFERENCES projects (id),
    kind              TEXT NOT NULL,
    event_date        TEXT NOT NULL,
    amount            INTEGER,
    company_code      TEXT,
    parcel            TEXT,
    note              TEXT,
    evidence          TEXT,
    corrects_id       INTEGER REFERENCES events (id),
    correction_reason TEXT,
    withdrawn         INTEGER NOT NULL DEFAULT 0,
    illustrative      INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    created_by        TEXT NOT NULL
);
CREATE INDEX events_project ON events (project_id, id);
CREATE INDEX events_date ON events (event_date);

CREATE TABLE funds (
    id           INTEGER PRIMARY KEY,
    project_id   INTEGER NOT NULL REFERENCES projects (id),
    fund_date    TEXT NOT NULL,
    amount       INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    source       TEXT,
    verified     INTEGER NOT NULL DEFAULT 0,
    verifier     TEXT,
    evidence     TEXT,
    illustrative INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX funds_project ON funds (project_id, fund_date);
CREATE INDEX funds_date ON funds (fund_date);

CREATE TABLE visits (
    id              INTEGER PRIMARY KEY,
    visit_date      TEXT NOT NULL,
    unit_id         INTEGER REFERENCES units (id),
    enterprise_name TEXT,
    credit_code     TEXT,
    leaders         TEXT,
    mode            TEXT,
    place           TEXT,
    content         TEXT,
    outcome         TEXT,
    project_id      INTEGER REFERENCES projects (id),
    illustrative    INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX visits_date ON visits (visit_date);

-- unit_id NULL is the city's own target (全市).
CREATE TABLE targets (
    id        INTEGER PRIMARY KEY,
    year      INTEGER NOT NULL,
    unit_id   INTEGER REFERENCES units (id),
    indicator TEXT NOT NULL,
    value     INTEGER NOT NULL
);
CREATE UNIQUE INDEX targets_key ON targets (year, COALESCE(unit_id, 0), indicator);

-- The value lists offices edit (招商方式, 资金来源, 对接方式, …).
CREATE TABLE value_lists (
    list     TEXT NOT NULL,
    value    TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (list, value)
);
INSERT INTO value_lists (list, value, position) VALUES
    ('source_mode', '政府团队', 1), ('source_mode', '小分队', 2), ('source_mode', '委托', 3),
    ('source_mode', '中介', 4), ('source_mode', '以商招商', 5), ('source_mode', '亲情', 6),
    ('source_mode', '联合', 7), ('source_mode', '云招商', 8),
    ('fund_source', '自有', 1), ('fund_source', '贷款', 2), ('fund_source', '股权', 3),
    ('fund_source', '其他', 4),
    ('visit_mode', '上门拜访', 1), ('visit_mode', '来访', 2), ('visit_mode', '云洽谈', 3),
    ('visit_mode', '云考察', 4), ('visit_mode', '展会', 5), ('visit_mode', '推介会', 6);

-- Every change to a record, written in the same transaction as the change itself.
CREATE TABLE change_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_key  TEXT NOT NULL,
    action      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX change_log_entity ON change_log (entity, entity_key);
