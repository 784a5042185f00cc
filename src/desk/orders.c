/* orders.c: orders, shipments and courier tracking (desk layer).
 * A change to a shipment's facts re-decides the order's open cases in the
 * same transaction. */
#include "desk_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"

/* store_one stores the order request in d->req, in its own transaction. */
static int store_one(struct desk *d, const char *actor, struct ac_err *err)
{
	struct order_request *r = d->req;
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

int desk_create_order(struct desk *d, const char *actor, const char *body,
		      size_t n, struct buf *out, struct ac_err *err)
{
	int rc = order_request_read(d->rd, body, n, d->req, err);

	if (!rc)
		rc = store_one(d, actor, err);
	if (rc)
		return rc;
	buf_adds(out, "{\"id\":");
	desk_str(out, d->req->order.id);
	return buf_addc(out, '}');
}

int desk_import_orders(struct desk *d, const char *actor, const char *body,
		       size_t n, struct buf *out, struct ac_err *err)
{
	const char *p = body, *end = body + n;
	long line = 0, created = 0, failed = 0;
	struct buf errs;
	int rc;

	buf_init(&errs, 4u << 20);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct ac_err e;

		line++;
		if (len && p[len - 1] == '\r')
			len--;
		ac_err_clear(&e);
		if (len == 0) {
			p = nl ? nl + 1 : end;
			continue;  /* blank lines separate nothing */
		}
		if (order_request_read(d->rd, p, len, d->req, &e) == 0 &&
		    store_one(d, actor, &e) == 0) {
			created++;
		} else {
			if (failed++ < 1000) {
				buf_addf(&errs, "%s{\"line\":%ld,\"field\":",
					 failed > 1 ? "," : "", line);
				desk_cstr(&errs, e.field);
				buf_adds(&errs, ",\"message\":");
				desk_cstr(&errs, e.msg);
				buf_addc(&errs, '}');
			}
		}
		p = nl ? nl + 1 : end;
	}
	buf_addf(out, "{\"created\":%ld,\"failed\":%ld,\"errors\":[", created,
		 failed);
	buf_add(out, errs.p ? errs.p : "", errs.len);
	buf_adds(out, "]}");
	rc = buf_error(&errs) || buf_error(out) ?
	     ac_err_set(err, AC_ELIMIT, "errors",
			"the report is larger than its buffer") : 0;
	buf_release(&errs);
	return rc;
}

int desk_get_order(struct desk *d, const char *order_id, struct buf *out,
		   struct ac_err *err)
{
	struct store_order so = { 0 };
	struct store_ledger_sum sum = { 0 };
	struct store_case_filter f = { .order_id = S(order_id),
				       .limit = STORE_PAGE_MAX };
	struct store_case_page *page = xcalloc(1, sizeof *page);
	int64_t paid = 0;
	int rc;

	rc = store_get_order(d->store, S(order_id), &so, err);
	if (!rc)
		rc = store_sum_ledger_order(d->store, S(order_id), &sum, err);
	if (!rc)
		rc = store_list_cases(d->store, &f, page, err);
	if (rc)
		goto out;
	paid = desk_paid(&so);
	buf_adds(out, "{\"id\":");
	desk_str(out, so.order.id);
	buf_adds(out, ",\"order\":");
	order_json_write(&so.order, out);
	buf_adds(out, ",\"shipment\":");
	if (so.shipped)
		shipment_json_write(&so.shipment, out);
	else
		buf_adds(out, "null");
	buf_adds(out, ",\"customer\":{\"name\":");
	desk_str(out, so.customer_name);
	buf_adds(out, ",\"email\":");
	desk_str(out, so.customer_email);
	buf_addf(out, "},\"currency\":\"%s\",\"paid_minor\":%lld,"
		 "\"refunded_total_minor\":%lld,\"charged_total_minor\":%lld,"
		 "\"cases\":[", so.order.currency->code, (long long)paid,
		 (long long)sum.refund_minor, (long long)sum.charge_minor);
	for (int i = 0; i < page->n; i++) {
		const struct store_case_row *r = &page->rows[i];

		buf_adds(out, i ? ",{\"id\":" : "{\"id\":");
		desk_str(out, r->id);
		buf_addf(out, ",\"status\":\"%s\",\"type\":\"%s\",\"verdict\":",
			 store_case_status_name(r->status),
			 claim_type_name(r->claim_type));
		if (r->has_decision)
			desk_str(out, r->verdict);
		else
			buf_adds(out, "null");
		buf_addc(out, '}');
	}
	buf_adds(out, "]}");
out:
	store_case_page_release(page);
	free(page);
	store_order_release(&so);
	return rc;
}

/* put_facts stores a new shipment and re-decides; runs in its own
 * transaction. */
static int put_facts(struct desk *d, const char *actor, const char *order_id,
		     const struct shipment *sh, const char *action,
		     const struct store_tracking_event *ev, struct buf *out,
		     struct ac_err *err)
{
	struct buf redecided;
	int64_t ev_id = 0;
	int rc;

	buf_init(&redecided, 16u << 20);
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
		rc = desk_redecide_order(d, actor, S(order_id), &redecided,
					 err);
	else if (!rc)
		rc = buf_adds(&redecided, "[]");
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc) {
		buf_release(&redecided);
		return desk_fail(d, rc);
	}
	if (ev) {
		buf_addf(out, "{\"id\":%lld,\"order\":", (long long)ev_id);
	} else {
		buf_adds(out, "{\"order\":");
	}
	desk_cstr(out, order_id);
	buf_adds(out, ",\"redecided\":");
	buf_add(out, redecided.p, redecided.len);
	buf_addc(out, '}');
	buf_release(&redecided);
	return 0;
}

int desk_put_shipment(struct desk *d, const char *actor, const char *order_id,
		      const char *body, size_t n, struct buf *out,
		      struct ac_err *err)
{
	struct shipment sh;
	struct store_order so = { 0 };
	int rc = store_get_order(d->store, S(order_id), &so, err);

	store_order_release(&so);
	if (!rc)
		rc = shipment_request_read(d->rd, body, n, &sh, err);
	if (!rc)
		rc = put_facts(d, actor, order_id, &sh, "shipment.put", NULL,
			       out, err);
	return rc;
}

/* The courier events that change the facts a decision rests on. */
static int apply_event(const char *kind, int64_t at, struct shipment *sh)
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
		      const char *body, size_t n, struct buf *out,
		      struct ac_err *err)
{
	struct store_order so = { 0 };
	struct { struct ac_str kind, detail; int64_t at; } t;
	struct body_field fields[] = {
		{ "at", BODY_TIME, true, NULL, &t.at, NULL },
		{ "kind", BODY_STR, true, &t.kind, NULL, NULL },
		{ "detail", BODY_STR, false, &t.detail, NULL, NULL },
	};
	struct shipment sh;
	char kind[64];
	int rc;

	t.detail = (struct ac_str){ "", 0 };
	rc = body_read(d->rd, body, n, fields, 3, err);
	if (rc)
		return rc;
	if (t.kind.n == 0 || t.kind.n > 60)
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
	snprintf(kind, sizeof kind, "%.*s", (int)t.kind.n, t.kind.p);
	bool changes = apply_event(kind, t.at, &sh);
	struct store_tracking_event ev = {
		.order_id = S(order_id),
		.at = t.at,
		.kind = t.kind,
		.detail = t.detail,
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

int desk_list_tracking(struct desk *d, const char *order_id, struct buf *out,
		       struct ac_err *err)
{
	struct store_tracking_page *page = xcalloc(1, sizeof *page);
	struct store_order so = { 0 };
	int64_t after = 0;
	int rc, k = 0;

	rc = store_get_order(d->store, S(order_id), &so, err);
	store_order_release(&so);
	if (rc)
		goto out;
	buf_adds(out, "{\"order\":");
	desk_cstr(out, order_id);
	buf_adds(out, ",\"events\":[");
	do {
		rc = store_list_tracking_events(d->store, S(order_id), after,
						STORE_PAGE_MAX, page, err);
		if (rc)
			break;
		for (int i = 0; i < page->n; i++) {
			const struct store_tracking_event *e = &page->rows[i];

			buf_addf(out, "%s{\"id\":%lld,\"at\":", k++ ? "," : "",
				 (long long)e->id);
			desk_time(out, e->at);
			buf_adds(out, ",\"kind\":");
			desk_str(out, e->kind);
			buf_adds(out, ",\"detail\":");
			desk_str(out, e->detail);
			buf_addc(out, '}');
			after = e->id;
		}
		store_tracking_page_release(page);
	} while (page->more);
	buf_adds(out, "]}");
out:
	store_tracking_page_release(page);
	free(page);
	return rc;
}
