-- 0018_counts: a case opened is counted in case_counts and report_due at
-- the commit too, by report_fold() (0015_fold), instead of by two
-- PL/pgSQL triggers a case (cases_count's UPDATE of the one case_counts
-- row and report_due's upsert: 0.07 ms each in pg_stat_statements, the
-- trigger calls besides). The fold adds the pending cases by status and
-- by due day, each in one statement, and then folds the summaries as
-- before (report_fold_sums, the former report_fold, which empties
-- report_pending).
--
-- A pending case is not counted yet, so the update triggers leave it
-- alone (ac_pending in their WHEN): a change of its status or due day
-- before the commit is counted where it ends, as report_move does for the
-- summaries (0015). A pending case deleted is never counted. SQLite keeps
-- its per-row triggers, which cost little there (0018_counts.sql there
-- is a no-op).

CREATE FUNCTION ac_pending(id TEXT) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM report_pending p WHERE p.case_id = id);
END
$$;

DROP TRIGGER cases_count ON cases;
CREATE TRIGGER cases_count AFTER UPDATE OF status ON cases FOR EACH ROW
	WHEN (OLD.status IS DISTINCT FROM NEW.status AND NOT ac_pending(NEW.id))
	EXECUTE FUNCTION cases_count_trigger();
CREATE TRIGGER cases_count_delete AFTER DELETE ON cases FOR EACH ROW
	WHEN (NOT ac_pending(OLD.id))
	EXECUTE FUNCTION cases_count_trigger();

DROP TRIGGER report_due_insert ON cases;
DROP TRIGGER report_due ON cases;
CREATE TRIGGER report_due AFTER UPDATE OF status, deadline, response_due_at
	ON cases FOR EACH ROW
	WHEN (OLD.due_at IS DISTINCT FROM NEW.due_at AND NOT ac_pending(NEW.id))
	EXECUTE FUNCTION report_due_trigger();

ALTER FUNCTION report_fold() RENAME TO report_fold_sums;
CREATE FUNCTION report_fold() RETURNS void LANGUAGE plpgsql
SET jit = off AS $$
BEGIN
	UPDATE case_counts SET open = case_counts.open + s.open,
		waiting = case_counts.waiting + s.waiting,
		decided = case_counts.decided + s.decided,
		resolved = case_counts.resolved + s.resolved,
		closed = case_counts.closed + s.closed
	FROM (SELECT count(*) FILTER (WHERE c.status = 'open') AS open,
			count(*) FILTER (WHERE c.status = 'waiting') AS waiting,
			count(*) FILTER (WHERE c.status = 'decided') AS decided,
			count(*) FILTER (WHERE c.status = 'resolved')
				AS resolved,
			count(*) FILTER (WHERE c.status = 'closed') AS closed
		FROM report_pending p
			CROSS JOIN LATERAL (SELECT x.status FROM cases x
				WHERE x.id = p.case_id LIMIT 1) c) s
	WHERE case_counts.id = 1;
	INSERT INTO report_due (day, n)
	SELECT ac_day(c.due_at), count(*)
	FROM report_pending p
		CROSS JOIN LATERAL (SELECT x.due_at FROM cases x
			WHERE x.id = p.case_id LIMIT 1) c
	WHERE c.due_at IS NOT NULL
	GROUP BY 1
	ON CONFLICT (day) DO UPDATE SET n = report_due.n + excluded.n;
	PERFORM report_fold_sums();     -- and report_pending emptied
END
$$;
