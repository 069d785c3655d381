-- The audit chain is keyed (issue 20.9). From entry keyed_from on, an entry's hash is an
-- HMAC-SHA256 under a secret kept outside the database (domain::audit::Keying), so that someone
-- holding only the database cannot rewrite the chain's tail and hash it again to fit. Entries
-- before keyed_from, written by earlier versions, keep their plain SHA-256; the first keyed
-- entry covers the hash before it. key_fingerprint names the key (a short hash of it, not the
-- key), so that a server started with another key file is refused; key_tag, the key's MAC of
-- keyed_from, keeps the start from being moved past entries hashed again without the key. The
-- store fills the three, in a transaction holding the chain's head, when it is first opened
-- with a key: a new database is keyed from its first entry.
ALTER TABLE audit_chain ADD COLUMN keyed_from BIGINT;
ALTER TABLE audit_chain ADD COLUMN key_fingerprint TEXT;
ALTER TABLE audit_chain ADD COLUMN key_tag TEXT;
