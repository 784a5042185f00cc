/* res_notes.c: staff notes on a case (http layer).
 *   POST /v1/cases/{id}/notes     {"body": text}    201
 *   GET  /v1/cases/{id}/notes                       200 */
#include "../desk/desk.h"
#include "json_out.h"

static void post_note(struct http_req *q, struct http_resp *r)
{
	struct desk_note nt;
	struct ac_str text;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = json_read_note(q->ctx->reader, q->body, q->body_len, &text,
			    &err);
	if (!rc)
		rc = desk_add_note(q->ctx->desk, q->actor, q->params[0], text,
				   &nt, &err);
	if (!rc)
		json_write_note(&nt, &r->body);
	http_answer(r, rc, &err, 201);
}

static void get_notes(struct http_req *q, struct http_resp *r)
{
	struct desk_notes ns;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = desk_list_notes(q->ctx->desk, q->params[0], &ns, &err);
	if (!rc)
		json_write_notes(&ns, &r->body);
	http_answer(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "POST", "/v1/cases/{id}/notes", post_note,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_JSON, NULL },
	{ "GET", "/v1/cases/{id}/notes", get_notes,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
};

const struct route_table res_notes_routes = {
	routes, sizeof routes / sizeof routes[0]
};
