-- The change log becomes a tamper-evident audit log (issue 7). Each entry gets a sequence
-- number and the SHA-256 of the previous entry's hash and its own fields (domain::audit), and
-- the head of the chain is kept beside it, moved by the transaction that appends (its row lock
-- orders the appending transactions of every server process). Entries are never changed or
-- removed once chained: the triggers refuse it, TRUNCATE included. Entries written before this
-- migration are chained, in id order, when the store is next opened (up to legacy_through);
-- an entry that turns up later without a number was written around the application.
ALTER TABLE change_log ADD COLUMN seq BIGINT;
ALTER TABLE change_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX change_log_seq ON change_log (seq);

CREATE TABLE audit_chain (
    id             BIGINT PRIMARY KEY,
    seq            BIGINT NOT NULL,
    hash           TEXT NOT NULL,
    legacy_through BIGINT NOT NULL
);
INSERT INTO audit_chain (id, seq, hash, legacy_through)
SELECT 1, 0, '0000000000000000000000000000000000000000000000000000000000000000', COALESCE(MAX(id), 0)
FROM change_log;

CREATE FUNCTION change_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '审计日志只能追加，不能修改';
    END IF;
    RAISE EXCEPTION '审计日志只能追加，不能删除';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
    FOR EACH ROW WHEN (OLD.seq IS NOT NULL) EXECUTE FUNCTION change_log_append_only();
CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
    FOR EACH ROW EXECUTE FUNCTION change_log_append_only();
CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION change_log_append_only();
