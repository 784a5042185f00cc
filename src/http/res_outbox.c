/* res_outbox.c: the outbox, dead letters and retry by hand (http layer).
 *   GET  /v1/outbox            ?status (default dead)&after&limit   200
 *   POST /v1/outbox/{id}/retry                                      200
 *   GET  /v1/cases/{id}/outbox  the case's messages and bounce      200
 * A row: {"id", "kind", "case", "ref", "status", "attempts", "next_at",
 * "last_error", "created_at", "sent_at", "payload"}; a list is {"messages":
 * [...], "next": the last id when more follow, else null}. Retrying a
 * row that is not dead or failed is 409. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../desk/desk.h"
#include "../desk/outbox.h"
#include "json_out.h"

static void w_str(struct buf *b, struct ac_str s)
{
	json_str_write(b, s.p ? s.p : "", s.n);
}

static void w_opt(struct buf *b, struct ac_str s)
{
	if (s.n)
		w_str(b, s);
	else
		buf_adds(b, "null");
}

static void w_item(struct buf *b, const struct desk_outbox_item *it)
{
	buf_addf(b, "{\"id\":%lld,\"kind\":", (long long)it->id);
	w_str(b, it->kind);
	buf_adds(b, ",\"case\":");
	w_opt(b, it->case_id);
	buf_adds(b, ",\"ref\":");
	w_opt(b, it->ref);
	buf_addf(b, ",\"status\":\"%s\",\"attempts\":%d,\"next_at\":",
		 it->status, it->attempts);
	json_write_time(b, it->next_at);
	buf_adds(b, ",\"last_error\":");
	w_opt(b, it->last_error);
	buf_adds(b, ",\"created_at\":");
	json_write_time(b, it->created_at);
	buf_adds(b, ",\"sent_at\":");
	if (it->has_sent)
		json_write_time(b, it->sent_at);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"payload\":");
	buf_add(b, it->payload_json.p, it->payload_json.n);
	buf_addc(b, '}');
}

/* w_rows: "messages": [...], "next": .. (the members, no braces) */
static void w_rows(struct buf *b, const struct desk_outbox_list *l)
{
	buf_adds(b, "\"messages\":[");
	for (int i = 0; i < l->n; i++) {
		if (i)
			buf_addc(b, ',');
		w_item(b, &l->rows[i]);
	}
	buf_adds(b, "],\"next\":");
	if (l->more && l->n)
		buf_addf(b, "%lld", (long long)l->rows[l->n - 1].id);
	else
		buf_adds(b, "null");
}

static void get_outbox(struct http_req *q, struct http_resp *r)
{
	const char *status = http_req_query(q, "status");
	struct desk_outbox_list l;
	struct ac_err err;
	int64_t after, limit;
	int rc;

	if (!http_query_int(q, r, "after", 0, INT64_MAX, 0, &after) ||
	    !http_query_int(q, r, "limit", 1, DESK_OUTBOX_PAGE_MAX, 50,
			    &limit))
		return;
	ac_err_clear(&err);
	rc = desk_outbox_list(q->ctx->desk, status ? status : "dead", NULL,
			      after, (int)limit, &l, &err);
	if (!rc) {
		buf_addc(&r->body, '{');
		w_rows(&r->body, &l);
		buf_addc(&r->body, '}');
	}
	desk_outbox_list_release(&l);
	http_answer(r, rc, &err, 200);
}

/* the {id} segment: a row id, 1 .. */
static bool id_of(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 1 || s[0] == '+')
		return false;
	*out = v;
	return true;
}

static void post_retry(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;
	int64_t id;
	int rc;

	if (!id_of(q->params[0], &id)) {
		http_problem(r, 404, "id", "no such message: %s",
			     q->params[0]);
		return;
	}
	ac_err_clear(&err);
	rc = desk_outbox_retry(q->ctx->desk, q->actor, id, &err);
	if (!rc)
		buf_addf(&r->body, "{\"id\":%lld,\"status\":\"pending\"}",
			 (long long)id);
	http_answer(r, rc, &err, 200);
}

static void get_case_outbox(struct http_req *q, struct http_resp *r)
{
	struct desk_outbox_list l;
	struct desk_bounce bo;
	struct desk_case c;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	memset(&l, 0, sizeof l);
	rc = desk_get_case(q->ctx->desk, q->params[0], &c, &err);
	if (!rc)
		rc = desk_bounce_get(q->ctx->desk, q->params[0], &bo, &err);
	if (!rc)
		rc = desk_outbox_list(q->ctx->desk, NULL, q->params[0], 0,
				      DESK_OUTBOX_PAGE_MAX, &l, &err);
	if (!rc) {
		struct buf *b = &r->body;

		buf_adds(b, "{\"case\":");
		json_str_write(b, q->params[0], strlen(q->params[0]));
		buf_adds(b, ",\"bounce\":");
		if (bo.bounced) {
			buf_adds(b, "{\"address\":");
			json_str_write(b, bo.address, strlen(bo.address));
			buf_adds(b, ",\"reason\":");
			json_str_write(b, bo.reason, strlen(bo.reason));
			buf_adds(b, ",\"at\":");
			json_write_time(b, bo.at);
			buf_addc(b, '}');
		} else {
			buf_adds(b, "null");
		}
		buf_addc(b, ',');
		w_rows(b, &l);
		buf_addc(b, '}');
	}
	desk_outbox_list_release(&l);
	http_answer(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "GET", "/v1/outbox", get_outbox,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "POST", "/v1/outbox/{id}/retry", post_retry,
	  HTTP_AUTH_TOKEN, HTTP_TXN_WRITE, HTTP_BODY_NONE, NULL },
	{ "GET", "/v1/cases/{id}/outbox", get_case_outbox,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
};

const struct route_table res_outbox_routes = {
	routes, sizeof routes / sizeof routes[0]
};
