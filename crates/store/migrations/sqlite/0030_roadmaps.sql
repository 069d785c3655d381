-- Issue 23.2: the 招商路线图. A roadmap is a chain's or a unit's for a year (owner_kind 'chain' or
-- 'unit', owner_id the chain's or unit's id); its items are the four sets: a packaged project
-- (重点招商项目), a firm (重要客户), a policy reference as text (招商政策), a planned visit to a firm
-- in a month with its leader (对接计划). What was done is not stored: it is read from the visit log
-- and the projects when shown.
CREATE TABLE roadmaps (
    id         INTEGER PRIMARY KEY,
    year       INTEGER NOT NULL,
    owner_kind TEXT NOT NULL,
    owner_id   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (year, owner_kind, owner_id)
);

CREATE TABLE roadmap_items (
    id            INTEGER PRIMARY KEY,
    roadmap_id    INTEGER NOT NULL REFERENCES roadmaps (id),
    kind          TEXT NOT NULL,
    packaged_id   INTEGER REFERENCES packaged_projects (id),
    enterprise_id INTEGER REFERENCES enterprises (id),
    text          TEXT,
    month         INTEGER,
    leader_id     INTEGER REFERENCES leaders (id)
);
CREATE INDEX roadmap_items_roadmap ON roadmap_items (roadmap_id);
