-- big.sql: one chunk of bench/big.sh's generated cases, @LO@ .. @HI@ (the
-- script substitutes them), copied from the template: order D-1004 and
-- case C-000001, opened through the API. temp.g holds now and the count.
-- Case i is C-<i + 1> on order B-<(i - 1) / 10 + 1>, opened (i / n) of the
-- way through the last two years. Order k's customer is
-- c<(k - 1) % 20000>@example.com (five orders each at a million cases). The template's rows are read from
-- copies in temp tables (big.sh makes them), not from the growing tables:
-- the statistics the template left (one case, one decision) would have
-- SQLite scan those for each row made.
WITH RECURSIVE k (i) AS (SELECT @LO@ UNION ALL SELECT i + 1 FROM k WHERE i < @HI@)
INSERT INTO orders (id, placed_at, currency, shipping_minor, paid_minor,
	addr_name, addr_line1, addr_line2, addr_city, addr_region,
	addr_postal_code, addr_country, customer_name, customer_email,
	created_at)
SELECT printf('B-%07d', (i - 1) / 10 + 1), o.placed_at, o.currency,
	o.shipping_minor, o.paid_minor, o.addr_name, o.addr_line1,
	o.addr_line2, o.addr_city, o.addr_region, o.addr_postal_code,
	o.addr_country, o.customer_name,
	printf('c%05d@example.com', ((i - 1) / 10) % 20000), o.created_at
FROM k CROSS JOIN temp.t_order o WHERE (i - 1) % 10 = 0;

WITH RECURSIVE k (i) AS (SELECT @LO@ UNION ALL SELECT i + 1 FROM k WHERE i < @HI@)
INSERT INTO items (order_id, line, sku, kind, style, shape, material, color,
	size_milli, price_minor, certificate)
SELECT printf('B-%07d', (i - 1) / 10 + 1), t.line, t.sku, t.kind, t.style,
	t.shape, t.material, t.color, t.size_milli, t.price_minor,
	t.certificate
FROM k CROSS JOIN temp.t_items t WHERE (i - 1) % 10 = 0;

WITH RECURSIVE k (i) AS (SELECT @LO@ UNION ALL SELECT i + 1 FROM k WHERE i < @HI@)
INSERT INTO shipments (order_id, shipped_at, addr_name, addr_line1,
	addr_line2, addr_city, addr_region, addr_postal_code, addr_country,
	delivered_at, courier_finding, customs, updated_at)
SELECT printf('B-%07d', (i - 1) / 10 + 1), s.shipped_at, s.addr_name,
	s.addr_line1, s.addr_line2, s.addr_city, s.addr_region,
	s.addr_postal_code, s.addr_country, s.delivered_at,
	s.courier_finding, s.customs, s.updated_at
FROM k CROSS JOIN temp.t_ship s WHERE (i - 1) % 10 = 0;

WITH RECURSIVE k (i) AS (SELECT @LO@ UNION ALL SELECT i + 1 FROM k WHERE i < @HI@),
	m (i, at) AS (SELECT i, g.now - (g.n - i) * (730 * 86400000000 / g.n)
		- 86400000000 FROM k CROSS JOIN temp.g g)
INSERT INTO cases (seq, id, order_id, status, claim_type, opened_at,
	claim_json, created_at, updated_at, response_due_at)
SELECT i + 1, printf('C-%06d', i + 1), printf('B-%07d', (i - 1) / 10 + 1),
	CASE i % 20 WHEN 0 THEN 'open' WHEN 1 THEN 'waiting'
		WHEN 2 THEN 'waiting' WHEN 3 THEN 'decided'
		WHEN 4 THEN 'decided' WHEN 5 THEN 'decided'
		WHEN 6 THEN 'resolved' WHEN 7 THEN 'resolved'
		WHEN 8 THEN 'resolved' WHEN 9 THEN 'resolved'
		WHEN 10 THEN 'resolved' WHEN 11 THEN 'resolved'
		ELSE 'closed' END,
	CASE i % 8 WHEN 0 THEN 'cancel' WHEN 1 THEN 'not_received'
		WHEN 2 THEN 'damaged' WHEN 3 THEN 'wrong_item'
		WHEN 4 THEN 'unwanted' WHEN 5 THEN 'wrong_address'
		WHEN 6 THEN 'customs' ELSE 'repair' END,
	m.at, c.claim_json, m.at, m.at, m.at + 172800000000
FROM m CROSS JOIN temp.t_case c;

WITH RECURSIVE k (i) AS (SELECT @LO@ UNION ALL SELECT i + 1 FROM k WHERE i < @HI@)
INSERT INTO decisions (case_id, decided_at, verdict, refund_max_minor,
	charge_minor, deadline, policy, decision_json, facts_json)
SELECT printf('C-%06d', i + 1), c.opened_at, d.verdict, d.refund_max_minor,
	d.charge_minor,
	CASE WHEN i % 3 = 0 THEN NULL
		ELSE c.opened_at + (i % 7 + 1) * 86400000000 END,
	d.policy, d.decision_json, d.facts_json
FROM k CROSS JOIN cases c CROSS JOIN temp.t_dec d
WHERE c.id = printf('C-%06d', i + 1);

WITH RECURSIVE k (i) AS (SELECT @LO@ UNION ALL SELECT i + 1 FROM k WHERE i < @HI@)
INSERT INTO audit (at, actor, action, entity, entity_id, before_json,
	after_json)
SELECT c.created_at, 'token:bench', 'case.open', 'case', c.id, NULL,
	'{"status":"open","verdict":"' || c.verdict || '"}'
FROM k CROSS JOIN cases c WHERE c.id = printf('C-%06d', i + 1);
