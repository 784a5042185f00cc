/* support.h: the desk suite's fixture and its only door to the desk
 * (tests/desk). Every test runs on a real SQLite file in a fresh temporary
 * directory, with a fake clock (t_now) the test moves by hand. The tests
 * call the desk only through the t_* wrappers below, which speak in
 * behaviour (statuses, verdicts, amounts, error codes, counts), never in
 * the desk's request and answer formats: when the desk's signatures
 * change, only support.c changes.
 * Ownership: every argument is borrowed; the t_* records are the caller's.
 * Failure: a wrapper returns the desk's code (0 or AC_E*) and leaves the
 * error in t_err; the t_must_* helpers and setup fail the test instead. */
#ifndef AC_TESTS_DESK_SUPPORT_H
#define AC_TESTS_DESK_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../src/core/decide.h"
#include "../../src/core/err.h"
#include "../../src/core/workflow.h"

#define T_US INT64_C(1)
#define T_SEC INT64_C(1000000)
#define T_HOUR (3600 * T_SEC)
#define T_DAY (24 * T_HOUR)
/* where the fake clock starts: 2026-05-04T08:00:00Z */
#define T0 INT64_C(1777881600000000)

/* The one ring every order has: 52000 USD plus 1500 shipping. */
#define T_PRICE 52000
#define T_SHIPPING 1500
#define T_PAID (T_PRICE + T_SHIPPING)

extern int64_t t_now;            /* the fake clock, in microseconds */
extern struct store *t_store;    /* the store under the desk */
extern struct ac_err t_err;      /* the last wrapper's error */

void t_setup(void);
void t_teardown(void);

/* ---- orders ----------------------------------------------------------- */

struct t_order {
	const char *id;
	int64_t placed_at;
	bool shipped;
	int64_t shipped_at;
	int64_t delivered_at;        /* 0: not delivered */
	const char *finding;         /* courier finding; NULL: "none" */
	const char *customs;         /* NULL: "none" */
	int64_t paid_minor;          /* 0: what the order costs */
	const char *email;           /* NULL: "ana@example.com" */
};

int t_order_create(const struct t_order *o);
/* Orders made for the tests, asserted created (ids are the caller's):
 * placed 2 hours before now, not shipped (a cancel gets 53500 back); */
void t_order_new(const char *id);
/* shipped and delivered at `delivered_at` (a wrong item within 48 hours
 * of it gets 52000 back, a scratch 10400); */
void t_order_delivered(const char *id, int64_t delivered_at);
/* the same with what was paid given (less than the order's total); */
void t_order_delivered_paid(const char *id, int64_t delivered_at,
			    int64_t paid_minor);
/* shipped 10 days ago, not delivered, the courier investigating (a
 * not_received claim is pending). */
void t_order_investigating(const char *id);

/* ---- claims (the case's claim, as the contract spells it) ------------- */

#define CLAIM_WRONG_ITEM "{\"type\": \"wrong_item\", \"lines\": [1], " \
	"\"received\": [{\"line\": 1, \"material\": \"sterling silver\"}]}"
#define CLAIM_SCRATCH "{\"type\": \"damaged\", \"defects\": [\"scratch\"]}"
#define CLAIM_BROKEN "{\"type\": \"damaged\", \"defects\": [\"broken\"]}"
#define CLAIM_UNWANTED "{\"type\": \"unwanted\"}"
#define CLAIM_NOT_RECEIVED "{\"type\": \"not_received\"}"
#define CLAIM_CANCEL "{\"type\": \"cancel\"}"
#define CLAIM_PAID_REPAIR "{\"type\": \"repair\", \"repair\": " \
	"{\"material_cost_rise_minor\": 4500}}"

/* ---- cases ------------------------------------------------------------ */

struct t_case {
	char id[128];
	enum case_status status;
	enum verdict verdict;
	int64_t refund_max_minor;
	int64_t refunded_total_minor;
	int64_t charge_minor;
	bool has_deadline;
	int64_t deadline;
	bool overridden;
	char override_author[128];
	bool approved;
	bool has_quote;
	enum quote_status quote_status;
	char clause[24];             /* the deciding clause's id; "": none */
};

/* t_open opens a case on the order with the claim; opened_at is the
 * clock unless the claim says. out may be NULL. */
int t_open(const char *order_id, const char *claim, struct t_case *out);
/* t_must_open: the same, asserted to succeed. */
void t_must_open(const char *order_id, const char *claim, struct t_case *out);
int t_get(const char *case_id, struct t_case *out);
/* the same, with the desk's own answer (it borrows the desk's memory
 * until the next call) */
struct desk_case;
int t_open_case(const char *order_id, const char *claim,
		struct desk_case *out);
int t_get_case(const char *case_id, struct desk_case *out);
int t_transition(const char *case_id, enum case_status to,
		 const char *reason);
int t_approve(const char *case_id);
/* t_override by actor; refund_max_minor < 0 leaves it out of the
 * request, reason NULL leaves the reason out. */
int t_override(const char *actor, const char *case_id, enum verdict v,
	       int64_t refund_max_minor, const char *reason);

struct t_refund {
	int64_t id;
	int64_t amount_minor;
	int64_t refunded_total_minor;
	bool replayed;
};

/* t_refund asks for a refund of amount on the case with the key, in the
 * scope (whose key it is); out may be NULL. */
int t_refund(const char *scope, const char *case_id, const char *key,
	     int64_t amount, struct t_refund *out);

/* t_refund_parallel runs n refunds at once on the case, each on a desk
 * and store connection of its own (threads), with keys[i] and
 * amounts[i]; rcs[i] and replayed[i] say how each went. n <= 16. */
void t_refund_parallel(int n, const char *scope, const char *case_id,
		       const char *const keys[], const int64_t amounts[],
		       int rcs[], bool replayed[]);

/* t_quote quotes a repair; expires_at 0: the policy's default. */
int t_quote(const char *case_id, int64_t amount, int64_t expires_at);
/* action: "accept", "decline", "repaired", "shipped_back". */
int t_quote_action(const char *case_id, const char *action);

/* t_tracking adds a courier event; *n_redecided (may be NULL) is how many
 * cases it decided again. */
int t_tracking(const char *order_id, const char *kind, int64_t at,
	       int *n_redecided);

/* group commit: the calls between them share one transaction, each all
 * or nothing in a savepoint of its own */
int t_batch_begin(void);
int t_batch_commit(void);

/* t_shipment replaces the order's shipment (to the order's address);
 * delivered_at 0: not delivered; finding and customs NULL: "none". */
int t_shipment(const char *order_id, int64_t shipped_at,
	       int64_t delivered_at, const char *finding, const char *customs,
	       int *n_redecided);

/* ---- staff accounts, sessions, look-ups, messages --------------------- */

/* What a sign-in, a look-up or a session read gave. result: "ok",
 * "wrong" or "locked" (sign-in), "ok", "not_found" or "limited"
 * (look-up); the rest as the desk filled it. */
struct t_session {
	char result[16];
	char token[65], csrf[65];
	char name[65];
	bool manager;
	char order_id[129];
	int tz_offset_min;
	int64_t expires_at, locked_until, retry_after_s;
};

/* role: "agent" or "manager" (anything else is passed on as a bad role) */
int t_user_add(const char *name, const char *role, const char *password);

struct t_check {
	bool known, ok, locked;
	int64_t locked_until;
};

/* t_check_password: the read-only password check */
int t_check_password(const char *name, const char *password,
		     struct t_check *out);
/* t_signin records an attempt whose password check said password_ok */
int t_signin(const char *name, bool password_ok, struct t_session *out);
int t_staff_session(const char *token, struct t_session *out);
int t_session_end(const char *token);
int t_lookup(const char *order_id, const char *email, const char *client,
	     int tz_offset_min, struct t_session *out);
int t_customer_session(const char *token, struct t_session *out);

/* t_user_failures: the account's failed_in_a_row as the list shows it,
 * -1 when it is not listed; *locked (may be NULL) whether it is locked */
int t_user_failures(const char *name, bool *locked);
/* t_lookup_failures: the failures counted under a look-up key
 * ("ip:ADDRESS", "order:ID") in its window, from the store */
int t_lookup_failures(const char *key);
/* t_user_hash copies the stored password hash (from the store) */
void t_user_hash(const char *name, char *out, size_t cap);

/* t_message adds a message (staff: from staff, else from the customer) */
int t_message(const char *actor, const char *case_id, bool staff,
	      const char *body, size_t n);
/* t_messages: how many messages the case has; the last one's body, its
 * author and whether it is staff's go to the buffers (may be NULL) */
int t_messages(const char *case_id, int *n, char *last_body, size_t cap,
	       char *last_author, size_t acap, bool *last_staff);

/* whether the desk's policy says a refund of amount in the currency
 * (an ISO code) needs a manager */
bool t_needs_manager(const char *currency, int64_t amount_minor);

/* ---- the staff queue: lists, counts, evidence ------------------------- */

/* A case list's query: NULL (0) leaves a filter out. */
struct t_query {
	const char *status, *type, *order, *clause, *customer;
	const char *deadline_before, *after;
	int limit;
};

/* A page of a case list: ids, each row's deciding clause ("" none) and
 * status, the cursor for the next page ("" none). */
struct t_page {
	int n;
	char ids[100][128];
	char clause[100][24];
	enum case_status status[100];
	char next[128];
};

int t_list(const struct t_query *q, struct t_page *out);
/* t_list_all pages through the whole list, limit rows a page, into ids
 * (at most cap); the count, or -1 (the error in t_err) when a page
 * failed. */
int t_list_all(struct t_query q, char ids[][128], int cap);

/* the desk's counts per status */
int t_counts(int64_t counts[CASE_STATUS_COUNT]);

/* t_evidence adds a photo of the type ("png", "jpeg", "webp") whose bytes
 * are its magic number and `salt` (so that each differs); sha_out (65,
 * may be NULL) its SHA-256. */
int t_evidence(const char *case_id, const char *type, int salt,
	       char *sha_out);

struct t_evidence_list {
	int n;
	bool more;
	char sha256[100][65];
	char type[100][16];
	int64_t size[100], created_at[100];
	bool has_data[100];           /* a row came with bytes */
};

int t_evidences(const char *case_id, struct t_evidence_list *out);

/* ---- behind the desk: what the store holds ---------------------------- */

/* how many ledger entries the case has, and what they refund */
int t_ledger_entries(const char *case_id);
int64_t t_ledger_refunded(const char *case_id);
/* whether an idempotency record exists for (scope, key) */
bool t_idem_exists(const char *scope, const char *key);
/* how many audit events name the entity id with that action (either
 * NULL: any) */
int t_audit_count(const char *entity_id, const char *action);
/* how many cases the order has */
int t_case_count(const char *order_id);
/* how many cases have the status, counted row by row (the store's list) */
int64_t t_status_count(enum case_status st);

/* Everything the desk may change about a case, to check nothing did. */
struct t_snap {
	enum case_status status;
	int64_t updated_at;
	bool has_override, has_approval;
	int64_t decision_id;
	int ledger;
	int audit;
	bool has_quote;
	enum quote_status quote_status;
	int64_t quote_updated_at;
};

void t_snap(const char *case_id, struct t_snap *out);
bool t_snap_eq(const struct t_snap *a, const struct t_snap *b);

/* t_force_status puts the case in a status through the store, behind
 * the desk's rules, to set a test up. */
void t_force_status(const char *case_id, enum case_status st);

/* t_fail_after arms the store's fault injection (n < 0 disarms it). */
void t_fail_after(int n);
/* whether the store was left inside a transaction */
bool t_in_transaction(void);

/* the fixture's desk and its database (a SQLite path or a DSN), for
 * suites that call the desk themselves (policies.c) */
struct desk *t_desk(void);
const char *t_db(void);

/* names, for messages */
const char *t_code_name(int rc);

#endif
