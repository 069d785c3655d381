-- The dates each project passed its milestones, derived from its events like the columns of
-- migration 3 and kept by Tx in the same transaction, so that a scoreboard over a million
-- projects reads one row per project instead of replaying every event. resumed_on holds the
-- 复工 dates joined by commas. Store::project_states_disagreeing checks them against the events.

ALTER TABLE projects ADD COLUMN first_on TEXT;
ALTER TABLE projects ADD COLUMN landed_on TEXT;
ALTER TABLE projects ADD COLUMN started_on TEXT;
ALTER TABLE projects ADD COLUMN production_on TEXT;
ALTER TABLE projects ADD COLUMN capacity_on TEXT;
ALTER TABLE projects ADD COLUMN resumed_on TEXT;
