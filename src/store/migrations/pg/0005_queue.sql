-- 0005_queue.sql: what the staff queue needs at a million cases
-- (PostgreSQL), in step with ../0005_queue.sql: the deciding clause and the
-- customer on the case row, indexed; the cases per status in a one-row
-- table kept by triggers; a case's evidence oldest first (then as stored:
-- evidence.n, since PostgreSQL has no rowid).

ALTER TABLE cases ADD COLUMN clause TEXT CHECK (length(clause) > 0);
ALTER TABLE cases ADD COLUMN customer TEXT CHECK (length(customer) > 0);

-- ac_customer: an e-mail trimmed of white space, in ASCII lower case, NULL
-- when nothing is left (SQLite's lower() and trim() in 0005).
CREATE FUNCTION ac_customer(email TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
	SELECT nullif(translate(btrim(email, E' \t\n\r\f\x0B'),
		'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '')
$$;

-- ac_clause: the first of a decision's clauses, NULL when it has none.
CREATE FUNCTION ac_clause(decision TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
	SELECT nullif(CASE json_typeof(decision::json -> 'clauses')
		WHEN 'array' THEN decision::json -> 'clauses' ->> 0 END, '')
$$;

UPDATE cases SET clause = (SELECT ac_clause(d.decision_json)
	FROM decisions d WHERE d.id = cases.decision_id);
UPDATE cases SET customer = (SELECT ac_customer(o.customer_email)
	FROM orders o WHERE o.id = cases.order_id);

CREATE OR REPLACE FUNCTION decisions_current() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE cases SET decision_id = NEW.id, verdict = NEW.verdict,
		deadline = NEW.deadline,
		clause = ac_clause(NEW.decision_json)
	WHERE id = NEW.case_id;
	RETURN NULL;
END
$$;

CREATE FUNCTION cases_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.customer := (SELECT ac_customer(o.customer_email)
		FROM orders o WHERE o.id = NEW.order_id);
	RETURN NEW;
END
$$;
CREATE TRIGGER cases_customer BEFORE INSERT ON cases
	FOR EACH ROW EXECUTE FUNCTION cases_customer();

CREATE INDEX cases_clause_seq ON cases (clause, seq)
	WHERE clause IS NOT NULL;
CREATE INDEX cases_clause_status_seq ON cases (clause, status, seq)
	WHERE clause IS NOT NULL;
CREATE INDEX cases_customer_seq ON cases (customer, seq)
	WHERE customer IS NOT NULL;

CREATE TABLE case_counts (
	id BIGINT PRIMARY KEY CHECK (id = 1),
	open BIGINT NOT NULL CHECK (open >= 0),
	waiting BIGINT NOT NULL CHECK (waiting >= 0),
	decided BIGINT NOT NULL CHECK (decided >= 0),
	resolved BIGINT NOT NULL CHECK (resolved >= 0),
	closed BIGINT NOT NULL CHECK (closed >= 0)
);
INSERT INTO case_counts SELECT 1,
	count(*) FILTER (WHERE status = 'open'),
	count(*) FILTER (WHERE status = 'waiting'),
	count(*) FILTER (WHERE status = 'decided'),
	count(*) FILTER (WHERE status = 'resolved'),
	count(*) FILTER (WHERE status = 'closed')
	FROM cases;
CREATE TRIGGER case_counts_no_delete BEFORE DELETE ON case_counts
	FOR EACH ROW EXECUTE FUNCTION ac_refuse('case_counts keeps its row');

-- cases_count: one status leaves (old), one arrives (new); either may be
-- NULL.
CREATE FUNCTION cases_count(old_status TEXT, new_status TEXT) RETURNS void
LANGUAGE sql AS $$
	UPDATE case_counts SET
		open = open + (new_status IS NOT DISTINCT FROM 'open')::int
			- (old_status IS NOT DISTINCT FROM 'open')::int,
		waiting = waiting
			+ (new_status IS NOT DISTINCT FROM 'waiting')::int
			- (old_status IS NOT DISTINCT FROM 'waiting')::int,
		decided = decided
			+ (new_status IS NOT DISTINCT FROM 'decided')::int
			- (old_status IS NOT DISTINCT FROM 'decided')::int,
		resolved = resolved
			+ (new_status IS NOT DISTINCT FROM 'resolved')::int
			- (old_status IS NOT DISTINCT FROM 'resolved')::int,
		closed = closed
			+ (new_status IS NOT DISTINCT FROM 'closed')::int
			- (old_status IS NOT DISTINCT FROM 'closed')::int
	WHERE id = 1
$$;
CREATE FUNCTION cases_count_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM cases_count(NULL, NEW.status);
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM cases_count(OLD.status, NULL);
	ELSIF OLD.status IS DISTINCT FROM NEW.status THEN
		PERFORM cases_count(OLD.status, NEW.status);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER cases_count AFTER INSERT OR DELETE OR UPDATE OF status
	ON cases FOR EACH ROW EXECUTE FUNCTION cases_count_trigger();

ALTER TABLE evidence ADD COLUMN n BIGINT GENERATED ALWAYS AS IDENTITY;
CREATE INDEX evidence_case_created ON evidence (case_id, created_at, n);
