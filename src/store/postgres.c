/* postgres.c: the PostgreSQL backend of the store (store layer).
 * One libpq connection per handle; migrations (migrations_pg.S) applied at
 * open under an advisory lock; every statement prepared once per
 * connection (PQprepare) and run with PQexecPrepared, its parameters sent
 * in binary with their types given. The same semantics as sqlite.c:
 *
 * - store_begin is BEGIN (READ COMMITTED) and then the one writer's lock
 *   (a transaction advisory lock), the counterpart of SQLite's BEGIN
 *   IMMEDIATE: write transactions serialise across every server on the
 *   database, waiting lock_timeout at most. Without it, two servers'
 *   group commits, each holding the locks of the refunds already in its
 *   batch (and the case_counts row), deadlock as soon as they meet on two
 *   cases in opposite orders. store_begin_read is BEGIN ISOLATION LEVEL
 *   REPEATABLE READ READ ONLY (one snapshot, no lock).
 * - Where two servers could pay one case twice, a write transaction also
 *   locks before it reads (for a write made without store_begin's lock,
 *   and should that lock ever become finer): store_get_idempotency takes
 *   a transaction advisory lock on (scope, key); store_sum_ledger_case and
 *   store_sum_ledger_order lock the order's row (FOR NO KEY UPDATE).
 *   Case numbers come from a one-row counter (case_seq) updated in the
 *   insert: unique, gapless and in commit order across servers. The
 *   first case a write transaction puts says which number comes next,
 *   and the next case put in it takes that one (put_case_next).
 * - PostgreSQL aborts a whole transaction on a failed statement; so inside
 *   a transaction every writing statement runs under a savepoint of its
 *   own (or its call's), and a failed call is undone alone, as on SQLite.
 *   Inside the caller's savepoint (store_savepoint: the desk's group
 *   commit, all or nothing) the statements go without one, a round trip
 *   instead of three: a call that fails there leaves the savepoint's work
 *   to be rolled back (STORE_SP_ROLLBACK), which its caller does anyway.
 *   A COMMIT the server answers with ROLLBACK is reported as a failure.
 * - lock_timeout 5 s (a writer waits that long for another, then AC_EIO
 *   "database is busy") and statement_timeout 10 s (a slow statement fails
 *   with AC_EIO instead of holding the connection).
 * - A connection that drops fails the call with AC_EIO (and the open
 *   transaction, whose commit then fails); the next call outside a
 *   transaction reconnects (PQreset) and prepares its statements again, so
 *   a restarted server is picked up without restarting aftercare. A read
 *   or BEGIN outside a transaction that meets a dropped connection is
 *   tried once more on a new one.
 * A handle is for one thread at a time: open one per worker. */
#include <assert.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "../core/case.h"
#include "../core/item.h"
#include "../core/money.h"
#include "store.h"

#define CONNECT_TIMEOUT "5"             /* seconds, unless the DSN says */
#define LOCK_TIMEOUT_MS 5000
#define STATEMENT_TIMEOUT_MS 10000

/* Advisory lock classes (the first key of pg_advisory_lock(int, int)). */
#define LOCK_MIGRATE 1634100584         /* schema: migrations */
#define LOCK_IDEM 1634100585            /* an idempotency (scope, key) */
#define LOCK_WRITER 1634100586          /* the one writer (key 0) */

/* Type OIDs (pg_type.h), for PQprepare. */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25

/* ---- migrations ------------------------------------------------------- */

extern const char ac_pg_migration_0001[];
extern const char ac_pg_migration_0002[];
extern const char ac_pg_migration_0003[];
extern const char ac_pg_migration_0004[];
extern const char ac_pg_migration_0005[];
extern const char ac_pg_migration_0006[];
extern const char ac_pg_migration_0007[];
extern const char ac_pg_migration_0008[];
extern const char ac_pg_migration_0009[];
extern const char ac_pg_migration_0010[];
extern const char ac_pg_migration_0011[];
extern const char ac_pg_migration_0012[];
extern const char ac_pg_migration_0013[];
extern const char ac_pg_migration_0014[];
extern const char ac_pg_migration_0015[];
extern const char ac_pg_migration_0016[];
extern const char ac_pg_migration_0017[];
extern const char ac_pg_migration_0018[];
extern const char ac_pg_migration_0019[];
extern const char ac_pg_migration_0020[];

/* In step with sqlite.c's table: the same versions and names. Append new
 * migrations here, in order, with their symbols in migrations_pg.S. */
static const struct migration {
	int version;
	const char *name;
	const char *sql;                  /* NUL-terminated (see .S) */
} migrations[] = {
	{ 1, "0001_init", ac_pg_migration_0001 },
	{ 2, "0002_big", ac_pg_migration_0002 },
	{ 3, "0003_idem", ac_pg_migration_0003 },
	{ 4, "0004_pages", ac_pg_migration_0004 },
	{ 5, "0005_queue", ac_pg_migration_0005 },
	{ 6, "0006_policy", ac_pg_migration_0006 },
	{ 7, "0007_reports", ac_pg_migration_0007 },
	{ 8, "0008_outbox", ac_pg_migration_0008 },
	{ 9, "0009_hooks", ac_pg_migration_0009 },
	{ 10, "0010_import", ac_pg_migration_0010 },
	{ 11, "0011_plpgsql", ac_pg_migration_0011 },
	{ 12, "0012_checks", ac_pg_migration_0012 },
	{ 13, "0013_open", ac_pg_migration_0013 },
	{ 14, "0014_pending", ac_pg_migration_0014 },
	{ 15, "0015_fold", ac_pg_migration_0015 },
	{ 16, "0016_writes", ac_pg_migration_0016 },
	{ 17, "0017_domains", ac_pg_migration_0017 },
	{ 18, "0018_counts", ac_pg_migration_0018 },
	{ 19, "0019_decided", ac_pg_migration_0019 },
	{ 20, "0020_plans", ac_pg_migration_0020 },
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* ---- the statements --------------------------------------------------- */

enum st {
	ST_BEGIN, ST_BEGIN_READ, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO, ST_SP_BEGIN, ST_SP_RELEASE, ST_SP_ROLLBACK,
	ST_STMT_SP, ST_STMT_RELEASE, ST_STMT_ROLLBACK, ST_WRITER, ST_FOLD,
	ST_HEALTH, ST_VERSION, ST_VERSION_ADD,
	ST_ORDER_PUT, ST_ITEM_PUT, ST_SHIPMENT_PUT, ST_ORDER_GET, ST_ITEMS_GET,
	ST_SHIPMENT_GET, ST_TRACKING_ADD, ST_TRACKING_LIST,
	ST_CASE_PUT, ST_CASE_PUT_AT, ST_CASE_GET, ST_CASE_VIEW,
	ST_CASE_STATUS,
	ST_CASE_OVERRIDE,
	ST_CASE_APPROVAL, ST_CASE_CURSOR, ST_DUE_LIST,
	ST_DECISION_SAVE, ST_DECISION_SAVE_AS, ST_DECISION_SAVE_CUR,
	ST_DECISION_GET,
	ST_LEDGER_ADD, ST_LEDGER_SUM_CASE, ST_LEDGER_SUM_ORDER,
	ST_LOCK_CASE_ORDER, ST_LOCK_ORDER,
	ST_IDEM_LOCK, ST_IDEM_GET, ST_IDEM_PUT,
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
	/* the outbox (issue 10): statements in its own block below */
	ST_OUTBOX_ADD, ST_OUTBOX_DUE, ST_OUTBOX_CLAIM, ST_OUTBOX_FINISH,
	ST_OUTBOX_RETRY, ST_OUTBOX_GET, ST_OUTBOX_LIST_STATUS,
	ST_OUTBOX_LIST_CASE, ST_OUTBOX_DEPTH, ST_BOUNCE_PUT, ST_BOUNCE_GET,
	/* reports (issue 9.3): statements in its own block below */
	ST_REPORT_WEEKS, ST_REPORT_GROUPS, ST_REPORT_DURATIONS,
	ST_REPORT_CLAIMANTS, ST_REPORT_CLAIMANTS_N, ST_DUE_COUNT,
	ST_COUNT
};

/* A statement: its text, its parameters' types (t text, i int8, b bytea,
 * one letter each) and whether it writes (then, inside a transaction, it
 * runs under a savepoint of its own unless its call holds one). */
struct stmt_def {
	const char *sql;
	const char *types;
	bool write;
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
#define CASE_ROW_COLS "id, order_id, status, claim_type, opened_at, " \
	"created_at, updated_at, verdict, deadline, decision_id, seq, " \
	"response_due_at, due_at, clause, customer"
/* An audit list: $1 the cursor, $2 the entity, $3 its id, $4 the limit. */
#define AUDIT_LIST(where) \
	"SELECT id, at, actor, action, entity, entity_id, before_json, " \
	"after_json FROM audit WHERE " where " AND id > $1 " \
	"ORDER BY id LIMIT $4"
#define SUM_LEDGER(key) \
	"SELECT coalesce(sum(CASE kind WHEN 'refund' THEN amount_minor " \
	"END), 0), coalesce(sum(CASE kind WHEN 'charge' THEN " \
	"amount_minor END), 0), count(*) FROM ledger WHERE " key " = $1"

static const struct stmt_def stmts[ST_COUNT] = {
	[ST_BEGIN] = { "BEGIN", "", false },
	[ST_BEGIN_READ] = { "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
			    "", false },
	[ST_COMMIT] = { "COMMIT", "", false },
	[ST_ROLLBACK] = { "ROLLBACK", "", false },
	[ST_SAVEPOINT] = { "SAVEPOINT store_op", "", false },
	[ST_RELEASE] = { "RELEASE store_op", "", false },
	[ST_ROLLBACK_TO] = { "ROLLBACK TO store_op", "", false },
	[ST_SP_BEGIN] = { "SAVEPOINT caller_op", "", false },
	[ST_SP_RELEASE] = { "RELEASE caller_op", "", false },
	[ST_SP_ROLLBACK] = { "ROLLBACK TO caller_op", "", false },
	[ST_STMT_SP] = { "SAVEPOINT store_stmt", "", false },
	[ST_STMT_RELEASE] = { "RELEASE store_stmt", "", false },
	[ST_STMT_ROLLBACK] = { "ROLLBACK TO store_stmt", "", false },
	/* the write lock, held to the end of the transaction */
	[ST_WRITER] = { "SELECT pg_advisory_xact_lock(1634100586, 0), "
			"txid_current()", "", false },
	/* the cases opened in the transaction, counted in the report
	 * summaries before it commits (0015_fold) */
	[ST_FOLD] = { "SELECT report_fold()", "", true },
	[ST_HEALTH] = { "SELECT 1", "", false },
	[ST_VERSION] = {
		"SELECT coalesce(max(version), 0) FROM schema_version", "",
		false },
	[ST_VERSION_ADD] = {
		"INSERT INTO schema_version (version, name, applied_at) "
		"VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) "
		"* 1000000)::bigint)", "it", true },

	[ST_ORDER_PUT] = {
		"INSERT INTO orders (id, placed_at, currency, shipping_minor, "
		"paid_minor, " ADDR_COLS ", customer_name, customer_email, "
		"created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
		"$11, $12, $13, $14, $15)", "titiittttttttti", true },
	[ST_ITEM_PUT] = {
		"INSERT INTO items (order_id, line, sku, kind, style, shape, "
		"material, color, size_milli, price_minor, certificate) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		"tittttttiit", true },
	[ST_SHIPMENT_PUT] = {
		"INSERT INTO shipments (order_id, shipped_at, " ADDR_COLS
		", delivered_at, courier_finding, customs, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
		"$13) ON CONFLICT (order_id) DO UPDATE SET "
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
		"titttttttitti", true },
	[ST_ORDER_GET] = {
		"SELECT id, placed_at, currency, shipping_minor, paid_minor, "
		ADDR_COLS ", customer_name, customer_email, created_at "
		"FROM orders WHERE id = $1", "t", false },
	[ST_ITEMS_GET] = {
		"SELECT line, sku, kind, style, shape, material, color, "
		"size_milli, price_minor, certificate FROM items "
		"WHERE order_id = $1 ORDER BY line", "t", false },
	[ST_SHIPMENT_GET] = {
		"SELECT shipped_at, " ADDR_COLS ", delivered_at, "
		"courier_finding, customs, updated_at FROM shipments "
		"WHERE order_id = $1", "t", false },
	[ST_TRACKING_ADD] = {
		"INSERT INTO tracking_events (order_id, at, kind, detail) "
		"VALUES ($1, $2, $3, $4) RETURNING id", "titt", true },
	[ST_TRACKING_LIST] = {
		"SELECT id, order_id, at, kind, detail FROM tracking_events "
		"WHERE order_id = $1 AND id > $2 ORDER BY id LIMIT $3", "tii",
		false },

	/* seq from the counter row (locked to the commit); a store-picked
	 * id is made of it, at least six digits */
	[ST_CASE_PUT] = {
		"WITH n (seq) AS (UPDATE case_seq SET n = n + 1 WHERE id = 1 "
		"RETURNING n) "
		"INSERT INTO cases (seq, " CASE_COLS ", response_due_at, "
		"verdict, clause, deadline, customer, decision_id) "
		"SELECT n.seq, coalesce($1, 'C-' || CASE WHEN n.seq < 1000000 "
		"THEN lpad(n.seq::text, 6, '0') ELSE n.seq::text END), $2, "
		"$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
		"$16, $17, $18, (SELECT ac_customer(o.customer_email) "
		"FROM orders o WHERE o.id = $2), "
		"CASE WHEN $16 IS NOT NULL "
		"THEN nextval('decisions_id_seq') END "
		"FROM n RETURNING id, decision_id, seq",
		"ttttitiitttitiitti", true },
	/* the same with the number ($19) and id ($1) known beforehand
	 * (put_case_next); case_seq_follow moves the counter to it */
	[ST_CASE_PUT_AT] = {
		"INSERT INTO cases (seq, " CASE_COLS ", response_due_at, "
		"verdict, clause, deadline, customer, decision_id) "
		"VALUES ($19, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
		"$12, $13, $14, $15, $16, $17, $18, "
		"(SELECT ac_customer(o.customer_email) "
		"FROM orders o WHERE o.id = $2), "
		"CASE WHEN $16 IS NOT NULL "
		"THEN nextval('decisions_id_seq') END)",
		"ttttitiitttitiittii", true },
	[ST_CASE_GET] = {
		"SELECT " CASE_COLS ", response_due_at FROM cases "
		"WHERE id = $1", "t", false },
	[ST_CASE_VIEW] = {
		"SELECT c.id, c.order_id, c.status, c.claim_type, "
		"c.opened_at, c.claim_json, c.created_at, c.updated_at, "
		"c.override_verdict, c.override_reason, c.override_author, "
		"c.overridden_at, c.approved_by, c.approved_at, "
		"c.response_due_at, d.decided_at, d.decision_json, "
		"(SELECT coalesce(sum(amount_minor), 0) FROM ledger "
		"WHERE case_id = $1 AND kind = 'refund'), "
		"(SELECT coalesce(sum(amount_minor), 0) FROM ledger "
		"WHERE case_id = $1 AND kind = 'charge'), "
		"(SELECT count(*) FROM ledger WHERE case_id = $1), "
		"q.id, q.amount_minor, q.status, q.expires_at, q.created_at, "
		"q.updated_at "
		"FROM cases c "
		"LEFT JOIN decisions d ON d.id = c.decision_id "
		"LEFT JOIN repair_quotes q ON q.id = (SELECT max(id) "
		"FROM repair_quotes WHERE case_id = $1) "
		"WHERE c.id = $1", "t", false },
	[ST_CASE_STATUS] = {
		"UPDATE cases SET status = $2, updated_at = $3 WHERE id = $1",
		"tti", true },
	[ST_CASE_OVERRIDE] = {
		"UPDATE cases SET override_verdict = $2, override_reason = $3, "
		"override_author = $4, overridden_at = $5, updated_at = $5 "
		"WHERE id = $1", "tttti", true },
	[ST_CASE_APPROVAL] = {
		"UPDATE cases SET approved_by = $2, approved_at = $3, "
		"updated_at = $3 WHERE id = $1", "tti", true },
	[ST_CASE_CURSOR] = {
		"SELECT seq, deadline FROM cases WHERE id = $1", "t", false },
	[ST_DUE_LIST] = {
		"SELECT " CASE_ROW_COLS " FROM cases WHERE due_at <= $1 "
		"AND (due_at, seq) > ($2, $3) ORDER BY due_at, seq LIMIT $4",
		"iiii", false },

	[ST_DECISION_SAVE] = {
		"INSERT INTO decisions (case_id, decided_at, verdict, "
		"refund_max_minor, charge_minor, deadline, policy, "
		"decision_json, facts_json) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
		"titiiittt", true },
	[ST_DECISION_SAVE_AS] = {
		"INSERT INTO decisions (id, case_id, decided_at, verdict, "
		"refund_max_minor, charge_minor, deadline, policy, "
		"decision_json, facts_json) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
		"ititiiittt", true },
	/* the id drawn by the case's insert just before, in this session
	 * (put_case_next: not known to the store when it was sent) */
	[ST_DECISION_SAVE_CUR] = {
		"INSERT INTO decisions (id, case_id, decided_at, verdict, "
		"refund_max_minor, charge_minor, deadline, policy, "
		"decision_json, facts_json) "
		"VALUES (currval('decisions_id_seq'), $1, $2, $3, $4, $5, $6, "
		"$7, $8, $9) RETURNING id", "titiiittt", true },
	[ST_DECISION_GET] = {
		"SELECT " DECISION_COLS " FROM decisions WHERE id = "
		"(SELECT decision_id FROM cases WHERE id = $1)", "t", false },

	[ST_LEDGER_ADD] = {
		"INSERT INTO ledger (case_id, order_id, kind, amount_minor, "
		"currency, created_at, actor, idempotency_key) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
		"tttititt", true },
	[ST_LEDGER_SUM_CASE] = { SUM_LEDGER("case_id"), "t", false },
	[ST_LEDGER_SUM_ORDER] = { SUM_LEDGER("order_id"), "t", false },
	/* a write transaction's sums: the order's row is locked first, so
	 * no other server adds to them before this one commits */
	[ST_LOCK_CASE_ORDER] = {
		"SELECT 1 FROM orders WHERE id = (SELECT order_id FROM cases "
		"WHERE id = $1) FOR NO KEY UPDATE", "t", false },
	[ST_LOCK_ORDER] = {
		"SELECT 1 FROM orders WHERE id = $1 FOR NO KEY UPDATE", "t",
		false },

	[ST_IDEM_LOCK] = {
		"SELECT pg_advisory_xact_lock(1634100585, "
		"hashtext($1 || chr(10) || $2))", "tt", false },
	[ST_IDEM_GET] = {
		"SELECT i.scope, i.key, i.request_hash, i.ledger_id, "
		"i.refunded_total_minor, l.currency, i.created_at "
		"FROM idempotency i LEFT JOIN ledger l ON l.id = i.ledger_id "
		"WHERE i.scope = $1 AND i.key = $2", "tt", false },
	[ST_IDEM_PUT] = {
		"INSERT INTO idempotency (scope, key, request_hash, "
		"ledger_id, refunded_total_minor, created_at) "
		"VALUES ($1, $2, $3, $4, $5, $6)", "tttiii", true },

	[ST_QUOTE_PUT] = {
		"INSERT INTO repair_quotes (case_id, amount_minor, status, "
		"expires_at, created_at, updated_at) "
		"VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", "titiii",
		true },
	[ST_QUOTE_UPDATE] = {
		"UPDATE repair_quotes SET status = $2, updated_at = $3 "
		"WHERE id = $1", "iti", true },
	[ST_QUOTE_GET] = {
		"SELECT " QUOTE_COLS " FROM repair_quotes WHERE id = $1", "i",
		false },
	[ST_QUOTE_GET_CASE] = {
		"SELECT " QUOTE_COLS " FROM repair_quotes WHERE case_id = $1 "
		"ORDER BY id DESC LIMIT 1", "t", false },

	[ST_NOTE_ADD] = {
		"INSERT INTO notes (case_id, author, body, created_at) "
		"VALUES ($1, $2, $3, $4) RETURNING id", "ttti", true },
	[ST_NOTES_LIST] = {
		"SELECT id, case_id, author, body, created_at FROM notes "
		"WHERE case_id = $1 AND id > $2 ORDER BY id LIMIT $3", "tii",
		false },
	[ST_EVIDENCE_PUT] = {
		"INSERT INTO evidence (case_id, sha256, content_type, size, "
		"path, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
		"ON CONFLICT (case_id, sha256) DO NOTHING", "tttitbi", true },
	[ST_EVIDENCE_GET] = {
		"SELECT case_id, sha256, content_type, size, path, data, "
		"created_at FROM evidence WHERE case_id = $1 AND sha256 = $2",
		"tt", false },

	[ST_AUDIT_ADD] = {
		"INSERT INTO audit (at, actor, action, entity, entity_id, "
		"before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7) "
		"RETURNING id", "itttttt", true },
	[ST_AUDIT_LIST] = { AUDIT_LIST("true"), "itti", false },
	[ST_AUDIT_LIST_ENTITY] = { AUDIT_LIST("entity = $2"), "itti", false },
	[ST_AUDIT_LIST_ID] = { AUDIT_LIST("entity_id = $3"), "itti", false },
	[ST_AUDIT_LIST_BOTH] = {
		AUDIT_LIST("entity_id = $3 AND entity = $2"), "itti", false },

	[ST_TOKEN_PUT] = {
		"INSERT INTO tokens (name, hash, created_at) "
		"VALUES ($1, $2, $3) RETURNING id", "tti", true },
	[ST_TOKEN_FIND] = {
		"SELECT id, name, hash, created_at, revoked_at FROM tokens "
		"WHERE hash = $1 AND revoked_at IS NULL", "t", false },
	[ST_TOKEN_REVOKE] = {
		"UPDATE tokens SET revoked_at = $2 "
		"WHERE id = $1 AND revoked_at IS NULL", "ii", true },
	[ST_TOKEN_GET] = {
		"SELECT revoked_at FROM tokens WHERE id = $1", "i", false },
	[ST_TOKEN_REVOKE_NAME] = {
		"UPDATE tokens SET revoked_at = $2 "
		"WHERE name = $1 AND revoked_at IS NULL", "ti", true },

	[ST_USER_PUT] = {
		"INSERT INTO staff_users (name, role, password_hash, "
		"failed_in_a_row, locked_until, created_at) "
		"VALUES ($1, $2, $3, $4, $5, $6)", "tttiii", true },
	[ST_USER_GET] = {
		"SELECT name, role, password_hash, failed_in_a_row, "
		"locked_until, created_at FROM staff_users WHERE name = $1",
		"t", false },
	[ST_USER_LIST] = {
		"SELECT name, role, password_hash, failed_in_a_row, "
		"locked_until, created_at FROM staff_users WHERE name > $1 "
		"ORDER BY name LIMIT $2", "ti", false },
	[ST_USER_LOGIN] = {
		"UPDATE staff_users SET failed_in_a_row = $2, "
		"locked_until = $3 WHERE name = $1", "tii", true },
	[ST_SESSION_PUT] = {
		"INSERT INTO sessions (hash, kind, user_name, order_id, csrf, "
		"tz_offset_min, created_at, expires_at) "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", "tttttiii", true },
	[ST_SESSION_GET] = {
		"SELECT x.hash, x.kind, x.user_name, x.order_id, x.csrf, "
		"x.tz_offset_min, x.created_at, x.expires_at, x.ended_at, "
		"u.role FROM sessions x "
		"LEFT JOIN staff_users u ON u.name = x.user_name "
		"WHERE x.hash = $1", "t", false },
	[ST_SESSION_END] = {
		"UPDATE sessions SET ended_at = $2 "
		"WHERE hash = $1 AND ended_at IS NULL", "ti", true },
	[ST_SESSION_PURGE] = {
		"DELETE FROM sessions WHERE expires_at < $1", "i", true },
	[ST_LOOKUP_GET] = {
		"SELECT window_start, count FROM lookup_failures "
		"WHERE key = $1", "t", false },
	/* $2 now, $3 the window's length: a window that has run out
	 * opens again at now */
	[ST_LOOKUP_ADD] = {
		"INSERT INTO lookup_failures AS f (key, window_start, count) "
		"VALUES ($1, $2, 1) ON CONFLICT (key) DO UPDATE SET "
		"count = CASE WHEN f.window_start <= $2 - $3 THEN 1 "
		"ELSE f.count + 1 END, "
		"window_start = CASE WHEN f.window_start <= $2 - $3 THEN $2 "
		"ELSE f.window_start END "
		"RETURNING window_start, count", "tii", true },
	[ST_LOOKUP_PURGE] = {
		"DELETE FROM lookup_failures WHERE window_start < $1", "i",
		true },
	[ST_MESSAGE_ADD] = {
		"INSERT INTO messages (case_id, sender, author, body, "
		"created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		"tttti", true },
	[ST_MESSAGES_LIST] = {
		"SELECT id, case_id, sender, author, body, created_at "
		"FROM messages WHERE case_id = $1 AND id > $2 "
		"ORDER BY id LIMIT $3", "tii", false },
	[ST_EVIDENCE_LIST] = {
		"SELECT case_id, sha256, content_type, size, created_at "
		"FROM evidence WHERE case_id = $1 "
		"ORDER BY created_at, n LIMIT $2", "ti", false },
	[ST_CASE_COUNTS] = {
		"SELECT open, waiting, decided, resolved, closed "
		"FROM case_counts WHERE id = 1", "", false },
	/* policy versions (issue 9) */
	[ST_POLICY_PUT] = {
		"INSERT INTO policies (hash, body, created_at) "
		"VALUES ($1, $2, $3) ON CONFLICT (hash) DO NOTHING", "tti",
		true },
	[ST_POLICY_GET] = {
		"SELECT hash, body, created_at, activated_at, activated_by, "
		"active FROM policies WHERE hash = $1", "t", false },
	[ST_POLICY_ACTIVE] = {
		"SELECT hash FROM policies WHERE active = 1", "", false },
	[ST_POLICY_DEACTIVATE] = {
		"UPDATE policies SET active = 0 WHERE active = 1", "", true },
	[ST_POLICY_ACTIVATE] = {
		"UPDATE policies SET active = 1, activated_at = $2, "
		"activated_by = $3 WHERE hash = $1", "tit", true },
	[ST_POLICY_LIST] = {
		"SELECT hash, '', created_at, activated_at, activated_by, "
		"active FROM policies ORDER BY created_at DESC, hash LIMIT $1",
		"i", false },
	/* webhooks (issue 10.3) */
	[ST_HOOK_PUT] = {
		"INSERT INTO hooks (kind, name, secret, created_at) "
		"VALUES ($1, $2, $3, $4)",
		"ttti", true },
	[ST_HOOK_GET] = {
		"SELECT kind, name, secret, created_at FROM hooks WHERE "
		"kind = $1 AND name = $2",
		"tt", false },
	[ST_HOOK_LIST] = {
		"SELECT kind, name, '', created_at FROM hooks ORDER BY "
		"kind, name LIMIT $1",
		"i", false },
	[ST_HOOK_EVENT_PUT] = {
		"INSERT INTO hook_events (kind, name, event_id, "
		"received_at, status, carrier, tracking_code, "
		"tracking_kind, at, order_id, detail) VALUES ($1, $2, $3, "
		"$4, $5, $6, $7, $8, $9, $10, $11)",
		"tttittttitt", true },
	[ST_PARCEL_PUT] = {
		"INSERT INTO parcels (carrier, tracking_code, order_id, "
		"created_at) VALUES ($1, $2, $3, $4)",
		"ttti", true },
	[ST_PARCEL_FIND] = {
		"SELECT order_id FROM parcels WHERE carrier = $1 AND "
		"tracking_code = $2",
		"tt", false },
	[ST_UNMATCHED_LIST] = {
		"SELECT kind, name, event_id, received_at, status, carrier, "
		"tracking_code, tracking_kind, at, detail FROM hook_events "
		"WHERE carrier = $1 AND tracking_code = $2 AND status = "
		"'unmatched' ORDER BY at, received_at LIMIT $3",
		"tti", false },
	[ST_HOOK_EVENT_MATCH] = {
		"UPDATE hook_events SET status = $4, order_id = $5 WHERE "
		"kind = $1 AND name = $2 AND event_id = $3 AND status = "
		"'unmatched'",
		"ttttt", true },
	[ST_HOOK_EVENTS_LIST] = {
		"SELECT kind, name, event_id, received_at, status, carrier, "
		"tracking_code, tracking_kind, at, detail, "
		"coalesce(order_id, '') FROM hook_events WHERE status = $1 "
		"ORDER BY received_at DESC, event_id LIMIT $2",
		"ti", false },
	/* payment refunds (issue 10.4) */
	[ST_PAYINTENT_PUT] = {
		"INSERT INTO order_payments (order_id, payment_intent, "
		"updated_at) VALUES ($1, $2, $3) ON CONFLICT (order_id) "
		"DO UPDATE SET payment_intent = excluded.payment_intent, "
		"updated_at = excluded.updated_at",
		"tti", true },
	[ST_PAYINTENT_GET] = {
		"SELECT payment_intent FROM order_payments WHERE order_id "
		"= $1",
		"t", false },
	[ST_REFUNDPAY_PUT] = {
		"INSERT INTO refund_payments (ledger_id, case_id, "
		"outbox_id, status, created_at, updated_at) VALUES ($1, "
		"$2, $3, 'pending', $4, $4)",
		"itii", true },
	[ST_REFUNDPAY_GET] = {
		"SELECT r.ledger_id, r.case_id, r.status, r.provider_id, "
		"r.reason, r.created_at, r.updated_at, l.amount_minor, "
		"l.currency, l.order_id, r.outbox_id FROM "
		"refund_payments r JOIN "
		"ledger l ON l.id = r.ledger_id WHERE r.ledger_id = $1",
		"i", false },
	[ST_REFUNDPAY_SET] = {
		"UPDATE refund_payments SET status = $2, provider_id = "
		"CASE WHEN $3 = '' THEN provider_id ELSE $3 END, "
		"outbox_id = CASE WHEN $7 = 0 THEN outbox_id ELSE $7 "
		"END, reason = $4, updated_at = $5 WHERE ledger_id = "
		"$1 AND (status = 'pending' OR $6 = 1)",
		"itttiii", true },
	[ST_REFUNDPAY_LIST] = {
		"SELECT r.ledger_id, r.case_id, r.status, r.provider_id, "
		"r.reason, r.created_at, r.updated_at, l.amount_minor, "
		"l.currency, l.order_id, r.outbox_id FROM "
		"refund_payments r JOIN "
		"ledger l ON l.id = r.ledger_id WHERE r.case_id = $1 "
		"ORDER BY r.ledger_id LIMIT $2",
		"ti", false },
};

/* The case lists: one statement per combination of filters (LIST_*
 * bits), as in sqlite.c, each with all thirteen parameters typed (a
 * statement uses those of its filters): $1 the order, $2..$6 the
 * statuses, $7 the claim type, $8 the deadline bound, ($10, $9) the
 * keyset cursor (deadline, seq), $11 the limit, $12 the clause, $13 the
 * customer. PostgreSQL's planner picks the index. */
enum {
	LIST_ORDER = 1, LIST_STATUS = 2, LIST_STATUSES = 4, LIST_TYPE = 8,
	LIST_DEADLINE = 16, LIST_CLAUSE = 32, LIST_CUSTOMER = 64,
	LIST_COMBOS = 128
};
#define LIST_TYPES "tttttttiiiitt"

static void list_sql(unsigned bits, char *out, size_t n)
{
	snprintf(out, n, "SELECT " CASE_ROW_COLS " FROM cases WHERE %s%s%s%s"
		 "%s%s ORDER BY %s LIMIT $11",
		 (bits & LIST_DEADLINE)
			 ? "deadline < $8 AND (deadline, seq) > ($10, $9)"
			 : "seq > $9",
		 (bits & LIST_ORDER) ? " AND order_id = $1" : "",
		 (bits & LIST_STATUS) ? " AND status = $2"
		 : (bits & LIST_STATUSES)
			 ? " AND status IN ($2, $3, $4, $5, $6)" : "",
		 (bits & LIST_TYPE) ? " AND claim_type = $7" : "",
		 (bits & LIST_CLAUSE) ? " AND clause = $12" : "",
		 (bits & LIST_CUSTOMER) ? " AND customer = $13" : "",
		 (bits & LIST_DEADLINE) ? "deadline, seq" : "seq");
}

/* ---- the handle ------------------------------------------------------- */

#define MAX_PARAMS 24

/* A statement in use: its parameters as bound and its result, read one
 * row at a time through step() as sqlite.c reads SQLite's. */
struct pst {
	char name[8];                     /* "s12", "l5": prepared as */
	const char *sql;                  /* the list's text lives in lsql */
	const char *types;
	bool write;
	int n;                            /* parameters bound */
	const char *val[MAX_PARAMS];
	int len[MAX_PARAMS];
	int fmt[MAX_PARAMS];
	unsigned char num[MAX_PARAMS][8]; /* int8s, in network order */
	PGresult *res;
	bool ran;
	int row, rows;
};

enum tx { TX_NONE, TX_READ, TX_WRITE };

/* At most this many writes wait for their answers (send_later). */
#define LATER_MAX 8
#define HELD_CURRENT (-1)               /* held_decision: currval */

struct pg {
	PGconn *conn;
	struct pst st[ST_COUNT];
	struct pst list[LIST_COMBOS];
	char lsql[LIST_COMBOS][1024];
	bool prepared[ST_COUNT + LIST_COMBOS];
	enum tx tx;
	bool lost;                        /* the connection broke in tx */
	bool atomic;                      /* a call holds its own tx or sp */
	bool caller_sp;                   /* the caller's savepoint is open */
	bool sp_release;                  /* its RELEASE owed (pg_savepoint) */
	bool fold;                        /* cases opened: report_fold() */
	/* the id put_case took for the decision about to be saved for the
	 * case it stored (0019_decided), 0 when none is held, HELD_CURRENT
	 * when it was drawn in a write sent later (the sequence's currval) */
	int64_t held_decision;
	char held_case[STORE_ID_MAX];
	/* the number the next case put in this write transaction takes, as
	 * the last one put said (under the writer's lock nobody else puts
	 * one); 0 when not known: a case put then waits for its number */
	int64_t seq_next;
	bool stuck;                       /* in pipeline mode after an error
					   * that left it (a FATAL from the
					   * server): reset before next use */
	int later;                        /* writes sent, not yet answered */
	const char *later_op[LATER_MAX];  /* ... each one's op, for errors */
	long long xid;                    /* the write transaction's, or 0 */
	int test_break;                   /* 1: kept, 2: not (tests) */
	int fail_after;                   /* < 0: no fault injection */
	const struct store_table *copy_prep[32]; /* inserts prepared */
	int ncopy_prep;
};

static void pst_init(struct pst *p, const char *prefix, int i,
		     const char *sql, const char *types, bool write)
{
	snprintf(p->name, sizeof p->name, "%s%d", prefix, i);
	p->sql = sql;
	p->types = types;
	p->write = write;
}

static int prepared_index(struct pg *q, const struct pst *p)
{
	if (p >= q->st && p < q->st + ST_COUNT)
		return (int)(p - q->st);
	return ST_COUNT + (int)(p - q->list);
}

/* ---- errors ----------------------------------------------------------- */

/* first_line: the length of libpq's message up to its first line's end
 * (its hints follow on lines of their own). */
static int first_line(const char *m)
{
	size_t n = strcspn(m, "\n");

	while (n && m[n - 1] == ' ')
		n--;
	return (int)n;
}

static bool state_is(const char *state, const char *want)
{
	return state && strncmp(state, want, strlen(want)) == 0;
}

static int code_of(const char *state)
{
	if (state_is(state, "23505"))
		return AC_ECONFLICT;
	if (state_is(state, "23503"))
		return AC_ENOTFOUND;
	if (state_is(state, "P0001"))
		return AC_ESTATE;             /* our triggers' RAISE */
	if (state_is(state, "23") || state_is(state, "22"))
		return AC_EINVAL;
	if (state_is(state, "54"))
		return AC_ELIMIT;
	if (state_is(state, "53200"))
		return AC_ENOMEM;
	return AC_EIO;
}

/* db_error fills err from a failed result (NULL: from the connection), in
 * the words sqlite.c uses. */
static int db_error(struct pg *q, const PGresult *res, const char *field,
		    struct ac_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
				: NULL;
	const char *msg = res ? PQresultErrorField(res,
						   PG_DIAG_MESSAGE_PRIMARY)
			      : NULL;
	const char *table = res ? PQresultErrorField(res,
						     PG_DIAG_TABLE_NAME)
				: NULL;
	const char *cons = res ? PQresultErrorField(res,
						    PG_DIAG_CONSTRAINT_NAME)
			       : NULL;
	const char *col = res ? PQresultErrorField(res,
						   PG_DIAG_COLUMN_NAME)
			      : NULL;
	int code = code_of(state);

	if (PQstatus(q->conn) != CONNECTION_OK || !state ||
	    state_is(state, "08") || state_is(state, "57P")) {
		const char *m = PQerrorMessage(q->conn);

		return ac_err_set(err, AC_EIO, field,
				  "database connection lost: %.*s",
				  first_line(m), m);
	}
	if (state_is(state, "55P03") || state_is(state, "40"))
		return ac_err_set(err, AC_EIO, field,
				  "database is busy: %s (waited up to %d ms "
				  "for another writer)", msg ? msg : state,
				  LOCK_TIMEOUT_MS);
	if (state_is(state, "57014"))
		return ac_err_set(err, AC_EIO, field,
				  "statement ran past %d ms and was cancelled",
				  STATEMENT_TIMEOUT_MS);
	if (state_is(state, "23505"))
		return ac_err_set(err, code, field, "already exists: %s",
				  cons ? cons : "");
	if (state_is(state, "23514"))
		return ac_err_set(err, code, field, "check failed: %s.%s",
				  table ? table : "", cons ? cons : "");
	if (state_is(state, "23502"))
		return ac_err_set(err, code, field, "missing: %s.%s",
				  table ? table : "", col ? col : "");
	if (state_is(state, "23503"))
		return ac_err_set(err, code, field,
				  "refers to a missing row");
	return ac_err_set(err, code, field, "%s", msg ? msg : state);
}

/* ---- the connection --------------------------------------------------- */

/* session: what every connection is set to, once connected. */
static int session(struct pg *q, struct ac_err *err)
{
	char sql[256];
	PGresult *res;
	int rc = 0;

	snprintf(sql, sizeof sql, "SET client_encoding = 'UTF8'; "
		 "SET client_min_messages = warning; "
		 "SET lock_timeout = %d; SET statement_timeout = %d",
		 LOCK_TIMEOUT_MS, STATEMENT_TIMEOUT_MS);
	res = PQexec(q->conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = db_error(q, res, "db", err);
	PQclear(res);
	return rc;
}

static int settle(struct pg *q, struct pst *also, const char *op,
		  struct ac_err *err);

/* ensure_conn reconnects a broken connection outside a transaction; in
 * one, the transaction is lost and the call fails. Writes sent earlier
 * and not yet answered (send_later) are answered first. */
static int ensure_conn(struct pg *q, const char *op, struct ac_err *err)
{
	if (q->later)
		return settle(q, NULL, op, err);
	if (PQstatus(q->conn) == CONNECTION_OK && !q->stuck)
		return 0;
	if (q->tx != TX_NONE) {
		q->lost = true;
		return ac_err_set(err, AC_EIO, op, "database connection lost "
				  "in a transaction");
	}
	PQreset(q->conn);
	q->stuck = false;
	memset(q->prepared, 0, sizeof q->prepared);
	if (PQstatus(q->conn) != CONNECTION_OK)
		return db_error(q, NULL, op, err);
	return session(q, err);
}

static int ensure_prepared(struct pg *q, struct pst *p, const char *op,
			   struct ac_err *err)
{
	int i = prepared_index(q, p);
	Oid types[MAX_PARAMS];
	int n = (int)strlen(p->types), rc = 0;
	PGresult *res;

	if (q->prepared[i])
		return 0;
	if (q->later && (rc = settle(q, NULL, op, err)))
		return rc;
	assert(n <= MAX_PARAMS);
	for (int k = 0; k < n; k++)
		types[k] = p->types[k] == 'i' ? OID_INT8
			   : p->types[k] == 'b' ? OID_BYTEA : OID_TEXT;
	res = PQprepare(q->conn, p->name, p->sql, n, types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = db_error(q, res, op, err);
	else
		q->prepared[i] = true;
	PQclear(res);
	return rc;
}

/* exec_internal_get runs a statement without parameters that the store
 * uses for itself (savepoints, rollbacks, the writer's lock): never a
 * fault injected. With out, *out gets column col of its one row. */
static int exec_internal_get(struct pg *q, enum st id, int col,
			     long long *out, const char *op,
			     struct ac_err *err)
{
	struct pst *p = &q->st[id];
	PGresult *res;
	int rc;

	if ((rc = ensure_prepared(q, p, op, err)) ||
	    (q->later && (rc = settle(q, NULL, op, err))))
		return rc;
	res = PQexecPrepared(q->conn, p->name, 0, NULL, NULL, NULL, 0);
	if (out && PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1)
		*out = strtoll(PQgetvalue(res, 0, col), NULL, 10);
	else if (out || (PQresultStatus(res) != PGRES_COMMAND_OK &&
			 PQresultStatus(res) != PGRES_TUPLES_OK))
		rc = db_error(q, res, op, err);
	PQclear(res);
	return rc;
}

static int exec_internal(struct pg *q, enum st id, const char *op,
			 struct ac_err *err)
{
	return exec_internal_get(q, id, 0, NULL, op, err);
}

/* ---- writes sent later ------------------------------------------------ */

/* In a group commit, a write whose caller wants nothing back (no id, no
 * row count) and the savepoints around each request are sent in libpq's
 * pipeline mode and not waited for (send_later). The next statement that
 * waits for an answer goes out in the same round trip (settle, prefetch),
 * and a write that failed fails it with the write's own error. Opening a
 * case then takes two round trips instead of seven: the savepoints with
 * the order's read, and the case (its number known: put_case_next), its
 * decision, audit event and mail with the request's RELEASE, which waits
 * for what the request sent (pg_savepoint), so an error stays with its
 * own request. */

/* collect_later reads the answers of the writes sent later, in order:
 * the first error is returned; the server skipped those after it. */
static int collect_later(struct pg *q, bool *bad, struct ac_err *err)
{
	int rc = 0;

	for (int i = 0; i < q->later && !*bad; i++) {
		PGresult *res = PQgetResult(q->conn), *more;
		ExecStatusType s = PQresultStatus(res);

		if (!res)
			*bad = true;
		else if (!rc && s != PGRES_COMMAND_OK &&
			 s != PGRES_TUPLES_OK && s != PGRES_PIPELINE_ABORTED)
			rc = db_error(q, res, q->later_op[i], err);
		PQclear(res);
		while ((more = PQgetResult(q->conn)))
			PQclear(more);
	}
	q->later = 0;
	return rc;
}

/* pipe_end reads the answers of the n statements sent last in pipeline
 * mode (each into got[i], each followed by NULL), then the sync's, and
 * leaves pipeline mode: true when the connection failed on the way (or
 * bad already was). */
static bool pipe_end(struct pg *q, PGresult **got, int n, bool bad)
{
	for (int i = 0; i < n && !bad; i++) {
		PGresult *more;

		bad = !(got[i] = PQgetResult(q->conn));
		while ((more = PQgetResult(q->conn)))
			PQclear(more);
	}
	if (!bad) {
		PGresult *sync = PQgetResult(q->conn);

		bad = PQresultStatus(sync) != PGRES_PIPELINE_SYNC;
		PQclear(sync);
	}
	if (!PQexitPipelineMode(q->conn)) {
		q->stuck = true;        /* answers that never came */
		return true;
	}
	return bad;
}

/* settle sends also (NULL: nothing more; prepared and bound) after the
 * writes sent later, waits for every answer in one round trip and leaves
 * pipeline mode: also's result is kept as pexec keeps it. The first error
 * is returned, a write's before also's. */
static int settle(struct pg *q, struct pst *also, const char *op,
		  struct ac_err *err)
{
	bool bad = PQstatus(q->conn) != CONNECTION_OK;
	PGresult *got = NULL;
	ExecStatusType s;
	int rc = 0;

	if (!bad && also)
		bad = !PQsendQueryPrepared(q->conn, also->name, also->n,
					   also->val, also->len, also->fmt,
					   0);
	bad = bad || !PQpipelineSync(q->conn);
	if (!bad)
		rc = collect_later(q, &bad, err);
	bad = pipe_end(q, &got, also ? 1 : 0, bad);
	q->later = 0;
	if (bad) {
		PQclear(got);
		if (PQstatus(q->conn) != CONNECTION_OK || q->stuck)
			q->lost = true;
		return rc ? rc : db_error(q, NULL, op, err);
	}
	if (!also)
		return rc;
	s = PQresultStatus(got);
	if (!rc && (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)) {
		also->res = got;
		also->rows = PQntuples(got);
		return 0;
	}
	if (!rc)
		rc = db_error(q, got, op, err);
	PQclear(got);
	return rc;
}

/* send_later sends p (prepared here, bound) without waiting for its
 * answer: the next statement that waits takes it (settle). */
static int send_later(struct pg *q, struct pst *p, const char *op,
		      struct ac_err *err)
{
	int rc;

	if (q->later == LATER_MAX && (rc = settle(q, NULL, op, err)))
		return rc;
	if ((rc = ensure_prepared(q, p, op, err)))
		return rc;
	if (PQstatus(q->conn) != CONNECTION_OK) {
		q->lost = true;
		return ac_err_set(err, AC_EIO, op, "database connection lost "
				  "in a transaction");
	}
	if (!q->later && !PQenterPipelineMode(q->conn))
		return db_error(q, NULL, op, err);
	if (!PQsendQueryPrepared(q->conn, p->name, p->n, p->val, p->len,
				 p->fmt, 0)) {
		rc = db_error(q, NULL, op, err);
		if (PQstatus(q->conn) != CONNECTION_OK)
			q->lost = true;
		if (q->later)
			settle(q, NULL, op, NULL);
		else if (!PQexitPipelineMode(q->conn))
			q->stuck = true;
		return rc;
	}
	q->later_op[q->later++] = op;
	return 0;
}

/* pexec sends a bound statement and keeps its result. */
static int pexec(struct pg *q, struct pst *p, const char *op,
		 struct ac_err *err)
{
	bool wrap = p->write && q->tx != TX_NONE && !q->atomic &&
		    !q->caller_sp;
	bool retry = !p->write && q->tx == TX_NONE;
	ExecStatusType s;
	int rc;

	/* writes sent earlier: this statement goes in their round trip */
	if (q->later && !wrap && q->prepared[prepared_index(q, p)])
		return settle(q, p, op, err);
again:
	if ((rc = ensure_conn(q, op, err)))
		return rc;
	if ((rc = ensure_prepared(q, p, op, err))) {
		if (retry && PQstatus(q->conn) != CONNECTION_OK) {
			retry = false;
			goto again;
		}
		return rc;
	}
	if (wrap && (rc = exec_internal(q, ST_STMT_SP, op, err)))
		return rc;
	p->res = PQexecPrepared(q->conn, p->name, p->n, p->val, p->len,
				p->fmt, 0);
	s = PQresultStatus(p->res);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		p->rows = PQntuples(p->res);
		if (wrap && (rc = exec_internal(q, ST_STMT_RELEASE, op,
						err))) {
			PQclear(p->res);
			p->res = NULL;
		}
		return rc;
	}
	if (PQstatus(q->conn) != CONNECTION_OK) {
		if (q->tx != TX_NONE) {
			q->lost = true;
		} else if (retry) {
			PQclear(p->res);
			p->res = NULL;
			retry = false;
			goto again;
		}
	}
	rc = db_error(q, p->res, op, err);
	PQclear(p->res);
	p->res = NULL;
	if (wrap && !q->lost) {
		exec_internal(q, ST_STMT_ROLLBACK, op, NULL);
		exec_internal(q, ST_STMT_RELEASE, op, NULL);
	}
	return rc;
}

/* prefetch sends n bound statements in one round trip (libpq's pipeline
 * mode) and keeps each one's result for its steps, as if it had run: the
 * first step gives its first row. Inside a transaction only: outside one
 * a read that finds the connection gone is tried again (pexec), which a
 * pipeline cannot do halfway; and the caller's done() forgets each result,
 * whether its steps came or not. */
static int prefetch(struct pg *q, struct pst **ps, int n, const char *op,
		    struct ac_err *err)
{
	PGresult *got[8] = { NULL };
	bool bad = false, merge;
	int rc = 0, i;

	assert(n <= 8 && q->tx != TX_NONE);
	/* after writes sent later (send_later), in their round trip */
	merge = q->later > 0 && PQstatus(q->conn) == CONNECTION_OK;
	for (i = 0; i < n && merge; i++)
		merge = q->prepared[prepared_index(q, ps[i])];
	if (!merge) {
		if ((rc = ensure_conn(q, op, err)))
			return rc;
		for (i = 0; i < n; i++)
			if ((rc = ensure_prepared(q, ps[i], op, err)))
				return rc;
		if (!PQenterPipelineMode(q->conn))
			return db_error(q, NULL, op, err);
	}
	for (i = 0; i < n && !bad; i++)
		bad = !PQsendQueryPrepared(q->conn, ps[i]->name, ps[i]->n,
					   ps[i]->val, ps[i]->len,
					   ps[i]->fmt, 0);
	bad = bad || !PQpipelineSync(q->conn);
	if (!bad && q->later)
		rc = collect_later(q, &bad, err);
	q->later = 0;
	bad = pipe_end(q, got, n, bad);
	for (i = 0; i < n; i++) {
		ExecStatusType s = PQresultStatus(got[i]);

		if (!bad && !rc && (s == PGRES_TUPLES_OK ||
				    s == PGRES_COMMAND_OK)) {
			PQclear(ps[i]->res);
			ps[i]->res = got[i];
			ps[i]->rows = PQntuples(got[i]);
			ps[i]->ran = true;
			ps[i]->row = -1;
			continue;
		}
		if (!rc && !bad)
			rc = db_error(q, got[i], op, err);
		PQclear(got[i]);
	}
	if (bad) {
		if (PQstatus(q->conn) != CONNECTION_OK || q->stuck)
			q->lost = true;
		for (i = 0; i < n; i++) {
			PQclear(ps[i]->res);
			ps[i]->res = NULL;
			ps[i]->ran = false;
		}
		rc = db_error(q, NULL, op, err);
	}
	return rc;
}

/* ---- running statements ----------------------------------------------- */

static int prep(struct pg *q, enum st id, struct pst **out,
		struct ac_err *err)
{
	(void)err;
	*out = &q->st[id];
	return 0;
}

/* done forgets a statement's result and parameters (NULL is fine). */
static void done(struct pst *p)
{
	if (p) {
		PQclear(p->res);
		p->res = NULL;
		p->ran = false;
		p->n = 0;
		p->row = p->rows = 0;
	}
}

/* step runs the statement on its first call and then gives its rows: 1
 * for a row, 0 when done, or a negative AC_E* code; one step per call as
 * on SQLite, which is where fault injection strikes. */
/* fault: the injected failure (pg_test_fail_after) when its turn has
 * come, else 0. */
static int fault(struct pg *q, const char *op, struct ac_err *err)
{
	if (q->fail_after == 0) {
		q->fail_after = -1;
		return ac_err_set(err, AC_EIO, op, "injected fault");
	}
	if (q->fail_after > 0)
		q->fail_after--;
	return 0;
}

static int step(struct pg *q, struct pst *p, const char *op,
		struct ac_err *err)
{
	int rc;

	if ((rc = fault(q, op, err)))
		return rc;
	if (!p->ran) {
		if ((rc = pexec(q, p, op, err)))
			return rc;
		p->ran = true;
		p->row = 0;
	} else {
		p->row++;
	}
	return p->row < p->rows ? 1 : 0;
}

static int run(struct pg *q, enum st id, const char *op, struct ac_err *err)
{
	struct pst *p = &q->st[id];
	int rc;

	while ((rc = step(q, p, op, err)) == 1)
		;
	done(p);
	return rc;
}

/* undo runs a statement that undoes work: never failed on purpose, and its
 * own failure cannot be helped (the connection may be gone). */
static void undo(struct pg *q, enum st id)
{
	q->seq_next = 0;        /* a case put may be undone */
	if (q->later)           /* their errors are what is being undone */
		settle(q, NULL, "rollback", NULL);
	if (PQstatus(q->conn) == CONNECTION_OK)
		exec_internal(q, id, "rollback", NULL);
}

/* Binding: each b_* binds the next parameter, in binary; the first
 * failure (a type the statement does not declare there) sticks. */
struct bind {
	struct pst *st;
	int rc;
};

static void b_start(struct bind *b, struct pst *p)
{
	b->st = p;
	b->rc = 0;
	p->n = 0;
}

/* b_slot takes the next parameter, which must be of type t. */
static int b_slot(struct bind *b, char t)
{
	struct pst *p = b->st;
	int i = p->n;

	if (b->rc)
		return -1;
	if (i >= MAX_PARAMS || p->types[i] != t) {
		b->rc = AC_EINVAL;
		return -1;
	}
	p->n++;
	p->fmt[i] = 1;
	return i;
}

static void b_null_as(struct bind *b, char t)
{
	int i = b_slot(b, t);

	if (i >= 0) {
		b->st->val[i] = NULL;
		b->st->len[i] = 0;
	}
}

static void b_text(struct bind *b, struct ac_str s)
{
	int i = b_slot(b, 't');

	if (i >= 0) {
		b->st->val[i] = s.n ? s.p : "";
		b->st->len[i] = (int)s.n;
	}
}

static void b_opt(struct bind *b, struct ac_str s)
{
	if (s.n)
		b_text(b, s);
	else
		b_null_as(b, 't');
}

/* b_null binds NULL to the next parameter, whatever its type. */
static void b_null(struct bind *b)
{
	struct pst *p = b->st;

	if (!b->rc && p->n < MAX_PARAMS && p->types[p->n])
		b_null_as(b, p->types[p->n]);
	else if (!b->rc)
		b->rc = AC_EINVAL;
}

static void b_cstr(struct bind *b, const char *s)
{
	if (s)
		b_text(b, store_str(s));
	else
		b_null_as(b, 't');
}

static void b_int(struct bind *b, int64_t v)
{
	int i = b_slot(b, 'i');
	uint64_t u = (uint64_t)v;

	if (i < 0)
		return;
	for (int k = 7; k >= 0; k--, u >>= 8)
		b->st->num[i][k] = (unsigned char)(u & 0xff);
	b->st->val[i] = (const char *)b->st->num[i];
	b->st->len[i] = 8;
}

static void b_opt_int(struct bind *b, bool has, int64_t v)
{
	if (has)
		b_int(b, v);
	else
		b_null_as(b, 'i');
}

static void b_blob(struct bind *b, struct ac_str s)
{
	int i;

	if (!s.n) {
		b_null_as(b, 'b');
		return;
	}
	if ((i = b_slot(b, 'b')) >= 0) {
		b->st->val[i] = s.p;
		b->st->len[i] = (int)s.n;
	}
}

static int b_end(struct pg *q, struct bind *b, const char *op,
		 struct ac_err *err)
{
	(void)q;
	if (b->rc || b->st->n != (int)strlen(b->st->types))
		return ac_err_set(err, AC_EINVAL, op, "store: parameter %d of "
				  "%s bound with the wrong type or missing",
				  b->st->n + 1, b->st->name);
	return 0;
}

/* count_of reads PQcmdTuples' digits ("" for none). */
static int count_of(const char *s)
{
	long v = strtol(s, NULL, 10);

	return v < 0 || v > 0x7fffffffL ? 0 : (int)v;
}

/* exec_write runs a bound insert, update or delete (one step, as on
 * SQLite); *id (may be NULL) gets the id its RETURNING gives, *changes (may
 * be NULL) the rows changed. */
static int exec_write(struct pg *q, struct pst *st, struct bind *b,
		      const char *op, int64_t *id, int *changes,
		      struct ac_err *err)
{
	int rc;

	if (!(rc = b_end(q, b, op, err)) &&
	    (rc = step(q, st, op, err)) > 0)
		rc = 0;
	if (!rc && id)
		*id = st->rows > 0 ? strtoll(PQgetvalue(st->res, 0, 0), NULL,
					     10) : 0;
	if (!rc && changes)
		*changes = count_of(PQcmdTuples(st->res));
	done(st);
	return rc;
}

/* sends_later: a write made now can be sent later (in a group commit's
 * request, outside a call of its own). */
static bool sends_later(const struct pg *q)
{
	return q->tx == TX_WRITE && q->caller_sp && !q->atomic && !q->lost;
}

/* exec_later is exec_write for a write whose caller wants nothing back:
 * in a group commit's request it is sent later (send_later), answered
 * with the next statement that waits; elsewhere it runs now. */
static int exec_later(struct pg *q, struct pst *st, struct bind *b,
		      const char *op, struct ac_err *err)
{
	int rc;

	if (!sends_later(q))
		return exec_write(q, st, b, op, NULL, NULL, err);
	if (!(rc = b_end(q, b, op, err)) && !(rc = fault(q, op, err)))
		rc = send_later(q, st, op, err);
	done(st);
	return rc;
}

/* ---- atomic calls ----------------------------------------------------- */

/* A call of several statements is atomic on its own. Outside the desk's
 * transaction it opens its own (BEGIN for a writing call, a read-only
 * snapshot for a reading one); inside one, a writing call uses a
 * savepoint, which undoes the call alone; a reading call needs neither. */
struct atomic {
	bool own;                         /* began its own transaction */
	bool sp;                          /* holds store_op */
	bool was_atomic;
};

static void end_tx(struct pg *q)
{
	if (q->later)           /* only on a connection that broke */
		settle(q, NULL, "end", NULL);
	q->tx = TX_NONE;
	q->held_decision = 0;
	q->seq_next = 0;
	q->lost = false;
	q->atomic = false;
	q->caller_sp = false;
	q->sp_release = false;
	q->fold = false;
	q->xid = 0;
}

/* writer_lock takes the write lock (held to the end of the transaction)
 * and notes the transaction's id, asked about when a COMMIT's connection
 * breaks (in_doubt). */
static int writer_lock(struct pg *q, const char *op, struct ac_err *err)
{
	return exec_internal_get(q, ST_WRITER, 1, &q->xid, op, err);
}

static int atomic_begin(struct pg *q, bool write, struct atomic *a,
			const char *op, struct ac_err *err)
{
	int rc;

	a->own = q->tx == TX_NONE;
	a->sp = !a->own && write && !q->caller_sp;
	a->was_atomic = q->atomic;
	if (!a->own && !a->sp)
		return 0;
	if ((rc = run(q, a->own ? (write ? ST_BEGIN : ST_BEGIN_READ)
				: ST_SAVEPOINT, op, err)))
		return rc;
	if (a->own)
		q->tx = write ? TX_WRITE : TX_READ;
	q->atomic = true;
	if (a->own && write && (rc = writer_lock(q, op, err))) {
		undo(q, ST_ROLLBACK);
		end_tx(q);
	}
	return rc;
}

/* How long a COMMIT whose connection broke waits for the database to
 * answer again and say whether it kept the transaction. */
#define IN_DOUBT_MS 2000
#define IN_DOUBT_STEP_MS 100

/* xid_status asks a new connection what became of transaction xid: 1
 * committed, 0 aborted, -1 not known (yet). */
static int xid_status(struct pg *q)
{
	char xid[24];
	const char *v[1] = { xid };
	PGresult *res;
	int got = -1;

	snprintf(xid, sizeof xid, "%lld", q->xid);
	res = PQexecParams(q->conn, "SELECT txid_status($1::bigint)", 1, NULL,
			   v, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    !PQgetisnull(res, 0, 0))
		got = !strcmp(PQgetvalue(res, 0, 0), "committed") ? 1
		      : !strcmp(PQgetvalue(res, 0, 0), "aborted") ? 0 : -1;
	PQclear(res);
	return got;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* in_doubt: a COMMIT failed with rc. When its connection broke, the
 * server may have committed before it could answer (a database stopped
 * or restarted then): the store reconnects, for up to IN_DOUBT_MS (an
 * attempt itself bounded by connect_timeout), and asks. Kept: 0, the
 * write is acknowledged as it is stored; not kept: AC_EIO; no answer in
 * time: AC_EINDOUBT. */
static int in_doubt(struct pg *q, int rc, const char *op, struct ac_err *err)
{
	struct timespec pause = { 0, IN_DOUBT_STEP_MS * 1000000L };
	long long until = now_ms() + IN_DOUBT_MS;
	struct ac_err scratch;

	if ((PQstatus(q->conn) == CONNECTION_OK && !q->stuck) || q->xid <= 0)
		return rc;              /* the server answered: not kept */
	for (;;) {
		int got = -1;

		PQreset(q->conn);
		q->stuck = false;
		if (PQstatus(q->conn) == CONNECTION_OK) {
			memset(q->prepared, 0, sizeof q->prepared);
			q->ncopy_prep = 0;
			if (session(q, &scratch) == 0)
				got = xid_status(q);
		}
		if (got == 1) {
			ac_err_clear(err);
			return 0;
		}
		if (got == 0)
			return ac_err_set(err, AC_EIO, op, "the database "
					  "connection broke during the "
					  "commit, which was not kept");
		if (now_ms() >= until)
			break;
		nanosleep(&pause, NULL);
	}
	return ac_err_set(err, AC_EINDOUBT, op, "the database connection "
			  "broke during the commit and the database did not "
			  "answer within %d s: the write may have been kept",
			  IN_DOUBT_MS / 1000);
}

/* test_break_commit: store_test_break_commit's COMMIT (or ROLLBACK),
 * then a connection cut before the answer is read. */
static int test_break_commit(struct pg *q, const char *op,
			     struct ac_err *err)
{
	bool kept = q->test_break == 1;

	q->test_break = 0;
	if (!PQsendQuery(q->conn, kept ? "COMMIT" : "ROLLBACK") ||
	    PQflush(q->conn) != 0)
		return db_error(q, NULL, op, err);
	/* the server has the statement; wait until it is carried out (a
	 * lock the transaction held is free again), then cut */
	for (PGresult *res; (res = PQgetResult(q->conn)); PQclear(res))
		;
	shutdown(PQsocket(q->conn), SHUT_RDWR);
	PQclear(PQexec(q->conn, "SELECT 1"));   /* libpq sees the cut */
	q->lost = true;
	return in_doubt(q, ac_err_set(err, AC_EIO, op, "connection cut "
				      "(test)"), op, err);
}

/* commit_status runs COMMIT: 0 when the server committed; a COMMIT the
 * server answers ROLLBACK (the transaction had failed) is AC_EIO; one
 * whose connection broke is asked about again (in_doubt). */
static int commit_status(struct pg *q, const char *op, struct ac_err *err)
{
	struct pst *p = &q->st[ST_COMMIT];
	int rc;

	if (q->lost)
		return ac_err_set(err, AC_EIO, op, "database connection lost "
				  "in the transaction: nothing was written");
	if (q->fold && (rc = run(q, ST_FOLD, op, err)))
		return rc;
	q->fold = false;
	if (q->test_break) {
		if (q->later && (rc = settle(q, NULL, op, err)))
			return rc;
		return test_break_commit(q, op, err);
	}
	if ((rc = step(q, p, op, err)) < 0)
		return in_doubt(q, rc, op, err);
	if (strcmp(PQcmdStatus(p->res), "COMMIT") != 0)
		rc = ac_err_set(err, AC_EIO, op, "the transaction had failed "
				"and was rolled back");
	done(p);
	return rc;
}

static int atomic_end(struct pg *q, struct atomic *a, int rc,
		      const char *op, struct ac_err *err)
{
	if (!a->own && !a->sp)
		return rc;
	q->atomic = a->was_atomic;
	if (a->own) {
		if (rc == 0)
			rc = commit_status(q, op, err);
		if (rc && !q->lost &&
		    PQtransactionStatus(q->conn) != PQTRANS_IDLE)
			undo(q, ST_ROLLBACK);
		end_tx(q);
		return rc;
	}
	if (rc == 0 && (rc = run(q, ST_RELEASE, op, err)) == 0)
		return 0;
	if (!q->lost) {
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

static bool is_null(struct pst *p, int col)
{
	return PQgetisnull(p->res, p->row, col) != 0;
}

static int64_t i64(struct pst *p, int col)
{
	if (is_null(p, col))
		return 0;
	return strtoll(PQgetvalue(p->res, p->row, col), NULL, 10);
}

/* raw: a column's text as a slice valid until done(). */
static struct ac_str raw(struct pst *p, int col)
{
	struct ac_str s;

	s.p = PQgetvalue(p->res, p->row, col);
	s.n = (size_t)PQgetlength(p->res, p->row, col);
	if (!s.p) {
		s.p = "";
		s.n = 0;
	}
	return s;
}

static void fill_record(struct fill *f, size_t off, size_t n,
			struct ac_str *dst)
{
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 64;
		f->fix = xrealloc(f->fix, f->alloc * sizeof *f->fix);
	}
	f->fix[f->n].dst = dst;
	f->fix[f->n].off = off;
	f->n++;
	dst->n = n;                      /* dst->p is set by fill_end */
}

/* fill_col copies column col into *dst ("" for NULL or empty). */
static void fill_col(struct fill *f, struct pst *p, int col,
		     struct ac_str *dst)
{
	struct ac_str v;
	size_t off;

	dst->p = "";
	dst->n = 0;
	if (f->rc || is_null(p, col))
		return;
	v = raw(p, col);
	if (v.n == 0)
		return;
	off = f->mem->len;
	if (buf_add(f->mem, v.p, v.n) || buf_addc(f->mem, '\0')) {
		f->rc = AC_ELIMIT;
		return;
	}
	fill_record(f, off, v.n, dst);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* fill_bytea copies a bytea column (text form "\x" and hex) into *dst. */
static void fill_bytea(struct fill *f, struct pst *p, int col,
		       struct ac_str *dst)
{
	struct ac_str v;
	size_t off, n;

	dst->p = "";
	dst->n = 0;
	if (f->rc || is_null(p, col))
		return;
	v = raw(p, col);
	if (v.n < 2 || v.p[0] != '\\' || v.p[1] != 'x' || v.n % 2) {
		f->rc = AC_EIO;
		return;
	}
	n = (v.n - 2) / 2;
	if (n == 0)
		return;
	off = f->mem->len;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(v.p[2 + 2 * i]);
		int lo = hex_digit(v.p[3 + 2 * i]);

		if (hi < 0 || lo < 0) {
			f->rc = AC_EIO;
			return;
		}
		if (buf_addc(f->mem, (char)(hi << 4 | lo))) {
			f->rc = AC_ELIMIT;
			return;
		}
	}
	if (buf_addc(f->mem, '\0')) {
		f->rc = AC_ELIMIT;
		return;
	}
	fill_record(f, off, n, dst);
}

static void fill_address(struct fill *f, struct pst *p, int col,
			 struct address *a)
{
	fill_col(f, p, col, &a->name);
	fill_col(f, p, col + 1, &a->line1);
	fill_col(f, p, col + 2, &a->line2);
	fill_col(f, p, col + 3, &a->city);
	fill_col(f, p, col + 4, &a->region);
	fill_col(f, p, col + 5, &a->postal_code);
	fill_col(f, p, col + 6, &a->country);
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
	if (f->rc == AC_EIO)
		return ac_err_set(err, AC_EIO, op, "unreadable bytea value");
	if (f->rc)
		return ac_err_set(err, f->rc, op, "out of memory");
	return 0;
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

/* exec_sql runs fixed SQL without parameters (the migrations' text, the
 * lock around them): the simple protocol, several statements at once. */
static int exec_sql(struct pg *q, const char *sql, const char *what,
		    struct ac_err *err)
{
	PGresult *res;
	ExecStatusType s;
	int rc = 0;

	if (q->later && (rc = settle(q, NULL, what, err)))
		return rc;
	res = PQexec(q->conn, sql);
	s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		char field[64];

		snprintf(field, sizeof field, "db: %s", what);
		rc = db_error(q, res, field, err);
	}
	PQclear(res);
	return rc;
}

static int read_version(struct pg *q, int *version, struct ac_err *err)
{
	struct pst *st = &q->st[ST_VERSION];
	int rc;

	rc = step(q, st, "schema_version", err);
	if (rc == 1) {
		*version = (int)i64(st, 0);
		rc = 0;
	} else if (rc == 0) {
		*version = 0;
	}
	done(st);
	return rc;
}

/* apply runs one migration in its own transaction (the advisory lock
 * taken in migrate keeps other processes out meanwhile). */
static int apply(struct pg *q, const struct migration *m, struct ac_err *err)
{
	struct pst *st = &q->st[ST_VERSION_ADD];
	struct bind b;
	int version = 0, rc;

	if ((rc = exec_sql(q, "BEGIN", m->name, err)))
		return rc;
	q->tx = TX_WRITE;
	q->atomic = true;
	if ((rc = read_version(q, &version, err)) || version >= m->version)
		goto end;
	if ((rc = exec_sql(q, m->sql, m->name, err)))
		goto end;
	b_start(&b, st);
	b_int(&b, m->version);
	b_cstr(&b, m->name);
	rc = exec_write(q, st, &b, m->name, NULL, NULL, err);
end:
	if (!rc)
		rc = commit_status(q, m->name, err);
	else
		undo(q, ST_ROLLBACK);
	end_tx(q);
	return rc;
}

static int migrate(struct pg *q, struct ac_err *err)
{
	int version = 0, newest = migrations[N_MIGRATIONS - 1].version, rc;
	char lock[200], unlock[160];

	/* per schema: tests give each their own in one database */
	snprintf(lock, sizeof lock, "SET statement_timeout = 0; "
		 "SET client_min_messages = warning; "
		 "SELECT pg_advisory_lock(%d, "
		 "hashtext(coalesce(current_schema(), '')))", LOCK_MIGRATE);
	snprintf(unlock, sizeof unlock, "SELECT pg_advisory_unlock(%d, "
		 "hashtext(coalesce(current_schema(), '')))", LOCK_MIGRATE);
	if ((rc = exec_sql(q, lock, "migration lock", err)))
		return rc;
	if ((rc = exec_sql(q, "CREATE TABLE IF NOT EXISTS schema_version ("
			   "version BIGINT PRIMARY KEY, "
			   "name TEXT NOT NULL, "
			   "applied_at BIGINT NOT NULL)",
			   "schema_version", err)) ||
	    (rc = read_version(q, &version, err)))
		goto out;
	if (version > newest) {
		rc = ac_err_set(err, AC_ESTATE, "db",
				"database schema version %d is newer than "
				"this program's (%d)", version, newest);
		goto out;
	}
	for (int i = 0; i < N_MIGRATIONS; i++)
		if (migrations[i].version > version &&
		    (rc = apply(q, &migrations[i], err)))
			goto out;
out:
	exec_sql(q, unlock, "migration lock", NULL);
	if (!rc)
		rc = session(q, err);
	return rc;
}

static void pg_close(void *impl)
{
	struct pg *q = impl;

	if (!q)
		return;
	for (int i = 0; i < ST_COUNT; i++)
		done(&q->st[i]);
	for (int i = 0; i < LIST_COMBOS; i++)
		done(&q->list[i]);
	if (q->conn && q->tx != TX_NONE)
		undo(q, ST_ROLLBACK);
	PQfinish(q->conn);
	free(q);
}

static int pg_open(const char *dsn, void **impl, struct ac_err *err)
{
	static const char *const keys[] = { "connect_timeout", "dbname",
					    NULL };
	const char *vals[] = { CONNECT_TIMEOUT, dsn, NULL };
	struct pg *q = xcalloc(1, sizeof *q);
	int rc;

	q->fail_after = -1;
	for (int i = 0; i < ST_COUNT; i++)
		pst_init(&q->st[i], "s", i, stmts[i].sql, stmts[i].types,
			 stmts[i].write);
	for (int i = 0; i < LIST_COMBOS; i++) {
		list_sql((unsigned)i, q->lsql[i], sizeof q->lsql[i]);
		pst_init(&q->list[i], "l", i, q->lsql[i], LIST_TYPES, false);
	}
	q->conn = PQconnectdbParams(keys, vals, 1);
	if (!q->conn) {
		rc = ac_err_set(err, AC_ENOMEM, "db", "out of memory");
		goto fail;
	}
	if (PQstatus(q->conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(q->conn);

		rc = ac_err_set(err, AC_EIO, "db", "cannot connect to the "
				"database: %.*s", first_line(m), m);
		goto fail;
	}
	if ((rc = migrate(q, err)))
		goto fail;
	*impl = q;
	return 0;
fail:
	pg_close(q);
	return rc;
}

static int pg_schema_version(void *impl, int *version, struct ac_err *err)
{
	return read_version(impl, version, err);
}

/* pg_health: the database answers (reconnecting when it can). */
static int pg_health(void *impl, struct ac_err *err)
{
	return run(impl, ST_HEALTH, "health", err);
}

/* ---- transactions ----------------------------------------------------- */

static int pg_begin(void *impl, struct ac_err *err)
{
	struct pg *q = impl;
	int rc;

	if (q->tx != TX_NONE)
		return ac_err_set(err, AC_ESTATE, "begin",
				  "a transaction is already open");
	if ((rc = run(q, ST_BEGIN, "begin", err)))
		return rc;
	q->tx = TX_WRITE;
	if ((rc = writer_lock(q, "begin", err))) {
		undo(q, ST_ROLLBACK);
		end_tx(q);
	}
	return rc;
}

/* A read transaction: one snapshot (REPEATABLE READ) from its first
 * statement on, read-only, taking no lock a writer waits for. */
static int pg_begin_read(void *impl, struct ac_err *err)
{
	struct pg *q = impl;
	int rc;

	if (q->tx != TX_NONE)
		return ac_err_set(err, AC_ESTATE, "begin",
				  "a transaction is already open");
	if (!(rc = run(q, ST_BEGIN_READ, "begin", err)))
		q->tx = TX_READ;
	return rc;
}

static int pg_commit(void *impl, struct ac_err *err)
{
	struct pg *q = impl;
	int rc;

	if (q->tx == TX_NONE)
		return ac_err_set(err, AC_ESTATE, "commit",
				  "no transaction is open");
	rc = commit_status(q, "commit", err);
	if (rc && PQtransactionStatus(q->conn) != PQTRANS_IDLE)
		undo(q, ST_ROLLBACK);
	end_tx(q);
	return rc;
}

static int pg_rollback(void *impl, struct ac_err *err)
{
	struct pg *q = impl;

	(void)err;
	if (q->tx != TX_NONE && !q->lost)
		undo(q, ST_ROLLBACK);
	end_tx(q);
	return 0;
}

/* sp_next opens the caller's savepoint for the next request of a group
 * commit, releasing the last one first when its RELEASE is owed: both
 * sent later (send_later), in the round trip of the request's first
 * statement that waits for its answer. */
static int sp_next(struct pg *q, bool release, struct ac_err *err)
{
	int rc = fault(q, "savepoint", err);

	if (rc)
		return rc;
	if (q->lost)
		return ac_err_set(err, AC_EIO, "savepoint", "database "
				  "connection lost in a transaction");
	if (release && (rc = send_later(q, &q->st[ST_SP_RELEASE],
					"savepoint", err)))
		return rc;
	return send_later(q, &q->st[ST_SP_BEGIN], "savepoint", err);
}

static int pg_savepoint(void *impl, enum store_sp what, struct ac_err *err)
{
	struct pg *q = impl;
	int rc;

	if (q->tx == TX_NONE)
		return ac_err_set(err, AC_ESTATE, "savepoint",
				  "no transaction is open");
	switch (what) {
	case STORE_SP_BEGIN:
		rc = sp_next(q, q->sp_release, err);
		q->sp_release = false;
		q->caller_sp = rc == 0;
		return rc;
	case STORE_SP_RELEASE:
		/* what the request sent later is answered first: a write
		 * that failed fails the request, whose savepoint is still
		 * there to undo it (the caller's ROLLBACK). The RELEASE
		 * itself is owed, not sent: the next savepoint's round trip
		 * releases it (sp_next), and a COMMIT needs no RELEASE
		 * before it. What the savepoint holds is kept either way;
		 * only a ROLLBACK TO it could undo it, and that is no longer
		 * the caller's to ask for. */
		if (q->caller_sp) {
			if (q->later &&
			    (rc = settle(q, NULL, "savepoint", err)))
				return rc;
			q->caller_sp = false;
			q->sp_release = true;
		}
		return 0;
	case STORE_SP_ROLLBACK:
		q->held_decision = 0;
		undo(q, ST_SP_ROLLBACK);
		undo(q, ST_SP_RELEASE);
		q->caller_sp = false;
		return 0;
	}
	return ac_err_set(err, AC_EINVAL, "savepoint", "no such action");
}

static bool pg_in_transaction(void *impl)
{
	struct pg *q = impl;

	return q->tx != TX_NONE;
}

static void pg_test_fail_after(void *impl, int n)
{
	struct pg *q = impl;

	q->fail_after = n < 0 ? -1 : n;
}

static void pg_test_break_commit(void *impl, bool kept)
{
	struct pg *q = impl;

	q->test_break = kept ? 1 : 2;
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

static int write_shipment(struct pg *q, struct ac_str order_id,
			  const struct shipment *sh, int64_t updated_at,
			  const char *op, struct ac_err *err)
{
	struct pst *st;
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

static int write_order(struct pg *q, const struct store_order *so,
		       struct ac_err *err)
{
	const struct order *o = &so->order;
	struct pst *st;
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

static int pg_put_order(void *impl, const struct store_order *so,
			struct ac_err *err)
{
	struct pg *q = impl;
	struct atomic a;
	int rc;

	if ((rc = atomic_begin(q, true, &a, "put_order", err)))
		return rc;
	rc = write_order(q, so, err);
	return atomic_end(q, &a, rc, "put_order", err);
}

static int read_items(struct pg *q, struct ac_str id, struct order *o,
		      struct fill *f, struct ac_err *err)
{
	struct pst *st;
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
		it->line = (int)i64(st, 0);
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

static int read_shipment(struct pg *q, struct ac_str id,
			 struct store_order *so, struct fill *f,
			 struct ac_err *err)
{
	struct shipment *sh = &so->shipment;
	struct ac_str finding, customs;
	struct pst *st;
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

static int read_order(struct pg *q, struct ac_str id, struct store_order *so,
		      struct fill *f, struct ac_err *err)
{
	struct order *o = &so->order;
	struct pst *ps[3] = { &q->st[ST_ORDER_GET], &q->st[ST_ITEMS_GET],
			      &q->st[ST_SHIPMENT_GET] };
	struct ac_str cur;
	struct pst *st = ps[0];
	struct bind b;
	int rc = 0;

	/* in a transaction (a group commit's), the order, its items and
	 * its shipment in one round trip: the steps below read what came */
	for (int i = 0; i < 3; i++) {
		b_start(&b, ps[i]);
		b_text(&b, id);
		if (!rc)
			rc = b_end(q, &b, "get_order", err);
	}
	if (!rc && q->tx != TX_NONE)
		rc = prefetch(q, ps, 3, "get_order", err);
	if (rc || (rc = step(q, st, "get_order", err)) < 0)
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
	/* results fetched for steps that never came (the order was not
	 * there): cleared, not leaked */
	done(ps[1]);
	done(ps[2]);
	return rc;
}

static int pg_get_order(void *impl, struct ac_str id, struct store_order *out,
			struct ac_err *err)
{
	struct pg *q = impl;
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

static int pg_put_shipment(void *impl, struct ac_str order_id,
			   const struct shipment *sh, int64_t updated_at,
			   struct ac_err *err)
{
	return write_shipment(impl, order_id, sh, updated_at, "put_shipment",
			      err);
}

static int pg_add_tracking_event(void *impl,
				 const struct store_tracking_event *ev,
				 int64_t *id, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_list_tracking_events(void *impl, struct ac_str order_id,
				   int64_t after_id, int limit,
				   struct store_tracking_page *out,
				   struct ac_err *err)
{
	const char *op = "list_tracking_events";
	struct pg *q = impl;
	struct pst *st;
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

/* bind_case binds a case's columns after its id ($2 to $18). */
static void bind_case(struct bind *b, const struct store_case *c)
{
	b_text(b, c->order_id);
	b_cstr(b, store_case_status_name(c->status));
	b_cstr(b, claim_type_name(c->claim_type));
	b_int(b, c->opened_at);
	b_text(b, c->claim_json);
	b_int(b, c->created_at);
	b_int(b, c->updated_at);
	if (c->has_override) {
		b_text(b, c->override_verdict);
		b_text(b, c->override_reason);
		b_text(b, c->override_author);
		b_int(b, c->overridden_at);
	} else {
		b_null(b);
		b_null(b);
		b_null(b);
		b_null(b);
	}
	if (c->has_approval) {
		b_text(b, c->approved_by);
		b_int(b, c->approved_at);
	} else {
		b_null(b);
		b_null(b);
	}
	b_opt_int(b, c->has_response_due, c->response_due_at);
	if (c->has_decided) {
		b_text(b, c->verdict);
		b_opt(b, c->clause);
	} else {
		b_null(b);
		b_null(b);
	}
	b_opt_int(b, c->has_decided && c->has_deadline, c->deadline);
}

/* put_case_next puts a case whose number is known (seq_next) with the
 * request's other writes, sent later instead of waited for: a round trip
 * less a case opened. Its id is made here as ST_CASE_PUT makes it, and
 * its decision takes the id its insert draws (HELD_CURRENT). Should the
 * number be taken after all, the insert fails on cases_seq's uniqueness
 * with the request's RELEASE: nothing is stored under a wrong number. */
static int put_case_next(struct pg *q, const struct store_case *c,
			 char id_out[STORE_ID_MAX], struct ac_err *err)
{
	int64_t seq = q->seq_next;
	struct pst *st;
	struct bind b;
	int rc;

	q->seq_next = 0;
	q->held_decision = 0;
	snprintf(id_out, STORE_ID_MAX, "C-%06lld", (long long)seq);
	if ((rc = prep(q, ST_CASE_PUT_AT, &st, err)))
		goto fail;
	b_start(&b, st);
	b_cstr(&b, id_out);
	bind_case(&b, c);
	b_int(&b, seq);
	if ((rc = exec_later(q, st, &b, "put_case", err)))
		goto fail;
	q->seq_next = seq + 1;
	q->fold = true;
	if (c->has_decided) {
		q->held_decision = HELD_CURRENT;
		snprintf(q->held_case, sizeof q->held_case, "%s", id_out);
	}
	return 0;
fail:
	id_out[0] = '\0';
	return rc;
}

static int pg_put_case(void *impl, const struct store_case *c,
		       char id_out[STORE_ID_MAX], struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
	struct atomic a;
	struct bind b;
	int64_t seq = 0;
	int rc;

	if (c->id.n == 0 && q->seq_next > 0 && sends_later(q))
		return put_case_next(q, c, id_out, err);
	q->seq_next = 0;
	/* outside a transaction, one of its own: the case's report
	 * summaries are folded before it commits (commit_status) */
	if ((rc = atomic_begin(q, true, &a, "put_case", err)))
		return rc;
	if ((rc = prep(q, ST_CASE_PUT, &st, err)))
		return atomic_end(q, &a, rc, "put_case", err);
	b_start(&b, st);
	b_opt(&b, c->id);
	bind_case(&b, c);
	id_out[0] = '\0';
	q->held_decision = 0;
	if (!(rc = b_end(q, &b, "put_case", err)))
		while ((rc = step(q, st, "put_case", err)) == 1) {
			snprintf(id_out, STORE_ID_MAX, "%.*s",
				 (int)raw(st, 0).n, raw(st, 0).p);
			q->held_decision = is_null(st, 1) ? 0 : i64(st, 1);
			seq = i64(st, 2);
		}
	done(st);
	if (q->held_decision)
		snprintf(q->held_case, sizeof q->held_case, "%s", id_out);
	q->fold |= rc == 0;
	rc = atomic_end(q, &a, rc, "put_case", err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "case.order_id", "no such order: %.*s",
			   (int)c->order_id.n, c->order_id.p);
	else if (rc == AC_ECONFLICT)
		ac_err_set(err, rc, "case.id", "case exists: %.*s",
			   (int)c->id.n, c->id.p);
	if (rc) {
		id_out[0] = '\0';
		q->held_decision = 0;
	} else if (q->tx == TX_WRITE) {
		/* the next one put in this transaction: this one's next */
		q->seq_next = seq + 1;
	}
	return rc;
}

static int read_case(struct pst *st, struct store_case *c, struct fill *f,
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

static int pg_get_case(void *impl, struct ac_str id, struct store_case *out,
		       struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_get_case_view(void *impl, struct ac_str id,
			    struct store_case_view *out, struct ac_err *err)
{
	const char *op = "get_case_view";
	struct pg *q = impl;
	struct pst *st;
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
		out->sum.n_entries = (int)i64(st, 19);
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
static int update_case(struct pg *q, struct pst *st, struct bind *b,
		       struct ac_str id, const char *op, struct ac_err *err)
{
	int changes = 0;
	int rc = exec_write(q, st, b, op, NULL, &changes, err);

	if (!rc && changes == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "case.id",
				"no such case: %.*s", (int)id.n, id.p);
	return rc;
}

static int pg_update_case_status(void *impl, struct ac_str id,
				 enum case_status status, int64_t updated_at,
				 struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_update_case_override(void *impl, struct ac_str id,
				   struct ac_str verdict, struct ac_str reason,
				   struct ac_str author, int64_t at,
				   struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_update_case_approval(void *impl, struct ac_str id,
				   struct ac_str approved_by, int64_t at,
				   struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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
static int read_case_row(struct pst *st, struct store_case_row *r,
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
static int read_case_page(struct pg *q, struct pst *st, int limit,
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
static int case_cursor(struct pg *q, struct ac_str id, int64_t *seq,
		       int64_t *deadline, struct ac_err *err)
{
	struct pst *st;
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

static int pg_list_cases(void *impl, const struct store_case_filter *flt,
			 struct store_case_page *out, struct ac_err *err)
{
	const char *op = "list_cases";
	struct pg *q = impl;
	unsigned mask = flt->status_mask, bits = 0;
	int64_t after_seq = 0, after_deadline = INT64_MIN;
	struct pst *st;
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
	st = &q->list[bits];
	b_start(&b, st);
	b_opt(&b, flt->order_id);
	/* the statuses wanted first ($2 alone when there is one), then
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
	/* every statement takes all thirteen */
	b_opt(&b, flt->clause);
	b_opt(&b, flt->customer);
	if ((rc = b_end(q, &b, op, err))) {
		done(st);
		return rc;
	}
	return read_case_page(q, st, flt->limit, out, op, err);
}

static int pg_list_due(void *impl, const struct store_due_filter *flt,
		       struct store_case_page *out, struct ac_err *err)
{
	const char *op = "list_due";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_save_decision(void *impl, const struct store_decision *d,
			    int64_t *id, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
	struct bind b;
	int rc;

	bool held = q->held_decision &&
		    d->case_id.n == strlen(q->held_case) &&
		    memcmp(d->case_id.p, q->held_case, d->case_id.n) == 0;

	/* the first decision of a case put with it takes the id the case
	 * holds for it (0019_decided) */
	if ((rc = prep(q, !held ? ST_DECISION_SAVE
			  : q->held_decision == HELD_CURRENT ?
			  ST_DECISION_SAVE_CUR : ST_DECISION_SAVE_AS, &st,
		       err)))
		return rc;
	b_start(&b, st);
	if (held && q->held_decision != HELD_CURRENT)
		b_int(&b, q->held_decision);
	q->held_decision = 0;
	b_text(&b, d->case_id);
	b_int(&b, d->decided_at);
	b_text(&b, d->verdict);
	b_int(&b, d->refund_max_minor);
	b_int(&b, d->charge_minor);
	b_opt_int(&b, d->has_deadline, d->deadline);
	b_text(&b, d->policy);
	b_text(&b, d->decision_json);
	b_text(&b, d->facts_json);
	rc = id ? exec_write(q, st, &b, "save_decision", id, NULL, err)
		: exec_later(q, st, &b, "save_decision", err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "decision.case_id", "no such case: %.*s",
			   (int)d->case_id.n, d->case_id.p);
	return rc;
}

static int pg_get_current_decision(void *impl, struct ac_str case_id,
				   struct store_decision *out,
				   struct ac_err *err)
{
	const char *op = "get_current_decision";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_add_ledger(void *impl, const struct store_ledger_entry *e,
			 int64_t *id, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

/* lock_row runs one of the locking statements on a key (one row). */
static int lock_row(struct pg *q, enum st id, struct ac_str a,
		    struct ac_str b2, const char *op, struct ac_err *err)
{
	struct pst *st = &q->st[id];
	struct bind b;
	int rc;

	b_start(&b, st);
	b_text(&b, a);
	if (b2.n)
		b_text(&b, b2);
	if (!(rc = b_end(q, &b, op, err)))
		while ((rc = step(q, st, op, err)) == 1)
			;
	done(st);
	return rc;
}

/* sum_ledger totals; in a write transaction it first locks the order's
 * row (lock), so that the sums stay true until the commit: a second
 * server's refund on the order waits here, then reads this one's entry. */
static int sum_ledger(struct pg *q, enum st id, enum st lock,
		      struct ac_str key, struct store_ledger_sum *out,
		      struct ac_err *err)
{
	struct pst *st;
	struct bind b;
	int rc;

	if (q->tx == TX_WRITE &&
	    (rc = lock_row(q, lock, key, (struct ac_str){ "", 0 },
			   "sum_ledger", err)))
		return rc;
	if ((rc = prep(q, id, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, key);
	if (!(rc = b_end(q, &b, "sum_ledger", err)) &&
	    (rc = step(q, st, "sum_ledger", err)) == 1) {
		out->refund_minor = i64(st, 0);
		out->charge_minor = i64(st, 1);
		out->n_entries = (int)i64(st, 2);
		rc = 0;
	}
	done(st);
	return rc;
}

static int pg_sum_ledger_case(void *impl, struct ac_str case_id,
			      struct store_ledger_sum *out,
			      struct ac_err *err)
{
	return sum_ledger(impl, ST_LEDGER_SUM_CASE, ST_LOCK_CASE_ORDER, case_id,
			  out, err);
}

static int pg_sum_ledger_order(void *impl, struct ac_str order_id,
			       struct store_ledger_sum *out,
			       struct ac_err *err)
{
	return sum_ledger(impl, ST_LEDGER_SUM_ORDER, ST_LOCK_ORDER, order_id,
			  out, err);
}

/* ---- idempotency ------------------------------------------------------ */

static int pg_get_idempotency(void *impl, struct ac_str scope,
			      struct ac_str key, struct store_idem *out,
			      struct ac_err *err)
{
	const char *op = "get_idempotency";
	struct pg *q = impl;
	struct pst *st;
	struct bind b;
	struct fill f;
	int rc, frc;

	/* a write transaction waits for another holding the same key, and
	 * then finds its record */
	if (q->tx == TX_WRITE &&
	    (rc = lock_row(q, ST_IDEM_LOCK, scope, key, op, err)))
		return rc;
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

static int pg_put_idempotency(void *impl, const struct store_idem *in,
			      struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_put_quote(void *impl, const struct store_quote *qu,
			int64_t *id, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_update_quote(void *impl, int64_t id, enum quote_status status,
			   int64_t updated_at, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int read_quote(struct pg *q, struct pst *st, struct bind *b,
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

static int pg_get_quote(void *impl, int64_t id, struct store_quote *out,
			struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_QUOTE_GET, &st, err)))
		return rc;
	b_start(&b, st);
	b_int(&b, id);
	return read_quote(q, st, &b, out, "with this id", err);
}

static int pg_get_case_quote(void *impl, struct ac_str case_id,
			     struct store_quote *out, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
	struct bind b;
	int rc;

	if ((rc = prep(q, ST_QUOTE_GET_CASE, &st, err)))
		return rc;
	b_start(&b, st);
	b_text(&b, case_id);
	return read_quote(q, st, &b, out, "on this case", err);
}

/* ---- notes and evidence ----------------------------------------------- */

static int pg_add_note(void *impl, const struct store_note *n, int64_t *id,
		       struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_list_notes(void *impl, struct ac_str case_id, int64_t after_id,
			 int limit, struct store_note_page *out,
			 struct ac_err *err)
{
	const char *op = "list_notes";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_put_evidence(void *impl, const struct store_evidence *e,
			   struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_get_evidence(void *impl, struct ac_str case_id,
			   struct ac_str sha256, struct store_evidence *out,
			   struct ac_err *err)
{
	const char *op = "get_evidence";
	struct pg *q = impl;
	struct pst *st;
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
		fill_bytea(&f, st, 5, &out->data);
		out->created_at = i64(st, 6);
	}
	done(st);
	frc = fill_end(&f, op, rc ? NULL : err);
	return rc ? rc : frc;
}

static int pg_list_evidence(void *impl, struct ac_str case_id, int limit,
			    struct store_evidence_page *out,
			    struct ac_err *err)
{
	const char *op = "list_evidence";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_case_counts(void *impl, int64_t counts[CASE_STATUS_COUNT],
			  struct ac_err *err)
{
	const char *op = "case_counts";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_append_audit(void *impl, const struct store_audit *a,
			   int64_t *id, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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
	return id ? exec_write(q, st, &b, "append_audit", id, NULL, err)
		  : exec_later(q, st, &b, "append_audit", err);
}

static int pg_list_audit(void *impl, const struct store_audit_filter *flt,
			 struct store_audit_page *out, struct ac_err *err)
{
	const char *op = "list_audit";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_put_token(void *impl, struct ac_str name, struct ac_str hash,
			int64_t created_at, int64_t *id, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_find_token(void *impl, struct ac_str hash,
			 struct store_token *out, struct ac_err *err)
{
	const char *op = "find_token";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_revoke_tokens_named(void *impl, struct ac_str name, int64_t at,
				  int *count, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_revoke_token(void *impl, int64_t id, int64_t at,
			   struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_put_staff_user(void *impl, const struct store_staff_user *u,
			     struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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
static void read_user(struct fill *f, struct pst *st,
		      struct store_staff_user *u)
{
	fill_col(f, st, 0, &u->name);
	fill_col(f, st, 1, &u->role);
	fill_col(f, st, 2, &u->password_hash);
	u->failed_in_a_row = (int)i64(st, 3);
	u->has_lock = !is_null(st, 4);
	u->locked_until = i64(st, 4);
	u->created_at = i64(st, 5);
}

static int pg_get_staff_user(void *impl, struct ac_str name,
			     struct store_staff_user *out, struct ac_err *err)
{
	const char *op = "get_staff_user";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_list_staff_users(void *impl, struct ac_str after_name,
			       int limit, struct store_staff_user_page *out,
			       struct ac_err *err)
{
	const char *op = "list_staff_users";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_update_staff_login(void *impl, struct ac_str name,
				 int failed_in_a_row, bool has_lock,
				 int64_t locked_until, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_put_session(void *impl, const struct store_session *x,
			  struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_get_session(void *impl, struct ac_str hash,
			  struct store_session *out, struct ac_err *err)
{
	const char *op = "get_session";
	struct pg *q = impl;
	struct pst *st;
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
		out->tz_offset_min = (int)i64(st, 5);
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

static int pg_end_session(void *impl, struct ac_str hash, int64_t at,
			  struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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
static int purge(struct pg *q, enum st id, int64_t before, int *count,
		 const char *op, struct ac_err *err)
{
	struct pst *st;
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

static int pg_purge_sessions(void *impl, int64_t before, int *count,
			     struct ac_err *err)
{
	return purge(impl, ST_SESSION_PURGE, before, count, "purge_sessions",
		     err);
}

static int pg_get_lookup_failures(void *impl, struct ac_str key,
				  struct store_lookup_failure *out,
				  struct ac_err *err)
{
	const char *op = "get_lookup_failures";
	struct pg *q = impl;
	struct pst *st;
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
		out->count = (int)i64(st, 1);
	}
	done(st);
	return rc;
}

static int pg_add_lookup_failure(void *impl, struct ac_str key, int64_t at,
				 int64_t window_us,
				 struct store_lookup_failure *out,
				 struct ac_err *err)
{
	const char *op = "add_lookup_failure";
	struct pg *q = impl;
	struct pst *st;
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
		out->count = (int)i64(st, 1);
		rc = step(q, st, op, err);
	} else if (rc == 0) {
		rc = ac_err_set(err, AC_EIO, op, "no row returned");
	}
	done(st);
	return rc;
}

static int pg_purge_lookup_failures(void *impl, int64_t before, int *count,
				    struct ac_err *err)
{
	return purge(impl, ST_LOOKUP_PURGE, before, count,
		     "purge_lookup_failures", err);
}

static int pg_add_message(void *impl, const struct store_message *m,
			  int64_t *id, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_list_messages(void *impl, struct ac_str case_id,
			    int64_t after_id, int limit,
			    struct store_message_page *out,
			    struct ac_err *err)
{
	const char *op = "list_messages";
	struct pg *q = impl;
	struct pst *st;
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

#define PG_INT8 20
#define PG_BYTEA 17

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
		snprintf(buf + k, n - k, " FROM %s ORDER BY %s", t->name,
			 t->order ? t->order : "n");
		return;
	}
	k += (size_t)snprintf(buf + k, n - k, ") VALUES (");
	for (int i = 0; i < t->ncols && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s$%d", i ? ", " : "",
				      i + 1);
	if (k < n)
		snprintf(buf + k, n - k, ")");
}

static int plain(struct pg *q, const char *sql, const char *field,
		 PGresult **out, struct ac_err *err)
{
	PGresult *res;
	ExecStatusType st;

	if (q->later) {
		int rc = settle(q, NULL, field, err);

		if (rc)
			return rc;
	}
	res = PQexec(q->conn, sql);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		int rc = db_error(q, res, field, err);

		PQclear(res);
		return rc;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return 0;
}

static int pg_count_rows(void *impl, const struct store_table *t,
			 int64_t *n, struct ac_err *err)
{
	struct pg *q = impl;
	PGresult *res = NULL;
	char sql[256];
	int rc;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", t->name);
	if ((rc = plain(q, sql, t->name, &res, err)))
		return rc;
	*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

static int pg_read_rows(void *impl, const struct store_table *t,
			int (*row)(void *arg, const struct store_value *v),
			void *arg, struct ac_err *err)
{
	struct pg *q = impl;
	struct store_value v[STORE_TABLE_COLS];
	unsigned char *bytes[STORE_TABLE_COLS];
	char sql[1024];
	PGresult *res;
	int rc = 0;

	/* rows stream out as fast as the target takes them: a whole table
	 * may take longer than the statement timeout (in a transaction,
	 * SET LOCAL lasts until its end) */
	if (q->tx != TX_NONE &&
	    (rc = plain(q, "SET LOCAL statement_timeout = 0", t->name, NULL,
			err)))
		return rc;
	copy_sql(t, false, sql, sizeof sql);
	if (!PQsendQuery(q->conn, sql) || !PQsetSingleRowMode(q->conn))
		return ac_err_set(err, AC_EIO, t->name, "%s",
				  PQerrorMessage(q->conn));
	while ((res = PQgetResult(q->conn))) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE && !rc) {
			for (int i = 0; i < t->ncols; i++) {
				struct store_value *x = &v[i];
				size_t len = 0;

				memset(x, 0, sizeof *x);
				bytes[i] = NULL;
				if (PQgetisnull(res, 0, i)) {
					x->kind = SV_NULL;
				} else if (PQftype(res, i) == PG_INT8) {
					x->kind = SV_INT;
					x->i = strtoll(PQgetvalue(res, 0, i),
						       NULL, 10);
				} else if (PQftype(res, i) == PG_BYTEA) {
					bytes[i] = PQunescapeBytea(
						(const unsigned char *)
						PQgetvalue(res, 0, i), &len);
					x->kind = SV_BLOB;
					x->p = (const char *)bytes[i];
					x->n = len;
				} else {
					x->kind = SV_TEXT;
					x->p = PQgetvalue(res, 0, i);
					x->n = (size_t)PQgetlength(res, 0, i);
				}
			}
			rc = row(arg, v);
			for (int i = 0; i < t->ncols; i++)
				PQfreemem(bytes[i]);
		} else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK &&
			   !rc) {
			rc = db_error(q, res, t->name, err);
		}
		PQclear(res);
	}
	return rc;
}

static int pg_insert_row(void *impl, const struct store_table *t,
			 const struct store_value *v, struct ac_err *err)
{
	struct pg *q = impl;
	const char *vals[STORE_TABLE_COLS];
	int lens[STORE_TABLE_COLS], fmts[STORE_TABLE_COLS];
	char ints[STORE_TABLE_COLS][24];
	char sql[1024], name[64];
	PGresult *res;
	int rc = 0, k;

	if (q->later && (rc = settle(q, NULL, t->name, err)))
		return rc;
	copy_sql(t, true, sql, sizeof sql);
	for (int i = 0; i < t->ncols; i++) {
		vals[i] = NULL;
		lens[i] = 0;
		fmts[i] = 0;
		if (v[i].kind == SV_INT) {
			snprintf(ints[i], sizeof ints[i], "%lld",
				 (long long)v[i].i);
			vals[i] = ints[i];
		} else if (v[i].kind == SV_TEXT || v[i].kind == SV_BLOB) {
			/* text as text; bytes in binary, bytea's own */
			vals[i] = v[i].p ? v[i].p : "";
			lens[i] = (int)v[i].n;
			fmts[i] = v[i].kind == SV_BLOB;
		}
	}
	snprintf(name, sizeof name, "copy_%s", t->name);
	for (k = 0; k < q->ncopy_prep && q->copy_prep[k] != t; k++)
		;
	if (k == q->ncopy_prep && k < 32) {
		res = PQprepare(q->conn, name, sql, t->ncols, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			rc = db_error(q, res, t->name, err);
			PQclear(res);
			return rc;
		}
		PQclear(res);
		q->copy_prep[q->ncopy_prep++] = t;
	}
	res = PQexecPrepared(q->conn, name, t->ncols, vals, lens, fmts, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = db_error(q, res, t->name, err);
	else if (strcmp(t->name, "cases") == 0)
		q->fold = true;           /* counted at the commit */
	PQclear(res);
	return rc;
}

/* An identity column given its values does not move its sequence: set it
 * past the largest copied. */
static int pg_copy_done(void *impl, const struct store_table *t,
			struct ac_err *err)
{
	struct pg *q = impl;
	char sql[256];

	if (!t->identity)
		return 0;
	snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence("
		 "'%s', 'id'), coalesce(max(id), 0) + 1, false) FROM %s",
		 t->name, t->name);
	return plain(q, sql, t->name, NULL, err);
}

/* ---- replay (issue 9) ---- */

/* The WHERE of the replay statements: $1 since (NULL: any), $2 the claim
 * type (NULL: any), $3 .. $7 the statuses let through. */
#define REPLAY_WHERE \
	" WHERE c.decision_id IS NOT NULL" \
	" AND ($1::bigint IS NULL OR c.opened_at >= $1::bigint)" \
	" AND ($2::text IS NULL OR c.claim_type = $2::text)" \
	" AND c.status IN ($3, $4, $5, $6, $7)"

struct replay_params {
	const char *v[7];
	char since[24];
};

static void replay_params(const struct store_replay_filter *f,
			  struct replay_params *p)
{
	memset(p, 0, sizeof *p);
	if (f->has_since) {
		snprintf(p->since, sizeof p->since, "%lld",
			 (long long)f->since);
		p->v[0] = p->since;
	}
	if (f->has_claim_type)
		p->v[1] = claim_type_name(f->claim_type);
	for (int i = 0; i < CASE_STATUS_COUNT && i < 5; i++)
		if (!f->status_mask || (f->status_mask & CASE_STATUS_BIT(i)))
			p->v[2 + i] = case_status_name((enum case_status)i);
}

static int pg_count_replay(void *impl, const struct store_replay_filter *f,
			   int64_t *n, struct ac_err *err)
{
	struct pg *q = impl;
	struct replay_params p;
	PGresult *res;
	int rc = 0;

	if ((rc = ensure_conn(q, "cases", err)))
		return rc;
	replay_params(f, &p);
	res = PQexecParams(q->conn, "SELECT count(*) FROM cases c"
			   REPLAY_WHERE, 7, NULL, p.v, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else
		rc = db_error(q, res, "cases", err);
	PQclear(res);
	return rc;
}

static struct ac_str res_str(const PGresult *res, int i)
{
	return (struct ac_str){ PQgetvalue(res, 0, i),
				(size_t)PQgetlength(res, 0, i) };
}

static int replay_row(const PGresult *res, struct store_replay_row *r,
		      struct ac_err *err)
{
	struct ac_str status = res_str(res, 1), type = res_str(res, 2);

	memset(r, 0, sizeof *r);
	r->case_id = res_str(res, 0);
	if (store_case_status_parse(status.p, status.n, &r->status) ||
	    claim_type_parse(type.p, type.n, &r->claim_type))
		return ac_err_set(err, AC_EIO, "cases", "case %.*s: not a "
				  "status or claim type in the store",
				  (int)r->case_id.n, r->case_id.p);
	r->opened_at = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	r->overridden = PQgetvalue(res, 0, 4)[0] == 't';
	r->decision_id = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
	r->decided_at = strtoll(PQgetvalue(res, 0, 6), NULL, 10);
	r->policy = res_str(res, 7);
	r->decision_json = res_str(res, 8);
	r->facts_json = res_str(res, 9);
	return 0;
}

static int pg_read_replay(void *impl, const struct store_replay_filter *f,
			  int (*row)(void *arg,
				     const struct store_replay_row *r),
			  void *arg, struct ac_err *err)
{
	struct pg *q = impl;
	struct replay_params p;
	bool own = q->tx == TX_NONE;
	PGresult *res;
	int rc = 0;

	if ((rc = ensure_conn(q, "cases", err)))
		return rc;
	/* one snapshot (a transaction of its own unless the caller has
	 * one); the rows stream as fast as the caller takes them, so the
	 * statement timeout is lifted for it */
	if (own && (rc = plain(q, "BEGIN ISOLATION LEVEL REPEATABLE READ "
			       "READ ONLY", "cases", NULL, err)))
		return rc;
	if ((rc = plain(q, "SET LOCAL statement_timeout = 0", "cases", NULL,
			err)))
		goto out;
	replay_params(f, &p);
	if (!PQsendQueryParams(q->conn, "SELECT c.id, c.status, c.claim_type, "
			       "c.opened_at, c.override_verdict IS NOT NULL, "
			       "d.id, d.decided_at, d.policy, "
			       "d.decision_json, d.facts_json FROM cases c "
			       "JOIN decisions d ON d.id = c.decision_id"
			       REPLAY_WHERE " ORDER BY c.id COLLATE \"C\"", 7,
			       NULL, p.v, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(q->conn)) {
		rc = ac_err_set(err, AC_EIO, "cases", "%s",
				PQerrorMessage(q->conn));
		goto out;
	}
	while ((res = PQgetResult(q->conn))) {
		ExecStatusType st = PQresultStatus(res);

		if (st == PGRES_SINGLE_TUPLE && !rc) {
			struct store_replay_row r;

			rc = replay_row(res, &r, err);
			if (!rc)
				rc = row(arg, &r);
			if (rc) {
				/* stop the server sending the rest */
				PGcancel *c = PQgetCancel(q->conn);
				char buf[256];

				if (c) {
					PQcancel(c, buf, sizeof buf);
					PQfreeCancel(c);
				}
			}
		} else if (st != PGRES_SINGLE_TUPLE &&
			   st != PGRES_TUPLES_OK && !rc) {
			rc = db_error(q, res, "cases", err);
		}
		PQclear(res);
	}
out:
	if (own) {
		struct ac_err e2;

		plain(q, rc ? "ROLLBACK" : "COMMIT", "cases", NULL, &e2);
	}
	return rc;
}

/* ---- policy versions (issue 9) ---- */

static int pg_put_policy(void *impl, struct ac_str hash, struct ac_str body,
			 int64_t created_at, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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
static void read_policy(struct fill *f, struct pst *st,
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

static int pg_get_policy(void *impl, struct ac_str hash,
			 struct store_policy *out, struct ac_err *err)
{
	const char *op = "get_policy";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_active_policy(void *impl, char hash_out[STORE_POLICY_HASH_MAX],
			    struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
	int rc;

	if ((rc = prep(q, ST_POLICY_ACTIVE, &st, err)))
		return rc;
	rc = step(q, st, "active_policy", err);
	if (rc == 0)
		rc = ac_err_set(err, AC_ENOTFOUND, "policy",
				"no policy is active");
	if (rc == 1) {
		struct ac_str h = raw(st, 0);

		snprintf(hash_out, STORE_POLICY_HASH_MAX, "%.*s", (int)h.n,
			 h.p);
		rc = 0;
	}
	done(st);
	return rc;
}

static int pg_activate_policy(void *impl, struct ac_str hash, int64_t at,
			      struct ac_str by, struct ac_err *err)
{
	const char *op = "activate_policy";
	struct pg *q = impl;
	struct atomic a;
	struct pst *st;
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

static int pg_list_policies(void *impl, int limit,
			    struct store_policy_page *out, struct ac_err *err)
{
	const char *op = "list_policies";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_put_hook(void *impl, struct ac_str kind, struct ac_str name,
		       struct ac_str secret, int64_t created_at,
		       struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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
static void read_hook(struct fill *f, struct pst *st, struct store_hook *h)
{
	fill_col(f, st, 0, &h->kind);
	fill_col(f, st, 1, &h->name);
	fill_col(f, st, 2, &h->secret);
	h->created_at = i64(st, 3);
}

static int pg_get_hook(void *impl, struct ac_str kind, struct ac_str name,
		       struct store_hook *out, struct ac_err *err)
{
	const char *op = "get_hook";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_list_hooks(void *impl, struct store_hook_page *out,
			 struct ac_err *err)
{
	const char *op = "list_hooks";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_put_hook_event(void *impl, const struct store_hook_event *e,
			     struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_put_parcel(void *impl, struct ac_str carrier,
			 struct ac_str tracking_code, struct ac_str order_id,
			 int64_t created_at, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_find_parcel(void *impl, struct ac_str carrier,
			  struct ac_str tracking_code,
			  char order_out[STORE_ID_MAX], struct ac_err *err)
{
	const char *op = "find_parcel";
	struct pg *q = impl;
	struct pst *st;
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
			 PQgetlength(st->res, 0, 0),
			 PQgetvalue(st->res, 0, 0));
	}
	done(st);
	return rc;
}

/* event_page reads the rows of a bound hook-event statement into out:
 * at most limit (more is set when there are others); columns 0-9 as
 * both statements give them, 10 the order when with_order. */
static int event_page(struct pg *q, struct pst *st, struct bind *b,
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

static int pg_list_unmatched(void *impl, struct ac_str carrier,
			     struct ac_str tracking_code,
			     struct store_hook_event_page *out,
			     struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_list_hook_events(void *impl, struct ac_str status, int limit,
			       struct store_hook_event_page *out,
			       struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_match_hook_event(void *impl, struct ac_str kind,
			       struct ac_str name, struct ac_str event_id,
			       struct ac_str status, struct ac_str order_id,
			       struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_put_payment_intent(void *impl, struct ac_str order_id,
				 struct ac_str intent, int64_t at,
				 struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_get_payment_intent(void *impl, struct ac_str order_id,
				 char out[256], struct ac_err *err)
{
	const char *op = "get_payment_intent";
	struct pg *q = impl;
	struct pst *st;
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
		snprintf(out, 256, "%.*s", PQgetlength(st->res, 0, 0),
			 PQgetvalue(st->res, 0, 0));
	}
	done(st);
	return rc;
}

static int pg_put_refund_pay(void *impl, int64_t ledger_id,
			     struct ac_str case_id, int64_t outbox_id,
			     int64_t at, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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
static void read_refund_pay(struct fill *f, struct pst *st,
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

static int pg_get_refund_pay(void *impl, int64_t ledger_id,
			     struct store_refund_pay *out, struct ac_err *err)
{
	const char *op = "get_refund_pay";
	struct pg *q = impl;
	struct pst *st;
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

static int pg_set_refund_pay(void *impl, int64_t ledger_id,
			     struct ac_str status, struct ac_str provider_id,
			     struct ac_str reason, int64_t outbox_id,
			     int64_t at, bool force, int *changed,
			     struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_list_refund_pays(void *impl, struct ac_str case_id,
			       struct store_refund_pay_page *out,
			       struct ac_err *err)
{
	const char *op = "list_refund_pays";
	struct pg *q = impl;
	struct pst *st;
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

/* The outbox's statements, by enum st - ST_OUTBOX_ADD (prepared once per
 * connection like the others, by ob_prep). A claim is one UPDATE of the
 * due rows the index outbox_due gives, soonest first, FOR UPDATE SKIP
 * LOCKED: a row another server is claiming is passed over, never waited
 * for nor taken twice (READ COMMITTED re-checks the row it locks, so one
 * claimed a moment ago is no longer due). */
static const struct stmt_def ob_stmts[] = {
	[ST_OUTBOX_ADD - ST_OUTBOX_ADD] = {
		"INSERT INTO outbox (kind, case_id, ref, dedupe, payload_json, "
		"next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
		"ON CONFLICT (dedupe) DO NOTHING RETURNING id", "tttttii",
		true },
	[ST_OUTBOX_DUE - ST_OUTBOX_ADD] = {
		"SELECT 1 FROM outbox WHERE kind = $1 AND status IN "
		"('pending', 'sending') AND next_at <= $2 LIMIT 1", "ti",
		false },
	[ST_OUTBOX_CLAIM - ST_OUTBOX_ADD] = {
		"UPDATE outbox SET status = 'sending', "
		"attempts = attempts + 1, "
		"next_at = $3 WHERE id IN (SELECT id FROM outbox WHERE "
		"kind = $1 AND status IN ('pending', 'sending') AND "
		"next_at <= $2 ORDER BY next_at LIMIT $4 FOR UPDATE SKIP "
		"LOCKED) RETURNING " OB_COLS, "tiii", true },
	[ST_OUTBOX_FINISH - ST_OUTBOX_ADD] = {
		"UPDATE outbox SET status = $3, next_at = $4, last_error = $5, "
		"sent_at = $6 WHERE id = $1 AND attempts = $2 AND "
		"status = 'sending'", "iititi", true },
	[ST_OUTBOX_RETRY - ST_OUTBOX_ADD] = {
		"UPDATE outbox SET status = 'pending', attempts = 0, "
		"next_at = $2 WHERE id = $1 AND status IN ('dead', 'failed')",
		"ii", true },
	[ST_OUTBOX_GET - ST_OUTBOX_ADD] = {
		"SELECT " OB_COLS " FROM outbox WHERE id = $1", "i", false },
	[ST_OUTBOX_LIST_STATUS - ST_OUTBOX_ADD] = {
		"SELECT " OB_COLS " FROM outbox WHERE status = $1 AND id > $2 "
		"ORDER BY id LIMIT $3", "tii", false },
	[ST_OUTBOX_LIST_CASE - ST_OUTBOX_ADD] = {
		"SELECT " OB_COLS " FROM outbox WHERE case_id = $1 AND "
		"id > $2 AND ($4::text IS NULL OR status = $4) ORDER BY id "
		"LIMIT $3", "tiit", false },
	[ST_OUTBOX_DEPTH - ST_OUTBOX_ADD] = {
		"SELECT kind, status, count(*) FROM outbox WHERE status IN "
		"('pending', 'sending', 'dead', 'failed') "
		"GROUP BY kind, status "
		"ORDER BY kind", "", false },
	[ST_BOUNCE_PUT - ST_OUTBOX_ADD] = {
		"INSERT INTO bounces (case_id, address, reason, at) "
		"VALUES ($1, $2, $3, $4) ON CONFLICT (case_id) DO UPDATE SET "
		"address = excluded.address, reason = excluded.reason, "
		"at = excluded.at", "ttti", true },
	[ST_BOUNCE_GET - ST_OUTBOX_ADD] = {
		"SELECT case_id, address, reason, at FROM bounces "
		"WHERE case_id = $1", "t", false },
};

static int ob_prep(struct pg *q, enum st id, struct pst **out,
		   struct ac_err *err)
{
	const struct stmt_def *def = &ob_stmts[id - ST_OUTBOX_ADD];

	(void)err;
	if (!q->st[id].sql)
		pst_init(&q->st[id], "s", id, def->sql, def->types,
			 def->write);
	*out = &q->st[id];
	return 0;
}

/* ob_row reads an OB_COLS row into r (strings through f). */
static int ob_row(struct fill *f, struct pst *st, struct store_outbox *r,
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
static int ob_page(struct pg *q, struct pst *st, struct bind *b,
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

static int pg_outbox_add(void *impl, const struct store_outbox *m,
			 int64_t *id, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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
	/* without id, whether it was added or there already is not asked */
	rc = id ? exec_write(q, st, &b, "outbox_add", id, &changes, err)
		: exec_later(q, st, &b, "outbox_add", err);
	if (!rc && id && changes == 0)
		*id = 0;                /* the dedupe key is there already */
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "outbox.case_id", "no such case: %.*s",
			   (int)m->case_id.n, m->case_id.p);
	else if (rc == AC_EINVAL)
		ac_err_set(err, rc, "outbox.payload_json", "not JSON");
	return rc;
}

static int pg_outbox_claim(void *impl, struct ac_str kind, int64_t now,
			   int64_t lease_until, int limit,
			   struct store_outbox_page *out, struct ac_err *err)
{
	const char *op = "outbox_claim";
	struct pg *q = impl;
	struct pst *st;
	struct bind b;
	int rc;

	/* a read first: an idle worker writes nothing */
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
static int ob_state(struct pg *q, int64_t id, const char *msg,
		    struct ac_err *err)
{
	struct pst *st;
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

static int pg_outbox_finish(void *impl, int64_t id, int attempts,
			    enum store_outbox_status to, int64_t next_at,
			    struct ac_str error, int64_t at,
			    struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_outbox_retry(void *impl, int64_t id, int64_t at,
			   struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_get_outbox(void *impl, int64_t id,
			 struct store_outbox_page *out, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_list_outbox(void *impl, const struct store_outbox_filter *flt,
			  struct store_outbox_page *out, struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_outbox_depth(void *impl, struct store_outbox_depth *out,
			   struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
	int rc;

	if ((rc = ob_prep(q, ST_OUTBOX_DEPTH, &st, err)))
		return rc;
	while ((rc = step(q, st, "outbox_depth", err)) == 1)
		ob_depth_add(out, raw(st, 0), raw(st, 1), i64(st, 2));
	done(st);
	return rc;
}

static int pg_put_bounce(void *impl, const struct store_bounce *bo,
			 struct ac_err *err)
{
	struct pg *q = impl;
	struct pst *st;
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

static int pg_get_bounce(void *impl, struct ac_str case_id,
			 struct store_bounce *out, struct ac_err *err)
{
	const char *op = "get_bounce";
	struct pg *q = impl;
	struct pst *st;
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

/* The reports' statements, by enum st - ST_REPORT_WEEKS (prepared once
 * per connection like the others, by rp_prep): ranges of the summaries'
 * keys, a few hundred rows at any size. */
static const struct stmt_def rp_stmts[] = {
	[ST_REPORT_WEEKS - ST_REPORT_WEEKS] = {
		"SELECT week, '', currency, sum(cases)::bigint, "
		"sum(refunds)::bigint, sum(refunded_minor)::bigint "
		"FROM report_sums WHERE dim = 'week' "
		"AND week BETWEEN $1 AND $2 GROUP BY week, currency "
		"HAVING sum(cases) <> 0 OR sum(refunds) <> 0 "
		"ORDER BY week, currency LIMIT $3", "iii", false },
	[ST_REPORT_GROUPS - ST_REPORT_WEEKS] = {
		"SELECT 0, key, currency, sum(cases)::bigint, "
		"sum(refunds)::bigint, sum(refunded_minor)::bigint "
		"FROM report_sums WHERE dim = $4 "
		"AND week BETWEEN $1 AND $2 GROUP BY key, currency "
		"HAVING sum(cases) <> 0 OR sum(refunds) <> 0 "
		"ORDER BY key COLLATE \"C\", currency LIMIT $3", "iiit",
		false },
	[ST_REPORT_DURATIONS - ST_REPORT_WEEKS] = {
		"SELECT bucket, sum(n)::bigint FROM report_durations "
		"WHERE what = $1 AND week BETWEEN $2 AND $3 GROUP BY bucket",
		"tii", false },
	[ST_REPORT_CLAIMANTS - ST_REPORT_WEEKS] = {
		"SELECT key, claims, not_received, damaged, last_at "
		"FROM report_claimants WHERE by = $1 AND claims >= $2 "
		"ORDER BY claims DESC, key COLLATE \"C\" DESC LIMIT $3",
		"tii", false },
	[ST_REPORT_CLAIMANTS_N - ST_REPORT_WEEKS] = {
		"SELECT count(*) FROM report_claimants "
		"WHERE by = $1 AND claims >= $2", "ti", false },
	[ST_DUE_COUNT - ST_REPORT_WEEKS] = {
		"SELECT coalesce((SELECT sum(n) FROM report_due "
		"WHERE day < $2), 0)::bigint + (SELECT count(*) FROM cases "
		"WHERE due_at >= $2 AND due_at < $1)", "ii", false },
};

static int rp_prep(struct pg *q, enum st id, struct pst **out,
		   struct ac_err *err)
{
	const struct stmt_def *def = &rp_stmts[id - ST_REPORT_WEEKS];

	(void)err;
	if (!q->st[id].sql)
		pst_init(&q->st[id], "s", id, def->sql, def->types,
			 def->write);
	*out = &q->st[id];
	return 0;
}

/* The dims' names in report_sums.dim, in enum store_report_dim's order. */
static const char *const report_dim_names[STORE_REPORT_DIM_COUNT] = {
	"week", "type", "clause", "staff", "material", "kind",
};

/* copy_cell copies a text column into a fixed buffer; AC_ELIMIT when it
 * does not fit. */
static int copy_cell(struct pst *st, int col, char *out, size_t cap,
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

static int pg_report_sums(void *impl, enum store_report_dim dim,
			  int64_t from_week, int64_t to_week,
			  struct store_report_row *rows, int cap, int *n,
			  struct ac_err *err)
{
	const char *op = "report_sums";
	bool weeks = dim == STORE_REPORT_WEEK;
	struct pg *q = impl;
	struct pst *st;
	struct bind b;
	int rc;

	if ((rc = rp_prep(q, weeks ? ST_REPORT_WEEKS : ST_REPORT_GROUPS,
			  &st, err)))
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

static int pg_report_durations(void *impl, enum store_report_wait what,
			       int64_t from_week, int64_t to_week,
			       int64_t counts[STORE_REPORT_BUCKETS],
			       struct ac_err *err)
{
	const char *op = "report_durations";
	struct pg *q = impl;
	struct pst *st;
	struct bind b;
	int rc;

	if ((rc = rp_prep(q, ST_REPORT_DURATIONS, &st, err)))
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

static int pg_report_claimants(void *impl, bool by_address,
			       int64_t min_claims,
			       struct store_claimant *rows, int cap, int *n,
			       int64_t *total, struct ac_err *err)
{
	const char *op = "report_claimants";
	const char *by = by_address ? "address" : "email";
	struct pg *q = impl;
	struct pst *st;
	struct bind b;
	struct atomic a;
	int rc;

	if ((rc = atomic_begin(q, false, &a, op, err)))
		return rc;
	if (!(rc = rp_prep(q, ST_REPORT_CLAIMANTS, &st, err))) {
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
	if (!rc && !(rc = rp_prep(q, ST_REPORT_CLAIMANTS_N, &st, err))) {
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

static int pg_count_due_before(void *impl, int64_t at, int64_t *n,
			       struct ac_err *err)
{
	const char *op = "count_due_before";
	struct pg *q = impl;
	struct pst *st;
	struct bind b;
	int rc;

	if ((rc = rp_prep(q, ST_DUE_COUNT, &st, err)))
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

const struct store_ops store_postgres_ops = {
	.version = 1,
	.name = "postgresql",
	.xOpen = pg_open,
	.xClose = pg_close,
	.xSchemaVersion = pg_schema_version,
	.xHealth = pg_health,
	.xBegin = pg_begin,
	.xBeginRead = pg_begin_read,
	.xCommit = pg_commit,
	.xRollback = pg_rollback,
	.xInTransaction = pg_in_transaction,
	.xSavepoint = pg_savepoint,
	.xTestFailAfter = pg_test_fail_after,
	.xTestBreakCommit = pg_test_break_commit,
	.xPutOrder = pg_put_order,
	.xGetOrder = pg_get_order,
	.xPutShipment = pg_put_shipment,
	.xAddTrackingEvent = pg_add_tracking_event,
	.xListTrackingEvents = pg_list_tracking_events,
	.xPutCase = pg_put_case,
	.xGetCase = pg_get_case,
	.xGetCaseView = pg_get_case_view,
	.xUpdateCaseStatus = pg_update_case_status,
	.xUpdateCaseOverride = pg_update_case_override,
	.xUpdateCaseApproval = pg_update_case_approval,
	.xListCases = pg_list_cases,
	.xListDue = pg_list_due,
	.xSaveDecision = pg_save_decision,
	.xGetCurrentDecision = pg_get_current_decision,
	.xAddLedger = pg_add_ledger,
	.xSumLedgerCase = pg_sum_ledger_case,
	.xSumLedgerOrder = pg_sum_ledger_order,
	.xGetIdempotency = pg_get_idempotency,
	.xPutIdempotency = pg_put_idempotency,
	.xPutQuote = pg_put_quote,
	.xUpdateQuote = pg_update_quote,
	.xGetQuote = pg_get_quote,
	.xGetCaseQuote = pg_get_case_quote,
	.xAddNote = pg_add_note,
	.xListNotes = pg_list_notes,
	.xPutEvidence = pg_put_evidence,
	.xGetEvidence = pg_get_evidence,
	.xListEvidence = pg_list_evidence,
	.xCaseCounts = pg_case_counts,
	.xAppendAudit = pg_append_audit,
	.xListAudit = pg_list_audit,
	.xPutToken = pg_put_token,
	.xFindToken = pg_find_token,
	.xRevokeToken = pg_revoke_token,
	.xRevokeTokensNamed = pg_revoke_tokens_named,
	.xPutStaffUser = pg_put_staff_user,
	.xGetStaffUser = pg_get_staff_user,
	.xListStaffUsers = pg_list_staff_users,
	.xUpdateStaffLogin = pg_update_staff_login,
	.xPutSession = pg_put_session,
	.xGetSession = pg_get_session,
	.xEndSession = pg_end_session,
	.xPurgeSessions = pg_purge_sessions,
	.xGetLookupFailures = pg_get_lookup_failures,
	.xAddLookupFailure = pg_add_lookup_failure,
	.xPurgeLookupFailures = pg_purge_lookup_failures,
	.xAddMessage = pg_add_message,
	.xListMessages = pg_list_messages,
	.xCountRows = pg_count_rows,
	.xReadRows = pg_read_rows,
	.xInsertRow = pg_insert_row,
	.xCopyDone = pg_copy_done,
	.xCountReplay = pg_count_replay,
	.xReadReplay = pg_read_replay,
	.xPutPolicy = pg_put_policy,
	.xGetPolicy = pg_get_policy,
	.xActivePolicy = pg_active_policy,
	.xActivatePolicy = pg_activate_policy,
	.xListPolicies = pg_list_policies,
	.xPutHook = pg_put_hook,
	.xGetHook = pg_get_hook,
	.xListHooks = pg_list_hooks,
	.xPutHookEvent = pg_put_hook_event,
	.xPutParcel = pg_put_parcel,
	.xFindParcel = pg_find_parcel,
	.xListUnmatched = pg_list_unmatched,
	.xMatchHookEvent = pg_match_hook_event,
	.xListHookEvents = pg_list_hook_events,
	.xPutPaymentIntent = pg_put_payment_intent,
	.xGetPaymentIntent = pg_get_payment_intent,
	.xPutRefundPay = pg_put_refund_pay,
	.xGetRefundPay = pg_get_refund_pay,
	.xSetRefundPay = pg_set_refund_pay,
	.xListRefundPays = pg_list_refund_pays,
	/* the outbox (issue 10) */
	.xOutboxAdd = pg_outbox_add,
	.xOutboxClaim = pg_outbox_claim,
	.xOutboxFinish = pg_outbox_finish,
	.xOutboxRetry = pg_outbox_retry,
	.xGetOutbox = pg_get_outbox,
	.xListOutbox = pg_list_outbox,
	.xOutboxDepth = pg_outbox_depth,
	.xPutBounce = pg_put_bounce,
	.xGetBounce = pg_get_bounce,
	.xReportSums = pg_report_sums,
	.xReportDurations = pg_report_durations,
	.xReportClaimants = pg_report_claimants,
	.xCountDueBefore = pg_count_due_before,
};
