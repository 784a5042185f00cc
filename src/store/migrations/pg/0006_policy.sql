-- 0006_policy: the policy's versions (issue 9), PostgreSQL's twin of
-- ../0006_policy.sql. Every policy the desk has decided under is kept,
-- its text byte for byte, named by its hash; exactly one is active.
CREATE TABLE policies (
	hash TEXT NOT NULL PRIMARY KEY CHECK (length(hash) = 71
		AND hash ~ '^sha256:[0-9a-f]{64}$'),
	body TEXT NOT NULL CHECK (octet_length(body) BETWEEN 1 AND 1048576),
	created_at BIGINT NOT NULL,
	activated_at BIGINT,
	activated_by TEXT,
	active BIGINT NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
	CHECK ((activated_at IS NULL) = (activated_by IS NULL)),
	CHECK (active = 0 OR activated_at IS NOT NULL)
);
-- at most one active, and finding it is one key look-up
CREATE UNIQUE INDEX policies_active ON policies (active) WHERE active = 1;
