-- 0019_decided: a case opened with its decision fires two PL/pgSQL
-- triggers fewer, and a third one writes nothing.
--
-- 1. The case insert takes its decision's id from the decisions' identity
--    (nextval) when the case is stored with its decision
--    (store_case.has_decided), and the decision is then saved with that
--    id. decisions_current finds the case as the decision would leave it
--    and writes nothing: the update of decision_id took 0.107 ms a case
--    in pg_stat_statements. Otherwise as before (0016_writes).
-- 2. The case insert gives the customer itself, as SQLite's does, so
--    cases_customer runs only for an insert that gives none (a copy of a
--    case without one).
-- 3. A pending case's first decision is counted in report_durations at
--    the commit, by report_fold(), with its status and due day (0018):
--    report_decisions leaves a pending case alone (ac_pending), as the
--    update triggers do. SQLite keeps its per-row triggers (its 0019 is a
--    no-op).

CREATE OR REPLACE FUNCTION decisions_current() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	cl TEXT := ac_clause(NEW.decision_json);
BEGIN
	PERFORM 1 FROM cases WHERE id = NEW.case_id AND decision_id = NEW.id
		AND verdict IS NOT DISTINCT FROM NEW.verdict
		AND deadline IS NOT DISTINCT FROM NEW.deadline
		AND clause IS NOT DISTINCT FROM cl;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE cases SET decision_id = NEW.id
	WHERE id = NEW.case_id AND verdict IS NOT DISTINCT FROM NEW.verdict
		AND deadline IS NOT DISTINCT FROM NEW.deadline
		AND clause IS NOT DISTINCT FROM cl;
	IF NOT FOUND THEN
		UPDATE cases SET decision_id = NEW.id, verdict = NEW.verdict,
			deadline = NEW.deadline, clause = cl
		WHERE id = NEW.case_id;
	END IF;
	RETURN NULL;
END
$$;

DROP TRIGGER cases_customer ON cases;
CREATE TRIGGER cases_customer BEFORE INSERT ON cases FOR EACH ROW
	WHEN (NEW.customer IS NULL) EXECUTE FUNCTION cases_customer();

DROP TRIGGER report_decisions ON decisions;
CREATE TRIGGER report_decisions AFTER INSERT ON decisions FOR EACH ROW
	WHEN (NEW.verdict <> 'pending' AND NOT ac_pending(NEW.case_id))
	EXECUTE FUNCTION report_decisions_trigger();

ALTER FUNCTION report_fold() RENAME TO report_fold_counts;
CREATE FUNCTION report_fold() RETURNS void LANGUAGE plpgsql
SET jit = off AS $$
BEGIN
	INSERT INTO report_durations (what, week, bucket, n)
	SELECT 'decision', ac_week(c.opened_at),
		ac_wait_bucket(d.decided_at - c.opened_at), count(*)
	FROM report_pending p
		CROSS JOIN LATERAL (SELECT x.opened_at FROM cases x
			WHERE x.id = p.case_id LIMIT 1) c
		CROSS JOIN LATERAL (SELECT y.decided_at FROM decisions y
			WHERE y.case_id = p.case_id AND y.verdict <> 'pending'
			ORDER BY y.id LIMIT 1) d
	GROUP BY 2, 3
	ON CONFLICT (what, week, bucket) DO UPDATE SET
		n = report_durations.n + excluded.n;
	PERFORM report_fold_counts();   -- and report_pending emptied
END
$$;
