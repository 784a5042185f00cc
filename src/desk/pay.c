/* pay.c: ledger refunds paid back through the payment provider (desk
 * layer, issue 10.4). See pay.h. */
#include "pay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codec/pay_json.h"
#include "desk_int.h"
#include "outbox.h"

int desk_pay_set_intent(struct desk *d, const char *actor,
			const char *order_id, const char *intent,
			struct ac_err *err)
{
	struct store_order so = { 0 };
	size_t n = intent ? strlen(intent) : 0;
	int rc;

	if (n == 0 || n > 255)
		return ac_err_set(err, AC_EINVAL, "payment_intent",
				  "1 to 255 bytes");
	for (size_t i = 0; i < n; i++)
		if (intent[i] <= ' ' || intent[i] > '~')
			return ac_err_set(err, AC_EINVAL, "payment_intent",
					  "printable ASCII without spaces");
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_get_order(d->store, S(order_id), &so, err);
	store_order_release(&so);
	if (!rc)
		rc = store_put_payment_intent(d->store, S(order_id), S(intent),
					      desk_now(d), err);
	if (!rc)
		rc = desk_audit(d, actor, "order.payment_intent", "order",
				S(order_id), NULL, NULL, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_pay_refund_added(struct desk *d, struct ac_str case_id,
			  struct ac_str order_id, int64_t ledger_id,
			  int64_t amount_minor, const char *currency,
			  struct ac_err *err)
{
	char intent[256], dedupe[48], ref[24], payload[512];
	char cid[STORE_ID_MAX];
	int64_t outbox_id = 0;
	struct buf b;
	int rc = store_get_payment_intent(d->store, order_id, intent, err);

	if (rc == AC_ENOTFOUND) {       /* not paid through the provider */
		ac_err_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	snprintf(cid, sizeof cid, "%.*s", (int)case_id.n, case_id.p);
	snprintf(dedupe, sizeof dedupe, "refund:%" PRId64, ledger_id);
	snprintf(ref, sizeof ref, "%" PRId64, ledger_id);
	/* for people reading the outbox: the handler reads the store */
	buf_init(&b, sizeof payload);
	buf_addf(&b, "{\"ledger_entry\":%" PRId64 ",\"case\":", ledger_id);
	json_str_write(&b, cid, strlen(cid));
	buf_adds(&b, ",\"payment_intent\":");
	json_str_write(&b, intent, strlen(intent));
	buf_addf(&b, ",\"amount_minor\":%" PRId64 ",\"currency\":\"%s\"}",
		 amount_minor, currency);
	snprintf(payload, sizeof payload, "%.*s", (int)b.len, b.p);
	rc = buf_error(&b) ? ac_err_set(err, AC_ELIMIT, "payload",
					"too long") : 0;
	buf_release(&b);
	struct desk_outbox_msg m = {
		.kind = PAY_KIND,
		.case_id = case_id,
		.ref = S(ref),
		.dedupe = S(dedupe),
		.payload_json = S(payload),
	};

	if (!rc)
		rc = desk_outbox_add(d, &m, &outbox_id, err);
	if (!rc)
		rc = store_put_refund_pay(d->store, ledger_id, case_id,
					  outbox_id, desk_now(d), err);
	return rc;
}

static void fill(struct desk_pay *p, const struct store_refund_pay *r)
{
	memset(p, 0, sizeof *p);
	p->ledger_id = r->ledger_id;
	snprintf(p->case_id, sizeof p->case_id, "%.*s", (int)r->case_id.n,
		 r->case_id.p);
	snprintf(p->order_id, sizeof p->order_id, "%.*s",
		 (int)r->order_id.n, r->order_id.p);
	snprintf(p->status, sizeof p->status, "%.*s", (int)r->status.n,
		 r->status.p);
	snprintf(p->provider_id, sizeof p->provider_id, "%.*s",
		 (int)r->provider_id.n, r->provider_id.p);
	snprintf(p->reason, sizeof p->reason, "%.*s", (int)r->reason.n,
		 r->reason.p);
	snprintf(p->currency, sizeof p->currency, "%.*s",
		 (int)r->currency.n, r->currency.p);
	p->amount_minor = r->amount_minor;
	p->outbox_id = r->outbox_id;
	p->updated_at = r->updated_at;
}

int desk_pay_get(struct desk *d, int64_t ledger_id, struct desk_pay *out,
		 struct ac_err *err)
{
	struct store_refund_pay r;
	int rc = store_get_refund_pay(d->store, ledger_id, &r, err);

	if (!rc) {
		fill(out, &r);
		rc = store_get_payment_intent(d->store, S(out->order_id),
					      out->payment_intent, err);
	}
	store_refund_pay_release(&r);
	return rc;
}

int desk_pay_list(struct desk *d, const char *case_id,
		  void (*each)(void *arg, const struct desk_pay *p),
		  void *arg, struct ac_err *err)
{
	struct store_refund_pay_page *page = xcalloc(1, sizeof *page);
	int rc = store_list_refund_pays(d->store, S(case_id), page, err);

	for (int i = 0; !rc && i < page->n; i++) {
		struct desk_pay p;

		fill(&p, &page->rows[i]);
		each(arg, &p);
	}
	store_refund_pay_page_release(page);
	free(page);
	return rc;
}

/* audit records what changed on the payment. */
static int audit(struct desk *d, const char *actor, int64_t ledger_id,
		 const char *action, const char *status, const char *reason,
		 struct ac_err *err)
{
	char id[24];
	struct record_field a[] = {
		RECORD_S("status", S(status)),
		RECORD_S("reason", S(reason)),
	};

	snprintf(id, sizeof id, "%" PRId64, ledger_id);
	return desk_audit_rec(d, actor, action, "ledger", S(id), NULL, 0, a,
			      2, err);
}

int desk_pay_result(struct desk *d, const char *actor, int64_t ledger_id,
		    const char *status, const char *provider_id,
		    const char *reason, int *changed, struct ac_err *err)
{
	int ch = 0, rc = desk_txn_begin(d, err);

	if (!rc)
		rc = store_set_refund_pay(d->store, ledger_id, S(status),
					  S(provider_id), S(reason), 0,
					  desk_now(d), false, &ch, err);
	if (!rc && ch)
		rc = audit(d, actor, ledger_id, "refund.payment", status,
			   reason, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (changed)
		*changed = rc ? 0 : ch;
	return rc ? desk_fail(d, rc) : 0;
}

int desk_pay_reopen(struct desk *d, const char *actor, int64_t ledger_id,
		    int64_t outbox_id, int *reopened, struct ac_err *err)
{
	struct store_refund_pay r;
	int rc = desk_txn_begin(d, err);

	*reopened = 0;
	if (rc)
		return rc;
	rc = store_get_refund_pay(d->store, ledger_id, &r, err);
	if (!rc && r.outbox_id == outbox_id && r.status.n == 6 &&
	    !memcmp(r.status.p, "failed", 6)) {
		rc = store_set_refund_pay(d->store, ledger_id, S("pending"),
					  S(""), S(""), 0, desk_now(d), true,
					  NULL, err);
		if (!rc)
			rc = audit(d, actor, ledger_id, "refund.retry",
				   "pending", "", err);
		*reopened = !rc;
	}
	store_refund_pay_release(&r);
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		*reopened = 0;
	return rc ? desk_fail(d, rc) : 0;
}

int desk_pay_retry(struct desk *d, const char *actor, const char *case_id,
		   int64_t ledger_id, struct ac_err *err)
{
	struct store_refund_pay r;
	char dedupe[64], ref[24];
	int64_t outbox_id = 0;
	int rc = desk_txn_begin(d, err);

	if (rc)
		return rc;
	rc = store_get_refund_pay(d->store, ledger_id, &r, err);
	if (!rc && (r.case_id.n != strlen(case_id) ||
		    memcmp(r.case_id.p, case_id, r.case_id.n)))
		rc = ac_err_set(err, AC_ENOTFOUND, "ledger_entry", "case %s "
				"has no refund %" PRId64 " sent", case_id,
				ledger_id);
	if (!rc && !(r.status.n == 6 && !memcmp(r.status.p, "failed", 6)))
		rc = ac_err_set(err, AC_ESTATE, "status", "the refund is "
				"%.*s: only a failed one is retried",
				(int)r.status.n, r.status.p);
	/* a new outbox row (its last one may have been sent, and the
	 * provider failed it later); the handler derives the
	 * Idempotency-Key from the ledger entry, so the provider sees the
	 * same refund again, never a second one */
	snprintf(dedupe, sizeof dedupe, "refund:%" PRId64 ":retry:%" PRId64,
		 ledger_id, desk_now(d));
	snprintf(ref, sizeof ref, "%" PRId64, ledger_id);
	struct desk_outbox_msg m = {
		.kind = PAY_KIND,
		.case_id = S(case_id),
		.ref = S(ref),
		.dedupe = S(dedupe),
		.payload_json = S("{\"retry\":true}"),
	};

	if (!rc)
		rc = desk_outbox_add(d, &m, &outbox_id, err);
	if (!rc)
		rc = store_set_refund_pay(d->store, ledger_id, S("pending"),
					  S(""), S(""), outbox_id, desk_now(d),
					  true, NULL, err);
	if (!rc)
		rc = audit(d, actor, ledger_id, "refund.retry", "pending", "",
			   err);
	store_refund_pay_release(&r);
	if (!rc)
		rc = desk_txn_commit(d, err);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_pay_event(struct desk *d, const char *name,
		   const struct pay_event *ev, const char **status,
		   int64_t *ledger_id, struct ac_err *err)
{
	const char *st = "ignored", *to = NULL;
	struct store_refund_pay r = { 0 };
	char actor[96];
	int ch = 0, rc;

	*status = NULL;
	if (ledger_id)
		*ledger_id = 0;
	snprintf(actor, sizeof actor, "hook:stripe/%s", name);
	if (ev->is_refund) {
		const char *s = ev->refund.status;

		if (!strcmp(s, "succeeded"))
			to = "succeeded";
		else if (!strcmp(s, "failed") || !strcmp(s, "canceled"))
			to = "failed";
	}
	rc = desk_txn_begin(d, err);
	if (rc)
		return rc;
	if (to && ev->ledger_id > 0) {
		rc = store_get_refund_pay(d->store, ev->ledger_id, &r, err);
		if (rc == AC_ENOTFOUND) {
			st = "unmatched";
			rc = 0;
		} else if (!rc) {
			rc = store_set_refund_pay(d->store, ev->ledger_id,
						  S(to), S(ev->refund.id),
						  S(!strcmp(to, "failed") ?
						    ev->refund.reason : ""),
						  0, desk_now(d), false, &ch,
						  err);
			st = ch ? "applied" : "stale";
		}
	} else if (to) {
		st = "unmatched";
	}
	if (!rc && ch)
		rc = audit(d, actor, ev->ledger_id, "refund.payment", to,
			   ev->refund.reason, err);
	struct store_hook_event rec = {
		.kind = S("stripe"),
		.name = S(name),
		.event_id = S(ev->id),
		.status = S(st),
		.carrier = S(""),
		.tracking_code = S(""),
		.tracking_kind = S(to ? to : ""),
		.order_id = r.order_id,
		.detail = S(ev->type),
		.received_at = desk_now(d),
		.at = desk_now(d),
	};

	if (!rc)
		rc = store_put_hook_event(d->store, &rec, err);
	store_refund_pay_release(&r);
	if (rc == AC_ECONFLICT) {       /* seen before: change nothing */
		desk_fail(d, rc);
		*status = "duplicate";
		return 0;
	}
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		return desk_fail(d, rc);
	*status = st;
	if (ledger_id)
		*ledger_id = ev->ledger_id;
	return 0;
}
