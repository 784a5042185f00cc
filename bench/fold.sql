-- fold.sql: the cases a chunk of bench/big.sql opened, counted in the
-- report summaries as the store counts them before every commit
-- (src/store/sqlite.c, fold_pending; migration 0014_pending): the
-- generator writes with sqlite3, not through the store.
INSERT INTO report_sums (dim, week, key, currency, cases)
SELECT dim, week, key, currency, cases FROM report_pending_sums WHERE true
ON CONFLICT (dim, week, key, currency) DO UPDATE SET
	cases = cases + excluded.cases;
INSERT INTO report_claimants (by, key, claims, not_received, damaged,
	last_at)
SELECT by, key, claims, not_received, damaged, last_at
FROM report_pending_claimants WHERE true
ON CONFLICT (by, key) DO UPDATE SET claims = claims + excluded.claims,
	not_received = not_received + excluded.not_received,
	damaged = damaged + excluded.damaged,
	last_at = max(last_at, excluded.last_at);
DELETE FROM report_pending;
