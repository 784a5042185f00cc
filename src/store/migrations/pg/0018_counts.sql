-- 0018_counts: a case opened is counted in case_counts and report_due at
-- the commit too, by report_fold() (0015_fold), instead of by two
-- PL/pgSQL triggers a case (cases_count's UPDATE of the one case_counts
-- row and report_due's upsert: 0.07 ms each in pg_stat_statements, the
-- trigger calls besides). The fold adds the pending cases by status and
-- by due day, each in one statement, before it empties report_pending.
--
-- A pending case is not counted yet, so the update triggers leave it
-- alone: a change of its status or due day before the commit is counted
-- where it ends, as report_move does for the summaries (0015). A pending
-- case deleted is never counted. SQLite keeps its per-row triggers, which
-- cost little there (0018_counts.sql there is a no-op).

DROP TRIGGER cases_count ON cases;
CREATE OR REPLACE FUNCTION cases_count_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM report_pending p WHERE p.case_id =
		CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END) THEN
		RETURN NULL;            /* report_fold() counts it */
	END IF;
	IF TG_OP = 'DELETE' THEN
		PERFORM cases_count(OLD.status, NULL);
	ELSIF OLD.status IS DISTINCT FROM NEW.status THEN
		PERFORM cases_count(OLD.status, NEW.status);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER cases_count AFTER UPDATE OF status ON cases FOR EACH ROW
	WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION cases_count_trigger();
CREATE TRIGGER cases_count_delete AFTER DELETE ON cases FOR EACH ROW
	EXECUTE FUNCTION cases_count_trigger();

DROP TRIGGER report_due_insert ON cases;
CREATE OR REPLACE FUNCTION report_due_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM report_pending p
		WHERE p.case_id = NEW.id) THEN
		RETURN NULL;            /* report_fold() counts it */
	END IF;
	IF TG_OP = 'UPDATE' THEN
		IF OLD.due_at IS NOT DISTINCT FROM NEW.due_at THEN
			RETURN NULL;
		END IF;
		IF OLD.due_at IS NOT NULL THEN
			UPDATE report_due SET n = n - 1
			WHERE day = ac_day(OLD.due_at);
		END IF;
	END IF;
	IF NEW.due_at IS NOT NULL THEN
		INSERT INTO report_due (day, n) VALUES (ac_day(NEW.due_at), 1)
		ON CONFLICT (day) DO UPDATE SET n = report_due.n + 1;
	END IF;
	RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION report_fold() RETURNS void LANGUAGE plpgsql
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
	INSERT INTO report_sums (dim, week, key, currency, cases)
	SELECT g.dim, ac_week(c.opened_at), g.key, o.currency, count(*)
	FROM report_pending p
		CROSS JOIN LATERAL (SELECT * FROM cases x
			WHERE x.id = p.case_id LIMIT 1) c
		CROSS JOIN LATERAL (SELECT y.currency FROM orders y
			WHERE y.id = c.order_id LIMIT 1) o
		CROSS JOIN LATERAL report_groups(c::cases) g
	GROUP BY 1, 2, 3, 4
	ON CONFLICT (dim, week, key, currency) DO UPDATE SET
		cases = report_sums.cases + excluded.cases;
	INSERT INTO report_claimants (by, key, claims, not_received, damaged,
		last_at)
	SELECT t.by, t.key, count(*),
		count(*) FILTER (WHERE c.claim_type = 'not_received'),
		count(*) FILTER (WHERE c.claim_type = 'damaged'),
		max(c.opened_at)
	FROM report_pending p
		CROSS JOIN LATERAL (SELECT x.claim_type, x.opened_at,
				x.customer, o.addr_line1, o.addr_line2,
				o.addr_postal_code, o.addr_country
			FROM cases x JOIN orders o ON o.id = x.order_id
			WHERE x.id = p.case_id
				AND x.claim_type IN ('not_received', 'damaged')
			LIMIT 1) c
		CROSS JOIN LATERAL (VALUES ('email', c.customer),
			('address', ac_address(c.addr_line1, c.addr_line2,
				c.addr_postal_code, c.addr_country)))
			AS t (by, key)
	WHERE t.key IS NOT NULL
	GROUP BY t.by, t.key
	ON CONFLICT (by, key) DO UPDATE SET
		claims = report_claimants.claims + excluded.claims,
		not_received = report_claimants.not_received
			+ excluded.not_received,
		damaged = report_claimants.damaged + excluded.damaged,
		last_at = greatest(report_claimants.last_at,
			excluded.last_at);
	DELETE FROM report_pending;
END
$$;
