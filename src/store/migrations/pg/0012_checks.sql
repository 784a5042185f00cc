-- 0012_checks: SQLite's CHECK constraints that list values become
-- comparisons (0012_checks.sql there: SQLite makes a temporary b-tree
-- for a list on every write). PostgreSQL tests a list in place: nothing
-- to do. Kept as a no-op so that the version numbers stay in step.
SELECT 1;
