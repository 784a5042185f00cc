/* outbox_page.c: the outbox in the console, for managers (web layer).
 *   GET  /console/outbox             ?status (dead, failed, pending, sent;
 *                                    default dead)&retried=ID
 *   POST /console/outbox/{id}/retry  send a dead or failed message again
 * What could not be sent (a customer's mail refused, a refund the
 * provider declined), with its last error, its case and a button that
 * retries it (desk_outbox_retry, audited). Agents are refused 403. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../desk/desk.h"
#include "../desk/outbox.h"
#include "web.h"

static bool manager(struct http_req *q, struct http_resp *r)
{
	if (q->session.manager)
		return true;
	web_message_page(q, r, 403, "Managers only",
			 "Only a manager may see and retry the outbox. Ask a "
			 "manager.");
	return false;
}

static void get_outbox(struct http_req *q, struct http_resp *r)
{
	static const char *const tabs[] = { "dead", "failed", "pending",
					    "sent" };
	const char *status = http_req_query(q, "status");
	struct desk_outbox_list l;
	struct ac_err err;
	cJSON *m, *arr, *t;
	int rc;

	if (!manager(q, r))
		return;
	if (!status)
		status = "dead";
	ac_err_clear(&err);
	rc = desk_outbox_list(q->ctx->desk, status, NULL, 0, 100, &l, &err);
	if (rc) {
		desk_outbox_list_release(&l);
		web_desk_error(q, r, &err);
		return;
	}
	m = cJSON_CreateObject();
	web_set_str(m, "title", "Outbox");
	web_set_str(m, "status", status);
	web_set_str(m, "retried", http_req_query(q, "retried"));
	t = cJSON_AddArrayToObject(m, "tabs");
	for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++) {
		cJSON *o = cJSON_CreateObject();

		web_set_str(o, "name", tabs[i]);
		cJSON_AddBoolToObject(o, "current", !strcmp(tabs[i], status));
		cJSON_AddItemToArray(t, o);
	}
	cJSON_AddBoolToObject(m, "can_retry", !strcmp(status, "dead") ||
			      !strcmp(status, "failed"));
	arr = cJSON_AddArrayToObject(m, "messages");
	for (int i = 0; i < l.n; i++) {
		const struct desk_outbox_item *it = &l.rows[i];
		cJSON *o = cJSON_CreateObject();
		char s[96];

		cJSON_AddNumberToObject(o, "id", (double)it->id);
		web_set_strn(o, "kind", it->kind.p, it->kind.n);
		if (it->case_id.n)
			web_set_strn(o, "case", it->case_id.p, it->case_id.n);
		cJSON_AddNumberToObject(o, "attempts", it->attempts);
		if (it->last_error.n)
			web_set_strn(o, "error", it->last_error.p,
				     it->last_error.n);
		web_when(s, sizeof s, it->created_at, 0, true);
		web_set_str(o, "created", s);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddBoolToObject(m, "has_messages", l.n > 0);
	cJSON_AddBoolToObject(m, "more", l.more);
	desk_outbox_list_release(&l);
	web_page(q, r, 200, "outbox", m);
}

static void post_retry(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;
	char *end, to[96];
	long long id;

	if (!manager(q, r))
		return;
	errno = 0;
	id = strtoll(q->params[0], &end, 10);
	if (errno || *end || id < 1) {
		web_message_page(q, r, 404, "No such message",
				 "The outbox has no such message.");
		return;
	}
	ac_err_clear(&err);
	if (desk_outbox_retry(q->ctx->desk, q->actor, id, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	snprintf(to, sizeof to, "/console/outbox?retried=%lld", id);
	web_see_other(r, to);
}

static const struct route routes[] = {
	{ "GET", "/console/outbox", get_outbox, HTTP_AUTH_STAFF,
	  HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "POST", "/console/outbox/{id}/retry", post_retry, HTTP_AUTH_STAFF,
	  HTTP_TXN_WRITE, HTTP_BODY_FORM, NULL },
};

const struct route_table web_outbox_routes = {
	routes, sizeof routes / sizeof routes[0]
};
