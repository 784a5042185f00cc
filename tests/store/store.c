/* tests/store/store.c: the store's unit tests (Criterion), run against a
 * real SQLite file in a fresh temporary directory per test, or with
 * AC_TEST_PG_DSN set against PostgreSQL, in a fresh schema per test
 * (pgtest.h; the SQLite-only tests skip there). They reach the database
 * with raw SQL only to look behind the store's back: to count rows after
 * an injected fault and to try to tamper with append-only tables. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/store/store.h"
#include "pgtest.h"

#define T0 INT64_C(1777881600000000)   /* 2026-05-04T08:00:00Z */
#define HOUR INT64_C(3600000000)

static char dir[64];
static char path[512];                  /* the file, or PostgreSQL's DSN */
static struct store *s;
static struct ac_err err;

static void rm_db(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[128];

	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
}

/* SQLITE_ONLY skips a test that looks at SQLite's own file or plans. */
#define SQLITE_ONLY() \
	do { \
		if (pgtest_base()) \
			cr_skip_test("SQLite only"); \
	} while (0)

static void setup(void)
{
	if (pgtest_base()) {
		pgtest_schema_new(path, sizeof path);
		cr_assert_eq(store_open(path, &s, &err), 0, "open: %s: %s",
			     err.field, err.msg);
		return;
	}
	snprintf(dir, sizeof dir, "%s", "/tmp/ac-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.db", dir);
	cr_assert_eq(store_open(path, &s, &err), 0, "open: %s: %s", err.field,
		     err.msg);
}

static void teardown(void)
{
	store_close(s);
	s = NULL;
	if (pgtest_base()) {
		pgtest_schema_drop();
		return;
	}
	rm_db();
	rmdir(dir);
}

TestSuite(store, .init = setup, .fini = teardown);

/* ---- helpers ---------------------------------------------------------- */

static bool str_is(struct ac_str a, const char *want)
{
	return a.n == strlen(want) && memcmp(a.p, want, a.n) == 0;
}

#define assert_str(a, want) \
	cr_assert(str_is((a), (want)), "%s: got \"%.*s\", want \"%s\"", #a, \
		  (int)(a).n, (a).p, (want))
#define assert_ok(call) \
	cr_assert_eq((call), 0, "%s: %s: %s", #call, err.field, err.msg)
#define assert_fails(call, code) \
	cr_assert_eq((call), (code), "%s: want %d, got %d (%s: %s)", #call, \
		     (code), (call), err.field, err.msg)

/* raw_count answers a COUNT(*) query on the file behind the store's back. */
static long long raw_count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;

	if (pgtest_base())
		return pgtest_count(path, sql);
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK,
		     "%s", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* raw_exec runs SQL behind the store's back; returns SQLite's code and
 * copies the message. */
static int raw_exec(const char *sql, char *msg, size_t cap)
{
	sqlite3 *db;
	char *m = NULL;
	int rc;

	if (pgtest_base())
		switch (pgtest_exec(path, sql, msg, cap)) {
		case 0:
			return SQLITE_OK;
		case 2:
			return SQLITE_CONSTRAINT;
		default:
			return SQLITE_ERROR;
		}
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &m);
	snprintf(msg, cap, "%s", m ? m : "");
	sqlite3_free(m);
	sqlite3_close(db);
	return rc;
}

static const struct address home = {
	.name = AC_STR_LIT("Ana Li"), .line1 = AC_STR_LIT("5 Quay St"),
	.line2 = { "", 0 }, .city = AC_STR_LIT("Auckland"),
	.region = { "", 0 }, .postal_code = AC_STR_LIT("1010"),
	.country = AC_STR_LIT("NZ"),
};

static void sample_order(struct store_order *o, const char *id, bool shipped)
{
	struct item *it;

	memset(o, 0, sizeof *o);
	o->order.id = store_str(id);
	o->order.placed_at = T0;
	o->order.currency = money_currency_find("USD", 3);
	o->order.shipping_minor = 1500;
	o->order.address = home;
	o->order.n_items = 3;
	it = &o->order.items[0];
	it->line = 1;
	it->sku = AC_STR_LIT("R-14W-7");
	it->kind = KIND_RING;
	it->style = AC_STR_LIT("halo");
	it->shape = AC_STR_LIT("oval");
	it->material = AC_STR_LIT("14k white gold");
	it->color = AC_STR_LIT("white");
	it->has_size = true;
	it->size_milli = 7250;
	it->price_minor = 52000;
	it->certificate = AC_STR_LIT("GIA-123");
	it = &o->order.items[1];
	it->line = 2;
	it->sku = AC_STR_LIT("E-1");
	it->kind = KIND_EARRINGS;
	it->style = AC_STR_LIT("stud");
	it->shape = AC_STR_LIT("round");
	it->material = AC_STR_LIT("silver");
	it->color = AC_STR_LIT("grey");
	it->price_minor = 9000;
	it = &o->order.items[2];
	it->line = 5;
	it->sku = AC_STR_LIT("N-2");
	it->kind = KIND_NECKLACE;
	it->style = AC_STR_LIT("chain");
	it->shape = AC_STR_LIT("");
	it->material = AC_STR_LIT("gold");
	it->color = AC_STR_LIT("yellow");
	it->has_size = true;
	it->size_milli = 45500;
	it->price_minor = 0;
	o->customer_name = AC_STR_LIT("Ana Li");
	o->customer_email = AC_STR_LIT("ana@example.com");
	o->created_at = T0 + 1;
	o->shipped = shipped;
	if (shipped) {
		o->shipment.shipped_at = T0 + 72 * HOUR;
		o->shipment.address = home;
		o->shipment.address.line2 = AC_STR_LIT("Flat 2");
		o->shipment.delivered = true;
		o->shipment.delivered_at = T0 + 200 * HOUR;
		o->shipment.courier_finding = COURIER_INVESTIGATING;
		o->shipment.customs = CUSTOMS_CLEARED;
	}
}

static void put_sample_order(const char *id, bool shipped)
{
	struct store_order o;

	sample_order(&o, id, shipped);
	assert_ok(store_put_order(s, &o, &err));
}

static void sample_case(struct store_case *c, const char *id,
			const char *order_id, enum case_status status,
			enum claim_type type)
{
	memset(c, 0, sizeof *c);
	c->id = store_str(id);
	c->order_id = store_str(order_id);
	c->status = status;
	c->claim_type = type;
	c->opened_at = T0 + 300 * HOUR;
	c->claim_json =
		AC_STR_LIT("{\"type\": \"wrong_item\", \"lines\": [1]}");
	c->created_at = T0 + 301 * HOUR;
	c->updated_at = c->created_at;
}

/* put_sample_case stores a case and returns its id in out. */
static void put_sample_case(const char *id, const char *order_id,
			    enum case_status status, enum claim_type type,
			    char out[STORE_ID_MAX])
{
	struct store_case c;
	char scratch[STORE_ID_MAX];

	sample_case(&c, id, order_id, status, type);
	assert_ok(store_put_case(s, &c, out ? out : scratch, &err));
}

static void sample_decision(struct store_decision *d, const char *case_id,
			    const char *verdict, int64_t refund,
			    int64_t deadline)
{
	memset(d, 0, sizeof *d);
	d->case_id = store_str(case_id);
	d->decided_at = T0 + 302 * HOUR;
	d->verdict = store_str(verdict);
	d->refund_max_minor = refund;
	d->charge_minor = 0;
	d->has_deadline = deadline != 0;
	d->deadline = deadline;
	d->policy = AC_STR_LIT("sha256:0123abcd");
	d->decision_json = AC_STR_LIT("{\"verdict\": \"full_refund\"}");
	d->facts_json = AC_STR_LIT("{\"order\": {\"id\": \"A-1\"}}");
}

/* ---- opening and migrations ------------------------------------------- */

Test(store, open_migrates_and_sets_wal)
{
	int version = 0;

	assert_ok(store_schema_version(s, &version, &err));
	cr_assert_eq(version, 20);
	assert_ok(store_health(s, &err));
	cr_assert_str_eq(store_backend_name(s),
			 pgtest_base() ? "postgresql" : "sqlite");
	cr_assert_eq(raw_count("SELECT count(*) FROM schema_version"), 20);
	if (pgtest_base())
		return;
	/* WAL is a property of the file: a fresh connection sees it. */
	cr_assert_eq(raw_count("SELECT journal_mode = 'wal' "
			       "FROM pragma_journal_mode"), 1);
}

Test(store, migrations_are_idempotent_on_reopen)
{
	int version = 0;

	put_sample_order("A-1", false);
	for (int i = 0; i < 3; i++) {
		store_close(s);
		assert_ok(store_open(path, &s, &err));
	}
	assert_ok(store_schema_version(s, &version, &err));
	cr_assert_eq(version, 20);
	cr_assert_eq(raw_count("SELECT count(*) FROM schema_version"), 20);
	cr_assert_eq(raw_count("SELECT count(*) FROM orders"), 1);
}

Test(store, open_file_uri)
{
	struct store *t = NULL;
	char uri[128];

	SQLITE_ONLY();
	snprintf(uri, sizeof uri, "file:%s", path);
	assert_ok(store_open(uri, &t, &err));
	assert_ok(store_health(t, &err));
	store_close(t);
}

Test(store, refuses_a_newer_schema)
{
	struct store *t = NULL;
	char msg[256];

	cr_assert_eq(raw_exec("INSERT INTO schema_version VALUES (99, 'x', 0)",
			      msg, sizeof msg), SQLITE_OK, "%s", msg);
	assert_fails(store_open(path, &t, &err), AC_ESTATE);
	cr_assert_null(t);
	cr_assert(strstr(err.msg, "newer"), "%s", err.msg);
}

/* ephemeral_opens counts the temporary b-trees the main program of an
 * INSERT into TABLE opens, every stored column given a parameter (a value
 * SQLite cannot fold while compiling; EXPLAIN compiles, nothing runs; the
 * triggers' programs, listed after it from address 0 again, are left
 * out). */
static int ephemeral_opens(sqlite3 *db, const char *table)
{
	sqlite3_stmt *mk, *st;
	int n = 0, last = -1;

	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT 'EXPLAIN INSERT INTO \"' "
		"|| ?1 || '\" (' || group_concat(c, ', ') || ') VALUES (' || "
		"group_concat('?', ', ') || ')' FROM "
		"(SELECT '\"' || name || '\"' AS c FROM pragma_table_xinfo(?1) "
		"WHERE hidden = 0)", -1, &mk, NULL), SQLITE_OK, "%s",
		sqlite3_errmsg(db));
	sqlite3_bind_text(mk, 1, table, -1, SQLITE_STATIC);
	cr_assert_eq(sqlite3_step(mk), SQLITE_ROW);
	cr_assert_eq(sqlite3_prepare_v2(db, (const char *)
					sqlite3_column_text(mk, 0), -1, &st,
					NULL), SQLITE_OK, "%s: %s",
		     sqlite3_column_text(mk, 0), sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		int addr = sqlite3_column_int(st, 0);

		if (addr <= last)
			break;
		last = addr;
		n += strcmp((const char *)sqlite3_column_text(st, 1),
			    "OpenEphemeral") == 0;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(mk);
	return n;
}

/* 0012_checks: SQLite makes a temporary b-tree for `x IN (three or more
 * values)` on every statement that checks it; the tables' CHECKs are
 * comparisons, so no insert into any table makes one, and a value off the
 * list is still refused while each listed one passes. */
Test(store, checks_make_no_temporary_tables)
{
	static const char *const statuses[] = {
		"open", "waiting", "decided", "resolved", "closed",
	};
	sqlite3 *db;
	sqlite3_stmt *st;
	char msg[256], sql[512];
	int tables = 0;

	if (pgtest_base())
		return;
	/* read-write: on a read-only connection SQLite codes no CHECK */
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
		     SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema "
					"WHERE type = 'table' AND name NOT "
					"LIKE 'sqlite_%'", -1, &st, NULL),
		     SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		cr_expect_eq(ephemeral_opens(db, t), 0,
			     "an insert into %s makes a temporary b-tree", t);
		tables++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	cr_assert_geq(tables, 30);

	put_sample_order("A-1", true);
	put_sample_case("K-1", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED, NULL);
	for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
		snprintf(sql, sizeof sql, "UPDATE cases SET status = '%s' "
			 "WHERE id = 'K-1'", statuses[i]);
		cr_expect_eq(raw_exec(sql, msg, sizeof msg), SQLITE_OK,
			     "%s: %s", sql, msg);
	}
	cr_expect_eq(raw_exec("UPDATE cases SET status = 'lost' "
			      "WHERE id = 'K-1'", msg, sizeof msg),
		     SQLITE_CONSTRAINT, "%s", msg);
	cr_expect(strstr(msg, "status"), "%s", msg);
	cr_expect_eq(raw_exec("UPDATE cases SET claim_type = 'theft' "
			      "WHERE id = 'K-1'", msg, sizeof msg),
		     SQLITE_CONSTRAINT, "%s", msg);
	cr_expect_eq(raw_exec("UPDATE items SET kind = 'tiara' "
			      "WHERE order_id = 'A-1'", msg, sizeof msg),
		     SQLITE_CONSTRAINT, "%s", msg);
	cr_expect_eq(raw_exec("INSERT INTO report_sums (dim, week, key, "
			      "currency) VALUES ('colour', 0, '', 'USD')",
			      msg, sizeof msg), SQLITE_CONSTRAINT, "%s", msg);
	cr_assert_eq(raw_count("SELECT count(*) FROM pragma_integrity_check "
			       "WHERE integrity_check = 'ok'"), 1);
}

/* Every one-column rule of the tables a case's writes touch still refuses
 * what it refused, on both backends: on PostgreSQL they are domains since
 * 0017_domains, on SQLite table CHECKs. Each bad statement differs from a
 * good one, which is run first, in one value only. The good one must
 * pass: a statement refused for another reason proves nothing. */
Test(store, column_rules_refuse_on_either_backend)
{
	static const struct {
		const char *head, *good, *bad[6];
		bool pg_only;             /* SQLite's tables never had it */
	} rules[] = {
		{ "INSERT INTO decisions (case_id, decided_at, verdict, "
		  "refund_max_minor, charge_minor, policy, decision_json, "
		  "facts_json) VALUES ('K-1', 1, ",
		  "'no_refund', 0, 0, 'p', '{}', '{}')",
		  { "'maybe', 0, 0, 'p', '{}', '{}')",
		    "'no_refund', -1, 0, 'p', '{}', '{}')",
		    "'no_refund', 0, 9007199254740992, 'p', '{}', '{}')",
		    "'no_refund', 0, 0, '', '{}', '{}')",
		    "'no_refund', 0, 0, 'p', '{', '{}')",
		    "'no_refund', 0, 0, 'p', '{}', '[1,')" }, false },
		{ "UPDATE cases SET ",
		  "claim_json = '{\"a\": 1}', clause = 'x', customer = 'c@x', "
		  "verdict = 'no_refund', claim_type = 'repair' "
		  "WHERE id = 'K-1'",
		  { "claim_type = 'theft' WHERE id = 'K-1'",
		    "claim_json = '{' WHERE id = 'K-1'",
		    "verdict = 'maybe' WHERE id = 'K-1'",
		    "override_verdict = 'maybe', override_reason = 'r', "
		    "override_author = 'a', overridden_at = 1 "
		    "WHERE id = 'K-1'" }, false },
		{ "UPDATE cases SET ", "clause = 'y' WHERE id = 'K-1'",
		  { "clause = '' WHERE id = 'K-1'",
		    "customer = '' WHERE id = 'K-1'" }, true },
		{ "INSERT INTO outbox (kind, case_id, ref, dedupe, "
		  "payload_json, next_at, created_at, status, attempts) "
		  "VALUES (",
		  "'mail', 'K-1', 'r', 'd0', '{}', 0, 0, 'pending', 0)",
		  { "'Mail!', 'K-1', 'r', 'd1', '{}', 0, 0, 'pending', 0)",
		    "'mail', 'K-1', '', 'd2', '{}', 0, 0, 'pending', 0)",
		    "'mail', 'K-1', 'r', '', '{}', 0, 0, 'pending', 0)",
		    "'mail', 'K-1', 'r', 'd4', '{', 0, 0, 'pending', 0)",
		    "'mail', 'K-1', 'r', 'd5', '{}', 0, 0, 'lost', 0)",
		    "'mail', 'K-1', 'r', 'd6', '{}', 0, 0, 'pending', -1)" },
		  false },
		{ "INSERT INTO audit (at, actor, action, entity, entity_id, "
		  "before_json, after_json) VALUES (0, ",
		  "'a', 'x', 'case', 'K-1', NULL, '{}')",
		  { "'', 'x', 'case', 'K-1', NULL, '{}')",
		    "'a', '', 'case', 'K-1', NULL, '{}')",
		    "'a', 'x', '', 'K-1', NULL, '{}')",
		    "'a', 'x', 'case', 'K-1', '{', '{}')",
		    "'a', 'x', 'case', 'K-1', NULL, 'nul')" }, false },
		{ "INSERT INTO ledger (case_id, order_id, kind, amount_minor, "
		  "currency, created_at, actor) VALUES ('K-1', 'A-1', ",
		  "'refund', 100, 'USD', 0, 'a')",
		  { "'gift', 100, 'USD', 0, 'a')",
		    "'refund', 0, 'USD', 0, 'a')",
		    "'refund', 9007199254740992, 'USD', 0, 'a')",
		    "'refund', 100, 'USD', 0, '')" }, false },
		{ "INSERT INTO idempotency (scope, key, request_hash, "
		  "created_at, refunded_total_minor, ledger_id) VALUES ('s', ",
		  "'k1', 'h', 0, NULL, NULL)",
		  { "'', 'h', 0, NULL, NULL)",
		    "'k2', 'h', 0, -1, (SELECT max(id) FROM ledger))" },
		  false },
		{ "UPDATE case_counts SET ",
		  "open = open WHERE id = 1",
		  { "open = -1 WHERE id = 1", "waiting = -1 WHERE id = 1",
		    "decided = -1 WHERE id = 1", "resolved = -1 WHERE id = 1",
		    "closed = -1 WHERE id = 1" }, false },
		{ "INSERT INTO report_sums (dim, week, key, currency) VALUES (",
		  "'week', 0, 'z', 'USD')",
		  { "'colour', 0, 'y', 'USD')", "'week', 7, 'y', 'US')" },
		  false },
		{ "INSERT INTO report_durations (what, week, bucket, n) "
		  "VALUES (",
		  "'decision', 0, 13, 1)",
		  { "'lunch', 0, 0, 1)", "'refund', 0, 14, 1)",
		    "'refund', 0, -1, 1)" }, false },
		{ "INSERT INTO report_claimants (by, key, claims, "
		  "not_received, damaged, last_at) VALUES (",
		  "'email', 'z@x', 1, 0, 0, 0)",
		  { "'phone', 'k', 1, 0, 0, 0)", "'email', '', 1, 0, 0, 0)" },
		  false },
	};
	char sql[1024], msg[512];

	put_sample_order("A-1", true);
	put_sample_case("K-1", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED, NULL);
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
		if (rules[i].pg_only && !pgtest_base())
			continue;
		snprintf(sql, sizeof sql, "%s%s", rules[i].head, rules[i].good);
		cr_assert_eq(raw_exec(sql, msg, sizeof msg), SQLITE_OK,
			     "%s: %s", sql, msg);
		for (size_t j = 0; j < 6 && rules[i].bad[j]; j++) {
			snprintf(sql, sizeof sql, "%s%s", rules[i].head,
				 rules[i].bad[j]);
			/* PostgreSQL refuses JSON that is not as 22P02,
			 * not as a constraint (class 23) */
			cr_expect_neq(raw_exec(sql, msg, sizeof msg),
				      SQLITE_OK, "kept: %s", sql);
		}
	}
	if (pgtest_base()) {
		/* the rules are the domains' now: no table CHECK is left on
		 * decisions or audit, and on cases only the two 0017_domains
		 * keeps (id, status) and the two of several columns */
		cr_expect_eq(raw_count("SELECT count(*) FROM pg_constraint "
				       "WHERE contype = 'c' AND conrelid IN "
				       "('decisions'::regclass, "
				       "'audit'::regclass)"), 0);
		cr_expect_eq(raw_count("SELECT count(*) FROM pg_constraint "
				       "WHERE contype = 'c' AND conrelid = "
				       "'cases'::regclass"), 4);
	}
}

#define N_PAST 5000

/* past_cases stores n (at most N_PAST) open cases on A-1, committed,
 * their ids in ids. */
static void past_cases(char ids[N_PAST][STORE_ID_MAX], int n)
{
	put_sample_order("A-1", false);
	assert_ok(store_begin(s, &err));
	for (int i = 0; i < n; i++)
		put_sample_case("", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED,
				ids[i]);
	assert_ok(store_commit(s, &err));
}

/* close_first begins a request (a savepoint) that closes the first n of
 * them: for all of them ~375 pages of rows and their index's, ~1.5 MiB
 * of journal. */
static void close_first(char ids[N_PAST][STORE_ID_MAX], int n)
{
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	for (int i = 0; i < n; i++)
		assert_ok(store_update_case_status(s, store_str(ids[i]),
						   CASE_STATUS_CLOSED, 99,
						   &err));
}

/* A request that changes more pages than the statement journal keeps in
 * memory (1 MiB, sqlite.c: STMT_JOURNAL_SPILL; the rest goes to a file,
 * the block moved there in pieces by the store's VFS, sqlite_vfs.c) is
 * still undone whole, and the requests around it kept. (On PostgreSQL,
 * which keeps no such journal, a fifth of the cases: the savepoints'
 * test, 5 s less.) */
Test(store, a_request_past_the_journal_in_memory_is_undone_whole)
{
	static char ids[N_PAST][STORE_ID_MAX];
	char id[STORE_ID_MAX];
	int n = pgtest_base() ? N_PAST / 5 : N_PAST;

	past_cases(ids, n);
	assert_ok(store_begin(s, &err));
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	put_sample_case("", "A-1", CASE_STATUS_OPEN, CLAIM_REPAIR, id);
	assert_ok(store_savepoint(s, STORE_SP_RELEASE, &err));
	close_first(ids, n);
	assert_ok(store_savepoint(s, STORE_SP_ROLLBACK, &err));
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	assert_ok(store_update_case_status(s, store_str(ids[7]),
					   CASE_STATUS_WAITING, 100, &err));
	assert_ok(store_savepoint(s, STORE_SP_RELEASE, &err));
	assert_ok(store_commit(s, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM cases"), n + 1);
	cr_assert_eq(raw_count("SELECT count(*) FROM cases "
			       "WHERE status = 'open'"), n);
	cr_assert_eq(raw_count("SELECT count(*) FROM cases "
			       "WHERE status = 'waiting'"), 1);
	if (!pgtest_base())
		cr_assert_eq(raw_count("SELECT integrity_check = 'ok' "
				       "FROM pragma_integrity_check"), 1);
}

/* sqlite_temp_files counts the temporary files SQLite holds open in this
 * process (the unix VFS names them etilqs_ and unlinks them at once). */
static int sqlite_temp_files(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d))) {
		char link[300], to[512];
		ssize_t len;

		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		len = readlink(link, to, sizeof to - 1);
		if (len <= 0)
			continue;
		to[len] = '\0';
		n += strstr(to, "etilqs_") != NULL;
	}
	closedir(d);
	return n;
}

/* journal_request: N_PAST cases stored, then a request in a savepoint
 * that changes n of them (all: ~1.5 MiB of statement journal); at its
 * height *files gets the temporary files open; the request is undone. */
static void journal_request(int n, int *files)
{
	static char ids[N_PAST][STORE_ID_MAX];

	past_cases(ids, N_PAST);
	assert_ok(store_begin(s, &err));
	close_first(ids, n);
	*files = sqlite_temp_files();
	assert_ok(store_savepoint(s, STORE_SP_ROLLBACK, &err));
	assert_ok(store_commit(s, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM cases "
			       "WHERE status = 'open'"), N_PAST);
}

/* The journal goes to a file only past its 1 MiB in memory. */
Test(store, a_request_past_the_journal_in_memory_spills_to_a_file)
{
	int files;

	SQLITE_ONLY();
	journal_request(N_PAST, &files);
	cr_assert_eq(files, 1);
}

/* A request of a few hundred KiB of journal (past 128 KiB, which SQLite
 * alone could not move to a file) keeps it in memory: a case opened now
 * and then journals more than 120 KiB, and a group commit's requests
 * after a journal went to its file all wrote theirs there. */
Test(store, a_request_under_the_block_keeps_its_journal_in_memory)
{
	int files;

	SQLITE_ONLY();
	journal_request(N_PAST / 3, &files);
	cr_assert_eq(files, 0);
}

/* A program that started SQLite before its first store cannot set the
 * journal's spill (process-wide): the store keeps its statement journals
 * in memory then, never a file for a request past SQLite's default
 * 64 KiB (a case opened journals ~110 KiB). */
static void setup_sqlite_first(void)
{
	cr_assert_eq(sqlite3_initialize(), SQLITE_OK);
	setup();
}

Test(store_after_sqlite, a_request_keeps_its_journal_in_memory,
     .init = setup_sqlite_first, .fini = teardown)
{
	int files;

	SQLITE_ONLY();
	journal_request(N_PAST, &files);
	cr_assert_eq(files, 0);
}

/* The caller's savepoints, as a group commit uses them: one per request,
 * each released when its request succeeds and rolled back alone when it
 * fails, the batch's other requests kept. (PostgreSQL sends a release
 * with the next savepoint, or not at all before the COMMIT.) */
Test(store, savepoints_keep_or_undo_one_request_each)
{
	struct store_order o;
	static const struct {
		const char *id;
		bool fails;
	} reqs[] = {
		{ "A-1", false }, { "A-2", true }, { "A-3", false },
		{ "A-1", false }, { "A-4", false },
	};

	assert_ok(store_begin(s, &err));
	for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++) {
		int rc;

		assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
		sample_order(&o, reqs[i].id, true);
		/* the fourth puts A-1 again: the store refuses it */
		rc = store_put_order(s, &o, &err);
		if (rc == 0 && reqs[i].fails)
			rc = AC_EINVAL;     /* the request failed after */
		if (rc) {
			cr_assert(reqs[i].fails || i == 3, "%s: %s",
				  reqs[i].id, err.msg);
			assert_ok(store_savepoint(s, STORE_SP_ROLLBACK, &err));
		} else {
			cr_assert(i != 3, "A-1 put twice");
			assert_ok(store_savepoint(s, STORE_SP_RELEASE, &err));
		}
	}
	assert_ok(store_commit(s, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM orders WHERE id IN "
			       "('A-1', 'A-3', 'A-4')"), 3);
	cr_assert_eq(raw_count("SELECT count(*) FROM orders WHERE id = "
			       "'A-2'"), 0);
	/* and a batch whose last request is released goes on as ever */
	assert_ok(store_begin(s, &err));
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	sample_order(&o, "A-5", true);
	assert_ok(store_put_order(s, &o, &err));
	assert_ok(store_savepoint(s, STORE_SP_RELEASE, &err));
	assert_ok(store_rollback(s, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM orders WHERE id = "
			       "'A-5'"), 0);
}

/* In a group commit, PostgreSQL sends a write whose caller wants nothing
 * back without waiting for its answer (send_later). Its error still ends
 * its own request, at the latest when the request's savepoint is released,
 * and is that write's; what the request wrote before it is undone with
 * it, the requests around it are kept, and a read in a request sees the
 * writes sent before it. */
Test(store, a_write_answered_later_fails_its_own_request)
{
	struct store_audit a = {
		.at = T0, .actor = AC_STR_LIT("token:1"),
		.action = AC_STR_LIT("case.open"), .entity = AC_STR_LIT("case"),
	};
	struct store_outbox m = {
		.kind = AC_STR_LIT("mail"), .dedupe = AC_STR_LIT("k-1"),
		.payload_json = AC_STR_LIT("{}"), .next_at = T0,
		.created_at = T0,
	};
	struct store_decision d, got;
	char k1[STORE_ID_MAX], k3[STORE_ID_MAX];
	int rc;

	put_sample_order("A-1", true);
	assert_ok(store_begin(s, &err));
	/* 1: a case, its decision and an event, read back: kept */
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	put_sample_case("K-1", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM, k1);
	sample_decision(&d, k1, "partial_refund", 700, 0);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	a.entity_id = store_str(k1);
	assert_ok(store_append_audit(s, &a, NULL, &err));
	m.case_id = store_str(k1);
	assert_ok(store_outbox_add(s, &m, NULL, &err));
	assert_ok(store_get_current_decision(s, store_str(k1), &got, &err));
	cr_assert_eq(got.refund_max_minor, 700,
		     "the decision sent before the read is not seen");
	store_decision_release(&got);
	assert_ok(store_savepoint(s, STORE_SP_RELEASE, &err));
	/* 2: an event, then a decision for a case that is not there */
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	a.entity_id = AC_STR_LIT("K-2");
	assert_ok(store_append_audit(s, &a, NULL, &err));
	sample_decision(&d, "K-404", "full_refund", 900, 0);
	rc = store_save_decision(s, &d, NULL, &err);
	if (rc == 0)            /* sent later: the release answers it */
		rc = store_savepoint(s, STORE_SP_RELEASE, &err);
	cr_assert_eq(rc, AC_ENOTFOUND, "rc %d: %s", rc, err.msg);
	cr_assert(strstr(err.field, "decision"), "field %s", err.field);
	assert_ok(store_savepoint(s, STORE_SP_ROLLBACK, &err));
	/* 2b: the same, the request failing for a reason of its own before
	 * its release: the undo takes the answer first */
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	rc = store_save_decision(s, &d, NULL, &err);
	cr_assert(rc == 0 || rc == AC_ENOTFOUND, "rc %d: %s", rc, err.msg);
	assert_ok(store_savepoint(s, STORE_SP_ROLLBACK, &err));
	/* 3: the batch goes on */
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	put_sample_case("K-3", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM, k3);
	a.entity_id = store_str(k3);
	assert_ok(store_append_audit(s, &a, NULL, &err));
	assert_ok(store_savepoint(s, STORE_SP_RELEASE, &err));
	assert_ok(store_commit(s, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM audit"), 2);
	cr_assert_eq(raw_count("SELECT count(*) FROM audit WHERE entity_id "
			       "= 'K-2'"), 0);
	cr_assert_eq(raw_count("SELECT count(*) FROM decisions"), 1);
	cr_assert_eq(raw_count("SELECT count(*) FROM outbox"), 1);
	cr_assert_eq(raw_count("SELECT count(*) FROM cases"), 2);
	/* a last request's error is answered by the commit at the latest */
	assert_ok(store_begin(s, &err));
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	rc = store_save_decision(s, &d, NULL, &err);
	if (rc == 0)
		rc = store_commit(s, &err);
	else
		store_rollback(s, NULL);
	cr_assert_neq(rc, 0, "a decision for no case was committed");
	cr_assert_eq(raw_count("SELECT count(*) FROM decisions"), 1);
	if (!pgtest_base())
		return;
	/* PostgreSQL: the connection is cut while writes wait for their
	 * answers; the request fails cleanly and the next transaction runs
	 * on a new connection */
	assert_ok(store_begin(s, &err));
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	assert_ok(store_append_audit(s, &a, NULL, &err));
	pgtest_drop_connections();
	rc = store_get_current_decision(s, store_str(k1), &got, &err);
	if (rc == 0)
		store_decision_release(&got);
	if (rc == 0)
		rc = store_savepoint(s, STORE_SP_RELEASE, &err);
	cr_assert_eq(rc, AC_EIO, "rc %d: %s", rc, err.msg);
	store_savepoint(s, STORE_SP_ROLLBACK, NULL);
	store_rollback(s, NULL);
	assert_ok(store_begin(s, &err));
	assert_ok(store_savepoint(s, STORE_SP_BEGIN, &err));
	assert_ok(store_append_audit(s, &a, NULL, &err));
	assert_ok(store_get_current_decision(s, store_str(k1), &got, &err));
	store_decision_release(&got);
	assert_ok(store_savepoint(s, STORE_SP_RELEASE, &err));
	assert_ok(store_commit(s, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM audit"), 3);
}

/* An order read (PostgreSQL sends its three statements in one round trip)
 * comes whole, in the caller's transaction or in one of its own, also
 * after a read that found no order, whose items and shipment were fetched
 * with it. A connection lost under the read fails it cleanly. */
Test(store, an_order_read_in_a_transaction_comes_whole)
{
	struct store_order got = { 0 };

	put_sample_order("A-1", true);
	assert_ok(store_begin(s, &err));
	assert_fails(store_get_order(s, store_str("nope"), &got, &err),
		     AC_ENOTFOUND);
	store_order_release(&got);
	assert_ok(store_commit(s, &err));
	/* outside a transaction, each statement runs by itself */
	assert_ok(store_get_order(s, store_str("A-1"), &got, &err));
	cr_assert_eq(got.order.n_items, 3);
	cr_assert(got.shipped);
	store_order_release(&got);
	assert_ok(store_begin(s, &err));
	for (int i = 0; i < 2; i++) {
		assert_ok(store_get_order(s, store_str("A-1"), &got, &err));
		cr_assert_eq(got.order.n_items, 3);
		assert_str(got.order.items[2].sku, "N-2");
		cr_assert(got.shipped);
		cr_assert_eq(got.shipment.courier_finding,
			     COURIER_INVESTIGATING);
		store_order_release(&got);
	}
	assert_ok(store_commit(s, &err));
	if (!pgtest_base())
		return;
	assert_ok(store_begin(s, &err));
	pgtest_drop_connections();
	assert_fails(store_get_order(s, store_str("A-1"), &got, &err),
		     AC_EIO);
	cr_assert(strstr(err.msg, "connection"), "%s", err.msg);
	store_order_release(&got);
	assert_fails(store_commit(s, &err), AC_EIO);
	assert_ok(store_rollback(s, &err));
	assert_ok(store_get_order(s, store_str("A-1"), &got, &err));
	cr_assert_eq(got.order.n_items, 3);
	store_order_release(&got);
}

/* PostgreSQL: a COMMIT whose connection breaks before its answer is read
 * is asked about once the database answers again (txid_status): kept,
 * the commit succeeds and the rows are there; rolled back, it fails
 * AC_EIO saying so and nothing is. The handle goes on, on a new
 * connection. */
Test(store, a_commit_whose_connection_breaks_is_asked_about)
{
	struct store_order o;

	if (!pgtest_base())
		return;
	sample_order(&o, "A-1", true);
	assert_ok(store_begin(s, &err));
	assert_ok(store_put_order(s, &o, &err));
	store_test_break_commit(s, true);
	assert_ok(store_commit(s, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM orders "
			       "WHERE id = 'A-1'"), 1);
	cr_assert(!store_in_transaction(s));

	sample_order(&o, "A-2", true);
	assert_ok(store_begin(s, &err));
	assert_ok(store_put_order(s, &o, &err));
	store_test_break_commit(s, false);
	assert_fails(store_commit(s, &err), AC_EIO);
	cr_assert(strstr(err.msg, "not kept"), "%s", err.msg);
	cr_assert_eq(raw_count("SELECT count(*) FROM orders "
			       "WHERE id = 'A-2'"), 0);
	cr_assert(!store_in_transaction(s));
	assert_ok(store_put_order(s, &o, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM orders "
			       "WHERE id = 'A-2'"), 1);
}

/* A PostgreSQL DSN picks the backend: nothing listens on port 1, so the
 * open fails cleanly, naming the connection. */
Test(store, postgresql_unreachable_fails_cleanly)
{
	struct store *t = NULL;

	assert_fails(store_open("postgresql://aftercare@127.0.0.1:1/"
				"aftercare?connect_timeout=2", &t, &err),
		     AC_EIO);
	cr_assert(strstr(err.msg, "cannot connect"), "%s", err.msg);
	cr_assert_null(t);
	assert_fails(store_open("postgres://127.0.0.1:1/x", &t, &err),
		     AC_EIO);
	assert_fails(store_open("", &t, &err), AC_EINVAL);
}

#define TOKEN_HASH "0123456789abcdef0123456789abcdef"

/* PostgreSQL: a connection dropped under the store fails the call, and
 * the transaction it was in, with AC_EIO, leaving nothing of it; the next
 * call outside a transaction reconnects by itself (prepared statements
 * and all). */
Test(store, postgresql_reconnects_after_a_dropped_connection)
{
	struct store_order o, got;
	char msg[256];

	if (!pgtest_base())
		cr_skip_test("PostgreSQL only");
	put_sample_order("A-1", false);
	assert_ok(store_begin(s, &err));
	sample_order(&o, "A-2", false);
	assert_ok(store_put_order(s, &o, &err));
	pgtest_drop_connections();
	sample_order(&o, "A-3", false);
	assert_fails(store_put_order(s, &o, &err), AC_EIO);
	cr_assert(strstr(err.msg, "connection"), "%s", err.msg);
	assert_fails(store_commit(s, &err), AC_EIO);
	cr_assert_not(store_in_transaction(s));
	assert_ok(store_rollback(s, &err));
	/* a read finds the connection gone and is tried again at once */
	pgtest_drop_connections();
	assert_ok(store_get_order(s, store_str("A-1"), &got, &err));
	store_order_release(&got);
	assert_fails(store_get_order(s, store_str("A-2"), &got, &err),
		     AC_ENOTFOUND);
	/* a call of several writes opens its own transaction: its BEGIN
	 * is tried again too */
	pgtest_drop_connections();
	sample_order(&o, "A-4", false);
	assert_ok(store_put_order(s, &o, &err));
	/* a lone write that finds it gone fails (it may have been sent),
	 * and the next one works */
	pgtest_drop_connections();
	assert_fails(store_put_token(s, store_str("ci"), store_str(TOKEN_HASH),
				     T0, NULL, &err), AC_EIO);
	assert_ok(store_put_token(s, store_str("ci"), store_str(TOKEN_HASH),
				  T0, NULL, &err));
	assert_ok(store_health(s, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM orders"), 2);
	cr_assert_eq(raw_count("SELECT count(*) FROM tokens"), 1);
	cr_assert_eq(raw_exec("SELECT 1", msg, sizeof msg), SQLITE_OK);
}

Test(store, cannot_open_a_directory_path)
{
	struct store *t = NULL;
	char bad[128];

	SQLITE_ONLY();
	snprintf(bad, sizeof bad, "%s/no/such/dir/x.db", dir);
	assert_fails(store_open(bad, &t, &err), AC_EIO);
	cr_assert_null(t);
}

/* ---- orders ----------------------------------------------------------- */

static void assert_address(const struct address *a, const struct address *b)
{
	assert_str(a->name, b->name.p);
	assert_str(a->line1, b->line1.p);
	assert_str(a->line2, b->line2.p);
	assert_str(a->city, b->city.p);
	assert_str(a->region, b->region.p);
	assert_str(a->postal_code, b->postal_code.p);
	assert_str(a->country, b->country.p);
}

Test(store, order_round_trip)
{
	struct store_order in, out;

	sample_order(&in, "A-1001", true);
	in.has_paid = true;
	in.paid_minor = 60000;
	assert_ok(store_put_order(s, &in, &err));
	assert_ok(store_get_order(s, AC_STR_LIT("A-1001"), &out, &err));
	assert_str(out.order.id, "A-1001");
	cr_assert_eq(out.order.placed_at, T0);
	cr_assert_eq(out.order.currency, in.order.currency);
	cr_assert_eq(out.order.shipping_minor, 1500);
	assert_address(&out.order.address, &home);
	assert_str(out.customer_name, "Ana Li");
	assert_str(out.customer_email, "ana@example.com");
	cr_assert(out.has_paid);
	cr_assert_eq(out.paid_minor, 60000);
	cr_assert_eq(out.created_at, T0 + 1);
	cr_assert_eq(out.order.n_items, 3);
	for (int i = 0; i < 3; i++) {
		const struct item *a = &out.order.items[i];
		const struct item *b = &in.order.items[i];

		cr_assert_eq(a->line, b->line);
		assert_str(a->sku, b->sku.p);
		cr_assert_eq(a->kind, b->kind);
		assert_str(a->style, b->style.p);
		assert_str(a->shape, b->shape.p);
		assert_str(a->material, b->material.p);
		assert_str(a->color, b->color.p);
		cr_assert_eq(a->has_size, b->has_size);
		if (b->has_size)
			cr_assert_eq(a->size_milli, b->size_milli);
		cr_assert_eq(a->price_minor, b->price_minor);
		assert_str(a->certificate, b->certificate.n ? b->certificate.p
							    : "");
	}
	cr_assert(out.shipped);
	cr_assert_eq(out.shipment.shipped_at, T0 + 72 * HOUR);
	assert_address(&out.shipment.address, &in.shipment.address);
	cr_assert(out.shipment.delivered);
	cr_assert_eq(out.shipment.delivered_at, T0 + 200 * HOUR);
	cr_assert_eq(out.shipment.courier_finding, COURIER_INVESTIGATING);
	cr_assert_eq(out.shipment.customs, CUSTOMS_CLEARED);
	cr_assert_eq(out.shipment_updated_at, T0 + 1);
	/* the store's copies are C strings */
	cr_assert_str_eq(out.order.items[0].material.p, "14k white gold");
	store_order_release(&out);
	store_order_release(&out);            /* twice is harmless */
}

Test(store, order_without_shipment_or_paid)
{
	struct store_order out;

	put_sample_order("A-2", false);
	assert_ok(store_get_order(s, AC_STR_LIT("A-2"), &out, &err));
	cr_assert(!out.shipped);
	cr_assert(!out.has_paid);
	cr_assert(!out.order.items[1].has_size);
	cr_assert_eq(out.order.items[1].certificate.n, 0);
	store_order_release(&out);
}

Test(store, put_order_twice_conflicts)
{
	struct store_order o;

	put_sample_order("A-1", false);
	sample_order(&o, "A-1", true);
	assert_fails(store_put_order(s, &o, &err), AC_ECONFLICT);
	cr_assert_str_eq(err.field, "order.id");
	cr_assert_eq(raw_count("SELECT count(*) FROM items"), 3);
	cr_assert_eq(raw_count("SELECT count(*) FROM shipments"), 0);
}

Test(store, get_missing_order)
{
	struct store_order out;
	char long_id[STORE_ID_MAX + 1];

	assert_fails(store_get_order(s, AC_STR_LIT("nope"), &out, &err),
		     AC_ENOTFOUND);
	cr_assert_str_eq(err.field, "order.id");
	store_order_release(&out);            /* harmless after a failure */
	/* err may be NULL; ids have a named limit */
	cr_assert_eq(store_get_order(s, AC_STR_LIT("nope"), &out, NULL),
		     AC_ENOTFOUND);
	memset(long_id, 'x', STORE_ID_MAX);
	long_id[STORE_ID_MAX] = '\0';
	assert_fails(store_get_order(s, store_str(long_id), &out, &err),
		     AC_ELIMIT);
}

Test(store, put_order_checks_fields)
{
	struct store_order o;

	sample_order(&o, "A-1", false);
	o.order.n_items = 0;
	assert_fails(store_put_order(s, &o, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "order.items");

	sample_order(&o, "A-1", false);
	o.order.items[1].price_minor = -1;
	assert_fails(store_put_order(s, &o, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "order.items[1].price_minor");

	sample_order(&o, "A-1", false);
	o.order.items[2].line = 1;
	assert_fails(store_put_order(s, &o, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "order.items[2].line");

	sample_order(&o, "", false);
	assert_fails(store_put_order(s, &o, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "order.id");

	sample_order(&o, "A-1", true);
	o.shipment.delivered_at = o.shipment.shipped_at - 1;
	assert_fails(store_put_order(s, &o, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "shipment.delivered_at");

	sample_order(&o, "A-1", false);
	o.order.currency = NULL;
	assert_fails(store_put_order(s, &o, &err), AC_EINVAL);
	cr_assert_eq(raw_count("SELECT count(*) FROM orders"), 0);
}

Test(store, put_shipment_creates_and_replaces)
{
	struct store_order o, out;
	struct shipment sh;

	put_sample_order("A-1", false);
	sample_order(&o, "A-1", true);
	sh = o.shipment;
	sh.delivered = false;
	sh.courier_finding = COURIER_NONE;
	assert_ok(store_put_shipment(s, AC_STR_LIT("A-1"), &sh, T0 + 5, &err));
	assert_ok(store_get_order(s, AC_STR_LIT("A-1"), &out, &err));
	cr_assert(out.shipped);
	cr_assert(!out.shipment.delivered);
	cr_assert_eq(out.shipment_updated_at, T0 + 5);
	store_order_release(&out);

	sh.courier_finding = COURIER_LOST_CONFIRMED;
	sh.customs = CUSTOMS_HELD;
	assert_ok(store_put_shipment(s, AC_STR_LIT("A-1"), &sh, T0 + 9, &err));
	assert_ok(store_get_order(s, AC_STR_LIT("A-1"), &out, &err));
	cr_assert_eq(out.shipment.courier_finding, COURIER_LOST_CONFIRMED);
	cr_assert_eq(out.shipment.customs, CUSTOMS_HELD);
	cr_assert_eq(out.shipment_updated_at, T0 + 9);
	store_order_release(&out);
	cr_assert_eq(raw_count("SELECT count(*) FROM shipments"), 1);

	assert_fails(store_put_shipment(s, AC_STR_LIT("B-9"), &sh, T0, &err),
		     AC_ENOTFOUND);
	cr_assert_str_eq(err.field, "order.id");
}

Test(store, tracking_events_page)
{
	struct store_tracking_event ev = {
		.order_id = AC_STR_LIT("A-1"), .kind = AC_STR_LIT("scan"),
	};
	struct store_tracking_page page;
	int64_t id = 0, first = 0;

	put_sample_order("A-1", true);
	for (int i = 0; i < 5; i++) {
		ev.at = T0 + i;
		ev.detail = i % 2 ? AC_STR_LIT("hub") : AC_STR_LIT("");
		assert_ok(store_add_tracking_event(s, &ev, &id, &err));
		if (i == 0)
			first = id;
	}
	assert_ok(store_list_tracking_events(s, AC_STR_LIT("A-1"), 0, 3, &page,
					     &err));
	cr_assert_eq(page.n, 3);
	cr_assert(page.more);
	cr_assert_eq(page.rows[0].id, first);
	assert_str(page.rows[1].detail, "hub");
	assert_str(page.rows[2].kind, "scan");
	id = page.rows[2].id;
	store_tracking_page_release(&page);
	assert_ok(store_list_tracking_events(s, AC_STR_LIT("A-1"), id, 3, &page,
					     &err));
	cr_assert_eq(page.n, 2);
	cr_assert(!page.more);
	cr_assert_eq(page.rows[1].at, T0 + 4);
	store_tracking_page_release(&page);

	ev.order_id = AC_STR_LIT("B-1");
	assert_fails(store_add_tracking_event(s, &ev, &id, &err),
		     AC_ENOTFOUND);
}

/* ---- cases and decisions ---------------------------------------------- */

Test(store, case_round_trip_and_generated_ids)
{
	struct store_case c, out;
	char id[STORE_ID_MAX];

	put_sample_order("A-1", false);
	sample_case(&c, "", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM);
	assert_ok(store_put_case(s, &c, id, &err));
	cr_assert_str_eq(id, "C-000001");
	assert_ok(store_put_case(s, &c, id, &err));
	cr_assert_str_eq(id, "C-000002");
	sample_case(&c, "R-x7Kq", "A-1", CASE_STATUS_WAITING, CLAIM_REPAIR);
	assert_ok(store_put_case(s, &c, id, &err));
	cr_assert_str_eq(id, "R-x7Kq");

	assert_ok(store_get_case(s, AC_STR_LIT("C-000001"), &out, &err));
	assert_str(out.id, "C-000001");
	assert_str(out.order_id, "A-1");
	cr_assert_eq(out.status, CASE_STATUS_OPEN);
	cr_assert_eq(out.claim_type, CLAIM_WRONG_ITEM);
	cr_assert_eq(out.opened_at, T0 + 300 * HOUR);
	assert_str(out.claim_json, c.claim_json.p);
	cr_assert_eq(out.created_at, T0 + 301 * HOUR);
	cr_assert(!out.has_override);
	cr_assert(!out.has_approval);
	store_case_release(&out);

	assert_ok(store_update_case_status(s, AC_STR_LIT("C-000001"),
					   CASE_STATUS_DECIDED, T0 + 400,
					   &err));
	assert_ok(store_update_case_override(s, AC_STR_LIT("C-000001"),
					     AC_STR_LIT("partial_refund"),
					     AC_STR_LIT("goodwill"),
					     AC_STR_LIT("staff:mia"), T0 + 500,
					     &err));
	assert_ok(store_update_case_approval(s, AC_STR_LIT("C-000001"),
					     AC_STR_LIT("staff:joe"), T0 + 600,
					     &err));
	assert_ok(store_get_case(s, AC_STR_LIT("C-000001"), &out, &err));
	cr_assert_eq(out.status, CASE_STATUS_DECIDED);
	cr_assert(out.has_override);
	assert_str(out.override_verdict, "partial_refund");
	assert_str(out.override_reason, "goodwill");
	assert_str(out.override_author, "staff:mia");
	cr_assert_eq(out.overridden_at, T0 + 500);
	cr_assert(out.has_approval);
	assert_str(out.approved_by, "staff:joe");
	cr_assert_eq(out.approved_at, T0 + 600);
	cr_assert_eq(out.updated_at, T0 + 600);
	store_case_release(&out);
}

Test(store, case_errors)
{
	struct store_case c, out;
	char id[STORE_ID_MAX];

	put_sample_order("A-1", false);
	sample_case(&c, "", "B-404", CASE_STATUS_OPEN, CLAIM_CANCEL);
	assert_fails(store_put_case(s, &c, id, &err), AC_ENOTFOUND);
	cr_assert_str_eq(err.field, "case.order_id");
	cr_assert_str_eq(id, "");

	put_sample_case("K-1", "A-1", CASE_STATUS_OPEN, CLAIM_CANCEL, NULL);
	sample_case(&c, "K-1", "A-1", CASE_STATUS_OPEN, CLAIM_CANCEL);
	assert_fails(store_put_case(s, &c, id, &err), AC_ECONFLICT);
	cr_assert_str_eq(err.field, "case.id");

	sample_case(&c, "K-2", "A-1", CASE_STATUS_OPEN, CLAIM_CANCEL);
	c.claim_json = AC_STR_LIT("{not json");
	assert_fails(store_put_case(s, &c, id, &err), AC_EINVAL);

	sample_case(&c, "C-000009", "A-1", CASE_STATUS_OPEN, CLAIM_CANCEL);
	assert_fails(store_put_case(s, &c, id, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "case.id");

	assert_fails(store_get_case(s, AC_STR_LIT("K-404"), &out, &err),
		     AC_ENOTFOUND);
	assert_fails(store_update_case_status(s, AC_STR_LIT("K-404"),
					      CASE_STATUS_CLOSED, T0, &err),
		     AC_ENOTFOUND);
	assert_fails(store_update_case_override(s, AC_STR_LIT("K-1"),
						AC_STR_LIT("maybe"),
						AC_STR_LIT("r"),
						AC_STR_LIT("a"), T0, &err),
		     AC_EINVAL);
	assert_fails(store_update_case_override(s, AC_STR_LIT("K-1"),
						AC_STR_LIT("no_refund"),
						AC_STR_LIT(""),
						AC_STR_LIT("a"), T0, &err),
		     AC_EINVAL);
	assert_fails(store_update_case_status(s, AC_STR_LIT("K-1"),
					      (enum case_status)42, T0, &err),
		     AC_EINVAL);
}

/* A case put with its coming decision (has_decided) is stored with its
 * verdict, clause, deadline and customer, and counted in the report
 * summaries under that clause and as decided automatically, never under
 * the empty clause or 'undecided'; saving the same decision after it
 * moves nothing. A verdict that is not one is refused, naming it. */
Test(store, case_put_with_its_decision)
{
	struct store_case c;
	struct store_decision d;
	char id[STORE_ID_MAX];

	put_sample_order("A-1", true);
	sample_case(&c, "K-1", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM);
	c.has_decided = true;
	c.verdict = AC_STR_LIT("partial_refund");
	c.clause = AC_STR_LIT("refund.2");
	c.has_deadline = true;
	c.deadline = T0 + 400 * HOUR;
	assert_ok(store_put_case(s, &c, id, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM cases WHERE id = 'K-1' "
			       "AND verdict = 'partial_refund' AND clause = "
			       "'refund.2' AND deadline IS NOT NULL AND "
			       "customer IS NOT NULL"), 1);
	cr_assert_eq(raw_count("SELECT coalesce(sum(cases), 0) FROM "
			       "report_sums WHERE dim = 'clause' AND "
			       "key = 'refund.2'"), 1);
	cr_assert_eq(raw_count("SELECT coalesce(sum(cases), 0) FROM "
			       "report_sums WHERE dim = 'staff' AND "
			       "key = 'auto'"), 1);

	sample_decision(&d, "K-1", "partial_refund", 100, c.deadline);
	d.decision_json = AC_STR_LIT("{\"verdict\": \"partial_refund\", "
				     "\"clauses\": [\"refund.2\"]}");
	assert_ok(store_save_decision(s, &d, NULL, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM report_sums WHERE "
			       "cases <> 0 AND ((dim = 'clause' AND "
			       "key <> 'refund.2') OR (dim = 'staff' AND "
			       "key <> 'auto'))"), 0);
	cr_assert_eq(raw_count("SELECT count(*) FROM cases WHERE id = 'K-1' "
			       "AND decision_id IS NOT NULL"), 1);

	sample_case(&c, "K-2", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM);
	c.has_decided = true;
	c.verdict = AC_STR_LIT("maybe");
	assert_fails(store_put_case(s, &c, id, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "case.verdict");
}

/* assert_current: the case's current decision is decision id, which
 * allows refund_max_minor refund. */
static void assert_current(const char *case_id, int64_t id, int64_t refund)
{
	struct store_decision cur;

	assert_ok(store_get_current_decision(s, store_str(case_id), &cur,
					     &err));
	cr_assert_eq(cur.id, id, "%s: decision %lld is current, not %lld",
		     case_id, (long long)cur.id, (long long)id);
	cr_assert_eq(cur.refund_max_minor, refund);
	store_decision_release(&cur);
}

/* A case opened, refunded and then decided in one transaction is counted
 * where it ends, once: SQLite folds its count at the commit, so the moves
 * of its count skip it while its refund, counted as paid, moves with it
 * (PostgreSQL counts at the insert and moves both: the same sums). */
Test(store, a_case_opened_and_moved_in_one_transaction_counts_once)
{
	struct store_case c;
	struct store_decision d;
	struct store_ledger_entry e = {
		.case_id = AC_STR_LIT("K-1"), .order_id = AC_STR_LIT("A-1"),
		.kind = LEDGER_REFUND, .amount_minor = 500,
		.currency = money_currency_find("USD", 3),
		.created_at = T0 + 302 * HOUR, .actor = AC_STR_LIT("token:1"),
	};
	char id[STORE_ID_MAX];
	int64_t did = 0;

	put_sample_order("A-1", true);
	assert_ok(store_begin(s, &err));
	sample_case(&c, "K-1", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM);
	assert_ok(store_put_case(s, &c, id, &err));
	assert_ok(store_add_ledger(s, &e, NULL, &err));
	sample_decision(&d, "K-1", "partial_refund", 1000, 0);
	d.decision_json = AC_STR_LIT("{\"verdict\": \"partial_refund\", "
				     "\"clauses\": [\"refund.2\"]}");
	assert_ok(store_save_decision(s, &d, NULL, &err));
	/* a second decision gives it a deadline: due from then on */
	d.has_deadline = true;
	d.deadline = T0 + 400 * HOUR;
	assert_ok(store_save_decision(s, &d, NULL, &err));
	assert_ok(store_commit(s, &err));
	/* due once, open once (PostgreSQL counts both at the commit) */
	cr_assert_eq(raw_count("SELECT sum(n) FROM report_due"), 1);
	cr_assert_eq(raw_count("SELECT max(n) FROM report_due"), 1);
	cr_assert_eq(raw_count("SELECT open FROM case_counts"), 1);
	cr_assert_eq(raw_count("SELECT waiting + decided + resolved + closed "
			       "FROM case_counts"), 0);
	cr_assert_eq(raw_count("SELECT count(*) FROM report_sums WHERE "
			       "dim = 'clause' AND key = 'refund.2' AND "
			       "cases = 1 AND refunds = 1 AND "
			       "refunded_minor = 500"), 1);
	cr_assert_eq(raw_count("SELECT count(*) FROM report_sums WHERE "
			       "dim = 'staff' AND key = 'auto' AND "
			       "cases = 1 AND refunds = 1"), 1);
	cr_assert_eq(raw_count("SELECT count(*) FROM report_sums WHERE "
			       "((dim = 'clause' AND key <> 'refund.2') OR "
			       "(dim = 'staff' AND key <> 'auto')) AND "
			       "(cases <> 0 OR refunds <> 0)"), 0);
	cr_assert_eq(raw_count("SELECT sum(cases) FROM report_sums WHERE "
			       "dim IN ('week', 'type')"), 2);
	/* one opened and resolved in one transaction: resolved once, and
	 * neither open nor due */
	assert_ok(store_begin(s, &err));
	sample_case(&c, "K-2", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM);
	assert_ok(store_put_case(s, &c, id, &err));
	assert_ok(store_update_case_status(s, AC_STR_LIT("K-2"),
					   CASE_STATUS_RESOLVED,
					   T0 + 303 * HOUR, &err));
	assert_ok(store_commit(s, &err));
	cr_assert_eq(raw_count("SELECT open FROM case_counts"), 1);
	cr_assert_eq(raw_count("SELECT resolved FROM case_counts"), 1);
	cr_assert_eq(raw_count("SELECT sum(n) FROM report_due"), 1);
	/* the time to a case's first decision that is not pending, once a
	 * case (PostgreSQL counts a case opened at the commit): K-1 after
	 * 2 hours (bucket 1); K-3 put with its decision (PostgreSQL saves it
	 * under the id the case holds for it) after 2 hours; K-4 pending,
	 * then decided after 30 hours (bucket 6); their later decisions
	 * count nothing */
	cr_assert_eq(raw_count("SELECT sum(n) FROM report_durations WHERE "
			       "what = 'decision' AND bucket = 1"), 1);
	assert_ok(store_begin(s, &err));
	sample_case(&c, "K-3", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM);
	c.has_decided = true;
	c.verdict = AC_STR_LIT("full_refund");
	assert_ok(store_put_case(s, &c, id, &err));
	sample_decision(&d, "K-3", "full_refund", 800, 0);
	assert_ok(store_save_decision(s, &d, &did, &err));
	sample_decision(&d, "K-4", "full_refund", 900, 0);
	sample_case(&c, "K-4", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM);
	assert_ok(store_put_case(s, &c, id, &err));
	d.verdict = AC_STR_LIT("pending");
	assert_ok(store_save_decision(s, &d, NULL, &err));
	d.verdict = AC_STR_LIT("full_refund");
	d.decided_at = T0 + 330 * HOUR;
	assert_ok(store_save_decision(s, &d, NULL, &err));
	assert_ok(store_commit(s, &err));
	assert_current("K-3", did, 800);
	/* a later decision that leaves verdict, deadline and clause as they
	 * are is still the current one */
	assert_ok(store_begin(s, &err));
	assert_ok(store_save_decision(s, &d, NULL, &err));
	sample_decision(&d, "K-3", "full_refund", 850, 0);
	assert_ok(store_save_decision(s, &d, &did, &err));
	assert_ok(store_commit(s, &err));
	assert_current("K-3", did, 850);
	cr_assert_eq(raw_count("SELECT sum(n) FROM report_durations WHERE "
			       "what = 'decision' AND bucket = 1"), 2);
	cr_assert_eq(raw_count("SELECT sum(n) FROM report_durations WHERE "
			       "what = 'decision' AND bucket = 6"), 1);
	cr_assert_eq(raw_count("SELECT sum(n) FROM report_durations WHERE "
			       "what = 'decision'"), 3);
}

Test(store, decisions_latest_is_current)
{
	struct store_decision d, out;
	int64_t id1 = 0, id2 = 0;
	char msg[256];

	put_sample_order("A-1", false);
	put_sample_case("K-1", "A-1", CASE_STATUS_OPEN, CLAIM_WRONG_ITEM, NULL);
	assert_fails(store_get_current_decision(s, AC_STR_LIT("K-1"), &out,
						&err),
		     AC_ENOTFOUND);

	sample_decision(&d, "K-1", "pending", 0, 0);
	assert_ok(store_save_decision(s, &d, &id1, &err));
	sample_decision(&d, "K-1", "full_refund", 52000, T0 + 999);
	d.charge_minor = 7;
	assert_ok(store_save_decision(s, &d, &id2, &err));
	cr_assert_gt(id2, id1);

	assert_ok(store_get_current_decision(s, AC_STR_LIT("K-1"), &out,
					     &err));
	cr_assert_eq(out.id, id2);
	assert_str(out.case_id, "K-1");
	cr_assert_eq(out.decided_at, T0 + 302 * HOUR);
	assert_str(out.verdict, "full_refund");
	cr_assert_eq(out.refund_max_minor, 52000);
	cr_assert_eq(out.charge_minor, 7);
	cr_assert(out.has_deadline);
	cr_assert_eq(out.deadline, T0 + 999);
	assert_str(out.policy, "sha256:0123abcd");
	assert_str(out.decision_json, d.decision_json.p);
	assert_str(out.facts_json, d.facts_json.p);
	store_decision_release(&out);

	sample_decision(&d, "K-404", "pending", 0, 0);
	assert_fails(store_save_decision(s, &d, NULL, &err), AC_ENOTFOUND);
	sample_decision(&d, "K-1", "refund_everything", 0, 0);
	assert_fails(store_save_decision(s, &d, NULL, &err), AC_EINVAL);
	sample_decision(&d, "K-1", "pending", 0, 0);
	d.facts_json = AC_STR_LIT("[1,");
	assert_fails(store_save_decision(s, &d, NULL, &err), AC_EINVAL);

	/* a stored decision is never rewritten */
	cr_assert_neq(raw_exec("UPDATE decisions SET verdict = 'no_refund'",
			       msg, sizeof msg), SQLITE_OK);
	cr_assert_neq(raw_exec("DELETE FROM decisions", msg, sizeof msg),
		      SQLITE_OK);
	cr_assert_eq(raw_count("SELECT count(*) FROM decisions"), 2);
}

/* ---- list_cases ------------------------------------------------------- */

Test(store, list_cases_filters_and_pages)
{
	static const struct {
		const char *order;
		enum case_status status;
		enum claim_type type;
	} spec[] = {
		{ "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED },
		{ "A-1", CASE_STATUS_DECIDED, CLAIM_WRONG_ITEM },
		{ "A-2", CASE_STATUS_OPEN, CLAIM_DAMAGED },
		{ "A-1", CASE_STATUS_CLOSED, CLAIM_REPAIR },
		{ "A-2", CASE_STATUS_WAITING, CLAIM_NOT_RECEIVED },
		{ "A-1", CASE_STATUS_RESOLVED, CLAIM_DAMAGED },
		{ "A-2", CASE_STATUS_OPEN, CLAIM_CANCEL },
	};
	struct store_case_filter f;
	struct store_case_page page;
	struct store_decision d;
	char ids[7][STORE_ID_MAX];
	char after[STORE_ID_MAX];
	int seen = 0;

	put_sample_order("A-1", true);
	put_sample_order("A-2", false);
	for (int i = 0; i < 7; i++)
		put_sample_case("", spec[i].order, spec[i].status,
				spec[i].type, ids[i]);

	/* every case, three to a page */
	memset(&f, 0, sizeof f);
	f.limit = 3;
	after[0] = '\0';
	for (int p = 0; p < 3; p++) {
		f.after_id = store_str(after);
		assert_ok(store_list_cases(s, &f, &page, &err));
		cr_assert_eq(page.n, p < 2 ? 3 : 1);
		cr_assert_eq(page.more, p < 2);
		for (int i = 0; i < page.n; i++)
			assert_str(page.rows[i].id, ids[seen++]);
		snprintf(after, sizeof after, "%s",
			 page.rows[page.n - 1].id.p);
		store_case_page_release(&page);
	}
	cr_assert_eq(seen, 7);

	/* the cases of an order that are not yet resolved or closed */
	memset(&f, 0, sizeof f);
	f.order_id = AC_STR_LIT("A-1");
	f.status_mask = CASE_STATUS_BIT(CASE_STATUS_OPEN) |
			CASE_STATUS_BIT(CASE_STATUS_WAITING) |
			CASE_STATUS_BIT(CASE_STATUS_DECIDED);
	assert_ok(store_list_cases(s, &f, &page, &err));
	cr_assert_eq(page.n, 2);
	cr_assert(!page.more);
	assert_str(page.rows[0].id, ids[0]);
	assert_str(page.rows[1].id, ids[1]);
	assert_str(page.rows[1].order_id, "A-1");
	cr_assert_eq(page.rows[1].status, CASE_STATUS_DECIDED);
	cr_assert_eq(page.rows[1].claim_type, CLAIM_WRONG_ITEM);
	cr_assert(!page.rows[0].has_decision);
	store_case_page_release(&page);

	/* by claim type */
	memset(&f, 0, sizeof f);
	f.has_claim_type = true;
	f.claim_type = CLAIM_DAMAGED;
	assert_ok(store_list_cases(s, &f, &page, &err));
	cr_assert_eq(page.n, 3);
	store_case_page_release(&page);

	/* by the current decision's deadline: only the latest counts */
	sample_decision(&d, ids[2], "pending", 0, T0 + 10);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	sample_decision(&d, ids[2], "full_refund", 100, T0 + 500);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	sample_decision(&d, ids[4], "pending", 0, T0 + 20);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	sample_decision(&d, ids[5], "no_refund", 0, 0);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	memset(&f, 0, sizeof f);
	f.has_deadline_before = true;
	f.deadline_before = T0 + 100;
	assert_ok(store_list_cases(s, &f, &page, &err));
	cr_assert_eq(page.n, 1);
	assert_str(page.rows[0].id, ids[4]);
	cr_assert(page.rows[0].has_decision);
	assert_str(page.rows[0].verdict, "pending");
	cr_assert(page.rows[0].has_deadline);
	cr_assert_eq(page.rows[0].deadline, T0 + 20);
	store_case_page_release(&page);

	/* a bad filter */
	memset(&f, 0, sizeof f);
	f.status_mask = 1u << 9;
	assert_fails(store_list_cases(s, &f, &page, &err), AC_EINVAL);
	store_case_page_release(&page);
}

/* ---- lists at any size ----------------------------------------------- */

/* page_all pages through f, `limit` to a page, into ids (in order). */
static int page_all(struct store_case_filter f, int limit,
		    char ids[][STORE_ID_MAX], int max)
{
	struct store_case_page page;
	char after[STORE_ID_MAX] = "";
	int n = 0;

	f.limit = limit;
	for (int guard = 0; guard < 1000; guard++) {
		f.after_id = store_str(after);
		assert_ok(store_list_cases(s, &f, &page, &err));
		cr_assert_leq(page.n, limit);
		for (int i = 0; i < page.n; i++) {
			cr_assert_lt(n, max, "more rows than there are");
			snprintf(ids[n++], STORE_ID_MAX, "%s",
				 page.rows[i].id.p);
		}
		if (!page.more) {
			store_case_page_release(&page);
			return n;
		}
		cr_assert_gt(page.n, 0, "more, but an empty page");
		snprintf(after, sizeof after, "%s",
			 page.rows[page.n - 1].id.p);
		store_case_page_release(&page);
	}
	cr_assert_fail("paging does not end");
	return n;
}

Test(store, case_ids_keep_their_order_past_a_million)
{
	static const char *const want[] = {
		"C-000001", "C-999998", "C-999999", "C-1000000", "C-1000001",
	};
	char ids[8][STORE_ID_MAX], msg[256];
	int n;

	put_sample_order("A-1", false);
	put_sample_case("", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED, ids[0]);
	assert_str(store_str(ids[0]), "C-000001");
	/* the 999,998th case, as if the others had come between */
	cr_assert_eq(raw_exec("INSERT INTO cases (seq, id, order_id, status, "
			      "claim_type, opened_at, claim_json, created_at, "
			      "updated_at) VALUES (999998, 'C-999998', 'A-1', "
			      "'open', 'damaged', 0, '{}', 0, 0)",
			      msg, sizeof msg), SQLITE_OK, "%s", msg);
	for (int i = 2; i < 5; i++) {
		put_sample_case("", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED,
				ids[i]);
		assert_str(store_str(ids[i]), want[i]);
	}
	/* creation order, a page at a time and all at once, by every
	 * index that pages in it */
	for (int limit = 1; limit <= 5; limit += 4) {
		struct store_case_filter f;

		memset(&f, 0, sizeof f);
		n = page_all(f, limit, ids, 8);
		cr_assert_eq(n, 5);
		for (int i = 0; i < n; i++)
			assert_str(store_str(ids[i]), want[i]);
		f.status_mask = CASE_STATUS_BIT(CASE_STATUS_OPEN);
		f.order_id = AC_STR_LIT("A-1");
		f.has_claim_type = true;
		f.claim_type = CLAIM_DAMAGED;
		n = page_all(f, limit, ids, 8);
		cr_assert_eq(n, 5);
		for (int i = 0; i < n; i++)
			assert_str(store_str(ids[i]), want[i]);
	}
}

/* The cases of lists_page_every_filter: spread over three orders, five
 * statuses, three claim types and deadlines (0: none). */
#define N_LIST 40

static void list_spec(int i, const char **order, enum case_status *st,
		      enum claim_type *type, int64_t *deadline)
{
	static const char *const orders[] = { "A-1", "A-2", "A-3" };
	static const enum claim_type types[] = {
		CLAIM_DAMAGED, CLAIM_REPAIR, CLAIM_CANCEL,
	};

	*order = orders[i % 3];
	*st = (enum case_status)((i * 7) % CASE_STATUS_COUNT);
	*type = types[(i / 2) % 3];
	/* deadlines out of creation order, some equal, some none */
	*deadline = i % 4 == 3 ? 0 : T0 + ((i * 13) % 9) * HOUR;
}

/* list_spec_queue: case i's deciding clause (NULL: none) and its order's
 * customer as the row keeps it (A-2's is stored as " Bo@Example.COM "). */
static void list_spec_queue(int i, const char **clause, const char **customer)
{
	static const char *const clauses[] = {
		"refund.1", "no-refund.3", NULL,
	};

	*clause = clauses[(i + i / 4) % 3];
	*customer = i % 3 == 1 ? "bo@example.com" : "ana@example.com";
}

/* the e-mail each of the list's orders was placed with */
static const char *list_email(const char *order)
{
	return strcmp(order, "A-2") == 0 ? " Bo@Example.COM "
					 : "ana@example.com";
}

/* refused_by: the field store_list_cases names when it refuses f, or NULL
 * when it lists it (store.h: not beyond one order, customer or clause). */
static const char *refused_by(const struct store_case_filter *f)
{
	unsigned m = f->status_mask;

	if (f->has_deadline_before && (f->clause.n || f->customer.n))
		return "filter.deadline_before";
	if (!f->clause.n || f->order_id.n || f->customer.n)
		return NULL;
	if (f->has_claim_type)
		return "filter.type";
	return (m & (m - 1)) ? "filter.status" : NULL;
}

/* expect lists the spec's cases that pass f, in the order the store
 * promises: creation order, or (deadline, creation) with a bound. */
static int expect(const struct store_case_filter *f,
		  char ids[N_LIST][STORE_ID_MAX],
		  char want[N_LIST][STORE_ID_MAX])
{
	int idx[N_LIST], n = 0;
	int64_t dl[N_LIST];

	for (int i = 0; i < N_LIST; i++) {
		const char *order;
		enum case_status st;
		enum claim_type type;
		int64_t deadline;

		const char *clause, *customer;

		list_spec(i, &order, &st, &type, &deadline);
		list_spec_queue(i, &clause, &customer);
		dl[i] = deadline;
		if ((f->clause.n && (!clause || !str_is(f->clause, clause))) ||
		    (f->customer.n && !str_is(f->customer, customer)) ||
		    (f->status_mask &&
		     !(f->status_mask & CASE_STATUS_BIT(st))) ||
		    (f->has_claim_type && f->claim_type != type) ||
		    (f->order_id.n && !str_is(f->order_id, order)) ||
		    (f->has_deadline_before &&
		     (!deadline || deadline >= f->deadline_before)))
			continue;
		idx[n++] = i;
	}
	if (f->has_deadline_before)       /* a stable insertion sort */
		for (int i = 1; i < n; i++)
			for (int j = i; j > 0 && dl[idx[j - 1]] > dl[idx[j]];
			     j--) {
				int t = idx[j];

				idx[j] = idx[j - 1];
				idx[j - 1] = t;
			}
	for (int i = 0; i < n; i++)
		snprintf(want[i], STORE_ID_MAX, "%s", ids[idx[i]]);
	return n;
}

Test(store, lists_page_every_filter_each_row_once)
{
	static const unsigned masks[] = {
		0,
		CASE_STATUS_BIT(CASE_STATUS_OPEN),
		CASE_STATUS_BIT(CASE_STATUS_WAITING),
		CASE_STATUS_BIT(CASE_STATUS_DECIDED),
		CASE_STATUS_BIT(CASE_STATUS_RESOLVED),
		CASE_STATUS_BIT(CASE_STATUS_CLOSED),
		CASE_STATUS_BIT(CASE_STATUS_OPEN) |
			CASE_STATUS_BIT(CASE_STATUS_WAITING) |
			CASE_STATUS_BIT(CASE_STATUS_DECIDED),
	};
	static char ids[N_LIST][STORE_ID_MAX], want[N_LIST][STORE_ID_MAX],
		got[N_LIST][STORE_ID_MAX];
	static const char *const clause_of[] = { "refund.1", "no-refund.3" };
	static const char *const customer_of[] = {
		"ana@example.com", "bo@example.com",
	};
	struct store_case_page page;
	struct store_case_filter f;
	int combos = 0, refused = 0;

	for (int i = 1; i <= 3; i++) {
		struct store_order o;
		char id[8];

		snprintf(id, sizeof id, "A-%d", i);
		sample_order(&o, id, false);
		o.customer_email = store_str(list_email(id));
		assert_ok(store_put_order(s, &o, &err));
	}
	for (int i = 0; i < N_LIST; i++) {
		const char *order, *clause, *customer;
		enum case_status st;
		enum claim_type type;
		int64_t deadline;
		struct store_decision d;
		char dj[96];

		list_spec(i, &order, &st, &type, &deadline);
		list_spec_queue(i, &clause, &customer);
		put_sample_case("", order, st, type, ids[i]);
		/* the first decision's deadline and clause are superseded */
		sample_decision(&d, ids[i], "pending", 0, T0 - HOUR);
		d.decision_json = AC_STR_LIT("{\"clauses\": [\"warranty.1\"]}");
		assert_ok(store_save_decision(s, &d, NULL, &err));
		sample_decision(&d, ids[i], "no_refund", 0, deadline);
		snprintf(dj, sizeof dj, "{\"clauses\": [%s%s%s]}",
			 clause ? "\"" : "", clause ? clause : "",
			 clause ? "\", \"refund.2\"" : "");
		d.decision_json = store_str(dj);
		assert_ok(store_save_decision(s, &d, NULL, &err));
	}
	/* every combination of the filters, pages of 1, 3 and 100 */
	for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++)
	for (int cl = -1; cl < 2; cl++)
	for (int cu = -1; cu < 2; cu++)
		for (int type = -1; type < 3; type++)
			for (int order = -1; order < 3; order++)
				for (int dl = 0; dl < 2; dl++) {
					static const enum claim_type t[] = {
						CLAIM_DAMAGED, CLAIM_REPAIR,
						CLAIM_CANCEL,
					};
					static const char *const o[] = {
						"A-1", "A-2", "A-3",
					};
					int n;

					memset(&f, 0, sizeof f);
					f.status_mask = masks[m];
					f.has_claim_type = type >= 0;
					f.claim_type = type >= 0 ? t[type] : 0;
					f.order_id = store_str(order >= 0
							       ? o[order] : "");
					f.has_deadline_before = dl;
					f.deadline_before = T0 + 5 * HOUR;
					f.clause = store_str(cl >= 0
							     ? clause_of[cl]
							     : "");
					f.customer = store_str(cu >= 0
							       ? customer_of[cu]
							       : "");
					combos++;
					if (refused_by(&f)) {
						f.limit = 3;
						assert_fails(store_list_cases(
							s, &f, &page, &err),
							AC_EINVAL);
						cr_assert_str_eq(err.field,
							refused_by(&f));
						refused++;
						continue;
					}
					n = expect(&f, ids, want);
					for (int lim = 1; lim <= 100;
					     lim = lim == 1 ? 3 : 1000) {
						int k = page_all(f, lim, got,
								 N_LIST);

						cr_assert_eq(k, n,
							     "mask %x type %d "
							     "order %d dl %d "
							     "limit %d: %d "
							     "rows, want %d",
							     masks[m], type,
							     order, dl, lim, k,
							     n);
						for (int i = 0; i < n; i++)
							cr_assert_str_eq(
								got[i],
								want[i]);
					}
				}
	cr_assert_eq(combos, 7 * 3 * 3 * 4 * 4 * 2);
	/* a deadline bound with a clause or a customer or both (8 of 9),
	 * then without either bound, order or customer, a clause with a
	 * type (any mask) or with several statuses (the last mask) */
	cr_assert_eq(refused, 7 * 8 * 4 * 4 + 2 * (7 * 3 + 1));
	/* a page's rows carry the current decision */
	memset(&f, 0, sizeof f);
	f.limit = 1;
	assert_ok(store_list_cases(s, &f, &page, &err));
	cr_assert(page.rows[0].has_decision);
	assert_str(page.rows[0].verdict, "no_refund");
	cr_assert(page.rows[0].has_deadline);
	cr_assert_eq(page.rows[0].deadline, T0);
	/* its first clause, and the customer as the row keeps it */
	assert_str(page.rows[0].clause, "refund.1");
	assert_str(page.rows[0].customer, "ana@example.com");
	store_case_page_release(&page);
	/* a cursor that names no case */
	f.after_id = AC_STR_LIT("C-424242");
	assert_fails(store_list_cases(s, &f, &page, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "filter.after");
	store_case_page_release(&page);
}

/* due_ids lists every case due by `before`, two to a page. */
static int due_ids(int64_t before, char ids[][STORE_ID_MAX], int64_t *due,
		   int max)
{
	struct store_due_filter f = { .before = before, .limit = 2 };
	struct store_case_page page;
	int n = 0;

	for (;;) {
		assert_ok(store_list_due(s, &f, &page, &err));
		for (int i = 0; i < page.n; i++) {
			cr_assert(page.rows[i].has_due);
			cr_assert_lt(n, max);
			due[n] = page.rows[i].due_at;
			snprintf(ids[n++], STORE_ID_MAX, "%s",
				 page.rows[i].id.p);
		}
		if (!page.more) {
			store_case_page_release(&page);
			return n;
		}
		f.has_after = true;
		f.after_due = page.rows[page.n - 1].due_at;
		f.after_seq = page.rows[page.n - 1].seq;
		store_case_page_release(&page);
	}
}

/* The due index holds what a full scan finds, and the file is sound. */
static void assert_due_index_sound(void)
{
	if (pgtest_base())
		return;         /* INDEXED BY, the integrity check: SQLite */
	cr_assert_eq(raw_count("SELECT count(*) FROM cases INDEXED BY "
			       "cases_due WHERE due_at IS NOT NULL"),
		     raw_count("SELECT count(*) FROM cases NOT INDEXED "
			       "WHERE due_at IS NOT NULL"));
	cr_assert_eq(raw_count("SELECT sum(due_at) FROM cases INDEXED BY "
			       "cases_due WHERE due_at IS NOT NULL"),
		     raw_count("SELECT sum(due_at) FROM cases NOT INDEXED "
			       "WHERE due_at IS NOT NULL"));
	cr_assert_eq(raw_count("SELECT integrity_check = 'ok' "
			       "FROM pragma_integrity_check"), 1);
}

Test(store, due_follows_status_decisions_and_overrides)
{
	struct store_case c;
	struct store_decision d;
	char a[STORE_ID_MAX], b[STORE_ID_MAX], ids[4][STORE_ID_MAX];
	int64_t due[4], resp = T0 + 48 * HOUR;
	int n;

	put_sample_order("A-1", false);
	sample_case(&c, "", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED);
	c.has_response_due = true;
	c.response_due_at = resp;
	assert_ok(store_put_case(s, &c, a, &err));
	c.response_due_at = resp + HOUR;
	assert_ok(store_put_case(s, &c, b, &err));

	/* no decision yet: the response due */
	n = due_ids(INT64_MAX, ids, due, 4);
	cr_assert_eq(n, 2);
	assert_str(store_str(ids[0]), a);
	cr_assert_eq(due[0], resp);
	cr_assert_eq(due[1], resp + HOUR);
	/* a deadline before it comes first ... */
	sample_decision(&d, b, "pending", 0, T0 + HOUR);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	n = due_ids(INT64_MAX, ids, due, 4);
	cr_assert_eq(n, 2);
	assert_str(store_str(ids[0]), b);
	cr_assert_eq(due[0], T0 + HOUR);
	/* ... the bound leaves out what is due later ... */
	n = due_ids(T0 + 2 * HOUR, ids, due, 4);
	cr_assert_eq(n, 1);
	assert_str(store_str(ids[0]), b);
	/* ... a re-decision with a later deadline gives the response due
	 * back, and an override's decision without one keeps it */
	sample_decision(&d, b, "full_refund", 100, resp + 9 * HOUR);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	n = due_ids(T0 + 2 * HOUR, ids, due, 4);
	cr_assert_eq(n, 0);
	n = due_ids(INT64_MAX, ids, due, 4);
	cr_assert_eq(n, 2);
	cr_assert_eq(due[1], resp + HOUR);
	assert_ok(store_update_case_override(s, store_str(b),
					     AC_STR_LIT("no_refund"),
					     AC_STR_LIT("photos show wear"),
					     AC_STR_LIT("token:ci"), T0, &err));
	sample_decision(&d, b, "no_refund", 0, 0);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	n = due_ids(INT64_MAX, ids, due, 4);
	cr_assert_eq(n, 2);
	assert_str(store_str(ids[1]), b);
	cr_assert_eq(due[1], resp + HOUR);
	assert_due_index_sound();
	/* resolved and closed cases are due no more; reopened, again */
	assert_ok(store_update_case_status(s, store_str(a),
					   CASE_STATUS_RESOLVED, T0, &err));
	n = due_ids(INT64_MAX, ids, due, 4);
	cr_assert_eq(n, 1);
	assert_str(store_str(ids[0]), b);
	assert_ok(store_update_case_status(s, store_str(b),
					   CASE_STATUS_CLOSED, T0, &err));
	cr_assert_eq(due_ids(INT64_MAX, ids, due, 4), 0);
	assert_due_index_sound();
	assert_ok(store_update_case_status(s, store_str(a), CASE_STATUS_OPEN,
					   T0, &err));
	n = due_ids(INT64_MAX, ids, due, 4);
	cr_assert_eq(n, 1);
	assert_str(store_str(ids[0]), a);
	cr_assert_eq(due[0], resp);
	assert_due_index_sound();
}

/* want_index: the index a list statement must seek, when it is one of
 * 0005's (its driving filter is written without a unary +), or NULL. A
 * clause with one status seeks the index of both. */
static const char *want_index(const char *sql)
{
	if (strstr(sql, "AND clause = ?12"))
		return strstr(sql, "status = ?2")
			       ? "cases_clause_status_seq" : "cases_clause_seq";
	if (strstr(sql, "AND customer = ?13"))
		return "cases_customer_seq";
	if (strstr(sql, "FROM evidence"))
		return "evidence_case_created";
	if (strstr(sql, "FROM case_counts"))
		return "INTEGER PRIMARY KEY";
	return NULL;
}

/* plans_seek checks every list statement's plan on the file: each seeks
 * an index (SEARCH), none scans a table or sorts in a temporary b-tree. */
static void plans_seek(void)
{
	sqlite3 *db;
	char sql[1024], eqp[1100];
	int i, rc, checked = 0, mine = 0;

	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
		     SQLITE_OK);
	for (i = 0; (rc = store_sqlite_list_sql(i, sql, sizeof sql)) !=
		    AC_ENOTFOUND; i++) {
		sqlite3_stmt *st;
		int searches = 0;

		if (rc == AC_EINVAL)
			continue;
		cr_assert_eq(rc, 0);
		snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %s", sql);
		cr_assert_eq(sqlite3_prepare_v2(db, eqp, -1, &st, NULL),
			     SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *detail =
				(const char *)sqlite3_column_text(st, 3);

			cr_assert_null(strstr(detail, "TEMP B-TREE"),
				       "%s: %s", sql, detail);
			cr_assert_null(strstr(detail, "SCAN"), "%s: %s", sql,
				       detail);
			searches += strncmp(detail, "SEARCH", 6) == 0;
			if (want_index(sql))
				cr_assert_not_null(strstr(detail,
							  want_index(sql)),
						   "%s: %s", sql, detail);
		}
		mine += want_index(sql) != NULL;
		cr_assert_eq(searches, 1, "%s", sql);
		sqlite3_finalize(st);
		checked++;
	}
	sqlite3_close(db);
	/* 56 case lists (status and statuses exclude each other; 24 without
	 * a clause or customer, 32 with: store.c refuses the others), the
	 * due list, four audit lists, the staff accounts, a case's messages
	 * and the two purges (0004), a case's evidence and the counts
	 * (0005) */
	cr_assert_eq(checked, 56 + 1 + 4 + 4 + 2);
	/* driven by the clause (alone, or with one status), by the
	 * customer (without an order: none, one or several statuses, with
	 * a type or not, a clause or not), the evidence, the counts */
	cr_assert_eq(mine, 2 + 3 * 2 * 2 + 1 + 1);
}

Test(store, list_plans_seek_their_index)
{
	char msg[256];

	SQLITE_ONLY();
	plans_seek();
	/* and still with statistics, as an ANALYZE by hand leaves them */
	put_sample_order("A-1", false);
	for (int i = 0; i < 30; i++) {
		struct store_decision d;
		char id[STORE_ID_MAX];

		put_sample_case("", "A-1",
				i % 3 ? CASE_STATUS_CLOSED : CASE_STATUS_OPEN,
				CLAIM_DAMAGED, id);
		/* most cases of one clause, most of them closed */
		sample_decision(&d, id, "no_refund", 0, 0);
		d.decision_json = i % 5 ? AC_STR_LIT("{\"clauses\": "
						     "[\"no-refund.4\"]}")
					: AC_STR_LIT("{\"clauses\": "
						     "[\"refund.1\"]}");
		assert_ok(store_save_decision(s, &d, NULL, &err));
	}
	cr_assert_eq(raw_exec("ANALYZE", msg, sizeof msg), SQLITE_OK, "%s",
		     msg);
	plans_seek();
}

/* fold_plan checks the plan of one of the pending fold's views: from the
 * few pending rows out, each case, order and item sought by its key, and
 * no Bloom filter (which reads a whole table to build) */
static void fold_plan(sqlite3 *db, const char *view)
{
	char eqp[128];
	sqlite3_stmt *st;
	int seeks = 0;

	snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN SELECT * FROM %s", view);
	cr_assert_eq(sqlite3_prepare_v2(db, eqp, -1, &st, NULL), SQLITE_OK,
		     "%s: %s", view, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *detail = (const char *)sqlite3_column_text(st, 3);

		cr_assert_null(strstr(detail, "BLOOM"), "%s: %s", view,
			       detail);
		cr_assert(strcmp(detail, "SCAN c") && strcmp(detail, "SCAN o"),
			  "%s: %s", view, detail);
		seeks += strncmp(detail, "SEARCH c USING INTEGER PRIMARY KEY",
				 34) == 0;
	}
	sqlite3_finalize(st);
	cr_assert_geq(seeks, 1, "%s: no case sought by its rowid", view);
}

/* The fold of the pending cases at each commit (0014_pending) reads only
 * the cases the transaction opened, also once PRAGMA optimize has
 * analyzed cases and orders: planned with Bloom filters over them
 * (before 0020_plans), each commit read every case and order, and
 * POST /v1/cases took 114-190 ms at 100,000 cases instead of 4. */
Test(store, the_pending_fold_seeks_with_statistics)
{
	char msg[256];
	sqlite3 *db;

	SQLITE_ONLY();
	for (int i = 0; i < 30; i++) {
		char id[STORE_ID_MAX], order[16];

		snprintf(order, sizeof order, "A-%d", i);
		put_sample_order(order, false);
		put_sample_case("", order, CASE_STATUS_OPEN,
				i % 2 ? CLAIM_DAMAGED : CLAIM_NOT_RECEIVED, id);
	}
	cr_assert_eq(raw_exec("ANALYZE", msg, sizeof msg), SQLITE_OK, "%s",
		     msg);
	cr_assert_eq(raw_count("SELECT count(*) FROM sqlite_stat1 "
			       "WHERE tbl IN ('cases', 'orders')") > 0, 1);
	cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
		     SQLITE_OK);
	fold_plan(db, "report_pending_claimants");
	fold_plan(db, "report_pending_sums");
	fold_plan(db, "report_pending_items");
	sqlite3_close(db);
}

extern const char ac_migration_0001[];

/* A file made by the first schema, with cases and decisions in it, is
 * brought up to date when the store opens it: seq, the current decision and
 * the due instant filled in from what is stored. */
Test(store, migration_0002_fills_an_existing_file)
{
	struct store_case_page page;
	struct store_case_filter f;
	struct store_due_filter df = { .before = INT64_MAX };
	sqlite3 *db;
	char *msg = NULL, id[STORE_ID_MAX];
	int version = 0;

	SQLITE_ONLY();
	store_close(s);
	s = NULL;
	rm_db();
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, ac_migration_0001, NULL, NULL, &msg),
		     SQLITE_OK, "%s", msg);
	cr_assert_eq(sqlite3_exec(db,
		"CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
		"name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;"
		"INSERT INTO schema_version VALUES (1, '0001_init', 0);"
		"INSERT INTO orders VALUES ('A-1', 0, 'USD', 0, NULL, '', '', "
		"'', '', '', '', 'NZ', 'Ana', 'a@example.com', 0);"
		"INSERT INTO cases (id, order_id, status, claim_type, "
		"opened_at, claim_json, created_at, updated_at) VALUES "
		"('C-000001', 'A-1', 'open', 'damaged', 10, '{}', 10, 10), "
		"('C-000002', 'A-1', 'closed', 'repair', 20, '{}', 20, 20), "
		"('C-000003', 'A-1', 'decided', 'cancel', 30, '{}', 30, 30);"
		"INSERT INTO decisions (case_id, decided_at, verdict, "
		"refund_max_minor, charge_minor, deadline, policy, "
		"decision_json, facts_json) VALUES "
		"('C-000001', 10, 'pending', 0, 0, 500, 'p', '{}', '{}'), "
		"('C-000003', 30, 'pending', 0, 0, 100, 'p', '{}', '{}'), "
		"('C-000003', 31, 'full_refund', 9, 0, NULL, 'p', '{}', "
		"'{}');"
		/* statistics of three cases, as PRAGMA optimize left them */
		"ANALYZE;",
		NULL, NULL, &msg), SQLITE_OK, "%s", msg);
	sqlite3_close(db);

	assert_ok(store_open(path, &s, &err));
	assert_ok(store_schema_version(s, &version, &err));
	cr_assert_eq(version, 20);
	/* the current decision is the latest, on the row */
	memset(&f, 0, sizeof f);
	assert_ok(store_list_cases(s, &f, &page, &err));
	cr_assert_eq(page.n, 3);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(page.rows[i].seq, i + 1);
	assert_str(page.rows[0].verdict, "pending");
	cr_assert_eq(page.rows[0].deadline, 500);
	cr_assert(!page.rows[1].has_decision);
	assert_str(page.rows[2].verdict, "full_refund");
	cr_assert(!page.rows[2].has_deadline);
	store_case_page_release(&page);
	/* due: C-000003 by its response due (the 48 hours of then), then
	 * C-000001 by its deadline; the closed one not at all */
	assert_ok(store_list_due(s, &df, &page, &err));
	cr_assert_eq(page.n, 2);
	assert_str(page.rows[0].id, "C-000001");
	cr_assert_eq(page.rows[0].due_at, 500);
	assert_str(page.rows[1].id, "C-000003");
	cr_assert_eq(page.rows[1].due_at, 30 + 48 * HOUR);
	store_case_page_release(&page);
	/* the next store-picked id follows on */
	put_sample_case("", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED, id);
	assert_str(store_str(id), "C-000004");
	cr_assert_eq(raw_count("SELECT integrity_check = 'ok' "
			       "FROM pragma_integrity_check"), 1);
	/* the statistics are gone (0020_plans), and closing the store
	 * takes none */
	cr_assert_eq(raw_count("SELECT count(*) FROM sqlite_stat1"), 0);
	store_close(s);
	s = NULL;
	cr_assert_eq(raw_count("SELECT count(*) FROM sqlite_stat1"), 0);
	assert_ok(store_open(path, &s, &err));
}

extern const char ac_migration_0002[];

/* A file at the second schema, with idempotency records as they were kept
 * (a status and a body), keeps what a refund needs to be given again:
 * the ledger entry and the total of a 2xx body whose id is an entry's
 * (the answer of old and the desk's record since); anything else keeps
 * neither (ledger_id 0: the desk answers that key as a conflict). */
Test(store, migration_0003_keeps_the_refund_of_each_record)
{
	static const struct {
		const char *key;
		int64_t ledger_id, total;
	} want[] = {
		{ "k-answer", 1, 500 },     /* an answer of old */
		{ "k-record", 2, 800 },     /* the typed desk's record */
		{ "k-text", 0, 0 },         /* not JSON */
		{ "k-gone", 0, 0 },         /* no such entry */
		{ "k-status", 0, 0 },       /* not a 2xx */
		{ "k-total", 0, 0 },        /* the total not a whole number */
	};
	sqlite3 *db;
	char *msg = NULL;
	int version = 0;

	SQLITE_ONLY();
	store_close(s);
	s = NULL;
	rm_db();
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, ac_migration_0001, NULL, NULL, &msg),
		     SQLITE_OK, "%s", msg);
	cr_assert_eq(sqlite3_exec(db, ac_migration_0002, NULL, NULL, &msg),
		     SQLITE_OK, "%s", msg);
	cr_assert_eq(sqlite3_exec(db,
		"CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
		"name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;"
		"INSERT INTO schema_version VALUES (1, '0001_init', 0), "
		"(2, '0002_big', 0);"
		"INSERT INTO orders VALUES ('A-1', 0, 'USD', 0, NULL, '', '', "
		"'', '', '', '', 'NZ', 'Ana', 'a@example.com', 0);"
		"INSERT INTO cases (id, order_id, status, claim_type, "
		"opened_at, claim_json, created_at, updated_at, seq) VALUES "
		"('C-000001', 'A-1', 'decided', 'damaged', 10, '{}', 10, 10, "
		"1);"
		"INSERT INTO ledger (case_id, order_id, kind, amount_minor, "
		"currency, created_at, actor, idempotency_key) VALUES "
		"('C-000001', 'A-1', 'refund', 500, 'USD', 11, 't', "
		"'k-answer'), "
		"('C-000001', 'A-1', 'refund', 300, 'USD', 12, 't', "
		"'k-record');"
		"INSERT INTO idempotency VALUES "
		"('s', 'k-answer', 'h1', 201, '{\"id\": 1, \"case_id\": "
		"\"C-000001\", \"amount_minor\": 500, \"currency\": "
		"\"USD\", \"refunded_total_minor\": 500}', 11), "
		"('s', 'k-record', 'h2', 201, '{\"id\":2,\"currency\":"
		"\"USD\",\"refunded_total_minor\":800}', 12), "
		"('s', 'k-text', 'h3', 201, 'not json', 13), "
		"('s', 'k-gone', 'h4', 201, '{\"id\": 99, "
		"\"refunded_total_minor\": 1}', 14), "
		"('s', 'k-status', 'h5', 409, '{\"id\": 1, "
		"\"refunded_total_minor\": 500}', 15), "
		"('s', 'k-total', 'h6', 201, '{\"id\": 1, "
		"\"refunded_total_minor\": \"500\"}', 16);",
		NULL, NULL, &msg), SQLITE_OK, "%s", msg);
	sqlite3_close(db);

	assert_ok(store_open(path, &s, &err));
	assert_ok(store_schema_version(s, &version, &err));
	cr_assert_eq(version, 20);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct store_idem out;

		assert_ok(store_get_idempotency(s, AC_STR_LIT("s"),
						store_str(want[i].key), &out,
						&err));
		cr_assert_eq(out.ledger_id, want[i].ledger_id, "%s",
			     want[i].key);
		cr_assert_eq(out.refunded_total_minor, want[i].total, "%s",
			     want[i].key);
		if (want[i].ledger_id)
			cr_assert_str_eq(out.currency->code, "USD");
		else
			cr_assert_null(out.currency);
		cr_assert_eq(out.created_at, 11 + (int64_t)i);
		cr_assert(out.request_hash.n == 2 &&
			  out.request_hash.p[1] == (char)('1' + i));
		store_idem_release(&out);
	}
	cr_assert_eq(raw_count("SELECT count(*) FROM pragma_table_info("
			       "'idempotency') WHERE name LIKE 'response%'"),
		     0);
	cr_assert_eq(raw_count("SELECT count(*) FROM "
			       "pragma_foreign_key_check"), 0);
	cr_assert_eq(raw_count("SELECT integrity_check = 'ok' "
			       "FROM pragma_integrity_check"), 1);
}

extern const char ac_migration_0003[];
extern const char ac_migration_0004[];

/* ids_of lists (one page) the cases f gives, comma-separated. */
static void ids_of(struct store_case_filter f, char *out, size_t cap)
{
	struct store_case_page page;
	size_t at = 0;

	f.limit = 100;
	out[0] = '\0';
	assert_ok(store_list_cases(s, &f, &page, &err));
	for (int i = 0; i < page.n && at < cap; i++)
		at += (size_t)snprintf(out + at, cap - at, "%s%.*s",
				       i ? "," : "", (int)page.rows[i].id.n,
				       page.rows[i].id.p);
	store_case_page_release(&page);
}

/* A file at the fourth schema gets each case's deciding clause (the first
 * of its current decision), its customer (the order's e-mail, trimmed and
 * in lower case; none for an order without) and the counts per status
 * from what is stored; new cases and decisions keep them so. */
Test(store, migration_0005_fills_the_queue_columns_and_counts)
{
	static const char *const steps[] = {
		ac_migration_0001, ac_migration_0002, ac_migration_0003,
		ac_migration_0004,
	};
	int64_t counts[CASE_STATUS_COUNT];
	struct store_case_filter f;
	struct store_decision d;
	sqlite3 *db;
	char *msg = NULL, got[256], id[STORE_ID_MAX];
	int version = 0;

	SQLITE_ONLY();
	store_close(s);
	s = NULL;
	rm_db();
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(sqlite3_exec(db, steps[i], NULL, NULL, &msg),
			     SQLITE_OK, "%d: %s", i + 1, msg);
	cr_assert_eq(sqlite3_exec(db,
		"CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
		"name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;"
		"INSERT INTO schema_version VALUES (1, '0001_init', 0), "
		"(2, '0002_big', 0), (3, '0003_idem', 0), (4, '0004_pages', 0);"
		"INSERT INTO orders VALUES ('A-1', 0, 'USD', 0, NULL, '', '', "
		"'', '', '', '', 'NZ', 'Ana', ' Ana@Example.COM' || char(9), "
		"0), ('A-2', 0, 'USD', 0, NULL, '', '', '', '', '', '', 'NZ', "
		"'Bo', '', 0);"
		"INSERT INTO cases (id, order_id, status, claim_type, "
		"opened_at, claim_json, created_at, updated_at, seq) VALUES "
		"('C-000001', 'A-1', 'decided', 'damaged', 10, '{}', 10, 10, "
		"1), ('C-000002', 'A-1', 'closed', 'repair', 20, '{}', 20, 20, "
		"2), ('C-000003', 'A-1', 'open', 'cancel', 30, '{}', 30, 30, "
		"3), ('C-000004', 'A-2', 'decided', 'cancel', 40, '{}', 40, "
		"40, 4);"
		"INSERT INTO decisions (case_id, decided_at, verdict, "
		"refund_max_minor, charge_minor, deadline, policy, "
		"decision_json, facts_json) VALUES "
		"('C-000001', 10, 'partial_refund', 5, 0, NULL, 'p', "
		"'{\"clauses\": [\"refund.1\", \"no-refund.3\"]}', '{}'), "
		"('C-000002', 20, 'pending', 0, 0, NULL, 'p', "
		"'{\"clauses\": [\"warranty.1\"]}', '{}'), "
		"('C-000002', 21, 'no_refund', 0, 0, NULL, 'p', "
		"'{\"clauses\": []}', '{}'), "
		"('C-000004', 40, 'no_refund', 0, 0, NULL, 'p', "
		"'{\"clauses\": [\"no-refund.2\"]}', '{}');",
		NULL, NULL, &msg), SQLITE_OK, "%s", msg);
	sqlite3_close(db);

	assert_ok(store_open(path, &s, &err));
	assert_ok(store_schema_version(s, &version, &err));
	cr_assert_eq(version, 20);
	assert_ok(store_case_counts(s, counts, &err));
	cr_assert_eq(counts[CASE_STATUS_OPEN], 1);
	cr_assert_eq(counts[CASE_STATUS_WAITING], 0);
	cr_assert_eq(counts[CASE_STATUS_DECIDED], 2);
	cr_assert_eq(counts[CASE_STATUS_RESOLVED], 0);
	cr_assert_eq(counts[CASE_STATUS_CLOSED], 1);
	memset(&f, 0, sizeof f);
	f.clause = AC_STR_LIT("refund.1");
	ids_of(f, got, sizeof got);
	cr_assert_str_eq(got, "C-000001");
	f.clause = AC_STR_LIT("warranty.1");    /* superseded */
	ids_of(f, got, sizeof got);
	cr_assert_str_eq(got, "");
	f.clause = AC_STR_LIT("no-refund.2");
	ids_of(f, got, sizeof got);
	cr_assert_str_eq(got, "C-000004");
	memset(&f, 0, sizeof f);
	f.customer = AC_STR_LIT("ana@example.com");
	ids_of(f, got, sizeof got);
	cr_assert_str_eq(got, "C-000001,C-000002,C-000003");
	/* a new case of A-1 is hers; a decision on C-000003 gives it its
	 * clause; an order without an e-mail has no customer to find */
	put_sample_case("", "A-1", CASE_STATUS_WAITING, CLAIM_DAMAGED, id);
	assert_str(store_str(id), "C-000005");
	sample_decision(&d, "C-000003", "full_refund", 9, 0);
	d.decision_json = AC_STR_LIT("{\"clauses\": [\"refund.1\"]}");
	assert_ok(store_save_decision(s, &d, NULL, &err));
	ids_of(f, got, sizeof got);
	cr_assert_str_eq(got, "C-000001,C-000002,C-000003,C-000005");
	memset(&f, 0, sizeof f);
	f.clause = AC_STR_LIT("refund.1");
	ids_of(f, got, sizeof got);
	cr_assert_str_eq(got, "C-000001,C-000003");
	cr_assert_eq(raw_count("SELECT count(*) FROM cases "
			       "WHERE customer IS NULL"), 1);
	cr_assert_eq(raw_count("SELECT count(*) FROM cases WHERE "
			       "customer = '' OR clause = ''"), 0);
	assert_ok(store_case_counts(s, counts, &err));
	cr_assert_eq(counts[CASE_STATUS_WAITING], 1);
	cr_assert_eq(raw_count("SELECT integrity_check = 'ok' "
			       "FROM pragma_integrity_check"), 1);
}

/* counts_match: the kept counts are a COUNT(*) per status. */
static void counts_match(const char *when)
{
	static const char *const names[CASE_STATUS_COUNT] = {
		"open", "waiting", "decided", "resolved", "closed",
	};
	int64_t counts[CASE_STATUS_COUNT];

	assert_ok(store_case_counts(s, counts, &err));
	for (int i = 0; i < CASE_STATUS_COUNT; i++) {
		char sql[96];

		snprintf(sql, sizeof sql, "SELECT count(*) FROM cases "
			 "WHERE status = '%s'", names[i]);
		cr_assert_eq(counts[i], raw_count(sql), "%s: %s", when,
			     names[i]);
	}
}

/* The counts follow every case stored and moved, to the same status or
 * not, and a transaction rolled back leaves them as they were. */
Test(store, case_counts_follow_writes_and_rollbacks)
{
	char ids[12][STORE_ID_MAX], msg[256];

	counts_match("empty");
	put_sample_order("A-1", false);
	for (int i = 0; i < 12; i++)
		put_sample_case("", "A-1", (enum case_status)(i % 3),
				CLAIM_DAMAGED, ids[i]);
	counts_match("stored");
	for (int i = 0; i < 12; i += 2)
		assert_ok(store_update_case_status(s, store_str(ids[i]),
			(enum case_status)((i * 7) % CASE_STATUS_COUNT), T0,
			&err));
	assert_ok(store_update_case_status(s, store_str(ids[1]),
					   CASE_STATUS_WAITING, T0, &err));
	counts_match("moved");
	assert_ok(store_begin(s, &err));
	put_sample_case("", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED, NULL);
	for (int i = 0; i < 12; i++)
		assert_ok(store_update_case_status(s, store_str(ids[i]),
						   CASE_STATUS_CLOSED, T0,
						   &err));
	assert_ok(store_rollback(s, &err));
	counts_match("rolled back");
	/* a status no case may have: refused, and nothing counted */
	cr_assert_eq(raw_exec("UPDATE cases SET status = 'lost' "
			      "WHERE seq = 1", msg, sizeof msg),
		     SQLITE_CONSTRAINT);
	counts_match("refused");
}

/* A case's evidence, oldest first (one instant: as stored), without the
 * bytes; none for another case or no case. */
Test(store, evidence_listed_without_the_bytes)
{
	static const char *const sha[] = {
		"11111111111111111111111111111111"
		"11111111111111111111111111111111",
		"00000000000000000000000000000000"
		"00000000000000000000000000000000",
		"22222222222222222222222222222222"
		"22222222222222222222222222222222",
	};
	static const int64_t at[] = { T0 + 5, T0 + 9, T0 + 9 };
	struct store_evidence_page page;
	char id[STORE_ID_MAX], other[STORE_ID_MAX];

	put_sample_order("A-1", false);
	put_sample_case("", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED, id);
	put_sample_case("", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED, other);
	for (int i = 2; i >= 0; i--) {       /* stored newest first */
		struct store_evidence e = {
			.case_id = store_str(id),
			.sha256 = store_str(sha[i]),
			.content_type = AC_STR_LIT("image/png"),
			.size = 3,
			.data = AC_STR_LIT("abc"),
			.created_at = at[i],
		};

		if (i == 1) {
			e.data = AC_STR_LIT("");
			e.path = AC_STR_LIT("/ev/0");
		}
		/* 1 and 2 share an instant: stored 2 then 1 */
		assert_ok(store_put_evidence(s, &e, &err));
	}
	assert_ok(store_list_evidence(s, store_str(id), 2, &page, &err));
	cr_assert_eq(page.n, 2);
	cr_assert(page.more);
	assert_str(page.rows[0].sha256, sha[0]);
	assert_str(page.rows[1].sha256, sha[2]);
	cr_assert_eq(page.rows[0].created_at, T0 + 5);
	cr_assert_eq(page.rows[0].size, 3);
	assert_str(page.rows[0].content_type, "image/png");
	cr_assert_eq(page.rows[0].data.n, 0);
	cr_assert_eq(page.rows[0].path.n, 0);
	store_evidence_page_release(&page);
	assert_ok(store_list_evidence(s, store_str(id), 10, &page, &err));
	cr_assert_eq(page.n, 3);
	cr_assert(!page.more);
	assert_str(page.rows[2].sha256, sha[1]);
	store_evidence_page_release(&page);
	assert_ok(store_list_evidence(s, store_str(other), 10, &page, &err));
	cr_assert_eq(page.n, 0);
	store_evidence_page_release(&page);
	assert_ok(store_list_evidence(s, AC_STR_LIT("C-9"), 10, &page, &err));
	cr_assert_eq(page.n, 0);
	store_evidence_page_release(&page);
}

/* ---- the ledger ------------------------------------------------------- */

static void ledger(const char *case_id, const char *order_id,
		   enum ledger_kind kind, int64_t amount, const char *key)
{
	struct store_ledger_entry e = {
		.case_id = store_str(case_id), .order_id = store_str(order_id),
		.kind = kind, .amount_minor = amount,
		.currency = money_currency_find("USD", 3),
		.created_at = T0, .actor = AC_STR_LIT("token:1"),
		.idempotency_key = store_str(key),
	};
	int64_t id = 0;

	assert_ok(store_add_ledger(s, &e, &id, &err));
	cr_assert_gt(id, 0);
}

Test(store, ledger_sums)
{
	struct store_ledger_sum sum;
	struct store_ledger_entry e;
	char msg[256];

	put_sample_order("A-1", false);
	put_sample_order("A-2", false);
	put_sample_case("K-1", "A-1", CASE_STATUS_DECIDED, CLAIM_DAMAGED, NULL);
	put_sample_case("K-2", "A-1", CASE_STATUS_DECIDED, CLAIM_DAMAGED, NULL);
	put_sample_case("K-3", "A-2", CASE_STATUS_DECIDED, CLAIM_DAMAGED, NULL);

	assert_ok(store_sum_ledger_case(s, AC_STR_LIT("K-1"), &sum, &err));
	cr_assert_eq(sum.refund_minor, 0);
	cr_assert_eq(sum.n_entries, 0);

	ledger("K-1", "A-1", LEDGER_REFUND, 10000, "k1");
	ledger("K-1", "A-1", LEDGER_REFUND, 2500, "");
	ledger("K-1", "A-1", LEDGER_CHARGE, 700, NULL);
	ledger("K-2", "A-1", LEDGER_REFUND, 40000, "k2");
	ledger("K-3", "A-2", LEDGER_REFUND, 1, "k3");

	assert_ok(store_sum_ledger_case(s, AC_STR_LIT("K-1"), &sum, &err));
	cr_assert_eq(sum.refund_minor, 12500);
	cr_assert_eq(sum.charge_minor, 700);
	cr_assert_eq(sum.n_entries, 3);
	assert_ok(store_sum_ledger_order(s, AC_STR_LIT("A-1"), &sum, &err));
	cr_assert_eq(sum.refund_minor, 52500);
	cr_assert_eq(sum.charge_minor, 700);
	cr_assert_eq(sum.n_entries, 4);
	assert_ok(store_sum_ledger_order(s, AC_STR_LIT("A-2"), &sum, &err));
	cr_assert_eq(sum.refund_minor, 1);

	/* an entry must belong to its case's order, in its currency */
	memset(&e, 0, sizeof e);
	e.case_id = AC_STR_LIT("K-3");
	e.order_id = AC_STR_LIT("A-1");
	e.kind = LEDGER_REFUND;
	e.amount_minor = 5;
	e.currency = money_currency_find("USD", 3);
	e.actor = AC_STR_LIT("x");
	assert_fails(store_add_ledger(s, &e, NULL, &err), AC_EINVAL);
	e.order_id = AC_STR_LIT("A-2");
	e.currency = money_currency_find("EUR", 3);
	assert_fails(store_add_ledger(s, &e, NULL, &err), AC_EINVAL);
	e.currency = money_currency_find("USD", 3);
	e.case_id = AC_STR_LIT("K-404");
	assert_fails(store_add_ledger(s, &e, NULL, &err), AC_EINVAL);
	e.case_id = AC_STR_LIT("K-3");
	e.amount_minor = 0;
	assert_fails(store_add_ledger(s, &e, NULL, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "ledger.amount_minor");
	cr_assert_eq(raw_count("SELECT count(*) FROM ledger"), 5);

	/* money once recorded stays recorded */
	cr_assert_neq(raw_exec("UPDATE ledger SET amount_minor = 1", msg,
			       sizeof msg), SQLITE_OK);
	cr_assert_neq(raw_exec("DELETE FROM ledger", msg, sizeof msg),
		      SQLITE_OK);
	cr_assert_eq(raw_count("SELECT sum(amount_minor) FROM ledger"),
		     53201);
}

/* ---- idempotency ------------------------------------------------------ */

Test(store, idempotency_unique_per_scope)
{
	struct store_idem in = {
		.scope = AC_STR_LIT("token:1 POST /v1/cases/K-1/refunds"),
		.key = AC_STR_LIT("key-123"),
		.request_hash = AC_STR_LIT("abcdef"),
		.ledger_id = 1,
		.refunded_total_minor = 1200,
		.created_at = T0,
	};
	struct store_idem out;

	put_sample_order("A-1", false);
	put_sample_case("K-1", "A-1", CASE_STATUS_DECIDED, CLAIM_DAMAGED,
			NULL);
	ledger("K-1", "A-1", LEDGER_REFUND, 1200, "key-123");
	assert_fails(store_get_idempotency(s, in.scope, in.key, &out, &err),
		     AC_ENOTFOUND);
	assert_ok(store_put_idempotency(s, &in, &err));
	assert_ok(store_get_idempotency(s, in.scope, in.key, &out, &err));
	assert_str(out.scope, in.scope.p);
	assert_str(out.key, "key-123");
	assert_str(out.request_hash, "abcdef");
	cr_assert_eq(out.ledger_id, 1);
	cr_assert_eq(out.refunded_total_minor, 1200);
	cr_assert_str_eq(out.currency->code, "USD");  /* the entry's */
	cr_assert_eq(out.created_at, T0);
	store_idem_release(&out);

	in.request_hash = AC_STR_LIT("other");
	assert_fails(store_put_idempotency(s, &in, &err), AC_ECONFLICT);
	cr_assert_str_eq(err.field, "idempotency.key");

	in.scope = AC_STR_LIT("token:2 POST /v1/cases/K-1/refunds");
	assert_ok(store_put_idempotency(s, &in, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM idempotency"), 2);

	in.key = AC_STR_LIT("k2");
	in.ledger_id = 0;
	assert_fails(store_put_idempotency(s, &in, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "idempotency.ledger_id");
	in.ledger_id = 2;                       /* no such entry */
	assert_fails(store_put_idempotency(s, &in, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "idempotency.ledger_id");
	in.ledger_id = 1;
	in.refunded_total_minor = -1;
	assert_fails(store_put_idempotency(s, &in, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "idempotency.refunded_total_minor");
	cr_assert_eq(raw_count("SELECT count(*) FROM idempotency"), 2);
}

/* ---- quotes, notes, evidence ------------------------------------------ */

Test(store, quotes_round_trip)
{
	struct store_quote q = {
		.case_id = AC_STR_LIT("K-1"), .amount_minor = 4500,
		.status = QUOTE_STATUS_QUOTED, .expires_at = T0 + 100,
		.created_at = T0, .updated_at = T0,
	};
	struct store_quote out;
	int64_t id1 = 0, id2 = 0;

	put_sample_order("A-1", true);
	put_sample_case("K-1", "A-1", CASE_STATUS_WAITING, CLAIM_REPAIR, NULL);
	assert_fails(store_get_case_quote(s, AC_STR_LIT("K-1"), &out, &err),
		     AC_ENOTFOUND);
	assert_ok(store_put_quote(s, &q, &id1, &err));
	q.amount_minor = 3900;
	assert_ok(store_put_quote(s, &q, &id2, &err));
	assert_ok(store_update_quote(s, id1, QUOTE_STATUS_EXPIRED, T0 + 101,
				     &err));
	assert_ok(store_update_quote(s, id2, QUOTE_STATUS_SHIPPED_BACK,
				     T0 + 102, &err));

	assert_ok(store_get_quote(s, id1, &out, &err));
	cr_assert_eq(out.id, id1);
	assert_str(out.case_id, "K-1");
	cr_assert_eq(out.amount_minor, 4500);
	cr_assert_eq(out.status, QUOTE_STATUS_EXPIRED);
	cr_assert_eq(out.expires_at, T0 + 100);
	cr_assert_eq(out.created_at, T0);
	cr_assert_eq(out.updated_at, T0 + 101);
	store_quote_release(&out);

	assert_ok(store_get_case_quote(s, AC_STR_LIT("K-1"), &out, &err));
	cr_assert_eq(out.id, id2);
	cr_assert_eq(out.status, QUOTE_STATUS_SHIPPED_BACK);
	store_quote_release(&out);

	assert_fails(store_update_quote(s, 999, QUOTE_STATUS_ACCEPTED, T0,
					&err), AC_ENOTFOUND);
	assert_fails(store_get_quote(s, 999, &out, &err), AC_ENOTFOUND);
	q.case_id = AC_STR_LIT("K-404");
	assert_fails(store_put_quote(s, &q, NULL, &err), AC_ENOTFOUND);
	cr_assert_str_eq(store_quote_status_name(QUOTE_STATUS_SHIPPED_BACK),
			 "shipped_back");
}

Test(store, notes_round_trip_and_page)
{
	struct store_note n = {
		.case_id = AC_STR_LIT("K-1"), .author = AC_STR_LIT("staff:mia"),
	};
	struct store_note_page page;
	char body[32];

	put_sample_order("A-1", false);
	put_sample_case("K-1", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED, NULL);
	for (int i = 0; i < 4; i++) {
		snprintf(body, sizeof body, "note %d", i);
		n.body = store_str(body);
		n.created_at = T0 + i;
		assert_ok(store_add_note(s, &n, NULL, &err));
	}
	assert_ok(store_list_notes(s, AC_STR_LIT("K-1"), 0, 0, &page, &err));
	cr_assert_eq(page.n, 4);
	cr_assert(!page.more);
	assert_str(page.rows[3].body, "note 3");
	assert_str(page.rows[0].author, "staff:mia");
	assert_str(page.rows[0].case_id, "K-1");
	cr_assert_eq(page.rows[2].created_at, T0 + 2);
	store_note_page_release(&page);
	assert_ok(store_list_notes(s, AC_STR_LIT("K-1"), 0, 2, &page, &err));
	cr_assert_eq(page.n, 2);
	cr_assert(page.more);
	store_note_page_release(&page);

	n.body = AC_STR_LIT("");
	assert_fails(store_add_note(s, &n, NULL, &err), AC_EINVAL);
	n.body = AC_STR_LIT("x");
	n.case_id = AC_STR_LIT("K-404");
	assert_fails(store_add_note(s, &n, NULL, &err), AC_ENOTFOUND);
}

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_B "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

Test(store, evidence_inline_and_path)
{
	static const char bytes[] = { 't', 'e', 's', 't', '\0', '\xff' };
	struct store_evidence e = {
		.case_id = AC_STR_LIT("K-1"), .sha256 = AC_STR_LIT(SHA_A),
		.content_type = AC_STR_LIT("image/jpeg"),
		.size = sizeof bytes, .data = { bytes, sizeof bytes },
		.created_at = T0,
	};
	struct store_evidence out;

	put_sample_order("A-1", false);
	put_sample_case("K-1", "A-1", CASE_STATUS_OPEN, CLAIM_DAMAGED, NULL);
	assert_ok(store_put_evidence(s, &e, &err));
	assert_ok(store_put_evidence(s, &e, &err));    /* same bytes: no-op */
	assert_ok(store_get_evidence(s, AC_STR_LIT("K-1"), AC_STR_LIT(SHA_A),
				     &out, &err));
	assert_str(out.case_id, "K-1");
	assert_str(out.sha256, SHA_A);
	assert_str(out.content_type, "image/jpeg");
	cr_assert_eq(out.size, 6);
	cr_assert_eq(out.data.n, 6);
	cr_assert_eq(memcmp(out.data.p, bytes, 6), 0);
	cr_assert_eq(out.path.n, 0);
	store_evidence_release(&out);

	memset(&e.data, 0, sizeof e.data);
	e.sha256 = AC_STR_LIT(SHA_B);
	e.path = AC_STR_LIT("evidence/60/303ae2");
	e.size = 1 << 20;
	assert_ok(store_put_evidence(s, &e, &err));
	assert_ok(store_get_evidence(s, AC_STR_LIT("K-1"), AC_STR_LIT(SHA_B),
				     &out, &err));
	assert_str(out.path, "evidence/60/303ae2");
	cr_assert_eq(out.data.n, 0);
	cr_assert_eq(out.size, 1 << 20);
	store_evidence_release(&out);
	cr_assert_eq(raw_count("SELECT count(*) FROM evidence"), 2);

	e.sha256 = AC_STR_LIT("9F86");
	assert_fails(store_put_evidence(s, &e, &err), AC_EINVAL);
	e.sha256 = AC_STR_LIT(SHA_B);
	e.data = (struct ac_str){ bytes, sizeof bytes };
	assert_fails(store_put_evidence(s, &e, &err), AC_EINVAL); /* both */
	e.case_id = AC_STR_LIT("K-404");
	e.path = AC_STR_LIT("");
	e.size = sizeof bytes;
	assert_fails(store_put_evidence(s, &e, &err), AC_ENOTFOUND);
	assert_fails(store_get_evidence(s, AC_STR_LIT("K-1"),
					AC_STR_LIT(SHA_B "0"), &out, &err),
		     AC_EINVAL);
}

/* ---- the audit log ---------------------------------------------------- */

Test(store, audit_append_list_and_tamper_proof)
{
	struct store_audit a = {
		.at = T0, .actor = AC_STR_LIT("token:1"),
		.action = AC_STR_LIT("case.open"), .entity = AC_STR_LIT("case"),
		.entity_id = AC_STR_LIT("K-1"),
		.after_json = AC_STR_LIT("{\"status\": \"open\"}"),
	};
	struct store_audit_filter f = { .limit = 0 };
	struct store_audit_page page;
	int64_t id = 0;
	char msg[256];

	assert_ok(store_append_audit(s, &a, &id, &err));
	a.entity_id = AC_STR_LIT("K-2");
	a.before_json = AC_STR_LIT("{}");
	assert_ok(store_append_audit(s, &a, NULL, &err));
	a.entity = AC_STR_LIT("order");
	a.entity_id = AC_STR_LIT("A-1");
	assert_ok(store_append_audit(s, &a, NULL, &err));

	assert_ok(store_list_audit(s, &f, &page, &err));
	cr_assert_eq(page.n, 3);
	cr_assert_eq(page.rows[0].id, id);
	cr_assert_eq(page.rows[0].at, T0);
	assert_str(page.rows[0].actor, "token:1");
	assert_str(page.rows[0].action, "case.open");
	assert_str(page.rows[0].entity, "case");
	assert_str(page.rows[0].entity_id, "K-1");
	cr_assert_eq(page.rows[0].before_json.n, 0);
	assert_str(page.rows[0].after_json, "{\"status\": \"open\"}");
	assert_str(page.rows[1].before_json, "{}");
	store_audit_page_release(&page);

	f.entity = AC_STR_LIT("case");
	assert_ok(store_list_audit(s, &f, &page, &err));
	cr_assert_eq(page.n, 2);
	store_audit_page_release(&page);
	f.entity_id = AC_STR_LIT("K-2");
	assert_ok(store_list_audit(s, &f, &page, &err));
	cr_assert_eq(page.n, 1);
	store_audit_page_release(&page);
	memset(&f, 0, sizeof f);
	f.since_id = id;
	f.limit = 1;
	assert_ok(store_list_audit(s, &f, &page, &err));
	cr_assert_eq(page.n, 1);
	cr_assert(page.more);
	assert_str(page.rows[0].entity_id, "K-2");
	store_audit_page_release(&page);

	a.after_json = AC_STR_LIT("not json");
	assert_fails(store_append_audit(s, &a, NULL, &err), AC_EINVAL);

	/* nobody rewrites history, not even with the file in hand */
	cr_assert_neq(raw_exec("UPDATE audit SET actor = 'mallory'", msg,
			       sizeof msg), SQLITE_OK);
	cr_assert(strstr(msg, "append-only"), "%s", msg);
	cr_assert_neq(raw_exec("DELETE FROM audit WHERE id = 1", msg,
			       sizeof msg), SQLITE_OK);
	cr_assert(strstr(msg, "append-only"), "%s", msg);
	cr_assert_eq(raw_count("SELECT count(*) FROM audit "
			       "WHERE actor = 'token:1'"), 3);
}

/* ---- tokens ----------------------------------------------------------- */

/* hash_token: what the caller does, a fast keyless hash of 32 random bytes
 * (a token is not a password), in lower-case hex. */
static void hash_token(const unsigned char tok[32], char hex[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof h, tok, 32, NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof h);
}

Test(store, tokens_put_find_revoke)
{
	unsigned char tok[32];
	char hex[65], other[65];
	struct store_token t;
	int64_t id = 0;

	cr_assert_geq(sodium_init(), 0);
	randombytes_buf(tok, sizeof tok);
	hash_token(tok, hex);
	assert_ok(store_put_token(s, AC_STR_LIT("ci"), store_str(hex), T0,
				  &id, &err));
	assert_fails(store_put_token(s, AC_STR_LIT("again"), store_str(hex),
				     T0, NULL, &err),
		     AC_ECONFLICT);

	assert_ok(store_find_token(s, store_str(hex), &t, &err));
	cr_assert_eq(t.id, id);
	assert_str(t.name, "ci");
	assert_str(t.hash, hex);
	cr_assert_eq(t.created_at, T0);
	cr_assert(!t.revoked);
	store_token_release(&t);

	tok[0] ^= 1;
	hash_token(tok, other);
	assert_fails(store_find_token(s, store_str(other), &t, &err),
		     AC_ENOTFOUND);

	assert_ok(store_revoke_token(s, id, T0 + 1, &err));
	assert_fails(store_find_token(s, store_str(hex), &t, &err),
		     AC_ENOTFOUND);
	assert_fails(store_revoke_token(s, id, T0 + 2, &err), AC_ESTATE);
	assert_fails(store_revoke_token(s, id + 100, T0, &err), AC_ENOTFOUND);
	assert_fails(store_put_token(s, AC_STR_LIT("x"),
				     AC_STR_LIT("NOT-HEX"), T0, NULL, &err),
		     AC_EINVAL);
	cr_assert_eq(raw_count("SELECT count(*) FROM tokens "
			       "WHERE revoked_at = " "1777881600000001"), 1);
}

/* ---- transactions ----------------------------------------------------- */

Test(store, rollback_leaves_nothing)
{
	struct store_order out;

	assert_ok(store_begin(s, &err));
	cr_assert(store_in_transaction(s));
	put_sample_order("A-1", true);
	put_sample_case("K-1", "A-1", CASE_STATUS_OPEN, CLAIM_CANCEL, NULL);
	assert_ok(store_rollback(s, &err));
	cr_assert(!store_in_transaction(s));
	assert_fails(store_get_order(s, AC_STR_LIT("A-1"), &out, &err),
		     AC_ENOTFOUND);
	cr_assert_eq(raw_count("SELECT (SELECT count(*) FROM orders) + "
			       "(SELECT count(*) FROM items) + "
			       "(SELECT count(*) FROM shipments) + "
			       "(SELECT count(*) FROM cases)"), 0);
	assert_ok(store_rollback(s, &err));    /* none open: fine */
}

Test(store, commit_keeps_and_misuse_is_refused)
{
	struct store_order o, out;

	assert_fails(store_commit(s, &err), AC_ESTATE);
	assert_ok(store_begin(s, &err));
	assert_fails(store_begin(s, &err), AC_ESTATE);
	put_sample_order("A-1", false);
	/* a failed call inside the transaction is undone alone */
	sample_order(&o, "A-1", true);
	assert_fails(store_put_order(s, &o, &err), AC_ECONFLICT);
	cr_assert(store_in_transaction(s));
	put_sample_order("A-2", true);
	assert_ok(store_commit(s, &err));
	assert_ok(store_get_order(s, AC_STR_LIT("A-1"), &out, &err));
	cr_assert(!out.shipped);
	store_order_release(&out);
	assert_ok(store_get_order(s, AC_STR_LIT("A-2"), &out, &err));
	cr_assert(out.shipped);
	store_order_release(&out);
	cr_assert_eq(raw_count("SELECT count(*) FROM items"), 6);
}

/* Two writers serialise: the second BEGIN waits for the first to commit. */
static void *commit_later(void *arg)
{
	struct store *first = arg;
	struct ac_err e;
	struct timespec pause = { 0, 200 * 1000 * 1000 };

	nanosleep(&pause, NULL);
	return (void *)(intptr_t)store_commit(first, &e);
}

Test(store, two_writers_serialise)
{
	struct store *other = NULL;
	struct store_order o;
	pthread_t th;
	void *res;

	assert_ok(store_open(path, &other, &err));
	assert_ok(store_begin(s, &err));
	put_sample_order("A-1", false);
	cr_assert_eq(pthread_create(&th, NULL, commit_later, s), 0);
	assert_ok(store_begin(other, &err));   /* waits for the commit */
	cr_assert_eq(pthread_join(th, &res), 0);
	cr_assert_eq((intptr_t)res, 0);
	sample_order(&o, "A-1", false);
	assert_fails(store_put_order(other, &o, &err), AC_ECONFLICT);
	assert_ok(store_rollback(other, &err));
	store_close(other);
}

/* ---- the case view ---------------------------------------------------- */

static void put_quote(const char *case_id, int64_t amount, int64_t at)
{
	struct store_quote q = {
		.case_id = store_str(case_id), .amount_minor = amount,
		.status = QUOTE_STATUS_QUOTED, .expires_at = at + 100,
		.created_at = at, .updated_at = at,
	};

	assert_ok(store_put_quote(s, &q, NULL, &err));
}

/* The view is what store_get_case, store_get_current_decision,
 * store_sum_ledger_case and store_get_case_quote give, together. */
Test(store, case_view_joins_decision_sums_and_latest_quote)
{
	struct store_case_view v;
	struct store_decision d;
	struct store_case c;

	put_sample_order("A-1", false);
	put_sample_case("K-1", "A-1", CASE_STATUS_DECIDED, CLAIM_DAMAGED, NULL);
	put_sample_case("K-2", "A-1", CASE_STATUS_DECIDED, CLAIM_DAMAGED, NULL);
	/* no decision yet: as store_get_current_decision, not found */
	assert_fails(store_get_case_view(s, AC_STR_LIT("K-1"), &v, &err),
		     AC_ENOTFOUND);
	cr_assert_str_eq(err.field, "case.id");
	sample_decision(&d, "K-1", "pending", 0, T0);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	assert_ok(store_get_case_view(s, AC_STR_LIT("K-1"), &v, &err));
	assert_ok(store_get_case(s, AC_STR_LIT("K-1"), &c, &err));
	assert_str(v.c.id, "K-1");
	assert_str(v.c.order_id, "A-1");
	cr_assert_eq(v.c.status, c.status);
	cr_assert_eq(v.c.claim_type, c.claim_type);
	assert_str(v.c.claim_json, c.claim_json.p);
	cr_assert_eq(v.c.created_at, c.created_at);
	cr_assert_eq(v.c.has_override, false);
	cr_assert_eq(v.decided_at, d.decided_at);
	assert_str(v.decision_json, "{\"verdict\": \"full_refund\"}");
	cr_assert_eq(v.sum.n_entries, 0);
	cr_assert_eq(v.sum.refund_minor, 0);
	cr_assert(!v.has_quote);
	store_case_release(&c);
	store_case_view_release(&v);

	/* a later decision, the ledger, two quotes; K-2's are not K-1's */
	sample_decision(&d, "K-1", "full_refund", 9000, 0);
	d.decided_at = T0 + 400 * HOUR;
	d.decision_json = AC_STR_LIT("{\"second\": 1}");
	assert_ok(store_save_decision(s, &d, NULL, &err));
	sample_decision(&d, "K-2", "pending", 0, 0);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	ledger("K-1", "A-1", LEDGER_REFUND, 700, NULL);
	ledger("K-1", "A-1", LEDGER_REFUND, 300, NULL);
	ledger("K-1", "A-1", LEDGER_CHARGE, 45, NULL);
	ledger("K-2", "A-1", LEDGER_REFUND, 5, NULL);
	put_quote("K-1", 4500, T0 + 1);
	put_quote("K-1", 4700, T0 + 2);
	put_quote("K-2", 1, T0 + 3);
	assert_ok(store_update_case_override(s, AC_STR_LIT("K-1"),
					     AC_STR_LIT("no_refund"),
					     AC_STR_LIT("why"),
					     AC_STR_LIT("ana"), T0 + 5, &err));
	assert_ok(store_get_case_view(s, AC_STR_LIT("K-1"), &v, &err));
	cr_assert_eq(v.decided_at, T0 + 400 * HOUR);
	assert_str(v.decision_json, "{\"second\": 1}");
	cr_assert_eq(v.sum.refund_minor, 1000);
	cr_assert_eq(v.sum.charge_minor, 45);
	cr_assert_eq(v.sum.n_entries, 3);
	cr_assert(v.has_quote);
	cr_assert_eq(v.quote.id, 2);
	assert_str(v.quote.case_id, "K-1");
	cr_assert_eq(v.quote.amount_minor, 4700);
	cr_assert_eq(v.quote.status, QUOTE_STATUS_QUOTED);
	cr_assert_eq(v.quote.expires_at, T0 + 102);
	cr_assert_eq(v.quote.created_at, T0 + 2);
	cr_assert(v.c.has_override);
	assert_str(v.c.override_verdict, "no_refund");
	assert_str(v.c.override_author, "ana");
	store_case_view_release(&v);

	assert_fails(store_get_case_view(s, AC_STR_LIT("K-9"), &v, &err),
		     AC_ENOTFOUND);
	cr_assert_str_eq(err.field, "case.id");
	assert_fails(store_get_case_view(s, AC_STR_LIT(""), &v, &err),
		     AC_EINVAL);
}

/* One statement: the first injected fault fails it, the second is never
 * reached; a failed read leaves no transaction and an empty result. */
Test(store, case_view_is_one_statement)
{
	struct store_case_view v;
	struct store_decision d;
	int n, rc = -1;

	put_sample_order("A-1", false);
	put_sample_case("K-1", "A-1", CASE_STATUS_DECIDED, CLAIM_DAMAGED, NULL);
	sample_decision(&d, "K-1", "pending", 0, T0);
	assert_ok(store_save_decision(s, &d, NULL, &err));
	put_quote("K-1", 4500, T0);
	for (n = 0; n < 10; n++) {
		store_test_fail_after(s, n);
		rc = store_get_case_view(s, AC_STR_LIT("K-1"), &v, &err);
		if (rc == 0)
			break;
		cr_assert_eq(rc, AC_EIO);
		cr_assert_str_eq(err.msg, "injected fault");
		cr_assert(!store_in_transaction(s));
		cr_assert_eq(v.c.id.n, 0);
		cr_assert(!v.has_quote);
		store_case_view_release(&v);
	}
	store_test_fail_after(s, -1);
	cr_assert_eq(rc, 0);
	cr_assert_eq(n, 1, "get_case_view ran %d statements", n);
	cr_assert(v.has_quote);
	store_case_view_release(&v);
	/* inside a transaction: the fault leaves it open, as other reads */
	assert_ok(store_begin(s, &err));
	store_test_fail_after(s, 0);
	assert_fails(store_get_case_view(s, AC_STR_LIT("K-1"), &v, &err),
		     AC_EIO);
	cr_assert(store_in_transaction(s));
	assert_ok(store_get_case_view(s, AC_STR_LIT("K-1"), &v, &err));
	store_case_view_release(&v);
	assert_ok(store_commit(s, &err));
}

/* ---- fault injection -------------------------------------------------- */

Test(store, injected_faults_leave_no_partial_order)
{
	struct store_order o, out;
	int n, rc = -1;

	sample_order(&o, "A-1", true);
	for (n = 0; n < 100; n++) {
		store_test_fail_after(s, n);
		rc = store_put_order(s, &o, &err);
		if (rc == 0)
			break;
		cr_assert_eq(rc, AC_EIO);
		cr_assert_str_eq(err.msg, "injected fault");
		cr_assert_eq(raw_count("SELECT (SELECT count(*) FROM orders) "
				       "+ (SELECT count(*) FROM items) "
				       "+ (SELECT count(*) FROM shipments)"),
			     0, "partial write after fault %d", n);
		cr_assert(!store_in_transaction(s));
	}
	store_test_fail_after(s, -1);
	cr_assert_eq(rc, 0);
	/* begin, order, three items, shipment, on SQLite the look for cases
	 * to fold into the report summaries (none), commit */
	cr_assert_eq(n, pgtest_base() ? 7 : 8, "put_order ran %d statements",
		     n);
	assert_ok(store_get_order(s, AC_STR_LIT("A-1"), &out, &err));
	cr_assert_eq(out.order.n_items, 3);
	store_order_release(&out);
}

Test(store, injected_fault_inside_a_transaction)
{
	struct store_order o;

	assert_ok(store_begin(s, &err));
	put_sample_order("A-1", false);
	sample_order(&o, "A-2", true);
	store_test_fail_after(s, 3);           /* savepoint, order, item 1 */
	assert_fails(store_put_order(s, &o, &err), AC_EIO);
	cr_assert(store_in_transaction(s));
	assert_ok(store_commit(s, &err));
	cr_assert_eq(raw_count("SELECT count(*) FROM orders"), 1);
	cr_assert_eq(raw_count("SELECT count(*) FROM items "
			       "WHERE order_id = 'A-2'"), 0);
	cr_assert_eq(raw_count("SELECT count(*) FROM items"), 3);
}

Test(store, injected_faults_on_reads)
{
	struct store_order out;
	int n, rc = -1;

	put_sample_order("A-1", true);
	for (n = 0; n < 20; n++) {
		store_test_fail_after(s, n);
		rc = store_get_order(s, AC_STR_LIT("A-1"), &out, &err);
		store_order_release(&out);
		if (rc == 0)
			break;
		cr_assert_eq(rc, AC_EIO);
		cr_assert(!store_in_transaction(s));
	}
	store_test_fail_after(s, -1);
	cr_assert_eq(rc, 0);
	assert_ok(store_health(s, &err));
}

/* ---- 0004: staff accounts, sessions, look-ups, messages -------------- */

#define HEX64 "0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef"
#define HEX64B "fedcba9876543210fedcba9876543210" \
	"fedcba9876543210fedcba9876543210"

static void sample_user(struct store_staff_user *u, const char *name)
{
	memset(u, 0, sizeof *u);
	u->name = store_str(name);
	u->role = AC_STR_LIT("agent");
	u->password_hash = AC_STR_LIT("$argon2id$v=19$m=65536,t=2,p=1$x$y");
	u->created_at = T0;
}

Test(store, staff_users_keep_an_argon2id_hash_and_the_lock)
{
	struct store_staff_user u, got;
	struct store_staff_user_page page;
	char msg[256];

	sample_user(&u, "ana");
	assert_ok(store_put_staff_user(s, &u, &err));
	assert_fails(store_put_staff_user(s, &u, &err), AC_ECONFLICT);
	assert_str(store_str(err.field), "user.name");
	sample_user(&u, "Ana");
	assert_fails(store_put_staff_user(s, &u, &err), AC_EINVAL);
	sample_user(&u, "bob");
	u.password_hash = AC_STR_LIT("correct horse 1");
	assert_fails(store_put_staff_user(s, &u, &err), AC_EINVAL);
	assert_str(store_str(err.field), "user.password_hash");
	u.password_hash = AC_STR_LIT("$argon2id$v=19$m=65536,t=2,p=1$x$y");
	u.role = AC_STR_LIT("owner");
	assert_fails(store_put_staff_user(s, &u, &err), AC_EINVAL);
	assert_str(store_str(err.field), "user.role");
	/* the file itself refuses a password kept in clear */
	cr_assert_neq(raw_exec("INSERT INTO staff_users (name, role, "
			       "password_hash, created_at) VALUES ('eve', "
			       "'agent', 'hunter2', 0)", msg, sizeof msg),
		      SQLITE_OK);
	assert_ok(store_update_staff_login(s, AC_STR_LIT("ana"), 0, true,
					   T0 + HOUR, &err));
	assert_ok(store_get_staff_user(s, AC_STR_LIT("ana"), &got, &err));
	cr_assert(got.has_lock && got.locked_until == T0 + HOUR);
	store_staff_user_release(&got);
	assert_ok(store_update_staff_login(s, AC_STR_LIT("ana"), 3, false, 0,
					   &err));
	assert_ok(store_get_staff_user(s, AC_STR_LIT("ana"), &got, &err));
	cr_assert(!got.has_lock && got.failed_in_a_row == 3);
	assert_str(got.role, "agent");
	store_staff_user_release(&got);
	assert_fails(store_update_staff_login(s, AC_STR_LIT("zed"), 0, false,
					      0, &err), AC_ENOTFOUND);
	assert_fails(store_get_staff_user(s, AC_STR_LIT("zed"), &got, &err),
		     AC_ENOTFOUND);
	sample_user(&u, "al");
	assert_ok(store_put_staff_user(s, &u, &err));
	assert_ok(store_list_staff_users(s, AC_STR_LIT(""), 1, &page, &err));
	cr_assert(page.n == 1 && page.more);
	assert_str(page.rows[0].name, "al");
	store_staff_user_page_release(&page);
	assert_ok(store_list_staff_users(s, AC_STR_LIT("al"), 10, &page,
					 &err));
	cr_assert(page.n == 1 && !page.more);
	assert_str(page.rows[0].name, "ana");
	store_staff_user_page_release(&page);
}

Test(store, sessions_name_their_user_or_their_order)
{
	struct store_staff_user u;
	struct store_session x, got;
	int n = -1;

	sample_user(&u, "ana");
	u.role = AC_STR_LIT("manager");
	assert_ok(store_put_staff_user(s, &u, &err));
	put_sample_order("A-1", false);
	memset(&x, 0, sizeof x);
	x.hash = AC_STR_LIT(HEX64);
	x.kind = AC_STR_LIT("staff");
	x.user_name = AC_STR_LIT("ana");
	x.csrf = AC_STR_LIT(HEX64B);
	x.created_at = T0;
	x.expires_at = T0 + HOUR;
	x.order_id = AC_STR_LIT("A-1");
	assert_fails(store_put_session(s, &x, &err), AC_EINVAL);
	assert_str(store_str(err.field), "session.kind");
	x.order_id = AC_STR_LIT("");
	x.expires_at = T0;
	assert_fails(store_put_session(s, &x, &err), AC_EINVAL);
	assert_str(store_str(err.field), "session.expires_at");
	x.expires_at = T0 + HOUR;
	x.csrf = AC_STR_LIT("not hex");
	assert_fails(store_put_session(s, &x, &err), AC_EINVAL);
	assert_str(store_str(err.field), "session.csrf");
	x.csrf = AC_STR_LIT(HEX64B);
	x.user_name = AC_STR_LIT("zed");
	assert_fails(store_put_session(s, &x, &err), AC_ENOTFOUND);
	x.user_name = AC_STR_LIT("ana");
	assert_ok(store_put_session(s, &x, &err));
	assert_fails(store_put_session(s, &x, &err), AC_ECONFLICT);
	assert_ok(store_get_session(s, AC_STR_LIT(HEX64), &got, &err));
	assert_str(got.kind, "staff");
	assert_str(got.user_name, "ana");
	assert_str(got.role, "manager");
	cr_assert(!got.ended && got.order_id.n == 0);
	store_session_release(&got);
	/* a customer's: the order, no user */
	x.hash = AC_STR_LIT(HEX64B);
	x.kind = AC_STR_LIT("customer");
	x.user_name = AC_STR_LIT("");
	x.order_id = AC_STR_LIT("A-1");
	x.tz_offset_min = -300;
	x.expires_at = T0 + 2 * HOUR;
	assert_ok(store_put_session(s, &x, &err));
	assert_ok(store_get_session(s, AC_STR_LIT(HEX64B), &got, &err));
	assert_str(got.order_id, "A-1");
	cr_assert(got.tz_offset_min == -300 && got.role.n == 0);
	store_session_release(&got);
	assert_ok(store_end_session(s, AC_STR_LIT(HEX64), T0 + 1, &err));
	assert_fails(store_end_session(s, AC_STR_LIT(HEX64), T0 + 2, &err),
		     AC_ENOTFOUND);
	assert_ok(store_get_session(s, AC_STR_LIT(HEX64), &got, &err));
	cr_assert(got.ended && got.ended_at == T0 + 1);
	store_session_release(&got);
	/* the purge takes what expired before the instant, no more */
	assert_ok(store_purge_sessions(s, T0 + HOUR, &n, &err));
	cr_assert_eq(n, 0);
	assert_ok(store_purge_sessions(s, T0 + HOUR + 1, &n, &err));
	cr_assert_eq(n, 1);
	assert_fails(store_get_session(s, AC_STR_LIT(HEX64), &got, &err),
		     AC_ENOTFOUND);
	cr_assert_eq(raw_count("SELECT count(*) FROM sessions"), 1);
}

Test(store, lookup_failures_count_in_a_window)
{
	struct store_lookup_failure f;
	int n = -1;

	assert_ok(store_get_lookup_failures(s, AC_STR_LIT("ip:1"), &f, &err));
	cr_assert_eq(f.count, 0);
	for (int i = 1; i <= 3; i++) {
		assert_ok(store_add_lookup_failure(s, AC_STR_LIT("ip:1"),
						   T0 + i, HOUR, &f, &err));
		cr_assert(f.count == i && f.window_start == T0 + 1);
	}
	/* one microsecond before the window's end: still counted in it */
	assert_ok(store_add_lookup_failure(s, AC_STR_LIT("ip:1"), T0 + HOUR,
					   HOUR, &f, &err));
	cr_assert(f.count == 4 && f.window_start == T0 + 1);
	assert_ok(store_add_lookup_failure(s, AC_STR_LIT("ip:1"),
					   T0 + 1 + HOUR, HOUR, &f, &err));
	cr_assert(f.count == 1 && f.window_start == T0 + 1 + HOUR);
	assert_ok(store_get_lookup_failures(s, AC_STR_LIT("ip:1"), &f, &err));
	cr_assert(f.count == 1 && f.window_start == T0 + 1 + HOUR);
	assert_fails(store_add_lookup_failure(s, AC_STR_LIT(""), T0, HOUR,
					      &f, &err), AC_EINVAL);
	assert_str(store_str(err.field), "lookup.key");
	assert_ok(store_purge_lookup_failures(s, T0 + 1 + HOUR, &n, &err));
	cr_assert_eq(n, 0);
	assert_ok(store_purge_lookup_failures(s, T0 + 2 + HOUR, &n, &err));
	cr_assert_eq(n, 1);
}

Test(store, messages_are_append_only)
{
	struct store_message m = {
		.case_id = AC_STR_LIT("K-1"),
		.sender = AC_STR_LIT("customer"),
		.author = AC_STR_LIT("customer:A-1"),
		.body = AC_STR_LIT("where is my ring?"),
		.created_at = T0,
	};
	struct store_message_page page;
	char msg[256];
	int64_t id = 0;

	put_sample_order("A-1", false);
	assert_fails(store_add_message(s, &m, &id, &err), AC_ENOTFOUND);
	assert_str(store_str(err.field), "message.case_id");
	put_sample_case("K-1", "A-1", CASE_STATUS_OPEN, CLAIM_CANCEL, NULL);
	assert_ok(store_add_message(s, &m, &id, &err));
	cr_assert_gt(id, 0);
	m.sender = AC_STR_LIT("robot");
	assert_fails(store_add_message(s, &m, NULL, &err), AC_EINVAL);
	assert_str(store_str(err.field), "message.sender");
	m.sender = AC_STR_LIT("staff");
	m.author = AC_STR_LIT("user:ana");
	m.body = AC_STR_LIT("on its way");
	assert_ok(store_add_message(s, &m, NULL, &err));
	assert_ok(store_list_messages(s, AC_STR_LIT("K-1"), 0, 10, &page,
				      &err));
	cr_assert_eq(page.n, 2);
	assert_str(page.rows[0].sender, "customer");
	assert_str(page.rows[1].body, "on its way");
	store_message_page_release(&page);
	cr_assert_neq(raw_exec("UPDATE messages SET body = 'x'", msg,
			       sizeof msg), SQLITE_OK);
	cr_assert(strstr(msg, "append-only"), "%s", msg);
	cr_assert_neq(raw_exec("DELETE FROM messages", msg, sizeof msg),
		      SQLITE_OK);
	cr_assert(strstr(msg, "append-only"), "%s", msg);
}

/* ---- names ------------------------------------------------------------ */

Test(store, status_names_round_trip)
{
	for (int i = 0; i < CASE_STATUS_COUNT; i++) {
		const char *name = store_case_status_name((enum case_status)i);
		enum case_status back;

		cr_assert_not_null(name);
		cr_assert_eq(store_case_status_parse(name, strlen(name),
						     &back), 0);
		cr_assert_eq((int)back, i);
	}
	for (int i = 0; i < QUOTE_STATUS_COUNT; i++) {
		const char *name =
			store_quote_status_name((enum quote_status)i);
		enum quote_status back;

		cr_assert_eq(store_quote_status_parse(name, strlen(name),
						      &back), 0);
		cr_assert_eq((int)back, i);
	}
	cr_assert_null(store_case_status_name(CASE_STATUS_COUNT));
	cr_assert_eq(store_case_status_parse("gone", 4,
					     &(enum case_status){ 0 }), -1);
	cr_assert_str_eq(store_ledger_kind_name(LEDGER_CHARGE), "charge");
}
