/* res_orders.c: orders, their shipment and courier tracking (http layer).
 *   POST /v1/orders                    create one          201
 *   POST /v1/orders/import             JSON Lines          200
 *   GET  /v1/orders/{id}                                   200
 *   PUT  /v1/orders/{id}/shipment      re-decides cases    200
 *   POST /v1/orders/{id}/tracking      a courier event     201
 *   GET  /v1/orders/{id}/tracking                          200 */
#include "../desk/desk.h"
#include "json_out.h"

static void post_order(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_create_order(q->ctx->desk, q->actor, q->body, q->body_len,
			       &r->body, &err);
	http_answer(r, rc, &err, 201);
}

static void post_import(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_import_orders(q->ctx->desk, q->actor, q->body, q->body_len,
				&r->body, &err);
	http_answer(r, rc, &err, 200);
}

static void get_order(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_get_order(q->ctx->desk, q->params[0], &r->body, &err);
	http_answer(r, rc, &err, 200);
}

static void put_shipment(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_put_shipment(q->ctx->desk, q->actor, q->params[0], q->body,
			       q->body_len, &r->body, &err);
	http_answer(r, rc, &err, 200);
}

static void post_tracking(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_add_tracking(q->ctx->desk, q->actor, q->params[0], q->body,
			       q->body_len, &r->body, &err);
	http_answer(r, rc, &err, 201);
}

static void get_tracking(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_list_tracking(q->ctx->desk, q->params[0], &r->body, &err);
	http_answer(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "POST", "/v1/orders", post_order,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON },
	{ "POST", "/v1/orders/import", post_import,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSONL },
	{ "GET", "/v1/orders/{id}", get_order,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE },
	{ "PUT", "/v1/orders/{id}/shipment", put_shipment,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON },
	{ "POST", "/v1/orders/{id}/tracking", post_tracking,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON },
	{ "GET", "/v1/orders/{id}/tracking", get_tracking,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE },
};

const struct route_table res_orders_routes = {
	routes, sizeof routes / sizeof routes[0]
};
