/* res_quotes.c: repair quotes (http layer).
 *   POST /v1/cases/{id}/quotes            {"amount_minor", "expires_at"?} 201
 *   POST /v1/cases/{id}/quote/{action}    accept | decline | repaired
 *                                         | shipped_back                  200
 * Another action is no such resource: 404. */
#include <string.h>

#include "../desk/desk.h"
#include "json_out.h"

static const struct {
	const char *name;
	enum quote_status to;
} actions[] = {
	{ "accept", QUOTE_STATUS_ACCEPTED },
	{ "decline", QUOTE_STATUS_DECLINED },
	{ "repaired", QUOTE_STATUS_REPAIRED },
	{ "shipped_back", QUOTE_STATUS_SHIPPED_BACK },
};

static void post_quote(struct http_req *q, struct http_resp *r)
{
	struct desk_quote_req req;
	struct desk_quote res;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = json_read_quote(q->ctx->reader, q->body, q->body_len, &req, &err);
	if (!rc)
		rc = desk_quote(q->ctx->desk, q->actor, q->params[0], &req,
				&res, &err);
	if (!rc)
		json_write_quote(&res, &r->body);
	http_answer(r, rc, &err, 201);
}

static void post_quote_action(struct http_req *q, struct http_resp *r)
{
	struct desk_quote res;
	struct ac_err err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (!strcmp(q->params[1], actions[i].name))
			break;
	if (i == sizeof actions / sizeof actions[0]) {
		http_problem(r, 404, "action", "no quote action '%s': accept, "
			     "decline, repaired or shipped_back",
			     q->params[1]);
		return;
	}
	ac_err_clear(&err);
	rc = desk_quote_action(q->ctx->desk, q->actor, q->params[0],
			       actions[i].to, &res, &err);
	if (!rc)
		json_write_quote(&res, &r->body);
	http_answer(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "POST", "/v1/cases/{id}/quotes", post_quote,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
	{ "POST", "/v1/cases/{id}/quote/{action}", post_quote_action,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_NONE, NULL },
};

const struct route_table res_quotes_routes = {
	routes, sizeof routes / sizeof routes[0]
};
