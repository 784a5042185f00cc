-- 0002_big.sql: queries that stay fast at a million cases (PostgreSQL), in
-- step with ../0002_big.sql: seq, the current decision on the case row,
-- due_at (a stored generated column here), one index per list filter.
-- PostgreSQL only: case_seq, the one-row counter seq is taken from. Its
-- row lock, held to the commit, numbers the cases of concurrent servers
-- one after another without a gap, in the order they commit.

ALTER TABLE cases ADD COLUMN seq BIGINT CHECK (seq > 0);
ALTER TABLE cases ADD COLUMN decision_id BIGINT;
ALTER TABLE cases ADD COLUMN verdict TEXT CHECK (verdict IN ('full_refund',
	'partial_refund', 'no_refund', 'pending', 'free_repair',
	'paid_repair'));
ALTER TABLE cases ADD COLUMN deadline BIGINT;
ALTER TABLE cases ADD COLUMN response_due_at BIGINT;
ALTER TABLE cases ADD COLUMN due_at BIGINT GENERATED ALWAYS AS (
	CASE WHEN status IN ('resolved', 'closed') THEN NULL
	WHEN deadline IS NULL THEN response_due_at
	WHEN response_due_at IS NULL THEN deadline
	ELSE least(deadline, response_due_at) END) STORED;

-- Existing cases: numbered in the order they were created.
UPDATE cases SET seq = n.rn, response_due_at = cases.created_at
	+ 172800000000
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS rn
	FROM cases) n
WHERE n.id = cases.id;
UPDATE cases SET decision_id = d.id, verdict = d.verdict,
	deadline = d.deadline
FROM (SELECT DISTINCT ON (case_id) case_id, id, verdict, deadline
	FROM decisions ORDER BY case_id, id DESC) d
WHERE d.case_id = cases.id;

CREATE TABLE case_seq (
	id BIGINT PRIMARY KEY CHECK (id = 1),
	n BIGINT NOT NULL CHECK (n >= 0)
);
INSERT INTO case_seq SELECT 1, coalesce(max(seq), 0) FROM cases;
-- A case stored with its own seq (a copy from another database, a test)
-- moves the counter past it, so the next one the store numbers follows.
CREATE FUNCTION case_seq_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE case_seq SET n = NEW.seq WHERE id = 1 AND n < NEW.seq;
	RETURN NULL;
END
$$;
CREATE TRIGGER case_seq_follow AFTER INSERT ON cases
	FOR EACH ROW EXECUTE FUNCTION case_seq_follow();

CREATE FUNCTION decisions_current() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE cases SET decision_id = NEW.id, verdict = NEW.verdict,
		deadline = NEW.deadline
	WHERE id = NEW.case_id;
	RETURN NULL;
END
$$;
CREATE TRIGGER decisions_current AFTER INSERT ON decisions
	FOR EACH ROW EXECUTE FUNCTION decisions_current();

DROP INDEX cases_order;
DROP INDEX cases_status;
CREATE UNIQUE INDEX cases_seq ON cases (seq);
CREATE INDEX cases_order_seq ON cases (order_id, seq);
CREATE INDEX cases_status_seq ON cases (status, seq);
CREATE INDEX cases_type_seq ON cases (claim_type, seq);
CREATE INDEX cases_deadline ON cases (deadline, seq)
	WHERE deadline IS NOT NULL;
CREATE INDEX cases_due ON cases (due_at, seq) WHERE due_at IS NOT NULL;

DROP INDEX audit_entity;
CREATE INDEX audit_entity_id ON audit (entity_id, id);
