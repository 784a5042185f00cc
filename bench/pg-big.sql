-- pg-big.sql: bench/pg-big.sh's generated cases on PostgreSQL, the twin of
-- bench/big.sql: :n copies of the template (order D-1004 and case
-- C-000001, opened through the API). Case i is C-<i + 1> on order
-- B-<(i - 1) / 10 + 1>, with its own decision (the template's) as its
-- current one. Triggers are off while it runs (session_replication_role
-- replica: a million rows through the report triggers would take an
-- hour), so this file sets what they would have set on the rows a case
-- read uses (seq, decision_id, verdict, deadline, clause, customer, the
-- counters); the report summaries are left as they were: a benchmark
-- database, not a shop's.
\set ON_ERROR_STOP on
BEGIN;
SET LOCAL session_replication_role = replica;
-- pad: printf's %0Nd (lpad alone would cut a longer number)
CREATE FUNCTION pg_temp.pad(v BIGINT, w INT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
	SELECT lpad(v::text, greatest(w, length(v::text)), '0')
$$;
CREATE TEMP TABLE g AS SELECT (extract(epoch FROM now()) * 1000000)::bigint
	AS now, :n::bigint AS n;

INSERT INTO orders (id, placed_at, currency, shipping_minor, paid_minor,
	addr_name, addr_line1, addr_line2, addr_city, addr_region,
	addr_postal_code, addr_country, customer_name, customer_email,
	created_at)
SELECT format('B-%s', pg_temp.pad(k, 7)), o.placed_at, o.currency,
	o.shipping_minor, o.paid_minor, o.addr_name, o.addr_line1,
	o.addr_line2, o.addr_city, o.addr_region, o.addr_postal_code,
	o.addr_country, o.customer_name,
	format('c%s@example.com', pg_temp.pad(((k - 1) % 20000), 5)),
	o.created_at
FROM generate_series(1, (:n + 9) / 10) k
	CROSS JOIN (SELECT * FROM orders WHERE id = 'D-1004') o;
\echo generated the orders

INSERT INTO items (order_id, line, sku, kind, style, shape, material, color,
	size_milli, price_minor, certificate)
SELECT format('B-%s', pg_temp.pad(k, 7)), t.line, t.sku, t.kind,
	t.style, t.shape, t.material, t.color, t.size_milli, t.price_minor,
	t.certificate
FROM generate_series(1, (:n + 9) / 10) k
	CROSS JOIN (SELECT * FROM items WHERE order_id = 'D-1004') t;

INSERT INTO shipments (order_id, shipped_at, addr_name, addr_line1,
	addr_line2, addr_city, addr_region, addr_postal_code, addr_country,
	delivered_at, courier_finding, customs, updated_at)
SELECT format('B-%s', pg_temp.pad(k, 7)), s.shipped_at, s.addr_name,
	s.addr_line1, s.addr_line2, s.addr_city, s.addr_region,
	s.addr_postal_code, s.addr_country, s.delivered_at,
	s.courier_finding, s.customs, s.updated_at
FROM generate_series(1, (:n + 9) / 10) k
	CROSS JOIN (SELECT * FROM shipments WHERE order_id = 'D-1004') s;
\echo generated the items and shipments

-- decision ids: the template's id + i, so each case names its own
CREATE TEMP TABLE base AS SELECT max(id) AS d FROM decisions;

INSERT INTO cases (seq, id, order_id, status, claim_type, opened_at,
	claim_json, created_at, updated_at, response_due_at, decision_id,
	verdict, deadline, clause, customer)
SELECT i + 1, format('C-%s', pg_temp.pad((i + 1), 6)),
	format('B-%s', pg_temp.pad(((i - 1) / 10 + 1), 7)),
	(ARRAY['open', 'waiting', 'waiting', 'decided', 'decided', 'decided',
		'resolved', 'resolved', 'resolved', 'resolved', 'resolved',
		'resolved', 'closed', 'closed', 'closed', 'closed', 'closed',
		'closed', 'closed', 'closed'])[i % 20 + 1],
	(ARRAY['cancel', 'not_received', 'damaged', 'wrong_item', 'unwanted',
		'wrong_address', 'customs', 'repair'])[i % 8 + 1],
	m.at, c.claim_json, m.at, m.at, m.at + 172800000000, b.d + i,
	c.verdict, CASE WHEN i % 3 = 0 THEN NULL
		ELSE m.at + (i % 7 + 1) * 86400000000 END,
	c.clause, format('c%s@example.com',
		pg_temp.pad((((i - 1) / 10) % 20000), 5))
FROM (SELECT i, g.now - (g.n - i) * (730 * 86400000000 / g.n)
		- 86400000000 AS at
	FROM generate_series(1, :n) i CROSS JOIN g) m
	CROSS JOIN (SELECT * FROM cases WHERE id = 'C-000001') c
	CROSS JOIN base b;
\echo generated the cases

INSERT INTO decisions (id, case_id, decided_at, verdict, refund_max_minor,
	charge_minor, deadline, policy, decision_json, facts_json)
SELECT c.decision_id, c.id, c.opened_at, d.verdict, d.refund_max_minor,
	d.charge_minor, c.deadline, d.policy, d.decision_json, d.facts_json
FROM cases c CROSS JOIN base b
	CROSS JOIN (SELECT * FROM decisions WHERE case_id = 'C-000001') d
WHERE c.seq > 1;
\echo generated the decisions

SELECT setval('decisions_id_seq', (SELECT max(id) FROM decisions));
UPDATE case_seq SET n = (SELECT max(seq) FROM cases);
UPDATE case_counts SET
	open = (SELECT count(*) FROM cases WHERE status = 'open'),
	waiting = (SELECT count(*) FROM cases WHERE status = 'waiting'),
	decided = (SELECT count(*) FROM cases WHERE status = 'decided'),
	resolved = (SELECT count(*) FROM cases WHERE status = 'resolved'),
	closed = (SELECT count(*) FROM cases WHERE status = 'closed');
COMMIT;
ANALYZE;
\echo committed
