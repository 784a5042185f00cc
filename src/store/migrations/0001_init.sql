-- 0001_init.sql: the first schema of the aftercare store (SQLite).
-- Amounts are INTEGER minor units (0 .. 2^53 - 1); times are INTEGER
-- microseconds since the Unix epoch, UTC; enumerations are their wire names.
-- Applied once, in its own transaction, by src/store/sqlite.c, which records
-- it in schema_version. Never edit a released migration: add 0002_*.sql.

-- Orders: the facts of a sale, as the shop's system posted them. Never
-- changed once stored; the shipment lives in its own table.
CREATE TABLE orders (
	id TEXT NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 127),
	placed_at INTEGER NOT NULL,
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	shipping_minor INTEGER NOT NULL
		CHECK (shipping_minor BETWEEN 0 AND 9007199254740991),
	paid_minor INTEGER
		CHECK (paid_minor BETWEEN 0 AND 9007199254740991),
	addr_name TEXT NOT NULL,
	addr_line1 TEXT NOT NULL,
	addr_line2 TEXT NOT NULL,
	addr_city TEXT NOT NULL,
	addr_region TEXT NOT NULL,
	addr_postal_code TEXT NOT NULL,
	addr_country TEXT NOT NULL,
	customer_name TEXT NOT NULL,
	customer_email TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE items (
	order_id TEXT NOT NULL REFERENCES orders (id),
	line INTEGER NOT NULL,
	sku TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('ring', 'necklace', 'bracelet',
		'earrings', 'pendant', 'other')),
	style TEXT NOT NULL,
	shape TEXT NOT NULL,
	material TEXT NOT NULL,
	color TEXT NOT NULL,
	size_milli INTEGER CHECK (size_milli BETWEEN 0 AND 1000000),
	price_minor INTEGER NOT NULL
		CHECK (price_minor BETWEEN 0 AND 9007199254740991),
	certificate TEXT,
	PRIMARY KEY (order_id, line)
) STRICT;

-- At most one shipment per order; replaced as the courier's facts change.
CREATE TABLE shipments (
	order_id TEXT NOT NULL PRIMARY KEY REFERENCES orders (id),
	shipped_at INTEGER NOT NULL,
	addr_name TEXT NOT NULL,
	addr_line1 TEXT NOT NULL,
	addr_line2 TEXT NOT NULL,
	addr_city TEXT NOT NULL,
	addr_region TEXT NOT NULL,
	addr_postal_code TEXT NOT NULL,
	addr_country TEXT NOT NULL,
	delivered_at INTEGER,
	courier_finding TEXT NOT NULL DEFAULT 'none'
		CHECK (courier_finding IN ('none', 'investigating',
			'lost_confirmed', 'delivered_proven')),
	customs TEXT NOT NULL DEFAULT 'none'
		CHECK (customs IN ('none', 'held', 'cleared',
			'refused_by_customer')),
	updated_at INTEGER NOT NULL,
	CHECK (delivered_at IS NULL OR delivered_at >= shipped_at)
) STRICT;

CREATE TABLE tracking_events (
	id INTEGER PRIMARY KEY,
	order_id TEXT NOT NULL REFERENCES orders (id),
	at INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (length(kind) > 0),
	detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX tracking_events_order ON tracking_events (order_id, id);

-- Cases: one claim on one order. The claim is kept as the JSON the desk
-- wrote; its type and opening instant are copied out to filter on.
CREATE TABLE cases (
	id TEXT NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 127),
	order_id TEXT NOT NULL REFERENCES orders (id),
	status TEXT NOT NULL CHECK (status IN ('open', 'waiting', 'decided',
		'resolved', 'closed')),
	claim_type TEXT NOT NULL CHECK (claim_type IN ('cancel',
		'not_received', 'damaged', 'wrong_item', 'unwanted',
		'wrong_address', 'customs', 'repair')),
	opened_at INTEGER NOT NULL,
	claim_json TEXT NOT NULL CHECK (json_valid(claim_json)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	override_verdict TEXT CHECK (override_verdict IN ('full_refund',
		'partial_refund', 'no_refund', 'pending', 'free_repair',
		'paid_repair')),
	override_reason TEXT,
	override_author TEXT,
	overridden_at INTEGER,
	approved_by TEXT,
	approved_at INTEGER,
	-- an override is all four columns or none; an approval both or none
	CHECK ((override_verdict IS NULL) = (override_reason IS NULL)
		AND (override_verdict IS NULL) = (override_author IS NULL)
		AND (override_verdict IS NULL) = (overridden_at IS NULL)),
	CHECK ((approved_by IS NULL) = (approved_at IS NULL))
) STRICT;
CREATE INDEX cases_order ON cases (order_id, id);
CREATE INDEX cases_status ON cases (status, id);

-- Decisions: every decision ever made on a case, with the facts (the case
-- JSON) and the policy version it was made under, so it can be replayed.
-- The highest id per case is the current one. Append-only.
CREATE TABLE decisions (
	id INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	decided_at INTEGER NOT NULL,
	verdict TEXT NOT NULL CHECK (verdict IN ('full_refund',
		'partial_refund', 'no_refund', 'pending', 'free_repair',
		'paid_repair')),
	refund_max_minor INTEGER NOT NULL
		CHECK (refund_max_minor BETWEEN 0 AND 9007199254740991),
	charge_minor INTEGER NOT NULL
		CHECK (charge_minor BETWEEN 0 AND 9007199254740991),
	deadline INTEGER,
	policy TEXT NOT NULL CHECK (length(policy) > 0),
	decision_json TEXT NOT NULL CHECK (json_valid(decision_json)),
	facts_json TEXT NOT NULL CHECK (json_valid(facts_json))
) STRICT;
CREATE INDEX decisions_case ON decisions (case_id, id);
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN
	SELECT RAISE(ABORT, 'decisions are append-only');
END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN
	SELECT RAISE(ABORT, 'decisions are append-only');
END;

-- The ledger: every refund and charge, in the order's currency. Append-only:
-- a correction is a new entry. The entry's order and currency must be its
-- case's, so per-order sums cannot be fooled by a mislabelled entry.
CREATE TABLE ledger (
	id INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	order_id TEXT NOT NULL REFERENCES orders (id),
	kind TEXT NOT NULL CHECK (kind IN ('refund', 'charge')),
	amount_minor INTEGER NOT NULL
		CHECK (amount_minor BETWEEN 1 AND 9007199254740991),
	currency TEXT NOT NULL CHECK (length(currency) = 3),
	created_at INTEGER NOT NULL,
	actor TEXT NOT NULL CHECK (length(actor) > 0),
	idempotency_key TEXT
) STRICT;
CREATE INDEX ledger_case ON ledger (case_id);
CREATE INDEX ledger_order ON ledger (order_id);
CREATE TRIGGER ledger_matches_case BEFORE INSERT ON ledger
WHEN NEW.order_id IS NOT (SELECT order_id FROM cases WHERE id = NEW.case_id)
	OR NEW.currency IS NOT (SELECT currency FROM orders
		WHERE id = NEW.order_id)
BEGIN
	SELECT RAISE(ABORT, 'ledger entry does not match its case''s order');
END;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
	SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
	SELECT RAISE(ABORT, 'the ledger is append-only');
END;

-- Idempotency: the first response to each (scope, key), replayed when the
-- same request comes again. scope is whose key it is (token id and route).
CREATE TABLE idempotency (
	scope TEXT NOT NULL,
	key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	request_hash TEXT NOT NULL,
	response_status INTEGER NOT NULL
		CHECK (response_status BETWEEN 100 AND 599),
	response_body TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (scope, key)
) STRICT;

CREATE TABLE repair_quotes (
	id INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	amount_minor INTEGER NOT NULL
		CHECK (amount_minor BETWEEN 0 AND 9007199254740991),
	status TEXT NOT NULL CHECK (status IN ('quoted', 'accepted',
		'declined', 'expired', 'repaired', 'shipped_back')),
	expires_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX repair_quotes_case ON repair_quotes (case_id, id);

CREATE TABLE notes (
	id INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	author TEXT NOT NULL CHECK (length(author) > 0),
	body TEXT NOT NULL CHECK (length(body) > 0),
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX notes_case ON notes (case_id, id);

-- Evidence: named by the SHA-256 of its bytes, kept inline (data) or in a
-- file the desk manages (path), never both.
CREATE TABLE evidence (
	case_id TEXT NOT NULL REFERENCES cases (id),
	sha256 TEXT NOT NULL CHECK (length(sha256) = 64
		AND sha256 NOT GLOB '*[^0-9a-f]*'),
	content_type TEXT NOT NULL CHECK (length(content_type) > 0),
	size INTEGER NOT NULL CHECK (size >= 0),
	path TEXT,
	data BLOB,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (case_id, sha256),
	CHECK ((path IS NULL) <> (data IS NULL)),
	CHECK (data IS NULL OR length(data) = size)
) STRICT;

-- The audit log: who did what to which entity, with the entity as JSON
-- before and after. Append-only, whoever asks: the triggers refuse every
-- UPDATE and DELETE.
CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor TEXT NOT NULL CHECK (length(actor) > 0),
	action TEXT NOT NULL CHECK (length(action) > 0),
	entity TEXT NOT NULL CHECK (length(entity) > 0),
	entity_id TEXT NOT NULL,
	before_json TEXT CHECK (before_json IS NULL OR json_valid(before_json)),
	after_json TEXT CHECK (after_json IS NULL OR json_valid(after_json))
) STRICT;
CREATE INDEX audit_entity ON audit (entity, entity_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- API tokens: only a hash of each token is kept (lower-case hex).
CREATE TABLE tokens (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL CHECK (length(name) > 0),
	hash TEXT NOT NULL UNIQUE CHECK (length(hash) BETWEEN 32 AND 128
		AND hash NOT GLOB '*[^0-9a-f]*'),
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
) STRICT;
