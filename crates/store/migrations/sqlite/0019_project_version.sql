-- A project's record carries a version (issue 7): every change of the record moves it on, and
-- an edit made from a form names the version it started from. Two people editing the same
-- project at once: the second to save is told what changed instead of overwriting it.
ALTER TABLE projects ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
