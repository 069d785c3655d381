-- The members of each 工作专班 (issue 5): who, from which unit, doing what, in order.
CREATE TABLE team_members (
    team_id  BIGINT NOT NULL REFERENCES teams (id),
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    unit_id  BIGINT REFERENCES units (id),
    duty     TEXT,
    PRIMARY KEY (team_id, position)
);
