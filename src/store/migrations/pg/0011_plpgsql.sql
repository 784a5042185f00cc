-- 0011_plpgsql: the triggers' helpers that write (cases_count,
-- report_move) were SQL functions, which PostgreSQL plans again on every
-- call (a SQL function's plan is not kept between calls); as PL/pgSQL
-- their plans are kept for the session. Same statements, same results.
CREATE OR REPLACE FUNCTION cases_count(old_status TEXT, new_status TEXT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	UPDATE case_counts SET
		open = open + (new_status IS NOT DISTINCT FROM 'open')::int
			- (old_status IS NOT DISTINCT FROM 'open')::int,
		waiting = waiting
			+ (new_status IS NOT DISTINCT FROM 'waiting')::int
			- (old_status IS NOT DISTINCT FROM 'waiting')::int,
		decided = decided
			+ (new_status IS NOT DISTINCT FROM 'decided')::int
			- (old_status IS NOT DISTINCT FROM 'decided')::int,
		resolved = resolved
			+ (new_status IS NOT DISTINCT FROM 'resolved')::int
			- (old_status IS NOT DISTINCT FROM 'resolved')::int,
		closed = closed
			+ (new_status IS NOT DISTINCT FROM 'closed')::int
			- (old_status IS NOT DISTINCT FROM 'closed')::int
	WHERE id = 1;
END
$$;

CREATE OR REPLACE FUNCTION report_move(c cases, d TEXT, old_key TEXT,
	new_key TEXT, cur TEXT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO report_sums (dim, week, key, currency, cases, refunds,
		refunded_minor)
	SELECT d, x.w, k.key, x.currency, sum(x.n * k.sign),
		sum(x.r * k.sign), sum(x.m * k.sign)
	FROM (SELECT ac_week(c.opened_at) AS w, cur AS currency,
			1 AS n, 0 AS r, 0::bigint AS m
		UNION ALL
		SELECT ac_week(l.created_at), l.currency, 0, 1,
			l.amount_minor
		FROM ledger l WHERE l.case_id = c.id AND l.kind = 'refund') x,
		(VALUES (old_key, -1), (new_key, 1)) AS k (key, sign)
	GROUP BY x.w, k.key, x.currency
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = report_sums.cases + excluded.cases,
		refunds = report_sums.refunds + excluded.refunds,
		refunded_minor = report_sums.refunded_minor
			+ excluded.refunded_minor;
END
$$;
