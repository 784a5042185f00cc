-- 0006_policy: the policy's versions (issue 9). Every policy the desk
-- has decided under is kept, its text byte for byte, named by its hash
-- ("sha256:" and the hex SHA-256 of the text, as decisions.policy names
-- it). Exactly one is active: the one the desk decides new cases and
-- re-decisions with. activated_at/activated_by: its latest activation
-- (NULL: never active); the audit log keeps every activation.
CREATE TABLE policies (
	hash TEXT NOT NULL PRIMARY KEY CHECK (length(hash) = 71
		AND substr(hash, 1, 7) = 'sha256:'
		AND substr(hash, 8) NOT GLOB '*[^0-9a-f]*'),
	body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 1048576),
	created_at INTEGER NOT NULL,
	activated_at INTEGER,
	activated_by TEXT,
	active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
	CHECK ((activated_at IS NULL) = (activated_by IS NULL)),
	CHECK (active = 0 OR activated_at IS NOT NULL)
) STRICT;
-- at most one active, and finding it is one key look-up
CREATE UNIQUE INDEX policies_active ON policies (active) WHERE active = 1;
