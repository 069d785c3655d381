-- Published scoreboards (晒单): a period's figures as they stood when the bureau published them,
-- as JSON with its SHA-256. Rows are never changed or removed: the triggers refuse it, so that
-- a sheet the leadership has read stays what it was; Store::published_sheet checks the hash.

CREATE TABLE published_sheets (
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    period       TEXT NOT NULL,
    as_of        TEXT,
    published_at INTEGER NOT NULL,
    published_by TEXT NOT NULL,
    content      TEXT NOT NULL,
    sha256       TEXT NOT NULL
);
CREATE INDEX published_sheets_period ON published_sheets (year, period);

CREATE TRIGGER published_sheets_no_update BEFORE UPDATE ON published_sheets
BEGIN
    SELECT RAISE(ABORT, '已发布的晒单不能修改');
END;

CREATE TRIGGER published_sheets_no_delete BEFORE DELETE ON published_sheets
BEGIN
    SELECT RAISE(ABORT, '已发布的晒单不能删除');
END;
