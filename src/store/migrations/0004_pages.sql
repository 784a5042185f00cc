-- 0004_pages.sql: what the pages need (SQLite): staff accounts, sessions
-- (staff and customer), failed order look-ups and the messages between a
-- customer and staff on a case. Times are microseconds since the epoch.

-- Staff accounts. password_hash is libsodium's crypto_pwhash_str string
-- (Argon2id: "$argon2id$v=19$m=...,t=...,p=...$salt$hash"), never the
-- password. failed_in_a_row counts wrong passwords since the last
-- success or lock; locked_until (NULL: not locked) ends a lock.
CREATE TABLE staff_users (
	name TEXT NOT NULL PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64
		AND name NOT GLOB '*[^a-z0-9._-]*'),
	role TEXT NOT NULL CHECK (role IN ('agent', 'manager')),
	password_hash TEXT NOT NULL
		CHECK (substr(password_hash, 1, 10) = '$argon2id$'),
	failed_in_a_row INTEGER NOT NULL DEFAULT 0
		CHECK (failed_in_a_row >= 0),
	locked_until INTEGER,
	created_at INTEGER NOT NULL
) STRICT;

-- Sessions: only the SHA-256 of the cookie's token is kept (lower-case
-- hex), with the session's own CSRF token. A staff session names its
-- account, a customer session its order (the only one it may see).
-- ended_at: signed out (NULL: not yet); a session is live while it is
-- not ended and expires_at is ahead.
CREATE TABLE sessions (
	hash TEXT NOT NULL PRIMARY KEY CHECK (length(hash) = 64
		AND hash NOT GLOB '*[^0-9a-f]*'),
	kind TEXT NOT NULL CHECK (kind IN ('staff', 'customer')),
	user_name TEXT REFERENCES staff_users (name),
	order_id TEXT REFERENCES orders (id),
	csrf TEXT NOT NULL CHECK (length(csrf) = 64
		AND csrf NOT GLOB '*[^0-9a-f]*'),
	tz_offset_min INTEGER NOT NULL DEFAULT 0
		CHECK (tz_offset_min BETWEEN -1439 AND 1439),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
	ended_at INTEGER,
	CHECK ((kind = 'staff') = (user_name IS NOT NULL)
		AND (kind = 'customer') = (order_id IS NOT NULL))
) STRICT;
-- expired sessions are purged by their expiry
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed order look-ups, counted per key ("ip:192.0.2.1",
-- "order:D-1001") in a fixed window from window_start.
CREATE TABLE lookup_failures (
	key TEXT NOT NULL PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 255),
	window_start INTEGER NOT NULL,
	count INTEGER NOT NULL CHECK (count >= 1)
) STRICT;
-- windows long past are purged by their start
CREATE INDEX lookup_failures_start ON lookup_failures (window_start);

-- Messages on a case, both ways: sender says which way, author who wrote
-- it ("customer:D-1001", "user:ana"). Append-only.
CREATE TABLE messages (
	id INTEGER PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES cases (id),
	sender TEXT NOT NULL CHECK (sender IN ('customer', 'staff')),
	author TEXT NOT NULL CHECK (length(author) > 0),
	body TEXT NOT NULL CHECK (length(CAST(body AS BLOB)) BETWEEN 1
		AND 8192),
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_case ON messages (case_id, id);
CREATE TRIGGER messages_no_update BEFORE UPDATE ON messages
BEGIN
	SELECT RAISE(ABORT, 'messages are append-only');
END;
CREATE TRIGGER messages_no_delete BEFORE DELETE ON messages
BEGIN
	SELECT RAISE(ABORT, 'messages are append-only');
END;
