-- 包保县区: the counties, districts and zone each city leader answers for (issue 5). A chain's
-- leader (链长) is chains.chain_leader_id; a team's is teams.leader_id.

CREATE TABLE leader_units (
    leader_id INTEGER NOT NULL REFERENCES leaders (id),
    unit_id   INTEGER NOT NULL REFERENCES units (id),
    PRIMARY KEY (leader_id, unit_id)
);
