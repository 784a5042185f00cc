/* desk_int.h: what the desk's files share (desk layer, internal).
 * struct desk is defined here for the files of src/desk only; callers
 * see it opaque. */
#ifndef AC_DESK_INT_H
#define AC_DESK_INT_H

#include "../codec/codec.h"
#include "../codec/json_util.h"
#include "../core/decide.h"
#include "../store/store.h"
#include "../core/instant.h"
#include "desk.h"

#define DESK_TOKEN_TTL_US (2 * AC_US_PER_S)

struct desk {
	struct store *store;
	const struct policy *policy;
	int64_t (*now)(void *);
	void *clock_ctx;
	struct case_reader *rd2;        /* stored claims */
	struct ac_case *c;              /* the case being decided */
	struct buf scratch, facts, djson, claim;
	/* what the last call's result borrows, released by the next */
	struct store_case_view v_cv;    /* a case as desk_read_case reads it */
	struct store_quote v_q;
	struct buf v_mem;               /* the decision's strings */
	struct json_arena v_arena;      /* its parse's nodes */
	struct store_order v_so;        /* an order a result shows */
	struct store_evidence v_ev;     /* evidence a result shows */
	struct store_case_page *v_cases;    /* a page of cases shown */
	struct store_audit_page *v_audit;   /* a page of audit events */
	struct desk_case_row v_rows[DESK_PAGE_MAX];
	struct desk_audit_event v_events[DESK_PAGE_MAX];
	/* a list result: rows, their strings, where the strings go */
	struct buf h_rows, h_strs, h_fix;
	/* where a row goes once h_rows is full (hold_done then fails) */
	_Alignas(16) char h_spill[256];
	char v_id[STORE_ID_MAX];
	char v_order[STORE_ID_MAX];     /* an opened case's order */
	/* live tokens seen lately, so that a request need not read the
	 * store to know its caller: kept DESK_TOKEN_TTL_US at most */
	struct {
		char hash[65];
		char name[128];
		int64_t until;
	} tokens[16];
	unsigned next_token;
	bool batch;                     /* group commit: one transaction */
	bool in_sp;                     /* a call's savepoint is open */
	/* the policy's versions (policies.c): policy above is the one in
	 * use; base the config's, its text (NULL: not recorded); when reads
	 * last looked the active one up (monotonic microseconds) */
	const struct policy *base;
	const char *base_text;
	size_t base_text_n;
	int64_t policy_seen;
	struct store_policy v_pol;          /* a version a result shows */
	struct store_policy_page *v_pols;   /* the versions a result lists */
	struct desk_policy_version v_versions[DESK_PAGE_MAX];
};

/* A case loaded with everything needed to decide it again. */
struct loaded {
	struct store_case sc;
	struct store_order so;
	bool have_sc, have_so;
};

void loaded_release(struct loaded *l);

/* The desk's own page for a list result, emptied of the last one's rows
 * (a list's rows stay the desk's until its next call). */
struct store_case_page *desk_case_page(struct desk *d);
struct store_audit_page *desk_audit_page(struct desk *d);

/* desk_case_rows turns the desk's page of cases into its rows. */
const struct desk_case_row *desk_case_rows(struct desk *d);

static inline int64_t desk_now(struct desk *d)
{
	return d->now(d->clock_ctx);
}

static inline struct ac_str S(const char *s)
{
	return store_str(s);
}

/* desk_audit appends an audit event; before/after may be NULL. */
int desk_audit(struct desk *d, const char *actor, const char *action,
	       const char *entity, struct ac_str entity_id,
	       const char *before, const char *after, struct ac_err *err);

/* desk_audit_rec appends an audit event whose before and after are flat
 * records (written by the codec); nb or na 0: none. */
int desk_audit_rec(struct desk *d, const char *actor, const char *action,
		   const char *entity, struct ac_str entity_id,
		   const struct record_field *before, int nb,
		   const struct record_field *after, int na,
		   struct ac_err *err);

/* Every desk call that writes runs between desk_txn_begin and
 * desk_txn_commit: its own transaction, or in a group commit a savepoint
 * of the batch's. desk_fail undoes what the call wrote and returns rc. */
int desk_txn_begin(struct desk *d, struct ac_err *err);
int desk_txn_commit(struct desk *d, struct ac_err *err);
int desk_fail(struct desk *d, int rc);

/* desk_build_case fills d->c from a stored order and a claim JSON text. */
int desk_build_case(struct desk *d, const struct store_order *so,
		    struct ac_str claim_json, struct ac_err *err);

/* desk_decide_save decides d->c (whose claim JSON is claim_json), applies
 * an accepted repair quote, and saves the decision for case_id; *dec gets
 * the decision. It is desk_decide then desk_save_decision: a case being
 * opened is decided before it is stored (no id, no quote yet), so that
 * it is stored with its verdict once. */
int desk_decide_save(struct desk *d, struct ac_str case_id,
		     struct ac_str claim_json, struct decision *dec,
		     struct ac_err *err);
int desk_decide(struct desk *d, struct ac_str case_id, struct decision *dec,
		struct ac_err *err);
int desk_save_decision(struct desk *d, struct ac_str case_id,
		       struct ac_str claim_json, const struct decision *dec,
		       struct ac_err *err);

/* desk_redecide_order decides again every case of the order that is not
 * resolved, closed or overridden; each one becomes a row (struct
 * desk_case_line) of the hold, which the caller resets first. Runs
 * inside the caller's transaction. */
int desk_redecide_order(struct desk *d, const char *actor,
			struct ac_str order_id, struct ac_err *err);

/* desk_load_case loads the case and its order. */
int desk_load_case(struct desk *d, const char *case_id, struct loaded *l,
		   struct ac_err *err);

/* desk_read_case fills *out with the case as it stands (the desk's
 * v_* hold what it borrows). */
int desk_read_case(struct desk *d, struct ac_str case_id,
		   struct desk_case *out, struct ac_err *err);

/* A list result is built in the desk's hold: hold_reset empties it,
 * hold_row appends a zeroed row of `size` bytes (the pointer is good
 * until the next hold_row), hold_str copies s for the row's string
 * member *field, and hold_done points every such member at its copy and
 * returns the rows (valid until the next hold_reset). */
void hold_reset(struct desk *d);
void *hold_row(struct desk *d, size_t size);
void hold_str(struct desk *d, void *row, struct ac_str *field,
	      struct ac_str s);
const void *hold_done(struct desk *d, struct ac_err *err);

/* desk_status_for: the status a (re)decided case takes. */
enum case_status desk_status_for(enum verdict v);

/* desk_policy_txn: the active policy, looked up at the start of a write
 * transaction (desk_txn_begin, desk_batch_begin) and in use from then;
 * records the desk's own when none is active. desk_policy_read: the same
 * for a read, at most once a second, recording nothing. */
int desk_policy_txn(struct desk *d, struct ac_err *err);
void desk_policy_read(struct desk *d);
/* desk_policy_of: the policy a stored decision names (its hash) when
 * it is kept, else the one in use. */
const struct policy *desk_policy_of(struct desk *d, struct ac_str hash);
/* desk_policy_release frees what desk_free must (policies.c). */
void desk_policy_release(struct desk *d);

/* desk_apply_event applies a courier event of that kind ("delivered",
 * "lost_confirmed", "customs_held", ...) to the shipment: 1 when the kind
 * changes a fact a decision rests on, 0 (sh untouched) otherwise
 * (orders.c; the webhooks use it too). */
int desk_apply_event(const char *kind, int64_t at, struct shipment *sh);

/* desk_paid: what was paid on the order: paid_minor when the order gave
 * it, else its items and shipping. */
int64_t desk_paid(const struct store_order *so);

#endif
