/* res_cases.c: cases and their workflow (http layer).
 *   POST /v1/cases                     open one, decided   201
 *   GET  /v1/cases                     ?status&type&order&deadline_before
 *                                      &after&limit        200
 *   GET  /v1/cases/{id}                as decided now      200
 *   POST /v1/cases/{id}/transition     {"to", "reason"?}   200
 *   POST /v1/cases/{id}/approve                            200
 *   POST /v1/cases/{id}/override       {"verdict", ..}     200
 *   GET  /v1/deadlines                 ?within&after&limit 200 */
#include "../desk/desk.h"
#include "json_out.h"

#define WITHIN_DEFAULT_S 86400                /* a day */
#define WITHIN_MAX_S (10LL * 366 * 86400)     /* ten years */

/* answer_case answers a desk call that gives a case. */
static void answer_case(struct http_resp *r, int rc, const struct ac_err *err,
			const struct desk_case *c, int ok_status)
{
	if (!rc)
		json_write_case(c, &r->body);
	http_answer(r, rc, err, ok_status);
}

static void post_case(struct http_req *q, struct http_resp *r)
{
	struct desk_open *req = arena_alloc(q->arena, sizeof *req);
	struct desk_case c;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = json_read_open(q->ctx->reader, q->body, q->body_len, req, &err);
	if (!rc)
		rc = desk_open_case(q->ctx->desk, q->actor, req, &c, &err);
	answer_case(r, rc, &err, &c, 201);
}

static void list_cases(struct http_req *q, struct http_resp *r)
{
	struct desk_case_query cq = { 0 };
	struct desk_case_page page;
	struct ac_err err;
	int64_t limit;
	int rc;

	if (!http_query_int(q, r, "limit", 1, 100, 0, &limit))
		return;
	cq.status = http_req_query(q, "status");
	cq.type = http_req_query(q, "type");
	cq.order = http_req_query(q, "order");
	cq.clause = http_req_query(q, "clause");
	cq.customer = http_req_query(q, "customer");
	cq.deadline_before = http_req_query(q, "deadline_before");
	cq.after = http_req_query(q, "after");
	cq.limit = (int)limit;
	ac_err_clear(&err);
	rc = desk_list_cases(q->ctx->desk, &cq, &page, &err);
	if (!rc)
		json_write_case_page(&page, &r->body);
	http_answer(r, rc, &err, 200);
}

static void get_case(struct http_req *q, struct http_resp *r)
{
	struct desk_case c;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_get_case(q->ctx->desk, q->params[0], &c, &err);
	answer_case(r, rc, &err, &c, 200);
}

static void post_transition(struct http_req *q, struct http_resp *r)
{
	struct desk_move req;
	struct desk_case c;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = json_read_move(q->ctx->reader, q->body, q->body_len, &req, &err);
	if (!rc)
		rc = desk_transition(q->ctx->desk, q->actor, q->params[0],
				     &req, &c, &err);
	answer_case(r, rc, &err, &c, 200);
}

static void post_approve(struct http_req *q, struct http_resp *r)
{
	struct desk_case c;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_approve(q->ctx->desk, q->actor, q->params[0], &c, &err);
	answer_case(r, rc, &err, &c, 200);
}

static void post_override(struct http_req *q, struct http_resp *r)
{
	struct desk_override req;
	struct desk_case c;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = json_read_override(q->ctx->reader, q->body, q->body_len, &req,
				&err);
	if (!rc)
		rc = desk_override(q->ctx->desk, q->actor, q->params[0], &req,
				   &c, &err);
	answer_case(r, rc, &err, &c, 200);
}

static void get_deadlines(struct http_req *q, struct http_resp *r)
{
	struct desk_deadline_query dq = { 0 };
	struct desk_due_page page;
	struct ac_err err;
	int64_t limit;
	int rc;

	if (!http_query_int(q, r, "within", 0, WITHIN_MAX_S,
			    WITHIN_DEFAULT_S, &dq.within_s) ||
	    !http_query_int(q, r, "limit", 1, 100, 50, &limit))
		return;
	dq.limit = (int)limit;
	dq.after = http_req_query(q, "after");
	ac_err_clear(&err);
	rc = desk_deadlines(q->ctx->desk, &dq, &page, &err);
	if (!rc)
		json_write_due_page(&page, &r->body);
	http_answer(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "POST", "/v1/cases", post_case,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
	{ "GET", "/v1/cases", list_cases,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "GET", "/v1/cases/{id}", get_case,
	  HTTP_AUTH_TOKEN, HTTP_TXN_QUICK_READ, HTTP_BODY_NONE, NULL },
	{ "POST", "/v1/cases/{id}/transition", post_transition,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
	{ "POST", "/v1/cases/{id}/approve", post_approve,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_NONE, NULL },
	{ "POST", "/v1/cases/{id}/override", post_override,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
	{ "GET", "/v1/deadlines", get_deadlines,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
};

const struct route_table res_cases_routes = {
	routes, sizeof routes / sizeof routes[0]
};
