-- 0002_big.sql: queries that stay fast at a million cases (SQLite).
-- Every list seeks an index in the order it pages in, so a page costs the
-- same at 1,000 cases and at 1,000,000. Applied to existing databases:
-- the new columns are filled from what is stored.

-- seq: the case's creation order, the order lists page in. Case ids are
-- text ("C-000123"), which sort wrongly past C-999999; seq does not.
ALTER TABLE cases ADD COLUMN seq INTEGER CHECK (seq > 0);
-- The current decision (the latest), copied here by the trigger
-- decisions_current below, so that no list looks for max(id) per case.
ALTER TABLE cases ADD COLUMN decision_id INTEGER;
ALTER TABLE cases ADD COLUMN verdict TEXT CHECK (verdict IN ('full_refund',
	'partial_refund', 'no_refund', 'pending', 'free_repair',
	'paid_repair'));
ALTER TABLE cases ADD COLUMN deadline INTEGER;
-- When the shop must have answered (opening + the policy's response time,
-- given by the desk when it stores the case); NULL: no such promise.
ALTER TABLE cases ADD COLUMN response_due_at INTEGER;
-- due_at: the earliest of the customer's deadline and the shop's
-- response due, for a case that is neither resolved nor closed (NULL
-- otherwise). Computed by SQLite from the row itself, so no write can
-- leave it stale; the partial index cases_due keeps the active ones.
ALTER TABLE cases ADD COLUMN due_at INTEGER GENERATED ALWAYS AS (
	CASE WHEN status IN ('resolved', 'closed') THEN NULL
	WHEN deadline IS NULL THEN response_due_at
	WHEN response_due_at IS NULL THEN deadline
	ELSE min(deadline, response_due_at) END) VIRTUAL;

-- Existing cases: rowid is their creation order (store-picked ids were
-- made from it). Their response due is the 48 hours every case had until
-- the response time became a number of the policy file.
UPDATE cases SET seq = rowid, response_due_at = created_at + 172800000000;
UPDATE cases SET (decision_id, verdict, deadline) = (
	SELECT d.id, d.verdict, d.deadline FROM decisions d
	WHERE d.case_id = cases.id ORDER BY d.id DESC LIMIT 1);

CREATE TRIGGER decisions_current AFTER INSERT ON decisions
BEGIN
	UPDATE cases SET decision_id = NEW.id, verdict = NEW.verdict,
		deadline = NEW.deadline
	WHERE id = NEW.case_id;
END;

-- One index per list filter, each ending in seq (the keyset).
DROP INDEX cases_order;
DROP INDEX cases_status;
CREATE UNIQUE INDEX cases_seq ON cases (seq);
CREATE INDEX cases_order_seq ON cases (order_id, seq);
CREATE INDEX cases_status_seq ON cases (status, seq);
CREATE INDEX cases_type_seq ON cases (claim_type, seq);
CREATE INDEX cases_deadline ON cases (deadline, seq)
	WHERE deadline IS NOT NULL;
CREATE INDEX cases_due ON cases (due_at, seq) WHERE due_at IS NOT NULL;

-- The audit log by entity id (with or without the entity), oldest first.
DROP INDEX audit_entity;
CREATE INDEX audit_entity_id ON audit (entity_id, id);
