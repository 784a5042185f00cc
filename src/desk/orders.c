/* orders.c: orders, shipments and courier tracking (desk layer).
 * A change to a shipment's facts re-decides the order's open cases in the
 * same transaction. */
#include "desk_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"

int desk_create_order(struct desk *d, const char *actor,
		      const struct order_request *r, struct ac_err *err)
{
	struct store_order so = { 0 };
	int rc;

	so.order = r->order;
	so.shipped = r->shipped;
	so.shipment = r->shipment;
	so.customer_name = r->customer_name;
	so.customer_email = r->customer_email;
	so.has_paid = r->has_paid;
	so.paid_minor = r->paid_minor;
	so.created_at = desk_now(d);
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_put_order(d->store, &so, err);
	if (!rc)
		rc = desk_audit(d, actor, "order.create", "order", r->order.id,
				NULL, NULL, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_get_order(struct desk *d, const char *order_id,
		   struct desk_order *out, struct ac_err *err)
{
	struct store_order *so = &d->v_so;
	struct store_ledger_sum sum = { 0 };
	struct store_case_filter f = { .order_id = S(order_id),
				       .limit = STORE_PAGE_MAX };
	struct store_case_page *page = xcalloc(1, sizeof *page);
	int rc;

	memset(out, 0, sizeof *out);
	store_order_release(so);
	hold_reset(d);
	rc = store_get_order(d->store, S(order_id), so, err);
	if (!rc)
		rc = store_sum_ledger_order(d->store, S(order_id), &sum, err);
	if (!rc)
		rc = store_list_cases(d->store, &f, page, err);
	for (int i = 0; !rc && i < page->n; i++) {
		const struct store_case_row *r = &page->rows[i];
		struct desk_case_line *l = hold_row(d, sizeof *l);

		hold_str(d, l, &l->id, r->id);
		l->status = r->status;
		l->claim_type = r->claim_type;
		l->has_verdict = r->has_decision;
		if (r->has_decision &&
		    verdict_parse(r->verdict.p, r->verdict.n, &l->verdict))
			rc = ac_err_set(err, AC_EIO, "decision.verdict",
					"not a verdict in the store");
	}
	if (!rc) {
		out->cases = hold_done(d, err);
		if (!out->cases)
			rc = AC_ELIMIT;
	}
	if (!rc) {
		out->order = &so->order;
		out->shipped = so->shipped;
		out->shipment = &so->shipment;
		out->customer_name = so->customer_name;
		out->customer_email = so->customer_email;
		out->paid_minor = desk_paid(so);
		out->refunded_total_minor = sum.refund_minor;
		out->charged_total_minor = sum.charge_minor;
		out->n_cases = page->n;
	}
	store_case_page_release(page);
	free(page);
	return rc;
}

/* put_facts stores a new shipment (sh, may be NULL) and the event (ev,
 * may be NULL) and re-decides when the facts changed, in a transaction
 * of its own. */
static int put_facts(struct desk *d, const char *actor, const char *order_id,
		     const struct shipment *sh, const char *action,
		     const struct store_tracking_event *ev,
		     struct desk_facts *out, struct ac_err *err)
{
	int64_t ev_id = 0;
	int rc;

	hold_reset(d);
	rc = desk_txn_begin(d, err);
	if (!rc && ev)
		rc = store_add_tracking_event(d->store, ev, &ev_id, err);
	if (!rc && sh)
		rc = store_put_shipment(d->store, S(order_id), sh,
					desk_now(d), err);
	if (!rc)
		rc = desk_audit(d, actor, action, "order", S(order_id), NULL,
				NULL, err);
	if (!rc && sh)          /* an event that is recorded only: no */
		rc = desk_redecide_order(d, actor, S(order_id), err);
	if (!rc) {
		out->redecided = hold_done(d, err);
		if (!out->redecided)
			rc = AC_ELIMIT;
	}
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		return desk_fail(d, rc);
	snprintf(d->v_id, sizeof d->v_id, "%s", order_id);
	out->event_id = ev_id;
	out->order_id = S(d->v_id);
	out->n_redecided = (int)(d->h_rows.len /
				 ((sizeof(struct desk_case_line) + 7) &
				  ~(size_t)7));
	return 0;
}

int desk_put_shipment(struct desk *d, const char *actor, const char *order_id,
		      const struct shipment *sh, struct desk_facts *out,
		      struct ac_err *err)
{
	struct store_order so = { 0 };
	int rc = store_get_order(d->store, S(order_id), &so, err);

	memset(out, 0, sizeof *out);
	store_order_release(&so);
	if (!rc)
		rc = put_facts(d, actor, order_id, sh, "shipment.put", NULL,
			       out, err);
	return rc;
}

/* The courier events that change the facts a decision rests on. */
int desk_apply_event(const char *kind, int64_t at, struct shipment *sh)
{
	if (!strcmp(kind, "delivered")) {
		sh->delivered = true;
		sh->delivered_at = at;
	} else if (!strcmp(kind, "lost_confirmed")) {
		sh->courier_finding = COURIER_LOST_CONFIRMED;
	} else if (!strcmp(kind, "delivered_proven")) {
		sh->courier_finding = COURIER_DELIVERED_PROVEN;
	} else if (!strcmp(kind, "investigating")) {
		sh->courier_finding = COURIER_INVESTIGATING;
	} else if (!strcmp(kind, "customs_held")) {
		sh->customs = CUSTOMS_HELD;
	} else if (!strcmp(kind, "customs_cleared")) {
		sh->customs = CUSTOMS_CLEARED;
	} else if (!strcmp(kind, "customs_refused")) {
		sh->customs = CUSTOMS_REFUSED_BY_CUSTOMER;
	} else {
		return 0;
	}
	return 1;
}

int desk_add_tracking(struct desk *d, const char *actor, const char *order_id,
		      const struct desk_tracking *t, struct desk_facts *out,
		      struct ac_err *err)
{
	struct store_order so = { 0 };
	struct shipment sh;
	char kind[64];
	int rc;

	memset(out, 0, sizeof *out);
	if (t->kind.n == 0 || t->kind.n > 60)
		return ac_err_set(err, AC_EINVAL, "kind",
				  "an event kind of 1 to 60 bytes");
	rc = store_get_order(d->store, S(order_id), &so, err);
	if (!rc && !so.shipped)
		rc = ac_err_set(err, AC_ESTATE, "order",
				"the order has not shipped: put its shipment "
				"first");
	sh = so.shipment;   /* its strings live in so until the end */
	if (rc) {
		store_order_release(&so);
		return rc;
	}
	snprintf(kind, sizeof kind, "%.*s", (int)t->kind.n, t->kind.p);
	bool changes = desk_apply_event(kind, t->at, &sh);
	struct store_tracking_event ev = {
		.order_id = S(order_id),
		.at = t->at,
		.kind = t->kind,
		.detail = t->detail.p ? t->detail : (struct ac_str){ "", 0 },
	};

	if (changes && sh.delivered && sh.delivered_at < sh.shipped_at)
		rc = ac_err_set(err, AC_EINVAL, "at",
				"a delivery before the shipment");
	else
		rc = put_facts(d, actor, order_id, changes ? &sh : NULL,
			       "tracking.add", &ev, out, err);
	store_order_release(&so);
	return rc;
}

int desk_list_tracking(struct desk *d, const char *order_id,
		       struct desk_events *out, struct ac_err *err)
{
	struct store_tracking_page *page = xcalloc(1, sizeof *page);
	struct store_order so = { 0 };
	int64_t after = 0;
	int rc, k = 0;

	memset(out, 0, sizeof *out);
	hold_reset(d);
	rc = store_get_order(d->store, S(order_id), &so, err);
	store_order_release(&so);
	while (!rc) {
		rc = store_list_tracking_events(d->store, S(order_id), after,
						STORE_PAGE_MAX, page, err);
		for (int i = 0; !rc && i < page->n; i++, k++) {
			const struct store_tracking_event *e = &page->rows[i];
			struct desk_event *v = hold_row(d, sizeof *v);

			v->id = e->id;
			v->at = e->at;
			hold_str(d, v, &v->kind, e->kind);
			hold_str(d, v, &v->detail, e->detail);
			after = e->id;
		}
		bool more = page->more;

		store_tracking_page_release(page);
		if (!more)
			break;
	}
	if (!rc) {
		out->events = hold_done(d, err);
		if (!out->events)
			rc = AC_ELIMIT;
	}
	if (!rc) {
		snprintf(d->v_id, sizeof d->v_id, "%s", order_id);
		out->order_id = S(d->v_id);
		out->n = k;
	}
	free(page);
	return rc;
}
