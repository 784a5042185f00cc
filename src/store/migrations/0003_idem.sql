-- 0003_idem.sql: the idempotency record keeps what the desk needs to give a
-- refund's result again, and no HTTP status or body (SQLite).
-- ledger_id: the entry the request made; its currency is the entry's.
-- refunded_total_minor: the case's refunds with it. Both are NULL only in
-- a record kept before this migration whose body could not be read: the
-- desk answers such a key as a conflict, never as a new request.
CREATE TABLE idempotency_0003 (
	scope TEXT NOT NULL,
	key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	request_hash TEXT NOT NULL,
	ledger_id INTEGER REFERENCES ledger (id),
	refunded_total_minor INTEGER CHECK (refunded_total_minor >= 0),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (scope, key),
	CHECK ((ledger_id IS NULL) = (refunded_total_minor IS NULL))
) STRICT;

-- Existing records: a 2xx body (the answer of old, the desk's record since)
-- has the entry's id and the total; the id must be an entry's and the
-- total a whole number, or the record keeps neither.
INSERT INTO idempotency_0003 (scope, key, request_hash, ledger_id,
	refunded_total_minor, created_at)
SELECT i.scope, i.key, i.request_hash, l.id,
	CASE WHEN l.id IS NOT NULL THEN i.total END, i.created_at
FROM (SELECT scope, key, request_hash, created_at,
	CASE WHEN response_status BETWEEN 200 AND 299
		AND json_valid(response_body)
		AND json_type(response_body, '$.id') = 'integer'
		AND json_type(response_body, '$.refunded_total_minor')
			= 'integer'
		AND json_extract(response_body, '$.refunded_total_minor') >= 0
	THEN json_extract(response_body, '$.id') END AS lid,
	json_extract(response_body, '$.refunded_total_minor') AS total
	FROM idempotency) i
LEFT JOIN ledger l ON l.id = i.lid;

DROP TABLE idempotency;
ALTER TABLE idempotency_0003 RENAME TO idempotency;
