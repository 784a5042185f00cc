-- 0017_domains: the one-column CHECKs of the tables a case's writes touch
-- become domains: the same rules, checked more cheaply.
--
-- PostgreSQL rebuilds a table's CHECK constraints from their stored text
-- (stringToNode, then planning) at the start of every statement that
-- inserts into or updates the table, and checks all of them on every row
-- an UPDATE writes, whichever columns it sets. A domain's CHECK is parsed
-- once per connection (the type cache) and is checked only where a value
-- of the domain is written. Measured with pgbench on one prepared INSERT
-- of six checked columns: 0.107 ms with table CHECKs, 0.063 ms with
-- domains, 0.059 ms unchecked. Opening a case runs about fifteen such
-- statements, PL/pgSQL triggers included.
--
-- A domain's CHECK also sees NULL (a table CHECK passes it), so every
-- rule here lets NULL through and NOT NULL stays on the column. Checks of
-- several columns stay on their tables, and so do two of one column:
-- cases.id's, which other tables' foreign keys refer to (changing its
-- type would check every one of them again), and cases.status's, which
-- the generated column due_at reads (PostgreSQL refuses to change its
-- type). Clients see the base types
-- (libpq's PQftype reports a domain's base type).
--
-- ALTER COLUMN ... TYPE is refused on a column that a trigger's WHEN or
-- UPDATE OF names, so the triggers of these tables are dropped first and
-- made again from their own definitions (pg_get_triggerdef), unchanged.
-- Each table is rewritten once (one ALTER TABLE each), indexes included.

CREATE DOMAIN ac_word AS TEXT CHECK (length(VALUE) > 0);
CREATE DOMAIN ac_key AS TEXT CHECK (length(VALUE) BETWEEN 1 AND 255);
CREATE DOMAIN ac_json AS TEXT
	CHECK (VALUE IS NULL OR VALUE::json IS NOT NULL);
CREATE DOMAIN ac_claim_type AS TEXT
	CHECK (VALUE IN ('cancel', 'not_received', 'damaged', 'wrong_item',
		'unwanted', 'wrong_address', 'customs', 'repair'));
CREATE DOMAIN ac_verdict AS TEXT
	CHECK (VALUE IN ('full_refund', 'partial_refund', 'no_refund',
		'pending', 'free_repair', 'paid_repair'));
CREATE DOMAIN ac_positive AS BIGINT CHECK (VALUE > 0);
CREATE DOMAIN ac_count AS BIGINT CHECK (VALUE >= 0);
CREATE DOMAIN ac_money AS BIGINT
	CHECK (VALUE BETWEEN 0 AND 9007199254740991);
CREATE DOMAIN ac_amount AS BIGINT
	CHECK (VALUE BETWEEN 1 AND 9007199254740991);
CREATE DOMAIN ac_currency AS TEXT CHECK (length(VALUE) = 3);
CREATE DOMAIN ac_outbox_kind AS TEXT CHECK (VALUE ~ '^[a-z0-9_]{1,32}$');
CREATE DOMAIN ac_outbox_status AS TEXT
	CHECK (VALUE IN ('pending', 'sending', 'sent', 'dead', 'failed'));
CREATE DOMAIN ac_ledger_kind AS TEXT CHECK (VALUE IN ('refund', 'charge'));
CREATE DOMAIN ac_report_dim AS TEXT
	CHECK (VALUE IN ('week', 'type', 'clause', 'staff', 'material',
		'kind'));
CREATE DOMAIN ac_duration_what AS TEXT
	CHECK (VALUE IN ('decision', 'refund'));
CREATE DOMAIN ac_bucket AS INT CHECK (VALUE BETWEEN 0 AND 13);
CREATE DOMAIN ac_claimant_by AS TEXT CHECK (VALUE IN ('email', 'address'));

CREATE TEMPORARY TABLE ac_0017_triggers ON COMMIT DROP AS
	SELECT t.tgrelid::regclass::text AS tbl, t.tgname,
		pg_get_triggerdef(t.oid) AS def
	FROM pg_trigger t
	WHERE NOT t.tgisinternal AND t.tgrelid IN ('cases'::regclass,
		'decisions'::regclass, 'outbox'::regclass, 'audit'::regclass,
		'ledger'::regclass, 'idempotency'::regclass,
		'case_counts'::regclass, 'case_seq'::regclass,
		'report_sums'::regclass, 'report_durations'::regclass,
		'report_claimants'::regclass);

DO $$
DECLARE
	r RECORD;
BEGIN
	FOR r IN SELECT tbl, tgname FROM ac_0017_triggers LOOP
		EXECUTE format('DROP TRIGGER %I ON %s', r.tgname, r.tbl);
	END LOOP;
END
$$;

ALTER TABLE cases
	DROP CONSTRAINT IF EXISTS cases_claim_type_check,
	DROP CONSTRAINT IF EXISTS cases_claim_json_check,
	DROP CONSTRAINT IF EXISTS cases_clause_check,
	DROP CONSTRAINT IF EXISTS cases_customer_check,
	DROP CONSTRAINT IF EXISTS cases_override_verdict_check,
	DROP CONSTRAINT IF EXISTS cases_verdict_check,
	DROP CONSTRAINT IF EXISTS cases_seq_check,
	ALTER COLUMN claim_type TYPE ac_claim_type,
	ALTER COLUMN claim_json TYPE ac_json,
	ALTER COLUMN clause TYPE ac_word,
	ALTER COLUMN customer TYPE ac_word,
	ALTER COLUMN override_verdict TYPE ac_verdict,
	ALTER COLUMN verdict TYPE ac_verdict,
	ALTER COLUMN seq TYPE ac_positive;

ALTER TABLE decisions
	DROP CONSTRAINT IF EXISTS decisions_verdict_check,
	DROP CONSTRAINT IF EXISTS decisions_refund_max_minor_check,
	DROP CONSTRAINT IF EXISTS decisions_charge_minor_check,
	DROP CONSTRAINT IF EXISTS decisions_policy_check,
	DROP CONSTRAINT IF EXISTS decisions_decision_json_check,
	DROP CONSTRAINT IF EXISTS decisions_facts_json_check,
	ALTER COLUMN verdict TYPE ac_verdict,
	ALTER COLUMN refund_max_minor TYPE ac_money,
	ALTER COLUMN charge_minor TYPE ac_money,
	ALTER COLUMN policy TYPE ac_word,
	ALTER COLUMN decision_json TYPE ac_json,
	ALTER COLUMN facts_json TYPE ac_json;

ALTER TABLE outbox
	DROP CONSTRAINT IF EXISTS outbox_kind_check,
	DROP CONSTRAINT IF EXISTS outbox_ref_check,
	DROP CONSTRAINT IF EXISTS outbox_dedupe_check,
	DROP CONSTRAINT IF EXISTS outbox_payload_json_check,
	DROP CONSTRAINT IF EXISTS outbox_status_check,
	DROP CONSTRAINT IF EXISTS outbox_attempts_check,
	ALTER COLUMN kind TYPE ac_outbox_kind,
	ALTER COLUMN ref TYPE ac_key,
	ALTER COLUMN dedupe TYPE ac_key,
	ALTER COLUMN payload_json TYPE ac_json,
	ALTER COLUMN status TYPE ac_outbox_status,
	ALTER COLUMN attempts TYPE ac_count;

ALTER TABLE audit
	DROP CONSTRAINT IF EXISTS audit_actor_check,
	DROP CONSTRAINT IF EXISTS audit_action_check,
	DROP CONSTRAINT IF EXISTS audit_entity_check,
	DROP CONSTRAINT IF EXISTS audit_before_json_check,
	DROP CONSTRAINT IF EXISTS audit_after_json_check,
	ALTER COLUMN actor TYPE ac_word,
	ALTER COLUMN action TYPE ac_word,
	ALTER COLUMN entity TYPE ac_word,
	ALTER COLUMN before_json TYPE ac_json,
	ALTER COLUMN after_json TYPE ac_json;

ALTER TABLE ledger
	DROP CONSTRAINT IF EXISTS ledger_kind_check,
	DROP CONSTRAINT IF EXISTS ledger_amount_minor_check,
	DROP CONSTRAINT IF EXISTS ledger_currency_check,
	DROP CONSTRAINT IF EXISTS ledger_actor_check,
	ALTER COLUMN kind TYPE ac_ledger_kind,
	ALTER COLUMN amount_minor TYPE ac_amount,
	ALTER COLUMN currency TYPE ac_currency,
	ALTER COLUMN actor TYPE ac_word;

ALTER TABLE idempotency
	DROP CONSTRAINT IF EXISTS idempotency_0003_key_check,
	DROP CONSTRAINT IF EXISTS idempotency_0003_refunded_total_minor_check,
	ALTER COLUMN key TYPE ac_key,
	ALTER COLUMN refunded_total_minor TYPE ac_count;

ALTER TABLE case_counts
	DROP CONSTRAINT IF EXISTS case_counts_open_check,
	DROP CONSTRAINT IF EXISTS case_counts_waiting_check,
	DROP CONSTRAINT IF EXISTS case_counts_decided_check,
	DROP CONSTRAINT IF EXISTS case_counts_resolved_check,
	DROP CONSTRAINT IF EXISTS case_counts_closed_check,
	ALTER COLUMN open TYPE ac_count,
	ALTER COLUMN waiting TYPE ac_count,
	ALTER COLUMN decided TYPE ac_count,
	ALTER COLUMN resolved TYPE ac_count,
	ALTER COLUMN closed TYPE ac_count;

ALTER TABLE case_seq
	DROP CONSTRAINT IF EXISTS case_seq_n_check,
	ALTER COLUMN n TYPE ac_count;

ALTER TABLE report_sums
	DROP CONSTRAINT IF EXISTS report_sums_dim_check,
	DROP CONSTRAINT IF EXISTS report_sums_currency_check,
	ALTER COLUMN dim TYPE ac_report_dim,
	ALTER COLUMN currency TYPE ac_currency;

ALTER TABLE report_durations
	DROP CONSTRAINT IF EXISTS report_durations_what_check,
	DROP CONSTRAINT IF EXISTS report_durations_bucket_check,
	ALTER COLUMN what TYPE ac_duration_what,
	ALTER COLUMN bucket TYPE ac_bucket;

ALTER TABLE report_claimants
	DROP CONSTRAINT IF EXISTS report_claimants_by_check,
	DROP CONSTRAINT IF EXISTS report_claimants_key_check,
	ALTER COLUMN by TYPE ac_claimant_by,
	ALTER COLUMN key TYPE ac_word;

DO $$
DECLARE
	r RECORD;
BEGIN
	FOR r IN SELECT def FROM ac_0017_triggers LOOP
		EXECUTE r.def;
	END LOOP;
END
$$;
