/* outbox.h: what must leave the process, sent once it is committed (desk
 * layer). A message (an e-mail, a refund instruction) is added to the
 * outbox in the transaction of the change that causes it, so it exists
 * exactly when the change does. Workers (threads `aftercare serve`
 * starts) claim the rows that are due, hand each to the handler
 * registered for its kind, and record what came of it.
 *
 * Delivery is at least once, and nothing is sent twice in the normal
 * course: a row is claimed (status sending, leased for lease_us) in one
 * statement (up to `batch` rows a claim), sent outside any transaction,
 * then the claim's rows are marked together in one transaction of their
 * own. The window: a process that dies (or loses its database) after the
 * other side took a message and before that mark leaves the rows leased;
 * when the lease runs out another worker sends them again. So every
 * handler must make a repeat recognisable on the other side from what
 * the row gives it: an e-mail carries a Message-ID derived
 * from the row (outbox_message_id), a refund an Idempotency-Key derived
 * from the ledger entry. A handler must return within the lease.
 *
 * Retries: a handler that answers OUTBOX_RETRY is tried again after
 * outbox_backoff_us (exponential, with jitter) until max_attempts claims,
 * then the row is dead; OUTBOX_DEAD makes it dead at once (refused for
 * good: a 5xx to RCPT), OUTBOX_FAILED marks it failed (it was delivered
 * and the other side said no: a refund declined). Staff list dead and
 * failed rows and retry them by hand (desk_outbox_retry), which counts
 * the attempts from 0 again.
 *
 * Several servers share one outbox: on PostgreSQL a claim skips the rows
 * another server holds (FOR UPDATE SKIP LOCKED); on SQLite the one
 * writer serialises claims. A server claims only the kinds it has a
 * handler for: rows of another kind wait (visible in the depth) for a
 * server that has one.
 *
 * Ownership: arguments are borrowed for the call; what a call fills is
 * the caller's (a list until desk_outbox_list_release). Errors: 0 or a
 * negative AC_E* code with err naming the field (see desk.h). */
#ifndef AC_DESK_OUTBOX_H
#define AC_DESK_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "../core/str.h"

struct desk;

/* Defaults of struct outbox_config. */
#define OUTBOX_WORKERS 2                /* threads sending */
#define OUTBOX_ATTEMPTS 12              /* claims before a row is dead */
#define OUTBOX_BASE_US (2LL * 1000000)  /* the first retry after 1-2 s */
#define OUTBOX_CAP_US (900LL * 1000000) /* no retry waits over 15 min */
#define OUTBOX_LEASE_US (60LL * 1000000)  /* a claim's lease */
#define OUTBOX_POLL_US (200LL * 1000)   /* an idle worker looks again */
#define OUTBOX_BATCH 8                  /* rows per claim */
#define OUTBOX_TICK_US (60LL * 1000000) /* a kind's tick, every */
#define OUTBOX_KINDS_MAX 8

/* ---- in the change's transaction (the desk's write paths) ------------ */

/* A message to add. kind: 1..32 bytes of a-z 0-9 _ ("mail", "refund");
 * case_id: the case it is about (n == 0: none); ref: what it refers to
 * (a ledger entry, a quote; n == 0: none); dedupe: unique over the whole
 * outbox (1..255 bytes): adding a key again adds nothing; payload_json:
 * a JSON object the handler reads (at most 64 KiB); not_before: not sent
 * before this instant (0: now). */
struct desk_outbox_msg {
	const char *kind;
	struct ac_str case_id, ref, dedupe, payload_json;
	int64_t not_before;
};

/* desk_outbox_add adds m inside the transaction the desk has open for a
 * change (a desk write call's, or the group commit's savepoint): it is
 * committed, or rolled back, with the change. *id (may be NULL) is the
 * row's id, 0 when the dedupe key was there already. AC_ESTATE outside
 * a transaction; AC_EINVAL/AC_ELIMIT naming "outbox.kind",
 * "outbox.dedupe", "outbox.ref" or "outbox.payload_json"; AC_ENOTFOUND
 * ("outbox.case_id"); AC_EIO when the store fails. */
int desk_outbox_add(struct desk *d, const struct desk_outbox_msg *m,
		    int64_t *id, struct ac_err *err);

/* The mail events (src/mail renders them): the payload of a "mail" row
 * is {"event", "case_id", "order_id", and per event: "verdict" (opened,
 * decision changed), "amount_minor" and "currency" (refund, quote),
 * "expires_at" (quote), "deadline" (deadline near)}. */
enum desk_mail_event {
	MAIL_CASE_OPENED, MAIL_DECISION_CHANGED, MAIL_REFUND_MADE,
	MAIL_REPAIR_QUOTE, MAIL_DEADLINE_NEAR, MAIL_EVENT_COUNT
};

/* desk_mail_event_name: "case_opened", "decision_changed",
 * "refund_made", "repair_quote", "deadline_near"; _parse: 0 and *out, or
 * AC_EINVAL. */
const char *desk_mail_event_name(enum desk_mail_event e);
int desk_mail_event_parse(const char *s, size_t n, enum desk_mail_event *out);

/* What one mail says, beside its event and case. */
struct desk_mail_facts {
	struct ac_str order_id;
	const char *verdict;            /* NULL: none */
	bool has_amount;
	int64_t amount_minor;
	const char *currency;           /* with the amount */
	int64_t expires_at;             /* a quote's; 0: none */
	int64_t deadline;               /* deadline near; 0: none */
};

/* desk_outbox_mail adds a "mail" row for the event on the case, in the
 * change's transaction (as desk_outbox_add). key makes the dedupe key
 * "mail:EVENT:CASE:KEY" (a decision's instant, a ledger entry's id, a
 * quote's id, a deadline; "" for the case's opening). */
int desk_outbox_mail(struct desk *d, enum desk_mail_event ev,
		     struct ac_str case_id, const struct desk_mail_facts *f,
		     const char *key, struct ac_err *err);

/* desk_outbox_deadlines adds, in a transaction of its own, a
 * MAIL_DEADLINE_NEAR row for every case not resolved or closed whose
 * customer deadline falls within within_s from now (and is not past),
 * once per case and deadline, unless the case was opened when it was that
 * near already (its opening's mail told it); *added (may be NULL) counts
 * the rows new. */
int desk_outbox_deadlines(struct desk *d, int64_t within_s, int *added,
			  struct ac_err *err);

/* ---- staff: the rows, dead letters, retry by hand ----------------------- */

/* A row as staff see it. status: "pending", "sending", "sent", "dead",
 * "failed". */
struct desk_outbox_item {
	int64_t id;
	struct ac_str kind, case_id, ref, dedupe, payload_json;
	const char *status;
	int attempts;
	int64_t next_at;
	struct ac_str last_error;       /* n == 0: none */
	int64_t created_at;
	bool has_sent;
	int64_t sent_at;
};

#define DESK_OUTBOX_PAGE_MAX 100

struct desk_outbox_list {
	int n;
	bool more;                      /* next page: after rows[n - 1].id */
	struct desk_outbox_item rows[DESK_OUTBOX_PAGE_MAX];
	void *impl;                     /* the store's page: the strings */
};

/* desk_outbox_list fills *out with rows of one status (status non-NULL)
 * or of one case (case_id non-NULL; status then filters it), oldest
 * first, ids after after_id; limit 0: 50. AC_EINVAL naming "status"
 * (not a status), "limit" (1..100) or "case" (neither given).
 * Release with desk_outbox_list_release (also after a failure). */
int desk_outbox_list(struct desk *d, const char *status, const char *case_id,
		     int64_t after_id, int limit, struct desk_outbox_list *out,
		     struct ac_err *err);
void desk_outbox_list_release(struct desk_outbox_list *l);

/* desk_outbox_retry makes a dead or failed row pending at once, its
 * attempts counted from 0 again; audited ("outbox.retry", entity
 * "outbox"). AC_ENOTFOUND ("id"); AC_ESTATE when it is not dead or
 * failed. */
int desk_outbox_retry(struct desk *d, const char *actor, int64_t id,
		      struct ac_err *err);

/* The outbox's depth by kind: waiting (pending), being sent (sending),
 * dead and failed rows. */
struct desk_outbox_depth {
	int n;
	struct {
		char kind[33];
		int64_t pending, sending, dead, failed;
	} kinds[16];
};

int desk_outbox_depth(struct desk *d, struct desk_outbox_depth *out,
		      struct ac_err *err);

/* A case's address the customer's mail server refused for good. */
struct desk_bounce {
	bool bounced;
	char address[321];
	char reason[1025];
	int64_t at;
};

/* desk_bounce_put records the refusal on the case (the latest one wins);
 * desk_bounce_get fills *out (bounced false when there is none). */
int desk_bounce_put(struct desk *d, struct ac_str case_id,
		    struct ac_str address, struct ac_str reason,
		    struct ac_err *err);
int desk_bounce_get(struct desk *d, const char *case_id,
		    struct desk_bounce *out, struct ac_err *err);

/* ---- the workers --------------------------------------------------------- */

/* What a handler is given, borrowed for the call. attempt: this claim's
 * number, from 1. */
struct outbox_item {
	int64_t id;
	const char *kind;
	struct ac_str case_id, ref, dedupe, payload_json;
	int attempt;
	int64_t created_at;
};

enum outbox_result {
	OUTBOX_SENT,                    /* done */
	OUTBOX_RETRY,                   /* try again later (backoff) */
	OUTBOX_DEAD,                    /* refused for good: dead letter */
	OUTBOX_FAILED                   /* delivered, answered no for good */
};

/* A kind's handler. send runs on a worker thread, with the worker's own
 * desk (on a store connection of its own, outside any transaction: it
 * may call the desk), and writes why it did not succeed (one line, lower
 * case) into why (why_n bytes). tick (NULL: none) runs on one worker
 * every tick_us, and once at start. thread_done (NULL: none) runs on
 * each worker thread as it ends (to free what send kept per thread).
 * ctx is borrowed and must outlive the outbox. */
struct outbox_kind {
	const char *kind;
	enum outbox_result (*send)(void *ctx, struct desk *d,
				   const struct outbox_item *it, char *why,
				   size_t why_n);
	void (*tick)(void *ctx, struct desk *d);
	void (*thread_done)(void *ctx);
	void *ctx;
};

/* How the workers run; zero fields take the OUTBOX_* defaults. Each
 * worker gets a desk of its own from open_desk (closed by close_desk at
 * stop), as the HTTP server's threads do. */
struct outbox_config {
	int (*open_desk)(void *ctx, struct desk **out, struct ac_err *err);
	void (*close_desk)(void *ctx, struct desk *d);
	void *desk_ctx;
	int workers;
	int max_attempts;
	int64_t base_us, cap_us, lease_us, poll_us, tick_us;
	int batch;
};

struct outbox;

/* outbox_new makes the workers' handle (not started); *out is freed by
 * outbox_free. AC_EINVAL naming the config field out of range. */
int outbox_new(const struct outbox_config *cfg, struct outbox **out,
	       struct ac_err *err);

/* outbox_register adds a kind's handler (before outbox_start). AC_EINVAL
 * ("kind") for a bad name or a kind registered twice; AC_ELIMIT past
 * OUTBOX_KINDS_MAX. */
int outbox_register(struct outbox *ob, const struct outbox_kind *k,
		    struct ac_err *err);

/* outbox_start opens the workers' desks and starts their threads. AC_EIO
 * (or open_desk's error) when one cannot start: none is left running. */
int outbox_start(struct outbox *ob, struct ac_err *err);

/* outbox_kick wakes the idle workers to look for work now (after a
 * commit, say); harmless at any time. */
void outbox_kick(struct outbox *ob);

/* outbox_stop asks the workers to stop, waits for the sends in flight to
 * end (each ends within its lease) and closes their desks; a row being
 * sent is finished as usual first. Harmless when not started. */
void outbox_stop(struct outbox *ob);

/* outbox_free stops the workers if needed and frees the handle (NULL is
 * fine). */
void outbox_free(struct outbox *ob);

/* outbox_run_once claims the due rows of every registered kind (one
 * batch each) on desk d, in the calling thread, and sends them; *sent
 * (may be NULL) counts the rows handled. For tests and one-shot tools;
 * the workers loop over the same. AC_EIO when the store fails. */
int outbox_run_once(struct outbox *ob, struct desk *d, int *handled,
		    struct ac_err *err);

/* outbox_backoff_us: how long to wait after the attempt-th failed claim
 * (from 1): "equal jitter": d = min(cap, base * 2^(attempt - 1)), then
 * d/2 + rnd mod (d/2 + 1): never less than half of d, never more than d,
 * so that many rows failing together spread out. Pure. */
int64_t outbox_backoff_us(int attempt, int64_t base_us, int64_t cap_us,
			  uint32_t rnd);

/* outbox_message_id writes the Message-ID of row id with that dedupe key
 * (NUL-terminated, at most n bytes): "<aftercare.ID.HASH@DOMAIN>", HASH
 * the first 16 hex digits of the key's SHA-256: the same for every
 * attempt, so a repeat is recognisable. domain: the sender's ("" :
 * "aftercare.invalid"). */
void outbox_message_id(char *out, size_t n, int64_t id, struct ac_str dedupe,
		       const char *domain);

#endif
