-- Issue 21: an office's own ledger mapped to an import kind's columns, saved by name for a unit
-- ('' for the city's) and used again from the web and `import --mapping NAME`. `body` is the
-- mapping as JSON (exchange::mapping::Mapping).
CREATE TABLE import_mappings (
    id        INTEGER PRIMARY KEY,
    unit_name TEXT NOT NULL,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    body      TEXT NOT NULL,
    saved_by  TEXT NOT NULL,
    UNIQUE (unit_name, kind, name)
);
