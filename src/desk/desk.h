/* desk.h: the case desk's workflow (desk layer).
 * Opens cases from stored facts, decides them by the policy, re-decides
 * them when a fact changes, works them through their states, pays refunds
 * through the ledger exactly once, quotes repairs, keeps notes, evidence
 * and the audit log. Owns transactions and idempotency. Takes a clock.
 *
 * Requests and results are typed: a call takes a request struct (claims
 * as the core's struct claim, verdicts and statuses as enums) and fills a
 * result struct (a case view, a refund, a quote). The desk knows nothing
 * of HTTP or of the JSON of requests and answers; that is the edges' (the
 * http layer, the cli). Ownership: requests are borrowed; a result's
 * strings and arrays belong to the desk and stay valid until the next
 * call on the same desk (the lists' pages too).
 * On failure nothing is stored and err names the field (or the resource)
 * and says why; its code says what went wrong:
 *   AC_ESYNTAX  a body is not JSON (the JSON calls only)
 *   AC_EINVAL   a field is missing, mistyped or refused
 *   AC_ENOTFOUND no such order / case / quote / evidence
 *   AC_ECONFLICT the id exists, or an idempotency key was used with
 *               another request
 *   AC_ESTATE   the case's state does not allow this
 *   AC_ELIMIT   a body or upload is over its named limit
 *   AC_EIO      the store failed
 * The actor is who asks: "token:NAME" for an API token holder (staff or
 * an integration), "system" for the desk's own re-decisions. */
#ifndef AC_DESK_H
#define AC_DESK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/case.h"
#include "../core/decide.h"
#include "../core/err.h"
#include "../core/policy.h"
#include "../core/workflow.h"

struct desk;
struct order_request;           /* codec.h: an order as read */
struct store;

struct desk_config {
	struct store *store;            /* borrowed; outlives the desk */
	/* borrowed; outlives the desk: the policy the desk decides with
	 * until the database names an active one (policies.c), and the one
	 * it records as active in a database that has none */
	const struct policy *policy;
	/* policy's file, byte for byte (borrowed; outlives the desk), to
	 * record it; NULL: the built-in policy's when policy is it, else
	 * it is not recorded */
	const char *policy_text;
	size_t policy_text_n;
	/* the clock: microseconds since the epoch, UTC */
	int64_t (*now)(void *clock_ctx);
	void *clock_ctx;
	/* the shop's response time and a quote's life are the policy's */
};

/* desk_new makes a desk over an open store; *out is freed by desk_free. */
int desk_new(const struct desk_config *cfg, struct desk **out,
	     struct ac_err *err);
void desk_free(struct desk *d);

/* desk_clock_real is the wall clock, for desk_config.now. */
int64_t desk_clock_real(void *unused);

/* desk_clock_now is the desk's clock now (what its calls take as now). */
int64_t desk_clock_now(const struct desk *d);

/* ---- group commit ------------------------------------------------ */

/* Between desk_batch_begin and desk_batch_commit every desk call runs
 * inside one store transaction, each call all-or-nothing in a savepoint of
 * its own, and nothing is durable until desk_batch_commit returns 0: many
 * requests, one fsync. The caller answers the batch's requests only after
 * that; when the commit fails, every call of the batch is undone and each
 * of them must be answered as failed. */
int desk_batch_begin(struct desk *d, struct ac_err *err);
int desk_batch_commit(struct desk *d, struct ac_err *err);
bool desk_batch_open(const struct desk *d);

/* desk_read_begin opens a read transaction: the reading calls made until
 * desk_read_end see one snapshot of what was committed, without the
 * write lock, so a desk of its own on its own store connection can read
 * while another desk writes. AC_ESTATE inside a batch; AC_EIO when the
 * store fails. */
int desk_read_begin(struct desk *d, struct ac_err *err);
void desk_read_end(struct desk *d);

/* desk_read_one readies a read made in one store statement, outside any
 * transaction: the statement's own snapshot is all it needs, so nothing
 * is begun or ended around it (on SQLite a BEGIN and a ROLLBACK saved,
 * on PostgreSQL two round trips). The policy in use is followed as
 * desk_read_begin follows it. */
void desk_read_one(struct desk *d);

/* desk_is_local: the store is a file of this machine read in this
 * process (SQLite), not a server across a connection (PostgreSQL): its
 * reads never wait on a network. */
bool desk_is_local(const struct desk *d);

/* ---- tokens --------------------------------------------------------- */

/* desk_token_add stores a new API token for name, hashed, and writes the
 * token itself (64 hex digits and a NUL) to token_out. */
int desk_token_add(struct desk *d, const char *name, char token_out[80],
		   struct ac_err *err);

/* desk_token_check looks the token up; 0 and the token's name in
 * name_out (at most 128 bytes with the NUL) when it is live, AC_ENOTFOUND
 * when it is unknown or revoked. A token found live is taken as live for
 * two seconds more without asking the store again. */
int desk_token_check(struct desk *d, const char *token, char name_out[128],
		     struct ac_err *err);

/* desk_token_revoke revokes every live token named name; *count says how
 * many. AC_ENOTFOUND when there is none. A server that cached the token
 * stops taking it within two seconds. */
int desk_token_revoke(struct desk *d, const char *name, int *count,
		      struct ac_err *err);

/* desk_health: 0 while the store answers. */
int desk_health(struct desk *d, struct ac_err *err);

/* ---- staff accounts, sessions, customer look-ups (accounts.c) ------- */

/* Staff sign in with a name and a password (Argon2id, libsodium); a
 * customer finds an order with its number and e-mail. Either gets a
 * session: a random 32-byte token (64 hex digits) for the cookie, of
 * which the store keeps only the SHA-256, and a CSRF token of its own (64
 * hex digits). Staff sessions last DESK_STAFF_SESSION_S from sign-in,
 * customer sessions DESK_CUSTOMER_SESSION_S. Five wrong passwords in a row
 * lock an account for DESK_LOCK_S; five failed look-ups from one client,
 * or on one order number, within DESK_LOOKUP_WINDOW_S refuse the next
 * until the window ends. Sign-ins, look-ups and sign-outs are audited
 * (actor "user:NAME" or "customer:ORDER"; a failed look-up
 * "client:ADDRESS"). */
#define DESK_STAFF_SESSION_S (12 * 3600)
#define DESK_CUSTOMER_SESSION_S (24 * 3600)
#define DESK_LOCK_AFTER 5               /* wrong passwords in a row */
#define DESK_LOCK_S (15 * 60)
#define DESK_LOOKUP_LIMIT 5             /* failures per key per window */
#define DESK_LOOKUP_WINDOW_S (15 * 60)
#define DESK_USER_NAME_MAX 64           /* bytes of [a-z0-9._-] */
#define DESK_PASSWORD_MIN 10            /* bytes */
#define DESK_PASSWORD_MAX 1024
#define DESK_MESSAGE_MAX 8192           /* bytes of a message */

enum staff_role { STAFF_AGENT, STAFF_MANAGER };

/* staff_role_name: "agent" or "manager"; staff_role_parse: 0 and *out
 * for one of those names, AC_EINVAL otherwise. */
const char *staff_role_name(enum staff_role r);
int staff_role_parse(const char *s, enum staff_role *out);

/* desk_user_add adds a staff account with the password hashed by
 * crypto_pwhash_str (Argon2id, OPSLIMIT/MEMLIMIT_INTERACTIVE: about 64 MiB
 * and a tenth of a second). AC_EINVAL naming "name" (1 to 64 bytes of
 * a-z 0-9 . _ -), "role" or "password" (10 to 1024 bytes, no NUL);
 * AC_ECONFLICT (field "name") when the name is taken. Audit "user.add". */
int desk_user_add(struct desk *d, const char *actor, const char *name,
		  enum staff_role role, const char *password,
		  struct ac_err *err);

/* The staff accounts, by name. locked: locked_until is still ahead. */
struct desk_user {
	struct ac_str name;
	enum staff_role role;
	int failed_in_a_row;
	bool locked;
	int64_t locked_until;           /* 0: never locked */
	int64_t created_at;
};

struct desk_users {
	int n;
	const struct desk_user *users;
};

int desk_user_list(struct desk *d, struct desk_users *out,
		   struct ac_err *err);

/* desk_user_check_password reads the account and checks the password
 * against its hash: the slow part of signing in, which writes nothing
 * (run it on a reader, in a read transaction, then pass the answer to
 * desk_user_signin). known: the account exists; ok: the password is its;
 * locked: it is locked until locked_until (the hash is then not checked
 * and ok is false). An unknown name costs a hash too. AC_EIO only. */
struct desk_password_check {
	bool known, ok;
	enum staff_role role;
	bool locked;
	int64_t locked_until;
};

int desk_user_check_password(struct desk *d, const char *name,
			     const char *password,
			     struct desk_password_check *out,
			     struct ac_err *err);

/* desk_user_signin records a sign-in attempt whose password check gave
 * password_ok (client: the caller's address, for the audit). SIGNIN_OK:
 * the failures are reset and a session made (token, csrf, name, role,
 * expires_at). The name is taken with ASCII upper case folded ("Ana" is
 * "ana"). SIGNIN_WRONG: an unknown name, or a wrong password counted
 * (the DESK_LOCK_AFTER-th in a row locks the account and answers
 * SIGNIN_LOCKED). SIGNIN_LOCKED: locked until locked_until, whatever the
 * password. rc 0 in all three (a failure is stored, it is not an error);
 * audit "signin" / "signin_failed" (entity "user"). AC_EIO when the store
 * fails. */
enum desk_signin_result { SIGNIN_OK, SIGNIN_WRONG, SIGNIN_LOCKED };

struct desk_staff_session {
	enum desk_signin_result result;
	char token[65];                 /* the cookie's; "" unless OK */
	char csrf[65];
	char name[65];
	enum staff_role role;
	int64_t expires_at;
	int64_t locked_until;           /* SIGNIN_LOCKED: until when */
};

int desk_user_signin(struct desk *d, const char *name, bool password_ok,
		     const char *client, struct desk_staff_session *out,
		     struct ac_err *err);

/* desk_staff_session fills *out (result SIGNIN_OK, the token given back)
 * for a live staff session: AC_ENOTFOUND when the token is unknown, a
 * customer's, ended or expired, or its account is gone. Reads only. */
int desk_staff_session(struct desk *d, const char *token,
		       struct desk_staff_session *out, struct ac_err *err);

/* desk_session_end ends the session (staff or customer) at once; audit
 * "signout". AC_ENOTFOUND when there is no such live session. */
int desk_session_end(struct desk *d, const char *token, struct ac_err *err);

/* desk_customer_lookup finds the order by its number and the e-mail it was
 * placed with (compared ignoring ASCII case and surrounding white space)
 * and makes a customer session for it alone. LOOKUP_NOT_FOUND: no such
 * order or another e-mail; the failure counts against the client and the
 * order number. LOOKUP_LIMITED: DESK_LOOKUP_LIMIT failures within the
 * window on either (the credentials are then not looked at);
 * retry_after_s: seconds until both allow a try again. rc 0 in all three;
 * AC_EINVAL (field "tz") for an offset outside -1439..1439 minutes;
 * AC_EIO when the store fails. tz_offset_min: minutes east of UTC. */
enum desk_lookup_result { LOOKUP_OK, LOOKUP_NOT_FOUND, LOOKUP_LIMITED };

struct desk_customer_session {
	enum desk_lookup_result result;
	char token[65];                 /* the cookie's; "" unless OK */
	char csrf[65];
	char order_id[129];
	int tz_offset_min;
	int64_t expires_at;
	int64_t retry_after_s;          /* LOOKUP_LIMITED: wait this long */
};

int desk_customer_lookup(struct desk *d, const char *order_id,
			 const char *email, const char *client,
			 int tz_offset_min, struct desk_customer_session *out,
			 struct ac_err *err);

/* desk_customer_session fills *out (result LOOKUP_OK) for a live customer
 * session; AC_ENOTFOUND when unknown, a staff one, ended or expired. */
int desk_customer_session(struct desk *d, const char *token,
			  struct desk_customer_session *out,
			  struct ac_err *err);

/* desk_refund_needs_manager: whether a refund of amount_minor in currency
 * c needs a manager under the policy: above the policy's
 * manager_refund_above for the currency (the amount itself does not); for
 * a currency the policy does not list, any amount above 0. */
bool desk_refund_needs_manager(const struct policy *p,
			       const struct currency *c, int64_t amount_minor);

/* ---- messages between the customer and staff (messages.c) ---------- */

enum desk_msg_from { MSG_FROM_CUSTOMER, MSG_FROM_STAFF };

struct desk_message {
	int64_t id;
	struct ac_str case_id, author, body;
	enum desk_msg_from from;
	int64_t created_at;
};

/* desk_add_message adds a message on the case from the customer or from
 * staff (author: the actor). AC_EINVAL (field "message") unless 1 to
 * DESK_MESSAGE_MAX bytes without NUL; AC_ENOTFOUND (no such case);
 * AC_ESTATE on a closed case. Audit "message.add". */
int desk_add_message(struct desk *d, const char *actor, const char *case_id,
		     enum desk_msg_from from, struct ac_str body,
		     struct desk_message *out, struct ac_err *err);

/* desk_list_messages gives the case's messages, oldest first;
 * AC_ENOTFOUND when there is no such case. */
struct desk_messages {
	int n;
	const struct desk_message *messages;
};

int desk_list_messages(struct desk *d, const char *case_id,
		       struct desk_messages *out, struct ac_err *err);

/* ---- orders, shipments, tracking ----------------------------------- */

/* desk_create_order stores the order (order, customer, optional
 * shipment and paid_minor, as the codec reads them), in a transaction of
 * its own. AC_ECONFLICT when the id exists. */
int desk_create_order(struct desk *d, const char *actor,
		      const struct order_request *req, struct ac_err *err);

/* One case of an order, as the order shows it and as a re-decision
 * reports it. */
struct desk_case_line {
	struct ac_str id;
	enum case_status status;
	enum claim_type claim_type;
	bool has_verdict;               /* false: not decided yet */
	enum verdict verdict;
};

/* An order with its shipment, customer, what was paid and refunded, and
 * its cases (the first STORE_PAGE_MAX). */
struct desk_order {
	const struct order *order;
	bool shipped;
	const struct shipment *shipment;
	struct ac_str customer_name, customer_email;
	int64_t paid_minor, refunded_total_minor, charged_total_minor;
	int n_cases;
	const struct desk_case_line *cases;
};

int desk_get_order(struct desk *d, const char *order_id,
		   struct desk_order *out, struct ac_err *err);

/* What a change to an order's facts did: the tracking event's id (0 for a
 * shipment) and the cases it decided again. */
struct desk_facts {
	int64_t event_id;
	struct ac_str order_id;
	int n_redecided;
	const struct desk_case_line *redecided;
};

/* desk_put_shipment stores the shipment and re-decides every case of the
 * order that is not resolved, closed or overridden. AC_ENOTFOUND when
 * there is no such order. */
int desk_put_shipment(struct desk *d, const char *actor, const char *order_id,
		      const struct shipment *sh, struct desk_facts *out,
		      struct ac_err *err);

/* desk_add_tracking records a courier event (kind: 1 to 60 bytes);
 * "delivered" (sets delivered_at), "lost_confirmed", "delivered_proven",
 * "investigating", "customs_held", "customs_cleared", "customs_refused"
 * change the shipment's facts and re-decide the order's open cases;
 * other kinds ("picked_up", "in_transit", ...) are recorded only.
 * AC_ESTATE when the order has not shipped. */
struct desk_tracking {
	int64_t at;
	struct ac_str kind, detail;     /* detail: n == 0 for none */
};

int desk_add_tracking(struct desk *d, const char *actor, const char *order_id,
		      const struct desk_tracking *req, struct desk_facts *out,
		      struct ac_err *err);

/* An order's courier events, oldest first. */
struct desk_event {
	int64_t id, at;
	struct ac_str kind, detail;
};

struct desk_events {
	struct ac_str order_id;
	int n;
	const struct desk_event *events;
};

int desk_list_tracking(struct desk *d, const char *order_id,
		       struct desk_events *out, struct ac_err *err);

/* ---- cases --------------------------------------------------------- */

/* A repair quote as the desk shows it. */
struct desk_quote {
	int64_t id;
	struct ac_str case_id;
	int64_t amount_minor;
	enum quote_status status;
	int64_t expires_at, created_at, updated_at;
};

/* A case as it stands now: the result of opening, reading, moving,
 * approving and overriding one. */
struct desk_case {
	struct ac_str id, order_id;
	enum case_status status;
	enum claim_type claim_type;
	struct ac_str claim_json;       /* the claim as stored (codec's) */
	struct decision decision;       /* the current decision */
	int64_t decided_at;
	/* who overrode the current decision and why, when it is staff's */
	bool decision_overridden;
	struct ac_str decision_override_reason, decision_override_author;
	const struct policy *policy;    /* the clauses' titles and texts */
	int64_t response_due;           /* opening + policy response time */
	int64_t refunded_total_minor, charged_total_minor;
	bool has_override;              /* the case's latest override */
	enum verdict override_verdict;
	struct ac_str override_reason, override_author;
	int64_t overridden_at;
	bool has_approval;
	struct ac_str approved_by;
	int64_t approved_at;
	bool has_quote;                 /* the case's latest quote */
	struct desk_quote quote;
	int64_t created_at, updated_at;
};

/* desk_open_case: a claim on an order. The claim's lines are checked
 * against the order (AC_EINVAL naming "claim.lines[i]"); without
 * has_opened_at it is opened now. The case is decided from the stored
 * facts (never from a verdict the client sends) and stored with its
 * decision in one transaction. AC_ENOTFOUND (field "order") when there is
 * no such order. */
struct desk_open {
	struct ac_str order_id;
	bool has_opened_at;
	struct claim claim;             /* last: it holds the arrays */
};

int desk_open_case(struct desk *d, const char *actor,
		   const struct desk_open *req, struct desk_case *out,
		   struct ac_err *err);

/* desk_get_case fills *out with the case as it stands now. */
int desk_get_case(struct desk *d, const char *case_id, struct desk_case *out,
		  struct ac_err *err);

struct desk_case_query {
	const char *status;             /* NULL: any; else a status name */
	const char *type;               /* NULL: any; else a claim type */
	const char *order;              /* NULL: any */
	/* NULL: any; else the deciding clause's id ("refund.3"): the
	 * first clause of the case's current decision */
	const char *clause;
	/* NULL: any; else the order's customer e-mail, compared ignoring
	 * ASCII case and surrounding white space */
	const char *customer;
	const char *deadline_before;    /* NULL or an RFC 3339 time */
	const char *after;              /* keyset cursor: a case id */
	int limit;                      /* 0: 50; at most 100 */
};

#define DESK_PAGE_MAX 100               /* rows in a list's page */
#define DESK_CURSOR_MAX 128             /* a "next" cursor, with its NUL */

/* One case in a list. */
struct desk_case_row {
	struct ac_str id, order_id;
	enum case_status status;
	enum claim_type claim_type;
	int64_t opened_at;
	bool has_verdict;               /* false: not decided yet */
	enum verdict verdict;
	bool has_clause;                /* the current decision's first */
	enum clause_id clause;
	bool has_deadline;              /* the customer's deadline */
	int64_t deadline;
	bool has_response_due;          /* the shop's answer is due */
	int64_t response_due;
	int64_t due;                    /* the earliest of the two */
};

/* A page of a list: rows borrowed from the desk until its next call, and
 * the cursor for the page after it ("" when this is the last). */
struct desk_case_page {
	int n;
	const struct desk_case_row *rows;
	char next[DESK_CURSOR_MAX];
};

/* desk_list_cases fills *out with a page of cases in the order they were
 * opened (soonest deadline first with deadline_before); next is the last
 * row's id. AC_EINVAL naming status, type, clause, customer,
 * deadline_before, after or limit. Every page seeks an index and reads
 * only rows of one order, of one customer or of one clause; a combination
 * that would read further is refused (AC_EINVAL naming the filter that
 * cannot be combined) rather than scanned: customer combines with every
 * filter but deadline_before; clause with status, order and customer,
 * and with type only when order or customer is given too. */
int desk_list_cases(struct desk *d, const struct desk_case_query *q,
		    struct desk_case_page *out, struct ac_err *err);

/* desk_case_counts fills counts[s] with how many cases have status s,
 * from a table the store keeps in step with every case written (constant
 * time at any size). AC_EIO when the store fails. */
int desk_case_counts(struct desk *d, int64_t counts[CASE_STATUS_COUNT],
		     struct ac_err *err);

/* desk_deadlines fills *out with the cases not resolved or closed whose
 * customer deadline or shop response time falls within `within_s` seconds
 * from now or has passed, soonest due first, a page at a time (next is an
 * opaque cursor). AC_EINVAL naming within, limit or after. */
struct desk_due_page {
	int64_t now;                    /* a row is overdue when due < now */
	int n;
	const struct desk_case_row *rows;
	char next[DESK_CURSOR_MAX];
};

struct desk_deadline_query {
	int64_t within_s;
	int limit;                      /* 0: 50; at most 100 */
	const char *after;              /* NULL, or a "next" it gave */
};

int desk_deadlines(struct desk *d, const struct desk_deadline_query *q,
		   struct desk_due_page *out, struct ac_err *err);

/* desk_transition moves the case to `to`. Allowed moves: open ->
 * waiting | decided; waiting -> open | decided; decided -> waiting |
 * resolved; resolved -> closed; (any but closed) -> closed with a reason.
 * AC_ESTATE with the reason otherwise; AC_EINVAL (field "reason") when a
 * close needs one. */
struct desk_move {
	enum case_status to;
	struct ac_str reason;           /* n == 0: none */
};

int desk_transition(struct desk *d, const char *actor, const char *case_id,
		    const struct desk_move *req, struct desk_case *out,
		    struct ac_err *err);

/* desk_approve approves the current decision (status -> decided).
 * AC_ESTATE when the decision is pending or the case is resolved/closed. */
int desk_approve(struct desk *d, const char *actor, const char *case_id,
		 struct desk_case *out, struct ac_err *err);

/* desk_override: staff replace the verdict with a written reason. A
 * refund verdict needs refund_max_minor (at most what was paid); another
 * verdict refunds nothing. The override and its author show on the case
 * and in the audit log; refunds then follow its refund_max_minor. */
struct desk_override {
	enum verdict verdict;
	bool has_refund_max;
	int64_t refund_max_minor;
	struct ac_str reason;
};

int desk_override(struct desk *d, const char *actor, const char *case_id,
		  const struct desk_override *req, struct desk_case *out,
		  struct ac_err *err);

/* desk_refund pays a refund through the ledger: never above the
 * decision's (or override's) refund_max_minor less what the case has
 * refunded, never above what is left of the payment on the order
 * (AC_EINVAL, field "amount_minor", saying which limit); AC_ESTATE on a
 * resolved or closed case. The key is
 * required (AC_EINVAL field "Idempotency-Key" when empty) and belongs to
 * scope (the token's name): the same key with the same request (case and
 * amount) again gives the first refund again, `replayed` set; with
 * another request it is AC_ECONFLICT. */
struct desk_refund_req {
	const char *scope;
	const char *idem_key;
	int64_t amount_minor;
};

struct desk_refund {
	int64_t id;                     /* the ledger entry */
	struct ac_str case_id;
	int64_t amount_minor;
	const struct currency *currency;
	int64_t refunded_total_minor;   /* the case's, after this refund */
	bool replayed;
};

int desk_refund(struct desk *d, const char *actor, const char *case_id,
		const struct desk_refund_req *req, struct desk_refund *out,
		struct ac_err *err);

/* ---- repair quotes ------------------------------------------------- */

/* desk_quote quotes a paid repair (warranty.2 with a rise, warranty.3):
 * the case waits for the customer's answer. Without has_expires_at the
 * quote stands the policy's quote life. AC_ESTATE for another verdict or
 * a resolved or closed case; AC_EINVAL (field "expires_at") when past. */
struct desk_quote_req {
	int64_t amount_minor;
	bool has_expires_at;
	int64_t expires_at;
};

int desk_quote(struct desk *d, const char *actor, const char *case_id,
	       const struct desk_quote_req *req, struct desk_quote *out,
	       struct ac_err *err);

/* desk_quote_action moves the case's quote to `to`: quoted -> accepted |
 * declined (| expired once past expires_at: AC_ESTATE), accepted ->
 * repaired -> shipped_back. Accepting re-decides the case with the quoted
 * charge. AC_EINVAL for another target status; AC_ESTATE on a closed
 * case, and for accepting on a resolved one. */
int desk_quote_action(struct desk *d, const char *actor, const char *case_id,
		      enum quote_status to, struct desk_quote *out,
		      struct ac_err *err);

/* ---- notes, evidence, audit ---------------------------------------- */

/* A staff note on a case. */
struct desk_note {
	int64_t id;
	struct ac_str case_id, author, body;
	int64_t created_at;
};

/* desk_add_note adds a note (1 to 65536 bytes: AC_EINVAL "body"). */
int desk_add_note(struct desk *d, const char *actor, const char *case_id,
		  struct ac_str text, struct desk_note *out,
		  struct ac_err *err);

/* desk_list_notes gives the case's notes, oldest first. */
struct desk_notes {
	int n;
	const struct desk_note *notes;
};

int desk_list_notes(struct desk *d, const char *case_id,
		    struct desk_notes *out, struct ac_err *err);

/* The largest evidence file accepted. */
#define DESK_EVIDENCE_MAX (8u << 20)

/* A photo kept as evidence, named by its SHA-256 (lower-case hex). data
 * is its bytes when read back (empty when added). */
struct desk_evidence {
	char sha256[65];
	struct ac_str content_type;
	int64_t size;
	struct ac_str data;
	int64_t created_at;             /* when it was added */
};

/* desk_add_evidence stores a photo (image/jpeg, image/png or image/webp,
 * checked against the bytes' magic numbers) by its SHA-256. AC_EINVAL for
 * another type or bytes that are not what the type says; AC_ELIMIT over
 * DESK_EVIDENCE_MAX. */
int desk_add_evidence(struct desk *d, const char *actor, const char *case_id,
		      const char *content_type, const char *bytes, size_t n,
		      struct desk_evidence *out, struct ac_err *err);

/* desk_get_evidence gives the photo with its bytes. */
int desk_get_evidence(struct desk *d, const char *case_id, const char *sha256,
		      struct desk_evidence *out, struct ac_err *err);

/* desk_list_evidence gives the case's photos without their bytes (data
 * empty), oldest first: the first DESK_PAGE_MAX, more set when there are
 * others. AC_ENOTFOUND when there is no such case. */
struct desk_evidences {
	int n;
	const struct desk_evidence *evidences;
	bool more;
};

int desk_list_evidence(struct desk *d, const char *case_id,
		       struct desk_evidences *out, struct ac_err *err);

/* desk_list_audit fills *out with a page of audit events, oldest first;
 * entity and entity_id may be NULL (any). more says whether a page
 * follows rows[n - 1].id. AC_EINVAL naming limit. */
struct desk_audit_event {
	int64_t id, at;
	struct ac_str actor, action, entity, entity_id;
	/* the state before and after, as the codec stored it: JSON text;
	 * n == 0: none */
	struct ac_str before_json, after_json;
};

struct desk_audit_page {
	int n;
	const struct desk_audit_event *rows;
	bool more;
};

int desk_list_audit(struct desk *d, const char *entity, const char *entity_id,
		    int64_t since_id, int limit, struct desk_audit_page *out,
		    struct ac_err *err);

/* ---- the policy's versions (policies.c, issue 9) ------------------- */

/* Every policy the desk decides under is kept in the database (its text,
 * named by its hash, "sha256:" and 64 hex digits), and one is active.
 * Every write transaction starts by looking up the active hash (one key
 * look-up) and decides with that policy, parsed once per process and
 * kept (thread-safe) by hash: a policy activated by another server or by
 * the CLI is used by every desk on the database from its next write.
 * Reads look it up at most once a second. A database with no active
 * policy gets the desk's own (desk_config.policy) recorded and active at
 * its first write. Decisions keep the hash they were made under. */

#define DESK_POLICY_HASH_MAX 72         /* "sha256:" + 64 hex + NUL */
#define DESK_POLICY_PROBLEMS 32         /* problems a check reports */

/* What `aftercare policy check` says of a text: each problem with its
 * line (0: the whole file), its key in field, and its message. */
struct desk_policy_problems {
	int n;
	struct ac_err e[DESK_POLICY_PROBLEMS];
};

/* desk_policy_check checks a policy text (at most 1 MiB of UTF-8, no NUL
 * byte) as `aftercare policy check` does, writing nothing; 0 and its hash
 * in hash_out, or AC_EINVAL with the problems in *probs (may be NULL)
 * and the first in err. */
int desk_policy_check(const char *text, size_t n,
		      char hash_out[DESK_POLICY_HASH_MAX],
		      struct desk_policy_problems *probs, struct ac_err *err);

/* desk_policy returns the policy the desk decides with now (the active
 * one as of its last look-up); it stays valid for the process's life. */
const struct policy *desk_policy(struct desk *d);

/* desk_policy_sync looks up the active policy now, in a write
 * transaction of its own, recording the desk's own when none is active
 * (what `serve` does at start). AC_EIO when the store fails; AC_EINVAL
 * when the active text no longer parses. */
int desk_policy_sync(struct desk *d, struct ac_err *err);

/* desk_policy_activate checks the text, keeps it and makes it the active
 * policy, audited ("policy.activate": actor, the old and the new hash).
 * expect_hash (NULL: any): the hash the caller previewed; another text
 * is AC_ECONFLICT (field "policy.hash"). A text that fails the check is
 * AC_EINVAL, its problems in *probs (may be NULL), nothing stored.
 * Activating the active one changes nothing (changed false, no audit). */
struct desk_policy_activation {
	char old_hash[DESK_POLICY_HASH_MAX];    /* "": none was active */
	char new_hash[DESK_POLICY_HASH_MAX];
	bool changed;
};

int desk_policy_activate(struct desk *d, const char *actor, const char *text,
			 size_t n, const char *expect_hash,
			 struct desk_policy_activation *out,
			 struct desk_policy_problems *probs,
			 struct ac_err *err);

/* A kept version. text: the policy file (desk_policy_get only; empty in
 * a list). activated: it has been active, last at activated_at by
 * activated_by; active: it is the active one. */
struct desk_policy_version {
	struct ac_str hash, text, activated_by;
	int64_t created_at;
	bool activated, active;
	int64_t activated_at;
};

/* desk_policy_get fills *out with the version (hash NULL: the active
 * one), its text included; AC_ENOTFOUND (field "policy.hash"). */
int desk_policy_get(struct desk *d, const char *hash,
		    struct desk_policy_version *out, struct ac_err *err);

/* desk_policy_list gives the kept versions, the latest first (at most
 * DESK_PAGE_MAX). */
struct desk_policy_versions {
	int n;
	const struct desk_policy_version *versions;
};

int desk_policy_list(struct desk *d, struct desk_policy_versions *out,
		     struct ac_err *err);

/* desk_policy_preview checks the text (as desk_policy_check: AC_EINVAL
 * with the problems in *probs) and replays the history under it
 * (replay.h's replay_run on the desk's store, f and h as it takes them:
 * f NULL is every case) into *out, writing nothing; hash_out gets the
 * text's hash. Run it in a read transaction, or outside one. */
struct replay_filter;
struct replay_hooks;
struct replay_report;

int desk_policy_preview(struct desk *d, const char *text, size_t n,
			const struct replay_filter *f,
			const struct replay_hooks *h,
			struct replay_report *out,
			char hash_out[DESK_POLICY_HASH_MAX],
			struct desk_policy_problems *probs, struct ac_err *err);

/* desk_policy_by_hash returns the kept version's parsed policy (parsed
 * once a process), or NULL (err: AC_ENOTFOUND when not kept). */
const struct policy *desk_policy_by_hash(struct desk *d, const char *hash,
					 struct ac_err *err);

#endif
