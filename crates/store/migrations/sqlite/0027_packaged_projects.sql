-- Issue 23: the 谋划包装项目库. A packaged project is promoted before any investor; signing makes
-- it a project (project_id), which keeps the link so that figures can count packaged projects
-- signed and their amounts. The 投资概算's breakdown and the resources matched are JSON lists of
-- pairs ([item, 元] and [kind, text]); approvals are joined by '、'; the area is in hundredths
-- of a 亩.
CREATE TABLE packaged_projects (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    content         TEXT,
    scale           TEXT,
    years           INTEGER,
    estimate        INTEGER,
    breakdown       TEXT,
    parcel          TEXT,
    area_hundredths INTEGER,
    park            TEXT,
    resources       TEXT,
    approvals       TEXT,
    chain_id        INTEGER REFERENCES chains (id),
    segment_id      INTEGER REFERENCES chain_segments (id),
    unit_id         INTEGER NOT NULL REFERENCES units (id),
    chain_leader_id INTEGER REFERENCES leaders (id),
    public          SMALLINT NOT NULL DEFAULT 0,
    status          TEXT NOT NULL,
    project_id      INTEGER UNIQUE REFERENCES projects (id),
    created_at      INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX packaged_projects_unit ON packaged_projects (unit_id);
CREATE INDEX packaged_projects_chain ON packaged_projects (chain_id);

-- The firms a packaged project was tailored for (量身定制).
CREATE TABLE packaged_targets (
    packaged_id   INTEGER NOT NULL REFERENCES packaged_projects (id),
    enterprise_id INTEGER NOT NULL REFERENCES enterprises (id),
    PRIMARY KEY (packaged_id, enterprise_id)
);
CREATE INDEX packaged_targets_firm ON packaged_targets (enterprise_id);
