/* res_evidence.c: photos as evidence (http layer).
 *   POST /v1/cases/{id}/evidence           the image's bytes    201
 *   GET  /v1/cases/{id}/evidence/{sha256}  the bytes again      200
 * The body is the image itself (image/jpeg, image/png or image/webp, up
 * to DESK_EVIDENCE_MAX bytes); the desk checks the bytes' magic numbers
 * against the declared type. Files are named by their SHA-256. */
#include <string.h>

#include "../desk/desk.h"
#include "json_out.h"

static void post_evidence(struct http_req *q, struct http_resp *r)
{
	struct desk_evidence e;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_add_evidence(q->ctx->desk, q->actor, q->params[0],
			       q->media_type, q->body, q->body_len, &e, &err);
	if (!rc)
		json_write_evidence(&e, &r->body);
	http_answer(r, rc, &err, 201);
}

static bool sha256_hex(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == 64 && s[n] == '\0';
}

static void get_evidence(struct http_req *q, struct http_resp *r)
{
	struct desk_evidence e;
	struct ac_err err;
	int rc;

	if (!sha256_hex(q->params[1])) {
		http_problem(r, 404, "sha256", "no evidence '%s': evidence is"
			     " named by its SHA-256 in lower-case hex",
			     q->params[1]);
		return;
	}
	ac_err_clear(&err);
	rc = desk_get_evidence(q->ctx->desk, q->params[0], q->params[1], &e,
			       &err);
	if (!rc && (e.content_type.n == 0 || e.content_type.n >= 64))
		e.content_type = (struct ac_str){ "application/octet-stream",
						  24 };
	if (!rc)
		buf_add(&r->body, e.data.p, e.data.n);
	if (rc || buf_error(&r->body)) {
		http_answer(r, rc, &err, 200);
		return;
	}
	r->status = 200;
	r->content_type = arena_strndup(q->arena, e.content_type.p,
					e.content_type.n);
	/* content-addressed: the bytes under a name never change */
	http_resp_header(r, "Cache-Control", "private, max-age=31536000, "
			 "immutable");
	http_resp_header(r, "Content-Security-Policy", "default-src 'none'");
}

static const struct route routes[] = {
	{ "POST", "/v1/cases/{id}/evidence", post_evidence,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_IMAGE, NULL },
	{ "GET", "/v1/cases/{id}/evidence/{sha256}", get_evidence,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
};

const struct route_table res_evidence_routes = {
	routes, sizeof routes / sizeof routes[0]
};
