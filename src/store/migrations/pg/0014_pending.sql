-- 0014_pending: SQLite counts a case opened in the report summaries once
-- per commit (0014_pending.sql there). PostgreSQL's trigger keeps
-- counting each case as it is stored: nothing to do here. Kept as a
-- no-op so that the version numbers stay in step.
SELECT 1;
