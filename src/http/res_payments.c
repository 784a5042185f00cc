/* res_payments.c: refunds paid through the payment provider (http layer,
 * issue 10.4).
 *   PUT  /v1/orders/{id}/payment              {"payment_intent"}     200
 *   GET  /v1/cases/{id}/payments              the case's refunds     200
 *   POST /v1/cases/{id}/payments/{entry}/retry  a failed one again   200
 *   POST /v1/hooks/stripe/{name}              refund.* events    200|202
 * The webhook needs no token: its Stripe-Signature (t=...,v1=HMAC of
 * "t.body", five minutes' tolerance) is checked on a reader first; a bad
 * one is 401 and nothing is stored. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../codec/pay_json.h"
#include "../core/instant.h"
#include "../desk/hooks.h"
#include "../desk/pay.h"
#include "json_out.h"

static void put_payment(struct http_req *q, struct http_resp *r)
{
	struct ac_str intent = { "", 0 };
	struct body_field fields[] = {
		{ "payment_intent", BODY_STR, true, &intent, NULL, NULL },
	};
	char pi[256];
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = body_read(q->ctx->reader, q->body, q->body_len, fields, 1, &err);
	if (!rc && intent.n >= sizeof pi)
		rc = ac_err_set(&err, AC_EINVAL, "payment_intent",
				"longer than 255 bytes");
	if (!rc) {
		memcpy(pi, intent.p, intent.n);
		pi[intent.n] = '\0';
		rc = desk_pay_set_intent(q->ctx->desk, q->actor, q->params[0],
					 pi, &err);
	}
	if (!rc) {
		buf_adds(&r->body, "{\"order\":");
		http_json_str(&r->body, q->params[0]);
		buf_adds(&r->body, ",\"payment_intent\":");
		http_json_str(&r->body, pi);
		buf_addc(&r->body, '}');
	}
	http_answer(r, rc, &err, 200);
}

/* {"ledger_entry", "amount_minor", "currency", "status", "provider_id",
 * "reason", "updated_at"} */
static void write_pay(void *arg, const struct desk_pay *p)
{
	struct buf *b = arg;
	char t[40];

	instant_format(p->updated_at, t, sizeof t);
	buf_addf(b, "%s{\"ledger_entry\":%" PRId64 ",\"amount_minor\":%"
		 PRId64 ",\"currency\":", b->p[b->len - 1] == '[' ? "" : ",",
		 p->ledger_id, p->amount_minor);
	http_json_str(b, p->currency);
	buf_adds(b, ",\"status\":");
	http_json_str(b, p->status);
	buf_adds(b, ",\"provider_id\":");
	http_json_str(b, p->provider_id);
	buf_adds(b, ",\"reason\":");
	http_json_str(b, p->reason);
	buf_addf(b, ",\"updated_at\":\"%s\"}", t);
}

static void get_payments(struct http_req *q, struct http_resp *r)
{
	struct desk_case c;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	/* an unknown case is 404, not an empty list */
	rc = desk_get_case(q->ctx->desk, q->params[0], &c, &err);
	if (!rc) {
		buf_adds(&r->body, "{\"case\":");
		http_json_str(&r->body, q->params[0]);
		buf_adds(&r->body, ",\"payments\":[");
		rc = desk_pay_list(q->ctx->desk, q->params[0], write_pay,
				   &r->body, &err);
		buf_adds(&r->body, "]}");
	}
	http_answer(r, rc, &err, 200);
}

static void post_retry(struct http_req *q, struct http_resp *r)
{
	struct desk_pay p;
	struct ac_err err;
	char *end;
	long long entry = strtoll(q->params[1], &end, 10);
	int rc;

	ac_err_clear(&err);
	if (*end || entry <= 0)
		rc = ac_err_set(&err, AC_ENOTFOUND, "ledger_entry",
				"not a ledger entry: %s", q->params[1]);
	else
		rc = desk_pay_retry(q->ctx->desk, q->actor, q->params[0],
				    entry, &err);
	if (!rc)
		rc = desk_pay_get(q->ctx->desk, entry, &p, &err);
	if (!rc) {
		buf_addc(&r->body, '[');
		write_pay(&r->body, &p);
		/* the object alone, without the list's bracket */
		memmove(r->body.p, r->body.p + 1, --r->body.len);
	}
	http_answer(r, rc, &err, 200);
}

static void check_stripe(struct http_req *q, struct http_resp *r)
{
	struct pay_event *ev = arena_alloc(q->arena, sizeof *ev);
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_hook_verify(q->ctx->desk, HOOK_STRIPE, q->params[0],
			      q->body, q->body_len,
			      http_req_header(q, "Stripe-Signature"), &err);
	if (rc == AC_EINVAL) {
		http_problem(r, 401, "Stripe-Signature", "%s", err.msg);
		return;
	}
	if (!rc)
		rc = pay_event_read(q->body, q->body_len, ev, &err);
	if (rc) {
		http_problem_err(r, &err);
		return;
	}
	q->before = ev;
}

static void post_stripe(struct http_req *q, struct http_resp *r)
{
	const struct pay_event *ev = q->before;
	const char *status = NULL;
	int64_t entry = 0;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_pay_event(q->ctx->desk, q->params[0], ev, &status, &entry,
			    &err);
	if (!rc) {
		buf_adds(&r->body, "{\"status\":");
		http_json_str(&r->body, status);
		buf_addf(&r->body, ",\"ledger_entry\":%" PRId64 "}", entry);
	}
	http_answer(r, rc, &err,
		    !rc && !strcmp(status, "unmatched") ? 202 : 200);
}

static const struct route routes[] = {
	{ "PUT", "/v1/orders/{id}/payment", put_payment,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
	{ "GET", "/v1/cases/{id}/payments", get_payments,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "POST", "/v1/cases/{id}/payments/{entry}/retry", post_retry,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_NONE, NULL },
	{ "POST", "/v1/hooks/stripe/{name}", post_stripe,
	  HTTP_AUTH_NONE, HTTP_TXN_WRITE, HTTP_BODY_JSON, check_stripe },
};

const struct route_table res_payments_routes = {
	routes, sizeof routes / sizeof routes[0]
};
