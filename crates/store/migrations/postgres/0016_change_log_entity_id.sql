-- A firm's changes are found by its id, not by its credit code. The code is random, so an
-- index on it takes each log row of a million-firm import at a random place (a quarter of
-- the import's database time); a new firm's id follows the last, so an index on the id is
-- appended to. The id also follows a firm without a code through a change of name.
ALTER TABLE change_log ADD COLUMN entity_id BIGINT;

UPDATE change_log SET entity_id = (
    SELECT e.id FROM enterprises e WHERE e.credit_code = change_log.entity_key
) WHERE entity = 'enterprise';
UPDATE change_log SET entity_id = (
    SELECT MIN(e.id) FROM enterprises e
    WHERE e.credit_code IS NULL AND e.name = change_log.entity_key
) WHERE entity = 'enterprise' AND entity_id IS NULL;

-- Entries of other records (and of firms since removed) keep the index by key.
DROP INDEX change_log_entity;
CREATE INDEX change_log_entity ON change_log (entity, entity_key) WHERE entity_id IS NULL;
CREATE INDEX change_log_entity_id ON change_log (entity, entity_id) WHERE entity_id IS NOT NULL;
