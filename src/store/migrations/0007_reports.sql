-- 0007_reports: the report summaries (issue 9), SQLite. Three small
-- tables, kept by triggers in the transaction of every case stored or
-- moved, decision stored and refund paid, so that a report reads a few
-- hundred summary rows at any size, and a rollback undoes the summary
-- with the write. Existing rows are summed once, below, before the
-- triggers exist. Derived data: `aftercare migrate` does not copy these
-- tables, the triggers rebuild them on the target as the rows arrive.
--
-- Weeks are ISO weeks, named by their Monday 00:00 UTC in microseconds:
-- for an instant X, X - (((X + 3 days) % 7 days) + 7 days) % 7 days
-- (1970-01-01 was a Thursday, 3 days after a Monday; the double modulo
-- floors instants before 1970 too). Spelt out below as
-- X - (((X + 259200000000) % 604800000000) + 604800000000) % 604800000000.
--
-- A case's groups: 'week' (key ''), 'type' (its claim type), 'clause'
-- (its current deciding clause, '' when none), 'staff' (how it was
-- decided: 'auto' without staff, 'staff' when overridden or approved,
-- 'undecided' while its verdict is missing or pending), 'material' and
-- 'kind' (each distinct value among the items its claim names, all the
-- order's when it names none: a case of a gold ring and a silver chain
-- counts under both, so those two reports do not add up to the total).

-- report_sums: per group, ISO week and currency, the cases opened that
-- week (by opened_at) and the refunds paid that week (by the ledger's
-- created_at) on cases of that group. A case whose clause or staff group
-- changes moves its count and its refunds to the new group.
CREATE TABLE report_sums (
	dim TEXT NOT NULL CHECK (dim IN ('week', 'type', 'clause', 'staff',
		'material', 'kind')),
	week INTEGER NOT NULL,
	key TEXT NOT NULL,
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	cases INTEGER NOT NULL DEFAULT 0,
	refunds INTEGER NOT NULL DEFAULT 0,
	refunded_minor INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (dim, week, key, currency)
) STRICT, WITHOUT ROWID;

-- report_durations: how long cases waited, as a histogram per ISO week
-- of opening: 'decision' from the claim's opened_at to the first
-- decision that is not pending, 'refund' to the first refund. Bucket b
-- holds durations up to its bound (1 h, 2 h, 4 h, 8 h, 12 h, 1 d, 2 d,
-- 3 d, 5 d, 7 d, 14 d, 30 d, 60 d; 13: longer; negative: 0), the same
-- bounds as REPORT_BUCKET_S in src/store/store.h.
CREATE TABLE report_durations (
	what TEXT NOT NULL CHECK (what IN ('decision', 'refund')),
	week INTEGER NOT NULL,
	bucket INTEGER NOT NULL CHECK (bucket BETWEEN 0 AND 13),
	n INTEGER NOT NULL,
	PRIMARY KEY (what, week, bucket)
) STRICT, WITHOUT ROWID;

-- report_claimants: not_received and damaged claims per customer e-mail
-- (as cases.customer folds it) and per delivery address (the order's:
-- line 1 and line 2 trimmed, in ASCII lower case, then the postal code
-- and the country in upper case, ' | ' between). The index lists the
-- most frequent first.
CREATE TABLE report_claimants (
	by TEXT NOT NULL CHECK (by IN ('email', 'address')),
	key TEXT NOT NULL CHECK (length(key) > 0),
	claims INTEGER NOT NULL,
	not_received INTEGER NOT NULL,
	damaged INTEGER NOT NULL,
	last_at INTEGER NOT NULL,
	PRIMARY KEY (by, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX report_claimants_claims ON report_claimants (by, claims, key);

-- ---- the existing rows, once -------------------------------------------

-- a case's claimed items: every item of the order when the claim names
-- no lines
CREATE TEMP VIEW report_claimed AS
SELECT c.id AS case_id, i.material, i.kind
FROM cases c JOIN items i ON i.order_id = c.order_id
WHERE coalesce(json_type(c.claim_json, '$.lines'), '') <> 'array'
	OR i.line IN (SELECT value FROM json_each(c.claim_json, '$.lines'));

CREATE TEMP VIEW report_groups AS
SELECT c.id AS case_id, 'week' AS dim, '' AS key FROM cases c
UNION ALL SELECT c.id, 'type', c.claim_type FROM cases c
UNION ALL SELECT c.id, 'clause', coalesce(c.clause, '') FROM cases c
UNION ALL SELECT c.id, 'staff', CASE
	WHEN c.override_verdict IS NOT NULL OR c.approved_by IS NOT NULL
	THEN 'staff' WHEN c.verdict IS NULL OR c.verdict = 'pending'
	THEN 'undecided' ELSE 'auto' END FROM cases c
UNION ALL SELECT DISTINCT case_id, 'material', material FROM report_claimed
UNION ALL SELECT DISTINCT case_id, 'kind', kind FROM report_claimed;

INSERT INTO report_sums (dim, week, key, currency, cases)
SELECT g.dim, c.opened_at - (((c.opened_at + 259200000000)
	% 604800000000) + 604800000000) % 604800000000, g.key, o.currency,
	count(*)
FROM report_groups g JOIN cases c ON c.id = g.case_id
	JOIN orders o ON o.id = c.order_id
GROUP BY 1, 2, 3, 4;

INSERT INTO report_sums (dim, week, key, currency, refunds, refunded_minor)
SELECT g.dim, l.created_at - (((l.created_at + 259200000000)
	% 604800000000) + 604800000000) % 604800000000 AS w, g.key,
	l.currency, count(*), sum(l.amount_minor)
FROM ledger l JOIN report_groups g ON g.case_id = l.case_id
WHERE l.kind = 'refund'
GROUP BY 1, 2, 3, 4
ON CONFLICT (dim, week, key, currency) DO UPDATE SET
	refunds = refunds + excluded.refunds,
	refunded_minor = refunded_minor + excluded.refunded_minor;

DROP VIEW report_groups;
DROP VIEW report_claimed;

INSERT INTO report_durations (what, week, bucket, n)
SELECT what, w, CASE
	WHEN d <= 3600000000 THEN 0 WHEN d <= 7200000000 THEN 1
	WHEN d <= 14400000000 THEN 2 WHEN d <= 28800000000 THEN 3
	WHEN d <= 43200000000 THEN 4 WHEN d <= 86400000000 THEN 5
	WHEN d <= 172800000000 THEN 6 WHEN d <= 259200000000 THEN 7
	WHEN d <= 432000000000 THEN 8 WHEN d <= 604800000000 THEN 9
	WHEN d <= 1209600000000 THEN 10 WHEN d <= 2592000000000 THEN 11
	WHEN d <= 5184000000000 THEN 12 ELSE 13 END AS b, count(*)
FROM (SELECT 'decision' AS what, c.opened_at - (((c.opened_at
		+ 259200000000) % 604800000000) + 604800000000)
		% 604800000000 AS w,
		(SELECT min(x.decided_at) FROM decisions x
		 WHERE x.id = (SELECT min(y.id)
			FROM decisions y INDEXED BY decisions_case
			WHERE y.case_id = c.id AND y.verdict <> 'pending'))
		- c.opened_at AS d
	FROM cases c
	UNION ALL
	SELECT 'refund', c.opened_at - (((c.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		(SELECT x.created_at FROM ledger x
		 WHERE x.id = (SELECT min(y.id)
			FROM ledger y INDEXED BY ledger_case
			WHERE y.case_id = c.id AND y.kind = 'refund'))
		- c.opened_at
	FROM cases c)
WHERE d IS NOT NULL
GROUP BY 1, 2, 3;

INSERT INTO report_claimants (by, key, claims, not_received, damaged,
	last_at)
SELECT 'email', k, count(*), sum(t = 'not_received'), sum(t = 'damaged'),
	max(at)
FROM (SELECT nullif(lower(trim(o.customer_email,
		char(32, 9, 10, 13, 12, 11))), '') AS k,
		c.claim_type AS t, c.opened_at AS at
	FROM cases c JOIN orders o ON o.id = c.order_id
	WHERE c.claim_type IN ('not_received', 'damaged'))
WHERE k IS NOT NULL
GROUP BY k;

INSERT INTO report_claimants (by, key, claims, not_received, damaged,
	last_at)
SELECT 'address', k, count(*), sum(t = 'not_received'),
	sum(t = 'damaged'), max(at)
FROM (SELECT lower(trim(trim(o.addr_line1, char(32, 9, 10, 13, 12, 11))
		|| ' ' || trim(o.addr_line2, char(32, 9, 10, 13, 12, 11))))
		|| ' | ' || upper(trim(o.addr_postal_code,
			char(32, 9, 10, 13, 12, 11)))
		|| ' | ' || upper(trim(o.addr_country,
			char(32, 9, 10, 13, 12, 11))) AS k,
		c.claim_type AS t, c.opened_at AS at
	FROM cases c JOIN orders o ON o.id = c.order_id
	WHERE c.claim_type IN ('not_received', 'damaged'))
GROUP BY k;

-- report_due: the cases due (cases.due_at, the queue's due instant: NULL
-- once resolved or closed) per UTC day of their due instant, so that the
-- cases overdue at an instant are the days before its own, summed, and
-- one day of the index cases_due counted (store_count_due_before).
CREATE TABLE report_due (
	day INTEGER NOT NULL PRIMARY KEY,
	n INTEGER NOT NULL
) STRICT;
INSERT INTO report_due (day, n)
SELECT due_at - ((due_at % 86400000000) + 86400000000) % 86400000000,
	count(*)
FROM cases WHERE due_at IS NOT NULL
GROUP BY 1;

-- ---- the triggers -------------------------------------------------------
-- Written for a write path that stays fast: each statement an upsert of
-- a few rows found by key, no DISTINCT, GROUP BY, IN (subquery) or
-- compound subquery in a join (each would build a temporary b-tree,
-- which costs a temporary file's open on every write); items are
-- deduplicated by "no earlier line with the same value". A case's
-- decisions and ledger entries are read INDEXED BY the case's index, and
-- "+x.id < NEW.id" keeps the rowid bound from being used: with the
-- statistics of a small shop (PRAGMA optimize at close) SQLite would
-- otherwise walk the whole table on every write while a big one is
-- loaded in bulk.

-- A new case: counted in each of its groups, for its opening week; a
-- not_received or damaged claim counted for its e-mail and address.
CREATE TRIGGER report_cases_insert AFTER INSERT ON cases
BEGIN
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT v.column1, NEW.opened_at - (((NEW.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		CASE v.column1 WHEN 'week' THEN ''
		WHEN 'type' THEN NEW.claim_type
		WHEN 'clause' THEN coalesce(NEW.clause, '')
		ELSE CASE WHEN NEW.override_verdict IS NOT NULL
			OR NEW.approved_by IS NOT NULL THEN 'staff'
			WHEN NEW.verdict IS NULL OR NEW.verdict = 'pending'
			THEN 'undecided' ELSE 'auto' END END,
		o.currency, 1
	FROM orders o, (VALUES ('week'), ('type'), ('clause'), ('staff')) v
	WHERE o.id = NEW.order_id
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = cases + 1;
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT 'material', NEW.opened_at - (((NEW.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000, i.material,
		(SELECT currency FROM orders WHERE id = NEW.order_id), 1
	FROM items i WHERE i.order_id = NEW.order_id AND
		(coalesce(json_type(NEW.claim_json, '$.lines'), '')
			<> 'array' OR EXISTS (SELECT 1
			FROM json_each(NEW.claim_json, '$.lines')
			WHERE value = i.line))
		AND NOT EXISTS (SELECT 1 FROM items j
			WHERE j.order_id = i.order_id AND j.line < i.line
			AND j.material = i.material
			AND (coalesce(json_type(NEW.claim_json, '$.lines'), '')
			<> 'array' OR EXISTS (SELECT 1
			FROM json_each(NEW.claim_json, '$.lines')
			WHERE value = j.line)))
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = cases + 1;
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT 'kind', NEW.opened_at - (((NEW.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000, i.kind,
		(SELECT currency FROM orders WHERE id = NEW.order_id), 1
	FROM items i WHERE i.order_id = NEW.order_id AND
		(coalesce(json_type(NEW.claim_json, '$.lines'), '')
			<> 'array' OR EXISTS (SELECT 1
			FROM json_each(NEW.claim_json, '$.lines')
			WHERE value = i.line))
		AND NOT EXISTS (SELECT 1 FROM items j
			WHERE j.order_id = i.order_id AND j.line < i.line
			AND j.kind = i.kind
			AND (coalesce(json_type(NEW.claim_json, '$.lines'), '')
			<> 'array' OR EXISTS (SELECT 1
			FROM json_each(NEW.claim_json, '$.lines')
			WHERE value = j.line)))
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = cases + 1;

	INSERT INTO report_claimants (by, key, claims, not_received,
		damaged, last_at)
	SELECT 'email', k, 1, NEW.claim_type = 'not_received',
		NEW.claim_type = 'damaged', NEW.opened_at
	FROM (SELECT nullif(lower(trim(o.customer_email,
		char(32, 9, 10, 13, 12, 11))), '') AS k
		FROM orders o WHERE o.id = NEW.order_id)
	WHERE k IS NOT NULL AND NEW.claim_type IN ('not_received', 'damaged')
	ON CONFLICT (by, key) DO UPDATE SET claims = claims + 1,
		not_received = not_received + excluded.not_received,
		damaged = damaged + excluded.damaged,
		last_at = max(last_at, excluded.last_at);

	INSERT INTO report_claimants (by, key, claims, not_received,
		damaged, last_at)
	SELECT 'address', lower(trim(trim(o.addr_line1,
			char(32, 9, 10, 13, 12, 11)) || ' '
			|| trim(o.addr_line2, char(32, 9, 10, 13, 12, 11))))
		|| ' | ' || upper(trim(o.addr_postal_code,
			char(32, 9, 10, 13, 12, 11)))
		|| ' | ' || upper(trim(o.addr_country,
			char(32, 9, 10, 13, 12, 11))),
		1, NEW.claim_type = 'not_received',
		NEW.claim_type = 'damaged', NEW.opened_at
	FROM orders o
	WHERE o.id = NEW.order_id
		AND NEW.claim_type IN ('not_received', 'damaged')
	ON CONFLICT (by, key) DO UPDATE SET claims = claims + 1,
		not_received = not_received + excluded.not_received,
		damaged = damaged + excluded.damaged,
		last_at = max(last_at, excluded.last_at);
END;

-- A case whose deciding clause changes (a new decision): its count and
-- its refunds, entry by entry, leave the old clause for the new one.
CREATE TRIGGER report_cases_clause AFTER UPDATE OF clause ON cases
	WHEN OLD.clause IS NOT NEW.clause
BEGIN
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT 'clause', NEW.opened_at - (((NEW.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		coalesce(OLD.clause, ''), o.currency, -1
	FROM orders o WHERE o.id = NEW.order_id
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

-- The same when how a case was decided changes: decided (a verdict that
-- is not pending), overridden or approved.
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

-- A refund: counted in each group of its case, for the week it was paid;
-- the case's first refund goes into the durations.
CREATE TRIGGER report_ledger AFTER INSERT ON ledger
	WHEN NEW.kind = 'refund'
BEGIN
	INSERT INTO report_sums (dim, week, key, currency, refunds,
		refunded_minor)
	SELECT v.column1, NEW.created_at - (((NEW.created_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		CASE v.column1 WHEN 'week' THEN ''
		WHEN 'type' THEN c.claim_type
		WHEN 'clause' THEN coalesce(c.clause, '')
		ELSE CASE WHEN c.override_verdict IS NOT NULL
			OR c.approved_by IS NOT NULL THEN 'staff'
			WHEN c.verdict IS NULL OR c.verdict = 'pending'
			THEN 'undecided' ELSE 'auto' END END,
		NEW.currency, 1, NEW.amount_minor
	FROM cases c, (VALUES ('week'), ('type'), ('clause'), ('staff')) v
	WHERE c.id = NEW.case_id
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		refunds = refunds + 1,
		refunded_minor = refunded_minor + excluded.refunded_minor;
	INSERT INTO report_sums (dim, week, key, currency, refunds,
		refunded_minor)
	SELECT 'material', NEW.created_at - (((NEW.created_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		i.material, NEW.currency, 1,
		NEW.amount_minor
	FROM cases c, items i WHERE i.order_id = c.order_id AND
		(coalesce(json_type(c.claim_json, '$.lines'), '')
			<> 'array' OR EXISTS (SELECT 1
			FROM json_each(c.claim_json, '$.lines')
			WHERE value = i.line))
		AND NOT EXISTS (SELECT 1 FROM items j
			WHERE j.order_id = i.order_id AND j.line < i.line
			AND j.material = i.material
			AND (coalesce(json_type(c.claim_json, '$.lines'), '')
			<> 'array' OR EXISTS (SELECT 1
			FROM json_each(c.claim_json, '$.lines')
			WHERE value = j.line)))
	AND c.id = NEW.case_id
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		refunds = refunds + 1,
		refunded_minor = refunded_minor + excluded.refunded_minor;
	INSERT INTO report_sums (dim, week, key, currency, refunds,
		refunded_minor)
	SELECT 'kind', NEW.created_at - (((NEW.created_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000,
		i.kind, NEW.currency, 1, NEW.amount_minor
	FROM cases c, items i WHERE i.order_id = c.order_id AND
		(coalesce(json_type(c.claim_json, '$.lines'), '')
			<> 'array' OR EXISTS (SELECT 1
			FROM json_each(c.claim_json, '$.lines')
			WHERE value = i.line))
		AND NOT EXISTS (SELECT 1 FROM items j
			WHERE j.order_id = i.order_id AND j.line < i.line
			AND j.kind = i.kind
			AND (coalesce(json_type(c.claim_json, '$.lines'), '')
			<> 'array' OR EXISTS (SELECT 1
			FROM json_each(c.claim_json, '$.lines')
			WHERE value = j.line)))
	AND c.id = NEW.case_id
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		refunds = refunds + 1,
		refunded_minor = refunded_minor + excluded.refunded_minor;

	INSERT INTO report_durations (what, week, bucket, n)
	SELECT 'refund', c.opened_at - (((c.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000, CASE
		WHEN d <= 3600000000 THEN 0 WHEN d <= 7200000000 THEN 1
		WHEN d <= 14400000000 THEN 2 WHEN d <= 28800000000 THEN 3
		WHEN d <= 43200000000 THEN 4 WHEN d <= 86400000000 THEN 5
		WHEN d <= 172800000000 THEN 6 WHEN d <= 259200000000 THEN 7
		WHEN d <= 432000000000 THEN 8 WHEN d <= 604800000000 THEN 9
		WHEN d <= 1209600000000 THEN 10
		WHEN d <= 2592000000000 THEN 11
		WHEN d <= 5184000000000 THEN 12 ELSE 13 END, 1
	FROM (SELECT opened_at, NEW.created_at - opened_at AS d
		FROM cases WHERE id = NEW.case_id) c
	WHERE NOT EXISTS (SELECT 1 FROM ledger l INDEXED BY ledger_case
		WHERE l.case_id = NEW.case_id AND l.kind = 'refund'
			AND +l.id < NEW.id)
	ON CONFLICT (what, week, bucket) DO UPDATE SET n = n + 1;
END;

-- A decision: the case's first that is not pending goes into the
-- durations.
CREATE TRIGGER report_decisions AFTER INSERT ON decisions
	WHEN NEW.verdict <> 'pending'
BEGIN
	INSERT INTO report_durations (what, week, bucket, n)
	SELECT 'decision', c.opened_at - (((c.opened_at + 259200000000)
		% 604800000000) + 604800000000) % 604800000000, CASE
		WHEN d <= 3600000000 THEN 0 WHEN d <= 7200000000 THEN 1
		WHEN d <= 14400000000 THEN 2 WHEN d <= 28800000000 THEN 3
		WHEN d <= 43200000000 THEN 4 WHEN d <= 86400000000 THEN 5
		WHEN d <= 172800000000 THEN 6 WHEN d <= 259200000000 THEN 7
		WHEN d <= 432000000000 THEN 8 WHEN d <= 604800000000 THEN 9
		WHEN d <= 1209600000000 THEN 10
		WHEN d <= 2592000000000 THEN 11
		WHEN d <= 5184000000000 THEN 12 ELSE 13 END, 1
	FROM (SELECT opened_at, NEW.decided_at - opened_at AS d
		FROM cases WHERE id = NEW.case_id) c
	WHERE NOT EXISTS (SELECT 1 FROM decisions x INDEXED BY decisions_case
		WHERE x.case_id = NEW.case_id AND x.verdict <> 'pending'
			AND +x.id < NEW.id)
	ON CONFLICT (what, week, bucket) DO UPDATE SET n = n + 1;
END;

-- A case stored or moved whose due instant changes (a decision's
-- deadline, resolved, closed): its day's count follows.
CREATE TRIGGER report_due_insert AFTER INSERT ON cases
	WHEN NEW.due_at IS NOT NULL
BEGIN
	INSERT INTO report_due (day, n)
	VALUES (NEW.due_at - ((NEW.due_at % 86400000000) + 86400000000)
		% 86400000000, 1)
	ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER report_due_update AFTER UPDATE OF status, deadline,
	response_due_at ON cases
	WHEN OLD.due_at IS NOT NEW.due_at
BEGIN
	UPDATE report_due SET n = n - 1
	WHERE day = OLD.due_at - ((OLD.due_at % 86400000000) + 86400000000)
		% 86400000000;
	INSERT INTO report_due (day, n)
	SELECT NEW.due_at - ((NEW.due_at % 86400000000) + 86400000000)
		% 86400000000, 1
	WHERE NEW.due_at IS NOT NULL
	ON CONFLICT (day) DO UPDATE SET n = n + 1;
END;
