-- 0013_open: SQLite's triggers for a case stored with its first
-- decision's verdict, clause and deadline (0013_open.sql there). Here the
-- customer is set before the insert already, and an update that leaves
-- the values as they were moves nothing in the report summaries: nothing
-- to do. Kept as a no-op so that the version numbers stay in step.
SELECT 1;
