/* store.h: the one storage interface of aftercare (store layer).
 * Orders, shipments, cases, decisions, the ledger, idempotency keys, repair
 * quotes, notes, evidence, the audit log, API tokens, and for the pages
 * staff accounts, sessions, failed look-ups and messages. A backend (sqlite.c,
 * postgres.c) fills a struct store_ops; store.c picks one from the
 * --db string. SQL appears nowhere outside src/store. */
#ifndef AC_STORE_H
#define AC_STORE_H

/*
 * Ownership: arguments are borrowed for the length of the call. A record a
 * store_get_* or store_list_* call fills owns its strings in its own `mem`
 * buffer: they stay valid until the matching *_release, which may be called
 * whatever the call returned (a failed call leaves nothing to release, and
 * releasing it is harmless). Records passed in (puts) are read only; their
 * `mem` is ignored. Strings are struct ac_str slices (not NUL-terminated on
 * input; the store's own copies are). An ac_str with n == 0 stands for "none"
 * where a column is nullable.
 *
 * Errors: every function returns 0 or a negative AC_E* code and fills the
 * caller's struct ac_err (which may be NULL) with the field or table that
 * failed and a message. Codes: AC_EINVAL bad argument, AC_ELIMIT a size
 * limit, AC_ENOTFOUND no such row (or a referenced row is missing),
 * AC_ECONFLICT a row with that key exists, AC_ESTATE the operation is not
 * allowed in this state (append-only tables, transactions), AC_EIO the
 * database failed or is busy, AC_ENOMEM the database ran out of memory.
 *
 * Time: the store never reads the clock (except to stamp schema_version):
 * every *_at is given by the caller, the desk, which owns the clock.
 * Transactions: the desk owns them (store_begin .. store_commit). Outside
 * one, each call is atomic by itself: a call that fails leaves nothing
 * behind. Inside one, a failed call is undone alone (a savepoint) and the
 * transaction stays open for the desk to commit or roll back.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../codec/buf.h"
#include "../core/case.h"
#include "../core/err.h"
#include "../core/money.h"
#include "../core/str.h"
#include "../core/workflow.h"

/* Named limits. Ids of every kind are at most STORE_ID_MAX - 1 bytes. */
#define STORE_ID_MAX 128
#define STORE_PAGE_MAX 100              /* rows per list call */
#define STORE_MEM_MAX (64u << 20)      /* bytes a result may hold */
#define STORE_BLOB_MAX (16u << 20)     /* an inline evidence blob */

struct store;

/* ---- enumerations stored by their wire names -------------------------- */

/* enum case_status, enum quote_status, enum ledger_kind and their wire
 * names are the workflow's (src/core/workflow.h); the store_* names stay
 * for the store's own callers. */
static inline const char *store_case_status_name(enum case_status s)
{
	return case_status_name(s);
}

static inline int store_case_status_parse(const char *s, size_t n,
					  enum case_status *out)
{
	return case_status_parse(s, n, out);
}

static inline const char *store_quote_status_name(enum quote_status s)
{
	return quote_status_name(s);
}

static inline int store_quote_status_parse(const char *s, size_t n,
					   enum quote_status *out)
{
	return quote_status_parse(s, n, out);
}

static inline const char *store_ledger_kind_name(enum ledger_kind k)
{
	return ledger_kind_name(k);
}

/* store_str makes a slice of a NUL-terminated string (NULL: empty). */
static inline struct ac_str store_str(const char *s)
{
	struct ac_str r = { "", 0 };

	if (s) {
		r.p = s;
		r.n = strlen(s);
	}
	return r;
}

/* ---- records ---------------------------------------------------------- */

/* An order as stored: the case model's order (with its items), the
 * shipment when there is one, the customer and what was paid. */
struct store_order {
	struct order order;
	bool shipped;                 /* false: no shipment row */
	struct shipment shipment;
	int64_t shipment_updated_at;  /* get only: put uses created_at */
	struct ac_str customer_name, customer_email;
	bool has_paid;                /* false: paid is items + shipping */
	int64_t paid_minor;
	int64_t created_at;
	struct buf mem;
};

struct store_tracking_event {
	int64_t id;                   /* set by the store */
	struct ac_str order_id;
	int64_t at;
	struct ac_str kind;           /* "picked_up", "out_for_delivery", .. */
	struct ac_str detail;         /* may be empty */
};

/* A case. claim_json is the claim object as the desk encoded it; the claim
 * type and opening instant are copied into columns to filter on. */
struct store_case {
	struct ac_str id;             /* put: n == 0 lets the store choose */
	struct ac_str order_id;
	enum case_status status;
	enum claim_type claim_type;
	int64_t opened_at;
	struct ac_str claim_json;
	int64_t created_at, updated_at;
	bool has_override;
	struct ac_str override_verdict;   /* a verdict's wire name */
	struct ac_str override_reason, override_author;
	int64_t overridden_at;
	bool has_approval;
	struct ac_str approved_by;
	int64_t approved_at;
	/* when the shop must have answered (opening + the policy's
	 * response time); /v1/deadlines lists the case by it */
	bool has_response_due;
	int64_t response_due_at;
	/* put only: the verdict, deciding clause and deadline of the
	 * decision about to be saved for the case. store_save_decision sets
	 * them on the case in any event; given here, the case is stored and
	 * counted in its report groups once, not stored and then moved
	 * (a get leaves them unset) */
	bool has_decided;
	struct ac_str verdict;            /* a verdict's wire name */
	struct ac_str clause;             /* n == 0: none */
	bool has_deadline;
	int64_t deadline;
	struct buf mem;
};

/* One decision made on a case: the decision as JSON, its main numbers as
 * columns, and the facts (the case JSON) it was made from. The one with the
 * highest id is the case's current decision. */
struct store_decision {
	int64_t id;                   /* set by the store */
	struct ac_str case_id;
	int64_t decided_at;
	struct ac_str verdict;        /* wire name: "full_refund", .. */
	int64_t refund_max_minor;
	int64_t charge_minor;
	bool has_deadline;
	int64_t deadline;
	struct ac_str policy;         /* "sha256:..." */
	struct ac_str decision_json;
	struct ac_str facts_json;
	struct buf mem;
};

struct store_ledger_entry {
	struct ac_str case_id;
	struct ac_str order_id;       /* must be the case's order */
	enum ledger_kind kind;
	int64_t amount_minor;         /* 1 .. AC_MONEY_MAX */
	const struct currency *currency;  /* must be the order's */
	int64_t created_at;
	struct ac_str actor;
	struct ac_str idempotency_key;    /* n == 0: none */
};

struct store_ledger_sum {
	int64_t refund_minor;
	int64_t charge_minor;
	int n_entries;
};

/* What a refund carrying an Idempotency-Key did, kept to give the same
 * result again (0003_idem.sql). scope says whose key it is (for example the
 * token id and the route). */
struct store_idem {
	struct ac_str scope, key;
	struct ac_str request_hash;   /* the first request, hashed */
	/* the ledger entry the request made (an entry of the store's, 1 ..);
	 * got: 0 for a record kept before 0003 that could not be read, which
	 * stands for no result (its refunded_total_minor is 0 too) */
	int64_t ledger_id;
	int64_t refunded_total_minor; /* the case's refunds with it, 0 .. */
	/* got: the entry's currency (put: ignored; the entry's is kept) */
	const struct currency *currency;
	int64_t created_at;
	struct buf mem;
};

struct store_quote {
	int64_t id;                   /* set by the store */
	struct ac_str case_id;
	int64_t amount_minor;
	enum quote_status status;
	int64_t expires_at;
	int64_t created_at, updated_at;
	struct buf mem;
};

/* A case as it is shown, read in one statement: the case row, its current
 * decision's time and record, its ledger sums and its latest quote. The
 * strings of c, decision_json and quote are all in mem (c.mem and
 * quote.mem stay empty). */
struct store_case_view {
	struct store_case c;
	int64_t decided_at;
	struct ac_str decision_json;
	struct store_ledger_sum sum;
	bool has_quote;
	struct store_quote quote;
	struct buf mem;
};

struct store_note {
	int64_t id;
	struct ac_str case_id, author, body;
	int64_t created_at;
};

/* A piece of evidence, named by the lower-case hex SHA-256 of its bytes
 * (computed by the caller). The bytes are either inline (data) or in a file
 * the caller keeps (path): exactly one of the two is given. */
struct store_evidence {
	struct ac_str case_id;
	struct ac_str sha256;         /* 64 lower-case hex digits */
	struct ac_str content_type;
	int64_t size;
	struct ac_str path;           /* n == 0: inline */
	struct ac_str data;           /* n == 0 (and path set): in a file */
	int64_t created_at;
	struct buf mem;
};

/* One audit event. before_json and after_json: n == 0 is none. */
struct store_audit {
	int64_t id;
	int64_t at;
	struct ac_str actor, action, entity, entity_id;
	struct ac_str before_json, after_json;
};

/* An API token: only its hash (lower-case hex, computed by the caller from
 * the token's random bytes) is stored, never the token. */
struct store_token {
	int64_t id;
	struct ac_str name;
	struct ac_str hash;
	int64_t created_at;
	bool revoked;
	int64_t revoked_at;
	struct buf mem;
};

/* A staff account (0004_pages.sql). role is "agent" or "manager";
 * password_hash is crypto_pwhash_str's Argon2id string ("$argon2id$..."),
 * never the password. failed_in_a_row: wrong passwords since the last
 * success or lock; has_lock: locked_until is set (it may be past). */
struct store_staff_user {
	struct ac_str name;           /* 1..64 bytes of [a-z0-9._-] */
	struct ac_str role;
	struct ac_str password_hash;
	int failed_in_a_row;
	bool has_lock;
	int64_t locked_until;
	int64_t created_at;
	struct buf mem;
};

/* A session: only the SHA-256 of its token (64 lower-case hex digits) is
 * stored, with its CSRF token (64 lower-case hex digits). kind is "staff"
 * (user_name set, order_id empty) or "customer" (order_id set, user_name
 * empty). got: role is the staff account's role ("" for a customer);
 * ended says it was signed out at ended_at. */
struct store_session {
	struct ac_str hash, kind, user_name, order_id, csrf;
	int tz_offset_min;            /* -1439 .. 1439 */
	int64_t created_at, expires_at;
	bool ended;
	int64_t ended_at;
	struct ac_str role;           /* got only */
	struct buf mem;
};

/* Failed look-ups under one key ("ip:192.0.2.1", "order:D-1001"), counted
 * in a fixed window that opened at window_start. */
struct store_lookup_failure {
	int64_t window_start;
	int count;
};

/* A message on a case: sender "customer" or "staff"; author the actor. */
struct store_message {
	int64_t id;                   /* set by the store */
	struct ac_str case_id, sender, author, body;
	int64_t created_at;
};

/* ---- pages: one list call's rows, keyset-paginated -------------------- */

/* One line of a case list: the case and its current decision's verdict and
 * deadline (has_decision false when it has none yet). seq is the case's
 * place in creation order (from 1), the order lists go in. due_at is the
 * earliest of the deadline and the response due while the case is not
 * resolved or closed (has_due false otherwise, or when it has neither). */
struct store_case_row {
	struct ac_str id, order_id;
	enum case_status status;
	enum claim_type claim_type;
	int64_t opened_at, created_at, updated_at;
	bool has_decision;
	struct ac_str verdict;
	bool has_deadline;
	int64_t deadline;
	int64_t seq;
	bool has_response_due;
	int64_t response_due_at;
	bool has_due;
	int64_t due_at;
	/* the current decision's first clause ("refund.3"); n == 0: none */
	struct ac_str clause;
	/* the order's customer e-mail, trimmed, in ASCII lower case; n == 0:
	 * none */
	struct ac_str customer;
};

struct store_case_filter {
	unsigned status_mask;         /* CASE_STATUS_BIT()s; 0: any */
	bool has_claim_type;
	enum claim_type claim_type;
	struct ac_str order_id;       /* n == 0: any order */
	bool has_deadline_before;     /* current decision's deadline < this */
	int64_t deadline_before;
	struct ac_str clause;         /* the deciding clause; n == 0: any */
	struct ac_str customer;       /* a customer as the row keeps it
					 (trimmed, lower case); n == 0: any */
	struct ac_str after_id;       /* keyset: cases after this one (which
					 must exist); n == 0: from the first */
	int limit;                    /* 1 .. STORE_PAGE_MAX; else the max */
};

/* The cases due (struct store_case_row's due_at) at `before` or earlier,
 * soonest first: the keyset cursor is the last row's (due_at, seq). */
struct store_due_filter {
	int64_t before;
	bool has_after;               /* false: from the first */
	int64_t after_due, after_seq;
	int limit;                    /* 1 .. STORE_PAGE_MAX; else the max */
};

struct store_case_page {
	int n;
	bool more;                    /* another page follows rows[n - 1].id */
	struct store_case_row rows[STORE_PAGE_MAX];
	struct buf mem;
};

struct store_note_page {
	int n;
	bool more;
	struct store_note rows[STORE_PAGE_MAX];
	struct buf mem;
};

struct store_tracking_page {
	int n;
	bool more;
	struct store_tracking_event rows[STORE_PAGE_MAX];
	struct buf mem;
};

struct store_staff_user_page {
	int n;
	bool more;                    /* another page follows rows[n - 1] */
	struct store_staff_user rows[STORE_PAGE_MAX];  /* their mem unused */
	struct buf mem;
};

struct store_message_page {
	int n;
	bool more;
	struct store_message rows[STORE_PAGE_MAX];
	struct buf mem;
};

struct store_evidence_page {
	int n;
	bool more;
	struct store_evidence rows[STORE_PAGE_MAX];  /* mem unused */
	struct buf mem;
};

struct store_audit_filter {
	struct ac_str entity;         /* n == 0: any ("case", "order", ..) */
	struct ac_str entity_id;      /* n == 0: any */
	int64_t since_id;             /* rows with id > since_id */
	int limit;                    /* 1 .. STORE_PAGE_MAX; else the max */
};

struct store_audit_page {
	int n;
	bool more;
	struct store_audit rows[STORE_PAGE_MAX];
	struct buf mem;
};

/* Releasing a record or page frees the strings it holds. */
void store_order_release(struct store_order *o);
void store_case_release(struct store_case *c);
void store_decision_release(struct store_decision *d);
void store_idem_release(struct store_idem *i);
void store_quote_release(struct store_quote *q);
void store_case_view_release(struct store_case_view *v);
void store_evidence_release(struct store_evidence *e);
void store_token_release(struct store_token *t);
void store_staff_user_release(struct store_staff_user *u);
void store_session_release(struct store_session *x);
void store_case_page_release(struct store_case_page *p);
void store_note_page_release(struct store_note_page *p);
void store_tracking_page_release(struct store_tracking_page *p);
void store_staff_user_page_release(struct store_staff_user_page *p);
void store_message_page_release(struct store_message_page *p);
void store_evidence_page_release(struct store_evidence_page *p);
void store_audit_page_release(struct store_audit_page *p);

/* ---- opening, transactions, health ------------------------------------ */

/* store_open opens the store that dsn names and migrates it to the newest
 * schema: a path or a "file:" URI is SQLite (created when new);
 * "postgresql://" or "postgres://" is PostgreSQL (a libpq URI; the
 * database must exist, its tables are created). On success *out
 * is a new handle for store_close. Fails with AC_EINVAL (dsn), AC_EIO
 * (cannot open, or a migration failed: err names it) or AC_ESTATE (the
 * database's schema is newer than this program). */
int store_open(const char *dsn, struct store **out, struct ac_err *err);

/* store_close closes the handle (NULL is fine); an open transaction is
 * rolled back. */
void store_close(struct store *s);

/* store_backup copies the SQLite database dsn names into a new file `to`
 * with SQLite's online backup, in steps, while other connections (a
 * running server) go on writing: the copy is the database as it was when
 * the backup began (one read snapshot held throughout), then checked with
 * PRAGMA integrity_check. It never overwrites: AC_ECONFLICT (field "to")
 * when `to` exists. AC_EINVAL (field "db") for a PostgreSQL dsn (use
 * pg_dump) or a database that does not exist; AC_EIO when a step or the
 * check fails (the partial copy is removed). *pages (may be NULL) is the
 * number of pages copied. Implemented in backup.c. */
int store_backup(const char *dsn, const char *to, int *pages,
		 struct ac_err *err);

/* store_backend_name: "sqlite" or "postgresql" (for logs). */
const char *store_backend_name(const struct store *s);

/* store_schema_version sets *version to the newest migration applied. */
int store_schema_version(struct store *s, int *version, struct ac_err *err);

/* store_health answers 0 while the database answers a trivial query. */
int store_health(struct store *s, struct ac_err *err);

/* store_begin opens a write transaction, waiting (busy timeout) for other
 * writers, so that two writers serialise: BEGIN IMMEDIATE on SQLite.
 * AC_ESTATE when one is already open, AC_EIO when the wait runs out. */
int store_begin(struct store *s, struct ac_err *err);

/* store_begin_read opens a read-only transaction: one consistent snapshot
 * of what was committed, without the write lock (BEGIN DEFERRED under
 * WAL on SQLite), for a reader on its own connection. End it with
 * store_commit or store_rollback. AC_ESTATE when one is already open. */
int store_begin_read(struct store *s, struct ac_err *err);

/* store_commit makes the transaction durable; AC_ESTATE when none is open.
 * When the commit fails the transaction is rolled back. On PostgreSQL a
 * connection that breaks during the COMMIT leaves its outcome unknown:
 * the store reconnects and asks (for up to two seconds), so the answer is
 * 0 when the transaction was kept, AC_EIO when it was not, and
 * AC_EINDOUBT only when the database did not answer in time. */
int store_commit(struct store *s, struct ac_err *err);

/* store_rollback undoes the open transaction; 0 when none is open (the
 * database may already have rolled it back after an error). */
int store_rollback(struct store *s, struct ac_err *err);

/* Savepoints, for a caller that makes several calls all-or-nothing inside
 * a larger transaction (the desk's group commit): BEGIN opens one,
 * RELEASE keeps its work, ROLLBACK undoes its work and closes it. They do
 * not nest. AC_ESTATE outside a transaction.
 * Inside one, a write whose id the caller does not ask for
 * (store_save_decision, store_append_audit, store_outbox_add with id
 * NULL) may be answered later: PostgreSQL sends it without waiting, and
 * its error is then returned by the next call that waits for an answer,
 * by RELEASE at the latest. ROLLBACK undoes it either way. */
enum store_sp { STORE_SP_BEGIN, STORE_SP_RELEASE, STORE_SP_ROLLBACK };

int store_savepoint(struct store *s, enum store_sp what, struct ac_err *err);

/* store_in_transaction: true between store_begin and commit/rollback. */
bool store_in_transaction(struct store *s);

/* store_test_fail_after arms fault injection, for tests: the store lets n
 * more statement steps run (one per statement that writes, one per row and
 * one more for a query), then fails the next with AC_EIO "injected fault",
 * once. n < 0 disarms it. Statements that undo work (rollbacks) are never
 * failed, so a test can check that nothing partial was left. */
void store_test_fail_after(struct store *s, int n);

/* store_test_break_commit, for tests (PostgreSQL; nothing on SQLite): the
 * next commit is carried out (kept) or rolled back (!kept), and then its
 * connection breaks before the answer is read, as when the database
 * stops during a COMMIT. The store asks the database, once it answers
 * again, whether the transaction was kept (store_commit). */
void store_test_break_commit(struct store *s, bool kept);

/* ---- orders and shipments --------------------------------------------- */

/* store_put_order stores the order, its items, the shipment when
 * o->shipped, the customer and paid_minor, stamped o->created_at, all or
 * nothing. AC_ECONFLICT (field "order.id") when the id exists; AC_EINVAL
 * or AC_ELIMIT naming the field for a bad record. */
int store_put_order(struct store *s, const struct store_order *o,
		    struct ac_err *err);

/* store_get_order fills *out (see the ownership note): AC_ENOTFOUND when
 * there is no such order. */
int store_get_order(struct store *s, struct ac_str id, struct store_order *out,
		    struct ac_err *err);

/* store_put_shipment creates or replaces the order's shipment, stamped
 * updated_at. AC_ENOTFOUND when there is no such order. */
int store_put_shipment(struct store *s, struct ac_str order_id,
		       const struct shipment *sh, int64_t updated_at,
		       struct ac_err *err);

/* store_add_tracking_event appends a courier event to the order; *id (may
 * be NULL) is its id. AC_ENOTFOUND when there is no such order. */
int store_add_tracking_event(struct store *s,
			     const struct store_tracking_event *ev,
			     int64_t *id, struct ac_err *err);

/* store_list_tracking_events: the order's events with id > after_id, oldest
 * first, at most limit (see struct store_case_filter for limit). */
int store_list_tracking_events(struct store *s, struct ac_str order_id,
			       int64_t after_id, int limit,
			       struct store_tracking_page *out,
			       struct ac_err *err);

/* ---- cases and decisions ---------------------------------------------- */

/* store_put_case stores a new case. With c->id empty the store picks the
 * next "C-000123" (a caller's own id may not have that form); the id used
 * is written to id_out (STORE_ID_MAX bytes, may be NULL). AC_ENOTFOUND
 * (field "case.order_id") when the order does not exist; AC_ECONFLICT when
 * the id does; AC_EINVAL when claim_json is not JSON or a field is out of
 * range. */
int store_put_case(struct store *s, const struct store_case *c,
		   char id_out[STORE_ID_MAX], struct ac_err *err);

/* store_get_case fills *out; AC_ENOTFOUND when there is no such case. */
int store_get_case(struct store *s, struct ac_str id, struct store_case *out,
		   struct ac_err *err);

/* store_get_case_view fills *out with the case, its current decision, its
 * ledger sums and its latest quote, in one statement (one snapshot):
 * AC_ENOTFOUND (case.id) when there is no such case or it has no decision. */
int store_get_case_view(struct store *s, struct ac_str id,
			struct store_case_view *out, struct ac_err *err);

/* store_update_case_status sets the case's status and updated_at.
 * AC_ENOTFOUND when there is no such case. The desk decides which moves are
 * allowed; the store only records them. */
int store_update_case_status(struct store *s, struct ac_str id,
			     enum case_status status, int64_t updated_at,
			     struct ac_err *err);

/* store_update_case_override records a staff override of the verdict
 * (verdict is a wire name; reason and author are required) at `at`, which
 * is also the new updated_at. AC_ENOTFOUND, or AC_EINVAL for a bad verdict
 * or an empty reason or author. */
int store_update_case_override(struct store *s, struct ac_str id,
			       struct ac_str verdict, struct ac_str reason,
			       struct ac_str author, int64_t at,
			       struct ac_err *err);

/* store_update_case_approval records who approved the current decision and
 * when (also the new updated_at). AC_ENOTFOUND, AC_EINVAL (empty by). */
int store_update_case_approval(struct store *s, struct ac_str id,
			       struct ac_str approved_by, int64_t at,
			       struct ac_err *err);

/* store_list_cases fills *out with the cases that pass every filter, in
 * creation order (seq; with has_deadline_before, by deadline, then seq),
 * starting after the case f->after_id (AC_EINVAL, field "filter.after",
 * when there is no such case). Each page seeks an index: it costs the same
 * at any size. This is also "the cases of an order with these statuses":
 * set order_id and status_mask. */
int store_list_cases(struct store *s, const struct store_case_filter *f,
		     struct store_case_page *out, struct ac_err *err);

/* What store_list_cases refuses rather than read beyond one order, one
 * customer or one clause (AC_EINVAL naming the filter given with it): a
 * deadline bound with a clause or a customer ("filter.deadline_before"),
 * and with a clause but neither an order nor a customer, a claim type
 * ("filter.type") or more than one status ("filter.status"). */

/* store_case_counts fills counts[s] with the number of cases of status s:
 * one row the store keeps in the transaction of every case written. */
int store_case_counts(struct store *s, int64_t counts[CASE_STATUS_COUNT],
		      struct ac_err *err);

/* store_list_due fills *out with the cases due by f->before (resolved and
 * closed ones are never due), soonest first, after the cursor. */
int store_list_due(struct store *s, const struct store_due_filter *f,
		   struct store_case_page *out, struct ac_err *err);

/* store_save_decision appends a decision to its case, which makes it the
 * current one (the case's verdict, deadline and due follow at once); *id
 * (may be NULL) is its id. AC_ENOTFOUND when there is no
 * such case; AC_EINVAL when a JSON text is not JSON or the verdict is not
 * a verdict's wire name. */
int store_save_decision(struct store *s, const struct store_decision *d,
			int64_t *id, struct ac_err *err);

/* store_get_current_decision fills *out with the case's latest decision;
 * AC_ENOTFOUND when the case has none (or does not exist). */
int store_get_current_decision(struct store *s, struct ac_str case_id,
			       struct store_decision *out,
			       struct ac_err *err);

/* ---- the ledger ------------------------------------------------------- */

/* store_add_ledger appends a refund or a charge; *id (may be NULL) is its
 * id. Entries are never changed or removed: a correction is a new entry.
 * AC_EINVAL when the entry's order or currency is not its case's (or the
 * case does not exist) or the amount is out of range. */
int store_add_ledger(struct store *s, const struct store_ledger_entry *e,
		     int64_t *id, struct ac_err *err);

/* store_sum_ledger_case totals the case's refunds and charges (zeros when
 * it has none). */
int store_sum_ledger_case(struct store *s, struct ac_str case_id,
			  struct store_ledger_sum *out, struct ac_err *err);

/* store_sum_ledger_order: the same over every case of the order. */
int store_sum_ledger_order(struct store *s, struct ac_str order_id,
			   struct store_ledger_sum *out, struct ac_err *err);

/* ---- idempotency ------------------------------------------------------ */

/* store_get_idempotency fills *out with the record kept for (scope, key);
 * AC_ENOTFOUND when there is none. */
int store_get_idempotency(struct store *s, struct ac_str scope,
			  struct ac_str key, struct store_idem *out,
			  struct ac_err *err);

/* store_put_idempotency records what the request did for (scope, key),
 * once: AC_ECONFLICT when the pair is already recorded; AC_EINVAL (naming
 * the field) for a ledger id that is not an entry's or a negative total. */
int store_put_idempotency(struct store *s, const struct store_idem *in,
			  struct ac_err *err);

/* ---- repair quotes ---------------------------------------------------- */

/* store_put_quote stores a new quote for a case; *id (may be NULL) is its
 * id. AC_ENOTFOUND when there is no such case. */
int store_put_quote(struct store *s, const struct store_quote *q, int64_t *id,
		    struct ac_err *err);

/* store_update_quote sets a quote's status and updated_at; AC_ENOTFOUND
 * when there is no such quote. Which moves are allowed is the desk's. */
int store_update_quote(struct store *s, int64_t id, enum quote_status status,
		       int64_t updated_at, struct ac_err *err);

/* store_get_quote fills *out with the quote; AC_ENOTFOUND. */
int store_get_quote(struct store *s, int64_t id, struct store_quote *out,
		    struct ac_err *err);

/* store_get_case_quote fills *out with the case's latest quote;
 * AC_ENOTFOUND when it has none. */
int store_get_case_quote(struct store *s, struct ac_str case_id,
			 struct store_quote *out, struct ac_err *err);

/* ---- notes and evidence ----------------------------------------------- */

/* store_add_note appends a staff note to a case; *id (may be NULL) is its
 * id. AC_ENOTFOUND when there is no such case; AC_EINVAL on an empty body
 * or author. */
int store_add_note(struct store *s, const struct store_note *n, int64_t *id,
		   struct ac_err *err);

/* store_list_notes: the case's notes with id > after_id, oldest first. */
int store_list_notes(struct store *s, struct ac_str case_id, int64_t after_id,
		     int limit, struct store_note_page *out,
		     struct ac_err *err);

/* store_put_evidence records a piece of evidence on a case. Putting the
 * same (case, sha256) again is a no-op that returns 0: the name is the
 * content. AC_ENOTFOUND (no such case), AC_EINVAL (sha256 not 64 lower-case
 * hex digits, not exactly one of path and data, or size != data.n),
 * AC_ELIMIT (inline data over STORE_BLOB_MAX). */
int store_put_evidence(struct store *s, const struct store_evidence *e,
		       struct ac_err *err);

/* store_get_evidence fills *out, with the bytes when they are inline;
 * AC_ENOTFOUND. */
int store_get_evidence(struct store *s, struct ac_str case_id,
		       struct ac_str sha256, struct store_evidence *out,
		       struct ac_err *err);

/* store_list_evidence fills *out with the case's evidence without the
 * bytes (data and path empty), oldest first, at most limit (more: there
 * are others); none for a case that does not exist. */
int store_list_evidence(struct store *s, struct ac_str case_id, int limit,
			struct store_evidence_page *out, struct ac_err *err);

/* ---- the audit log ---------------------------------------------------- */

/* store_append_audit appends an event; *id (may be NULL) is its id. The
 * audit table refuses every UPDATE and DELETE (triggers), whoever asks.
 * AC_EINVAL when a JSON text is not JSON or actor/action/entity is empty. */
int store_append_audit(struct store *s, const struct store_audit *a,
		       int64_t *id, struct ac_err *err);

/* store_list_audit: events passing the filter, oldest first. */
int store_list_audit(struct store *s, const struct store_audit_filter *f,
		     struct store_audit_page *out, struct ac_err *err);

/* ---- API tokens ------------------------------------------------------- */

/* store_put_token stores a token's name and hash; *id (may be NULL) is its
 * id. AC_ECONFLICT when the hash is already stored; AC_EINVAL when the hash
 * is not 32..128 lower-case hex digits or the name is empty. */
int store_put_token(struct store *s, struct ac_str name, struct ac_str hash,
		    int64_t created_at, int64_t *id, struct ac_err *err);

/* store_find_token fills *out with the live token whose hash this is;
 * AC_ENOTFOUND when there is none or it was revoked. */
int store_find_token(struct store *s, struct ac_str hash,
		     struct store_token *out, struct ac_err *err);

/* store_revoke_token marks the token revoked at `at`. AC_ENOTFOUND when
 * there is no such token, AC_ESTATE when it is already revoked. */
int store_revoke_token(struct store *s, int64_t id, int64_t at,
		       struct ac_err *err);

/* store_revoke_tokens_named marks every live token of that name revoked
 * at `at`; *count is how many. AC_ENOTFOUND when there is none. */
int store_revoke_tokens_named(struct store *s, struct ac_str name, int64_t at,
			      int *count, struct ac_err *err);

/* ---- staff accounts, sessions, look-ups, messages (0004) ------------- */

/* store_put_staff_user adds an account (failed_in_a_row and the lock as
 * given). AC_ECONFLICT (field "user.name") when the name is taken;
 * AC_EINVAL naming the field for a bad name, role or hash. */
int store_put_staff_user(struct store *s, const struct store_staff_user *u,
			 struct ac_err *err);

/* store_get_staff_user fills *out; AC_ENOTFOUND (field "user.name"). */
int store_get_staff_user(struct store *s, struct ac_str name,
			 struct store_staff_user *out, struct ac_err *err);

/* store_list_staff_users: the accounts whose name sorts after after_name
 * ("" : from the first), by name; the rows' strings are in the page's
 * mem. */
int store_list_staff_users(struct store *s, struct ac_str after_name,
			   int limit, struct store_staff_user_page *out,
			   struct ac_err *err);

/* store_update_staff_login sets the account's failure count and lock
 * (has_lock false: none). AC_ENOTFOUND when there is no such account. */
int store_update_staff_login(struct store *s, struct ac_str name,
			     int failed_in_a_row, bool has_lock,
			     int64_t locked_until, struct ac_err *err);

/* store_put_session stores a new session. AC_EINVAL naming the field (a
 * hash or csrf not 64 lower-case hex digits, a kind without its user or
 * order, expires_at not after created_at, an offset out of range);
 * AC_ENOTFOUND when the account or order does not exist; AC_ECONFLICT
 * when the hash is stored already. */
int store_put_session(struct store *s, const struct store_session *x,
		      struct ac_err *err);

/* store_get_session fills *out with the session whose token hash this is,
 * ended or expired or not (the caller judges); AC_ENOTFOUND. */
int store_get_session(struct store *s, struct ac_str hash,
		      struct store_session *out, struct ac_err *err);

/* store_end_session marks the session ended at `at`; AC_ENOTFOUND when
 * there is no such session or it is ended already. */
int store_end_session(struct store *s, struct ac_str hash, int64_t at,
		      struct ac_err *err);

/* store_purge_sessions deletes the sessions that expired before `before`
 * (index sessions_expires: costs what it deletes); *count (may be NULL)
 * is how many. */
int store_purge_sessions(struct store *s, int64_t before, int *count,
			 struct ac_err *err);

/* store_get_lookup_failures fills *out for the key; a key with no
 * failures gives count 0 (not an error). */
int store_get_lookup_failures(struct store *s, struct ac_str key,
			      struct store_lookup_failure *out,
			      struct ac_err *err);

/* store_add_lookup_failure counts one failure under the key at `at`, in
 * one statement: a key with no window, or whose window opened window_us
 * or more before `at`, opens a new one at `at` with count 1; otherwise
 * its count goes up by one. *out (may be NULL) is the key's window after.
 * AC_EINVAL (field "lookup.key") for a key of 0 or more than 255 bytes. */
int store_add_lookup_failure(struct store *s, struct ac_str key, int64_t at,
			     int64_t window_us,
			     struct store_lookup_failure *out,
			     struct ac_err *err);

/* store_purge_lookup_failures deletes the windows opened before
 * `before`; *count (may be NULL) is how many. */
int store_purge_lookup_failures(struct store *s, int64_t before, int *count,
				struct ac_err *err);

/* store_add_message appends a message to a case; *id (may be NULL) is its
 * id. AC_ENOTFOUND (field "message.case_id") when there is no such case;
 * AC_EINVAL naming the field for a sender not "customer" or "staff", an
 * empty author, or a body not 1 to 8192 bytes. Messages are never
 * changed or removed. */
int store_add_message(struct store *s, const struct store_message *m,
		      int64_t *id, struct ac_err *err);

/* store_list_messages: the case's messages with id > after_id, oldest
 * first. */
int store_list_messages(struct store *s, struct ac_str case_id,
			int64_t after_id, int limit,
			struct store_message_page *out, struct ac_err *err);

/* ---- whole-table copy (aftercare migrate) ---------------------------- */

/* A value of a copied row: its kind and, for INT, i; for TEXT and BLOB,
 * n bytes at p (owned by the backend, valid during the callback). */
enum store_vkind { SV_NULL, SV_INT, SV_TEXT, SV_BLOB };
struct store_value {
	enum store_vkind kind;
	int64_t i;
	const char *p;
	size_t n;
};

#define STORE_TABLE_COLS 24

/* A table of a shop's history: its columns (the same on every backend,
 * generated ones left out) and the key it is read in order of. */
struct store_table {
	const char *name;
	const char *cols[STORE_TABLE_COLS];
	int ncols;
	const char *order;            /* "id", "order_id, line" */
	bool identity;                /* an integer id a sequence follows */
};

/* store_tables: the tables a copy of a shop moves, parents first
 * (sessions and look-up windows are left out); *n is how many. */
const struct store_table *store_tables(int *n);

/* store_count_rows: *n is the number of rows in table t. */
int store_count_rows(struct store *s, const struct store_table *t,
		     int64_t *n, struct ac_err *err);

/* store_read_rows calls row(arg, values) for every row of t in key order,
 * in one snapshot; a non-zero return of row stops and is returned. */
int store_read_rows(struct store *s, const struct store_table *t,
		    int (*row)(void *arg, const struct store_value *v),
		    void *arg, struct ac_err *err);

/* store_insert_row inserts one row of t as it is, ids included (in the
 * caller's transaction). AC_ECONFLICT/AC_EINVAL as the database says. */
int store_insert_row(struct store *s, const struct store_table *t,
		     const struct store_value *v, struct ac_err *err);

/* store_copy_done: after the rows of t are in, the next id the database
 * gives follows the largest copied (PostgreSQL's identity sequences). */
int store_copy_done(struct store *s, const struct store_table *t,
		    struct ac_err *err);

/* ---- replay (issue 9) ------------------------------------------------ */

/* Which cases store_read_replay reads: all when zeroed. */
struct store_replay_filter {
	bool has_since;               /* opened_at >= since */
	int64_t since;
	bool has_claim_type;
	enum claim_type claim_type;
	unsigned status_mask;         /* CASE_STATUS_BIT()s; 0: any */
};

/* A case with its current decision, as replay reads it. The strings are
 * the backend's, valid during the callback. */
struct store_replay_row {
	struct ac_str case_id;
	enum case_status status;
	enum claim_type claim_type;
	int64_t opened_at;
	bool overridden;              /* the case carries a staff override */
	int64_t decision_id, decided_at;
	struct ac_str policy, decision_json, facts_json;
};

/* store_count_replay: *n is the number of decided cases f lets through. */
int store_count_replay(struct store *s, const struct store_replay_filter *f,
		       int64_t *n, struct ac_err *err);

/* store_read_replay calls row(arg, r) for every decided case f lets
 * through, in case id order (bytewise), in one snapshot, streaming (the
 * rows are not held); a non-zero return of row stops and is returned.
 * A case with no decision yet is left out. */
int store_read_replay(struct store *s, const struct store_replay_filter *f,
		      int (*row)(void *arg, const struct store_replay_row *r),
		      void *arg, struct ac_err *err);

/* ---- policy versions (0006, issue 9) --------------------------------- */

/* A policy version: its text byte for byte, named by its hash ("sha256:"
 * and 64 lower-case hex digits, computed by the caller from the text);
 * activated: it has been active (activated_at, activated_by: the latest
 * time); active: it is the one active now (at most one is). body is
 * filled by store_get_policy only (a list leaves it empty). */
struct store_policy {
	struct ac_str hash, body, activated_by;
	int64_t created_at;
	bool activated, active;
	int64_t activated_at;
	struct buf mem;
};

#define STORE_POLICY_HASH_MAX 72        /* "sha256:" + 64 hex + NUL */

struct store_policy_page {
	int n;
	struct store_policy rows[STORE_PAGE_MAX];   /* strings in mem */
	bool more;
	struct buf mem;
};

void store_policy_release(struct store_policy *p);
void store_policy_page_release(struct store_policy_page *p);

/* store_put_policy keeps a policy's text under its hash, not active;
 * putting a hash already kept does nothing (the text is the hash's).
 * AC_EINVAL naming "policy.hash" or "policy.body" (1 byte to 1 MiB). */
int store_put_policy(struct store *s, struct ac_str hash, struct ac_str body,
		     int64_t created_at, struct ac_err *err);

/* store_get_policy fills *out with the version, its text included;
 * AC_ENOTFOUND (field "policy.hash") when it is not kept. */
int store_get_policy(struct store *s, struct ac_str hash,
		     struct store_policy *out, struct ac_err *err);

/* store_active_policy writes the active version's hash (NUL-terminated)
 * to hash_out: one key look-up. AC_ENOTFOUND when none is active. */
int store_active_policy(struct store *s,
			char hash_out[STORE_POLICY_HASH_MAX],
			struct ac_err *err);

/* store_activate_policy makes the kept version active (and the one
 * before it not), stamping at and by; atomic. AC_ENOTFOUND (field
 * "policy.hash") when the version is not kept. */
int store_activate_policy(struct store *s, struct ac_str hash, int64_t at,
			  struct ac_str by, struct ac_err *err);

/* store_list_policies: the kept versions without their text, the latest
 * created first (then by hash), at most limit (more: there are others). */
int store_list_policies(struct store *s, int limit,
			struct store_policy_page *out, struct ac_err *err);

/* ---- webhooks (0009, issue 10.3) ---------------------------------- */

/* An integration: kind "aftership", "easypost" or "stripe" and a name
 * (1-64 bytes of a-z 0-9 . _ -). The secret is stored as given (an HMAC
 * is checked with the secret itself, so it cannot be kept hashed); a
 * list leaves it empty. */
struct store_hook {
	struct ac_str kind, name, secret;
	int64_t created_at;
	struct buf mem;
};

struct store_hook_page {
	int n;
	bool more;
	struct store_hook rows[STORE_PAGE_MAX];
	struct buf mem;
};

/* One delivered event, kept by (kind, name, event_id): status is
 * "applied", "stale", "unmatched" or "ignored"; order_id empty: none. */
struct store_hook_event {
	struct ac_str kind, name, event_id, status;
	struct ac_str carrier, tracking_code, tracking_kind, order_id, detail;
	int64_t received_at, at;
};

void store_hook_release(struct store_hook *h);
void store_hook_page_release(struct store_hook_page *p);

/* store_put_hook stores an integration; AC_ECONFLICT when (kind, name)
 * exists, AC_EINVAL for a bad kind, name or secret (16-256 bytes). */
int store_put_hook(struct store *s, struct ac_str kind, struct ac_str name,
		   struct ac_str secret, int64_t created_at,
		   struct ac_err *err);
/* store_get_hook fills *out (secret included); AC_ENOTFOUND. */
int store_get_hook(struct store *s, struct ac_str kind, struct ac_str name,
		   struct store_hook *out, struct ac_err *err);
/* store_list_hooks: every integration (secrets left empty), by kind
 * then name, at most STORE_PAGE_MAX (more: there are others). */
int store_list_hooks(struct store *s, struct store_hook_page *out,
		     struct ac_err *err);
/* store_put_hook_event records an event; AC_ECONFLICT when its id was
 * seen before by that integration (a duplicate delivery). */
int store_put_hook_event(struct store *s, const struct store_hook_event *e,
			 struct ac_err *err);
/* store_put_parcel names the order a carrier's tracking code belongs to;
 * AC_ECONFLICT when the code is already some order's (the caller tells
 * whether it is the same one with store_find_parcel). */
int store_put_parcel(struct store *s, struct ac_str carrier,
		     struct ac_str tracking_code, struct ac_str order_id,
		     int64_t created_at, struct ac_err *err);
/* store_find_parcel copies the parcel's order id into order_out;
 * AC_ENOTFOUND when no order has it. */
int store_find_parcel(struct store *s, struct ac_str carrier,
		      struct ac_str tracking_code,
		      char order_out[STORE_ID_MAX], struct ac_err *err);

struct store_hook_event_page {
	int n;
	bool more;
	struct store_hook_event rows[STORE_PAGE_MAX];
	struct buf mem;
};

void store_hook_event_page_release(struct store_hook_event_page *p);

/* store_list_unmatched: the events kept "unmatched" for that carrier and
 * tracking code, oldest first by their own time (at most
 * STORE_PAGE_MAX; more: there are others). */
int store_list_unmatched(struct store *s, struct ac_str carrier,
			 struct ac_str tracking_code,
			 struct store_hook_event_page *out,
			 struct ac_err *err);
/* store_list_hook_events: the events of that status, the latest received
 * first (at most limit, 1..STORE_PAGE_MAX; more: there are others). */
int store_list_hook_events(struct store *s, struct ac_str status, int limit,
			   struct store_hook_event_page *out,
			   struct ac_err *err);
/* store_match_hook_event gives an unmatched event its order and status;
 * AC_ENOTFOUND when it is not unmatched (any more). */
int store_match_hook_event(struct store *s, struct ac_str kind,
			   struct ac_str name, struct ac_str event_id,
			   struct ac_str status, struct ac_str order_id,
			   struct ac_err *err);

/* ---- the outbox (0008, issue 10) ------------------------------------- */

/* What must leave the process, written in the transaction of the change
 * that causes it and sent by workers (src/desk/outbox.h). A row is
 * pending until next_at, then claimed (sending, leased until next_at:
 * a lease run out is claimed again), then sent, or pending again later,
 * or dead (given up) or failed (the other side said no for good). */
enum store_outbox_status {
	STORE_OUTBOX_PENDING, STORE_OUTBOX_SENDING, STORE_OUTBOX_SENT,
	STORE_OUTBOX_DEAD, STORE_OUTBOX_FAILED, STORE_OUTBOX_STATUS_COUNT
};

/* store_outbox_status_name: the wire name ("pending", ...; NULL out of
 * range); _parse: 0 and *out, or AC_EINVAL. */
const char *store_outbox_status_name(enum store_outbox_status s);
int store_outbox_status_parse(const char *s, size_t n,
			      enum store_outbox_status *out);

#define STORE_OUTBOX_KIND_MAX 32        /* bytes of [a-z0-9_] */
#define STORE_OUTBOX_KEY_MAX 255        /* dedupe and ref, bytes */
#define STORE_OUTBOX_PAYLOAD_MAX (64u << 10)
#define STORE_OUTBOX_ERROR_MAX 1024     /* last_error, cut to it */

/* A row. put: kind, case_id (n == 0: none), ref (n == 0: none), dedupe,
 * payload_json, next_at, created_at; the rest is the store's. */
struct store_outbox {
	int64_t id;
	struct ac_str kind, case_id, ref, dedupe, payload_json;
	enum store_outbox_status status;
	int attempts;                 /* claims so far */
	int64_t next_at;
	struct ac_str last_error;     /* n == 0: none */
	int64_t created_at;
	bool has_sent;
	int64_t sent_at;
};

struct store_outbox_page {
	int n;
	bool more;                    /* another page follows rows[n - 1] */
	struct store_outbox rows[STORE_PAGE_MAX];
	struct buf mem;
};

/* Which rows store_list_outbox gives, oldest first: one status
 * (has_status) or one case (case_id), ids after after_id. */
struct store_outbox_filter {
	bool has_status;
	enum store_outbox_status status;
	struct ac_str case_id;        /* n == 0: any */
	int64_t after_id;
	int limit;                    /* 1 .. STORE_PAGE_MAX; else the max */
};

/* The outbox's depth: rows waiting (pending and sending) and dead, per
 * kind; at most STORE_OUTBOX_DEPTH_MAX kinds (the first by name). */
#define STORE_OUTBOX_DEPTH_MAX 16
struct store_outbox_depth {
	int n;
	struct {
		char kind[STORE_OUTBOX_KIND_MAX + 1];
		int64_t pending, sending, dead, failed;
	} kinds[STORE_OUTBOX_DEPTH_MAX];
};

/* A case's address that the customer's mail server refused for good. */
struct store_bounce {
	struct ac_str case_id, address, reason;
	int64_t at;
	struct buf mem;
};

void store_outbox_page_release(struct store_outbox_page *p);
void store_bounce_release(struct store_bounce *b);

/* store_outbox_add adds a pending row (in the caller's transaction: the
 * change's). *id (may be NULL) is its id, or 0 when a row with that
 * dedupe key is stored already (then nothing is added: not an error).
 * AC_EINVAL (AC_ELIMIT for a size) naming "outbox.kind" (1..32 bytes of
 * a-z 0-9 _),
 * "outbox.dedupe", "outbox.ref", "outbox.payload_json" (not JSON or over
 * STORE_OUTBOX_PAYLOAD_MAX); AC_ENOTFOUND ("outbox.case_id") when the case
 * does not exist. */
int store_outbox_add(struct store *s, const struct store_outbox *m,
		     int64_t *id, struct ac_err *err);

/* store_outbox_claim takes up to limit rows of `kind` that are due
 * (pending with next_at <= now, or sending with a lease run out), soonest
 * first, and marks them sending, attempts + 1, leased until lease_until,
 * in one statement: two workers (two servers on PostgreSQL: FOR UPDATE
 * SKIP LOCKED) never claim the same row at once. Outside a transaction
 * only. out->rows are the claimed rows as they are now (more unused). */
int store_outbox_claim(struct store *s, struct ac_str kind, int64_t now,
		       int64_t lease_until, int limit,
		       struct store_outbox_page *out, struct ac_err *err);

/* store_outbox_finish ends the claim `attempts` of row id: to SENT
 * (sent_at = at), PENDING (again at next_at), DEAD or FAILED, with error
 * (n == 0: none; cut to STORE_OUTBOX_ERROR_MAX bytes). AC_ESTATE when
 * the row is no longer that claim's (its lease ran out and another worker
 * took it, or staff moved it); AC_ENOTFOUND when there is no such row. */
int store_outbox_finish(struct store *s, int64_t id, int attempts,
			enum store_outbox_status to, int64_t next_at,
			struct ac_str error, int64_t at, struct ac_err *err);

/* store_outbox_retry makes a dead or failed row pending again at `at`,
 * its attempts counted from 0 (its last_error kept until the next).
 * AC_ENOTFOUND (field "outbox.id"); AC_ESTATE when it is not dead or
 * failed. */
int store_outbox_retry(struct store *s, int64_t id, int64_t at,
		       struct ac_err *err);

/* store_get_outbox fills out->rows[0] (n = 1) with the row;
 * AC_ENOTFOUND (field "outbox.id"). */
int store_get_outbox(struct store *s, int64_t id,
		     struct store_outbox_page *out, struct ac_err *err);

/* store_list_outbox: a page of rows by status or by case (see the
 * filter); AC_EINVAL ("outbox.filter") with neither. */
int store_list_outbox(struct store *s, const struct store_outbox_filter *f,
		      struct store_outbox_page *out, struct ac_err *err);

/* store_outbox_depth fills *out (one statement over the rows not sent). */
int store_outbox_depth(struct store *s, struct store_outbox_depth *out,
		       struct ac_err *err);

/* store_put_bounce records (or replaces) the case's refused address.
 * AC_ENOTFOUND ("bounce.case_id"); AC_EINVAL naming the field. */
int store_put_bounce(struct store *s, const struct store_bounce *b,
		     struct ac_err *err);

/* store_get_bounce fills *out; AC_ENOTFOUND when the case has none. */
int store_get_bounce(struct store *s, struct ac_str case_id,
		     struct store_bounce *out, struct ac_err *err);

/* ---- reports (issue 9.3, 0007_reports.sql) ---------------------------- */

/* The groups the report summaries keep, per ISO week of opening (cases)
 * or of payment (refunds) and per currency: every case ('week'), by claim
 * type, by current deciding clause ("" when none), by how it was decided
 * ('staff': "auto", "staff" or "undecided"), by the material and by the
 * kind of the items its claim names (a case counts under each distinct
 * one). Kept by triggers in the transaction of every write. */
enum store_report_dim {
	STORE_REPORT_WEEK, STORE_REPORT_TYPE, STORE_REPORT_CLAUSE,
	STORE_REPORT_STAFF, STORE_REPORT_MATERIAL, STORE_REPORT_KIND,
	STORE_REPORT_DIM_COUNT
};

/* The durations' buckets: bucket b < STORE_REPORT_BUCKETS - 1 holds
 * durations up to store_report_bucket_s[b] seconds (and above the bound
 * before it); the last holds the longer ones. */
#define STORE_REPORT_BUCKETS 14
extern const int64_t store_report_bucket_s[STORE_REPORT_BUCKETS - 1];

#define STORE_REPORT_KEY_MAX 256

/* One row of sums: a week's (STORE_REPORT_WEEK: key "") or a group's
 * over the weeks asked for (week 0), in one currency. */
struct store_report_row {
	int64_t week;                 /* Monday 00:00 UTC, microseconds */
	char key[STORE_REPORT_KEY_MAX];
	char currency[4];
	int64_t cases;                /* opened in the weeks */
	int64_t refunds;              /* refund entries paid in the weeks */
	int64_t refunded_minor;       /* their sum, minor units */
};

/* store_report_week: the Monday 00:00 UTC of at's ISO week (µs). */
int64_t store_report_week(int64_t at);
/* store_report_day: the 00:00 UTC of at's day (µs). */
int64_t store_report_day(int64_t at);

/* store_report_sums fills rows[0 .. *n) with dim's sums over the weeks
 * from_week .. to_week (Mondays, both included): for STORE_REPORT_WEEK
 * one row per week and currency, oldest first; otherwise one per key and
 * currency, by key. Rows that are all 0 are left out. AC_ELIMIT
 * ("report.rows") when there would be more than cap; AC_EINVAL for a dim
 * out of range. */
int store_report_sums(struct store *s, enum store_report_dim dim,
		      int64_t from_week, int64_t to_week,
		      struct store_report_row *rows, int cap, int *n,
		      struct ac_err *err);

enum store_report_wait { STORE_WAIT_DECISION, STORE_WAIT_REFUND };

/* store_report_durations adds up, over the weeks of opening from_week ..
 * to_week, how many cases waited how long (counts[b], bucket b) from the
 * claim to their first decision that is not pending, or to their first
 * refund. */
int store_report_durations(struct store *s, enum store_report_wait what,
			   int64_t from_week, int64_t to_week,
			   int64_t counts[STORE_REPORT_BUCKETS],
			   struct ac_err *err);

/* A repeat claimant: an e-mail (as cases.customer folds it) or a delivery
 * address, and its not_received and damaged claims. */
struct store_claimant {
	char key[STORE_REPORT_KEY_MAX];
	int64_t claims, not_received, damaged;
	int64_t last_at;              /* the latest such claim's opened_at */
};

/* store_report_claimants fills rows[0 .. *n) (at most cap) with the
 * e-mails (by_address false) or addresses with at least min_claims such
 * claims, the most first, then by key; *total is how many there are in
 * all. */
int store_report_claimants(struct store *s, bool by_address,
			   int64_t min_claims, struct store_claimant *rows,
			   int cap, int *n, int64_t *total,
			   struct ac_err *err);

/* store_count_due_before: *n is the number of cases due before at
 * (neither resolved nor closed): report_due's days before at's, and at's
 * own day from the due index. */
int store_count_due_before(struct store *s, int64_t at, int64_t *n,
			   struct ac_err *err);

/* ---- payment refunds (0009, issue 10.4) ---------------------------- */

/* A ledger refund as sent to the payment provider: status "pending",
 * "succeeded" or "failed"; provider_id its refund's id ("" until known);
 * reason the provider's words. amount_minor, currency and order_id are
 * the ledger entry's (read only). */
struct store_refund_pay {
	int64_t ledger_id;
	struct ac_str case_id, status, provider_id, reason;
	int64_t outbox_id;              /* its outbox row */
	int64_t created_at, updated_at;
	int64_t amount_minor;
	struct ac_str currency, order_id;
	struct buf mem;
};

struct store_refund_pay_page {
	int n;
	bool more;
	struct store_refund_pay rows[STORE_PAGE_MAX];
	struct buf mem;
};

void store_refund_pay_release(struct store_refund_pay *r);
void store_refund_pay_page_release(struct store_refund_pay_page *p);

/* store_put_payment_intent records (or replaces) the provider's payment
 * an order was paid with (1-255 bytes). */
int store_put_payment_intent(struct store *s, struct ac_str order_id,
			     struct ac_str intent, int64_t at,
			     struct ac_err *err);
/* store_get_payment_intent copies it into out (256 bytes); AC_ENOTFOUND
 * when the order has none. */
int store_get_payment_intent(struct store *s, struct ac_str order_id,
			     char out[256], struct ac_err *err);
/* store_put_refund_pay records the ledger refund as pending, sent by
 * outbox row outbox_id; AC_ECONFLICT when it is there already. */
int store_put_refund_pay(struct store *s, int64_t ledger_id,
			 struct ac_str case_id, int64_t outbox_id,
			 int64_t at, struct ac_err *err);
/* store_get_refund_pay fills *out; AC_ENOTFOUND. */
int store_get_refund_pay(struct store *s, int64_t ledger_id,
			 struct store_refund_pay *out, struct ac_err *err);
/* store_set_refund_pay sets status (and provider_id unless empty,
 * outbox_id unless 0, and reason) while the refund is pending, or
 * whatever it is when force;
 * *changed (may be NULL): 1 when it did, 0 when the refund had already
 * ended (an answer arriving late changes nothing). */
int store_set_refund_pay(struct store *s, int64_t ledger_id,
			 struct ac_str status, struct ac_str provider_id,
			 struct ac_str reason, int64_t outbox_id, int64_t at,
			 bool force, int *changed, struct ac_err *err);
/* store_list_refund_pays: the case's refunds sent to the provider, in
 * ledger order (at most STORE_PAGE_MAX; more: there are others). */
int store_list_refund_pays(struct store *s, struct ac_str case_id,
			   struct store_refund_pay_page *out,
			   struct ac_err *err);

/* ---- backends --------------------------------------------------------- */

/* A backend, in the manner of sqlite3_vfs: a version, a name and one
 * x-method per operation above, each taking the backend's own handle.
 * store.c checks arguments that do not depend on the backend before it
 * calls a method, and clears err. Callers use the store_* functions, never
 * the methods. A version 1 backend fills every method. */
struct store_ops {
	int version;                  /* 1 */
	const char *name;             /* "sqlite" */

	int (*xOpen)(const char *dsn, void **impl, struct ac_err *err);
	void (*xClose)(void *impl);
	int (*xSchemaVersion)(void *impl, int *version, struct ac_err *err);
	int (*xHealth)(void *impl, struct ac_err *err);
	int (*xBegin)(void *impl, struct ac_err *err);
	int (*xBeginRead)(void *impl, struct ac_err *err);
	int (*xCommit)(void *impl, struct ac_err *err);
	int (*xRollback)(void *impl, struct ac_err *err);
	bool (*xInTransaction)(void *impl);
	void (*xTestFailAfter)(void *impl, int n);
	void (*xTestBreakCommit)(void *impl, bool kept); /* may be NULL */
	int (*xSavepoint)(void *impl, enum store_sp what, struct ac_err *err);

	int (*xPutOrder)(void *impl, const struct store_order *o,
			 struct ac_err *err);
	int (*xGetOrder)(void *impl, struct ac_str id, struct store_order *out,
			 struct ac_err *err);
	int (*xPutShipment)(void *impl, struct ac_str order_id,
			    const struct shipment *sh, int64_t updated_at,
			    struct ac_err *err);
	int (*xAddTrackingEvent)(void *impl,
				 const struct store_tracking_event *ev,
				 int64_t *id, struct ac_err *err);
	int (*xListTrackingEvents)(void *impl, struct ac_str order_id,
				   int64_t after_id, int limit,
				   struct store_tracking_page *out,
				   struct ac_err *err);

	int (*xPutCase)(void *impl, const struct store_case *c,
			char id_out[STORE_ID_MAX], struct ac_err *err);
	int (*xGetCase)(void *impl, struct ac_str id, struct store_case *out,
			struct ac_err *err);
	int (*xGetCaseView)(void *impl, struct ac_str id,
			    struct store_case_view *out, struct ac_err *err);
	int (*xUpdateCaseStatus)(void *impl, struct ac_str id,
				 enum case_status status, int64_t updated_at,
				 struct ac_err *err);
	int (*xUpdateCaseOverride)(void *impl, struct ac_str id,
				   struct ac_str verdict, struct ac_str reason,
				   struct ac_str author, int64_t at,
				   struct ac_err *err);
	int (*xUpdateCaseApproval)(void *impl, struct ac_str id,
				   struct ac_str approved_by, int64_t at,
				   struct ac_err *err);
	int (*xListCases)(void *impl, const struct store_case_filter *f,
			  struct store_case_page *out, struct ac_err *err);
	int (*xListDue)(void *impl, const struct store_due_filter *f,
			struct store_case_page *out, struct ac_err *err);
	int (*xSaveDecision)(void *impl, const struct store_decision *d,
			     int64_t *id, struct ac_err *err);
	int (*xGetCurrentDecision)(void *impl, struct ac_str case_id,
				   struct store_decision *out,
				   struct ac_err *err);

	int (*xAddLedger)(void *impl, const struct store_ledger_entry *e,
			  int64_t *id, struct ac_err *err);
	int (*xSumLedgerCase)(void *impl, struct ac_str case_id,
			      struct store_ledger_sum *out,
			      struct ac_err *err);
	int (*xSumLedgerOrder)(void *impl, struct ac_str order_id,
			       struct store_ledger_sum *out,
			       struct ac_err *err);

	int (*xGetIdempotency)(void *impl, struct ac_str scope,
			       struct ac_str key, struct store_idem *out,
			       struct ac_err *err);
	int (*xPutIdempotency)(void *impl, const struct store_idem *in,
			       struct ac_err *err);

	int (*xPutQuote)(void *impl, const struct store_quote *q, int64_t *id,
			 struct ac_err *err);
	int (*xUpdateQuote)(void *impl, int64_t id, enum quote_status status,
			    int64_t updated_at, struct ac_err *err);
	int (*xGetQuote)(void *impl, int64_t id, struct store_quote *out,
			 struct ac_err *err);
	int (*xGetCaseQuote)(void *impl, struct ac_str case_id,
			     struct store_quote *out, struct ac_err *err);

	int (*xAddNote)(void *impl, const struct store_note *n, int64_t *id,
			struct ac_err *err);
	int (*xListNotes)(void *impl, struct ac_str case_id, int64_t after_id,
			  int limit, struct store_note_page *out,
			  struct ac_err *err);
	int (*xPutEvidence)(void *impl, const struct store_evidence *e,
			    struct ac_err *err);
	int (*xGetEvidence)(void *impl, struct ac_str case_id,
			    struct ac_str sha256, struct store_evidence *out,
			    struct ac_err *err);
	int (*xListEvidence)(void *impl, struct ac_str case_id, int limit,
			     struct store_evidence_page *out,
			     struct ac_err *err);
	int (*xCaseCounts)(void *impl, int64_t counts[CASE_STATUS_COUNT],
			   struct ac_err *err);

	int (*xAppendAudit)(void *impl, const struct store_audit *a,
			    int64_t *id, struct ac_err *err);
	int (*xListAudit)(void *impl, const struct store_audit_filter *f,
			  struct store_audit_page *out, struct ac_err *err);

	int (*xPutToken)(void *impl, struct ac_str name, struct ac_str hash,
			 int64_t created_at, int64_t *id, struct ac_err *err);
	int (*xFindToken)(void *impl, struct ac_str hash,
			  struct store_token *out, struct ac_err *err);
	int (*xRevokeTokensNamed)(void *impl, struct ac_str name, int64_t at,
				  int *count, struct ac_err *err);
	int (*xRevokeToken)(void *impl, int64_t id, int64_t at,
			    struct ac_err *err);

	int (*xPutStaffUser)(void *impl, const struct store_staff_user *u,
			     struct ac_err *err);
	int (*xGetStaffUser)(void *impl, struct ac_str name,
			     struct store_staff_user *out, struct ac_err *err);
	int (*xListStaffUsers)(void *impl, struct ac_str after_name, int limit,
			       struct store_staff_user_page *out,
			       struct ac_err *err);
	int (*xUpdateStaffLogin)(void *impl, struct ac_str name,
				 int failed_in_a_row, bool has_lock,
				 int64_t locked_until, struct ac_err *err);
	int (*xPutSession)(void *impl, const struct store_session *x,
			   struct ac_err *err);
	int (*xGetSession)(void *impl, struct ac_str hash,
			   struct store_session *out, struct ac_err *err);
	int (*xEndSession)(void *impl, struct ac_str hash, int64_t at,
			   struct ac_err *err);
	int (*xPurgeSessions)(void *impl, int64_t before, int *count,
			      struct ac_err *err);
	int (*xGetLookupFailures)(void *impl, struct ac_str key,
				  struct store_lookup_failure *out,
				  struct ac_err *err);
	int (*xAddLookupFailure)(void *impl, struct ac_str key, int64_t at,
				 int64_t window_us,
				 struct store_lookup_failure *out,
				 struct ac_err *err);
	int (*xPurgeLookupFailures)(void *impl, int64_t before, int *count,
				    struct ac_err *err);
	int (*xAddMessage)(void *impl, const struct store_message *m,
			   int64_t *id, struct ac_err *err);
	int (*xListMessages)(void *impl, struct ac_str case_id,
			     int64_t after_id, int limit,
			     struct store_message_page *out,
			     struct ac_err *err);
	int (*xCountRows)(void *impl, const struct store_table *t,
			  int64_t *n, struct ac_err *err);
	int (*xReadRows)(void *impl, const struct store_table *t,
			 int (*row)(void *arg, const struct store_value *v),
			 void *arg, struct ac_err *err);
	int (*xInsertRow)(void *impl, const struct store_table *t,
			  const struct store_value *v, struct ac_err *err);
	int (*xCopyDone)(void *impl, const struct store_table *t,
			 struct ac_err *err);
	/* replay (issue 9) */
	int (*xCountReplay)(void *impl, const struct store_replay_filter *f,
			    int64_t *n, struct ac_err *err);
	int (*xReadReplay)(void *impl, const struct store_replay_filter *f,
			   int (*row)(void *arg,
				      const struct store_replay_row *r),
			   void *arg, struct ac_err *err);
	/* policy versions (0006, issue 9) */
	int (*xPutPolicy)(void *impl, struct ac_str hash, struct ac_str body,
			  int64_t created_at, struct ac_err *err);
	int (*xGetPolicy)(void *impl, struct ac_str hash,
			  struct store_policy *out, struct ac_err *err);
	int (*xActivePolicy)(void *impl, char hash_out[STORE_POLICY_HASH_MAX],
			     struct ac_err *err);
	int (*xActivatePolicy)(void *impl, struct ac_str hash, int64_t at,
			       struct ac_str by, struct ac_err *err);
	int (*xListPolicies)(void *impl, int limit,
			     struct store_policy_page *out,
			     struct ac_err *err);
	/* webhooks (0009, issue 10.3) */
	int (*xPutHook)(void *impl, struct ac_str kind, struct ac_str name,
			struct ac_str secret, int64_t created_at,
			struct ac_err *err);
	int (*xGetHook)(void *impl, struct ac_str kind, struct ac_str name,
			struct store_hook *out, struct ac_err *err);
	int (*xListHooks)(void *impl, struct store_hook_page *out,
			  struct ac_err *err);
	int (*xPutHookEvent)(void *impl, const struct store_hook_event *e,
			     struct ac_err *err);
	int (*xPutParcel)(void *impl, struct ac_str carrier,
			  struct ac_str tracking_code, struct ac_str order_id,
			  int64_t created_at, struct ac_err *err);
	int (*xFindParcel)(void *impl, struct ac_str carrier,
			   struct ac_str tracking_code,
			   char order_out[STORE_ID_MAX], struct ac_err *err);
	int (*xListUnmatched)(void *impl, struct ac_str carrier,
			      struct ac_str tracking_code,
			      struct store_hook_event_page *out,
			      struct ac_err *err);
	int (*xListHookEvents)(void *impl, struct ac_str status, int limit,
			       struct store_hook_event_page *out,
			       struct ac_err *err);
	int (*xMatchHookEvent)(void *impl, struct ac_str kind,
			       struct ac_str name, struct ac_str event_id,
			       struct ac_str status, struct ac_str order_id,
			       struct ac_err *err);
	/* the outbox (0008, issue 10) */
	int (*xOutboxAdd)(void *impl, const struct store_outbox *m,
			  int64_t *id, struct ac_err *err);
	int (*xOutboxClaim)(void *impl, struct ac_str kind, int64_t now,
			    int64_t lease_until, int limit,
			    struct store_outbox_page *out, struct ac_err *err);
	int (*xOutboxFinish)(void *impl, int64_t id, int attempts,
			     enum store_outbox_status to, int64_t next_at,
			     struct ac_str error, int64_t at,
			     struct ac_err *err);
	int (*xOutboxRetry)(void *impl, int64_t id, int64_t at,
			    struct ac_err *err);
	int (*xGetOutbox)(void *impl, int64_t id,
			  struct store_outbox_page *out, struct ac_err *err);
	int (*xListOutbox)(void *impl, const struct store_outbox_filter *f,
			   struct store_outbox_page *out, struct ac_err *err);
	int (*xOutboxDepth)(void *impl, struct store_outbox_depth *out,
			    struct ac_err *err);
	int (*xPutBounce)(void *impl, const struct store_bounce *b,
			  struct ac_err *err);
	int (*xGetBounce)(void *impl, struct ac_str case_id,
			  struct store_bounce *out, struct ac_err *err);
	/* reports (0007, issue 9.3) */
	int (*xReportSums)(void *impl, enum store_report_dim dim,
			   int64_t from_week, int64_t to_week,
			   struct store_report_row *rows, int cap, int *n,
			   struct ac_err *err);
	int (*xReportDurations)(void *impl, enum store_report_wait what,
				int64_t from_week, int64_t to_week,
				int64_t counts[STORE_REPORT_BUCKETS],
				struct ac_err *err);
	int (*xReportClaimants)(void *impl, bool by_address,
				int64_t min_claims,
				struct store_claimant *rows, int cap, int *n,
				int64_t *total, struct ac_err *err);
	int (*xCountDueBefore)(void *impl, int64_t at, int64_t *n,
			       struct ac_err *err);
	/* payment refunds (0009, issue 10.4) */
	int (*xPutPaymentIntent)(void *impl, struct ac_str order_id,
				 struct ac_str intent, int64_t at,
				 struct ac_err *err);
	int (*xGetPaymentIntent)(void *impl, struct ac_str order_id,
				 char out[256], struct ac_err *err);
	int (*xPutRefundPay)(void *impl, int64_t ledger_id,
			     struct ac_str case_id, int64_t outbox_id,
			     int64_t at, struct ac_err *err);
	int (*xGetRefundPay)(void *impl, int64_t ledger_id,
			     struct store_refund_pay *out, struct ac_err *err);
	int (*xSetRefundPay)(void *impl, int64_t ledger_id,
			     struct ac_str status, struct ac_str provider_id,
			     struct ac_str reason, int64_t outbox_id,
			     int64_t at, bool force, int *changed,
			     struct ac_err *err);
	int (*xListRefundPays)(void *impl, struct ac_str case_id,
			       struct store_refund_pay_page *out,
			       struct ac_err *err);
};

/* The SQLite backend (sqlite.c). */
extern const struct store_ops store_sqlite_ops;

/* The PostgreSQL backend (postgres.c, libpq). */
extern const struct store_ops store_postgres_ops;

/* store_sqlite_list_sql writes (n bytes at most) the SQL of the i-th
 * statement that lists (the case list for each combination of filters, the
 * due list, the audit lists, the staff accounts, a case's messages) or
 * purges (expired sessions, run-out look-up windows), for tests to ask
 * SQLite for its plan: 0, or AC_EINVAL for a number that is no statement,
 * AC_ENOTFOUND past the last (so i = 0, 1, .. until AC_ENOTFOUND). */
int store_sqlite_list_sql(int i, char *out, size_t n);

#endif
