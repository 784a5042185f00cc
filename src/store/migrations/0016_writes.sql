-- 0016_writes: PostgreSQL's fold reads each pending case by key, without
-- JIT, and a decision that changes nothing on its case sets only
-- decision_id (pg/0016_writes.sql). SQLite's views join from
-- report_pending out already (CROSS JOIN, 0014_pending) and its decision
-- trigger writes only what changed (0013_open): nothing to do. Kept as a
-- no-op so that the version numbers stay in step.
SELECT 1;
