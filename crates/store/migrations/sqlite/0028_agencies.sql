-- Issue 23.4: 委托招商机构, their contracts (scope, term, fee rule), the projects attributed to a
-- contract (one agency per project) and the fees paid. Fees due are never stored: they are
-- computed from the rule and the projects' records when shown.
CREATE TABLE agencies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    credit_code TEXT,
    contact     TEXT,
    phone       TEXT,
    note        TEXT
);

-- basis: fixed | signed | funds; fee_trigger: signed | funds | started; rate in 万分之; amounts 元.
CREATE TABLE agency_contracts (
    id          INTEGER PRIMARY KEY,
    agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    number      TEXT NOT NULL UNIQUE,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    basis       TEXT NOT NULL,
    fixed_fee   INTEGER,
    rate_bp     INTEGER,
    fee_trigger TEXT NOT NULL,
    project_cap INTEGER,
    total_cap   INTEGER,
    note        TEXT
);
CREATE INDEX agency_contracts_agency ON agency_contracts (agency_id);

CREATE TABLE agency_contract_units (
    contract_id INTEGER NOT NULL REFERENCES agency_contracts (id),
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (contract_id, unit_id)
);

CREATE TABLE agency_contract_chains (
    contract_id INTEGER NOT NULL REFERENCES agency_contracts (id),
    chain_id    INTEGER NOT NULL REFERENCES chains (id),
    PRIMARY KEY (contract_id, chain_id)
);

CREATE TABLE agency_projects (
    project_id  INTEGER PRIMARY KEY REFERENCES projects (id),
    contract_id INTEGER NOT NULL REFERENCES agency_contracts (id)
);
CREATE INDEX agency_projects_contract ON agency_projects (contract_id);

CREATE TABLE agency_payments (
    id          INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES agency_contracts (id),
    project_id  INTEGER REFERENCES projects (id),
    paid_on     TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    note        TEXT,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL
);
CREATE INDEX agency_payments_contract ON agency_payments (contract_id);
