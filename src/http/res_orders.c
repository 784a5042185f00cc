/* res_orders.c: orders, their shipment and courier tracking (http layer).
 *   POST /v1/orders                    create one          201
 *   POST /v1/orders/import             JSON Lines          200
 *   GET  /v1/orders/{id}                                   200
 *   PUT  /v1/orders/{id}/shipment      re-decides cases    200
 *   POST /v1/orders/{id}/tracking      a courier event     201
 *   GET  /v1/orders/{id}/tracking                          200 */
#include <string.h>

#include "../desk/desk.h"
#include "json_out.h"

static void post_order(struct http_req *q, struct http_resp *r)
{
	struct order_request *req = arena_alloc(q->arena, sizeof *req);
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = order_request_read(q->ctx->reader, q->body, q->body_len, req,
				&err);
	if (!rc)
		rc = desk_create_order(q->ctx->desk, q->actor, req, &err);
	if (!rc) {
		buf_adds(&r->body, "{\"id\":");
		json_str_write(&r->body, req->order.id.p, req->order.id.n);
		buf_addc(&r->body, '}');
	}
	http_answer(r, rc, &err, 201);
}

#define IMPORT_ERRORS_MAX 1000          /* errors listed; more are counted */

/* post_import stores each good line of a JSON Lines body as an order, in
 * a transaction of its own, and lists what failed. */
static void post_import(struct http_req *q, struct http_resp *r)
{
	struct order_request *req = arena_alloc(q->arena, sizeof *req);
	const char *p = q->body, *end = q->body + q->body_len;
	long line = 0, created = 0, failed = 0;
	struct buf errs;

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
		if (order_request_read(q->ctx->reader, p, len, req, &e) == 0 &&
		    desk_create_order(q->ctx->desk, q->actor, req, &e) == 0) {
			created++;
		} else if (failed++ < IMPORT_ERRORS_MAX) {
			buf_addf(&errs, "%s{\"line\":%ld,\"field\":",
				 failed > 1 ? "," : "", line);
			json_str_write(&errs, e.field, strlen(e.field));
			buf_adds(&errs, ",\"message\":");
			json_str_write(&errs, e.msg, strlen(e.msg));
			buf_addc(&errs, '}');
		}
		p = nl ? nl + 1 : end;
	}
	buf_addf(&r->body, "{\"created\":%ld,\"failed\":%ld,\"errors\":[",
		 created, failed);
	buf_add(&r->body, errs.p ? errs.p : "", errs.len);
	buf_adds(&r->body, "]}");
	if (buf_error(&errs))
		http_problem(r, 500, "errors", "the report is larger than "
			     "its buffer");
	else
		http_answer(r, 0, NULL, 200);
	buf_release(&errs);
}

static void get_order(struct http_req *q, struct http_resp *r)
{
	struct desk_order o;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_get_order(q->ctx->desk, q->params[0], &o, &err);
	if (!rc)
		json_write_order(&o, &r->body);
	http_answer(r, rc, &err, 200);
}

static void put_shipment(struct http_req *q, struct http_resp *r)
{
	struct desk_facts f;
	struct shipment sh;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = shipment_request_read(q->ctx->reader, q->body, q->body_len, &sh,
				   &err);
	if (!rc)
		rc = desk_put_shipment(q->ctx->desk, q->actor, q->params[0],
				       &sh, &f, &err);
	if (!rc)
		json_write_facts(&f, &r->body);
	http_answer(r, rc, &err, 200);
}

static void post_tracking(struct http_req *q, struct http_resp *r)
{
	struct desk_tracking t;
	struct desk_facts f;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = json_read_tracking(q->ctx->reader, q->body, q->body_len, &t,
				&err);
	if (!rc)
		rc = desk_add_tracking(q->ctx->desk, q->actor, q->params[0],
				       &t, &f, &err);
	if (!rc)
		json_write_facts(&f, &r->body);
	http_answer(r, rc, &err, 201);
}

static void get_tracking(struct http_req *q, struct http_resp *r)
{
	struct desk_events e;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_list_tracking(q->ctx->desk, q->params[0], &e, &err);
	if (!rc)
		json_write_events(&e, &r->body);
	http_answer(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "POST", "/v1/orders", post_order,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
	{ "POST", "/v1/orders/import", post_import,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSONL, NULL },
	{ "GET", "/v1/orders/{id}", get_order,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "PUT", "/v1/orders/{id}/shipment", put_shipment,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
	{ "POST", "/v1/orders/{id}/tracking", post_tracking,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
	{ "GET", "/v1/orders/{id}/tracking", get_tracking,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
};

const struct route_table res_orders_routes = {
	routes, sizeof routes / sizeof routes[0]
};
