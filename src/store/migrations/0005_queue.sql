-- 0005_queue.sql: what the staff queue needs at a million cases (SQLite):
-- the deciding clause and the customer on the case row, each indexed for
-- the lists, the cases per status kept in a one-row table, and a case's
-- evidence oldest first. Applied to existing databases: the new columns
-- and the counts are filled from what is stored.

-- clause: the first clause of the current decision ("refund.3"), copied
-- from the decision by the trigger decisions_current below (NULL: not
-- decided, or a decision that names none).
-- customer: the order's customer e-mail without surrounding white space,
-- in ASCII lower case, copied when the case is stored (an order never
-- changes); NULL when the order has none.
-- Only the triggers below write either, never as ''. No CHECK: SQLite
-- would read every existing row to test one on ADD COLUMN (11 s a column
-- at a million cases), and the one UPDATE below writes each row once.
ALTER TABLE cases ADD COLUMN clause TEXT;
ALTER TABLE cases ADD COLUMN customer TEXT;

UPDATE cases SET (clause, customer) = (
	(SELECT nullif(json_extract(d.decision_json, '$.clauses[0]'), '')
	 FROM decisions d WHERE d.id = cases.decision_id),
	(SELECT nullif(lower(trim(o.customer_email,
		char(32, 9, 10, 13, 12, 11))), '')
	 FROM orders o WHERE o.id = cases.order_id));

DROP TRIGGER decisions_current;
CREATE TRIGGER decisions_current AFTER INSERT ON decisions
BEGIN
	UPDATE cases SET decision_id = NEW.id, verdict = NEW.verdict,
		deadline = NEW.deadline,
		clause = nullif(json_extract(NEW.decision_json,
			'$.clauses[0]'), '')
	WHERE id = NEW.case_id;
END;

CREATE TRIGGER cases_customer AFTER INSERT ON cases
BEGIN
	UPDATE cases SET customer = (
		SELECT nullif(lower(trim(o.customer_email,
			char(32, 9, 10, 13, 12, 11))), '')
		FROM orders o WHERE o.id = NEW.order_id)
	WHERE rowid = NEW.rowid;
END;

-- A list by clause (with a status, or without) or by customer seeks its
-- index in the order it pages in; the other filters are tested on the
-- rows of that one clause (status: in the index too) or customer.
CREATE INDEX cases_clause_seq ON cases (clause, seq)
	WHERE clause IS NOT NULL;
CREATE INDEX cases_clause_status_seq ON cases (clause, status, seq)
	WHERE clause IS NOT NULL;
CREATE INDEX cases_customer_seq ON cases (customer, seq)
	WHERE customer IS NOT NULL;

-- The cases per status, one row (id 1), kept by the triggers below in the
-- transaction of every case stored, moved or removed, so that the counts
-- cost one key look-up at any size and roll back with their writes.
CREATE TABLE case_counts (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	open INTEGER NOT NULL CHECK (open >= 0),
	waiting INTEGER NOT NULL CHECK (waiting >= 0),
	decided INTEGER NOT NULL CHECK (decided >= 0),
	resolved INTEGER NOT NULL CHECK (resolved >= 0),
	closed INTEGER NOT NULL CHECK (closed >= 0)
) STRICT;
INSERT INTO case_counts SELECT 1,
	count(*) FILTER (WHERE status = 'open'),
	count(*) FILTER (WHERE status = 'waiting'),
	count(*) FILTER (WHERE status = 'decided'),
	count(*) FILTER (WHERE status = 'resolved'),
	count(*) FILTER (WHERE status = 'closed')
	FROM cases;
CREATE TRIGGER case_counts_no_delete BEFORE DELETE ON case_counts
BEGIN
	SELECT RAISE(ABORT, 'case_counts keeps its row');
END;

CREATE TRIGGER cases_count_insert AFTER INSERT ON cases
BEGIN
	UPDATE case_counts SET
		open = open + (NEW.status = 'open'),
		waiting = waiting + (NEW.status = 'waiting'),
		decided = decided + (NEW.status = 'decided'),
		resolved = resolved + (NEW.status = 'resolved'),
		closed = closed + (NEW.status = 'closed')
	WHERE id = 1;
END;
CREATE TRIGGER cases_count_status AFTER UPDATE OF status ON cases
	WHEN OLD.status IS NOT NEW.status
BEGIN
	UPDATE case_counts SET
		open = open + (NEW.status = 'open') - (OLD.status = 'open'),
		waiting = waiting + (NEW.status = 'waiting')
			- (OLD.status = 'waiting'),
		decided = decided + (NEW.status = 'decided')
			- (OLD.status = 'decided'),
		resolved = resolved + (NEW.status = 'resolved')
			- (OLD.status = 'resolved'),
		closed = closed + (NEW.status = 'closed')
			- (OLD.status = 'closed')
	WHERE id = 1;
END;
CREATE TRIGGER cases_count_delete AFTER DELETE ON cases
BEGIN
	UPDATE case_counts SET
		open = open - (OLD.status = 'open'),
		waiting = waiting - (OLD.status = 'waiting'),
		decided = decided - (OLD.status = 'decided'),
		resolved = resolved - (OLD.status = 'resolved'),
		closed = closed - (OLD.status = 'closed')
	WHERE id = 1;
END;

-- A case's evidence, oldest first (then as stored).
CREATE INDEX evidence_case_created ON evidence (case_id, created_at);
