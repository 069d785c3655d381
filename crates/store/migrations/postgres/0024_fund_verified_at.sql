-- Issue 22: 核实 names who and when: the day a fund was verified, shown in the 核实 queue and on the
-- project (milliseconds since the epoch; none for funds verified before this column).
ALTER TABLE funds ADD COLUMN verified_at BIGINT;
