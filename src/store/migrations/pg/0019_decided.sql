-- 0019_decided: a case opened with its decision fires three PL/pgSQL
-- triggers fewer.
--
-- 1. The case insert takes its decision's id from the decisions' identity
--    (nextval) when the case is stored with its decision
--    (store_case.has_decided), and the decision is then saved with that
--    id. The case is then as the decision leaves it (ac_current), and
--    decisions_current (0016_writes) is not called: its update of
--    decision_id took 0.107 ms a case in pg_stat_statements.
-- 2. The case insert gives the customer itself, as SQLite's does, so
--    cases_customer runs only for an insert that gives none (a copy of a
--    case without one).
-- 3. A pending case's first decision is counted in report_durations at
--    the commit, by report_fold(), with its status and due day (0018):
--    report_decisions leaves a pending case alone (ac_pending), as the
--    update triggers do. SQLite keeps its per-row triggers (its 0019 is a
--    no-op).

-- ac_current: whether the case already holds the decision as its current
-- one, with the verdict, deadline and clause the decision gives it.
CREATE FUNCTION ac_current(case_id TEXT, decision_id BIGINT, verdict TEXT,
	deadline BIGINT, decision_json TEXT) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM cases c WHERE c.id = case_id
		AND c.decision_id = ac_current.decision_id
		AND c.verdict IS NOT DISTINCT FROM ac_current.verdict
		AND c.deadline IS NOT DISTINCT FROM ac_current.deadline
		AND c.clause IS NOT DISTINCT FROM ac_clause(decision_json));
END
$$;

DROP TRIGGER decisions_current ON decisions;
CREATE TRIGGER decisions_current AFTER INSERT ON decisions FOR EACH ROW
	WHEN (NOT ac_current(NEW.case_id, NEW.id, NEW.verdict, NEW.deadline,
		NEW.decision_json))
	EXECUTE FUNCTION decisions_current();

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
