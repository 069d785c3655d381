-- Issue 22: 督办 reminders. Each message is for one account (its username), says what happened
-- and links to the record; `dedup` names the situation so that the same situation is posted
-- once however often the reminders run. `emailed_at` and `webhooked_at` record delivery, so
-- nothing is sent twice. Accounts may carry an e-mail address for the daily digest.
CREATE TABLE messages (
    id           INTEGER PRIMARY KEY,
    recipient    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    dedup        TEXT NOT NULL,
    body         TEXT NOT NULL,
    link         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    read_at      INTEGER,
    emailed_at   INTEGER,
    webhooked_at INTEGER,
    UNIQUE (recipient, dedup)
);
CREATE INDEX messages_unread ON messages (recipient, read_at);
ALTER TABLE users ADD COLUMN email TEXT;
