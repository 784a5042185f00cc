-- 0020_plans: SQLite drops the statistics its store left as connections
-- closed, and keeps the fold of the pending cases off Bloom filters
-- (0020_plans.sql). PostgreSQL keeps its own statistics (autovacuum's
-- ANALYZE) and folds in report_fold(): nothing to do. Kept as a no-op so
-- that the version numbers stay in step.
SELECT 1;
