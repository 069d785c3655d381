-- Issue 21: the duplicate check (重复研判) looks up the projects of one investor in one county
-- for every project a file names with an investor. Without this index it scanned the county's
-- projects each time, so a ledger import grew with the square of its rows.
CREATE INDEX projects_investor_territory ON projects (enterprise_id, territory_unit_id);
