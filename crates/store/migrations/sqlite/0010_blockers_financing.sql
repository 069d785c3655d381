-- 堵点问题, 融资方案 and the settings of the warnings (issue 5).

-- A blocker as it stands; its history (登记, 批示, 状态变更) is in blocker_notes. Escalation of
-- an overdue blocker is not stored: it follows from its deadline, status and the project's
-- leader whenever it is shown.
CREATE TABLE blockers (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects (id),
    description   TEXT NOT NULL,
    category      TEXT NOT NULL,
    raised_on     TEXT NOT NULL,
    owner_unit_id INTEGER NOT NULL REFERENCES units (id),
    leader_id     INTEGER REFERENCES leaders (id),
    deadline      TEXT NOT NULL,
    status        TEXT NOT NULL,
    resolution    TEXT,
    resolved_on   TEXT
);
CREATE INDEX blockers_project ON blockers (project_id);
CREATE INDEX blockers_owner ON blockers (owner_unit_id);
CREATE INDEX blockers_open ON blockers (status, deadline);

CREATE TABLE blocker_notes (
    id         INTEGER PRIMARY KEY,
    blocker_id INTEGER NOT NULL REFERENCES blockers (id),
    at         INTEGER NOT NULL,
    actor      TEXT NOT NULL,
    kind       TEXT NOT NULL,
    status     TEXT,
    body       TEXT
);
CREATE INDEX blocker_notes_blocker ON blocker_notes (blocker_id);

-- The warnings look up each project's latest event and visit.
CREATE INDEX events_project_date ON events (project_id, event_date);
CREATE INDEX visits_project ON visits (project_id, visit_date);

CREATE TABLE financing_plans (
    project_id INTEGER PRIMARY KEY REFERENCES projects (id),
    need       INTEGER NOT NULL,
    sources    TEXT NOT NULL,
    bank       TEXT,
    status     TEXT NOT NULL
);

-- Settings the bureau changes from its pages (the warning thresholds), as JSON per key.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A 市领导 account may speak for one leader record: their 包保 scope and escalated blockers.
ALTER TABLE users ADD COLUMN leader_id INTEGER REFERENCES leaders (id);

INSERT INTO value_lists (list, value, position) VALUES
    ('blocker_category', '用地', 1), ('blocker_category', '审批手续', 2),
    ('blocker_category', '资金融资', 3), ('blocker_category', '水电气暖', 4),
    ('blocker_category', '基础配套', 5), ('blocker_category', '用工', 6),
    ('blocker_category', '政策兑现', 7), ('blocker_category', '其他', 8);
