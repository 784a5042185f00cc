-- 0020_plans: plans that stay look-ups as a shop grows, whatever the
-- statistics say.
--
-- 1. No statistics the shop outgrows. The store ran PRAGMA optimize as
--    each connection closed; the first closes (aftercare demo, token add,
--    a server stopped early) analyzed tables of a case or two, and a
--    server started on them plans as for tables that small for as long as
--    it runs. At 100,000 cases, with the statistics of one, each POST
--    /v1/cases took 148-190 ms instead of 3-4: the fold scanned cases,
--    and reading the case back scanned too. The store no longer analyzes
--    (sqlite.c: sq_close), and the statistics it left are dropped here.
--    Without statistics SQLite takes every table for a large one, and
--    every statement here is written to seek an index at any size (the
--    list plans are tested with and without statistics). An ANALYZE run
--    by hand on a grown shop is still used.
-- 2. The fold of the pending cases (0014_pending) with statistics. Once
--    cases and orders had been analyzed at their real size, SQLite
--    planned the claimants' fold with Bloom filters on both: at each
--    commit it read every case and every order to build them (64 ms a
--    commit at 100,000 cases; POST /v1/cases 114 ms). A Bloom filter is
--    built only when the rows expected from the outer loops outnumber the
--    inner table's, and an unanalyzed report_pending is taken for a
--    million rows (it is empty between transactions, so ANALYZE leaves it
--    so). likelihood() tells the planner that few of its rows come out:
--    every row still does (a case's rowid is positive), and the views
--    built on this one follow.
-- (ANALYZE of one table makes sqlite_stat1 where it is missing)
ANALYZE schema_version;
DELETE FROM sqlite_stat1;
ANALYZE sqlite_schema;

DROP VIEW report_pending_cases;
CREATE VIEW report_pending_cases AS
SELECT c.rowid AS r, c.id, c.order_id, c.claim_type, c.claim_json,
	c.clause, c.verdict, c.override_verdict, c.approved_by, c.opened_at,
	c.opened_at - (((c.opened_at + 259200000000) % 604800000000)
		+ 604800000000) % 604800000000 AS week,
	o.currency, o.customer_email, o.addr_line1, o.addr_line2,
	o.addr_postal_code, o.addr_country
FROM report_pending p CROSS JOIN cases c ON c.rowid = p.case_rowid
	CROSS JOIN orders o ON o.id = c.order_id
WHERE likelihood(p.case_rowid > 0, 0.000001);
