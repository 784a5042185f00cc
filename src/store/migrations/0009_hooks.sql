-- 0009_hooks.sql: courier tracking webhooks (SQLite; issue 10.3): the
-- integrations and their secrets, every event id seen per integration,
-- and the parcels (carrier and tracking code) that name an order.
-- Times are microseconds since the epoch.

-- One integration: a provider (kind) and a name of the shop's choosing
-- (the last segment of its webhook URL). The secret is kept as given: an
-- HMAC signature can only be checked with the secret itself, so it
-- cannot be stored hashed as a token is. It is never shown again.
CREATE TABLE hooks (
	kind TEXT NOT NULL CHECK (kind IN ('aftership', 'easypost', 'stripe')),
	name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64
		AND name NOT GLOB '*[^a-z0-9._-]*'),
	secret TEXT NOT NULL CHECK (length(secret) BETWEEN 16 AND 256),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (kind, name)
) STRICT;

-- Every event an integration delivered, by the provider's own id: a
-- second delivery of the same id is a duplicate and changes nothing.
-- status: applied (its fact changed the shipment), stale (older than a
-- fact already applied: kept as history only), unmatched (no parcel with
-- that carrier and tracking code), ignored (a status aftercare does not
-- map). tracking_kind is the mapped kind ('' when none).
CREATE TABLE hook_events (
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	event_id TEXT NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
	received_at INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('applied', 'stale',
		'unmatched', 'ignored')),
	carrier TEXT NOT NULL,
	tracking_code TEXT NOT NULL,
	tracking_kind TEXT NOT NULL,
	at INTEGER NOT NULL,
	order_id TEXT REFERENCES orders (id),
	detail TEXT NOT NULL,
	PRIMARY KEY (kind, name, event_id),
	FOREIGN KEY (kind, name) REFERENCES hooks (kind, name)
) STRICT;
CREATE INDEX hook_events_unmatched ON hook_events (carrier, tracking_code)
	WHERE status = 'unmatched';
CREATE INDEX hook_events_status ON hook_events (status, received_at);

-- A parcel: the courier (lower-case letters and digits, "ups", "usps",
-- "royalmail") and its tracking code (upper case, no spaces) name one
-- order's shipment. A webhook finds its order here.
CREATE TABLE parcels (
	carrier TEXT NOT NULL CHECK (length(carrier) BETWEEN 1 AND 64
		AND carrier NOT GLOB '*[^a-z0-9]*'),
	tracking_code TEXT NOT NULL CHECK (length(tracking_code)
		BETWEEN 1 AND 128),
	order_id TEXT NOT NULL REFERENCES orders (id),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (carrier, tracking_code)
) STRICT;
CREATE INDEX parcels_order ON parcels (order_id);

-- Payment refunds (issue 10.4). The provider's payment an order was paid
-- with (Stripe's payment intent): a refund of the order is sent there.
CREATE TABLE order_payments (
	order_id TEXT NOT NULL PRIMARY KEY REFERENCES orders (id),
	payment_intent TEXT NOT NULL CHECK (length(payment_intent)
		BETWEEN 1 AND 255),
	updated_at INTEGER NOT NULL
) STRICT;

-- What the provider made of each ledger refund sent to it: pending until
-- it answers succeeded or failed (reason: its words). provider_id: its
-- refund's id ('' until known). A failed refund retried by staff is
-- pending again. outbox_id: its outbox row (0008), retried with it.
CREATE TABLE refund_payments (
	ledger_id INTEGER NOT NULL PRIMARY KEY REFERENCES ledger (id),
	case_id TEXT NOT NULL REFERENCES cases (id),
	status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded',
		'failed')),
	provider_id TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	outbox_id INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX refund_payments_case ON refund_payments (case_id, ledger_id);
