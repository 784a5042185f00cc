-- 0016_writes: two costs of a case opened on PostgreSQL, measured with
-- pg_stat_statements.
--
-- report_fold() (0015_fold) reads each pending case and
-- its order by key. Joined plainly, PostgreSQL planned report_pending
-- (which it knows nothing of: it is empty between transactions) as large
-- and read every not_received and damaged case into a hash (measured:
-- 33 pending cases among 5,000, 5.8 ms; the scan grows with the shop).
-- Each look-up is a LATERAL subquery with LIMIT 1, which PostgreSQL does
-- not flatten into a join: one index seek per pending case, whatever
-- the size. The same rows.
--
-- And without JIT: from those guesses (report_pending's 3,000 rows,
-- report_groups' 1,000 a call) the plan's cost passed jit_above_cost, and
-- compiling it took ~50 ms on every fold (33 cases). report_groups says
-- it returns about eight rows.
ALTER FUNCTION report_groups(cases) ROWS 8;
CREATE OR REPLACE FUNCTION report_fold() RETURNS void LANGUAGE plpgsql
SET jit = off AS $$
BEGIN
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT g.dim, ac_week(c.opened_at), g.key, o.currency, count(*)
	FROM report_pending p
		CROSS JOIN LATERAL (SELECT * FROM cases x
			WHERE x.id = p.case_id LIMIT 1) c
		CROSS JOIN LATERAL (SELECT y.currency FROM orders y
			WHERE y.id = c.order_id LIMIT 1) o
		CROSS JOIN LATERAL report_groups(c::cases) g
	GROUP BY 1, 2, 3, 4
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = report_sums.cases + excluded.cases;
	INSERT INTO report_claimants (by, key, claims, not_received, damaged,
		last_at)
	SELECT t.by, t.key, count(*),
		count(*) FILTER (WHERE c.claim_type = 'not_received'),
		count(*) FILTER (WHERE c.claim_type = 'damaged'),
		max(c.opened_at)
	FROM report_pending p
		CROSS JOIN LATERAL (SELECT x.claim_type, x.opened_at,
				x.customer, o.addr_line1, o.addr_line2,
				o.addr_postal_code, o.addr_country
			FROM cases x JOIN orders o ON o.id = x.order_id
			WHERE x.id = p.case_id
				AND x.claim_type IN ('not_received', 'damaged')
			LIMIT 1) c
		CROSS JOIN LATERAL (VALUES ('email', c.customer),
			('address', ac_address(c.addr_line1, c.addr_line2,
				c.addr_postal_code, c.addr_country)))
			AS t (by, key)
	WHERE t.key IS NOT NULL
	GROUP BY t.by, t.key
	ON CONFLICT (by, key) DO UPDATE SET
		claims = report_claimants.claims + excluded.claims,
		not_received = report_claimants.not_received
			+ excluded.not_received,
		damaged = report_claimants.damaged + excluded.damaged,
		last_at = greatest(report_claimants.last_at,
			excluded.last_at);
	DELETE FROM report_pending;
END
$$;

-- decisions_current: a decision that leaves the case's verdict, deadline
-- and clause as they are (the first decision of a case stored with them,
-- 0013_open) sets only decision_id, a column no index holds: an update
-- PostgreSQL makes in place (HOT) and that no summary trigger follows.
-- Otherwise as before.
CREATE OR REPLACE FUNCTION decisions_current() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cl TEXT := ac_clause(NEW.decision_json);
BEGIN
	UPDATE cases SET decision_id = NEW.id
	WHERE id = NEW.case_id AND verdict IS NOT DISTINCT FROM NEW.verdict
		AND deadline IS NOT DISTINCT FROM NEW.deadline
		AND clause IS NOT DISTINCT FROM cl;
	IF NOT FOUND THEN
		UPDATE cases SET decision_id = NEW.id, verdict = NEW.verdict,
			deadline = NEW.deadline, clause = cl
		WHERE id = NEW.case_id;
	END IF;
	RETURN NULL;
END
$$;
