-- 0009_hooks.sql: courier tracking webhooks (PostgreSQL), in step with
-- ../0009_hooks.sql: integrations and their secrets (kept as given: an
-- HMAC needs the secret itself), event ids seen per integration, parcels.

CREATE TABLE hooks (
	kind TEXT NOT NULL CHECK (kind IN ('aftership', 'easypost', 'stripe')),
	name TEXT NOT NULL CHECK (name ~ '^[a-z0-9._-]{1,64}$'),
	secret TEXT NOT NULL CHECK (length(secret) BETWEEN 16 AND 256),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (kind, name)
);

CREATE TABLE hook_events (
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	event_id TEXT NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
	received_at BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('applied', 'stale',
		'unmatched', 'ignored')),
	carrier TEXT NOT NULL,
	tracking_code TEXT NOT NULL,
	tracking_kind TEXT NOT NULL,
	at BIGINT NOT NULL,
	order_id TEXT REFERENCES orders (id),
	detail TEXT NOT NULL,
	PRIMARY KEY (kind, name, event_id),
	FOREIGN KEY (kind, name) REFERENCES hooks (kind, name)
);
CREATE INDEX hook_events_unmatched ON hook_events (carrier, tracking_code)
	WHERE status = 'unmatched';
CREATE INDEX hook_events_status ON hook_events (status, received_at);

CREATE TABLE parcels (
	carrier TEXT NOT NULL CHECK (carrier ~ '^[a-z0-9]{1,64}$'),
	tracking_code TEXT NOT NULL CHECK (length(tracking_code)
		BETWEEN 1 AND 128),
	order_id TEXT NOT NULL REFERENCES orders (id),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (carrier, tracking_code)
);
CREATE INDEX parcels_order ON parcels (order_id);

CREATE TABLE order_payments (
	order_id TEXT NOT NULL PRIMARY KEY REFERENCES orders (id),
	payment_intent TEXT NOT NULL CHECK (length(payment_intent)
		BETWEEN 1 AND 255),
	updated_at BIGINT NOT NULL
);

CREATE TABLE refund_payments (
	ledger_id BIGINT NOT NULL PRIMARY KEY REFERENCES ledger (id),
	case_id TEXT NOT NULL REFERENCES cases (id),
	status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded',
		'failed')),
	provider_id TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	outbox_id BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX refund_payments_case ON refund_payments (case_id, ledger_id);
