/* res_hooks.c: the couriers' tracking webhooks and the parcels they name
 * (http layer, issue 10.3).
 *   POST /v1/hooks/aftership/{name}   AfterShip tracking_update   200|202
 *   POST /v1/hooks/easypost/{name}    EasyPost tracker.updated    200|202
 *   PUT  /v1/orders/{id}/parcel       {"carrier", "tracking_code"} 200
 *   GET  /v1/hooks/events             ?status (unmatched)&limit    200
 * The webhooks need no token: the signature (made with the
 * integration's secret, `aftercare hook add`) is checked on a reader
 * before the writer sees the request, and a bad or missing one is 401
 * with nothing stored. An event whose parcel no order has is kept and
 * answered 202 (a 4xx would only make the provider retry). */
#include <stdio.h>
#include <string.h>

#include "../desk/hooks.h"
#include "json_out.h"

/* check: the integration's signature, then the body, left in q->before
 * for the writer; answers r (401, 422) when either is wrong. */
static void check(struct http_req *q, struct http_resp *r, enum hook_kind k,
		  const char *header)
{
	struct hook_event *ev = arena_alloc(q->arena, sizeof *ev);
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_hook_verify(q->ctx->desk, k, q->params[0], q->body,
			      q->body_len, http_req_header(q, header), &err);
	if (rc == AC_EINVAL) {
		http_problem(r, 401, header, "%s", err.msg);
		return;
	}
	if (rc) {
		http_problem_err(r, &err);
		return;
	}
	rc = k == HOOK_AFTERSHIP ?
		hook_aftership_read(q->body, q->body_len, ev, &err) :
		hook_easypost_read(q->body, q->body_len, ev, &err);
	if (rc) {
		http_problem_err(r, &err);
		return;
	}
	q->before = ev;
}

static void check_aftership(struct http_req *q, struct http_resp *r)
{
	check(q, r, HOOK_AFTERSHIP, "aftership-hmac-sha256");
}

static void check_easypost(struct http_req *q, struct http_resp *r)
{
	check(q, r, HOOK_EASYPOST, "X-Hmac-Signature");
}

/* {"status", "kind", "order", "redecided": [{"id", "verdict",
 * "status"}]} */
static void post_event(struct http_req *q, struct http_resp *r,
		       enum hook_kind k)
{
	const struct hook_event *ev = q->before;
	struct desk_hook_result res;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_hook_event(q->ctx->desk, k, q->params[0], ev, &res, &err);
	if (!rc) {
		buf_adds(&r->body, "{\"status\":");
		http_json_str(&r->body, res.status);
		buf_adds(&r->body, ",\"kind\":");
		if (res.kind)
			http_json_str(&r->body, res.kind);
		else
			buf_adds(&r->body, "null");
		buf_addc(&r->body, ',');
		/* the facts' own object, less its opening brace */
		size_t at = r->body.len;

		json_write_facts(&res.facts, &r->body);
		if (!buf_error(&r->body))
			memmove(r->body.p + at, r->body.p + at + 1,
				--r->body.len - at);
	}
	http_answer(r, rc, &err,
		    rc == 0 && !strcmp(res.status, "unmatched") ? 202 : 200);
}

static void post_aftership(struct http_req *q, struct http_resp *r)
{
	post_event(q, r, HOOK_AFTERSHIP);
}

static void post_easypost(struct http_req *q, struct http_resp *r)
{
	post_event(q, r, HOOK_EASYPOST);
}

static void put_parcel(struct http_req *q, struct http_resp *r)
{
	struct ac_str carrier = { "", 0 }, code = { "", 0 };
	struct body_field fields[] = {
		{ "carrier", BODY_STR, true, &carrier, NULL, NULL },
		{ "tracking_code", BODY_STR, true, &code, NULL, NULL },
	};
	char car[65], tc[129];
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = body_read(q->ctx->reader, q->body, q->body_len, fields, 2, &err);
	if (!rc && (carrier.n >= sizeof car || code.n >= sizeof tc))
		rc = ac_err_set(&err, AC_EINVAL, carrier.n >= sizeof car ?
				"carrier" : "tracking_code", "too long");
	if (!rc) {
		memcpy(car, carrier.p, carrier.n);
		car[carrier.n] = '\0';
		memcpy(tc, code.p, code.n);
		tc[code.n] = '\0';
		rc = desk_put_parcel(q->ctx->desk, q->actor, q->params[0], car,
				     tc, &err);
	}
	if (!rc) {
		char fc[65], fcode[129];

		hook_fold_carrier(car, fc, sizeof fc, &err);
		hook_fold_code(tc, fcode, sizeof fcode, &err);
		buf_adds(&r->body, "{\"order\":");
		http_json_str(&r->body, q->params[0]);
		buf_adds(&r->body, ",\"carrier\":");
		http_json_str(&r->body, fc);
		buf_adds(&r->body, ",\"tracking_code\":");
		http_json_str(&r->body, fcode);
		buf_addc(&r->body, '}');
	}
	http_answer(r, rc, &err, 200);
}

/* {"integration", "id", "status", "carrier", "tracking_code", "kind",
 * "order", "detail", "at", "received_at"} */
static void write_seen(void *arg, const struct desk_hook_seen *e)
{
	struct buf *b = arg;
	char integ[96];

	snprintf(integ, sizeof integ, "%s/%s", e->kind, e->name);
	buf_adds(b, b->p[b->len - 1] == '[' ? "{\"integration\":" :
		 ",{\"integration\":");
	http_json_str(b, integ);
	buf_adds(b, ",\"id\":");
	http_json_str(b, e->event_id);
	buf_adds(b, ",\"status\":");
	http_json_str(b, e->status);
	buf_adds(b, ",\"carrier\":");
	http_json_str(b, e->carrier);
	buf_adds(b, ",\"tracking_code\":");
	http_json_str(b, e->tracking_code);
	buf_adds(b, ",\"kind\":");
	http_json_str(b, e->tracking_kind);
	buf_adds(b, ",\"order\":");
	if (e->order_id[0])
		http_json_str(b, e->order_id);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"detail\":");
	http_json_str(b, e->detail);
	buf_adds(b, ",\"at\":");
	json_write_time(b, e->at);
	buf_adds(b, ",\"received_at\":");
	json_write_time(b, e->received_at);
	buf_addc(b, '}');
}

static void get_events(struct http_req *q, struct http_resp *r)
{
	const char *status = http_req_query(q, "status");
	int64_t limit;
	bool more = false;
	struct ac_err err;
	int rc;

	if (!http_query_int(q, r, "limit", 1, 100, 50, &limit))
		return;
	ac_err_clear(&err);
	buf_adds(&r->body, "{\"events\":[");
	rc = desk_hook_events(q->ctx->desk, status ? status : "unmatched",
			      (int)limit, write_seen, &r->body, &more, &err);
	buf_addf(&r->body, "],\"more\":%s}", more ? "true" : "false");
	http_answer(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "GET", "/v1/hooks/events", get_events,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "POST", "/v1/hooks/aftership/{name}", post_aftership,
	  HTTP_AUTH_NONE, HTTP_TXN_WRITE, HTTP_BODY_JSON, check_aftership },
	{ "POST", "/v1/hooks/easypost/{name}", post_easypost,
	  HTTP_AUTH_NONE, HTTP_TXN_WRITE, HTTP_BODY_JSON, check_easypost },
	{ "PUT", "/v1/orders/{id}/parcel", put_parcel,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
};

const struct route_table res_hooks_routes = {
	routes, sizeof routes / sizeof routes[0]
};
