-- Issue 6: the search index's revisions, business scope and contacts of firms, chain segments,
-- knock-door plans and 重复研判.

-- 经营范围, searched beside the name.
ALTER TABLE enterprises ADD COLUMN scope TEXT;
-- The enterprise_revision a firm was last written at: the search index catches up by reading
-- the firms written after the revision it holds.
ALTER TABLE enterprises ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX enterprises_revision ON enterprises (revision, id);

-- Moved on (and so locked) by the first write to enterprises in a transaction, which keeps
-- revisions in commit order: a reader that sees revision R sees every firm written at R or before.
CREATE TABLE enterprise_revision (
    id       INTEGER PRIMARY KEY,
    revision BIGINT NOT NULL
);
INSERT INTO enterprise_revision (id, revision) VALUES (1, 0);

CREATE TABLE enterprise_contacts (
    id            INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    name          TEXT NOT NULL,
    title         TEXT,
    phone         TEXT,
    note          TEXT,
    created_at    INTEGER NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE INDEX enterprise_contacts_firm ON enterprise_contacts (enterprise_id);

-- The links (环节) of an industrial chain, in order within their position (上游/中游/下游/配套);
-- industry_codes (GB/T 4754, joined by '、') say which firms belong there.
CREATE TABLE chain_segments (
    id             INTEGER PRIMARY KEY,
    chain_id       INTEGER NOT NULL REFERENCES chains (id),
    name           TEXT NOT NULL,
    position       TEXT NOT NULL,
    position_order INTEGER NOT NULL,
    industry_codes TEXT,
    UNIQUE (chain_id, name)
);

-- A firm in a segment: local (已有) or target (目标); the chain's 链主 is a local firm so marked.
CREATE TABLE segment_firms (
    segment_id    INTEGER NOT NULL REFERENCES chain_segments (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    role          TEXT NOT NULL,
    chain_leader  SMALLINT NOT NULL DEFAULT 0,
    PRIMARY KEY (segment_id, enterprise_id)
);
CREATE INDEX segment_firms_firm ON segment_firms (enterprise_id);

ALTER TABLE projects ADD COLUMN segment_id INTEGER REFERENCES chain_segments (id);

-- 敲门计划: a visit planned to a firm, by a unit and a leader, by a date.
CREATE TABLE visit_plans (
    id              INTEGER PRIMARY KEY,
    enterprise_name TEXT NOT NULL,
    credit_code     TEXT,
    unit_id         INTEGER REFERENCES units (id),
    leader          TEXT,
    planned_date    TEXT NOT NULL,
    purpose         TEXT,
    created_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX visit_plans_date ON visit_plans (planned_date);
CREATE INDEX visits_credit_code ON visits (credit_code);
CREATE INDEX visits_enterprise_name ON visits (enterprise_name);

-- 重复研判: a project that resembles an existing one is held ('held') until the bureau judges it
-- a duplicate ('confirmed', never counted) or not ('cleared', counted from then on).
ALTER TABLE projects ADD COLUMN duplicate_of INTEGER REFERENCES projects (id);
ALTER TABLE projects ADD COLUMN duplicate_state TEXT;
