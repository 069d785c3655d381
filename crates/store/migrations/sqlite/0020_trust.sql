-- Issue 20, trust round 2.
--
-- A project placed in a unit (its territory, or a unit credited with it) by someone other than
-- that unit's staff or the bureau waits for that unit to confirm: one row per unit still to
-- confirm. While any row stands, the project counts in no figure and lights no warning.
CREATE TABLE placement_requests (
    project_id   INTEGER NOT NULL REFERENCES projects (id),
    unit_id      INTEGER NOT NULL REFERENCES units (id),
    requested_by TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, unit_id)
);
CREATE INDEX placement_requests_unit ON placement_requests (unit_id);

-- A fund in place or a visit entered wrongly is withdrawn with a reason, never deleted: it
-- stays in the record and in history, and counts no more.
ALTER TABLE funds ADD COLUMN withdrawn_reason TEXT;
ALTER TABLE funds ADD COLUMN withdrawn_by TEXT;
ALTER TABLE funds ADD COLUMN withdrawn_at INTEGER;
ALTER TABLE visits ADD COLUMN withdrawn_reason TEXT;
ALTER TABLE visits ADD COLUMN withdrawn_by TEXT;
ALTER TABLE visits ADD COLUMN withdrawn_at INTEGER;

-- 三员分立 with two people: a change to an account waits here until a second administrator
-- approves it; nobody approves their own. `payload` is the change as JSON.
CREATE TABLE account_requests (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    username     TEXT NOT NULL,
    payload      TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    decided_by   TEXT,
    decided_at   INTEGER,
    decision     TEXT
);
CREATE INDEX account_requests_open ON account_requests (decided_at);

-- The hashes of an account's earlier passwords, so that none of the last five comes back.
CREATE TABLE password_history (
    username   TEXT NOT NULL,
    hash       TEXT NOT NULL,
    set_at     INTEGER NOT NULL
);
CREATE INDEX password_history_user ON password_history (username, set_at);

-- Personal API tokens: only the SHA-256 of the token is kept; the token is shown once.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    username     TEXT NOT NULL,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    revoked_by   TEXT,
    last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (username);

-- What the audit records besides changes: refused requests and data leaving the system
-- (exports, print views, bulk reads), appended by a background writer and never changed.
CREATE TABLE access_log (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    username TEXT,
    address  TEXT,
    action   TEXT NOT NULL,
    method   TEXT NOT NULL,
    path     TEXT NOT NULL,
    query    TEXT,
    status   INTEGER NOT NULL
);
CREATE INDEX access_log_at ON access_log (at);
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
