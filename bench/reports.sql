-- reports.sql: the refunds of one chunk of bench/reports.sh's generated
-- cases, @LO@ .. @HI@ (after bench/big.sql made the cases): one case in
-- three gets a refund of 1,000 to 5,999 minor units, paid 0 to 71 hours
-- after its claim, and one in twelve a second one two days later. The
-- report triggers (0007_reports.sql) keep the summaries as they go in.
WITH RECURSIVE k (i) AS (SELECT @LO@ UNION ALL SELECT i + 1 FROM k WHERE i < @HI@)
INSERT INTO ledger (case_id, order_id, kind, amount_minor, currency,
	created_at, actor, idempotency_key)
SELECT c.id, c.order_id, 'refund', 1000 + i % 5000, o.currency,
	c.opened_at + (i % 72) * 3600000000, 'token:bench', NULL
FROM k CROSS JOIN cases c CROSS JOIN temp.t_order o
WHERE i % 3 = 0 AND c.id = printf('C-%06d', i + 1);

WITH RECURSIVE k (i) AS (SELECT @LO@ UNION ALL SELECT i + 1 FROM k WHERE i < @HI@)
INSERT INTO ledger (case_id, order_id, kind, amount_minor, currency,
	created_at, actor, idempotency_key)
SELECT c.id, c.order_id, 'refund', 500, o.currency,
	c.opened_at + 172800000000 + (i % 72) * 3600000000, 'token:bench',
	NULL
FROM k CROSS JOIN cases c CROSS JOIN temp.t_order o
WHERE i % 12 = 0 AND c.id = printf('C-%06d', i + 1);
