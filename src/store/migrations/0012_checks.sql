-- 0012_checks: the CHECK constraints that list three or more values,
-- spelt as comparisons. SQLite codes `x IN ('a', 'b', 'c')` (three
-- values or more) as a temporary b-tree made on every statement that
-- checks it: about twenty on every case opened, triggers included
-- (~6 us each, a quarter of the server's time for POST /v1/cases). `x = 'a' OR
-- x = 'b' OR ...` is the same rule (NULL passes both) checked in place.
--
-- A CHECK constraint changes nothing stored, so the tables' text in
-- sqlite_schema is rewritten in place, as SQLite's documentation of
-- ALTER TABLE allows for such changes (writable_schema, then the schema
-- cookie raised: the migration runner in sqlite.c does that part, after
-- every migration). tests/store/store.c checks that inserting into any
-- table makes no temporary b-tree, and that the rows checked still are.
-- PostgreSQL checks a list in place: pg/0012_checks.sql is a no-op.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql,
	'kind IN (''ring'', ''necklace'', ''bracelet'',
		''earrings'', ''pendant'', ''other'')',
	'(kind = ''ring'' OR kind = ''necklace'' OR kind = ''bracelet'' OR
		kind = ''earrings'' OR kind = ''pendant'' OR
		kind = ''other'')')
WHERE type = 'table' AND name = 'items';
UPDATE sqlite_schema SET sql = replace(replace(sql,
	'courier_finding IN (''none'', ''investigating'',
			''lost_confirmed'', ''delivered_proven'')',
	'(courier_finding = ''none'' OR
		courier_finding = ''investigating'' OR
		courier_finding = ''lost_confirmed'' OR
		courier_finding = ''delivered_proven'')'),
	'customs IN (''none'', ''held'', ''cleared'',
			''refused_by_customer'')',
	'(customs = ''none'' OR customs = ''held'' OR
		customs = ''cleared'' OR customs = ''refused_by_customer'')')
WHERE type = 'table' AND name = 'shipments';
UPDATE sqlite_schema SET sql = replace(replace(replace(replace(sql,
	'status IN (''open'', ''waiting'', ''decided'',
		''resolved'', ''closed'')',
	'(status = ''open'' OR status = ''waiting'' OR
		status = ''decided'' OR status = ''resolved'' OR
		status = ''closed'')'),
	'claim_type IN (''cancel'',
		''not_received'', ''damaged'', ''wrong_item'', ''unwanted'',
		''wrong_address'', ''customs'', ''repair'')',
	'(claim_type = ''cancel'' OR claim_type = ''not_received'' OR
		claim_type = ''damaged'' OR claim_type = ''wrong_item'' OR
		claim_type = ''unwanted'' OR
		claim_type = ''wrong_address'' OR
		claim_type = ''customs'' OR claim_type = ''repair'')'),
	'override_verdict IN (''full_refund'',
		''partial_refund'', ''no_refund'', ''pending'', ''free_repair'',
		''paid_repair'')',
	'(override_verdict = ''full_refund'' OR
		override_verdict = ''partial_refund'' OR
		override_verdict = ''no_refund'' OR
		override_verdict = ''pending'' OR
		override_verdict = ''free_repair'' OR
		override_verdict = ''paid_repair'')'),
	'verdict IN (''full_refund'',
	''partial_refund'', ''no_refund'', ''pending'', ''free_repair'',
	''paid_repair'')',
	'(verdict = ''full_refund'' OR verdict = ''partial_refund'' OR
		verdict = ''no_refund'' OR verdict = ''pending'' OR
		verdict = ''free_repair'' OR verdict = ''paid_repair'')')
WHERE type = 'table' AND name = 'cases';
UPDATE sqlite_schema SET sql = replace(sql,
	'verdict IN (''full_refund'',
		''partial_refund'', ''no_refund'', ''pending'', ''free_repair'',
		''paid_repair'')',
	'(verdict = ''full_refund'' OR verdict = ''partial_refund'' OR
		verdict = ''no_refund'' OR verdict = ''pending'' OR
		verdict = ''free_repair'' OR verdict = ''paid_repair'')')
WHERE type = 'table' AND name = 'decisions';
UPDATE sqlite_schema SET sql = replace(sql,
	'status IN (''quoted'', ''accepted'',
		''declined'', ''expired'', ''repaired'', ''shipped_back'')',
	'(status = ''quoted'' OR status = ''accepted'' OR
		status = ''declined'' OR status = ''expired'' OR
		status = ''repaired'' OR status = ''shipped_back'')')
WHERE type = 'table' AND name = 'repair_quotes';
UPDATE sqlite_schema SET sql = replace(sql,
	'dim IN (''week'', ''type'', ''clause'', ''staff'',
		''material'', ''kind'')',
	'(dim = ''week'' OR dim = ''type'' OR dim = ''clause'' OR
		dim = ''staff'' OR dim = ''material'' OR dim = ''kind'')')
WHERE type = 'table' AND name = 'report_sums';
UPDATE sqlite_schema SET sql = replace(sql,
	'status IN (''pending'',
		''sending'', ''sent'', ''dead'', ''failed'')',
	'(status = ''pending'' OR status = ''sending'' OR
		status = ''sent'' OR status = ''dead'' OR
		status = ''failed'')')
WHERE type = 'table' AND name = 'outbox';
UPDATE sqlite_schema SET sql = replace(sql,
	'kind IN (''aftership'', ''easypost'', ''stripe'')',
	'(kind = ''aftership'' OR kind = ''easypost'' OR kind = ''stripe'')')
WHERE type = 'table' AND name = 'hooks';
UPDATE sqlite_schema SET sql = replace(sql,
	'status IN (''applied'', ''stale'',
		''unmatched'', ''ignored'')',
	'(status = ''applied'' OR status = ''stale'' OR
		status = ''unmatched'' OR status = ''ignored'')')
WHERE type = 'table' AND name = 'hook_events';
UPDATE sqlite_schema SET sql = replace(sql,
	'status IN (''pending'', ''succeeded'',
		''failed'')',
	'(status = ''pending'' OR status = ''succeeded'' OR
		status = ''failed'')')
WHERE type = 'table' AND name = 'refund_payments';
PRAGMA writable_schema = OFF;
