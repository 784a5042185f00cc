/* sqlite.c: the SQLite backend of the store (store layer).
 * One connection per handle, in WAL mode with synchronous=FULL, foreign
 * keys on and a busy timeout; migrations (migrations.S) applied at open;
 * every statement prepared once, cached on the handle and run with bound
 * parameters. A handle is for one thread at a time: open one per worker. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "../core/case.h"
#include "../core/item.h"
#include "../core/money.h"
#include "sqlite_vfs.h"
#include "store.h"

/* How long a writer waits for another before giving up (AC_EIO). */
#define BUSY_TIMEOUT_MS 5000

/* Reading a large file. Each connection (one per reading thread) has a
 * page cache of its own; at a million cases the file is gigabytes, and the
 * default 2 MB cache holds little more than the indexes' top levels, so
 * each request would copy its pages in again through read(). Mapping the
 * file instead lets every connection read the pages the kernel already
 * holds, shared once by all threads and without a copy; SQLite caps the
 * mapping (2 GB in Debian's build) and reads the rest, and pages still in
 * the WAL, through the cache (sized in KiB, hence negative). The mapping
 * costs address space, not memory; the cache is memory of the process's
 * own, filled by the pages the writer changes: 64 MiB of it took the
 * server to 77-82 MiB after 20,000 cases opened (issue 2's limit is 64),
 * and 8 MiB was as fast at a million cases (bench/big.sh, both sizes in
 * turn: reads and cases opened within the runs' noise). */
#define MMAP_SIZE "17179869184"         /* 16 GiB, SQLite caps it */
#define CACHE_SIZE "-8192"              /* 8 MiB per connection at most */
/* A request's savepoint keeps, in the statement journal, each page it is
 * about to change (~27 pages, ~110 KiB, a case opened). Kept in memory
 * (temp_store MEMORY) the journal grows by 1 KiB blocks, each allocated
 * and freed again at the release: 15 % of a case's instructions, and no
 * bound on the memory a large request takes. With temp_store FILE it is
 * one block of this size, in memory too, and a file only past it (an
 * import of many orders in one savepoint). Once a journal has gone to its
 * file, the rest of the transaction's requests write theirs there too:
 * at 120 KiB a case opened now and then outgrew the block, and cases
 * opened a second fell from 6,600 to 3,700 (bench/serve.sh's row). A
 * block of 128 KiB or more needs the store's VFS (sqlite_vfs.c), which
 * moves it to the file in pieces. Temporary b-trees (sorts, the fold's
 * groups) stay in the page cache and reach a file only as they outgrow
 * it. */
#define STMT_JOURNAL_SPILL (1024 * 1024)

/* ---- migrations ------------------------------------------------------- */

extern const char ac_migration_0001[];
extern const char ac_migration_0001_end[];
extern const char ac_migration_0002[];
extern const char ac_migration_0002_end[];
extern const char ac_migration_0003[];
extern const char ac_migration_0003_end[];
extern const char ac_migration_0004[];
extern const char ac_migration_0004_end[];
extern const char ac_migration_0005[];
extern const char ac_migration_0005_end[];
extern const char ac_migration_0006[];
extern const char ac_migration_0006_end[];
extern const char ac_migration_0007[];
extern const char ac_migration_0007_end[];
extern const char ac_migration_0008[];
extern const char ac_migration_0008_end[];
extern const char ac_migration_0009[];
extern const char ac_migration_0009_end[];
extern const char ac_migration_0010[];
extern const char ac_migration_0011[];
extern const char ac_migration_0010_end[];
extern const char ac_migration_0011_end[];
extern const char ac_migration_0012[];
extern const char ac_migration_0012_end[];
extern const char ac_migration_0013[];
extern const char ac_migration_0013_end[];
extern const char ac_migration_0014[];
extern const char ac_migration_0014_end[];
extern const char ac_migration_0015[];
extern const char ac_migration_0015_end[];
extern const char ac_migration_0016[];
extern const char ac_migration_0016_end[];
extern const char ac_migration_0017[];
extern const char ac_migration_0017_end[];
extern const char ac_migration_0018[];
extern const char ac_migration_0018_end[];
extern const char ac_migration_0019[];
extern const char ac_migration_0019_end[];
extern const char ac_migration_0020[];
extern const char ac_migration_0020_end[];

/* Append new migrations here, in order, with their symbols in
 * migrations.S. A released migration never changes. */
static const struct migration {
	int version;
	const char *name;
	const char *sql;                  /* NUL-terminated (see .S) */
} migrations[] = {
	{ 1, "0001_init", ac_migration_0001 },
	{ 2, "0002_big", ac_migration_0002 },
	{ 3, "0003_idem", ac_migration_0003 },
	{ 4, "0004_pages", ac_migration_0004 },
	{ 5, "0005_queue", ac_migration_0005 },
	{ 6, "0006_policy", ac_migration_0006 },
	{ 7, "0007_reports", ac_migration_0007 },
	{ 8, "0008_outbox", ac_migration_0008 },
	{ 9, "0009_hooks", ac_migration_0009 },
	{ 10, "0010_import", ac_migration_0010 },
	{ 11, "0011_plpgsql", ac_migration_0011 },
	{ 12, "0012_checks", ac_migration_0012 },
	{ 13, "0013_open", ac_migration_0013 },
	{ 14, "0014_pending", ac_migration_0014 },
	{ 15, "0015_fold", ac_migration_0015 },
	{ 16, "0016_writes", ac_migration_0016 },
	{ 17, "0017_domains", ac_migration_0017 },
	{ 18, "0018_counts", ac_migration_0018 },
	{ 19, "0019_decided", ac_migration_0019 },
	{ 20, "0020_plans", ac_migration_0020 },
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* ---- the statements --------------------------------------------------- */

enum st {
	ST_BEGIN, ST_BEGIN_READ, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO, ST_SP_BEGIN, ST_SP_RELEASE, ST_SP_ROLLBACK,
	ST_HEALTH, ST_VERSION, ST_VERSION_ADD,
	ST_PENDING_ANY, ST_FOLD_SUMS, ST_FOLD_CLAIMANTS, ST_FOLD_CLEAR,
	ST_ORDER_PUT, ST_ITEM_PUT, ST_SHIPMENT_PUT, ST_ORDER_GET, ST_ITEMS_GET,
	ST_SHIPMENT_GET, ST_TRACKING_ADD, ST_TRACKING_LIST,
	ST_CASE_PUT, ST_CASE_ID, ST_CASE_GET, ST_CASE_VIEW, ST_CASE_STATUS,
	ST_CASE_OVERRIDE,
	ST_CASE_APPROVAL, ST_CASE_CURSOR, ST_DUE_LIST,
	ST_DECISION_SAVE, ST_DECISION_GET,
	ST_LEDGER_ADD, ST_LEDGER_SUM_CASE, ST_LEDGER_SUM_ORDER,
	ST_IDEM_GET, ST_IDEM_PUT,
	ST_QUOTE_PUT, ST_QUOTE_UPDATE, ST_QUOTE_GET, ST_QUOTE_GET_CASE,
	ST_NOTE_ADD, ST_NOTES_LIST, ST_EVIDENCE_PUT, ST_EVIDENCE_GET,
	ST_AUDIT_ADD, ST_AUDIT_LIST, ST_AUDIT_LIST_ENTITY, ST_AUDIT_LIST_ID,
	ST_AUDIT_LIST_BOTH,
	ST_TOKEN_PUT, ST_TOKEN_FIND, ST_TOKEN_REVOKE, ST_TOKEN_GET,
	ST_TOKEN_REVOKE_NAME,
	ST_USER_PUT, ST_USER_GET, ST_USER_LIST, ST_USER_LOGIN,
	ST_SESSION_PUT, ST_SESSION_GET, ST_SESSION_END, ST_SESSION_PURGE,
	ST_LOOKUP_GET, ST_LOOKUP_ADD, ST_LOOKUP_PURGE,
	ST_MESSAGE_ADD, ST_MESSAGES_LIST,
	ST_EVIDENCE_LIST, ST_CASE_COUNTS,
	/* policy versions (issue 9) */
	ST_POLICY_PUT, ST_POLICY_GET, ST_POLICY_ACTIVE, ST_POLICY_DEACTIVATE,
	ST_POLICY_ACTIVATE, ST_POLICY_LIST,
	/* webhooks (issue 10.3) */
	ST_HOOK_PUT, ST_HOOK_GET, ST_HOOK_LIST, ST_HOOK_EVENT_PUT,
	ST_PARCEL_PUT, ST_PARCEL_FIND, ST_UNMATCHED_LIST, ST_HOOK_EVENT_MATCH,
	ST_HOOK_EVENTS_LIST,
	/* payment refunds (issue 10.4) */
	ST_PAYINTENT_PUT, ST_PAYINTENT_GET, ST_REFUNDPAY_PUT, ST_REFUNDPAY_GET,
	ST_REFUNDPAY_SET, ST_REFUNDPAY_LIST,
	/* reports (issue 9.3) */
	ST_REPORT_WEEKS, ST_REPORT_GROUPS, ST_REPORT_DURATIONS,
	ST_REPORT_CLAIMANTS, ST_REPORT_CLAIMANTS_N, ST_DUE_COUNT,
	/* the outbox (issue 10): statements in its own block below */
	ST_OUTBOX_ADD, ST_OUTBOX_DUE, ST_OUTBOX_CLAIM, ST_OUTBOX_FINISH,
	ST_OUTBOX_RETRY, ST_OUTBOX_GET, ST_OUTBOX_LIST_STATUS,
	ST_OUTBOX_LIST_CASE, ST_OUTBOX_DEPTH, ST_BOUNCE_PUT, ST_BOUNCE_GET,
	ST_COUNT
};

#define ADDR_COLS "addr_name, addr_line1, addr_line2, addr_city, " \
	"addr_region, addr_postal_code, addr_country"
#define CASE_COLS "id, order_id, status, claim_type, opened_at, " \
	"claim_json, created_at, updated_at, override_verdict, " \
	"override_reason, override_author, overridden_at, approved_by, " \
	"approved_at"
#define DECISION_COLS "id, case_id, decided_at, verdict, " \
	"refund_max_minor, charge_minor, deadline, policy, decision_json, " \
	"facts_json"
#define QUOTE_COLS "id, case_id, amount_minor, status, expires_at, " \
	"created_at, updated_at"
/* A line of a case list: the case row holds its current decision's
 * verdict and deadline (0002_big.sql), so a list reads nothing else. */
#define CASE_ROW_COLS "id, order_id, status, claim_type, opened_at, " \
	"created_at, updated_at, verdict, deadline, decision_id, seq, " \
	"response_due_at, due_at, clause, customer"
/* An audit list: ?1 the cursor, ?2 the entity, ?3 its id, ?4 the limit.
 * Each filter combination is its own statement, so each seeks its index
 * (a "?2 IS NULL OR" would stop SQLite from seeking). */
#define AUDIT_LIST(where) \
	"SELECT id, at, actor, action, entity, entity_id, before_json, " \
	"after_json FROM audit WHERE " where " AND id > ?1 " \
	"ORDER BY id LIMIT ?4"

static const char *const sql_text[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_BEGIN_READ] = "BEGIN DEFERRED",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT store_op",
	[ST_RELEASE] = "RELEASE store_op",
	[ST_ROLLBACK_TO] = "ROLLBACK TO store_op",
	[ST_SP_BEGIN] = "SAVEPOINT caller_op",
	[ST_SP_RELEASE] = "RELEASE caller_op",
	[ST_SP_ROLLBACK] = "ROLLBACK TO caller_op",
	[ST_HEALTH] = "SELECT 1",
	[ST_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_version",
	[ST_VERSION_ADD] =
		"INSERT INTO schema_version (version, name, applied_at) "
		"VALUES (?1, ?2, CAST((julianday('now') - 2440587.5) "
		"* 86400000000.0 AS INTEGER))",
	/* the cases opened in this transaction, counted in the report
	 * summaries before it commits (0014_pending) */
	[ST_PENDING_ANY] = "SELECT EXISTS (SELECT 1 FROM report_pending)",
	[ST_FOLD_SUMS] =
		"INSERT INTO report_sums (dim, week, key, currency, cases) "
		"SELECT dim, week, key, currency, cases "
		"FROM report_pending_sums WHERE true "
		"ON CONFLICT (dim, week, key, currency) DO UPDATE SET "
		"cases = cases + excluded.cases",
	[ST_FOLD_CLAIMANTS] =
		"INSERT INTO report_claimants (by, key, claims, not_received, "
		"damaged, last_at) "
		"SELECT by, key, claims, not_received, damaged, last_at "
		"FROM report_pending_claimants WHERE true "
		"ON CONFLICT (by, key) DO UPDATE SET "
		"claims = claims + excluded.claims, "
		"not_received = not_received + excluded.not_received, "
		"damaged = damaged + excluded.damaged, "
		"last_at = max(last_at, excluded.last_at)",
	[ST_FOLD_CLEAR] = "DELETE FROM report_pending",

	[ST_ORDER_PUT] =
		"INSERT INTO orders (id, placed_at, currency, shipping_minor, "
		"paid_minor, " ADDR_COLS ", customer_name, customer_email, "
		"created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
		"?11, ?12, ?13, ?14, ?15)",
	[ST_ITEM_PUT] =
		"INSERT INTO items (order_id, line, sku, kind, style, shape, "
		"material, color, size_milli, price_minor, certificate) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_SHIPMENT_PUT] =
		"INSERT INTO shipments (order_id, shipped_at, " ADDR_COLS
		", delivered_at, courier_finding, customs, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
		"?13) ON CONFLICT (order_id) DO UPDATE SET "
		"shipped_at = excluded.shipped_at, "
		"addr_name = excluded.addr_name, "
		"addr_line1 = excluded.addr_line1, "
		"addr_line2 = excluded.addr_line2, "
		"addr_city = excluded.addr_city, "
		"addr_region = excluded.addr_region, "
		"addr_postal_code = excluded.addr_postal_code, "
		"addr_country = excluded.addr_country, "
		"delivered_at = excluded.delivered_at, "
		"courier_finding = excluded.courier_finding, "
		"customs = excluded.customs, updated_at = excluded.updated_at",
	[ST_ORDER_GET] =
		"SELECT id, placed_at, currency, shipping_minor, paid_minor, "
		ADDR_COLS ", customer_name, customer_email, created_at "
		"FROM orders WHERE id = ?1",
	[ST_ITEMS_GET] =
		"SELECT line, sku, kind, style, shape, material, color, "
		"size_milli, price_minor, certificate FROM items "
		"WHERE order_id = ?1 ORDER BY line",
	[ST_SHIPMENT_GET] =
		"SELECT shipped_at, " ADDR_COLS ", delivered_at, "
		"courier_finding, customs, updated_at FROM shipments "
		"WHERE order_id = ?1",
	[ST_TRACKING_ADD] =
		"INSERT INTO tracking_events (order_id, at, kind, detail) "
		"VALUES (?1, ?2, ?3, ?4)",
	[ST_TRACKING_LIST] =
		"SELECT id, order_id, at, kind, detail FROM tracking_events "
		"WHERE order_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",

	/* seq numbers the cases from 1; a store-picked id is made of it */
	[ST_CASE_PUT] =
		"WITH n (seq) AS (SELECT coalesce(max(seq), 0) + 1 "
		"FROM cases) "
		"INSERT INTO cases (seq, " CASE_COLS ", response_due_at, "
		"verdict, clause, deadline, customer) "
		"SELECT n.seq, coalesce(?1, printf('C-%06d', n.seq)), ?2, "
		"?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
		"?16, ?17, ?18, (SELECT nullif(lower(trim(customer_email, "
		"char(32, 9, 10, 13, 12, 11))), '') FROM orders "
		"WHERE id = ?2) "
		"FROM n",
	/* the id of the row put (no RETURNING: SQLite gathers a
	 * RETURNING statement's rows in a temporary b-tree) */
	[ST_CASE_ID] = "SELECT id FROM cases WHERE rowid = ?1",
	[ST_CASE_GET] = "SELECT " CASE_COLS ", response_due_at "
		"FROM cases WHERE id = ?1",
	/* the case (columns 0-14 as ST_CASE_GET), its kept current
	 * decision (15-16), its ledger sums (17-19) and its latest quote
	 * (20-25, NULL: none): key look-ups only, and scalar subqueries
	 * for the sums (a subquery in FROM would be materialized into a
	 * temporary table on every read) */
	[ST_CASE_VIEW] =
		"SELECT c.id, c.order_id, c.status, c.claim_type, "
		"c.opened_at, c.claim_json, c.created_at, c.updated_at, "
		"c.override_verdict, c.override_reason, c.override_author, "
		"c.overridden_at, c.approved_by, c.approved_at, "
		"c.response_due_at, d.decided_at, d.decision_json, "
		"(SELECT coalesce(sum(amount_minor), 0) FROM ledger "
		"WHERE case_id = ?1 AND kind = 'refund'), "
		"(SELECT coalesce(sum(amount_minor), 0) FROM ledger "
		"WHERE case_id = ?1 AND kind = 'charge'), "
		"(SELECT count(*) FROM ledger WHERE case_id = ?1), "
		"q.id, q.amount_minor, q.status, q.expires_at, q.created_at, "
		"q.updated_at "
		"FROM cases c "
		"LEFT JOIN decisions d ON d.id = c.decision_id "
		"LEFT JOIN repair_quotes q ON q.id = (SELECT max(id) "
		"FROM repair_quotes WHERE case_id = ?1) "
		"WHERE c.id = ?1",
	[ST_CASE_STATUS] =
		"UPDATE cases SET status = ?2, updated_at = ?3 WHERE id = ?1",
	[ST_CASE_OVERRIDE] =
		"UPDATE cases SET override_verdict = ?2, override_reason = ?3, "
		"override_author = ?4, overridden_at = ?5, updated_at = ?5 "
		"WHERE id = ?1",
	[ST_CASE_APPROVAL] =
		"UPDATE cases SET approved_by = ?2, approved_at = ?3, "
		"updated_at = ?3 WHERE id = ?1",
	[ST_CASE_CURSOR] = "SELECT seq, deadline FROM cases WHERE id = ?1",
	/* ?1 the horizon, (?2, ?3) the keyset cursor (due_at, seq) */
	[ST_DUE_LIST] =
		"SELECT " CASE_ROW_COLS " FROM cases WHERE due_at <= ?1 "
		"AND (due_at, seq) > (?2, ?3) ORDER BY due_at, seq LIMIT ?4",

	[ST_DECISION_SAVE] =
		"INSERT INTO decisions (case_id, decided_at, verdict, "
		"refund_max_minor, charge_minor, deadline, policy, "
		"decision_json, facts_json) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	/* by the case's decision_id: two key look-ups, whatever the
	 * statistics say */
	[ST_DECISION_GET] =
		"SELECT " DECISION_COLS " FROM decisions WHERE id = "
		"(SELECT decision_id FROM cases WHERE id = ?1)",

	[ST_LEDGER_ADD] =
		"INSERT INTO ledger (case_id, order_id, kind, amount_minor, "
		"currency, created_at, actor, idempotency_key) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_LEDGER_SUM_CASE] =
		"SELECT coalesce(sum(CASE kind WHEN 'refund' THEN amount_minor "
		"END), 0), coalesce(sum(CASE kind WHEN 'charge' THEN "
		"amount_minor END), 0), count(*) FROM ledger "
		"WHERE case_id = ?1",
	[ST_LEDGER_SUM_ORDER] =
		"SELECT coalesce(sum(CASE kind WHEN 'refund' THEN amount_minor "
		"END), 0), coalesce(sum(CASE kind WHEN 'charge' THEN "
		"amount_minor END), 0), count(*) FROM ledger "
		"WHERE order_id = ?1",

	[ST_IDEM_GET] =
		"SELECT i.scope, i.key, i.request_hash, i.ledger_id, "
		"i.refunded_total_minor, l.currency, i.created_at "
		"FROM idempotency i LEFT JOIN ledger l ON l.id = i.ledger_id "
		"WHERE i.scope = ?1 AND i.key = ?2",
	[ST_IDEM_PUT] =
		"INSERT INTO idempotency (scope, key, request_hash, "
		"ledger_id, refunded_total_minor, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",

	[ST_QUOTE_PUT] =
		"INSERT INTO repair_quotes (case_id, amount_minor, status, "
		"expires_at, created_at, updated_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_QUOTE_UPDATE] =
		"UPDATE repair_quotes SET status = ?2, updated_at = ?3 "
		"WHERE id = ?1",
	[ST_QUOTE_GET] =
		"SELECT " QUOTE_COLS " FROM repair_quotes WHERE id = ?1",
	[ST_QUOTE_GET_CASE] =
		"SELECT " QUOTE_COLS " FROM repair_quotes WHERE case_id = ?1 "
		"ORDER BY id DESC LIMIT 1",

	[ST_NOTE_ADD] =
		"INSERT INTO notes (case_id, author, body, created_at) "
		"VALUES (?1, ?2, ?3, ?4)",
	[ST_NOTES_LIST] =
		"SELECT id, case_id, author, body, created_at FROM notes "
		"WHERE case_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
	[ST_EVIDENCE_PUT] =
		"INSERT INTO evidence (case_id, sha256, content_type, size, "
		"path, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		"ON CONFLICT (case_id, sha256) DO NOTHING",
	[ST_EVIDENCE_GET] =
		"SELECT case_id, sha256, content_type, size, path, data, "
		"created_at FROM evidence WHERE case_id = ?1 AND sha256 = ?2",

	[ST_AUDIT_ADD] =
		"INSERT INTO audit (at, actor, action, entity, entity_id, "
		"before_json, after_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_AUDIT_LIST] = AUDIT_LIST("1"),
	/* a few entities share the log: the key order, filtered */
	[ST_AUDIT_LIST_ENTITY] = AUDIT_LIST("+entity = ?2"),
	[ST_AUDIT_LIST_ID] = AUDIT_LIST("entity_id = ?3"),
	[ST_AUDIT_LIST_BOTH] = AUDIT_LIST("entity_id = ?3 AND +entity = ?2"),

	[ST_TOKEN_PUT] =
		"INSERT INTO tokens (name, hash, created_at) "
		"VALUES (?1, ?2, ?3)",
	[ST_TOKEN_FIND] =
		"SELECT id, name, hash, created_at, revoked_at FROM tokens "
		"WHERE hash = ?1 AND revoked_at IS NULL",
	[ST_TOKEN_REVOKE] =
		"UPDATE tokens SET revoked_at = ?2 "
		"WHERE id = ?1 AND revoked_at IS NULL",
	[ST_TOKEN_GET] = "SELECT revoked_at FROM tokens WHERE id = ?1",
	[ST_TOKEN_REVOKE_NAME] =
		"UPDATE tokens SET revoked_at = ?2 "
		"WHERE name = ?1 AND revoked_at IS NULL",

	[ST_USER_PUT] =
		"INSERT INTO staff_users (name, role, password_hash, "
		"failed_in_a_row, locked_until, created_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_USER_GET] =
		"SELECT name, role, password_hash, failed_in_a_row, "
		"locked_until, created_at FROM staff_users WHERE name = ?1",
	[ST_USER_LIST] =
		"SELECT name, role, password_hash, failed_in_a_row, "
		"locked_until, created_at FROM staff_users WHERE name > ?1 "
		"ORDER BY name LIMIT ?2",
	[ST_USER_LOGIN] =
		"UPDATE staff_users SET failed_in_a_row = ?2, "
		"locked_until = ?3 WHERE name = ?1",
	[ST_SESSION_PUT] =
		"INSERT INTO sessions (hash, kind, user_name, order_id, csrf, "
		"tz_offset_min, created_at, expires_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	/* the account's role comes with a staff session: one look-up */
	[ST_SESSION_GET] =
		"SELECT x.hash, x.kind, x.user_name, x.order_id, x.csrf, "
		"x.tz_offset_min, x.created_at, x.expires_at, x.ended_at, "
		"u.role FROM sessions x "
		"LEFT JOIN staff_users u ON u.name = x.user_name "
		"WHERE x.hash = ?1",
	[ST_SESSION_END] =
		"UPDATE sessions SET ended_at = ?2 "
		"WHERE hash = ?1 AND ended_at IS NULL",
	[ST_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at < ?1",
	[ST_LOOKUP_GET] =
		"SELECT window_start, count FROM lookup_failures "
		"WHERE key = ?1",
	/* ?2 now, ?3 the window's length: a window that has run out
	 * opens again at now */
	[ST_LOOKUP_ADD] =
		"INSERT INTO lookup_failures (key, window_start, count) "
		"VALUES (?1, ?2, 1) ON CONFLICT (key) DO UPDATE SET "
		"count = CASE WHEN window_start <= ?2 - ?3 THEN 1 "
		"ELSE count + 1 END, "
		"window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 "
		"ELSE window_start END "
		"RETURNING window_start, count",
	[ST_LOOKUP_PURGE] =
		"DELETE FROM lookup_failures WHERE window_start < ?1",
	[ST_MESSAGE_ADD] =
		"INSERT INTO messages (case_id, sender, author, body, "
		"created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_MESSAGES_LIST] =
		"SELECT id, case_id, sender, author, body, created_at "
		"FROM messages WHERE case_id = ?1 AND id > ?2 "
		"ORDER BY id LIMIT ?3",
	/* the bytes stay where they are */
	[ST_EVIDENCE_LIST] =
		"SELECT case_id, sha256, content_type, size, created_at "
		"FROM evidence WHERE case_id = ?1 "
		"ORDER BY created_at, rowid LIMIT ?2",
	[ST_CASE_COUNTS] =
		"SELECT open, waiting, decided, resolved, closed "
		"FROM case_counts WHERE id = 1",
	/* policy versions (issue 9) */
	[ST_POLICY_PUT] =
		"INSERT INTO policies (hash, body, created_at) "
		"VALUES (?1, ?2, ?3) ON CONFLICT (hash) DO NOTHING",
	[ST_POLICY_GET] =
		"SELECT hash, body, created_at, activated_at, activated_by, "
		"active FROM policies WHERE hash = ?1",
	[ST_POLICY_ACTIVE] = "SELECT hash FROM policies WHERE active = 1",
	[ST_POLICY_DEACTIVATE] =
		"UPDATE policies SET active = 0 WHERE active = 1",
	[ST_POLICY_ACTIVATE] =
		"UPDATE policies SET active = 1, activated_at = ?2, "
		"activated_by = ?3 WHERE hash = ?1",
	[ST_POLICY_LIST] =
		"SELECT hash, '', created_at, activated_at, activated_by, "
		"active FROM policies ORDER BY created_at DESC, hash LIMIT ?1",
	/* webhooks (issue 10.3) */
	[ST_HOOK_PUT] =
		"INSERT INTO hooks (kind, name, secret, created_at) "
		"VALUES (?1, ?2, ?3, ?4)",
	[ST_HOOK_GET] =
		"SELECT kind, name, secret, created_at FROM hooks WHERE "
		"kind = ?1 AND name = ?2",
	[ST_HOOK_LIST] =
		"SELECT kind, name, '', created_at FROM hooks ORDER BY "
		"kind, name LIMIT ?1",
	[ST_HOOK_EVENT_PUT] =
		"INSERT INTO hook_events (kind, name, event_id, "
		"received_at, status, carrier, tracking_code, "
		"tracking_kind, at, order_id, detail) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_PARCEL_PUT] =
		"INSERT INTO parcels (carrier, tracking_code, order_id, "
		"created_at) VALUES (?1, ?2, ?3, ?4)",
	[ST_PARCEL_FIND] =
		"SELECT order_id FROM parcels WHERE carrier = ?1 AND "
		"tracking_code = ?2",
	[ST_UNMATCHED_LIST] =
		"SELECT kind, name, event_id, received_at, status, carrier, "
		"tracking_code, tracking_kind, at, detail FROM hook_events "
		"WHERE carrier = ?1 AND tracking_code = ?2 AND status = "
		"'unmatched' ORDER BY at, received_at LIMIT ?3",
	[ST_HOOK_EVENT_MATCH] =
		"UPDATE hook_events SET status = ?4, order_id = ?5 WHERE "
		"kind = ?1 AND name = ?2 AND event_id = ?3 AND status = "
		"'unmatched'",
	[ST_HOOK_EVENTS_LIST] =
		"SELECT kind, name, event_id, received_at, status, carrier, "
		"tracking_code, tracking_kind, at, detail, "
		"coalesce(order_id, '') FROM hook_events WHERE status = ?1 "
		"ORDER BY received_at DESC, event_id LIMIT ?2",
	/* payment refunds (issue 10.4) */
	[ST_PAYINTENT_PUT] =
		"INSERT INTO order_payments (order_id, payment_intent, "
		"updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (order_id) "
		"DO UPDATE SET payment_intent = excluded.payment_intent, "
		"updated_at = excluded.updated_at",
	[ST_PAYINTENT_GET] =
		"SELECT payment_intent FROM order_payments WHERE order_id "
		"= ?1",
	[ST_REFUNDPAY_PUT] =
		"INSERT INTO refund_payments (ledger_id, case_id, "
		"outbox_id, status, created_at, updated_at) VALUES (?1, "
		"?2, ?3, 'pending', ?4, ?4)",
	[ST_REFUNDPAY_GET] =
		"SELECT r.ledger_id, r.case_id, r.status, r.provider_id, "
		"r.reason, r.created_at, r.updated_at, l.amount_minor, "
		"l.currency, l.order_id, r.outbox_id FROM "
		"refund_payments r JOIN "
		"ledger l ON l.id = r.ledger_id WHERE r.ledger_id = ?1",
	[ST_REFUNDPAY_SET] =
		"UPDATE refund_payments SET status = ?2, provider_id = "
		"CASE WHEN ?3 = '' THEN provider_id ELSE ?3 END, "
		"outbox_id = CASE WHEN ?7 = 0 THEN outbox_id ELSE ?7 "
		"END, reason = ?4, updated_at = ?5 WHERE ledger_id = "
		"?1 AND (status = 'pending' OR ?6 = 1)",
	[ST_REFUNDPAY_LIST] =
		"SELECT r.ledger_id, r.case_id, r.status, r.provider_id, "
		"r.reason, r.created_at, r.updated_at, l.amount_minor, "
		"l.currency, l.order_id, r.outbox_id FROM "
		"refund_payments r JOIN "
		"ledger l ON l.id = r.ledger_id WHERE r.case_id = ?1 "
		"ORDER BY r.ledger_id LIMIT ?2",
	/* reports (issue 9.3): ranges of the summaries' keys, a few
	 * hundred rows at any size */
	[ST_REPORT_WEEKS] =
		"SELECT week, '', currency, sum(cases), sum(refunds), "
		"sum(refunded_minor) FROM report_sums WHERE dim = 'week' "
		"AND week BETWEEN ?1 AND ?2 GROUP BY week, currency "
		"HAVING sum(cases) <> 0 OR sum(refunds) <> 0 "
		"ORDER BY week, currency LIMIT ?3",
	[ST_REPORT_GROUPS] =
		"SELECT 0, key, currency, sum(cases), sum(refunds), "
		"sum(refunded_minor) FROM report_sums WHERE dim = ?4 "
		"AND week BETWEEN ?1 AND ?2 GROUP BY key, currency "
		"HAVING sum(cases) <> 0 OR sum(refunds) <> 0 "
		"ORDER BY key, currency LIMIT ?3",
	[ST_REPORT_DURATIONS] =
		"SELECT bucket, sum(n) FROM report_durations "
		"WHERE what = ?1 AND week BETWEEN ?2 AND ?3 GROUP BY bucket",
	[ST_REPORT_CLAIMANTS] =
		"SELECT key, claims, not_received, damaged, last_at "
		"FROM report_claimants WHERE by = ?1 AND claims >= ?2 "
		"ORDER BY claims DESC, key DESC LIMIT ?3",
	[ST_REPORT_CLAIMANTS_N] =
		"SELECT count(*) FROM report_claimants "
		"WHERE by = ?1 AND claims >= ?2",
	/* the days before ?2 (the day of ?1) from report_due, and ?1's
	 * own day from the partial index cases_due */
	[ST_DUE_COUNT] =
		"SELECT coalesce((SELECT sum(n) FROM report_due "
		"WHERE day < ?2), 0) + (SELECT count(*) FROM cases "
		"WHERE due_at >= ?2 AND due_at < ?1)",
};

/* The case lists: one statement per combination of filters (LIST_*
 * bits), built by list_sql and cached like the others. Each seeks one
 * index in the order it pages in, (x, seq) with x the most selective
 * filter given, and tests the other filters on the rows it meets (a
 * unary + keeps SQLite from choosing their index and sorting); so no
 * page sorts nor scans. With a deadline bound, a page goes by deadline,
 * soonest first. The most selective: the deadline bound (which orders),
 * then the order, the customer, the clause (with one status: their
 * index), the status, the type. Parameters: ?1 the order, ?2..?6 the
 * statuses, ?7 the claim type, ?8 the deadline bound, (?10, ?9) the
 * keyset cursor (deadline, seq), ?11 the limit, ?12 the clause, ?13 the
 * customer. The combinations store.c refuses (check_list_cheap) are
 * never built. */
enum {
	LIST_ORDER = 1, LIST_STATUS = 2, LIST_STATUSES = 4, LIST_TYPE = 8,
	LIST_DEADLINE = 16, LIST_CLAUSE = 32, LIST_CUSTOMER = 64,
	LIST_COMBOS = 128
};

/* The handle. */
struct sq {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];       /* prepared on first use */
	sqlite3_stmt *list[LIST_COMBOS];  /* the same, for the case lists */
	int fail_after;                   /* < 0: no fault injection */
	time_t room_at;                   /* health: when room was looked */
	long long room;                   /* at, the bytes free then */
};

/* list_sql writes the case list statement for a LIST_* combination. */
static void list_sql(unsigned bits, char *out, size_t n)
{
	const char *by = (bits & LIST_DEADLINE) ? "deadline"
			 : (bits & LIST_ORDER)  ? "order"
			 : (bits & LIST_CUSTOMER) ? "customer"
			 : (bits & LIST_CLAUSE) ? "clause"
			 : (bits & LIST_STATUS) ? "status"
			 : (bits & LIST_TYPE)   ? "type" : "seq";
	/* with a clause driving, one status is in its index too */
	bool clause_status = strcmp(by, "clause") == 0 &&
			     (bits & LIST_STATUS);

#define DRIVES(name) (strcmp(by, name) == 0 ? "" : "+")
	snprintf(out, n, "SELECT " CASE_ROW_COLS " FROM cases WHERE %s"
		 "%s%s%s%s%s%s%s%s%s%s%s ORDER BY %s LIMIT ?11",
		 (bits & LIST_DEADLINE)
			 ? "deadline < ?8 AND (deadline, seq) > (?10, ?9)"
			 : "seq > ?9",
		 (bits & LIST_ORDER) ? " AND " : "",
		 (bits & LIST_ORDER) ? DRIVES("order") : "",
		 (bits & LIST_ORDER) ? "order_id = ?1" : "",
		 (bits & LIST_STATUS) ? " AND " : "",
		 (bits & LIST_STATUS) && !clause_status ? DRIVES("status") : "",
		 (bits & LIST_STATUS) ? "status = ?2"
		 : (bits & LIST_STATUSES)
			 ? " AND +status IN (?2, ?3, ?4, ?5, ?6)" : "",
		 (bits & LIST_TYPE) ? " AND " : "",
		 (bits & LIST_TYPE) ? DRIVES("type") : "",
		 (bits & LIST_TYPE) ? "claim_type = ?7" : "",
		 (bits & LIST_CLAUSE) ? (strcmp(by, "clause") == 0
					 ? " AND clause = ?12"
					 : " AND +clause = ?12") : "",
		 (bits & LIST_CUSTOMER) ? (strcmp(by, "customer") == 0
					   ? " AND customer = ?13"
					   : " AND +customer = ?13") : "",
		 (bits & LIST_DEADLINE) ? "deadline, seq" : "seq");
#undef DRIVES
}

/* The other list statements, after the case lists, for
 * store_sqlite_list_sql. */
static const int other_lists[] = {
	ST_DUE_LIST, ST_AUDIT_LIST, ST_AUDIT_LIST_ENTITY, ST_AUDIT_LIST_ID,
	ST_AUDIT_LIST_BOTH, ST_USER_LIST, ST_MESSAGES_LIST, ST_SESSION_PURGE,
	ST_LOOKUP_PURGE, ST_EVIDENCE_LIST, ST_CASE_COUNTS,
};

int store_sqlite_list_sql(int i, char *out, size_t n)
{
	if (i < 0 || i >= LIST_COMBOS + (int)(sizeof other_lists /
					       sizeof other_lists[0]))
		return AC_ENOTFOUND;
	if (i >= LIST_COMBOS) {
		snprintf(out, n, "%s", sql_text[other_lists[i - LIST_COMBOS]]);
		return 0;
	}
	if ((i & LIST_STATUS) && (i & LIST_STATUSES))
		return AC_EINVAL;
	/* what store.c refuses (check_list_cheap) */
	if ((i & LIST_DEADLINE) && (i & (LIST_CLAUSE | LIST_CUSTOMER)))
		return AC_EINVAL;
	if ((i & LIST_CLAUSE) && !(i & (LIST_ORDER | LIST_CUSTOMER)) &&
	    (i & (LIST_TYPE | LIST_STATUSES)))
		return AC_EINVAL;
	list_sql((unsigned)i, out, n);
	return 0;
}

/* ---- errors ----------------------------------------------------------- */

static int code_of(int rc)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_UNIQUE:
		return AC_ECONFLICT;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return AC_ENOTFOUND;
	case SQLITE_CONSTRAINT_TRIGGER:
		return AC_ESTATE;
	}
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE:
		return AC_EINVAL;
	case SQLITE_NOMEM:
		return AC_ENOMEM;
	case SQLITE_TOOBIG:
		return AC_ELIMIT;
	}
	return AC_EIO;
}

/* db_error fills err from the connection's last error, in our words where
 * SQLite's start with an upper-case constraint name. */
static int db_error(struct sq *q, int rc, const char *field,
		    struct ac_err *err)
{
	static const struct { const char *theirs, *ours; } words[] = {
		{ "CHECK constraint failed: ", "check failed: " },
		{ "UNIQUE constraint failed: ", "already exists: " },
		{ "NOT NULL constraint failed: ", "missing: " },
		{ "FOREIGN KEY constraint failed", "refers to a missing row" },
	};
	const char *msg = sqlite3_errmsg(q->db);
	int code = code_of(rc);

	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return ac_err_set(err, code, field,
				  "database is busy: another writer held it "
				  "for %d ms", BUSY_TIMEOUT_MS);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t n = strlen(words[i].theirs);

		if (strncmp(msg, words[i].theirs, n) == 0)
			return ac_err_set(err, code, field, "%s%s",
					  words[i].ours, msg + n);
	}
	return ac_err_set(err, code, field, "%s", msg);
}

/* ---- running statements ----------------------------------------------- */

static int prep(struct sq *q, enum st id, sqlite3_stmt **out,
		struct ac_err *err)
{
	int rc;

	*out = NULL;
	if (!q->st[id]) {
		rc = sqlite3_prepare_v3(q->db, sql_text[id], -1,
					SQLITE_PREPARE_PERSISTENT, &q->st[id],
					NULL);
		if (rc != SQLITE_OK)
			return db_error(q, rc, "store.prepare", err);
	}
	*out = q->st[id];
	return 0;
}

/* done resets a statement for its next use (NULL is fine). */
static void done(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* step runs st once: 1 for a row, 0 when done, or a negative AC_E* code.
 * This is where fault injection strikes. */
static int step(struct sq *q, sqlite3_stmt *st, const char *op,
		struct ac_err *err)
{
	int rc;

	if (q->fail_after == 0) {
		q->fail_after = -1;
		return ac_err_set(err, AC_EIO, op, "injected fault");
	}
	if (q->fail_after > 0)
		q->fail_after--;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_error(q, rc, op, err);
}

/* run prepares, runs to the end and resets a statement without
 * parameters. */
static int run(struct sq *q, enum st id, const char *op, struct ac_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(q, id, &st, err)))
		return rc;
	while ((rc = step(q, st, op, err)) == 1)
		;
	done(st);
	return rc;
}

/* undo runs a statement that undoes work: never failed on purpose, and its
 * own failure cannot be helped (the database may have rolled back already). */
static void undo(struct sq *q, enum st id)
{
	sqlite3_stmt *st;

	if (prep(q, id, &st, NULL) == 0) {
		sqlite3_step(st);
		done(st);
	}
}

/* Binding: each b_* binds the next parameter; the first failure sticks. */
struct bind {
	sqlite3_stmt *st;
	int i;
	int rc;
};

static void b_start(struct bind *b, sqlite3_stmt *st)
{
	b->st = st;
	b->i = 0;
	b->rc = SQLITE_OK;
}

static void b_note(struct bind *b, int rc)
{
	if (b->rc == SQLITE_OK)
		b->rc = rc;
}

/* b_text binds a string; empty binds '' (never NULL). */
static void b_text(struct bind *b, struct ac_str s)
{
	b_note(b, sqlite3_bind_text64(b->st, ++b->i, s.n ? s.p : "", s.n,
				      SQLITE_STATIC, SQLITE_UTF8));
}

/* b_opt binds a string, or NULL when it is empty. */
static void b_opt(struct bind *b, struct ac_str s)
{
	if (s.n)
		b_text(b, s);
	else
		b_note(b, sqlite3_bind_null(b->st, ++b->i));
}

static void b_null(struct bind *b)
{
	b_note(b, sqlite3_bind_null(b->st, ++b->i));
}

static void b_cstr(struct bind *b, const char *s)
{
	if (s)
		b_text(b, store_str(s));
	else
		b_note(b, sqlite3_bind_null(b->st, ++b->i));
}

static void b_int(struct bind *b, int64_t v)
{
	b_note(b, sqlite3_bind_int64(b->st, ++b->i, v));
}

static void b_opt_int(struct bind *b, bool has, int64_t v)
{
	if (has)
		b_int(b, v);
	else
		b_note(b, sqlite3_bind_null(b->st, ++b->i));
}

static void b_blob(struct bind *b, struct ac_str s)
{
	if (s.n)
		b_note(b, sqlite3_bind_blob64(b->st, ++b->i, s.p, s.n,
					      SQLITE_STATIC));
	else
		b_note(b, sqlite3_bind_null(b->st, ++b->i));
}

static int b_end(struct sq *q, struct bind *b, const char *op,
		 struct ac_err *err)
{
	if (b->rc != SQLITE_OK)
		return db_error(q, b->rc, op, err);
	return 0;
}

/* exec_write runs a bound insert or update to its end; *id (may be NULL)
 * gets the new rowid, *changes (may be NULL) the rows changed. */
static int exec_write(struct sq *q, sqlite3_stmt *st, struct bind *b,
		      const char *op, int64_t *id, int *changes,
		      struct ac_err *err)
{
	int rc;

	if (!(rc = b_end(q, b, op, err)))
		while ((rc = step(q, st, op, err)) == 1)
			;
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(q->db);
	if (!rc && changes)
		*changes = sqlite3_changes(q->db);
	done(st);
	return rc;
}

/* ---- atomic calls ----------------------------------------------------- */

/* A call of several statements is atomic on its own. Outside the desk's
 * transaction a writing call opens its own (BEGIN IMMEDIATE, so it waits
 * for the write lock up front instead of failing halfway); inside one, or
 * for a reading call, it uses a savepoint, which undoes the call alone. */
struct atomic {
	bool own;                         /* began its own transaction */
};

static int atomic_begin(struct sq *q, bool write, struct atomic *a,
			const char *op, struct ac_err *err)
{
	a->own = write && sqlite3_get_autocommit(q->db);
	return run(q, a->own ? ST_BEGIN : ST_SAVEPOINT, op, err);
}

/* fold_pending counts the cases opened in this transaction in the report
 * summaries (0014_pending): run before every commit of a transaction
 * that wrote, so that no pending row is ever committed. */
static int fold_pending(struct sq *q, const char *op, struct ac_err *err)
{
	sqlite3_stmt *st;
	int rc, any = 0;

	if (sqlite3_txn_state(q->db, NULL) != SQLITE_TXN_WRITE)
		return 0;
	if ((rc = prep(q, ST_PENDING_ANY, &st, err)))
		return rc;
	if ((rc = step(q, st, op, err)) == 1) {
		any = sqlite3_column_int(st, 0);
		rc = 0;
	}
	done(st);
	if (rc || !any)
		return rc;
	if ((rc = run(q, ST_FOLD_SUMS, op, err)) ||
	    (rc = run(q, ST_FOLD_CLAIMANTS, op, err)))
		return rc;
	return run(q, ST_FOLD_CLEAR, op, err);
}

/* commit: the pending summaries folded, then COMMIT */
static int commit(struct sq *q, const char *op, struct ac_err *err)
{
	int rc = fold_pending(q, op, err);

	return rc ? rc : run(q, ST_COMMIT, op, err);
}

static int atomic_end(struct sq *q, struct atomic *a, int rc,
		      const char *op, struct ac_err *err)
{
	if (rc == 0 &&
	    (rc = a->own ? commit(q, op, err)
			 : run(q, ST_RELEASE, op, err)) == 0)
		return 0;
	if (sqlite3_get_autocommit(q->db))
		return rc;                /* SQLite rolled back already */
	if (a->own) {
		undo(q, ST_ROLLBACK);
	} else {
		undo(q, ST_ROLLBACK_TO);
		undo(q, ST_RELEASE);
	}
	return rc;
}

/* ---- filling results -------------------------------------------------- */

/* Strings read from a row are copied into the result's buffer, which may
 * move as it grows; so each copy is recorded as an offset, and the slices
 * are pointed into the buffer once, when every string is in. */
struct fixup {
	struct ac_str *dst;
	size_t off;
};

struct fill {
	struct buf *mem;
	struct fixup *fix;
	size_t n, alloc;
	int rc;
};

static void fill_init(struct fill *f, struct buf *mem)
{
	f->mem = mem;
	f->fix = NULL;
	f->n = f->alloc = 0;
	f->rc = 0;
}

/* fill_col copies column col into *dst ("" for NULL or empty). */
static void fill_col(struct fill *f, sqlite3_stmt *st, int col,
		     struct ac_str *dst)
{
	const void *p;
	size_t n, off;

	dst->p = "";
	dst->n = 0;
	if (f->rc || sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	if (sqlite3_column_type(st, col) == SQLITE_BLOB)
		p = sqlite3_column_blob(st, col);
	else
		p = sqlite3_column_text(st, col);
	n = (size_t)sqlite3_column_bytes(st, col);
	if (n == 0)
		return;
	if (!p) {
		f->rc = AC_ENOMEM;
		return;
	}
	off = f->mem->len;
	if (buf_add(f->mem, p, n) || buf_addc(f->mem, '\0')) {
		f->rc = AC_ELIMIT;
		return;
	}
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 64;
		f->fix = xrealloc(f->fix, f->alloc * sizeof *f->fix);
	}
	f->fix[f->n].dst = dst;
	f->fix[f->n].off = off;
	f->n++;
	dst->n = n;                      /* dst->p is set by fill_end */
}

static void fill_address(struct fill *f, sqlite3_stmt *st, int col,
			 struct address *a)
{
	fill_col(f, st, col, &a->name);
	fill_col(f, st, col + 1, &a->line1);
	fill_col(f, st, col + 2, &a->line2);
	fill_col(f, st, col + 3, &a->city);
	fill_col(f, st, col + 4, &a->region);
	fill_col(f, st, col + 5, &a->postal_code);
	fill_col(f, st, col + 6, &a->country);
}

/* fill_end points every slice into the buffer and frees the book-keeping;
 * it returns the first failure (and must be called in any case). */
static int fill_end(struct fill *f, const char *op, struct ac_err *err)
{
	for (size_t i = 0; i < f->n; i++)
		f->fix[i].dst->p = f->mem->p + f->fix[i].off;
	free(f->fix);
	f->fix = NULL;
	f->n = f->alloc = 0;
	if (f->rc == AC_ELIMIT)
		return ac_err_set(err, AC_ELIMIT, op,
				  "result larger than %u bytes",
				  STORE_MEM_MAX);
	if (f->rc)
		return ac_err_set(err, f->rc, op, "out of memory");
	return 0;
}

/* raw: a column's text as a slice valid until the next step. */
static struct ac_str raw(sqlite3_stmt *st, int col)
{
	struct ac_str s;

	s.p = (const char *)sqlite3_column_text(st, col);
	s.n = (size_t)sqlite3_column_bytes(st, col);
	if (!s.p) {
		s.p = "";
		s.n = 0;
	}
	return s;
}

static bool is_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL;
}

static int64_t i64(sqlite3_stmt *st, int col)
{
	return sqlite3_column_int64(st, col);
}

/* corrupt reports a stored value this program cannot read back. */
static int corrupt(const char *field, struct ac_str v, struct ac_err *err)
{
	return ac_err_set(err, AC_EIO, field, "unreadable stored value: %.*s",
			  (int)(v.n > 64 ? 64 : v.n), v.p);
}

/* limit_plus_one: a page asks for one row more, to know if more follow. */
static int64_t limit_plus_one(int limit)
{
	return (int64_t)limit + 1;
}

/* ---- opening ---------------------------------------------------------- */

static int exec_sql(struct sq *q, const char *sql, const char *what,
		    struct ac_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		rc = ac_err_set(err, code_of(rc), "db", "%s: %s", what,
				msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

static int read_version(struct sq *q, int *version, struct ac_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(q, ST_VERSION, &st, err)))
		return rc;
	rc = step(q, st, "schema_version", err);
	if (rc == 1) {
		*version = sqlite3_column_int(st, 0);
		rc = 0;
	} else if (rc == 0) {
		*version = 0;
	}
	done(st);
	return rc;
}

/* migration_sql runs a migration's text. A migration may rewrite a
 * table's text in sqlite_schema where what is stored does not change
 * (0012_checks: CHECK constraints), as SQLite's ALTER TABLE page allows:
 * defensive mode is off for it, and the schema cookie is raised after it
 * so that every connection reads the schema again (a cookie raised once
 * more after ordinary DDL is harmless). */
static int migration_sql(struct sq *q, const struct migration *m,
			 struct ac_err *err)
{
	char bump[64];
	sqlite3_stmt *st = NULL;
	int cookie = -1, rc;

	sqlite3_db_config(q->db, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL);
	rc = exec_sql(q, m->sql, m->name, err);
	if (!rc && sqlite3_prepare_v2(q->db, "PRAGMA schema_version", -1, &st,
				      NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		cookie = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (!rc && cookie < 0)
		rc = ac_err_set(err, AC_EIO, "db", "%s: cannot read the "
				"schema cookie: %s", m->name,
				sqlite3_errmsg(q->db));
	if (!rc) {
		snprintf(bump, sizeof bump, "PRAGMA schema_version = %d",
			 cookie + 1);
		rc = exec_sql(q, bump, m->name, err);
	}
	sqlite3_db_config(q->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	return rc;
}

/* apply runs one migration in its own transaction, unless another process
 * applied it first. */
static int apply(struct sq *q, const struct migration *m, struct ac_err *err)
{
	sqlite3_stmt *st;
	struct bind b;
	int version = 0, rc;

	if ((rc = run(q, ST_BEGIN, m->name, err)))
		return rc;
	if ((rc = read_version(q, &version, err)) || version >= m->version)
		goto end;
	if ((rc = migration_sql(q, m, err)) ||
	    (rc = prep(q, ST_VERSION_ADD, &st, err)))
		goto end;
	b_start(&b, st);
	b_int(&b, m->version);
	b_cstr(&b, m->name);
	rc = exec_write(q, st, &b, m->name, NULL, NULL, err);
end:
	if (rc) {
		undo(q, ST_ROLLBACK);
		return rc;
	}
	return run(q, ST_COMMIT, m->name, err);
}

static int migrate(struct sq *q, struct ac_err *err)
{
	int version = 0, newest = migrations[N_MIGRATIONS - 1].version, rc;

	if ((rc = exec_sql(q, "CREATE TABLE IF NOT EXISTS schema_version ("
			   "version INTEGER PRIMARY KEY, "
			   "name TEXT NOT NULL, "
			   "applied_at INTEGER NOT NULL) STRICT",
			   "schema_version", err)) ||
	    (rc = read_version(q, &version, err)))
		return rc;
	if (version > newest)
		return ac_err_set(err, AC_ESTATE, "db",
				  "database schema version %d is newer than "
				  "this program's (%d)", version, newest);
	for (int i = 0; i < N_MIGRATIONS; i++)
		if (migrations[i].version > version &&
		    (rc = apply(q, &migrations[i], err)))
			return rc;
	return 0;
}

static void sq_close(void *impl)
{
	struct sq *q = impl;

	if (!q)
		return;
	if (q->db && !sqlite3_get_autocommit(q->db))
		undo(q, ST_ROLLBACK);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(q->st[i]);
	for (int i = 0; i < LIST_COMBOS; i++)
		sqlite3_finalize(q->list[i]);
	/* no PRAGMA optimize: statistics taken while a shop is small are
	 * kept as it grows, and plan scans (0020_plans) */
	if (q->db)
		sqlite3_close(q->db);
	free(q);
}

/* Process-wide, so before the first connection opens. A program that
 * started SQLite before its first store cannot set it any more (an
 * embedder, a tool): its statement journals then stay in memory
 * (temp_store MEMORY, 1 KiB blocks), rather than spill to a file past
 * SQLite's default of 64 KiB, which would be a file for each case
 * opened. So they do should the store's VFS fail to register (it
 * cannot move a block that large to a file without it). */
static bool spill_set;

static void sq_config(void)
{
	spill_set = sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL,
				   STMT_JOURNAL_SPILL) == SQLITE_OK;
	/* No count of SQLite's memory (nothing reads it): each of its
	 * allocations and frees took a process-wide lock for it. Cases
	 * opened a second on one CPU, three rounds each: 6,520-6,650
	 * without, 5,180-6,260 with. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite_vfs_register() != SQLITE_OK)
		spill_set = false;
}

static int sq_open(const char *dsn, void **impl, struct ac_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq *q = xcalloc(1, sizeof *q);
	int rc;

	pthread_once(&once, sq_config);
	q->fail_after = -1;
	rc = sqlite3_open_v2(dsn, &q->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE | SQLITE_OPEN_URI |
			     SQLITE_OPEN_NOMUTEX,
			     spill_set ? SQLITE_VFS_NAME : NULL);
	if (rc != SQLITE_OK) {
		rc = ac_err_set(err, AC_EIO, "db", "cannot open %s: %s", dsn,
				q->db ? sqlite3_errmsg(q->db)
				      : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, BUSY_TIMEOUT_MS);
	sqlite3_db_config(q->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	/* journal_mode answers a row; exec ignores it. A database in memory
	 * stays in its own mode, which is fine. */
	if ((rc = exec_sql(q, "PRAGMA foreign_keys = ON", "foreign_keys",
			   err)) ||
	    (rc = exec_sql(q, "PRAGMA journal_mode = WAL", "journal_mode",
			   err)) ||
	    (rc = exec_sql(q, "PRAGMA synchronous = FULL", "synchronous",
			   err)) ||
	    (rc = exec_sql(q, "PRAGMA mmap_size = " MMAP_SIZE, "mmap_size",
			   err)) ||
	    (rc = exec_sql(q, "PRAGMA cache_size = " CACHE_SIZE, "cache_size",
			   err)) ||
	    (rc = exec_sql(q, spill_set ? "PRAGMA temp_store = FILE"
					: "PRAGMA temp_store = MEMORY",
			   "temp_store", err)) ||
	    (rc = migrate(q, err)))
		goto fail;
	*impl = q;
	return 0;
fail:
	sq_close(q);
	return rc;
}

static int sq_schema_version(void *impl, int *version, struct ac_err *err)
{
	return read_version(impl, version, err);
}

/* Health: below this much free room on the database's disk a write may
 * fail for want of it; looked at once a second at most (statvfs). */
#define DISK_MIN_BYTES (1ull << 20)

/* disk_free: the bytes free on the disk holding path, or -1. */
static long long disk_free(struct sq *q, const char *path)
{
	struct timespec now;
	struct statvfs fs;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (q->room_at && now.tv_sec == q->room_at)
		return q->room;
	q->room_at = now.tv_sec;
	q->room = statvfs(path, &fs) ? -1 :
		  (long long)fs.f_bavail * (long long)fs.f_frsize;
	return q->room;
}

/* sq_health: the database answers, and can be written: not opened
 * read-only (a file, folder or mount it may not write: SQLite then opens
 * it read-only), and its disk not full. */
static int sq_health(void *impl, struct ac_err *err)
{
	struct sq *q = impl;
	const char *path = sqlite3_db_filename(q->db, "main");
	long long room;
	int rc = run(impl, ST_HEALTH, "health", err);

	if (rc)
		return rc;
	if (sqlite3_db_readonly(q->db, "main") == 1)
		return ac_err_set(err, AC_EIO, "db", "%s cannot be written "
				  "(it is open read-only: see its "
				  "permissions and its folder's)",
				  path && path[0] ? path : "the database");
	if (path && path[0] && (room = disk_free(q, path)) >= 0 &&
	    room < (long long)DISK_MIN_BYTES)
		return ac_err_set(err, AC_EIO, "db", "the disk holding %s "
				  "is full (%lld bytes free)", path, room);
	return 0;
}

/* ---- transactions ----------------------------------------------------- */

static int sq_begin(void *impl, struct ac_err *err)
{
	struct sq *q = impl;

	if (!sqlite3_get_autocommit(q->db))
		return ac_err_set(err, AC_ESTATE, "begin",
				  "a transaction is already open");
	return run(q, ST_BEGIN, "begin", err);
}

/* A read transaction: WAL gives it one snapshot from its first read on,
 * without the write lock, so readers on other connections never wait for
 * the writer nor it for them. */
static int sq_begin_read(void *impl, struct ac_err *err)
{
	struct sq *q = impl;

	if (!sqlite3_get_autocommit(q->db))
		return ac_err_set(err, AC_ESTATE, "begin",
				  "a transaction is already open");
	return run(q, ST_BEGIN_READ, "begin", err);
}

static int sq_commit(void *impl, struct ac_err *err)
{
	struct sq *q = impl;
	int rc;

	if (sqlite3_get_autocommit(q->db))
		return ac_err_set(err, AC_ESTATE, "commit",
				  "no transaction is open");
	if ((rc = commit(q, "commit", err)) &&
	    !sqlite3_get_autocommit(q->db))
		undo(q, ST_ROLLBACK);
	return rc;
}

static int sq_rollback(void *impl, struct ac_err *err)
{
	struct sq *q = impl;

	(void)err;
	if (!sqlite3_get_autocommit(q->db))
		undo(q, ST_ROLLBACK);
	return 0;
}

static int sq_savepoint(void *impl, enum store_sp what, struct ac_err *err)
{
	struct sq *q = impl;

	if (sqlite3_get_autocommit(q->db))
		return ac_err_set(err, AC_ESTATE, "savepoint",
				  "no transaction is open");
	switch (what) {
	case STORE_SP_BEGIN:
		return run(q, ST_SP_BEGIN, "savepoint", err);
	case STORE_SP_RELEASE:
		return run(q, ST_SP_RELEASE, "savepoint", err);
	case STORE_SP_ROLLBACK:
		undo(q, ST_SP_ROLLBACK);
		undo(q, ST_SP_RELEASE);
		return 0;
	}
	return ac_err_set(err, AC_EINVAL, "savepoint", "no such action");
}

static bool sq_in_transaction(void *impl)
{
	struct sq *q = impl;

	return !sqlite3_get_autocommit(q->db);
}

static void sq_test_fail_after(void *impl, int n)
{
	struct sq *q = impl;

	q->fail_after = n < 0 ? -1 : n;
}

/* ---- orders and shipments --------------------------------------------- */

static void b_address(struct bind *b, const struct address *a)
{
	b_text(b, a->name);
	b_text(b, a->line1);
	b_text(b, a->line2);
	b_text(b, a->city);
	b_text(b, a->region);
	b_text(b, a->postal_code);
	b_text(b, a->country);
}

static int write_shipment(struct sq *q, struct ac_str order_id,
			  const struct shipment *sh, int64_t updated_at,
			  const char *op, struct ac_err *err)
{
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_SHIPMENT_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, order_id);
	b_int(&b, sh->shipped_at);
	b_address(&b, &sh->address);
	b_opt_int(&b, sh->delivered, sh->delivered_at);
	b_cstr(&b, courier_finding_name(sh->courier_finding));
	b_cstr(&b, customs_name(sh->customs));
	b_int(&b, updated_at);
	rc = exec_write(q, st, &b, op, NULL, NULL, err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "order.id", "no such order: %.*s",
			   (int)order_id.n, order_id.p);
	return rc;
}

static int write_order(struct sq *q, const struct store_order *so,
		       struct ac_err *err)
{
	const struct order *o = &so->order;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_ORDER_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, o->id);
	b_int(&b, o->placed_at);
	b_cstr(&b, o->currency->code);
	b_int(&b, o->shipping_minor);
	b_opt_int(&b, so->has_paid, so->paid_minor);
	b_address(&b, &o->address);
	b_text(&b, so->customer_name);
	b_text(&b, so->customer_email);
	b_int(&b, so->created_at);
	rc = exec_write(q, st, &b, "put_order", NULL, NULL, err);
	if (rc == AC_ECONFLICT)
		return ac_err_set(err, rc, "order.id", "order exists: %.*s",
				  (int)o->id.n, o->id.p);
	if (rc || (rc = prep(q, ST_ITEM_PUT, &st, err)))
		return rc;
	for (int i = 0; i < o->n_items && !rc; i++) {
		const struct item *it = &o->items[i];

		b_start(&b, st);
		b_text(&b, o->id);
		b_int(&b, it->line);
		b_text(&b, it->sku);
		b_cstr(&b, item_kind_name(it->kind));
		b_text(&b, it->style);
		b_text(&b, it->shape);
		b_text(&b, it->material);
		b_text(&b, it->color);
		b_opt_int(&b, it->has_size, it->size_milli);
		b_int(&b, it->price_minor);
		b_opt(&b, it->certificate);
		rc = exec_write(q, st, &b, "put_order", NULL, NULL, err);
	}
	if (!rc && so->shipped)
		rc = write_shipment(q, o->id, &so->shipment, so->created_at,
				    "put_order", err);
	return rc;
}

static int sq_put_order(void *impl, const struct store_order *so,
			struct ac_err *err)
{
	struct sq *q = impl;
	struct atomic a;
	int rc;

	if ((rc = atomic_begin(q, true, &a, "put_order", err)))
		return rc;
	rc = write_order(q, so, err);
	return atomic_end(q, &a, rc, "put_order", err);
}

static int read_items(struct sq *q, struct ac_str id, struct order *o,
		      struct fill *f, struct ac_err *err)
{
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_ITEMS_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, id);
	if ((rc = b_end(q, &b, "get_order", err)))
		goto out;
	while ((rc = step(q, st, "get_order", err)) == 1) {
		struct item *it;
		struct ac_str kind = raw(st, 2);

		if (o->n_items == AC_MAX_ITEMS) {
			rc = ac_err_set(err, AC_ELIMIT, "order.items",
					"more than %d items", AC_MAX_ITEMS);
			break;
		}
		it = &o->items[o->n_items++];
		it->line = sqlite3_column_int(st, 0);
		fill_col(f, st, 1, &it->sku);
		if (item_kind_parse(kind.p, kind.n, &it->kind)) {
			rc = corrupt("items.kind", kind, err);
			break;
		}
		fill_col(f, st, 3, &it->style);
		fill_col(f, st, 4, &it->shape);
		fill_col(f, st, 5, &it->material);
		fill_col(f, st, 6, &it->color);
		it->has_size = !is_null(st, 7);
		it->size_milli = i64(st, 7);
		it->price_minor = i64(st, 8);
		fill_col(f, st, 9, &it->certificate);
	}
out:
	done(st);
	return rc;
}

static int read_shipment(struct sq *q, struct ac_str id,
			 struct store_order *so, struct fill *f,
			 struct ac_err *err)
{
	struct shipment *sh = &so->shipment;
	struct ac_str finding, customs;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_SHIPMENT_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, id);
	if ((rc = b_end(q, &b, "get_order", err)) ||
	    (rc = step(q, st, "get_order", err)) != 1)
		goto out;               /* 0: not shipped */
	finding = raw(st, 9);
	customs = raw(st, 10);
	rc = 0;
	so->shipped = true;
	sh->shipped_at = i64(st, 0);
	fill_address(f, st, 1, &sh->address);
	sh->delivered = !is_null(st, 8);
	sh->delivered_at = i64(st, 8);
	if (courier_finding_parse(finding.p, finding.n, &sh->courier_finding))
		rc = corrupt("shipments.courier_finding", finding, err);
	else if (customs_parse(customs.p, customs.n, &sh->customs))
		rc = corrupt("shipments.customs", customs, err);
	so->shipment_updated_at = i64(st, 11);
out:
	done(st);
	return rc;
}

static int read_order(struct sq *q, struct ac_str id, struct store_order *so,
		      struct fill *f, struct ac_err *err)
{
	struct order *o = &so->order;
	struct ac_str cur;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_ORDER_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, id);
	if ((rc = b_end(q, &b, "get_order", err)) ||
	    (rc = step(q, st, "get_order", err)) < 0)
		goto out;
	if (rc == 0) {
		rc = ac_err_set(err, AC_ENOTFOUND, "order.id",
				"no such order: %.*s", (int)id.n, id.p);
		goto out;
	}
	cur = raw(st, 2);
	rc = 0;
	fill_col(f, st, 0, &o->id);
	o->placed_at = i64(st, 1);
	if (!(o->currency = money_currency_find(cur.p, cur.n)))
		rc = corrupt("orders.currency", cur, err);
	o->shipping_minor = i64(st, 3);
	so->has_paid = !is_null(st, 4);
	so->paid_minor = i64(st, 4);
	fill_address(f, st, 5, &o->address);
	fill_col(f, st, 12, &so->customer_name);
	fill_col(f, st, 13, &so->customer_email);
	so->created_at = i64(st, 14);
out:
	done(st);
	if (!rc)
		rc = read_items(q, id, o, f, err);
	if (!rc)
		rc = read_shipment(q, id, so, f, err);
	return rc;
}

static int sq_get_order(void *impl, struct ac_str id, struct store_order *out,
			struct ac_err *err)
{
	struct sq *q = impl;
	struct atomic a;
	struct fill f;
	int rc, frc;

	if ((rc = atomic_begin(q, false, &a, "get_order", err)))
		return rc;
	fill_init(&f, &out->mem);
	rc = read_order(q, id, out, &f, err);
	frc = fill_end(&f, "get_order", rc ? NULL : err);
	return atomic_end(q, &a, rc ? rc : frc, "get_order", err);
}

static int sq_put_shipment(void *impl, struct ac_str order_id,
			   const struct shipment *sh, int64_t updated_at,
			   struct ac_err *err)
{
	return write_shipment(impl, order_id, sh, updated_at, "put_shipment",
			      err);
}

static int sq_add_tracking_event(void *impl,
				 const struct store_tracking_event *ev,
				 int64_t *id, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_TRACKING_ADD, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, ev->order_id);
	b_int(&b, ev->at);
	b_text(&b, ev->kind);
	b_text(&b, ev->detail);
	rc = exec_write(q, st, &b, "add_tracking_event", id, NULL, err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "tracking.order_id", "no such order: %.*s",
			   (int)ev->order_id.n, ev->order_id.p);
	return rc;
}

static int sq_list_tracking_events(void *impl, struct ac_str order_id,
				   int64_t after_id, int limit,
				   struct store_tracking_page *out,
				   struct ac_err *err)
{
	const char *op = "list_tracking_events";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_TRACKING_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, order_id);
	b_int(&b, after_id);
	b_int(&b, limit_plus_one(limit));
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			struct store_tracking_event *ev;

			if (out->n == limit) {
				out->more = true;
				rc = 0;
				break;
			}
			ev = &out->rows[out->n++];
			ev->id = i64(st, 0);
			fill_col(&f, st, 1, &ev->order_id);
			ev->at = i64(st, 2);
			fill_col(&f, st, 3, &ev->kind);
			fill_col(&f, st, 4, &ev->detail);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

/* ---- cases ------------------------------------------------------------ */

/* put_case_id reads the id of the case the last insert put. */
static int put_case_id(struct sq *q, char id_out[STORE_ID_MAX],
		       struct ac_err *err)
{
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_CASE_ID, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, sqlite3_last_insert_rowid(q->db));
	if (!(rc = b_end(q, &b, "put_case", err)) &&
	    (rc = step(q, st, "put_case", err)) == 1) {
		snprintf(id_out, STORE_ID_MAX, "%s",
			 (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	} else if (rc == 0) {
		rc = ac_err_set(err, AC_EIO, "case.id",
				"the case put is not in the store");
	}
	done(st);
	return rc;
}

static int sq_put_case(void *impl, const struct store_case *c,
		       char id_out[STORE_ID_MAX], struct ac_err *err)
{
	struct sq *q = impl;
	/* outside a transaction, one of its own: the case's report
	 * summaries are folded before it commits (fold_pending) */
	struct atomic a = { .own = sqlite3_get_autocommit(q->db) };
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if (a.own && (rc = run(q, ST_BEGIN, "put_case", err)))
		return rc;
	if ((rc = prep(q, ST_CASE_PUT, &st, err)))
		return a.own ? atomic_end(q, &a, rc, "put_case", err) : rc;
	b_start(&b, st);
	b_opt(&b, c->id);
	b_text(&b, c->order_id);
	b_cstr(&b, store_case_status_name(c->status));
	b_cstr(&b, claim_type_name(c->claim_type));
	b_int(&b, c->opened_at);
	b_text(&b, c->claim_json);
	b_int(&b, c->created_at);
	b_int(&b, c->updated_at);
	if (c->has_override) {
		b_text(&b, c->override_verdict);
		b_text(&b, c->override_reason);
		b_text(&b, c->override_author);
		b_int(&b, c->overridden_at);
	} else {
		b_null(&b);
		b_null(&b);
		b_null(&b);
		b_null(&b);
	}
	if (c->has_approval) {
		b_text(&b, c->approved_by);
		b_int(&b, c->approved_at);
	} else {
		b_null(&b);
		b_null(&b);
	}
	b_opt_int(&b, c->has_response_due, c->response_due_at);
	if (c->has_decided) {
		b_text(&b, c->verdict);
		b_opt(&b, c->clause);
	} else {
		b_null(&b);
		b_null(&b);
	}
	b_opt_int(&b, c->has_decided && c->has_deadline, c->deadline);
	id_out[0] = '\0';
	if (!(rc = b_end(q, &b, "put_case", err)))
		rc = step(q, st, "put_case", err);
	done(st);
	if (!rc)
		rc = put_case_id(q, id_out, err);
	if (a.own)
		rc = atomic_end(q, &a, rc, "put_case", err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "case.order_id", "no such order: %.*s",
			   (int)c->order_id.n, c->order_id.p);
	else if (rc == AC_ECONFLICT)
		ac_err_set(err, rc, "case.id", "case exists: %.*s",
			   (int)c->id.n, c->id.p);
	if (rc)
		id_out[0] = '\0';
	return rc;
}

static int read_case(sqlite3_stmt *st, struct store_case *c, struct fill *f,
		     struct ac_err *err)
{
	struct ac_str status = raw(st, 2), type = raw(st, 3);

	fill_col(f, st, 0, &c->id);
	fill_col(f, st, 1, &c->order_id);
	if (store_case_status_parse(status.p, status.n, &c->status))
		return corrupt("cases.status", status, err);
	if (claim_type_parse(type.p, type.n, &c->claim_type))
		return corrupt("cases.claim_type", type, err);
	c->opened_at = i64(st, 4);
	fill_col(f, st, 5, &c->claim_json);
	c->created_at = i64(st, 6);
	c->updated_at = i64(st, 7);
	c->has_override = !is_null(st, 8);
	fill_col(f, st, 8, &c->override_verdict);
	fill_col(f, st, 9, &c->override_reason);
	fill_col(f, st, 10, &c->override_author);
	c->overridden_at = i64(st, 11);
	c->has_approval = !is_null(st, 12);
	fill_col(f, st, 12, &c->approved_by);
	c->approved_at = i64(st, 13);
	c->has_response_due = !is_null(st, 14);
	c->response_due_at = i64(st, 14);
	return 0;
}

static int sq_get_case(void *impl, struct ac_str id, struct store_case *out,
		       struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_CASE_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, id);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, "get_case", err)) &&
	    (rc = step(q, st, "get_case", err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "case.id",
				"no such case: %.*s", (int)id.n, id.p);
	if (rc == 1)
		rc = read_case(st, out, &f, err);
	done(st);
	frc = fill_end(&f, "get_case", rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_get_case_view(void *impl, struct ac_str id,
			    struct store_case_view *out, struct ac_err *err)
{
	const char *op = "get_case_view";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_CASE_VIEW, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, id);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "case.id",
				"no such case: %.*s", (int)id.n, id.p);
	if (rc == 1 && is_null(st, 15))
		rc = ac_err_set(err, AC_ENOTFOUND, "case.id",
				"no decision on case %.*s", (int)id.n, id.p);
	if (rc == 1)
		rc = read_case(st, &out->c, &f, err);
	if (!rc) {
		out->decided_at = i64(st, 15);
		fill_col(&f, st, 16, &out->decision_json);
		out->sum.refund_minor = i64(st, 17);
		out->sum.charge_minor = i64(st, 18);
		out->sum.n_entries = sqlite3_column_int(st, 19);
		out->has_quote = !is_null(st, 20);
	}
	if (!rc && out->has_quote) {
		struct store_quote *qu = &out->quote;
		struct ac_str status = raw(st, 22);

		qu->id = i64(st, 20);
		fill_col(&f, st, 0, &qu->case_id);
		qu->amount_minor = i64(st, 21);
		if (store_quote_status_parse(status.p, status.n, &qu->status))
			rc = corrupt("repair_quotes.status", status, err);
		qu->expires_at = i64(st, 23);
		qu->created_at = i64(st, 24);
		qu->updated_at = i64(st, 25);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

/* update_case runs one of the case updates; 0 rows: no such case. */
static int update_case(struct sq *q, sqlite3_stmt *st, struct bind *b,
		       struct ac_str id, const char *op, struct ac_err *err)
{
	int changes = 0;
	int rc = exec_write(q, st, b, op, NULL, &changes, err);

	if (!rc && changes == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "case.id",
				"no such case: %.*s", (int)id.n, id.p);
	return rc;
}

static int sq_update_case_status(void *impl, struct ac_str id,
				 enum case_status status, int64_t updated_at,
				 struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_CASE_STATUS, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, id);
	b_cstr(&b, store_case_status_name(status));
	b_int(&b, updated_at);
	return update_case(q, st, &b, id, "update_case_status", err);
}

static int sq_update_case_override(void *impl, struct ac_str id,
				   struct ac_str verdict, struct ac_str reason,
				   struct ac_str author, int64_t at,
				   struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_CASE_OVERRIDE, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, id);
	b_text(&b, verdict);
	b_text(&b, reason);
	b_text(&b, author);
	b_int(&b, at);
	return update_case(q, st, &b, id, "update_case_override", err);
}

static int sq_update_case_approval(void *impl, struct ac_str id,
				   struct ac_str approved_by, int64_t at,
				   struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_CASE_APPROVAL, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, id);
	b_text(&b, approved_by);
	b_int(&b, at);
	return update_case(q, st, &b, id, "update_case_approval", err);
}

/* read_case_row fills r from a row of CASE_ROW_COLS. */
static int read_case_row(sqlite3_stmt *st, struct store_case_row *r,
			 struct fill *f, struct ac_err *err)
{
	struct ac_str status = raw(st, 2), type = raw(st, 3);

	fill_col(f, st, 0, &r->id);
	fill_col(f, st, 1, &r->order_id);
	if (store_case_status_parse(status.p, status.n, &r->status))
		return corrupt("cases.status", status, err);
	if (claim_type_parse(type.p, type.n, &r->claim_type))
		return corrupt("cases.claim_type", type, err);
	r->opened_at = i64(st, 4);
	r->created_at = i64(st, 5);
	r->updated_at = i64(st, 6);
	fill_col(f, st, 7, &r->verdict);
	r->has_deadline = !is_null(st, 8);
	r->deadline = i64(st, 8);
	r->has_decision = !is_null(st, 9);
	r->seq = i64(st, 10);
	r->has_response_due = !is_null(st, 11);
	r->response_due_at = i64(st, 11);
	r->has_due = !is_null(st, 12);
	r->due_at = i64(st, 12);
	fill_col(f, st, 13, &r->clause);
	fill_col(f, st, 14, &r->customer);
	return 0;
}

/* read_case_page steps st (bound) and fills a page of at most limit
 * rows; more tells whether another follows. */
static int read_case_page(struct sq *q, sqlite3_stmt *st, int limit,
			  struct store_case_page *out, const char *op,
			  struct ac_err *err)
{
	struct fill f;
	int rc, frc;

	fill_init(&f, &out->mem);
	while ((rc = step(q, st, op, err)) == 1) {
		if (out->n == limit) {
			out->more = true;
			rc = 0;
			break;
		}
		if ((rc = read_case_row(st, &out->rows[out->n++], &f, err)))
			break;
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

/* case_cursor finds the keyset position (seq, deadline) of the case a
 * page starts after. */
static int case_cursor(struct sq *q, struct ac_str id, int64_t *seq,
		       int64_t *deadline, struct ac_err *err)
{
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_CASE_CURSOR, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, id);
	if (!(rc = b_end(q, &b, "list_cases", err)) &&
	    (rc = step(q, st, "list_cases", err)) == 0)
		rc = ac_err_set(err, AC_EINVAL, "filter.after",
				"no such case: %.*s", (int)id.n, id.p);
	if (rc == 1) {
		rc = 0;
		*seq = i64(st, 0);
		/* a case without a deadline comes after every page that
		 * has one: none follows it */
		*deadline = is_null(st, 1) ? INT64_MAX : i64(st, 1);
	}
	done(st);
	return rc;
}

static int sq_list_cases(void *impl, const struct store_case_filter *flt,
			 struct store_case_page *out, struct ac_err *err)
{
	const char *op = "list_cases";
	struct sq *q = impl;
	unsigned mask = flt->status_mask, bits = 0;
	int64_t after_seq = 0, after_deadline = INT64_MIN;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if (flt->order_id.n)
		bits |= LIST_ORDER;
	if (mask && (mask & (mask - 1)) == 0)
		bits |= LIST_STATUS;
	else if (mask)
		bits |= LIST_STATUSES;
	if (flt->has_claim_type)
		bits |= LIST_TYPE;
	if (flt->has_deadline_before)
		bits |= LIST_DEADLINE;
	if (flt->clause.n)
		bits |= LIST_CLAUSE;
	if (flt->customer.n)
		bits |= LIST_CUSTOMER;
	if (flt->after_id.n &&
	    (rc = case_cursor(q, flt->after_id, &after_seq, &after_deadline,
			      err)))
		return rc;
	if (!q->list[bits]) {
		char sql[1024];

		list_sql(bits, sql, sizeof sql);
		rc = sqlite3_prepare_v3(q->db, sql, -1,
					SQLITE_PREPARE_PERSISTENT,
					&q->list[bits], NULL);
		if (rc != SQLITE_OK)
			return db_error(q, rc, "store.prepare", err);
	}
	st = q->list[bits];
	b_start(&b, st);
	b_opt(&b, flt->order_id);
	/* the statuses wanted first (?2 alone when there is one), then
	 * NULLs, which match nothing */
	for (int s = 0, k = 0; k < CASE_STATUS_COUNT; s++)
		if (s >= CASE_STATUS_COUNT) {
			b_null(&b);
			k++;
		} else if (mask & CASE_STATUS_BIT(s)) {
			b_cstr(&b, store_case_status_name((enum case_status)s));
			k++;
		}
	b_cstr(&b, flt->has_claim_type ? claim_type_name(flt->claim_type)
				       : NULL);
	b_opt_int(&b, flt->has_deadline_before, flt->deadline_before);
	b_int(&b, after_seq);
	b_int(&b, after_deadline);
	b_int(&b, limit_plus_one(flt->limit));
	/* ?12 and ?13 are in the statements that filter on either */
	if (bits & (LIST_CLAUSE | LIST_CUSTOMER))
		b_opt(&b, flt->clause);
	if (bits & LIST_CUSTOMER)
		b_opt(&b, flt->customer);
	if ((rc = b_end(q, &b, op, err))) {
		done(st);
		return rc;
	}
	return read_case_page(q, st, flt->limit, out, op, err);
}

static int sq_list_due(void *impl, const struct store_due_filter *flt,
		       struct store_case_page *out, struct ac_err *err)
{
	const char *op = "list_due";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_DUE_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, flt->before);
	b_int(&b, flt->has_after ? flt->after_due : INT64_MIN);
	b_int(&b, flt->has_after ? flt->after_seq : 0);
	b_int(&b, limit_plus_one(flt->limit));
	if ((rc = b_end(q, &b, op, err))) {
		done(st);
		return rc;
	}
	return read_case_page(q, st, flt->limit, out, op, err);
}

/* ---- decisions -------------------------------------------------------- */

static int sq_save_decision(void *impl, const struct store_decision *d,
			    int64_t *id, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_DECISION_SAVE, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, d->case_id);
	b_int(&b, d->decided_at);
	b_text(&b, d->verdict);
	b_int(&b, d->refund_max_minor);
	b_int(&b, d->charge_minor);
	b_opt_int(&b, d->has_deadline, d->deadline);
	b_text(&b, d->policy);
	b_text(&b, d->decision_json);
	b_text(&b, d->facts_json);
	rc = exec_write(q, st, &b, "save_decision", id, NULL, err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "decision.case_id", "no such case: %.*s",
			   (int)d->case_id.n, d->case_id.p);
	return rc;
}

static int sq_get_current_decision(void *impl, struct ac_str case_id,
				   struct store_decision *out,
				   struct ac_err *err)
{
	const char *op = "get_current_decision";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_DECISION_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, case_id);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "case.id",
				"no decision on case %.*s", (int)case_id.n,
				case_id.p);
	if (rc == 1) {
		rc = 0;
		out->id = i64(st, 0);
		fill_col(&f, st, 1, &out->case_id);
		out->decided_at = i64(st, 2);
		fill_col(&f, st, 3, &out->verdict);
		out->refund_max_minor = i64(st, 4);
		out->charge_minor = i64(st, 5);
		out->has_deadline = !is_null(st, 6);
		out->deadline = i64(st, 6);
		fill_col(&f, st, 7, &out->policy);
		fill_col(&f, st, 8, &out->decision_json);
		fill_col(&f, st, 9, &out->facts_json);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

/* ---- the ledger ------------------------------------------------------- */

static int sq_add_ledger(void *impl, const struct store_ledger_entry *e,
			 int64_t *id, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_LEDGER_ADD, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, e->case_id);
	b_text(&b, e->order_id);
	b_cstr(&b, store_ledger_kind_name(e->kind));
	b_int(&b, e->amount_minor);
	b_cstr(&b, e->currency->code);
	b_int(&b, e->created_at);
	b_text(&b, e->actor);
	b_opt(&b, e->idempotency_key);
	rc = exec_write(q, st, &b, "add_ledger", id, NULL, err);
	/* ledger_matches_case: no such case, or another order or currency */
	if (rc == AC_ESTATE || rc == AC_ENOTFOUND)
		rc = ac_err_set(err, AC_EINVAL, "ledger.case_id",
				"case %.*s does not exist or is not on order "
				"%.*s in %s", (int)e->case_id.n, e->case_id.p,
				(int)e->order_id.n, e->order_id.p,
				e->currency->code);
	return rc;
}

static int sum_ledger(struct sq *q, enum st id, struct ac_str key,
		      struct store_ledger_sum *out, struct ac_err *err)
{
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, id, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, key);
	if (!(rc = b_end(q, &b, "sum_ledger", err)) &&
	    (rc = step(q, st, "sum_ledger", err)) == 1) {
		out->refund_minor = i64(st, 0);
		out->charge_minor = i64(st, 1);
		out->n_entries = sqlite3_column_int(st, 2);
		rc = 0;
	}
	done(st);
	return rc;
}

static int sq_sum_ledger_case(void *impl, struct ac_str case_id,
			      struct store_ledger_sum *out,
			      struct ac_err *err)
{
	return sum_ledger(impl, ST_LEDGER_SUM_CASE, case_id, out, err);
}

static int sq_sum_ledger_order(void *impl, struct ac_str order_id,
			       struct store_ledger_sum *out,
			       struct ac_err *err)
{
	return sum_ledger(impl, ST_LEDGER_SUM_ORDER, order_id, out, err);
}

/* ---- idempotency ------------------------------------------------------ */

static int sq_get_idempotency(void *impl, struct ac_str scope,
			      struct ac_str key, struct store_idem *out,
			      struct ac_err *err)
{
	const char *op = "get_idempotency";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_IDEM_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, scope);
	b_text(&b, key);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "idempotency.key",
				"no response stored for this key");
	if (rc == 1) {
		rc = 0;
		fill_col(&f, st, 0, &out->scope);
		fill_col(&f, st, 1, &out->key);
		fill_col(&f, st, 2, &out->request_hash);
		out->ledger_id = i64(st, 3);
		out->refunded_total_minor = i64(st, 4);
		out->created_at = i64(st, 6);
		if (out->ledger_id) {
			struct ac_str cur = raw(st, 5);

			out->currency = money_currency_find(cur.p, cur.n);
			if (!out->currency)
				rc = corrupt("ledger.currency", cur, err);
		}
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_put_idempotency(void *impl, const struct store_idem *in,
			      struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_IDEM_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, in->scope);
	b_text(&b, in->key);
	b_text(&b, in->request_hash);
	b_int(&b, in->ledger_id);
	b_int(&b, in->refunded_total_minor);
	b_int(&b, in->created_at);
	rc = exec_write(q, st, &b, "put_idempotency", NULL, NULL, err);
	if (rc == AC_ECONFLICT)
		ac_err_set(err, rc, "idempotency.key",
			   "a record is already kept for this key");
	else if (rc == AC_ENOTFOUND)    /* the foreign key */
		rc = ac_err_set(err, AC_EINVAL, "idempotency.ledger_id",
				"no such ledger entry: %lld",
				(long long)in->ledger_id);
	return rc;
}

/* ---- repair quotes ---------------------------------------------------- */

static int sq_put_quote(void *impl, const struct store_quote *qu,
			int64_t *id, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_QUOTE_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, qu->case_id);
	b_int(&b, qu->amount_minor);
	b_cstr(&b, store_quote_status_name(qu->status));
	b_int(&b, qu->expires_at);
	b_int(&b, qu->created_at);
	b_int(&b, qu->updated_at);
	rc = exec_write(q, st, &b, "put_quote", id, NULL, err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "quote.case_id", "no such case: %.*s",
			   (int)qu->case_id.n, qu->case_id.p);
	return rc;
}

static int sq_update_quote(void *impl, int64_t id, enum quote_status status,
			   int64_t updated_at, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int changes = 0, rc;

	if ((rc = prep(q, ST_QUOTE_UPDATE, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, id);
	b_cstr(&b, store_quote_status_name(status));
	b_int(&b, updated_at);
	rc = exec_write(q, st, &b, "update_quote", NULL, &changes, err);
	if (!rc && changes == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "quote.id",
				"no such quote: %lld", (long long)id);
	return rc;
}

static int read_quote(struct sq *q, sqlite3_stmt *st, struct bind *b,
		      struct store_quote *out, const char *what,
		      struct ac_err *err)
{
	const char *op = "get_quote";
	struct fill f;
	int rc, frc;

	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, b, op, err)) && (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "quote", "no quote %s",
				what);
	if (rc == 1) {
		struct ac_str status = raw(st, 3);

		rc = 0;
		out->id = i64(st, 0);
		fill_col(&f, st, 1, &out->case_id);
		out->amount_minor = i64(st, 2);
		if (store_quote_status_parse(status.p, status.n, &out->status))
			rc = corrupt("repair_quotes.status", status, err);
		out->expires_at = i64(st, 4);
		out->created_at = i64(st, 5);
		out->updated_at = i64(st, 6);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_get_quote(void *impl, int64_t id, struct store_quote *out,
			struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_QUOTE_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, id);
	return read_quote(q, st, &b, out, "with this id", err);
}

static int sq_get_case_quote(void *impl, struct ac_str case_id,
			     struct store_quote *out, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_QUOTE_GET_CASE, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, case_id);
	return read_quote(q, st, &b, out, "on this case", err);
}

/* ---- notes and evidence ----------------------------------------------- */

static int sq_add_note(void *impl, const struct store_note *n, int64_t *id,
		       struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_NOTE_ADD, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, n->case_id);
	b_text(&b, n->author);
	b_text(&b, n->body);
	b_int(&b, n->created_at);
	rc = exec_write(q, st, &b, "add_note", id, NULL, err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "note.case_id", "no such case: %.*s",
			   (int)n->case_id.n, n->case_id.p);
	return rc;
}

static int sq_list_notes(void *impl, struct ac_str case_id, int64_t after_id,
			 int limit, struct store_note_page *out,
			 struct ac_err *err)
{
	const char *op = "list_notes";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_NOTES_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, case_id);
	b_int(&b, after_id);
	b_int(&b, limit_plus_one(limit));
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			struct store_note *n;

			if (out->n == limit) {
				out->more = true;
				rc = 0;
				break;
			}
			n = &out->rows[out->n++];
			n->id = i64(st, 0);
			fill_col(&f, st, 1, &n->case_id);
			fill_col(&f, st, 2, &n->author);
			fill_col(&f, st, 3, &n->body);
			n->created_at = i64(st, 4);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_put_evidence(void *impl, const struct store_evidence *e,
			   struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_EVIDENCE_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, e->case_id);
	b_text(&b, e->sha256);
	b_text(&b, e->content_type);
	b_int(&b, e->size);
	b_opt(&b, e->path);
	b_blob(&b, e->data);
	b_int(&b, e->created_at);
	rc = exec_write(q, st, &b, "put_evidence", NULL, NULL, err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "evidence.case_id", "no such case: %.*s",
			   (int)e->case_id.n, e->case_id.p);
	return rc;
}

static int sq_get_evidence(void *impl, struct ac_str case_id,
			   struct ac_str sha256, struct store_evidence *out,
			   struct ac_err *err)
{
	const char *op = "get_evidence";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_EVIDENCE_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, case_id);
	b_text(&b, sha256);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "evidence.sha256",
				"no such evidence on case %.*s",
				(int)case_id.n, case_id.p);
	if (rc == 1) {
		rc = 0;
		fill_col(&f, st, 0, &out->case_id);
		fill_col(&f, st, 1, &out->sha256);
		fill_col(&f, st, 2, &out->content_type);
		out->size = i64(st, 3);
		fill_col(&f, st, 4, &out->path);
		fill_col(&f, st, 5, &out->data);
		out->created_at = i64(st, 6);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_list_evidence(void *impl, struct ac_str case_id, int limit,
			    struct store_evidence_page *out,
			    struct ac_err *err)
{
	const char *op = "list_evidence";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_EVIDENCE_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, case_id);
	b_int(&b, limit_plus_one(limit));
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			struct store_evidence *e;

			if (out->n == limit) {
				out->more = true;
				rc = 0;
				break;
			}
			e = &out->rows[out->n++];
			fill_col(&f, st, 0, &e->case_id);
			fill_col(&f, st, 1, &e->sha256);
			fill_col(&f, st, 2, &e->content_type);
			e->size = i64(st, 3);
			e->created_at = i64(st, 4);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_case_counts(void *impl, int64_t counts[CASE_STATUS_COUNT],
			  struct ac_err *err)
{
	const char *op = "case_counts";
	struct sq *q = impl;
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(q, ST_CASE_COUNTS, &st, err)))
		return rc;
	rc = step(q, st, op, err);
	if (rc == 0)
		rc = ac_err_set(err, AC_EIO, "store", "%s: the counts' row "
				"is missing", op);
	if (rc == 1) {
		rc = 0;
		for (int i = 0; i < CASE_STATUS_COUNT; i++)
			counts[i] = i64(st, i);
	}
	done(st);
	return rc;
}

/* ---- the audit log ---------------------------------------------------- */

static int sq_append_audit(void *impl, const struct store_audit *a,
			   int64_t *id, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_AUDIT_ADD, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, a->at);
	b_text(&b, a->actor);
	b_text(&b, a->action);
	b_text(&b, a->entity);
	b_text(&b, a->entity_id);
	b_opt(&b, a->before_json);
	b_opt(&b, a->after_json);
	return exec_write(q, st, &b, "append_audit", id, NULL, err);
}

static int sq_list_audit(void *impl, const struct store_audit_filter *flt,
			 struct store_audit_page *out, struct ac_err *err)
{
	const char *op = "list_audit";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, flt->entity_id.n ? (flt->entity.n ? ST_AUDIT_LIST_BOTH
							     : ST_AUDIT_LIST_ID)
			      : flt->entity.n ? ST_AUDIT_LIST_ENTITY
					      : ST_AUDIT_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, flt->since_id);
	b_opt(&b, flt->entity);
	b_opt(&b, flt->entity_id);
	b_int(&b, limit_plus_one(flt->limit));
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			struct store_audit *a;

			if (out->n == flt->limit) {
				out->more = true;
				rc = 0;
				break;
			}
			a = &out->rows[out->n++];
			a->id = i64(st, 0);
			a->at = i64(st, 1);
			fill_col(&f, st, 2, &a->actor);
			fill_col(&f, st, 3, &a->action);
			fill_col(&f, st, 4, &a->entity);
			fill_col(&f, st, 5, &a->entity_id);
			fill_col(&f, st, 6, &a->before_json);
			fill_col(&f, st, 7, &a->after_json);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

/* ---- API tokens ------------------------------------------------------- */

static int sq_put_token(void *impl, struct ac_str name, struct ac_str hash,
			int64_t created_at, int64_t *id, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_TOKEN_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, name);
	b_text(&b, hash);
	b_int(&b, created_at);
	rc = exec_write(q, st, &b, "put_token", id, NULL, err);
	if (rc == AC_ECONFLICT)
		ac_err_set(err, rc, "token.hash", "a token with this hash "
			   "exists");
	return rc;
}

static int sq_find_token(void *impl, struct ac_str hash,
			 struct store_token *out, struct ac_err *err)
{
	const char *op = "find_token";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_TOKEN_FIND, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, hash);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "token",
				"no live token with this hash");
	if (rc == 1) {
		rc = 0;
		out->id = i64(st, 0);
		fill_col(&f, st, 1, &out->name);
		fill_col(&f, st, 2, &out->hash);
		out->created_at = i64(st, 3);
		out->revoked = !is_null(st, 4);
		out->revoked_at = i64(st, 4);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_revoke_tokens_named(void *impl, struct ac_str name, int64_t at,
				  int *count, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int changes = 0, rc;

	*count = 0;
	if ((rc = prep(q, ST_TOKEN_REVOKE_NAME, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, name);
	b_int(&b, at);
	rc = exec_write(q, st, &b, "revoke_tokens_named", NULL, &changes,
			err);
	if (rc)
		return rc;
	*count = changes;
	if (changes == 0)
		return ac_err_set(err, AC_ENOTFOUND, "token.name",
				  "no live token named %.*s",
				  (int)(name.n < 100 ? name.n : 100), name.p);
	return 0;
}

static int sq_revoke_token(void *impl, int64_t id, int64_t at,
			   struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int changes = 0, rc;

	if ((rc = prep(q, ST_TOKEN_REVOKE, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, id);
	b_int(&b, at);
	if ((rc = exec_write(q, st, &b, "revoke_token", NULL, &changes, err)) ||
	    changes == 1)
		return rc;
	/* Nothing changed: no such token, or revoked already. */
	if ((rc = prep(q, ST_TOKEN_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, id);
	if (!(rc = b_end(q, &b, "revoke_token", err)))
		rc = step(q, st, "revoke_token", err);
	done(st);
	if (rc == 0)
		return ac_err_set(err, AC_ENOTFOUND, "token.id",
				  "no such token: %lld", (long long)id);
	if (rc == 1)
		return ac_err_set(err, AC_ESTATE, "token.id",
				  "token %lld is already revoked",
				  (long long)id);
	return rc;
}

/* ---- staff accounts, sessions, look-ups, messages -------------------- */

static int sq_put_staff_user(void *impl, const struct store_staff_user *u,
			     struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_USER_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, u->name);
	b_text(&b, u->role);
	b_text(&b, u->password_hash);
	b_int(&b, u->failed_in_a_row);
	b_opt_int(&b, u->has_lock, u->locked_until);
	b_int(&b, u->created_at);
	rc = exec_write(q, st, &b, "put_staff_user", NULL, NULL, err);
	if (rc == AC_ECONFLICT)
		ac_err_set(err, rc, "user.name", "a user named %.*s exists",
			   (int)u->name.n, u->name.p);
	return rc;
}

/* read_user fills u from a row of ST_USER_GET or ST_USER_LIST. */
static void read_user(struct fill *f, sqlite3_stmt *st,
		      struct store_staff_user *u)
{
	fill_col(f, st, 0, &u->name);
	fill_col(f, st, 1, &u->role);
	fill_col(f, st, 2, &u->password_hash);
	u->failed_in_a_row = sqlite3_column_int(st, 3);
	u->has_lock = !is_null(st, 4);
	u->locked_until = i64(st, 4);
	u->created_at = i64(st, 5);
}

static int sq_get_staff_user(void *impl, struct ac_str name,
			     struct store_staff_user *out, struct ac_err *err)
{
	const char *op = "get_staff_user";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_USER_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, name);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "user.name",
				"no such user");
	if (rc == 1) {
		rc = 0;
		read_user(&f, st, out);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_list_staff_users(void *impl, struct ac_str after_name,
			       int limit, struct store_staff_user_page *out,
			       struct ac_err *err)
{
	const char *op = "list_staff_users";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_USER_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, after_name);
	b_int(&b, limit_plus_one(limit));
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			if (out->n == limit) {
				out->more = true;
				rc = 0;
				break;
			}
			read_user(&f, st, &out->rows[out->n++]);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_update_staff_login(void *impl, struct ac_str name,
				 int failed_in_a_row, bool has_lock,
				 int64_t locked_until, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int changes = 0, rc;

	if ((rc = prep(q, ST_USER_LOGIN, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, name);
	b_int(&b, failed_in_a_row);
	b_opt_int(&b, has_lock, locked_until);
	if ((rc = exec_write(q, st, &b, "update_staff_login", NULL, &changes,
			     err)))
		return rc;
	if (changes == 0)
		return ac_err_set(err, AC_ENOTFOUND, "user.name",
				  "no such user");
	return 0;
}

static int sq_put_session(void *impl, const struct store_session *x,
			  struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_SESSION_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, x->hash);
	b_text(&b, x->kind);
	b_opt(&b, x->user_name);
	b_opt(&b, x->order_id);
	b_text(&b, x->csrf);
	b_int(&b, x->tz_offset_min);
	b_int(&b, x->created_at);
	b_int(&b, x->expires_at);
	rc = exec_write(q, st, &b, "put_session", NULL, NULL, err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, x->user_name.n ? "session.user_name"
			   : "session.order_id", "no such %s",
			   x->user_name.n ? "user" : "order");
	else if (rc == AC_ECONFLICT)
		ac_err_set(err, rc, "session.hash", "a session with this "
			   "hash exists");
	return rc;
}

static int sq_get_session(void *impl, struct ac_str hash,
			  struct store_session *out, struct ac_err *err)
{
	const char *op = "get_session";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_SESSION_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, hash);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "session",
				"no session with this hash");
	if (rc == 1) {
		rc = 0;
		fill_col(&f, st, 0, &out->hash);
		fill_col(&f, st, 1, &out->kind);
		fill_col(&f, st, 2, &out->user_name);
		fill_col(&f, st, 3, &out->order_id);
		fill_col(&f, st, 4, &out->csrf);
		out->tz_offset_min = sqlite3_column_int(st, 5);
		out->created_at = i64(st, 6);
		out->expires_at = i64(st, 7);
		out->ended = !is_null(st, 8);
		out->ended_at = i64(st, 8);
		fill_col(&f, st, 9, &out->role);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_end_session(void *impl, struct ac_str hash, int64_t at,
			  struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int changes = 0, rc;

	if ((rc = prep(q, ST_SESSION_END, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, hash);
	b_int(&b, at);
	if ((rc = exec_write(q, st, &b, "end_session", NULL, &changes, err)))
		return rc;
	if (changes == 0)
		return ac_err_set(err, AC_ENOTFOUND, "session",
				  "no live session with this hash");
	return 0;
}

/* purge runs a DELETE whose only parameter is a time. */
static int purge(struct sq *q, enum st id, int64_t before, int *count,
		 const char *op, struct ac_err *err)
{
	sqlite3_stmt *st;
	struct bind b;
	int changes = 0, rc;

	if (count)
		*count = 0;
	if ((rc = prep(q, id, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, before);
	rc = exec_write(q, st, &b, op, NULL, &changes, err);
	if (!rc && count)
		*count = changes;
	return rc;
}

static int sq_purge_sessions(void *impl, int64_t before, int *count,
			     struct ac_err *err)
{
	return purge(impl, ST_SESSION_PURGE, before, count, "purge_sessions",
		     err);
}

static int sq_get_lookup_failures(void *impl, struct ac_str key,
				  struct store_lookup_failure *out,
				  struct ac_err *err)
{
	const char *op = "get_lookup_failures";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_LOOKUP_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, key);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 1) {
		rc = 0;
		out->window_start = i64(st, 0);
		out->count = sqlite3_column_int(st, 1);
	}
	done(st);
	return rc;
}

static int sq_add_lookup_failure(void *impl, struct ac_str key, int64_t at,
				 int64_t window_us,
				 struct store_lookup_failure *out,
				 struct ac_err *err)
{
	const char *op = "add_lookup_failure";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_LOOKUP_ADD, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, key);
	b_int(&b, at);
	b_int(&b, window_us);
	/* RETURNING: the row comes first, then the statement ends */
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 1) {
		out->window_start = i64(st, 0);
		out->count = sqlite3_column_int(st, 1);
		rc = step(q, st, op, err);
	} else if (rc == 0) {
		rc = ac_err_set(err, AC_EIO, op, "no row returned");
	}
	done(st);
	return rc;
}

static int sq_purge_lookup_failures(void *impl, int64_t before, int *count,
				    struct ac_err *err)
{
	return purge(impl, ST_LOOKUP_PURGE, before, count,
		     "purge_lookup_failures", err);
}

static int sq_add_message(void *impl, const struct store_message *m,
			  int64_t *id, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_MESSAGE_ADD, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, m->case_id);
	b_text(&b, m->sender);
	b_text(&b, m->author);
	b_text(&b, m->body);
	b_int(&b, m->created_at);
	rc = exec_write(q, st, &b, "add_message", id, NULL, err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "message.case_id", "no such case: %.*s",
			   (int)m->case_id.n, m->case_id.p);
	return rc;
}

static int sq_list_messages(void *impl, struct ac_str case_id,
			    int64_t after_id, int limit,
			    struct store_message_page *out,
			    struct ac_err *err)
{
	const char *op = "list_messages";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_MESSAGES_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, case_id);
	b_int(&b, after_id);
	b_int(&b, limit_plus_one(limit));
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			struct store_message *m;

			if (out->n == limit) {
				out->more = true;
				rc = 0;
				break;
			}
			m = &out->rows[out->n++];
			m->id = i64(st, 0);
			fill_col(&f, st, 1, &m->case_id);
			fill_col(&f, st, 2, &m->sender);
			fill_col(&f, st, 3, &m->author);
			fill_col(&f, st, 4, &m->body);
			m->created_at = i64(st, 5);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

/* ---- whole-table copy ------------------------------------------------- */

static void copy_sql(const struct store_table *t, bool insert, char *buf,
		     size_t n)
{
	size_t k = 0;

	k += (size_t)snprintf(buf + k, n - k, insert ? "INSERT INTO %s (" :
			      "SELECT ", t->name);
	for (int i = 0; i < t->ncols && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "",
				      t->cols[i]);
	if (k >= n)
		return;
	if (!insert) {
		snprintf(buf + k, n - k, " FROM %s ORDER BY rowid", t->name);
		return;
	}
	k += (size_t)snprintf(buf + k, n - k, ") VALUES (");
	for (int i = 0; i < t->ncols && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s?%d", i ? ", " : "",
				      i + 1);
	if (k < n)
		snprintf(buf + k, n - k, ")");
}

static int sq_count_rows(void *impl, const struct store_table *t,
			 int64_t *n, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	char sql[256];
	int rc;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->name);
	if ((rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL)))
		return db_error(q, rc, t->name, err);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = db_error(q, rc, t->name, err);
	}
	sqlite3_finalize(st);
	return rc;
}

static int sq_read_rows(void *impl, const struct store_table *t,
			int (*row)(void *arg, const struct store_value *v),
			void *arg, struct ac_err *err)
{
	struct sq *q = impl;
	struct store_value v[STORE_TABLE_COLS];
	sqlite3_stmt *st;
	char sql[1024];
	int rc;

	copy_sql(t, false, sql, sizeof sql);
	if ((rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL)))
		return db_error(q, rc, t->name, err);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < t->ncols; i++) {
			struct store_value *x = &v[i];

			memset(x, 0, sizeof *x);
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				x->kind = SV_INT;
				x->i = sqlite3_column_int64(st, i);
				break;
			case SQLITE_TEXT:
				x->kind = SV_TEXT;
				x->p = (const char *)sqlite3_column_text(st, i);
				x->n = (size_t)sqlite3_column_bytes(st, i);
				break;
			case SQLITE_BLOB:
				x->kind = SV_BLOB;
				x->p = sqlite3_column_blob(st, i);
				x->n = (size_t)sqlite3_column_bytes(st, i);
				break;
			default:
				x->kind = SV_NULL;
			}
		}
		if ((rc = row(arg, v))) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : db_error(q, rc, t->name, err);
	sqlite3_finalize(st);
	return rc;
}

static int sq_insert_row(void *impl, const struct store_table *t,
			 const struct store_value *v, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	char sql[1024];
	int rc;

	copy_sql(t, true, sql, sizeof sql);
	if ((rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL)))
		return db_error(q, rc, t->name, err);
	for (int i = 0; i < t->ncols; i++) {
		if (v[i].kind == SV_INT)
			sqlite3_bind_int64(st, i + 1, v[i].i);
		else if (v[i].kind == SV_TEXT)
			sqlite3_bind_text(st, i + 1, v[i].p, (int)v[i].n,
					  SQLITE_STATIC);
		else if (v[i].kind == SV_BLOB)
			sqlite3_bind_blob(st, i + 1, v[i].p, (int)v[i].n,
					  SQLITE_STATIC);
	}
	rc = sqlite3_step(st);
	rc = rc == SQLITE_DONE ? 0 : db_error(q, rc, t->name, err);
	sqlite3_finalize(st);
	return rc;
}

/* SQLite gives the next rowid past the largest: nothing to do. */
static int sq_copy_done(void *impl, const struct store_table *t,
			struct ac_err *err)
{
	(void)impl;
	(void)t;
	(void)err;
	return 0;
}

/* ---- replay (issue 9) ---- */

/* The WHERE of the replay statements: ?1 since (NULL: any), ?2 the claim
 * type (NULL: any), ?3 .. ?7 the statuses let through. */
#define REPLAY_WHERE \
	" WHERE c.decision_id IS NOT NULL" \
	" AND (?1 IS NULL OR c.opened_at >= ?1)" \
	" AND (?2 IS NULL OR c.claim_type = ?2)" \
	" AND c.status IN (?3, ?4, ?5, ?6, ?7)"

static int replay_prep(struct sq *q, const char *sql,
		       const struct store_replay_filter *f, sqlite3_stmt **out,
		       struct ac_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL)))
		return db_error(q, rc, "cases", err);
	if (f->has_since)
		sqlite3_bind_int64(st, 1, f->since);
	if (f->has_claim_type)
		sqlite3_bind_text(st, 2, claim_type_name(f->claim_type), -1,
				  SQLITE_STATIC);
	for (int i = 0; i < CASE_STATUS_COUNT && i < 5; i++)
		if (!f->status_mask || (f->status_mask & CASE_STATUS_BIT(i)))
			sqlite3_bind_text(st, 3 + i, case_status_name(
						  (enum case_status)i), -1,
					  SQLITE_STATIC);
	*out = st;
	return 0;
}

static int sq_count_replay(void *impl, const struct store_replay_filter *f,
			   int64_t *n, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	int rc = replay_prep(q, "SELECT count(*) FROM cases c" REPLAY_WHERE,
			     f, &st, err);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = db_error(q, rc, "cases", err);
	}
	sqlite3_finalize(st);
	return rc;
}

static struct ac_str col_str(sqlite3_stmt *st, int i)
{
	const char *p = (const char *)sqlite3_column_text(st, i);

	return (struct ac_str){ p ? p : "",
				p ? (size_t)sqlite3_column_bytes(st, i) : 0 };
}

static int sq_read_replay(void *impl, const struct store_replay_filter *f,
			  int (*row)(void *arg,
				     const struct store_replay_row *r),
			  void *arg, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	int rc = replay_prep(q, "SELECT c.id, c.status, c.claim_type, "
			     "c.opened_at, c.override_verdict IS NOT NULL, "
			     "d.id, d.decided_at, d.policy, d.decision_json, "
			     "d.facts_json FROM cases c "
			     "JOIN decisions d ON d.id = c.decision_id"
			     REPLAY_WHERE " ORDER BY c.id", f, &st, err);

	if (rc)
		return rc;
	/* one statement: one snapshot, however long the callbacks take */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_replay_row r = { 0 };
		struct ac_str status = col_str(st, 1), type = col_str(st, 2);

		r.case_id = col_str(st, 0);
		if (store_case_status_parse(status.p, status.n, &r.status) ||
		    claim_type_parse(type.p, type.n, &r.claim_type)) {
			rc = ac_err_set(err, AC_EIO, "cases", "case %.*s: not "
					"a status or claim type in the store",
					(int)r.case_id.n, r.case_id.p);
			break;
		}
		r.opened_at = sqlite3_column_int64(st, 3);
		r.overridden = sqlite3_column_int(st, 4) != 0;
		r.decision_id = sqlite3_column_int64(st, 5);
		r.decided_at = sqlite3_column_int64(st, 6);
		r.policy = col_str(st, 7);
		r.decision_json = col_str(st, 8);
		r.facts_json = col_str(st, 9);
		if ((rc = row(arg, &r)))
			break;
	}
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc > 0)
		rc = db_error(q, rc, "cases", err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- policy versions (issue 9) ---- */

static int sq_put_policy(void *impl, struct ac_str hash, struct ac_str body,
			 int64_t created_at, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_POLICY_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, hash);
	b_text(&b, body);
	b_int(&b, created_at);
	return exec_write(q, st, &b, "put_policy", NULL, NULL, err);
}

/* read_policy fills p from a row of hash, body, created_at, activated_at,
 * activated_by, active. */
static void read_policy(struct fill *f, sqlite3_stmt *st,
			struct store_policy *p)
{
	fill_col(f, st, 0, &p->hash);
	fill_col(f, st, 1, &p->body);
	p->created_at = i64(st, 2);
	p->activated = !is_null(st, 3);
	p->activated_at = i64(st, 3);
	fill_col(f, st, 4, &p->activated_by);
	p->active = i64(st, 5) == 1;
}

static int sq_get_policy(void *impl, struct ac_str hash,
			 struct store_policy *out, struct ac_err *err)
{
	const char *op = "get_policy";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_POLICY_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, hash);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "policy.hash",
				"no such policy version");
	if (rc == 1) {
		rc = 0;
		read_policy(&f, st, out);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_active_policy(void *impl, char hash_out[STORE_POLICY_HASH_MAX],
			    struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(q, ST_POLICY_ACTIVE, &st, err)))
		return rc;
	rc = step(q, st, "active_policy", err);
	if (rc == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "policy",
				"no policy is active");
	if (rc == 1) {
		const char *h = (const char *)sqlite3_column_text(st, 0);

		snprintf(hash_out, STORE_POLICY_HASH_MAX, "%s", h ? h : "");
		rc = 0;
	}
	done(st);
	return rc;
}

static int sq_activate_policy(void *impl, struct ac_str hash, int64_t at,
			      struct ac_str by, struct ac_err *err)
{
	const char *op = "activate_policy";
	struct sq *q = impl;
	struct atomic a;
	sqlite3_stmt *st;
	struct bind b;
	int changes = 0, rc;

	if ((rc = atomic_begin(q, true, &a, op, err)))
		return rc;
	rc = run(q, ST_POLICY_DEACTIVATE, op, err);
	if (!rc && !(rc = prep(q, ST_POLICY_ACTIVATE, &st, err))) {
		b_start(&b, st);
		b_text(&b, hash);
		b_int(&b, at);
		b_text(&b, by);
		rc = exec_write(q, st, &b, op, NULL, &changes, err);
	}
	if (!rc && changes != 1)
		rc = ac_err_set(err, AC_ENOTFOUND, "policy.hash",
				"no such policy version");
	return atomic_end(q, &a, rc, op, err);
}

static int sq_list_policies(void *impl, int limit,
			    struct store_policy_page *out, struct ac_err *err)
{
	const char *op = "list_policies";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_POLICY_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, limit_plus_one(limit));
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			if (out->n == limit) {
				out->more = true;
				rc = 0;
				break;
			}
			read_policy(&f, st, &out->rows[out->n++]);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

/* ---- webhooks (issue 10.3) ---- */

static int sq_put_hook(void *impl, struct ac_str kind, struct ac_str name,
		       struct ac_str secret, int64_t created_at,
		       struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_HOOK_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, kind);
	b_text(&b, name);
	b_text(&b, secret);
	b_int(&b, created_at);
	rc = exec_write(q, st, &b, "put_hook", NULL, NULL, err);
	if (rc == AC_ECONFLICT)
		ac_err_set(err, rc, "hook.name", "%.*s integration %.*s exists",
			   (int)kind.n, kind.p, (int)name.n, name.p);
	return rc;
}

/* read_hook fills h from a row of kind, name, secret, created_at. */
static void read_hook(struct fill *f, sqlite3_stmt *st, struct store_hook *h)
{
	fill_col(f, st, 0, &h->kind);
	fill_col(f, st, 1, &h->name);
	fill_col(f, st, 2, &h->secret);
	h->created_at = i64(st, 3);
}

static int sq_get_hook(void *impl, struct ac_str kind, struct ac_str name,
		       struct store_hook *out, struct ac_err *err)
{
	const char *op = "get_hook";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_HOOK_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, kind);
	b_text(&b, name);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "hook",
				"no %.*s integration named %.*s",
				(int)kind.n, kind.p, (int)name.n, name.p);
	if (rc == 1) {
		rc = 0;
		read_hook(&f, st, out);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_list_hooks(void *impl, struct store_hook_page *out,
			 struct ac_err *err)
{
	const char *op = "list_hooks";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_HOOK_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, STORE_PAGE_MAX + 1);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			if (out->n == STORE_PAGE_MAX) {
				out->more = true;
				rc = 0;
				break;
			}
			read_hook(&f, st, &out->rows[out->n++]);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_put_hook_event(void *impl, const struct store_hook_event *e,
			     struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_HOOK_EVENT_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, e->kind);
	b_text(&b, e->name);
	b_text(&b, e->event_id);
	b_int(&b, e->received_at);
	b_text(&b, e->status);
	b_text(&b, e->carrier);
	b_text(&b, e->tracking_code);
	b_text(&b, e->tracking_kind);
	b_int(&b, e->at);
	b_opt(&b, e->order_id);
	b_text(&b, e->detail);
	rc = exec_write(q, st, &b, "put_hook_event", NULL, NULL, err);
	if (rc == AC_ECONFLICT)
		ac_err_set(err, rc, "event.id", "event %.*s seen before",
			   (int)e->event_id.n, e->event_id.p);
	return rc;
}

static int sq_put_parcel(void *impl, struct ac_str carrier,
			 struct ac_str tracking_code, struct ac_str order_id,
			 int64_t created_at, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_PARCEL_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, carrier);
	b_text(&b, tracking_code);
	b_text(&b, order_id);
	b_int(&b, created_at);
	rc = exec_write(q, st, &b, "put_parcel", NULL, NULL, err);
	if (rc == AC_ECONFLICT)
		ac_err_set(err, rc, "tracking_code", "%.*s %.*s is already "
			   "an order's parcel", (int)carrier.n, carrier.p,
			   (int)tracking_code.n, tracking_code.p);
	return rc;
}

static int sq_find_parcel(void *impl, struct ac_str carrier,
			  struct ac_str tracking_code,
			  char order_out[STORE_ID_MAX], struct ac_err *err)
{
	const char *op = "find_parcel";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_PARCEL_FIND, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, carrier);
	b_text(&b, tracking_code);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "tracking_code",
				"no parcel %.*s %.*s", (int)carrier.n,
				carrier.p, (int)tracking_code.n,
				tracking_code.p);
	if (rc == 1) {
		rc = 0;
		snprintf(order_out, STORE_ID_MAX, "%.*s",
			 sqlite3_column_bytes(st, 0),
			 (const char *)sqlite3_column_text(st, 0));
	}
	done(st);
	return rc;
}

/* event_page reads the rows of a bound hook-event statement into out:
 * at most limit (more is set when there are others); columns 0-9 as
 * both statements give them, 10 the order when with_order. */
static int event_page(struct sq *q, sqlite3_stmt *st, struct bind *b,
		      const char *op, int limit, bool with_order,
		      struct store_hook_event_page *out, struct ac_err *err)
{
	struct fill f;
	int rc, frc;

	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			struct store_hook_event *e;

			if (out->n == limit) {
				out->more = true;
				rc = 0;
				break;
			}
			e = &out->rows[out->n++];
			fill_col(&f, st, 0, &e->kind);
			fill_col(&f, st, 1, &e->name);
			fill_col(&f, st, 2, &e->event_id);
			e->received_at = i64(st, 3);
			fill_col(&f, st, 4, &e->status);
			fill_col(&f, st, 5, &e->carrier);
			fill_col(&f, st, 6, &e->tracking_code);
			fill_col(&f, st, 7, &e->tracking_kind);
			e->at = i64(st, 8);
			fill_col(&f, st, 9, &e->detail);
			if (with_order)
				fill_col(&f, st, 10, &e->order_id);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_list_unmatched(void *impl, struct ac_str carrier,
			     struct ac_str tracking_code,
			     struct store_hook_event_page *out,
			     struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_UNMATCHED_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, carrier);
	b_text(&b, tracking_code);
	b_int(&b, STORE_PAGE_MAX + 1);
	return event_page(q, st, &b, "list_unmatched", STORE_PAGE_MAX, false,
			  out, err);
}

static int sq_list_hook_events(void *impl, struct ac_str status, int limit,
			       struct store_hook_event_page *out,
			       struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_HOOK_EVENTS_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, status);
	b_int(&b, limit + 1);
	return event_page(q, st, &b, "list_hook_events", limit, true, out,
			  err);
}

static int sq_match_hook_event(void *impl, struct ac_str kind,
			       struct ac_str name, struct ac_str event_id,
			       struct ac_str status, struct ac_str order_id,
			       struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int changes = 0, rc;

	if ((rc = prep(q, ST_HOOK_EVENT_MATCH, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, kind);
	b_text(&b, name);
	b_text(&b, event_id);
	b_text(&b, status);
	b_text(&b, order_id);
	rc = exec_write(q, st, &b, "match_hook_event", NULL, &changes, err);
	if (!rc && changes == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "event.id", "event %.*s "
				"is not unmatched", (int)event_id.n,
				event_id.p);
	return rc;
}

/* ---- payment refunds (issue 10.4) ---- */

static int sq_put_payment_intent(void *impl, struct ac_str order_id,
				 struct ac_str intent, int64_t at,
				 struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_PAYINTENT_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, order_id);
	b_text(&b, intent);
	b_int(&b, at);
	return exec_write(q, st, &b, "put_payment_intent", NULL, NULL, err);
}

static int sq_get_payment_intent(void *impl, struct ac_str order_id,
				 char out[256], struct ac_err *err)
{
	const char *op = "get_payment_intent";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_PAYINTENT_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, order_id);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "payment_intent",
				"order %.*s has none", (int)order_id.n,
				order_id.p);
	if (rc == 1) {
		rc = 0;
		snprintf(out, 256, "%.*s", sqlite3_column_bytes(st, 0),
			 (const char *)sqlite3_column_text(st, 0));
	}
	done(st);
	return rc;
}

static int sq_put_refund_pay(void *impl, int64_t ledger_id,
			     struct ac_str case_id, int64_t outbox_id,
			     int64_t at, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_REFUNDPAY_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, ledger_id);
	b_text(&b, case_id);
	b_int(&b, outbox_id);
	b_int(&b, at);
	return exec_write(q, st, &b, "put_refund_pay", NULL, NULL, err);
}

/* read_refund_pay fills r from a row of the ST_REFUNDPAY_* columns. */
static void read_refund_pay(struct fill *f, sqlite3_stmt *st,
			    struct store_refund_pay *r)
{
	r->ledger_id = i64(st, 0);
	fill_col(f, st, 1, &r->case_id);
	fill_col(f, st, 2, &r->status);
	fill_col(f, st, 3, &r->provider_id);
	fill_col(f, st, 4, &r->reason);
	r->created_at = i64(st, 5);
	r->updated_at = i64(st, 6);
	r->amount_minor = i64(st, 7);
	fill_col(f, st, 8, &r->currency);
	fill_col(f, st, 9, &r->order_id);
	r->outbox_id = i64(st, 10);
}

static int sq_get_refund_pay(void *impl, int64_t ledger_id,
			     struct store_refund_pay *out, struct ac_err *err)
{
	const char *op = "get_refund_pay";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_REFUNDPAY_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, ledger_id);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "ledger_entry",
				"no refund %lld sent to the provider",
				(long long)ledger_id);
	if (rc == 1) {
		rc = 0;
		read_refund_pay(&f, st, out);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_set_refund_pay(void *impl, int64_t ledger_id,
			     struct ac_str status, struct ac_str provider_id,
			     struct ac_str reason, int64_t outbox_id,
			     int64_t at, bool force, int *changed,
			     struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_REFUNDPAY_SET, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, ledger_id);
	b_text(&b, status);
	b_text(&b, provider_id);
	b_text(&b, reason);
	b_int(&b, at);
	b_int(&b, force ? 1 : 0);
	b_int(&b, outbox_id);
	return exec_write(q, st, &b, "set_refund_pay", NULL, changed, err);
}

static int sq_list_refund_pays(void *impl, struct ac_str case_id,
			       struct store_refund_pay_page *out,
			       struct ac_err *err)
{
	const char *op = "list_refund_pays";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = prep(q, ST_REFUNDPAY_LIST, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, case_id);
	b_int(&b, STORE_PAGE_MAX + 1);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			if (out->n == STORE_PAGE_MAX) {
				out->more = true;
				rc = 0;
				break;
			}
			read_refund_pay(&f, st, &out->rows[out->n++]);
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

/* ---- the outbox (issue 10) ---- */

#define OB_COLS "id, kind, case_id, ref, dedupe, payload_json, status, " \
	"attempts, next_at, last_error, created_at, sent_at"

/* The outbox's statements, by enum st - ST_OUTBOX_ADD (prepared and cached
 * on the handle like the others, by ob_prep). A claim is one UPDATE of
 * the due rows the index outbox_due gives, soonest first; SQLite has one
 * writer, so two claims never take the same row. */
static const char *const ob_sql[] = {
	[ST_OUTBOX_ADD - ST_OUTBOX_ADD] =
		"INSERT INTO outbox (kind, case_id, ref, dedupe, payload_json, "
		"next_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		"ON CONFLICT (dedupe) DO NOTHING",
	[ST_OUTBOX_DUE - ST_OUTBOX_ADD] =
		"SELECT 1 FROM outbox WHERE kind = ?1 AND status IN "
		"('pending', 'sending') AND next_at <= ?2 LIMIT 1",
	[ST_OUTBOX_CLAIM - ST_OUTBOX_ADD] =
		"UPDATE outbox SET status = 'sending', "
		"attempts = attempts + 1, "
		"next_at = ?3 WHERE id IN (SELECT id FROM outbox WHERE "
		"kind = ?1 AND status IN ('pending', 'sending') AND "
		"next_at <= ?2 ORDER BY next_at LIMIT ?4) RETURNING " OB_COLS,
	[ST_OUTBOX_FINISH - ST_OUTBOX_ADD] =
		"UPDATE outbox SET status = ?3, next_at = ?4, last_error = ?5, "
		"sent_at = ?6 WHERE id = ?1 AND attempts = ?2 AND "
		"status = 'sending'",
	[ST_OUTBOX_RETRY - ST_OUTBOX_ADD] =
		"UPDATE outbox SET status = 'pending', attempts = 0, "
		"next_at = ?2 WHERE id = ?1 AND status IN ('dead', 'failed')",
	[ST_OUTBOX_GET - ST_OUTBOX_ADD] =
		"SELECT " OB_COLS " FROM outbox WHERE id = ?1",
	[ST_OUTBOX_LIST_STATUS - ST_OUTBOX_ADD] =
		"SELECT " OB_COLS " FROM outbox WHERE status = ?1 AND id > ?2 "
		"ORDER BY id LIMIT ?3",
	[ST_OUTBOX_LIST_CASE - ST_OUTBOX_ADD] =
		"SELECT " OB_COLS " FROM outbox WHERE case_id = ?1 AND "
		"id > ?2 AND (?4 IS NULL OR status = ?4) ORDER BY id LIMIT ?3",
	[ST_OUTBOX_DEPTH - ST_OUTBOX_ADD] =
		"SELECT kind, status, count(*) FROM outbox WHERE status IN "
		"('pending', 'sending', 'dead', 'failed') "
		"GROUP BY kind, status "
		"ORDER BY kind",
	[ST_BOUNCE_PUT - ST_OUTBOX_ADD] =
		"INSERT INTO bounces (case_id, address, reason, at) "
		"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (case_id) DO UPDATE SET "
		"address = excluded.address, reason = excluded.reason, "
		"at = excluded.at",
	[ST_BOUNCE_GET - ST_OUTBOX_ADD] =
		"SELECT case_id, address, reason, at FROM bounces "
		"WHERE case_id = ?1",
};

static int ob_prep(struct sq *q, enum st id, sqlite3_stmt **out,
		   struct ac_err *err)
{
	int rc;

	*out = NULL;
	if (!q->st[id]) {
		rc = sqlite3_prepare_v3(q->db, ob_sql[id - ST_OUTBOX_ADD], -1,
					SQLITE_PREPARE_PERSISTENT, &q->st[id],
					NULL);
		if (rc != SQLITE_OK)
			return db_error(q, rc, "store.prepare", err);
	}
	*out = q->st[id];
	return 0;
}

/* ob_row reads an OB_COLS row into r (strings through f). */
static int ob_row(struct fill *f, sqlite3_stmt *st, struct store_outbox *r,
		  struct ac_err *err)
{
	struct ac_str status = raw(st, 6);

	r->id = i64(st, 0);
	if (store_outbox_status_parse(status.p, status.n, &r->status))
		return corrupt("outbox.status", status, err);
	fill_col(f, st, 1, &r->kind);
	fill_col(f, st, 2, &r->case_id);
	fill_col(f, st, 3, &r->ref);
	fill_col(f, st, 4, &r->dedupe);
	fill_col(f, st, 5, &r->payload_json);
	r->attempts = (int)i64(st, 7);
	r->next_at = i64(st, 8);
	fill_col(f, st, 9, &r->last_error);
	r->created_at = i64(st, 10);
	r->has_sent = !is_null(st, 11);
	r->sent_at = i64(st, 11);
	return 0;
}

/* ob_page runs a bound statement of OB_COLS rows into out (limit rows,
 * more when another follows; limit 0: every row it gives). */
static int ob_page(struct sq *q, sqlite3_stmt *st, struct bind *b,
		   int limit, struct store_outbox_page *out, const char *op,
		   struct ac_err *err)
{
	struct fill f;
	int rc, frc;

	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, b, op, err)))
		while ((rc = step(q, st, op, err)) == 1) {
			if (out->n == (limit ? limit : STORE_PAGE_MAX)) {
				out->more = true;
				rc = 0;
				break;
			}
			if ((rc = ob_row(&f, st, &out->rows[out->n++], err)))
				break;
		}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int sq_outbox_add(void *impl, const struct store_outbox *m,
			 int64_t *id, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc, changes = 0;

	if ((rc = ob_prep(q, ST_OUTBOX_ADD, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, m->kind);
	b_opt(&b, m->case_id);
	b_opt(&b, m->ref);
	b_text(&b, m->dedupe);
	b_text(&b, m->payload_json);
	b_int(&b, m->next_at);
	b_int(&b, m->created_at);
	rc = exec_write(q, st, &b, "outbox_add", id, &changes, err);
	if (!rc && id && changes == 0)
		*id = 0;                /* the dedupe key is there already */
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "outbox.case_id", "no such case: %.*s",
			   (int)m->case_id.n, m->case_id.p);
	else if (rc == AC_EINVAL)
		ac_err_set(err, rc, "outbox.payload_json", "not JSON");
	return rc;
}

static int sq_outbox_claim(void *impl, struct ac_str kind, int64_t now,
			   int64_t lease_until, int limit,
			   struct store_outbox_page *out, struct ac_err *err)
{
	const char *op = "outbox_claim";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	/* a read first: an idle worker never takes the write lock */
	if ((rc = ob_prep(q, ST_OUTBOX_DUE, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, kind);
	b_int(&b, now);
	if (!(rc = b_end(q, &b, op, err)))
		rc = step(q, st, op, err);
	done(st);
	if (rc <= 0)
		return rc;
	if ((rc = ob_prep(q, ST_OUTBOX_CLAIM, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, kind);
	b_int(&b, now);
	b_int(&b, lease_until);
	b_int(&b, limit);
	return ob_page(q, st, &b, 0, out, op, err);
}

/* ob_state tells why an update of row id changed nothing: AC_ENOTFOUND
 * when there is no such row, else AC_ESTATE with msg. */
static int ob_state(struct sq *q, int64_t id, const char *msg,
		    struct ac_err *err)
{
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = ob_prep(q, ST_OUTBOX_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, id);
	if (!(rc = b_end(q, &b, "outbox", err)))
		rc = step(q, st, "outbox", err);
	if (rc == 1) {
		struct ac_str s = raw(st, 6);

		rc = ac_err_set(err, AC_ESTATE, "outbox.status", "%s (it is "
				"%.*s)", msg, (int)s.n, s.p);
	} else if (rc == 0) {
		rc = ac_err_set(err, AC_ENOTFOUND, "outbox.id",
				"no such message: %lld", (long long)id);
	}
	done(st);
	return rc;
}

static int sq_outbox_finish(void *impl, int64_t id, int attempts,
			    enum store_outbox_status to, int64_t next_at,
			    struct ac_str error, int64_t at,
			    struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc, changes = 0;

	if ((rc = ob_prep(q, ST_OUTBOX_FINISH, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, id);
	b_int(&b, attempts);
	b_cstr(&b, store_outbox_status_name(to));
	b_int(&b, to == STORE_OUTBOX_PENDING ? next_at : at);
	b_opt(&b, error);
	b_opt_int(&b, to == STORE_OUTBOX_SENT, at);
	rc = exec_write(q, st, &b, "outbox_finish", NULL, &changes, err);
	if (!rc && changes == 0)
		rc = ob_state(q, id, "no longer this claim's", err);
	return rc;
}

static int sq_outbox_retry(void *impl, int64_t id, int64_t at,
			   struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc, changes = 0;

	if ((rc = ob_prep(q, ST_OUTBOX_RETRY, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, id);
	b_int(&b, at);
	rc = exec_write(q, st, &b, "outbox_retry", NULL, &changes, err);
	if (!rc && changes == 0)
		rc = ob_state(q, id, "only a dead or failed message is retried",
			      err);
	return rc;
}

static int sq_get_outbox(void *impl, int64_t id,
			 struct store_outbox_page *out, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = ob_prep(q, ST_OUTBOX_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, id);
	rc = ob_page(q, st, &b, 1, out, "get_outbox", err);
	if (!rc && out->n == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "outbox.id",
				"no such message: %lld", (long long)id);
	out->more = false;
	return rc;
}

static int sq_list_outbox(void *impl, const struct store_outbox_filter *flt,
			  struct store_outbox_page *out, struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	const char *status = flt->has_status ?
			     store_outbox_status_name(flt->status) : NULL;
	int rc;

	if ((rc = ob_prep(q, flt->case_id.n ? ST_OUTBOX_LIST_CASE :
			  ST_OUTBOX_LIST_STATUS, &st, err)))
		return rc;
	b_start(&b, st);
	if (flt->case_id.n)
		b_text(&b, flt->case_id);
	else
		b_cstr(&b, status);
	b_int(&b, flt->after_id);
	b_int(&b, limit_plus_one(flt->limit));
	if (flt->case_id.n)
		b_cstr(&b, status);
	return ob_page(q, st, &b, flt->limit, out, "list_outbox", err);
}

/* ob_depth_add counts n rows of (kind, status) into out. */
static void ob_depth_add(struct store_outbox_depth *out, struct ac_str kind,
			 struct ac_str status, int64_t n)
{
	enum store_outbox_status s;
	int i;

	if (store_outbox_status_parse(status.p, status.n, &s))
		return;
	for (i = 0; i < out->n; i++)
		if (strlen(out->kinds[i].kind) == kind.n &&
		    !memcmp(out->kinds[i].kind, kind.p, kind.n))
			break;
	if (i == out->n) {
		if (out->n == STORE_OUTBOX_DEPTH_MAX ||
		    kind.n > STORE_OUTBOX_KIND_MAX)
			return;
		memset(&out->kinds[i], 0, sizeof out->kinds[i]);
		memcpy(out->kinds[i].kind, kind.p, kind.n);
		out->n++;
	}
	if (s == STORE_OUTBOX_PENDING)
		out->kinds[i].pending += n;
	else if (s == STORE_OUTBOX_SENDING)
		out->kinds[i].sending += n;
	else if (s == STORE_OUTBOX_DEAD)
		out->kinds[i].dead += n;
	else if (s == STORE_OUTBOX_FAILED)
		out->kinds[i].failed += n;
}

static int sq_outbox_depth(void *impl, struct store_outbox_depth *out,
			   struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	int rc;

	if ((rc = ob_prep(q, ST_OUTBOX_DEPTH, &st, err)))
		return rc;
	while ((rc = step(q, st, "outbox_depth", err)) == 1)
		ob_depth_add(out, raw(st, 0), raw(st, 1), i64(st, 2));
	done(st);
	return rc;
}

static int sq_put_bounce(void *impl, const struct store_bounce *bo,
			 struct ac_err *err)
{
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = ob_prep(q, ST_BOUNCE_PUT, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, bo->case_id);
	b_text(&b, bo->address);
	b_text(&b, bo->reason);
	b_int(&b, bo->at);
	rc = exec_write(q, st, &b, "put_bounce", NULL, NULL, err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "bounce.case_id", "no such case: %.*s",
			   (int)bo->case_id.n, bo->case_id.p);
	return rc;
}

static int sq_get_bounce(void *impl, struct ac_str case_id,
			 struct store_bounce *out, struct ac_err *err)
{
	const char *op = "get_bounce";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	if ((rc = ob_prep(q, ST_BOUNCE_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, case_id);
	fill_init(&f, &out->mem);
	if (!(rc = b_end(q, &b, op, err)))
		rc = step(q, st, op, err);
	if (rc == 1) {
		fill_col(&f, st, 0, &out->case_id);
		fill_col(&f, st, 1, &out->address);
		fill_col(&f, st, 2, &out->reason);
		out->at = i64(st, 3);
		rc = 0;
	} else if (rc == 0) {
		rc = ac_err_set(err, AC_ENOTFOUND, "bounce.case_id",
				"no bounce on %.*s", (int)case_id.n,
				case_id.p);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

/* ---- reports (issue 9.3) ---- */

/* The dims' names in report_sums.dim, in enum store_report_dim's order. */
static const char *const report_dim_names[STORE_REPORT_DIM_COUNT] = {
	"week", "type", "clause", "staff", "material", "kind",
};

/* copy_cell copies a text column into a fixed buffer; AC_ELIMIT when it
 * does not fit. */
static int copy_cell(sqlite3_stmt *st, int col, char *out, size_t cap,
		     const char *field, struct ac_err *err)
{
	struct ac_str v = raw(st, col);

	if (v.n >= cap)
		return ac_err_set(err, AC_ELIMIT, field, "longer than %zu "
				  "bytes", cap - 1);
	memcpy(out, v.p, v.n);
	out[v.n] = '\0';
	return 0;
}

static int sq_report_sums(void *impl, enum store_report_dim dim,
			  int64_t from_week, int64_t to_week,
			  struct store_report_row *rows, int cap, int *n,
			  struct ac_err *err)
{
	const char *op = "report_sums";
	bool weeks = dim == STORE_REPORT_WEEK;
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, weeks ? ST_REPORT_WEEKS : ST_REPORT_GROUPS, &st,
		       err)))
		return rc;
	b_start(&b, st);
	b_int(&b, from_week);
	b_int(&b, to_week);
	b_int(&b, (int64_t)cap + 1);
	if (!weeks)
		b_cstr(&b, report_dim_names[dim]);
	rc = b_end(q, &b, op, err);
	while (!rc && (rc = step(q, st, op, err)) == 1) {
		struct store_report_row *r = &rows[*n];

		if (*n == cap) {
			rc = ac_err_set(err, AC_ELIMIT, "report.rows",
					"more than %d rows", cap);
			break;
		}
		r->week = i64(st, 0);
		if ((rc = copy_cell(st, 1, r->key, sizeof r->key,
				    "report.key", err)) ||
		    (rc = copy_cell(st, 2, r->currency, sizeof r->currency,
				    "report.currency", err)))
			break;
		r->cases = i64(st, 3);
		r->refunds = i64(st, 4);
		r->refunded_minor = i64(st, 5);
		(*n)++;
		rc = 0;
	}
	done(st);
	return rc;
}

static int sq_report_durations(void *impl, enum store_report_wait what,
			       int64_t from_week, int64_t to_week,
			       int64_t counts[STORE_REPORT_BUCKETS],
			       struct ac_err *err)
{
	const char *op = "report_durations";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_REPORT_DURATIONS, &st, err)))
		return rc;
	b_start(&b, st);
	b_cstr(&b, what == STORE_WAIT_DECISION ? "decision" : "refund");
	b_int(&b, from_week);
	b_int(&b, to_week);
	rc = b_end(q, &b, op, err);
	while (!rc && (rc = step(q, st, op, err)) == 1) {
		int64_t bucket = i64(st, 0);

		rc = 0;
		if (bucket < 0 || bucket >= STORE_REPORT_BUCKETS) {
			rc = ac_err_set(err, AC_EIO, "report.bucket",
					"no bucket %lld", (long long)bucket);
			break;
		}
		counts[bucket] = i64(st, 1);
	}
	done(st);
	return rc;
}

static int sq_report_claimants(void *impl, bool by_address,
			       int64_t min_claims,
			       struct store_claimant *rows, int cap, int *n,
			       int64_t *total, struct ac_err *err)
{
	const char *op = "report_claimants";
	const char *by = by_address ? "address" : "email";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	struct atomic a;
	int rc;

	if ((rc = atomic_begin(q, false, &a, op, err)))
		return rc;
	if (!(rc = prep(q, ST_REPORT_CLAIMANTS, &st, err))) {
		b_start(&b, st);
		b_cstr(&b, by);
		b_int(&b, min_claims);
		b_int(&b, cap);
		rc = b_end(q, &b, op, err);
		while (!rc && (rc = step(q, st, op, err)) == 1) {
			struct store_claimant *c = &rows[*n];

			if ((rc = copy_cell(st, 0, c->key, sizeof c->key,
					    "report.key", err)))
				break;
			c->claims = i64(st, 1);
			c->not_received = i64(st, 2);
			c->damaged = i64(st, 3);
			c->last_at = i64(st, 4);
			(*n)++;
			rc = 0;
		}
		done(st);
	}
	if (!rc && !(rc = prep(q, ST_REPORT_CLAIMANTS_N, &st, err))) {
		b_start(&b, st);
		b_cstr(&b, by);
		b_int(&b, min_claims);
		if (!(rc = b_end(q, &b, op, err)) &&
		    (rc = step(q, st, op, err)) == 1) {
			*total = i64(st, 0);
			rc = 0;
		}
		done(st);
	}
	return atomic_end(q, &a, rc, op, err);
}

static int sq_count_due_before(void *impl, int64_t at, int64_t *n,
			       struct ac_err *err)
{
	const char *op = "count_due_before";
	struct sq *q = impl;
	sqlite3_stmt *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_DUE_COUNT, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, at);
	b_int(&b, store_report_day(at));
	if (!(rc = b_end(q, &b, op, err)) &&
	    (rc = step(q, st, op, err)) == 1) {
		*n = i64(st, 0);
		rc = 0;
	}
	done(st);
	return rc;
}

const struct store_ops store_sqlite_ops = {
	.version = 1,
	.name = "sqlite",
	.xOpen = sq_open,
	.xClose = sq_close,
	.xSchemaVersion = sq_schema_version,
	.xHealth = sq_health,
	.xBegin = sq_begin,
	.xBeginRead = sq_begin_read,
	.xCommit = sq_commit,
	.xRollback = sq_rollback,
	.xInTransaction = sq_in_transaction,
	.xSavepoint = sq_savepoint,
	.xTestFailAfter = sq_test_fail_after,
	.xPutOrder = sq_put_order,
	.xGetOrder = sq_get_order,
	.xPutShipment = sq_put_shipment,
	.xAddTrackingEvent = sq_add_tracking_event,
	.xListTrackingEvents = sq_list_tracking_events,
	.xPutCase = sq_put_case,
	.xGetCase = sq_get_case,
	.xGetCaseView = sq_get_case_view,
	.xUpdateCaseStatus = sq_update_case_status,
	.xUpdateCaseOverride = sq_update_case_override,
	.xUpdateCaseApproval = sq_update_case_approval,
	.xListCases = sq_list_cases,
	.xListDue = sq_list_due,
	.xSaveDecision = sq_save_decision,
	.xGetCurrentDecision = sq_get_current_decision,
	.xAddLedger = sq_add_ledger,
	.xSumLedgerCase = sq_sum_ledger_case,
	.xSumLedgerOrder = sq_sum_ledger_order,
	.xGetIdempotency = sq_get_idempotency,
	.xPutIdempotency = sq_put_idempotency,
	.xPutQuote = sq_put_quote,
	.xUpdateQuote = sq_update_quote,
	.xGetQuote = sq_get_quote,
	.xGetCaseQuote = sq_get_case_quote,
	.xAddNote = sq_add_note,
	.xListNotes = sq_list_notes,
	.xPutEvidence = sq_put_evidence,
	.xGetEvidence = sq_get_evidence,
	.xListEvidence = sq_list_evidence,
	.xCaseCounts = sq_case_counts,
	.xAppendAudit = sq_append_audit,
	.xListAudit = sq_list_audit,
	.xPutToken = sq_put_token,
	.xFindToken = sq_find_token,
	.xRevokeToken = sq_revoke_token,
	.xRevokeTokensNamed = sq_revoke_tokens_named,
	.xPutStaffUser = sq_put_staff_user,
	.xGetStaffUser = sq_get_staff_user,
	.xListStaffUsers = sq_list_staff_users,
	.xUpdateStaffLogin = sq_update_staff_login,
	.xPutSession = sq_put_session,
	.xGetSession = sq_get_session,
	.xEndSession = sq_end_session,
	.xPurgeSessions = sq_purge_sessions,
	.xGetLookupFailures = sq_get_lookup_failures,
	.xAddLookupFailure = sq_add_lookup_failure,
	.xPurgeLookupFailures = sq_purge_lookup_failures,
	.xAddMessage = sq_add_message,
	.xListMessages = sq_list_messages,
	.xCountRows = sq_count_rows,
	.xReadRows = sq_read_rows,
	.xInsertRow = sq_insert_row,
	.xCopyDone = sq_copy_done,
	.xCountReplay = sq_count_replay,
	.xReadReplay = sq_read_replay,
	.xPutPolicy = sq_put_policy,
	.xGetPolicy = sq_get_policy,
	.xActivePolicy = sq_active_policy,
	.xActivatePolicy = sq_activate_policy,
	.xListPolicies = sq_list_policies,
	.xPutHook = sq_put_hook,
	.xGetHook = sq_get_hook,
	.xListHooks = sq_list_hooks,
	.xPutHookEvent = sq_put_hook_event,
	.xPutParcel = sq_put_parcel,
	.xFindParcel = sq_find_parcel,
	.xListUnmatched = sq_list_unmatched,
	.xMatchHookEvent = sq_match_hook_event,
	.xListHookEvents = sq_list_hook_events,
	.xPutPaymentIntent = sq_put_payment_intent,
	.xGetPaymentIntent = sq_get_payment_intent,
	.xPutRefundPay = sq_put_refund_pay,
	.xGetRefundPay = sq_get_refund_pay,
	.xSetRefundPay = sq_set_refund_pay,
	.xListRefundPays = sq_list_refund_pays,
	/* the outbox (issue 10) */
	.xOutboxAdd = sq_outbox_add,
	.xOutboxClaim = sq_outbox_claim,
	.xOutboxFinish = sq_outbox_finish,
	.xOutboxRetry = sq_outbox_retry,
	.xGetOutbox = sq_get_outbox,
	.xListOutbox = sq_list_outbox,
	.xOutboxDepth = sq_outbox_depth,
	.xPutBounce = sq_put_bounce,
	.xGetBounce = sq_get_bounce,
	.xReportSums = sq_report_sums,
	.xReportDurations = sq_report_durations,
	.xReportClaimants = sq_report_claimants,
	.xCountDueBefore = sq_count_due_before,
};
