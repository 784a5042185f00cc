/* res_decide.c: POST /v1/decide (http layer).
 * A case in, the decision out, exactly as `aftercare decide` writes it,
 * under the policy the server was started with. No token, nothing stored.
 * Bad input is a 422 problem naming the field (400 when not JSON). */
#include "../codec/codec.h"
#include "http.h"

static void post_decide(struct http_req *q, struct http_resp *r)
{
	struct decision d;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = case_reader_read(q->ctx->reader, q->body, q->body_len,
			      q->ctx->decide_case, &err);
	if (!rc)
		rc = decide(q->ctx->policy, q->ctx->decide_case, &d, &err);
	if (!rc && decision_json_write(&d, &r->body)) {
		buf_reset(&r->body);
		http_problem(r, 500, NULL, "the decision is larger than its "
			     "buffer");
		return;
	}
	http_reply(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "POST", "/v1/decide", post_decide,
	  HTTP_AUTH_NONE, HTTP_TXN_QUICK, HTTP_BODY_JSON, NULL },
};

const struct route_table res_decide_routes = {
	routes, sizeof routes / sizeof routes[0]
};
