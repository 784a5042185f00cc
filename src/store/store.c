/* store.c: the store's front (store layer).
 * Picks a backend from the --db string, checks every argument that does not
 * depend on the backend (so that each backend sees only well-formed
 * records and the errors name the field), prepares result records and
 * forwards each call to the backend's x-method. */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/decide.h"

struct store {
	const struct store_ops *ops;
	void *impl;
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- argument checks -------------------------------------------------- */

static bool has_nul(struct ac_str s)
{
	return s.n && memchr(s.p, '\0', s.n) != NULL;
}

/* text: a string the store keeps; may be empty unless required. */
static int check_text(struct ac_str s, bool required, size_t max,
		      const char *field, struct ac_err *err)
{
	if (s.n && !s.p)
		return ac_err_set(err, AC_EINVAL, field, "missing");
	if (required && s.n == 0)
		return ac_err_set(err, AC_EINVAL, field, "empty");
	if (s.n > max)
		return ac_err_set(err, AC_ELIMIT, field,
				  "longer than %zu bytes", max);
	if (has_nul(s))
		return ac_err_set(err, AC_EINVAL, field, "contains a NUL byte");
	return 0;
}

static int check_id(struct ac_str id, const char *field, struct ac_err *err)
{
	return check_text(id, true, STORE_ID_MAX - 1, field, err);
}

/* Free text (names, addresses, notes): generous, but named. */
#define TEXT_MAX (64u << 10)
/* A JSON document the store keeps (claim, decision, facts, audit). */
#define JSON_MAX (4u << 20)

static int check_amount(int64_t v, int64_t min, const char *field,
			struct ac_err *err)
{
	if (v < min || v > AC_MONEY_MAX)
		return ac_err_set(err, AC_EINVAL, field,
				  "amount out of range: %lld",
				  (long long)v);
	return 0;
}

static bool is_hex(struct ac_str s)
{
	for (size_t i = 0; i < s.n; i++)
		if (!((s.p[i] >= '0' && s.p[i] <= '9') ||
		      (s.p[i] >= 'a' && s.p[i] <= 'f')))
			return false;
	return true;
}

static bool is_verdict(struct ac_str v)
{
	for (int i = VERDICT_FULL_REFUND; i <= VERDICT_PAID_REPAIR; i++) {
		const char *name = verdict_name((enum verdict)i);

		if (strlen(name) == v.n && memcmp(name, v.p, v.n) == 0)
			return true;
	}
	return false;
}

static int check_verdict(struct ac_str v, const char *field,
			 struct ac_err *err)
{
	int rc;

	if ((rc = check_text(v, true, 32, field, err)))
		return rc;
	if (!is_verdict(v))
		return ac_err_set(err, AC_EINVAL, field, "not a verdict: %.*s",
				  (int)v.n, v.p);
	return 0;
}

static int check_address(const struct address *a, const char *prefix,
			 struct ac_err *err)
{
	const struct { const struct ac_str *s; const char *name; } f[] = {
		{ &a->name, "name" }, { &a->line1, "line1" },
		{ &a->line2, "line2" }, { &a->city, "city" },
		{ &a->region, "region" }, { &a->postal_code, "postal_code" },
		{ &a->country, "country" },
	};
	char field[96];
	int rc;

	for (int i = 0; i < COUNT(f); i++) {
		snprintf(field, sizeof field, "%s.%s", prefix, f[i].name);
		if ((rc = check_text(*f[i].s, false, TEXT_MAX, field, err)))
			return rc;
	}
	return 0;
}

static int check_shipment(const struct shipment *sh, struct ac_err *err)
{
	int rc;

	if ((rc = check_address(&sh->address, "shipment.address", err)))
		return rc;
	if (sh->delivered && sh->delivered_at < sh->shipped_at)
		return ac_err_set(err, AC_EINVAL, "shipment.delivered_at",
				  "before shipped_at");
	if ((int)sh->courier_finding < COURIER_NONE ||
	    sh->courier_finding > COURIER_DELIVERED_PROVEN)
		return ac_err_set(err, AC_EINVAL, "shipment.courier_finding",
				  "out of range");
	if ((int)sh->customs < CUSTOMS_NONE ||
	    sh->customs > CUSTOMS_REFUSED_BY_CUSTOMER)
		return ac_err_set(err, AC_EINVAL, "shipment.customs",
				  "out of range");
	return 0;
}

/* item_field writes "order.items[i].name" into buf. */
static const char *item_field(char *buf, size_t cap, int i, const char *name)
{
	snprintf(buf, cap, "order.items[%d].%s", i, name);
	return buf;
}

static int check_item(const struct item *it, int i, struct ac_err *err)
{
	const struct { const struct ac_str *s; const char *name; } f[] = {
		{ &it->sku, "sku" }, { &it->style, "style" },
		{ &it->shape, "shape" }, { &it->material, "material" },
		{ &it->color, "color" }, { &it->certificate, "certificate" },
	};
	char field[96];
	int rc;

	for (int k = 0; k < COUNT(f); k++)
		if ((rc = check_text(*f[k].s, false, TEXT_MAX,
				     item_field(field, sizeof field, i,
						f[k].name), err)))
			return rc;
	if ((int)it->kind < 0 || it->kind >= KIND_COUNT)
		return ac_err_set(err, AC_EINVAL,
				  item_field(field, sizeof field, i, "kind"),
				  "out of range");
	if (it->has_size && (it->size_milli < 0 || it->size_milli > 1000000))
		return ac_err_set(err, AC_EINVAL,
				  item_field(field, sizeof field, i, "size"),
				  "out of range");
	return check_amount(it->price_minor, 0,
			    item_field(field, sizeof field, i, "price_minor"),
			    err);
}

static int check_order(const struct store_order *so, struct ac_err *err)
{
	const struct order *o = &so->order;
	int rc;

	if ((rc = check_id(o->id, "order.id", err)))
		return rc;
	if (!o->currency)
		return ac_err_set(err, AC_EINVAL, "order.currency", "missing");
	if ((rc = check_amount(o->shipping_minor, 0, "order.shipping_minor",
			       err)))
		return rc;
	if (so->has_paid &&
	    (rc = check_amount(so->paid_minor, 0, "order.paid_minor", err)))
		return rc;
	if ((rc = check_address(&o->address, "order.address", err)))
		return rc;
	if ((rc = check_text(so->customer_name, false, TEXT_MAX,
			     "customer.name", err)) ||
	    (rc = check_text(so->customer_email, false, TEXT_MAX,
			     "customer.email", err)))
		return rc;
	if (o->n_items < 1 || o->n_items > AC_MAX_ITEMS)
		return ac_err_set(err, AC_EINVAL, "order.items",
				  "between 1 and %d items", AC_MAX_ITEMS);
	for (int i = 0; i < o->n_items; i++) {
		char field[96];

		if ((rc = check_item(&o->items[i], i, err)))
			return rc;
		for (int j = 0; j < i; j++)
			if (o->items[j].line == o->items[i].line)
				return ac_err_set(err, AC_EINVAL,
						  item_field(field,
							     sizeof field, i,
							     "line"),
						  "line %d twice",
						  o->items[i].line);
	}
	if (so->shipped)
		return check_shipment(&so->shipment, err);
	return 0;
}

/* store_made_id: "C-" and digits, the form of the ids the store picks. A
 * caller's own id may not take that form, or it could collide with one the
 * store picks later. */
static bool store_made_id(struct ac_str id)
{
	if (id.n < 3 || id.p[0] != 'C' || id.p[1] != '-')
		return false;
	for (size_t i = 2; i < id.n; i++)
		if (id.p[i] < '0' || id.p[i] > '9')
			return false;
	return true;
}

static int check_case(const struct store_case *c, struct ac_err *err)
{
	int rc;

	if (c->id.n && (rc = check_id(c->id, "case.id", err)))
		return rc;
	if (store_made_id(c->id))
		return ac_err_set(err, AC_EINVAL, "case.id",
				  "ids of the form C-<digits> are the store's "
				  "to pick");
	if ((rc = check_id(c->order_id, "case.order_id", err)))
		return rc;
	if (!store_case_status_name(c->status))
		return ac_err_set(err, AC_EINVAL, "case.status",
				  "out of range");
	if ((int)c->claim_type < CLAIM_CANCEL || c->claim_type > CLAIM_REPAIR)
		return ac_err_set(err, AC_EINVAL, "case.claim.type",
				  "out of range");
	if ((rc = check_text(c->claim_json, true, JSON_MAX, "case.claim",
			     err)))
		return rc;
	if (c->has_override &&
	    ((rc = check_verdict(c->override_verdict,
				 "case.override.verdict", err)) ||
	     (rc = check_text(c->override_reason, true, TEXT_MAX,
			      "case.override.reason", err)) ||
	     (rc = check_text(c->override_author, true, TEXT_MAX,
			      "case.override.author", err))))
		return rc;
	if (c->has_approval &&
	    (rc = check_text(c->approved_by, true, TEXT_MAX,
			     "case.approved_by", err)))
		return rc;
	if (c->has_decided &&
	    ((rc = check_verdict(c->verdict, "case.verdict", err)) ||
	     (rc = check_text(c->clause, false, TEXT_MAX, "case.clause",
			      err))))
		return rc;
	return 0;
}

static int check_decision(const struct store_decision *d, struct ac_err *err)
{
	int rc;

	if ((rc = check_id(d->case_id, "decision.case_id", err)) ||
	    (rc = check_verdict(d->verdict, "decision.verdict", err)) ||
	    (rc = check_amount(d->refund_max_minor, 0,
			       "decision.refund_max_minor", err)) ||
	    (rc = check_amount(d->charge_minor, 0, "decision.charge_minor",
			       err)) ||
	    (rc = check_text(d->policy, true, 128, "decision.policy", err)) ||
	    (rc = check_text(d->decision_json, true, JSON_MAX, "decision",
			     err)) ||
	    (rc = check_text(d->facts_json, true, JSON_MAX, "decision.facts",
			     err)))
		return rc;
	return 0;
}

static int check_limit(int limit)
{
	return limit < 1 || limit > STORE_PAGE_MAX ? STORE_PAGE_MAX : limit;
}

/* ---- opening and closing ---------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int store_open(const char *dsn, struct store **out, struct ac_err *err)
{
	const struct store_ops *ops;
	void *impl = NULL;
	int rc;

	ac_err_clear(err);
	*out = NULL;
	if (!dsn || !*dsn)
		return ac_err_set(err, AC_EINVAL, "db", "empty database name");
	if (starts_with(dsn, "postgresql://") ||
	    starts_with(dsn, "postgres://"))
		ops = &store_postgres_ops;
	else
		ops = &store_sqlite_ops;
	if ((rc = ops->xOpen(dsn, &impl, err)))
		return rc;
	*out = xmalloc(sizeof **out);
	(*out)->ops = ops;
	(*out)->impl = impl;
	return 0;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	s->ops->xClose(s->impl);
	free(s);
}

const char *store_backend_name(const struct store *s)
{
	return s->ops->name;
}

int store_schema_version(struct store *s, int *version, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xSchemaVersion(s->impl, version, err);
}

int store_health(struct store *s, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xHealth(s->impl, err);
}

int store_begin(struct store *s, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xBegin(s->impl, err);
}

int store_begin_read(struct store *s, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xBeginRead(s->impl, err);
}

int store_commit(struct store *s, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xCommit(s->impl, err);
}

int store_rollback(struct store *s, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xRollback(s->impl, err);
}

int store_savepoint(struct store *s, enum store_sp what, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xSavepoint(s->impl, what, err);
}

bool store_in_transaction(struct store *s)
{
	return s->ops->xInTransaction(s->impl);
}

void store_test_fail_after(struct store *s, int n)
{
	s->ops->xTestFailAfter(s->impl, n);
}

void store_test_break_commit(struct store *s, bool kept)
{
	if (s->ops->xTestBreakCommit)
		s->ops->xTestBreakCommit(s->impl, kept);
}

/* ---- result records --------------------------------------------------- */

/* Each get/list zeroes its result and gives it an empty buffer; on failure
 * the result is released again, so that the caller may release it or not. */
#define RESULT_INIT(out) \
	do { \
		memset((out), 0, sizeof *(out)); \
		buf_init(&(out)->mem, STORE_MEM_MAX); \
	} while (0)
#define RESULT_DONE(out, rc) \
	do { \
		if (rc) { \
			buf_release(&(out)->mem); \
			RESULT_INIT(out); \
		} \
	} while (0)

void store_order_release(struct store_order *o)
{
	buf_release(&o->mem);
}

void store_case_release(struct store_case *c)
{
	buf_release(&c->mem);
}

void store_decision_release(struct store_decision *d)
{
	buf_release(&d->mem);
}

void store_idem_release(struct store_idem *i)
{
	buf_release(&i->mem);
}

void store_quote_release(struct store_quote *q)
{
	buf_release(&q->mem);
}

void store_case_view_release(struct store_case_view *v)
{
	buf_release(&v->mem);
}

void store_evidence_release(struct store_evidence *e)
{
	buf_release(&e->mem);
}

void store_token_release(struct store_token *t)
{
	buf_release(&t->mem);
}

void store_staff_user_release(struct store_staff_user *u)
{
	buf_release(&u->mem);
}

void store_session_release(struct store_session *x)
{
	buf_release(&x->mem);
}

void store_staff_user_page_release(struct store_staff_user_page *p)
{
	buf_release(&p->mem);
}

void store_message_page_release(struct store_message_page *p)
{
	buf_release(&p->mem);
}

void store_evidence_page_release(struct store_evidence_page *p)
{
	buf_release(&p->mem);
}

void store_case_page_release(struct store_case_page *p)
{
	buf_release(&p->mem);
}

void store_note_page_release(struct store_note_page *p)
{
	buf_release(&p->mem);
}

void store_tracking_page_release(struct store_tracking_page *p)
{
	buf_release(&p->mem);
}

void store_audit_page_release(struct store_audit_page *p)
{
	buf_release(&p->mem);
}

/* ---- orders and shipments --------------------------------------------- */

int store_put_order(struct store *s, const struct store_order *o,
		    struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_order(o, err)))
		return rc;
	return s->ops->xPutOrder(s->impl, o, err);
}

int store_get_order(struct store *s, struct ac_str id, struct store_order *out,
		    struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(id, "order.id", err)))
		rc = s->ops->xGetOrder(s->impl, id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_put_shipment(struct store *s, struct ac_str order_id,
		       const struct shipment *sh, int64_t updated_at,
		       struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(order_id, "order.id", err)) ||
	    (rc = check_shipment(sh, err)))
		return rc;
	return s->ops->xPutShipment(s->impl, order_id, sh, updated_at, err);
}

int store_add_tracking_event(struct store *s,
			     const struct store_tracking_event *ev,
			     int64_t *id, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(ev->order_id, "tracking.order_id", err)) ||
	    (rc = check_text(ev->kind, true, 64, "tracking.kind", err)) ||
	    (rc = check_text(ev->detail, false, TEXT_MAX, "tracking.detail",
			     err)))
		return rc;
	return s->ops->xAddTrackingEvent(s->impl, ev, id, err);
}

int store_list_tracking_events(struct store *s, struct ac_str order_id,
			       int64_t after_id, int limit,
			       struct store_tracking_page *out,
			       struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(order_id, "order.id", err)))
		rc = s->ops->xListTrackingEvents(s->impl, order_id, after_id,
						 check_limit(limit), out,
						 err);
	RESULT_DONE(out, rc);
	return rc;
}

/* ---- cases and decisions ---------------------------------------------- */

int store_put_case(struct store *s, const struct store_case *c,
		   char id_out[STORE_ID_MAX], struct ac_err *err)
{
	char scratch[STORE_ID_MAX];
	int rc;

	ac_err_clear(err);
	if ((rc = check_case(c, err)))
		return rc;
	return s->ops->xPutCase(s->impl, c, id_out ? id_out : scratch, err);
}

int store_get_case(struct store *s, struct ac_str id, struct store_case *out,
		   struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(id, "case.id", err)))
		rc = s->ops->xGetCase(s->impl, id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_get_case_view(struct store *s, struct ac_str id,
			struct store_case_view *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(id, "case.id", err)))
		rc = s->ops->xGetCaseView(s->impl, id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_update_case_status(struct store *s, struct ac_str id,
			     enum case_status status, int64_t updated_at,
			     struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(id, "case.id", err)))
		return rc;
	if (!store_case_status_name(status))
		return ac_err_set(err, AC_EINVAL, "case.status",
				  "out of range");
	return s->ops->xUpdateCaseStatus(s->impl, id, status, updated_at,
					 err);
}

int store_update_case_override(struct store *s, struct ac_str id,
			       struct ac_str verdict, struct ac_str reason,
			       struct ac_str author, int64_t at,
			       struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(id, "case.id", err)) ||
	    (rc = check_verdict(verdict, "override.verdict", err)) ||
	    (rc = check_text(reason, true, TEXT_MAX, "override.reason",
			     err)) ||
	    (rc = check_text(author, true, TEXT_MAX, "override.author", err)))
		return rc;
	return s->ops->xUpdateCaseOverride(s->impl, id, verdict, reason,
					   author, at, err);
}

int store_update_case_approval(struct store *s, struct ac_str id,
			       struct ac_str approved_by, int64_t at,
			       struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(id, "case.id", err)) ||
	    (rc = check_text(approved_by, true, TEXT_MAX, "approval.by",
			     err)))
		return rc;
	return s->ops->xUpdateCaseApproval(s->impl, id, approved_by, at, err);
}

/* check_list_cheap refuses the filter combinations no index serves
 * without reading beyond one order, one customer or one clause (store.h,
 * after store_list_cases). */
static int check_list_cheap(const struct store_case_filter *f,
			    struct ac_err *err)
{
	unsigned m = f->status_mask;
	const char *with = f->clause.n ? "clause" : "customer";

	if (f->has_deadline_before && (f->clause.n || f->customer.n))
		return ac_err_set(err, AC_EINVAL, "filter.deadline_before",
				  "cannot be combined with %s", with);
	if (!f->clause.n || f->order_id.n || f->customer.n)
		return 0;
	if (f->has_claim_type)
		return ac_err_set(err, AC_EINVAL, "filter.type",
				  "cannot be combined with clause unless an "
				  "order or a customer is given");
	if (m & (m - 1))
		return ac_err_set(err, AC_EINVAL, "filter.status",
				  "more than one status cannot be combined "
				  "with clause unless an order or a customer "
				  "is given");
	return 0;
}

int store_list_cases(struct store *s, const struct store_case_filter *f,
		     struct store_case_page *out, struct ac_err *err)
{
	struct store_case_filter g = *f;
	int rc = 0;

	ac_err_clear(err);
	RESULT_INIT(out);
	g.limit = check_limit(f->limit);
	if (g.status_mask >> CASE_STATUS_COUNT)
		rc = ac_err_set(err, AC_EINVAL, "filter.status",
				"unknown status bit");
	else if (g.has_claim_type && ((int)g.claim_type < CLAIM_CANCEL ||
				      g.claim_type > CLAIM_REPAIR))
		rc = ac_err_set(err, AC_EINVAL, "filter.type", "out of range");
	else if (g.order_id.n)
		rc = check_id(g.order_id, "filter.order", err);
	if (!rc && g.after_id.n)
		rc = check_id(g.after_id, "filter.after", err);
	if (!rc && g.clause.n)
		rc = check_text(g.clause, true, 64, "filter.clause", err);
	if (!rc && g.customer.n)
		rc = check_text(g.customer, true, TEXT_MAX, "filter.customer",
				err);
	if (!rc)
		rc = check_list_cheap(&g, err);
	if (!rc)
		rc = s->ops->xListCases(s->impl, &g, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_list_due(struct store *s, const struct store_due_filter *f,
		   struct store_case_page *out, struct ac_err *err)
{
	struct store_due_filter g = *f;
	int rc = 0;

	ac_err_clear(err);
	RESULT_INIT(out);
	g.limit = check_limit(f->limit);
	if (g.has_after && g.after_seq < 0)
		rc = ac_err_set(err, AC_EINVAL, "filter.after",
				"negative position");
	if (!rc)
		rc = s->ops->xListDue(s->impl, &g, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_save_decision(struct store *s, const struct store_decision *d,
			int64_t *id, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_decision(d, err)))
		return rc;
	return s->ops->xSaveDecision(s->impl, d, id, err);
}

int store_get_current_decision(struct store *s, struct ac_str case_id,
			       struct store_decision *out,
			       struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(case_id, "case.id", err)))
		rc = s->ops->xGetCurrentDecision(s->impl, case_id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

/* ---- the ledger ------------------------------------------------------- */

int store_add_ledger(struct store *s, const struct store_ledger_entry *e,
		     int64_t *id, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(e->case_id, "ledger.case_id", err)) ||
	    (rc = check_id(e->order_id, "ledger.order_id", err)) ||
	    (rc = check_amount(e->amount_minor, 1, "ledger.amount_minor",
			       err)) ||
	    (rc = check_text(e->actor, true, TEXT_MAX, "ledger.actor", err)) ||
	    (rc = check_text(e->idempotency_key, false, 255,
			     "ledger.idempotency_key", err)))
		return rc;
	if (!store_ledger_kind_name(e->kind))
		return ac_err_set(err, AC_EINVAL, "ledger.kind",
				  "out of range");
	if (!e->currency)
		return ac_err_set(err, AC_EINVAL, "ledger.currency", "missing");
	return s->ops->xAddLedger(s->impl, e, id, err);
}

int store_sum_ledger_case(struct store *s, struct ac_str case_id,
			  struct store_ledger_sum *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	memset(out, 0, sizeof *out);
	if ((rc = check_id(case_id, "case.id", err)))
		return rc;
	return s->ops->xSumLedgerCase(s->impl, case_id, out, err);
}

int store_sum_ledger_order(struct store *s, struct ac_str order_id,
			   struct store_ledger_sum *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	memset(out, 0, sizeof *out);
	if ((rc = check_id(order_id, "order.id", err)))
		return rc;
	return s->ops->xSumLedgerOrder(s->impl, order_id, out, err);
}

/* ---- idempotency ------------------------------------------------------ */

int store_get_idempotency(struct store *s, struct ac_str scope,
			  struct ac_str key, struct store_idem *out,
			  struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_text(scope, true, 255, "idempotency.scope", err)) &&
	    !(rc = check_text(key, true, 255, "idempotency.key", err)))
		rc = s->ops->xGetIdempotency(s->impl, scope, key, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_put_idempotency(struct store *s, const struct store_idem *in,
			  struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_text(in->scope, true, 255, "idempotency.scope",
			     err)) ||
	    (rc = check_text(in->key, true, 255, "idempotency.key", err)) ||
	    (rc = check_text(in->request_hash, true, 255,
			     "idempotency.request_hash", err)))
		return rc;
	if (in->ledger_id < 1)
		return ac_err_set(err, AC_EINVAL, "idempotency.ledger_id",
				  "not a ledger entry: %lld",
				  (long long)in->ledger_id);
	if (in->refunded_total_minor < 0 ||
	    in->refunded_total_minor > AC_MONEY_MAX)
		return ac_err_set(err, AC_EINVAL,
				  "idempotency.refunded_total_minor",
				  "not an amount from 0 to 2^53 - 1: %lld",
				  (long long)in->refunded_total_minor);
	return s->ops->xPutIdempotency(s->impl, in, err);
}

/* ---- repair quotes ---------------------------------------------------- */

int store_put_quote(struct store *s, const struct store_quote *q, int64_t *id,
		    struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(q->case_id, "quote.case_id", err)) ||
	    (rc = check_amount(q->amount_minor, 0, "quote.amount_minor", err)))
		return rc;
	if (!store_quote_status_name(q->status))
		return ac_err_set(err, AC_EINVAL, "quote.status",
				  "out of range");
	return s->ops->xPutQuote(s->impl, q, id, err);
}

int store_update_quote(struct store *s, int64_t id, enum quote_status status,
		       int64_t updated_at, struct ac_err *err)
{
	ac_err_clear(err);
	if (!store_quote_status_name(status))
		return ac_err_set(err, AC_EINVAL, "quote.status",
				  "out of range");
	return s->ops->xUpdateQuote(s->impl, id, status, updated_at, err);
}

int store_get_quote(struct store *s, int64_t id, struct store_quote *out,
		    struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	rc = s->ops->xGetQuote(s->impl, id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_get_case_quote(struct store *s, struct ac_str case_id,
			 struct store_quote *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(case_id, "case.id", err)))
		rc = s->ops->xGetCaseQuote(s->impl, case_id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

/* ---- notes and evidence ----------------------------------------------- */

int store_add_note(struct store *s, const struct store_note *n, int64_t *id,
		   struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(n->case_id, "note.case_id", err)) ||
	    (rc = check_text(n->author, true, TEXT_MAX, "note.author", err)) ||
	    (rc = check_text(n->body, true, TEXT_MAX, "note.body", err)))
		return rc;
	return s->ops->xAddNote(s->impl, n, id, err);
}

int store_list_notes(struct store *s, struct ac_str case_id, int64_t after_id,
		     int limit, struct store_note_page *out,
		     struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(case_id, "case.id", err)))
		rc = s->ops->xListNotes(s->impl, case_id, after_id,
					check_limit(limit), out, err);
	RESULT_DONE(out, rc);
	return rc;
}

static int check_sha256(struct ac_str h, struct ac_err *err)
{
	if (h.n != 64 || !h.p || !is_hex(h))
		return ac_err_set(err, AC_EINVAL, "evidence.sha256",
				  "not 64 lower-case hex digits");
	return 0;
}

int store_put_evidence(struct store *s, const struct store_evidence *e,
		       struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(e->case_id, "evidence.case_id", err)) ||
	    (rc = check_sha256(e->sha256, err)) ||
	    (rc = check_text(e->content_type, true, 255,
			     "evidence.content_type", err)) ||
	    (rc = check_text(e->path, false, 4096, "evidence.path", err)))
		return rc;
	if ((e->path.n == 0) == (e->data.n == 0))
		return ac_err_set(err, AC_EINVAL, "evidence",
				  "exactly one of path and data");
	if (e->data.n > STORE_BLOB_MAX)
		return ac_err_set(err, AC_ELIMIT, "evidence.data",
				  "larger than %u bytes", STORE_BLOB_MAX);
	if (e->data.n && !e->data.p)
		return ac_err_set(err, AC_EINVAL, "evidence.data", "missing");
	if (e->size < 0 || (e->data.n && (uint64_t)e->size != e->data.n))
		return ac_err_set(err, AC_EINVAL, "evidence.size",
				  "not the data's size");
	return s->ops->xPutEvidence(s->impl, e, err);
}

int store_get_evidence(struct store *s, struct ac_str case_id,
		       struct ac_str sha256, struct store_evidence *out,
		       struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(case_id, "case.id", err)) &&
	    !(rc = check_sha256(sha256, err)))
		rc = s->ops->xGetEvidence(s->impl, case_id, sha256, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_list_evidence(struct store *s, struct ac_str case_id, int limit,
			struct store_evidence_page *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(case_id, "case.id", err)))
		rc = s->ops->xListEvidence(s->impl, case_id,
					   check_limit(limit), out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_case_counts(struct store *s, int64_t counts[CASE_STATUS_COUNT],
		      struct ac_err *err)
{
	ac_err_clear(err);
	for (int i = 0; i < CASE_STATUS_COUNT; i++)
		counts[i] = 0;
	return s->ops->xCaseCounts(s->impl, counts, err);
}

/* ---- the audit log ---------------------------------------------------- */

int store_append_audit(struct store *s, const struct store_audit *a,
		       int64_t *id, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_text(a->actor, true, TEXT_MAX, "audit.actor", err)) ||
	    (rc = check_text(a->action, true, 255, "audit.action", err)) ||
	    (rc = check_text(a->entity, true, 255, "audit.entity", err)) ||
	    (rc = check_text(a->entity_id, false, STORE_ID_MAX - 1,
			     "audit.entity_id", err)) ||
	    (rc = check_text(a->before_json, false, JSON_MAX, "audit.before",
			     err)) ||
	    (rc = check_text(a->after_json, false, JSON_MAX, "audit.after",
			     err)))
		return rc;
	return s->ops->xAppendAudit(s->impl, a, id, err);
}

int store_list_audit(struct store *s, const struct store_audit_filter *f,
		     struct store_audit_page *out, struct ac_err *err)
{
	struct store_audit_filter g = *f;
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	g.limit = check_limit(f->limit);
	if (!(rc = check_text(g.entity, false, 255, "filter.entity", err)) &&
	    !(rc = check_text(g.entity_id, false, STORE_ID_MAX - 1,
			      "filter.entity_id", err)))
		rc = s->ops->xListAudit(s->impl, &g, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

/* ---- API tokens ------------------------------------------------------- */

static int check_hash(struct ac_str h, struct ac_err *err)
{
	if (h.n < 32 || h.n > 128 || !h.p || !is_hex(h))
		return ac_err_set(err, AC_EINVAL, "token.hash",
				  "not 32 to 128 lower-case hex digits");
	return 0;
}

int store_put_token(struct store *s, struct ac_str name, struct ac_str hash,
		    int64_t created_at, int64_t *id, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_text(name, true, 255, "token.name", err)) ||
	    (rc = check_hash(hash, err)))
		return rc;
	return s->ops->xPutToken(s->impl, name, hash, created_at, id, err);
}

int store_find_token(struct store *s, struct ac_str hash,
		     struct store_token *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_hash(hash, err)))
		rc = s->ops->xFindToken(s->impl, hash, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_revoke_tokens_named(struct store *s, struct ac_str name, int64_t at,
			      int *count, struct ac_err *err)
{
	ac_err_clear(err);
	*count = 0;
	if (name.n == 0)
		return ac_err_set(err, AC_EINVAL, "token.name", "empty");
	return s->ops->xRevokeTokensNamed(s->impl, name, at, count, err);
}

int store_revoke_token(struct store *s, int64_t id, int64_t at,
		       struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xRevokeToken(s->impl, id, at, err);
}

/* ---- staff accounts, sessions, look-ups, messages ------------------- */

static bool str_is(struct ac_str s, const char *z)
{
	return s.n == strlen(z) && memcmp(s.p, z, s.n) == 0;
}

static int check_user_name(struct ac_str name, const char *field,
			   struct ac_err *err)
{
	if (name.n == 0 || name.n > 64 || !name.p)
		return ac_err_set(err, AC_EINVAL, field,
				  "not 1 to 64 bytes");
	for (size_t i = 0; i < name.n; i++) {
		char c = name.p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return ac_err_set(err, AC_EINVAL, field,
					  "only a-z, 0-9, '.', '_' and '-'");
	}
	return 0;
}

static int check_hex64(struct ac_str h, const char *field,
		       struct ac_err *err)
{
	if (h.n != 64 || !h.p || !is_hex(h))
		return ac_err_set(err, AC_EINVAL, field,
				  "not 64 lower-case hex digits");
	return 0;
}

int store_put_staff_user(struct store *s, const struct store_staff_user *u,
			 struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_user_name(u->name, "user.name", err)) ||
	    (rc = check_text(u->password_hash, true, 512,
			     "user.password_hash", err)))
		return rc;
	if (!str_is(u->role, "agent") && !str_is(u->role, "manager"))
		return ac_err_set(err, AC_EINVAL, "user.role",
				  "not agent or manager");
	if (u->password_hash.n < 10 ||
	    memcmp(u->password_hash.p, "$argon2id$", 10) != 0)
		return ac_err_set(err, AC_EINVAL, "user.password_hash",
				  "not an Argon2id hash string");
	if (u->failed_in_a_row < 0)
		return ac_err_set(err, AC_EINVAL, "user.failed_in_a_row",
				  "negative");
	return s->ops->xPutStaffUser(s->impl, u, err);
}

int store_get_staff_user(struct store *s, struct ac_str name,
			 struct store_staff_user *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_text(name, true, 255, "user.name", err)))
		rc = s->ops->xGetStaffUser(s->impl, name, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_list_staff_users(struct store *s, struct ac_str after_name,
			   int limit, struct store_staff_user_page *out,
			   struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_text(after_name, false, 255, "filter.after", err)))
		rc = s->ops->xListStaffUsers(s->impl, after_name,
					     check_limit(limit), out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_update_staff_login(struct store *s, struct ac_str name,
			     int failed_in_a_row, bool has_lock,
			     int64_t locked_until, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_text(name, true, 255, "user.name", err)))
		return rc;
	if (failed_in_a_row < 0)
		return ac_err_set(err, AC_EINVAL, "user.failed_in_a_row",
				  "negative");
	return s->ops->xUpdateStaffLogin(s->impl, name, failed_in_a_row,
					 has_lock, locked_until, err);
}

int store_put_session(struct store *s, const struct store_session *x,
		      struct ac_err *err)
{
	bool staff = str_is(x->kind, "staff");
	int rc;

	ac_err_clear(err);
	if ((rc = check_hex64(x->hash, "session.hash", err)) ||
	    (rc = check_hex64(x->csrf, "session.csrf", err)))
		return rc;
	if (!staff && !str_is(x->kind, "customer"))
		return ac_err_set(err, AC_EINVAL, "session.kind",
				  "not staff or customer");
	if (staff && ((rc = check_user_name(x->user_name, "session.user_name",
					    err))))
		return rc;
	if (!staff && (rc = check_id(x->order_id, "session.order_id", err)))
		return rc;
	if ((staff && x->order_id.n) || (!staff && x->user_name.n))
		return ac_err_set(err, AC_EINVAL, "session.kind",
				  "a staff session names a user, a customer "
				  "session an order, never both");
	if (x->tz_offset_min < -1439 || x->tz_offset_min > 1439)
		return ac_err_set(err, AC_EINVAL, "session.tz_offset_min",
				  "not -1439 to 1439 minutes");
	if (x->expires_at <= x->created_at)
		return ac_err_set(err, AC_EINVAL, "session.expires_at",
				  "not after created_at");
	return s->ops->xPutSession(s->impl, x, err);
}

int store_get_session(struct store *s, struct ac_str hash,
		      struct store_session *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_hex64(hash, "session.hash", err)))
		rc = s->ops->xGetSession(s->impl, hash, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_end_session(struct store *s, struct ac_str hash, int64_t at,
		      struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_hex64(hash, "session.hash", err)))
		return rc;
	return s->ops->xEndSession(s->impl, hash, at, err);
}

int store_purge_sessions(struct store *s, int64_t before, int *count,
			 struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xPurgeSessions(s->impl, before, count, err);
}

static int check_lookup_key(struct ac_str key, struct ac_err *err)
{
	return check_text(key, true, 255, "lookup.key", err);
}

int store_get_lookup_failures(struct store *s, struct ac_str key,
			      struct store_lookup_failure *out,
			      struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	memset(out, 0, sizeof *out);
	if ((rc = check_lookup_key(key, err)))
		return rc;
	return s->ops->xGetLookupFailures(s->impl, key, out, err);
}

int store_add_lookup_failure(struct store *s, struct ac_str key, int64_t at,
			     int64_t window_us,
			     struct store_lookup_failure *out,
			     struct ac_err *err)
{
	struct store_lookup_failure dummy;
	int rc;

	ac_err_clear(err);
	if (!out)
		out = &dummy;
	memset(out, 0, sizeof *out);
	if ((rc = check_lookup_key(key, err)))
		return rc;
	if (window_us <= 0)
		return ac_err_set(err, AC_EINVAL, "lookup.window",
				  "not positive");
	return s->ops->xAddLookupFailure(s->impl, key, at, window_us, out,
					 err);
}

int store_purge_lookup_failures(struct store *s, int64_t before, int *count,
				struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xPurgeLookupFailures(s->impl, before, count, err);
}

int store_add_message(struct store *s, const struct store_message *m,
		      int64_t *id, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(m->case_id, "message.case_id", err)) ||
	    (rc = check_text(m->author, true, TEXT_MAX, "message.author",
			     err)) ||
	    (rc = check_text(m->body, true, 8192, "message.body", err)))
		return rc;
	if (!str_is(m->sender, "customer") && !str_is(m->sender, "staff"))
		return ac_err_set(err, AC_EINVAL, "message.sender",
				  "not customer or staff");
	return s->ops->xAddMessage(s->impl, m, id, err);
}

int store_list_messages(struct store *s, struct ac_str case_id,
			int64_t after_id, int limit,
			struct store_message_page *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(case_id, "case.id", err)))
		rc = s->ops->xListMessages(s->impl, case_id, after_id,
					   check_limit(limit), out, err);
	RESULT_DONE(out, rc);
	return rc;
}

/* ---- whole-table copy ------------------------------------------------- */

static const struct store_table tables[] = {
	{ "orders", { "id", "placed_at", "currency", "shipping_minor",
		      "paid_minor", "addr_name", "addr_line1", "addr_line2",
		      "addr_city", "addr_region", "addr_postal_code",
		      "addr_country", "customer_name", "customer_email",
		      "created_at" }, 15, "id", false },
	{ "items", { "order_id", "line", "sku", "kind", "style", "shape",
		     "material", "color", "size_milli", "price_minor",
		     "certificate" }, 11, "order_id, line", false },
	{ "shipments", { "order_id", "shipped_at", "addr_name", "addr_line1",
			 "addr_line2", "addr_city", "addr_region",
			 "addr_postal_code", "addr_country", "delivered_at",
			 "courier_finding", "customs", "updated_at" }, 13,
	  "order_id", false },
	{ "tracking_events", { "id", "order_id", "at", "kind", "detail" }, 5,
	  "id", true },
	{ "cases", { "id", "order_id", "status", "claim_type", "opened_at",
		     "claim_json", "created_at", "updated_at",
		     "override_verdict", "override_reason", "override_author",
		     "overridden_at", "approved_by", "approved_at", "seq",
		     "decision_id", "verdict", "deadline", "response_due_at",
		     "clause", "customer" }, 21, "seq", false },
	{ "decisions", { "id", "case_id", "decided_at", "verdict",
			 "refund_max_minor", "charge_minor", "deadline",
			 "policy", "decision_json", "facts_json" }, 10, "id",
	  true },
	{ "ledger", { "id", "case_id", "order_id", "kind", "amount_minor",
		      "currency", "created_at", "actor", "idempotency_key" },
	  9, "id", true },
	{ "idempotency", { "scope", "key", "request_hash", "ledger_id",
			   "refunded_total_minor", "created_at" }, 6,
	  "scope, key", false },
	{ "repair_quotes", { "id", "case_id", "amount_minor", "status",
			     "expires_at", "created_at", "updated_at" }, 7,
	  "id", true },
	{ "notes", { "id", "case_id", "author", "body", "created_at" }, 5,
	  "id", true },
	{ "evidence", { "case_id", "sha256", "content_type", "size", "path",
			"data", "created_at" }, 7, NULL, false },
	{ "audit", { "id", "at", "actor", "action", "entity", "entity_id",
		     "before_json", "after_json" }, 8, "id", true },
	{ "tokens", { "id", "name", "hash", "created_at", "revoked_at" }, 5,
	  "id", true },
	{ "staff_users", { "name", "role", "password_hash",
			   "failed_in_a_row", "locked_until", "created_at" },
	  6, "name", false },
	{ "messages", { "id", "case_id", "sender", "author", "body",
			"created_at" }, 6, "id", true },
	{ "policies", { "hash", "body", "created_at", "activated_at",
			"activated_by", "active" }, 6, "hash", false },
	{ "hooks", { "kind", "name", "secret", "created_at" }, 4,
	  "kind, name", false },
	{ "hook_events", { "kind", "name", "event_id", "received_at",
			   "status", "carrier", "tracking_code",
			   "tracking_kind", "at", "order_id", "detail" }, 11,
	  "kind, name, event_id", false },
	{ "parcels", { "carrier", "tracking_code", "order_id",
		       "created_at" }, 4, "carrier, tracking_code", false },
	{ "order_payments", { "order_id", "payment_intent", "updated_at" },
	  3, "order_id", false },
	{ "refund_payments", { "ledger_id", "case_id", "status",
			       "provider_id", "reason", "outbox_id",
			       "created_at", "updated_at" }, 8, "ledger_id",
	  false },
	{ "outbox", { "id", "kind", "case_id", "ref", "dedupe",
		      "payload_json", "status", "attempts", "next_at",
		      "last_error", "created_at", "sent_at" }, 12, "id",
	  true },
	{ "bounces", { "case_id", "address", "reason", "at" }, 4, "case_id",
	  false },
};

const struct store_table *store_tables(int *n)
{
	*n = COUNT(tables);
	return tables;
}

int store_count_rows(struct store *s, const struct store_table *t,
		     int64_t *n, struct ac_err *err)
{
	ac_err_clear(err);
	*n = 0;
	return s->ops->xCountRows(s->impl, t, n, err);
}

int store_read_rows(struct store *s, const struct store_table *t,
		    int (*row)(void *arg, const struct store_value *v),
		    void *arg, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xReadRows(s->impl, t, row, arg, err);
}

int store_insert_row(struct store *s, const struct store_table *t,
		     const struct store_value *v, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xInsertRow(s->impl, t, v, err);
}

int store_copy_done(struct store *s, const struct store_table *t,
		    struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xCopyDone(s->impl, t, err);
}

/* ---- replay (issue 9) ---- */

int store_count_replay(struct store *s, const struct store_replay_filter *f,
		       int64_t *n, struct ac_err *err)
{
	ac_err_clear(err);
	*n = 0;
	return s->ops->xCountReplay(s->impl, f, n, err);
}

int store_read_replay(struct store *s, const struct store_replay_filter *f,
		      int (*row)(void *arg, const struct store_replay_row *r),
		      void *arg, struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xReadReplay(s->impl, f, row, arg, err);
}

/* ---- policy versions (issue 9) ---- */

void store_policy_release(struct store_policy *p)
{
	buf_release(&p->mem);
}

void store_policy_page_release(struct store_policy_page *p)
{
	buf_release(&p->mem);
}

static int check_policy_hash(struct ac_str h, struct ac_err *err)
{
	if (h.n != STORE_POLICY_HASH_MAX - 1 || memcmp(h.p, "sha256:", 7))
		return ac_err_set(err, AC_EINVAL, "policy.hash",
				  "not \"sha256:\" and 64 hex digits");
	for (size_t i = 7; i < h.n; i++)
		if (!((h.p[i] >= '0' && h.p[i] <= '9') ||
		      (h.p[i] >= 'a' && h.p[i] <= 'f')))
			return ac_err_set(err, AC_EINVAL, "policy.hash",
					  "not \"sha256:\" and 64 hex "
					  "digits");
	return 0;
}

int store_put_policy(struct store *s, struct ac_str hash, struct ac_str body,
		     int64_t created_at, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_policy_hash(hash, err)))
		return rc;
	if (body.n == 0 || body.n > (1u << 20))
		return ac_err_set(err, AC_EINVAL, "policy.body",
				  "must be 1 byte to 1 MiB");
	return s->ops->xPutPolicy(s->impl, hash, body, created_at, err);
}

int store_get_policy(struct store *s, struct ac_str hash,
		     struct store_policy *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_policy_hash(hash, err)))
		rc = s->ops->xGetPolicy(s->impl, hash, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_active_policy(struct store *s,
			char hash_out[STORE_POLICY_HASH_MAX],
			struct ac_err *err)
{
	ac_err_clear(err);
	hash_out[0] = '\0';
	return s->ops->xActivePolicy(s->impl, hash_out, err);
}

int store_activate_policy(struct store *s, struct ac_str hash, int64_t at,
			  struct ac_str by, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_policy_hash(hash, err)))
		return rc;
	if ((rc = check_text(by, true, 255, "policy.activated_by", err)))
		return rc;
	return s->ops->xActivatePolicy(s->impl, hash, at, by, err);
}

int store_list_policies(struct store *s, int limit,
			struct store_policy_page *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	rc = s->ops->xListPolicies(s->impl, check_limit(limit), out, err);
	RESULT_DONE(out, rc);
	return rc;
}

/* ---- webhooks (issue 10.3) ---- */

void store_hook_release(struct store_hook *h)
{
	buf_release(&h->mem);
}

void store_hook_page_release(struct store_hook_page *p)
{
	buf_release(&p->mem);
}

static int check_hook(struct ac_str kind, struct ac_str name,
		      struct ac_err *err)
{
	if (!str_is(kind, "aftership") && !str_is(kind, "easypost") &&
	    !str_is(kind, "stripe"))
		return ac_err_set(err, AC_EINVAL, "hook.kind", "not one of "
				  "aftership, easypost, stripe");
	if (name.n == 0 || name.n > 64)
		return ac_err_set(err, AC_EINVAL, "hook.name",
				  "1 to 64 bytes");
	for (size_t i = 0; i < name.n; i++) {
		char c = name.p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return ac_err_set(err, AC_EINVAL, "hook.name",
					  "only a-z 0-9 . _ -");
	}
	return 0;
}

int store_put_hook(struct store *s, struct ac_str kind, struct ac_str name,
		   struct ac_str secret, int64_t created_at,
		   struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_hook(kind, name, err)))
		return rc;
	if (secret.n < 16 || secret.n > 256 || has_nul(secret))
		return ac_err_set(err, AC_EINVAL, "hook.secret",
				  "16 to 256 bytes without NUL");
	return s->ops->xPutHook(s->impl, kind, name, secret, created_at, err);
}

int store_get_hook(struct store *s, struct ac_str kind, struct ac_str name,
		   struct store_hook *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_hook(kind, name, err)))
		rc = s->ops->xGetHook(s->impl, kind, name, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_list_hooks(struct store *s, struct store_hook_page *out,
		     struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	rc = s->ops->xListHooks(s->impl, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_put_hook_event(struct store *s, const struct store_hook_event *e,
			 struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_hook(e->kind, e->name, err)) ||
	    (rc = check_text(e->event_id, true, 200, "event.id", err)) ||
	    (rc = check_text(e->carrier, false, 64, "event.carrier", err)) ||
	    (rc = check_text(e->tracking_code, false, 128,
			     "event.tracking_code", err)) ||
	    (rc = check_text(e->tracking_kind, false, 64, "event.kind",
			     err)) ||
	    (rc = check_text(e->order_id, false, STORE_ID_MAX - 1,
			     "event.order_id", err)) ||
	    (rc = check_text(e->detail, false, TEXT_MAX, "event.detail",
			     err)))
		return rc;
	return s->ops->xPutHookEvent(s->impl, e, err);
}

int store_put_parcel(struct store *s, struct ac_str carrier,
		     struct ac_str tracking_code, struct ac_str order_id,
		     int64_t created_at, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_text(carrier, true, 64, "parcel.carrier", err)) ||
	    (rc = check_text(tracking_code, true, 128,
			     "parcel.tracking_code", err)) ||
	    (rc = check_id(order_id, "parcel.order_id", err)))
		return rc;
	return s->ops->xPutParcel(s->impl, carrier, tracking_code, order_id,
				  created_at, err);
}

int store_find_parcel(struct store *s, struct ac_str carrier,
		      struct ac_str tracking_code,
		      char order_out[STORE_ID_MAX], struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	order_out[0] = '\0';
	if ((rc = check_text(carrier, true, 64, "parcel.carrier", err)) ||
	    (rc = check_text(tracking_code, true, 128,
			     "parcel.tracking_code", err)))
		return rc;
	return s->ops->xFindParcel(s->impl, carrier, tracking_code,
				   order_out, err);
}

void store_hook_event_page_release(struct store_hook_event_page *p)
{
	buf_release(&p->mem);
}

int store_list_unmatched(struct store *s, struct ac_str carrier,
			 struct ac_str tracking_code,
			 struct store_hook_event_page *out,
			 struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_text(carrier, true, 64, "parcel.carrier", err)) &&
	    !(rc = check_text(tracking_code, true, 128,
			      "parcel.tracking_code", err)))
		rc = s->ops->xListUnmatched(s->impl, carrier, tracking_code,
					    out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_list_hook_events(struct store *s, struct ac_str status, int limit,
			   struct store_hook_event_page *out,
			   struct ac_err *err)
{
	int rc = 0;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!str_is(status, "applied") && !str_is(status, "stale") &&
	    !str_is(status, "unmatched") && !str_is(status, "ignored"))
		rc = ac_err_set(err, AC_EINVAL, "status", "not one of "
				"applied, stale, unmatched, ignored");
	if (!rc)
		rc = s->ops->xListHookEvents(s->impl, status,
					     check_limit(limit), out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_match_hook_event(struct store *s, struct ac_str kind,
			   struct ac_str name, struct ac_str event_id,
			   struct ac_str status, struct ac_str order_id,
			   struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_hook(kind, name, err)) ||
	    (rc = check_text(event_id, true, 200, "event.id", err)) ||
	    (rc = check_id(order_id, "event.order_id", err)))
		return rc;
	return s->ops->xMatchHookEvent(s->impl, kind, name, event_id, status,
				       order_id, err);
}

/* ---- payment refunds (issue 10.4) ---- */

void store_refund_pay_release(struct store_refund_pay *r)
{
	buf_release(&r->mem);
}

void store_refund_pay_page_release(struct store_refund_pay_page *p)
{
	buf_release(&p->mem);
}

int store_put_payment_intent(struct store *s, struct ac_str order_id,
			     struct ac_str intent, int64_t at,
			     struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(order_id, "order.id", err)) ||
	    (rc = check_text(intent, true, 255, "payment_intent", err)))
		return rc;
	return s->ops->xPutPaymentIntent(s->impl, order_id, intent, at, err);
}

int store_get_payment_intent(struct store *s, struct ac_str order_id,
			     char out[256], struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	out[0] = '\0';
	if ((rc = check_id(order_id, "order.id", err)))
		return rc;
	return s->ops->xGetPaymentIntent(s->impl, order_id, out, err);
}

int store_put_refund_pay(struct store *s, int64_t ledger_id,
			 struct ac_str case_id, int64_t outbox_id,
			 int64_t at, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(case_id, "case.id", err)))
		return rc;
	return s->ops->xPutRefundPay(s->impl, ledger_id, case_id, outbox_id,
				     at, err);
}

int store_get_refund_pay(struct store *s, int64_t ledger_id,
			 struct store_refund_pay *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	rc = s->ops->xGetRefundPay(s->impl, ledger_id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_set_refund_pay(struct store *s, int64_t ledger_id,
			 struct ac_str status, struct ac_str provider_id,
			 struct ac_str reason, int64_t outbox_id, int64_t at,
			 bool force, int *changed, struct ac_err *err)
{
	int rc, dummy = 0;

	ac_err_clear(err);
	if (!changed)
		changed = &dummy;
	*changed = 0;
	if (!str_is(status, "pending") && !str_is(status, "succeeded") &&
	    !str_is(status, "failed"))
		return ac_err_set(err, AC_EINVAL, "refund.status", "not one "
				  "of pending, succeeded, failed");
	if ((rc = check_text(provider_id, false, 255, "refund.provider_id",
			     err)) ||
	    (rc = check_text(reason, false, 1024, "refund.reason", err)))
		return rc;
	return s->ops->xSetRefundPay(s->impl, ledger_id, status, provider_id,
				     reason, outbox_id, at, force, changed,
				     err);
}

int store_list_refund_pays(struct store *s, struct ac_str case_id,
			   struct store_refund_pay_page *out,
			   struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(case_id, "case.id", err)))
		rc = s->ops->xListRefundPays(s->impl, case_id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

/* ---- the outbox (issue 10) ---- */

static const char *const outbox_status_names[STORE_OUTBOX_STATUS_COUNT] = {
	"pending", "sending", "sent", "dead", "failed",
};

const char *store_outbox_status_name(enum store_outbox_status st)
{
	if ((int)st < 0 || st >= STORE_OUTBOX_STATUS_COUNT)
		return NULL;
	return outbox_status_names[st];
}

int store_outbox_status_parse(const char *p, size_t n,
			      enum store_outbox_status *out)
{
	for (int i = 0; i < STORE_OUTBOX_STATUS_COUNT; i++)
		if (strlen(outbox_status_names[i]) == n &&
		    !memcmp(outbox_status_names[i], p, n)) {
			*out = (enum store_outbox_status)i;
			return 0;
		}
	return AC_EINVAL;
}

void store_outbox_page_release(struct store_outbox_page *p)
{
	buf_release(&p->mem);
}

void store_bounce_release(struct store_bounce *b)
{
	buf_release(&b->mem);
}

static int check_outbox_kind(struct ac_str k, struct ac_err *err)
{
	if (k.n == 0 || k.n > STORE_OUTBOX_KIND_MAX)
		return ac_err_set(err, AC_EINVAL, "outbox.kind",
				  "not 1 to %d bytes", STORE_OUTBOX_KIND_MAX);
	for (size_t i = 0; i < k.n; i++)
		if (!((k.p[i] >= 'a' && k.p[i] <= 'z') ||
		      (k.p[i] >= '0' && k.p[i] <= '9') || k.p[i] == '_'))
			return ac_err_set(err, AC_EINVAL, "outbox.kind",
					  "only a-z, 0-9 and _");
	return 0;
}

int store_outbox_add(struct store *s, const struct store_outbox *m,
		     int64_t *id, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if (id)
		*id = 0;
	if ((rc = check_outbox_kind(m->kind, err)) ||
	    (m->case_id.n && (rc = check_id(m->case_id, "outbox.case_id",
					    err))) ||
	    (rc = check_text(m->ref, false, STORE_OUTBOX_KEY_MAX,
			     "outbox.ref", err)) ||
	    (rc = check_text(m->dedupe, true, STORE_OUTBOX_KEY_MAX,
			     "outbox.dedupe", err)) ||
	    (rc = check_text(m->payload_json, true, STORE_OUTBOX_PAYLOAD_MAX,
			     "outbox.payload_json", err)))
		return rc;
	return s->ops->xOutboxAdd(s->impl, m, id, err);
}

int store_outbox_claim(struct store *s, struct ac_str kind, int64_t now,
		       int64_t lease_until, int limit,
		       struct store_outbox_page *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (store_in_transaction(s))
		rc = ac_err_set(err, AC_ESTATE, "outbox",
				"a claim runs outside a transaction");
	else if (!(rc = check_outbox_kind(kind, err)))
		rc = s->ops->xOutboxClaim(s->impl, kind, now, lease_until,
					  check_limit(limit), out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_outbox_finish(struct store *s, int64_t id, int attempts,
			enum store_outbox_status to, int64_t next_at,
			struct ac_str error, int64_t at, struct ac_err *err)
{
	ac_err_clear(err);
	if (to != STORE_OUTBOX_SENT && to != STORE_OUTBOX_PENDING &&
	    to != STORE_OUTBOX_DEAD && to != STORE_OUTBOX_FAILED)
		return ac_err_set(err, AC_EINVAL, "outbox.status",
				  "a claim ends sent, pending, dead or "
				  "failed");
	if (error.n > STORE_OUTBOX_ERROR_MAX) {
		/* cut on a UTF-8 boundary */
		size_t n = STORE_OUTBOX_ERROR_MAX;

		while (n && ((unsigned char)error.p[n] & 0xc0) == 0x80)
			n--;
		error.n = n;
	}
	if (has_nul(error))
		return ac_err_set(err, AC_EINVAL, "outbox.last_error",
				  "contains a NUL byte");
	return s->ops->xOutboxFinish(s->impl, id, attempts, to, next_at,
				     error, at, err);
}

int store_outbox_retry(struct store *s, int64_t id, int64_t at,
		       struct ac_err *err)
{
	ac_err_clear(err);
	return s->ops->xOutboxRetry(s->impl, id, at, err);
}

int store_get_outbox(struct store *s, int64_t id,
		     struct store_outbox_page *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	rc = s->ops->xGetOutbox(s->impl, id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_list_outbox(struct store *s, const struct store_outbox_filter *f,
		      struct store_outbox_page *out, struct ac_err *err)
{
	struct store_outbox_filter g = *f;
	int rc = 0;

	ac_err_clear(err);
	RESULT_INIT(out);
	g.limit = check_limit(f->limit);
	if (!f->has_status && f->case_id.n == 0)
		rc = ac_err_set(err, AC_EINVAL, "outbox.filter",
				"a status or a case");
	else if (f->case_id.n)
		rc = check_id(f->case_id, "outbox.case_id", err);
	if (!rc)
		rc = s->ops->xListOutbox(s->impl, &g, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

int store_outbox_depth(struct store *s, struct store_outbox_depth *out,
		       struct ac_err *err)
{
	ac_err_clear(err);
	memset(out, 0, sizeof *out);
	return s->ops->xOutboxDepth(s->impl, out, err);
}

int store_put_bounce(struct store *s, const struct store_bounce *b,
		     struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	if ((rc = check_id(b->case_id, "bounce.case_id", err)) ||
	    (rc = check_text(b->address, true, 320, "bounce.address",
			     err)) ||
	    (rc = check_text(b->reason, true, 1024, "bounce.reason", err)))
		return rc;
	return s->ops->xPutBounce(s->impl, b, err);
}

int store_get_bounce(struct store *s, struct ac_str case_id,
		     struct store_bounce *out, struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	RESULT_INIT(out);
	if (!(rc = check_id(case_id, "bounce.case_id", err)))
		rc = s->ops->xGetBounce(s->impl, case_id, out, err);
	RESULT_DONE(out, rc);
	return rc;
}

/* ---- reports (issue 9.3) ---------------------------------------------- */

/* The bounds 0007_reports.sql's CASE spells out, in seconds. */
const int64_t store_report_bucket_s[STORE_REPORT_BUCKETS - 1] = {
	3600, 7200, 14400, 28800, 43200, 86400, 172800, 259200, 432000,
	604800, 1209600, 2592000, 5184000,
};

#define WEEK_US INT64_C(604800000000)
#define DAYS3_US INT64_C(259200000000)

int64_t store_report_week(int64_t at)
{
	/* 1970-01-01 was a Thursday, three days after a Monday; the double
	 * modulo floors instants before 1970 too (as the migration does) */
	return at - (((at + DAYS3_US) % WEEK_US) + WEEK_US) % WEEK_US;
}

int64_t store_report_day(int64_t at)
{
	const int64_t day = INT64_C(86400000000);

	return at - ((at % day) + day) % day;
}

int store_report_sums(struct store *s, enum store_report_dim dim,
		      int64_t from_week, int64_t to_week,
		      struct store_report_row *rows, int cap, int *n,
		      struct ac_err *err)
{
	ac_err_clear(err);
	*n = 0;
	if ((int)dim < 0 || dim >= STORE_REPORT_DIM_COUNT)
		return ac_err_set(err, AC_EINVAL, "report.dim",
				  "not a report group");
	if (cap < 1)
		return ac_err_set(err, AC_EINVAL, "report.rows",
				  "no room for a row");
	return s->ops->xReportSums(s->impl, dim, from_week, to_week, rows,
				   cap, n, err);
}

int store_report_durations(struct store *s, enum store_report_wait what,
			   int64_t from_week, int64_t to_week,
			   int64_t counts[STORE_REPORT_BUCKETS],
			   struct ac_err *err)
{
	ac_err_clear(err);
	for (int i = 0; i < STORE_REPORT_BUCKETS; i++)
		counts[i] = 0;
	if (what != STORE_WAIT_DECISION && what != STORE_WAIT_REFUND)
		return ac_err_set(err, AC_EINVAL, "report.what",
				  "not a duration");
	return s->ops->xReportDurations(s->impl, what, from_week, to_week,
					counts, err);
}

int store_report_claimants(struct store *s, bool by_address,
			   int64_t min_claims, struct store_claimant *rows,
			   int cap, int *n, int64_t *total,
			   struct ac_err *err)
{
	ac_err_clear(err);
	*n = 0;
	*total = 0;
	if (cap < 1 || cap > STORE_PAGE_MAX)
		return ac_err_set(err, AC_EINVAL, "limit",
				  "from 1 to %d", STORE_PAGE_MAX);
	if (min_claims < 1)
		return ac_err_set(err, AC_EINVAL, "min_claims",
				  "at least 1");
	return s->ops->xReportClaimants(s->impl, by_address, min_claims,
					rows, cap, n, total, err);
}

int store_count_due_before(struct store *s, int64_t at, int64_t *n,
			   struct ac_err *err)
{
	ac_err_clear(err);
	*n = 0;
	return s->ops->xCountDueBefore(s->impl, at, n, err);
}
