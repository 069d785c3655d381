-- Where each project stands, derived from its events and kept in the same transaction as any
-- change to them (store::Tx), so that lists can filter, sort and page in SQL. The events remain
-- the record: Store::refresh_project_states recomputes these columns from them, and the tests
-- check that a recomputation changes nothing.

ALTER TABLE projects ADD COLUMN stage TEXT;
ALTER TABLE projects ADD COLUMN state_label TEXT NOT NULL DEFAULT '未开始';
ALTER TABLE projects ADD COLUMN signed_on TEXT;
ALTER TABLE projects ADD COLUMN signed_value BIGINT;
CREATE INDEX projects_stage ON projects (stage);
