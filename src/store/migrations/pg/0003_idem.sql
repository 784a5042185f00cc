-- 0003_idem.sql: the idempotency record keeps the ledger entry and the
-- refunded total, no HTTP status or body (PostgreSQL), in step with
-- ../0003_idem.sql. No PostgreSQL database was written before this
-- migration by any released program (the backend came with 0005), so an
-- old record, should there be one, keeps neither: the desk answers its key
-- as a conflict, never as a new request, and nothing is paid twice.
CREATE TABLE idempotency_0003 (
	scope TEXT NOT NULL,
	key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
	request_hash TEXT NOT NULL,
	ledger_id BIGINT REFERENCES ledger (id),
	refunded_total_minor BIGINT CHECK (refunded_total_minor >= 0),
	created_at BIGINT NOT NULL,
	PRIMARY KEY (scope, key),
	CHECK ((ledger_id IS NULL) = (refunded_total_minor IS NULL))
);
INSERT INTO idempotency_0003 (scope, key, request_hash, created_at)
SELECT scope, key, request_hash, created_at FROM idempotency;
DROP TABLE idempotency;
ALTER TABLE idempotency_0003 RENAME TO idempotency;
ALTER INDEX idempotency_0003_pkey RENAME TO idempotency_pkey;
