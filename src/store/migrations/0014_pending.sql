-- 0014_pending: a case opened is counted in the report summaries once per
-- commit, not once per insert. Its trigger (report_cases_insert, five
-- upserts a case: ~80 us, a fifth of POST /v1/cases) becomes one append
-- to report_pending; before every commit that wrote, the store folds
-- the pending cases into report_sums and report_claimants with one
-- grouped upsert each (the two views below) and empties the table
-- (sqlite.c: fold_pending, in the same transaction: the summaries still
-- change with their writes or not at all, and no reader ever sees a
-- pending row, which never outlives its transaction). A group commit of
-- 64 cases pays one fold. What the views count is what
-- report_cases_insert counted, as of the commit instead of the insert:
-- within one transaction the same thing.
--
-- A pending case whose clause or staff group changes before the fold is
-- counted where it ends: the moves of its count (not of its refunds,
-- counted as they are paid) skip it. Refunds, decisions and due days keep
-- their triggers (0007).

CREATE TABLE report_pending (
	case_rowid INTEGER PRIMARY KEY
) STRICT;

DROP TRIGGER report_cases_insert;
CREATE TRIGGER report_cases_pending AFTER INSERT ON cases
BEGIN
	INSERT INTO report_pending (case_rowid) VALUES (NEW.rowid);
END;

-- the pending cases with their opening week and currency (CROSS JOIN:
-- from the few pending rows out, whatever the statistics say of a table
-- that is empty between transactions)
CREATE VIEW report_pending_cases AS
SELECT c.rowid AS r, c.id, c.order_id, c.claim_type, c.claim_json,
	c.clause, c.verdict, c.override_verdict, c.approved_by, c.opened_at,
	c.opened_at - (((c.opened_at + 259200000000) % 604800000000)
		+ 604800000000) % 604800000000 AS week,
	o.currency, o.customer_email, o.addr_line1, o.addr_line2,
	o.addr_postal_code, o.addr_country
FROM report_pending p CROSS JOIN cases c ON c.rowid = p.case_rowid
	CROSS JOIN orders o ON o.id = c.order_id;

-- each item a pending case claims (every item of the order when the
-- claim names no lines)
CREATE VIEW report_pending_items AS
SELECT p.r, p.week, p.currency, i.material, i.kind
FROM report_pending_cases p JOIN items i ON i.order_id = p.order_id
WHERE coalesce(json_type(p.claim_json, '$.lines'), '') <> 'array'
	OR i.line IN (SELECT value FROM json_each(p.claim_json, '$.lines'));

-- the rows to add to report_sums: a case counted once in each group
CREATE VIEW report_pending_sums AS
SELECT dim, week, key, currency, count(*) AS cases
FROM (SELECT 'week' AS dim, week, '' AS key, currency
	FROM report_pending_cases
	UNION ALL SELECT 'type', week, claim_type, currency
	FROM report_pending_cases
	UNION ALL SELECT 'clause', week, coalesce(clause, ''), currency
	FROM report_pending_cases
	UNION ALL SELECT 'staff', week, CASE
		WHEN override_verdict IS NOT NULL OR approved_by IS NOT NULL
		THEN 'staff' WHEN verdict IS NULL OR verdict = 'pending'
		THEN 'undecided' ELSE 'auto' END, currency
	FROM report_pending_cases
	UNION ALL SELECT 'material', week, material, currency
	FROM (SELECT DISTINCT r, week, currency, material
		FROM report_pending_items)
	UNION ALL SELECT 'kind', week, kind, currency
	FROM (SELECT DISTINCT r, week, currency, kind
		FROM report_pending_items))
GROUP BY dim, week, key, currency;

-- the rows to add to report_claimants: not_received and damaged claims
-- by e-mail and by delivery address, as report_cases_insert keyed them
CREATE VIEW report_pending_claimants AS
SELECT by, key, count(*) AS claims, sum(t = 'not_received') AS
	not_received, sum(t = 'damaged') AS damaged, max(at) AS last_at
FROM (SELECT 'email' AS by, nullif(lower(trim(customer_email,
		char(32, 9, 10, 13, 12, 11))), '') AS key,
		claim_type AS t, opened_at AS at
	FROM report_pending_cases
	WHERE claim_type = 'not_received' OR claim_type = 'damaged'
	UNION ALL
	SELECT 'address', lower(trim(trim(addr_line1,
			char(32, 9, 10, 13, 12, 11)) || ' '
			|| trim(addr_line2, char(32, 9, 10, 13, 12, 11))))
		|| ' | ' || upper(trim(addr_postal_code,
			char(32, 9, 10, 13, 12, 11)))
		|| ' | ' || upper(trim(addr_country,
			char(32, 9, 10, 13, 12, 11))),
		claim_type, opened_at
	FROM report_pending_cases
	WHERE claim_type = 'not_received' OR claim_type = 'damaged')
WHERE key IS NOT NULL
GROUP BY by, key;

DROP TRIGGER report_cases_clause;
CREATE TRIGGER report_cases_clause AFTER UPDATE OF clause ON cases
	WHEN OLD.clause IS NOT NEW.clause
BEGIN
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT 'clause', NEW.opened_at - (((NEW.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		coalesce(OLD.clause, ''), o.currency, -1
	FROM orders o WHERE o.id = NEW.order_id
		AND NOT EXISTS (SELECT 1 FROM report_pending
			WHERE case_rowid = NEW.rowid)
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = cases + excluded.cases;
	INSERT INTO report_sums (dim, week, key, currency, refunds,
		refunded_minor)
	SELECT 'clause', l.created_at - (((l.created_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		coalesce(OLD.clause, ''), l.currency, -1, -1 * l.amount_minor
	FROM ledger l INDEXED BY ledger_case
	WHERE l.case_id = NEW.id AND l.kind = 'refund'
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		refunds = refunds + excluded.refunds,
		refunded_minor = refunded_minor + excluded.refunded_minor;
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT 'clause', NEW.opened_at - (((NEW.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		coalesce(NEW.clause, ''), o.currency, 1
	FROM orders o WHERE o.id = NEW.order_id
		AND NOT EXISTS (SELECT 1 FROM report_pending
			WHERE case_rowid = NEW.rowid)
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = cases + excluded.cases;
	INSERT INTO report_sums (dim, week, key, currency, refunds,
		refunded_minor)
	SELECT 'clause', l.created_at - (((l.created_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		coalesce(NEW.clause, ''), l.currency, 1, 1 * l.amount_minor
	FROM ledger l INDEXED BY ledger_case
	WHERE l.case_id = NEW.id AND l.kind = 'refund'
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		refunds = refunds + excluded.refunds,
		refunded_minor = refunded_minor + excluded.refunded_minor;
END;

DROP TRIGGER report_cases_staff;
CREATE TRIGGER report_cases_staff AFTER UPDATE OF verdict,
	override_verdict, approved_by ON cases
	WHEN (CASE WHEN OLD.override_verdict IS NOT NULL
			OR OLD.approved_by IS NOT NULL THEN 'staff'
			WHEN OLD.verdict IS NULL OR OLD.verdict = 'pending'
			THEN 'undecided' ELSE 'auto' END)
	IS NOT (CASE WHEN NEW.override_verdict IS NOT NULL
			OR NEW.approved_by IS NOT NULL THEN 'staff'
			WHEN NEW.verdict IS NULL OR NEW.verdict = 'pending'
			THEN 'undecided' ELSE 'auto' END)
BEGIN
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT 'staff', NEW.opened_at - (((NEW.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		CASE WHEN OLD.override_verdict IS NOT NULL
			OR OLD.approved_by IS NOT NULL THEN 'staff'
			WHEN OLD.verdict IS NULL OR OLD.verdict = 'pending'
			THEN 'undecided' ELSE 'auto' END, o.currency, -1
	FROM orders o WHERE o.id = NEW.order_id
		AND NOT EXISTS (SELECT 1 FROM report_pending
			WHERE case_rowid = NEW.rowid)
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = cases + excluded.cases;
	INSERT INTO report_sums (dim, week, key, currency, refunds,
		refunded_minor)
	SELECT 'staff', l.created_at - (((l.created_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		CASE WHEN OLD.override_verdict IS NOT NULL
			OR OLD.approved_by IS NOT NULL THEN 'staff'
			WHEN OLD.verdict IS NULL OR OLD.verdict = 'pending'
			THEN 'undecided' ELSE 'auto' END,
		l.currency, -1, -1 * l.amount_minor
	FROM ledger l INDEXED BY ledger_case
	WHERE l.case_id = NEW.id AND l.kind = 'refund'
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		refunds = refunds + excluded.refunds,
		refunded_minor = refunded_minor + excluded.refunded_minor;
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT 'staff', NEW.opened_at - (((NEW.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		CASE WHEN NEW.override_verdict IS NOT NULL
			OR NEW.approved_by IS NOT NULL THEN 'staff'
			WHEN NEW.verdict IS NULL OR NEW.verdict = 'pending'
			THEN 'undecided' ELSE 'auto' END, o.currency, 1
	FROM orders o WHERE o.id = NEW.order_id
		AND NOT EXISTS (SELECT 1 FROM report_pending
			WHERE case_rowid = NEW.rowid)
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = cases + excluded.cases;
	INSERT INTO report_sums (dim, week, key, currency, refunds,
		refunded_minor)
	SELECT 'staff', l.created_at - (((l.created_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		CASE WHEN NEW.override_verdict IS NOT NULL
			OR NEW.approved_by IS NOT NULL THEN 'staff'
			WHEN NEW.verdict IS NULL OR NEW.verdict = 'pending'
			THEN 'undecided' ELSE 'auto' END,
		l.currency, 1, 1 * l.amount_minor
	FROM ledger l INDEXED BY ledger_case
	WHERE l.case_id = NEW.id AND l.kind = 'refund'
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		refunds = refunds + excluded.refunds,
		refunded_minor = refunded_minor + excluded.refunded_minor;
END;
