-- Issue 22.6: one firm, one record, and the firm's place in its group.

-- 曾用名, 简称 and 主要产品, each joined by '、', searched beside the name.
ALTER TABLE enterprises ADD COLUMN former_names TEXT;
ALTER TABLE enterprises ADD COLUMN short_names TEXT;
ALTER TABLE enterprises ADD COLUMN products TEXT;
-- The firm's parent in its group (集团 → 子公司 → …), set by the bureau on the 画像.
ALTER TABLE enterprises ADD COLUMN parent_id INTEGER REFERENCES enterprises (id);
CREATE INDEX enterprises_parent ON enterprises (parent_id);
-- A record merged into another stays (so that the merge can be undone, and a ledger naming it
-- later finds the firm kept) but leaves search and lists.
ALTER TABLE enterprises ADD COLUMN merged_into INTEGER REFERENCES enterprises (id);

-- The contact person met on a visit, from the firm's contacts.
ALTER TABLE visits ADD COLUMN contact_id INTEGER REFERENCES enterprise_contacts (id);

-- A merge and what it moved (JSON), so that undoing it puts back exactly that.
CREATE TABLE enterprise_merges (
    id        INTEGER PRIMARY KEY,
    kept_id   INTEGER NOT NULL REFERENCES enterprises (id),
    merged_id INTEGER NOT NULL REFERENCES enterprises (id),
    reason    TEXT NOT NULL,
    moved     TEXT NOT NULL,
    merged_at INTEGER NOT NULL,
    merged_by TEXT NOT NULL,
    undone_at INTEGER,
    undone_by TEXT
);
CREATE INDEX enterprise_merges_kept ON enterprise_merges (kept_id);
CREATE INDEX enterprise_merges_merged ON enterprise_merges (merged_id);
