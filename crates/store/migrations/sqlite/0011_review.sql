-- The reporting cycle (issue 5). Stage events, funds in place and visits carry their review
-- state: 'approved' (counted), 'county' (待县区审核), 'city' (待市级审核) or 'returned' (with the
-- reason in review_note). Every record before this migration was entered as approved.
ALTER TABLE events ADD COLUMN review TEXT NOT NULL DEFAULT 'approved';
ALTER TABLE events ADD COLUMN review_note TEXT;
ALTER TABLE funds ADD COLUMN review TEXT NOT NULL DEFAULT 'approved';
ALTER TABLE funds ADD COLUMN review_note TEXT;
ALTER TABLE visits ADD COLUMN review TEXT NOT NULL DEFAULT 'approved';
ALTER TABLE visits ADD COLUMN review_note TEXT;
CREATE INDEX events_review ON events (review);
CREATE INDEX funds_review ON funds (review);
CREATE INDEX visits_review ON visits (review);

-- The milestones the figures count: those of approved events only. The columns of 0003 and
-- 0004 keep the milestones of every event, for the work lists and the view with pending
-- records; Tx writes both from the same events.
ALTER TABLE projects ADD COLUMN approved_signed_on TEXT;
ALTER TABLE projects ADD COLUMN approved_signed_value INTEGER;
ALTER TABLE projects ADD COLUMN approved_first_on TEXT;
ALTER TABLE projects ADD COLUMN approved_landed_on TEXT;
ALTER TABLE projects ADD COLUMN approved_started_on TEXT;
ALTER TABLE projects ADD COLUMN approved_production_on TEXT;
ALTER TABLE projects ADD COLUMN approved_capacity_on TEXT;
ALTER TABLE projects ADD COLUMN approved_resumed_on TEXT;
UPDATE projects SET approved_signed_on = signed_on, approved_signed_value = signed_value,
    approved_first_on = first_on, approved_landed_on = landed_on, approved_started_on = started_on,
    approved_production_on = production_on, approved_capacity_on = capacity_on,
    approved_resumed_on = resumed_on;

-- Months the city has closed: the units no longer enter or change records dated in them.
CREATE TABLE closed_months (
    month     TEXT PRIMARY KEY,
    closed_by TEXT NOT NULL,
    closed_at INTEGER NOT NULL
);
