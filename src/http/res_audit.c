/* res_audit.c: the audit log (http layer).
 *   GET /v1/audit   ?entity&entity_id&since&limit   200
 * Oldest first; `since` is an event id (a cursor: events after it). */
#include <stdint.h>

#include "../desk/desk.h"
#include "json_out.h"

static void get_audit(struct http_req *q, struct http_resp *r)
{
	struct desk_audit_page page;
	struct ac_err err;
	int64_t since, limit;
	int rc;

	if (!http_query_int(q, r, "since", 0, INT64_MAX, 0, &since) ||
	    !http_query_int(q, r, "limit", 1, 100, 0, &limit))
		return;
	ac_err_clear(&err);
	rc = desk_list_audit(q->ctx->desk, http_req_query(q, "entity"),
			     http_req_query(q, "entity_id"), since,
			     (int)limit, &page, &err);
	if (!rc)
		json_write_audit_page(&page, &r->body);
	http_answer(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "GET", "/v1/audit", get_audit,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
};

const struct route_table res_audit_routes = {
	routes, sizeof routes / sizeof routes[0]
};
