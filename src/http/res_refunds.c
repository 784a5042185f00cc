/* res_refunds.c: refunds through the ledger (http layer).
 *   POST /v1/cases/{id}/refunds   {"amount_minor"} + Idempotency-Key  201
 * The key is required (400 without it) and belongs to the token's name:
 * the same key and body again answer the first response again, 201 with
 * `Idempotent-Replayed: true`; the same key with another body is 409. */
#include <string.h>

#include "../desk/desk.h"
#include "json_out.h"

#define IDEM_KEY_MAX 255

/* key_ok: printable ASCII without spaces at either end. */
static bool key_ok(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > IDEM_KEY_MAX || k[0] == ' ' || k[n - 1] == ' ')
		return false;
	for (; *k; k++)
		if (*k < 0x20 || *k > 0x7e)
			return false;
	return true;
}

static void post_refund(struct http_req *q, struct http_resp *r)
{
	const char *key = http_req_header(q, "Idempotency-Key");
	struct desk_refund_req req;
	struct desk_refund res;
	struct ac_err err;
	int rc;

	if (!key || !key[0]) {
		http_problem(r, 400, "Idempotency-Key", "a refund needs an "
			     "Idempotency-Key header");
		return;
	}
	if (!key_ok(key)) {
		http_problem(r, 400, "Idempotency-Key", "the Idempotency-Key "
			     "must be 1 to %d printable ASCII characters",
			     IDEM_KEY_MAX);
		return;
	}
	ac_err_clear(&err);
	req.scope = q->token_name;
	req.idem_key = key;
	rc = json_read_refund(q->ctx->reader, q->body, q->body_len, &req,
			      &err);
	if (!rc)
		rc = desk_refund(q->ctx->desk, q->actor, q->params[0], &req,
				 &res, &err);
	if (!rc)
		json_write_refund(&res, &r->body);
	http_answer(r, rc, &err, 201);
	if (!rc && res.replayed)
		http_resp_header(r, "Idempotent-Replayed", "true");
}

static const struct route routes[] = {
	{ "POST", "/v1/cases/{id}/refunds", post_refund,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
};

const struct route_table res_refunds_routes = {
	routes, sizeof routes / sizeof routes[0]
};
