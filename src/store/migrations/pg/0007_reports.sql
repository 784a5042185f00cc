-- 0007_reports: the report summaries (issue 9), PostgreSQL's twin of
-- ../0007_reports.sql (read it for what each table holds and why): the
-- same three tables, filled once from the existing rows and then kept by
-- triggers in the transaction of every write. The SQLite file spells its
-- expressions out in each trigger; here they are functions.

CREATE TABLE report_sums (
	dim TEXT NOT NULL CHECK (dim IN ('week', 'type', 'clause', 'staff',
		'material', 'kind')),
	week BIGINT NOT NULL,
	key TEXT NOT NULL,
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	cases BIGINT NOT NULL DEFAULT 0,
	refunds BIGINT NOT NULL DEFAULT 0,
	refunded_minor BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (dim, week, key, currency)
);

CREATE TABLE report_durations (
	what TEXT NOT NULL CHECK (what IN ('decision', 'refund')),
	week BIGINT NOT NULL,
	bucket INT NOT NULL CHECK (bucket BETWEEN 0 AND 13),
	n BIGINT NOT NULL,
	PRIMARY KEY (what, week, bucket)
);

CREATE TABLE report_claimants (
	by TEXT NOT NULL CHECK (by IN ('email', 'address')),
	key TEXT NOT NULL CHECK (length(key) > 0),
	claims BIGINT NOT NULL,
	not_received BIGINT NOT NULL,
	damaged BIGINT NOT NULL,
	last_at BIGINT NOT NULL,
	PRIMARY KEY (by, key)
);
CREATE INDEX report_claimants_claims ON report_claimants (by, claims, key);

-- ac_week: the Monday 00:00 UTC (µs) of an instant's ISO week.
CREATE FUNCTION ac_week(at BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE AS $$
	SELECT at - (((at + 259200000000) % 604800000000) + 604800000000)
		% 604800000000
$$;

-- ac_wait_bucket: a duration's bucket (µs; store_report_bucket_s).
CREATE FUNCTION ac_wait_bucket(d BIGINT) RETURNS INT
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN d <= 3600000000 THEN 0 WHEN d <= 7200000000 THEN 1
		WHEN d <= 14400000000 THEN 2 WHEN d <= 28800000000 THEN 3
		WHEN d <= 43200000000 THEN 4 WHEN d <= 86400000000 THEN 5
		WHEN d <= 172800000000 THEN 6 WHEN d <= 259200000000 THEN 7
		WHEN d <= 432000000000 THEN 8 WHEN d <= 604800000000 THEN 9
		WHEN d <= 1209600000000 THEN 10
		WHEN d <= 2592000000000 THEN 11
		WHEN d <= 5184000000000 THEN 12 ELSE 13 END
$$;

-- ac_staff: how a case was decided: 'staff' (overridden or approved),
-- 'undecided' (no verdict or a pending one) or 'auto'.
CREATE FUNCTION ac_staff(override TEXT, approved TEXT, verdict TEXT)
RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN override IS NOT NULL OR approved IS NOT NULL
		THEN 'staff' WHEN verdict IS NULL OR verdict = 'pending'
		THEN 'undecided' ELSE 'auto' END
$$;

-- ac_address: a delivery address folded as SQLite's trim/lower/upper do
-- (ASCII only).
CREATE FUNCTION ac_address(l1 TEXT, l2 TEXT, pc TEXT, country TEXT)
RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
	SELECT translate(btrim(btrim(l1, E' \t\n\r\f\x0B') || ' '
			|| btrim(l2, E' \t\n\r\f\x0B')),
		'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
		|| ' | ' || translate(btrim(pc, E' \t\n\r\f\x0B'),
		'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
		|| ' | ' || translate(btrim(country, E' \t\n\r\f\x0B'),
		'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
$$;

-- report_groups: a case's groups (dim, key), as in ../0007_reports.sql.
-- PL/pgSQL, not SQL: the planner would inline a SQL function and fail on
-- its whole-row argument inside a LATERAL join ("variable not found in
-- subplan target list").
CREATE FUNCTION report_groups(c cases) RETURNS TABLE (dim TEXT, key TEXT)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	lines json := c.claim_json::json -> 'lines';
BEGIN
	RETURN QUERY
	SELECT 'week', ''
	UNION ALL SELECT 'type', c.claim_type
	UNION ALL SELECT 'clause', coalesce(c.clause, '')
	UNION ALL SELECT 'staff', ac_staff(c.override_verdict, c.approved_by,
		c.verdict)
	UNION ALL (SELECT DISTINCT 'material', i.material FROM items i
		WHERE i.order_id = c.order_id
		AND (json_typeof(lines) IS DISTINCT FROM 'array'
		OR i.line IN (SELECT json_array_elements_text(lines)::bigint)))
	UNION ALL (SELECT DISTINCT 'kind', i.kind FROM items i
		WHERE i.order_id = c.order_id
		AND (json_typeof(lines) IS DISTINCT FROM 'array'
		OR i.line IN (SELECT json_array_elements_text(lines)::bigint)));
END
$$;

-- ---- the existing rows, once -------------------------------------------

INSERT INTO report_sums (dim, week, key, currency, cases)
SELECT g.dim, ac_week(c.opened_at), g.key, o.currency, count(*)
FROM cases c JOIN orders o ON o.id = c.order_id
	CROSS JOIN LATERAL report_groups(c) g
GROUP BY 1, 2, 3, 4;

INSERT INTO report_sums (dim, week, key, currency, refunds, refunded_minor)
SELECT g.dim, ac_week(l.created_at), g.key, l.currency, count(*),
	sum(l.amount_minor)
FROM ledger l JOIN cases c ON c.id = l.case_id
	CROSS JOIN LATERAL report_groups(c) g
WHERE l.kind = 'refund'
GROUP BY 1, 2, 3, 4
ON CONFLICT (dim, week, key, currency) DO UPDATE SET
	refunds = report_sums.refunds + excluded.refunds,
	refunded_minor = report_sums.refunded_minor + excluded.refunded_minor;

INSERT INTO report_durations (what, week, bucket, n)
SELECT what, ac_week(opened_at), ac_wait_bucket(d), count(*)
FROM (SELECT 'decision' AS what, c.opened_at,
		(SELECT x.decided_at FROM decisions x WHERE x.case_id = c.id
		 AND x.verdict <> 'pending' ORDER BY x.id LIMIT 1)
		- c.opened_at AS d
	FROM cases c
	UNION ALL
	SELECT 'refund', c.opened_at,
		(SELECT x.created_at FROM ledger x WHERE x.case_id = c.id
		 AND x.kind = 'refund' ORDER BY x.id LIMIT 1) - c.opened_at
	FROM cases c) t
WHERE d IS NOT NULL
GROUP BY 1, 2, 3;

INSERT INTO report_claimants (by, key, claims, not_received, damaged,
	last_at)
SELECT 'email', c.customer, count(*),
	count(*) FILTER (WHERE c.claim_type = 'not_received'),
	count(*) FILTER (WHERE c.claim_type = 'damaged'), max(c.opened_at)
FROM cases c
WHERE c.claim_type IN ('not_received', 'damaged')
	AND c.customer IS NOT NULL
GROUP BY c.customer;

INSERT INTO report_claimants (by, key, claims, not_received, damaged,
	last_at)
SELECT 'address', ac_address(o.addr_line1, o.addr_line2,
		o.addr_postal_code, o.addr_country), count(*),
	count(*) FILTER (WHERE c.claim_type = 'not_received'),
	count(*) FILTER (WHERE c.claim_type = 'damaged'), max(c.opened_at)
FROM cases c JOIN orders o ON o.id = c.order_id
WHERE c.claim_type IN ('not_received', 'damaged')
GROUP BY 2;

-- report_due: the cases due per UTC day of their due instant (see
-- ../0007_reports.sql).
CREATE TABLE report_due (
	day BIGINT NOT NULL PRIMARY KEY,
	n BIGINT NOT NULL
);

-- ac_day: the UTC day's start (µs) of an instant.
CREATE FUNCTION ac_day(at BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE AS $$
	SELECT at - ((at % 86400000000) + 86400000000) % 86400000000
$$;

INSERT INTO report_due (day, n)
SELECT ac_day(due_at), count(*) FROM cases WHERE due_at IS NOT NULL
GROUP BY 1;

-- ---- the triggers -------------------------------------------------------

-- report_move: a case's count (its opening week) and its refunds (week
-- by week) leave old_key of dim for new_key.
CREATE FUNCTION report_move(c cases, d TEXT, old_key TEXT, new_key TEXT,
	cur TEXT) RETURNS void LANGUAGE sql AS $$
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
			+ excluded.refunded_minor
$$;

CREATE FUNCTION report_cases_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cur TEXT;
	o orders;
BEGIN
	SELECT * INTO o FROM orders WHERE id = NEW.order_id;
	cur := o.currency;
	IF TG_OP = 'INSERT' THEN
		INSERT INTO report_sums (dim, week, key, currency, cases)
		SELECT g.dim, ac_week(NEW.opened_at), g.key, cur, 1
		FROM report_groups(NEW) g
		ON CONFLICT (dim, week, key, currency) DO UPDATE SET
			cases = report_sums.cases + 1;
		IF NEW.claim_type IN ('not_received', 'damaged') THEN
			INSERT INTO report_claimants (by, key, claims,
				not_received, damaged, last_at)
			SELECT b, k, 1,
				(NEW.claim_type = 'not_received')::int,
				(NEW.claim_type = 'damaged')::int,
				NEW.opened_at
			FROM (VALUES ('email', NEW.customer),
				('address', ac_address(o.addr_line1,
					o.addr_line2, o.addr_postal_code,
					o.addr_country))) AS v (b, k)
			WHERE k IS NOT NULL
			ON CONFLICT (by, key) DO UPDATE SET
				claims = report_claimants.claims + 1,
				not_received = report_claimants.not_received
					+ excluded.not_received,
				damaged = report_claimants.damaged
					+ excluded.damaged,
				last_at = greatest(report_claimants.last_at,
					excluded.last_at);
		END IF;
		RETURN NULL;
	END IF;
	IF OLD.clause IS DISTINCT FROM NEW.clause THEN
		PERFORM report_move(NEW, 'clause', coalesce(OLD.clause, ''),
			coalesce(NEW.clause, ''), cur);
	END IF;
	IF ac_staff(OLD.override_verdict, OLD.approved_by, OLD.verdict)
		IS DISTINCT FROM ac_staff(NEW.override_verdict,
			NEW.approved_by, NEW.verdict) THEN
		PERFORM report_move(NEW, 'staff',
			ac_staff(OLD.override_verdict, OLD.approved_by,
				OLD.verdict),
			ac_staff(NEW.override_verdict, NEW.approved_by,
				NEW.verdict), cur);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER report_cases AFTER INSERT
	OR UPDATE OF clause, verdict, override_verdict, approved_by
	ON cases FOR EACH ROW EXECUTE FUNCTION report_cases_trigger();

CREATE FUNCTION report_ledger_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	c cases;
BEGIN
	SELECT * INTO c FROM cases WHERE id = NEW.case_id;
	INSERT INTO report_sums (dim, week, key, currency, refunds,
		refunded_minor)
	SELECT g.dim, ac_week(NEW.created_at), g.key, NEW.currency, 1,
		NEW.amount_minor
	FROM report_groups(c) g
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		refunds = report_sums.refunds + 1,
		refunded_minor = report_sums.refunded_minor
			+ excluded.refunded_minor;
	IF NOT EXISTS (SELECT 1 FROM ledger l WHERE l.case_id = NEW.case_id
		AND l.kind = 'refund' AND l.id < NEW.id) THEN
		INSERT INTO report_durations (what, week, bucket, n)
		VALUES ('refund', ac_week(c.opened_at),
			ac_wait_bucket(NEW.created_at - c.opened_at), 1)
		ON CONFLICT (what, week, bucket) DO UPDATE SET
			n = report_durations.n + 1;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER report_ledger AFTER INSERT ON ledger FOR EACH ROW
	WHEN (NEW.kind = 'refund') EXECUTE FUNCTION report_ledger_trigger();

CREATE FUNCTION report_decisions_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM decisions x
		WHERE x.case_id = NEW.case_id AND x.verdict <> 'pending'
		AND x.id < NEW.id) THEN
		INSERT INTO report_durations (what, week, bucket, n)
		SELECT 'decision', ac_week(c.opened_at),
			ac_wait_bucket(NEW.decided_at - c.opened_at), 1
		FROM cases c WHERE c.id = NEW.case_id
		ON CONFLICT (what, week, bucket) DO UPDATE SET
			n = report_durations.n + 1;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER report_decisions AFTER INSERT ON decisions FOR EACH ROW
	WHEN (NEW.verdict <> 'pending')
	EXECUTE FUNCTION report_decisions_trigger();

CREATE FUNCTION report_due_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		IF OLD.due_at IS NOT DISTINCT FROM NEW.due_at THEN
			RETURN NULL;
		END IF;
		IF OLD.due_at IS NOT NULL THEN
			UPDATE report_due SET n = n - 1
			WHERE day = ac_day(OLD.due_at);
		END IF;
	END IF;
	IF NEW.due_at IS NOT NULL THEN
		INSERT INTO report_due (day, n) VALUES (ac_day(NEW.due_at), 1)
		ON CONFLICT (day) DO UPDATE SET n = report_due.n + 1;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER report_due AFTER INSERT
	OR UPDATE OF status, deadline, response_due_at
	ON cases FOR EACH ROW EXECUTE FUNCTION report_due_trigger();
