-- 0015_fold: PostgreSQL counts a case opened in the report summaries once
-- per commit too (SQLite since 0014_pending), and fires the summaries'
-- update triggers only when what they follow changed.
--
-- A case opened appends its id to report_pending (unlogged: a row never
-- outlives its transaction, which deletes it); before a transaction that
-- opened cases commits, the store calls report_fold() (postgres.c), which
-- adds the pending cases, grouped, to report_sums and report_claimants
-- with one upsert each and empties its rows: one round trip a commit
-- instead of two upserts a case (0.39 ms a case in pg_stat_statements).
-- Two servers on one database each fold only what their own transaction
-- sees: its own pending rows (the others' are not committed, and never
-- will be). A pending case whose clause or staff group changes before the
-- fold is counted where it ends: report_move moves its refunds, not its
-- count.
--
-- The update triggers get WHEN conditions, so that an update which moves
-- nothing (the decision of a case stored with its verdict, 0013_open)
-- calls no PL/pgSQL at all.

CREATE UNLOGGED TABLE report_pending (
	case_id TEXT NOT NULL PRIMARY KEY
);

CREATE FUNCTION report_pending_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO report_pending (case_id) VALUES (NEW.id);
	RETURN NULL;
END
$$;

DROP TRIGGER report_cases ON cases;
CREATE TRIGGER report_cases_pending AFTER INSERT ON cases FOR EACH ROW
	EXECUTE FUNCTION report_pending_add();
-- report_cases_trigger's INSERT branch is no longer reached
CREATE TRIGGER report_cases AFTER UPDATE OF clause, verdict,
	override_verdict, approved_by ON cases FOR EACH ROW
	WHEN (OLD.clause IS DISTINCT FROM NEW.clause
		OR ac_staff(OLD.override_verdict, OLD.approved_by, OLD.verdict)
		IS DISTINCT FROM ac_staff(NEW.override_verdict,
			NEW.approved_by, NEW.verdict))
	EXECUTE FUNCTION report_cases_trigger();

DROP TRIGGER report_due ON cases;
CREATE TRIGGER report_due_insert AFTER INSERT ON cases FOR EACH ROW
	WHEN (NEW.due_at IS NOT NULL)
	EXECUTE FUNCTION report_due_trigger();
CREATE TRIGGER report_due AFTER UPDATE OF status, deadline, response_due_at
	ON cases FOR EACH ROW WHEN (OLD.due_at IS DISTINCT FROM NEW.due_at)
	EXECUTE FUNCTION report_due_trigger();

CREATE OR REPLACE FUNCTION report_move(c cases, d TEXT, old_key TEXT,
	new_key TEXT, cur TEXT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	n INT := CASE WHEN EXISTS (SELECT 1 FROM report_pending p
		WHERE p.case_id = c.id) THEN 0 ELSE 1 END;
BEGIN
	INSERT INTO report_sums (dim, week, key, currency, cases, refunds,
		refunded_minor)
	SELECT d, x.w, k.key, x.currency, sum(x.n * k.sign),
		sum(x.r * k.sign), sum(x.m * k.sign)
	FROM (SELECT ac_week(c.opened_at) AS w, cur AS currency,
			n AS n, 0 AS r, 0::bigint AS m
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

CREATE FUNCTION report_fold() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT g.dim, ac_week(c.opened_at), g.key, o.currency, count(*)
	FROM report_pending p JOIN cases c ON c.id = p.case_id
		JOIN orders o ON o.id = c.order_id
		CROSS JOIN LATERAL report_groups(c) g
	GROUP BY 1, 2, 3, 4
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = report_sums.cases + excluded.cases;
	INSERT INTO report_claimants (by, key, claims, not_received, damaged,
		last_at)
	SELECT t.by, t.key, count(*),
		count(*) FILTER (WHERE t.claim_type = 'not_received'),
		count(*) FILTER (WHERE t.claim_type = 'damaged'),
		max(t.opened_at)
	FROM (SELECT 'email' AS by, c.customer AS key, c.claim_type,
			c.opened_at
		FROM report_pending p JOIN cases c ON c.id = p.case_id
		WHERE c.claim_type IN ('not_received', 'damaged')
			AND c.customer IS NOT NULL
		UNION ALL
		SELECT 'address', ac_address(o.addr_line1, o.addr_line2,
			o.addr_postal_code, o.addr_country), c.claim_type,
			c.opened_at
		FROM report_pending p JOIN cases c ON c.id = p.case_id
			JOIN orders o ON o.id = c.order_id
		WHERE c.claim_type IN ('not_received', 'damaged')) t
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
