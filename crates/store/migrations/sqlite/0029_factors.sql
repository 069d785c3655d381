-- Issue 23.3: the 招商要素表. A factor keeps every value it has had, each with its dates of
-- validity (a new value closes the one before); a packaged project names the factors its 推介书
-- quotes.
CREATE TABLE factors (
    id       INTEGER PRIMARY KEY,
    code     TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL,
    item     TEXT NOT NULL
);

CREATE TABLE factor_values (
    id         INTEGER PRIMARY KEY,
    factor_id  INTEGER NOT NULL REFERENCES factors (id),
    value      TEXT NOT NULL,
    unit       TEXT NOT NULL,
    source     TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    note       TEXT,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (factor_id, valid_from)
);

CREATE TABLE packaged_factors (
    packaged_id INTEGER NOT NULL REFERENCES packaged_projects (id),
    factor_id   INTEGER NOT NULL REFERENCES factors (id),
    PRIMARY KEY (packaged_id, factor_id)
);
CREATE INDEX packaged_factors_factor ON packaged_factors (factor_id);
