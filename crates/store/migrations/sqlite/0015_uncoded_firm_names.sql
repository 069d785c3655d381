-- The firms without a credit code, by name: an import finds such a firm among those already
-- held by its name alone. Small (most firms have a code), so it stays while a first load into
-- an empty table builds the other enterprise indexes after the rows (Tx::defer_enterprise_indexes).
CREATE INDEX enterprises_uncoded_name ON enterprises (name) WHERE credit_code IS NULL;
