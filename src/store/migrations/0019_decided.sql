-- 0019_decided: PostgreSQL stores a case opened with its decision's id,
-- gives the customer in the case insert and counts a pending case's first
-- decision at the commit (pg/0019_decided.sql). SQLite's case insert gives
-- the customer already, and its triggers run inside the insert's own
-- program: nothing to do. Kept as a no-op so that the version numbers
-- stay in step.
SELECT 1;
