-- 0017_domains: PostgreSQL's one-column CHECKs on the tables a case's
-- writes touch become domains, which it checks more cheaply
-- (pg/0017_domains.sql). SQLite has no domains, and its CHECKs cost
-- nothing to set up per statement: they are compiled into each prepared
-- statement once (0012_checks made them cheap to run). Kept as a no-op so
-- that the version numbers stay in step.
SELECT 1;
