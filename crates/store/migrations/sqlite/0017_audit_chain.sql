-- The change log becomes a tamper-evident audit log (issue 7). Each entry gets a sequence
-- number and the SHA-256 of the previous entry's hash and its own fields (domain::audit), and
-- the head of the chain is kept beside it, moved by the transaction that appends. Entries are
-- never changed or removed once chained: the triggers refuse it. Entries written before this
-- migration are chained, in id order, when the store is next opened (up to legacy_through);
-- an entry that turns up later without a number was written around the application.
ALTER TABLE change_log ADD COLUMN seq INTEGER;
ALTER TABLE change_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX change_log_seq ON change_log (seq);

CREATE TABLE audit_chain (
    id             INTEGER PRIMARY KEY,
    seq            INTEGER NOT NULL,
    hash           TEXT NOT NULL,
    legacy_through INTEGER NOT NULL
);
INSERT INTO audit_chain (id, seq, hash, legacy_through)
SELECT 1, 0, '0000000000000000000000000000000000000000000000000000000000000000', COALESCE(MAX(id), 0)
FROM change_log;

CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log WHEN OLD.seq IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, '审计日志只能追加，不能修改');
END;

CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
BEGIN
    SELECT RAISE(ABORT, '审计日志只能追加，不能删除');
END;
