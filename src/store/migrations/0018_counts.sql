-- 0018_counts: PostgreSQL counts a case opened in case_counts and
-- report_due at the commit, in report_fold() (pg/0018_counts.sql).
-- SQLite's per-row triggers for them are one small UPDATE or upsert each
-- inside the same VDBE program as the insert: nothing to do. Kept as a
-- no-op so that the version numbers stay in step.
SELECT 1;
