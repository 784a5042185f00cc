/* desk.c: the desk itself, tokens, audit, and deciding stored cases
 * (desk layer). Every decision the desk makes goes through
 * desk_decide_save: facts from the store, decide() from core, the
 * decision and its facts back to the store. */
#include "desk_int.h"
#include "outbox.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/instant.h"

int64_t desk_clock_real(void *unused)
{
	struct timespec ts;

	(void)unused;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * AC_US_PER_S + ts.tv_nsec / 1000;
}

int64_t desk_clock_now(const struct desk *d)
{
	return d->now(d->clock_ctx);
}

int desk_new(const struct desk_config *cfg, struct desk **out,
	     struct ac_err *err)
{
	struct desk *d;

	if (!cfg->store || !cfg->policy || !cfg->now)
		return ac_err_set(err, AC_EINVAL, "desk",
				  "store, policy and clock are required");
	if (sodium_init() < 0)
		return ac_err_set(err, AC_EIO, "desk",
				  "libsodium failed to initialise");
	d = xcalloc(1, sizeof *d);
	d->store = cfg->store;
	d->policy = cfg->policy;
	d->base = cfg->policy;
	d->base_text = cfg->policy_text;
	d->base_text_n = cfg->policy_text_n;
	d->now = cfg->now;
	d->clock_ctx = cfg->clock_ctx;
	d->rd2 = case_reader_new();
	d->c = xmalloc(sizeof *d->c);
	buf_init(&d->scratch, 64u << 20);
	buf_init(&d->facts, 4u << 20);
	buf_init(&d->djson, 1u << 20);
	buf_init(&d->claim, AC_CASE_MAX_BYTES);
	buf_init(&d->v_mem, 1u << 20);
	json_arena_init(&d->v_arena);
	buf_init(&d->h_rows, 64u << 20);
	buf_init(&d->h_strs, 64u << 20);
	buf_init(&d->h_fix, 16u << 20);
	*out = d;
	return 0;
}

void desk_free(struct desk *d)
{
	if (!d)
		return;
	case_reader_free(d->rd2);
	desk_policy_release(d);
	free(d->c);
	buf_release(&d->scratch);
	buf_release(&d->facts);
	buf_release(&d->djson);
	buf_release(&d->claim);
	buf_release(&d->v_mem);
	json_arena_release(&d->v_arena);
	buf_release(&d->h_rows);
	buf_release(&d->h_strs);
	buf_release(&d->h_fix);
	store_order_release(&d->v_so);
	store_evidence_release(&d->v_ev);
	store_case_view_release(&d->v_cv);
	store_quote_release(&d->v_q);
	if (d->v_cases)
		store_case_page_release(d->v_cases);
	if (d->v_audit)
		store_audit_page_release(d->v_audit);
	free(d->v_cases);
	free(d->v_audit);
	free(d);
}

struct store_case_page *desk_case_page(struct desk *d)
{
	if (!d->v_cases)
		d->v_cases = xcalloc(1, sizeof *d->v_cases);
	store_case_page_release(d->v_cases);
	memset(d->v_cases, 0, sizeof *d->v_cases);
	return d->v_cases;
}

_Static_assert(DESK_PAGE_MAX == STORE_PAGE_MAX,
	       "a desk page holds a store page");

const struct desk_case_row *desk_case_rows(struct desk *d)
{
	const struct store_case_page *p = d->v_cases;

	for (int i = 0; i < p->n && i < DESK_PAGE_MAX; i++) {
		const struct store_case_row *r = &p->rows[i];
		struct desk_case_row *v = &d->v_rows[i];

		*v = (struct desk_case_row){
			.id = r->id, .order_id = r->order_id,
			.status = r->status, .claim_type = r->claim_type,
			.opened_at = r->opened_at,
			.has_deadline = r->has_deadline,
			.deadline = r->deadline,
			.has_response_due = r->has_response_due,
			.response_due = r->response_due_at,
			.due = r->due_at,
		};
		/* a verdict the store kept is one the desk wrote */
		v->has_verdict = r->has_decision &&
			verdict_parse(r->verdict.p, r->verdict.n,
				      &v->verdict) == 0;
		/* and so is a clause: one the code names */
		v->has_clause = r->clause.n &&
			clause_id_parse(r->clause.p, r->clause.n,
					&v->clause) == 0;
	}
	return d->v_rows;
}

struct store_audit_page *desk_audit_page(struct desk *d)
{
	if (!d->v_audit)
		d->v_audit = xcalloc(1, sizeof *d->v_audit);
	store_audit_page_release(d->v_audit);
	memset(d->v_audit, 0, sizeof *d->v_audit);
	return d->v_audit;
}

int desk_health(struct desk *d, struct ac_err *err)
{
	return store_health(d->store, err);
}

/* ---- tokens ----------------------------------------------------------- */

static void token_hash(const char *token, char hex[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof h, (const unsigned char *)token,
			   strlen(token), NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof h);
}

int desk_token_add(struct desk *d, const char *name, char token_out[80],
		   struct ac_err *err)
{
	unsigned char raw[32];
	char hash[65];
	int rc;

	if (!name || !*name || strlen(name) > 100)
		return ac_err_set(err, AC_EINVAL, "name",
				  "a token needs a name of 1 to 100 bytes");
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token_out, 65, raw, sizeof raw);
	token_hash(token_out, hash);
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_put_token(d->store, S(name), S(hash), desk_now(d),
				     NULL, err);
	if (!rc)
		rc = desk_audit(d, "system", "token.add", "token", S(name),
				NULL, NULL, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_token_revoke(struct desk *d, const char *name, int *count,
		      struct ac_err *err)
{
	int rc = desk_txn_begin(d, err);

	if (!rc)
		rc = store_revoke_tokens_named(d->store, S(name), desk_now(d),
					       count, err);
	if (!rc)
		rc = desk_audit(d, "system", "token.revoke", "token", S(name),
				NULL, NULL, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	memset(d->tokens, 0, sizeof d->tokens);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_token_check(struct desk *d, const char *token, char name_out[128],
		     struct ac_err *err)
{
	struct store_token t = { 0 };
	char hash[65];
	int rc;

	int64_t now = desk_now(d);

	if (!token || strlen(token) != 64)
		return ac_err_set(err, AC_ENOTFOUND, "token", "unknown token");
	token_hash(token, hash);
	for (size_t i = 0; i < sizeof d->tokens / sizeof d->tokens[0]; i++) {
		if (d->tokens[i].until > now &&
		    !strcmp(d->tokens[i].hash, hash)) {
			memcpy(name_out, d->tokens[i].name, 128);
			return 0;
		}
	}
	rc = store_find_token(d->store, S(hash), &t, err);
	if (!rc) {
		unsigned k = d->next_token++ %
			     (sizeof d->tokens / sizeof d->tokens[0]);

		snprintf(name_out, 128, "%.*s", (int)t.name.n, t.name.p);
		memcpy(d->tokens[k].hash, hash, sizeof hash);
		memcpy(d->tokens[k].name, name_out, 128);
		d->tokens[k].until = now + DESK_TOKEN_TTL_US;
	}
	store_token_release(&t);
	return rc;
}

/* ---- shared helpers --------------------------------------------------- */

int desk_txn_begin(struct desk *d, struct ac_err *err)
{
	int rc;

	if (!d->batch) {
		/* the active policy is the one this transaction decides by */
		if ((rc = store_begin(d->store, err)) == 0 &&
		    (rc = desk_policy_txn(d, err)) != 0)
			store_rollback(d->store, NULL);
		return rc;
	}
	rc = store_savepoint(d->store, STORE_SP_BEGIN, err);
	d->in_sp = rc == 0;
	return rc;
}

int desk_txn_commit(struct desk *d, struct ac_err *err)
{
	int rc;

	if (!d->batch)
		return store_commit(d->store, err);
	/* a savepoint that failed to release is still there for desk_fail
	 * to undo: its work must not go out with the batch */
	rc = store_savepoint(d->store, STORE_SP_RELEASE, err);
	if (!rc)
		d->in_sp = false;
	return rc;
}

int desk_fail(struct desk *d, int rc)
{
	if (d->batch) {
		if (d->in_sp)
			store_savepoint(d->store, STORE_SP_ROLLBACK, NULL);
		d->in_sp = false;
	} else if (store_in_transaction(d->store)) {
		store_rollback(d->store, NULL);
	}
	return rc;
}

int desk_batch_begin(struct desk *d, struct ac_err *err)
{
	int rc;

	if (d->batch)
		return ac_err_set(err, AC_ESTATE, "batch", "already open");
	rc = store_begin(d->store, err);
	if (rc == 0 && (rc = desk_policy_txn(d, err)) != 0)
		store_rollback(d->store, NULL);
	d->batch = rc == 0;
	return rc;
}

int desk_batch_commit(struct desk *d, struct ac_err *err)
{
	if (!d->batch)
		return ac_err_set(err, AC_ESTATE, "batch", "none is open");
	d->batch = false;
	d->in_sp = false;
	return store_commit(d->store, err);
}

bool desk_batch_open(const struct desk *d)
{
	return d->batch;
}

int desk_read_begin(struct desk *d, struct ac_err *err)
{
	if (d->batch)
		return ac_err_set(err, AC_ESTATE, "read", "a batch is open");
	desk_policy_read(d);
	return store_begin_read(d->store, err);
}

void desk_read_end(struct desk *d)
{
	store_rollback(d->store, NULL);
}

void desk_read_one(struct desk *d)
{
	desk_policy_read(d);
}

bool desk_is_local(const struct desk *d)
{
	return !strcmp(store_backend_name(d->store), "sqlite");
}

int desk_audit(struct desk *d, const char *actor, const char *action,
	       const char *entity, struct ac_str entity_id,
	       const char *before, const char *after, struct ac_err *err)
{
	struct store_audit a = {
		.at = desk_now(d),
		.actor = S(actor),
		.action = S(action),
		.entity = S(entity),
		.entity_id = entity_id,
		.before_json = S(before),
		.after_json = S(after),
	};

	return store_append_audit(d->store, &a, NULL, err);
}

int desk_audit_rec(struct desk *d, const char *actor, const char *action,
		   const char *entity, struct ac_str entity_id,
		   const struct record_field *before, int nb,
		   const struct record_field *after, int na,
		   struct ac_err *err)
{
	struct buf b, a;
	int rc;

	buf_init(&b, 1u << 20);
	buf_init(&a, 1u << 20);
	if (nb)
		record_json_write(before, nb, &b);
	if (na)
		record_json_write(after, na, &a);
	if (buf_error(&b) || buf_error(&a))
		rc = ac_err_set(err, AC_ELIMIT, "audit",
				"the event is larger than its 1 MiB buffer");
	else
		rc = desk_audit(d, actor, action, entity, entity_id,
				nb ? buf_cstr(&b) : NULL,
				na ? buf_cstr(&a) : NULL, err);
	buf_release(&b);
	buf_release(&a);
	return rc;
}

void hold_reset(struct desk *d)
{
	buf_reset(&d->h_rows);
	buf_reset(&d->h_strs);
	buf_reset(&d->h_fix);
}

void *hold_row(struct desk *d, size_t size)
{
	size_t at = d->h_rows.len;
	static const char zero[sizeof d->h_spill];

	assert(size <= sizeof zero);
	/* rows stay aligned for any member: sizes are multiples of 8 */
	if (buf_add(&d->h_rows, zero, (size + 7) & ~(size_t)7)) {
		/* the error sticks: hold_done reports it */
		memset(d->h_spill, 0, sizeof d->h_spill);
		return d->h_spill;
	}
	return d->h_rows.p + at;
}

void hold_str(struct desk *d, void *row, struct ac_str *field,
	      struct ac_str s)
{
	size_t fix[2];

	if (buf_error(&d->h_rows))
		return;
	fix[0] = (size_t)((char *)field - d->h_rows.p);
	fix[1] = d->h_strs.len;
	(void)row;
	buf_add(&d->h_strs, s.p ? s.p : "", s.n);
	buf_addc(&d->h_strs, '\0');
	buf_add(&d->h_fix, fix, sizeof fix);
	field->n = s.n;
}

const void *hold_done(struct desk *d, struct ac_err *err)
{
	const size_t *fix = (const size_t *)(void *)d->h_fix.p;
	size_t n = d->h_fix.len / (2 * sizeof *fix);

	if (buf_error(&d->h_rows) || buf_error(&d->h_strs) ||
	    buf_error(&d->h_fix)) {
		ac_err_set(err, AC_ELIMIT, "result",
			   "too many rows to answer at once");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct ac_str *f = (struct ac_str *)(void *)
				   (d->h_rows.p + fix[2 * i]);

		f->p = d->h_strs.p + fix[2 * i + 1];
	}
	return d->h_rows.p ? d->h_rows.p : "";
}

int64_t desk_paid(const struct store_order *so)
{
	return so->has_paid ? so->paid_minor : order_total_minor(&so->order);
}

void loaded_release(struct loaded *l)
{
	if (l->have_sc)
		store_case_release(&l->sc);
	if (l->have_so)
		store_order_release(&l->so);
	l->have_sc = l->have_so = false;
}

int desk_load_case(struct desk *d, const char *case_id, struct loaded *l,
		   struct ac_err *err)
{
	int rc;

	memset(l, 0, sizeof *l);
	rc = store_get_case(d->store, S(case_id), &l->sc, err);
	if (rc)
		return rc;
	l->have_sc = true;
	rc = store_get_order(d->store, l->sc.order_id, &l->so, err);
	if (rc)
		return rc;
	l->have_so = true;
	return 0;
}

int desk_build_case(struct desk *d, const struct store_order *so,
		    struct ac_str claim_json, struct ac_err *err)
{
	struct ac_case *c = d->c;

	c->order = so->order;
	c->shipped = so->shipped;
	c->shipment = so->shipment;
	return claim_json_read(d->rd2, claim_json.p, claim_json.n, c, err);
}

enum case_status desk_status_for(enum verdict v)
{
	return v == VERDICT_PENDING ? CASE_STATUS_WAITING : CASE_STATUS_OPEN;
}

/* An accepted repair quote fixes what a paid repair costs (warranty.3:
 * "charge 0 until quoted"). */
static int apply_quote(struct desk *d, struct ac_str case_id,
		       struct decision *dec, struct ac_err *err)
{
	struct store_quote q = { 0 };
	int rc;

	if (dec->verdict != VERDICT_PAID_REPAIR)
		return 0;
	rc = store_get_case_quote(d->store, case_id, &q, err);
	if (rc == AC_ENOTFOUND) {       /* not quoted yet */
		ac_err_clear(err);
		return 0;
	}
	if (rc == 0 &&
	    (q.status == QUOTE_STATUS_ACCEPTED ||
	     q.status == QUOTE_STATUS_REPAIRED ||
	     q.status == QUOTE_STATUS_SHIPPED_BACK)) {
		int k = 0;

		dec->charge_minor = q.amount_minor;
		for (int i = 0; i < dec->n_needs; i++)
			if (dec->needs[i] != NEED_REPAIR_QUOTE)
				dec->needs[k++] = dec->needs[i];
		dec->n_needs = k;
		for (int i = 0; i < dec->n_remedies; i++)
			if (dec->remedies[i].type == REMEDY_REPAIR)
				dec->remedies[i].amount_minor =
					q.amount_minor;
	}
	store_quote_release(&q);
	return rc;
}

int desk_decide_save(struct desk *d, struct ac_str case_id,
		     struct ac_str claim_json, struct decision *dec,
		     struct ac_err *err)
{
	int rc = desk_decide(d, case_id, dec, err);

	return rc ? rc : desk_save_decision(d, case_id, claim_json, dec, err);
}

/* case_id.n == 0: a case not stored yet, which has no quote */
int desk_decide(struct desk *d, struct ac_str case_id, struct decision *dec,
		struct ac_err *err)
{
	int rc;

	d->c->now = desk_now(d);
	rc = decide(d->policy, d->c, dec, err);
	if (!rc && case_id.n)
		rc = apply_quote(d, case_id, dec, err);
	return rc;
}

int desk_save_decision(struct desk *d, struct ac_str case_id,
		       struct ac_str claim_json, const struct decision *dec,
		       struct ac_err *err)
{
	struct ac_case *c = d->c;
	int rc;

	buf_reset(&d->facts);
	buf_reset(&d->djson);
	rc = case_facts_write(c, claim_json, &d->facts);
	rc |= decision_json_write(dec, &d->djson);
	if (rc)
		return ac_err_set(err, AC_ELIMIT, "case",
				  "facts too large to store");

	struct store_decision sd = {
		.case_id = case_id,
		.decided_at = c->now,
		.verdict = S(verdict_name(dec->verdict)),
		.refund_max_minor = dec->refund_max_minor,
		.charge_minor = dec->charge_minor,
		.has_deadline = dec->has_deadline,
		.deadline = dec->deadline,
		.policy = S(dec->policy),
		.decision_json = { d->djson.p, d->djson.len },
		.facts_json = { d->facts.p, d->facts.len },
	};
	return store_save_decision(d->store, &sd, NULL, err);
}

int desk_redecide_order(struct desk *d, const char *actor,
			struct ac_str order_id, struct ac_err *err)
{
	struct store_case_filter f = {
		.status_mask = CASE_STATUS_BIT(CASE_STATUS_OPEN) |
			       CASE_STATUS_BIT(CASE_STATUS_WAITING) |
			       CASE_STATUS_BIT(CASE_STATUS_DECIDED),
		.order_id = order_id,
		.limit = STORE_PAGE_MAX,
	};
	struct store_case_page *page = xcalloc(1, sizeof *page);
	struct store_order so = { 0 };
	char after[STORE_ID_MAX] = "";
	int rc;

	/* every case is of this one order: read it once */
	rc = store_get_order(d->store, order_id, &so, err);
	while (!rc) {
		f.after_id = S(after);
		rc = store_list_cases(d->store, &f, page, err);
		if (rc)
			break;
		for (int i = 0; i < page->n && !rc; i++) {
			struct store_case_row *row = &page->rows[i];
			struct store_case sc = { 0 };
			struct decision dec;
			enum verdict was = VERDICT_PENDING;

			rc = store_get_case(d->store, row->id, &sc, err);
			if (!rc && sc.has_override) {  /* staff own it now */
				store_case_release(&sc);
				continue;
			}
			if (!rc && row->has_decision &&
			    verdict_parse(row->verdict.p, row->verdict.n, &was))
				rc = ac_err_set(err, AC_EIO, "decision.verdict",
						"not a verdict in the store");
			if (!rc)
				rc = desk_build_case(d, &so, sc.claim_json,
						     err);
			if (!rc)
				rc = desk_decide_save(d, sc.id, sc.claim_json,
						      &dec, err);
			if (rc) {
				store_case_release(&sc);
				break;
			}
			enum case_status st = sc.status;
			bool changed = !row->has_decision ||
				       was != dec.verdict;

			if (changed)
				st = desk_status_for(dec.verdict);
			if (st != sc.status)
				rc = store_update_case_status(d->store, sc.id,
							      st, desk_now(d),
							      err);
			struct record_field before[] = {
				RECORD_S("status",
					 S(case_status_name(sc.status))),
				RECORD_S("verdict", row->has_decision ?
					 S(verdict_name(was)) : S("")),
			}, afterr[] = {
				RECORD_S("status", S(case_status_name(st))),
				RECORD_S("verdict",
					 S(verdict_name(dec.verdict))),
			};

			if (!rc)
				rc = desk_audit_rec(d, actor, "case.redecide",
						    "case", sc.id, before, 2,
						    afterr, 2, err);
			/* a verdict that changes is told (issue 10) */
			if (!rc && changed && row->has_decision) {
				struct desk_mail_facts mf = {
					.order_id = order_id,
					.verdict = verdict_name(dec.verdict),
				};
				char key[24];

				snprintf(key, sizeof key, "%lld",
					 (long long)desk_now(d));
				rc = desk_outbox_mail(d, MAIL_DECISION_CHANGED,
						      sc.id, &mf, key, err);
			}
			if (!rc) {
				struct desk_case_line *l =
					hold_row(d, sizeof *l);

				hold_str(d, l, &l->id, sc.id);
				l->status = st;
				l->claim_type = sc.claim_type;
				l->has_verdict = true;
				l->verdict = dec.verdict;
			}
			store_case_release(&sc);
		}
		if (rc || !page->more || page->n == 0)
			break;
		snprintf(after, sizeof after, "%.*s",
			 (int)page->rows[page->n - 1].id.n,
			 page->rows[page->n - 1].id.p);
		store_case_page_release(page);
	}
	store_case_page_release(page);
	store_order_release(&so);
	free(page);
	return rc;
}
