-- A counter that every transaction which changes business records increments before it commits
-- (store::Tx::commit). Reading it before and after lets a reader spread over several
-- connections know that nothing changed in between, and lets the server keep the records the
-- figures are computed from until the counter moves.

CREATE TABLE data_version (
    id      INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
