-- 0008_outbox.sql: the outbox and what mail learns (SQLite). Times are
-- microseconds since the epoch.

-- What must leave the process (an e-mail, a refund instruction), written
-- in the transaction of the change that causes it and sent by workers.
-- kind names the handler ('mail', 'refund'); dedupe is unique, so the
-- same event never makes two rows. status: pending (waits for next_at),
-- sending (claimed by a worker until next_at, its lease; a lease run out
-- is claimed again), sent, dead (gave up: too many attempts or refused
-- for good), failed (delivered, and the other side said no for good).
-- attempts counts the claims; last_error is the latest failure's words.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32
		AND kind NOT GLOB '*[^a-z0-9_]*'),
	case_id TEXT REFERENCES cases (id),
	ref TEXT CHECK (length(ref) BETWEEN 1 AND 255),
	dedupe TEXT NOT NULL UNIQUE CHECK (length(dedupe) BETWEEN 1 AND 255),
	payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending',
		'sending', 'sent', 'dead', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_at INTEGER NOT NULL,
	last_error TEXT,
	created_at INTEGER NOT NULL,
	sent_at INTEGER,
	CHECK ((status = 'sent') = (sent_at IS NOT NULL))
) STRICT;
-- the work due, per kind, soonest first (a claim seeks it)
CREATE INDEX outbox_due ON outbox (kind, next_at)
	WHERE status IN ('pending', 'sending');
-- the dead letters (and any status) oldest first
CREATE INDEX outbox_status ON outbox (status, id);
-- a case's messages
CREATE INDEX outbox_case ON outbox (case_id, id) WHERE case_id IS NOT NULL;

-- An address the customer's mail server refused for good (a 5xx to
-- RCPT), recorded on the case: the latest refusal.
CREATE TABLE bounces (
	case_id TEXT NOT NULL PRIMARY KEY REFERENCES cases (id),
	address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 320),
	reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 1024),
	at INTEGER NOT NULL
) STRICT;
