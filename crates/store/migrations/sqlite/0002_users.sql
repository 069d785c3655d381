-- People who sign in, and their server-side sessions (SQLite; the PostgreSQL file of the same
-- number describes the same tables).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    unit_id       INTEGER REFERENCES units (id),
    -- An argon2id hash in PHC string form; the parameters travel with it.
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- The session id is the random token held in the browser's cookie; csrf_token is the value
-- every form of that session must send back.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
