/* portal.c: the customer portal (web layer).
 *   GET  /                          the look-up form
 *   POST /lookup                    order number + e-mail: a session
 *   GET  /order                     the order in plain words, its cases
 *   GET  /order/claim               the claim form
 *   POST /order/claim               file it (photos, a message)
 *   GET  /order/cases/{id}          a case: the decision in words
 *   GET  /order/cases/{id}/photos/{sha}  a photo of the case
 *   POST /order/cases/{id}/messages a message to the shop
 *   POST /order/cases/{id}/quote    accept or decline a repair quote
 *   POST /signout                   end the session
 * A customer's session names one order: every page reads that order and
 * nothing else, and a case of another order is "not found" exactly as a
 * case that does not exist. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../codec/codec.h"
#include "../desk/desk.h"
#include "web.h"
#include "view.h"

#define SESSION_AGE_S (24 * 3600)

static const enum claim_type claim_types[] = {
	CLAIM_CANCEL, CLAIM_NOT_RECEIVED, CLAIM_DAMAGED, CLAIM_WRONG_ITEM,
	CLAIM_UNWANTED, CLAIM_WRONG_ADDRESS, CLAIM_CUSTOMS, CLAIM_REPAIR,
};

/* ---- look-up ------------------------------------------------------------ */

static void lookup_page(struct http_req *q, struct http_resp *r, int status,
			const char *error, const char *order)
{
	cJSON *m = cJSON_CreateObject();

	web_set_str(m, "title", "Find your order");
	web_set_str(m, "error", error);
	web_set_str(m, "order", order);
	web_page(q, r, status, "lookup", m);
}

static void get_home(struct http_req *q, struct http_resp *r)
{
	lookup_page(q, r, 200, NULL, NULL);
}

static void post_lookup(struct http_req *q, struct http_resp *r)
{
	const char *order = http_form(q, "order");
	const char *email = http_form(q, "email");
	const char *tz = http_form(q, "tz");
	struct desk_customer_session s;
	struct ac_err err;
	long tz_min = 0;
	char text[160];

	if (!order || !order[0] || !email || !email[0]) {
		lookup_page(q, r, 422, "Please give both the order number "
			    "and the e-mail address.", order);
		return;
	}
	if (tz && tz[0]) {
		char *end;

		tz_min = strtol(tz, &end, 10);
		if (*end || tz_min < -14 * 60 || tz_min > 14 * 60)
			tz_min = 0;
	}
	ac_err_clear(&err);
	if (desk_customer_lookup(q->ctx->desk, order, email,
				 http_req_client(q), (int)tz_min, &s, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	switch (s.result) {
	case LOOKUP_OK:
		web_set_cookie(q, r, HTTP_COOKIE_CUSTOMER, s.token, "/",
			       SESSION_AGE_S);
		web_see_other(r, "/order");
		return;
	case LOOKUP_NOT_FOUND:
		lookup_page(q, r, 404, "We found no order with that number "
			    "and e-mail address.", order);
		return;
	case LOOKUP_LIMITED:
		break;
	}
	snprintf(text, sizeof text, "Too many attempts. Please try again "
		 "in %lld minutes.", (long long)(s.retry_after_s + 59) / 60);
	lookup_page(q, r, 429, text, order);
	snprintf(text, sizeof text, "%lld", (long long)s.retry_after_s);
	http_resp_header(r, "Retry-After",
			 arena_strndup(q->arena, text, strlen(text)));
}

/* ---- the order ---------------------------------------------------------- */

/* session_facts reads the session's order into f; false with r answered
 * when it cannot. */
static bool session_facts(struct http_req *q, struct http_resp *r,
			  struct view_facts *f)
{
	struct desk_order o;
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_get_order(q->ctx->desk, q->session.order_id, &o, &err)) {
		web_desk_error(q, r, &err);
		return false;
	}
	view_facts_copy(q->arena, &o, f);
	return true;
}

static int tz(const struct http_req *q)
{
	return q->session.tz_offset_min;
}

static void get_order(struct http_req *q, struct http_resp *r)
{
	struct view_facts f;
	cJSON *m, *cases;
	char title[160];

	if (!session_facts(q, r, &f))
		return;
	m = cJSON_CreateObject();
	snprintf(title, sizeof title, "Order %.*s", (int)f.order.id.n,
		 f.order.id.p);
	web_set_str(m, "title", title);
	view_order(m, desk_policy(q->ctx->desk), &f,
		   desk_clock_now(q->ctx->desk), tz(q));
	cases = cJSON_AddArrayToObject(m, "cases");
	for (int i = 0; i < f.n_cases; i++) {
		struct desk_case c;
		struct ac_err err;
		cJSON *cm;

		ac_err_clear(&err);
		if (desk_get_case(q->ctx->desk, f.case_ids[i], &c, &err)) {
			cJSON_Delete(m);
			web_desk_error(q, r, &err);
			return;
		}
		cm = cJSON_CreateObject();
		view_case_line(cm, &c);
		cJSON_AddItemToArray(cases, cm);
	}
	web_page(q, r, 200, "order", m);
}

/* ---- a claim ------------------------------------------------------------- */

static void claim_page(struct http_req *q, struct http_resp *r, int status,
		       const struct view_facts *f, const char *error,
		       const char *field)
{
	cJSON *m = cJSON_CreateObject(), *types;
	const char *chosen = http_form(q, "type");

	web_set_str(m, "title", "File a claim");
	view_order(m, desk_policy(q->ctx->desk), f,
		   desk_clock_now(q->ctx->desk), tz(q));
	web_set_str(m, "error", error);
	web_set_str(m, "error_field", field);
	web_set_str(m, "message", http_form(q, "message"));
	types = cJSON_AddArrayToObject(m, "types");
	for (size_t i = 0; i < sizeof claim_types / sizeof claim_types[0];
	     i++) {
		cJSON *t = cJSON_CreateObject();
		const char *name = claim_type_name(claim_types[i]);

		web_set_str(t, "value", name);
		web_set_str(t, "words", web_claim_words((int)claim_types[i]));
		cJSON_AddBoolToObject(t, "checked", chosen &&
				      !strcmp(chosen, name));
		cJSON_AddItemToArray(types, t);
	}
	{
		cJSON *defects = cJSON_AddArrayToObject(m, "defects");

		for (int d = 0; d < DEFECT_COUNT; d++) {
			cJSON *o = cJSON_CreateObject();

			web_set_str(o, "value", defect_name((enum defect)d));
			web_set_str(o, "words", web_defect_words(d));
			cJSON_AddItemToArray(defects, o);
		}
	}
	web_page(q, r, status, "claim", m);
}

static void get_claim(struct http_req *q, struct http_resp *r)
{
	struct view_facts f;

	if (session_facts(q, r, &f))
		claim_page(q, r, 200, &f, NULL, NULL);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v && v[0])
		cJSON_AddItemToObject(o, key, cJSON_CreateString(v));
}

/* claim_json builds {"order", "claim"} from the form, as the API takes
 * it, so that the codec checks it as it checks the API's. */
static char *claim_json(struct http_req *q, const struct view_facts *f)
{
	cJSON *root = cJSON_CreateObject(), *cl, *lines, *received, *defects;
	char *out, key[32];

	web_set_strn(root, "order", f->order.id.p, f->order.id.n);
	cl = cJSON_AddObjectToObject(root, "claim");
	add_str(cl, "type", http_form(q, "type"));
	lines = cJSON_CreateArray();
	received = cJSON_CreateArray();
	for (int i = 0; i < f->order.n_items; i++) {
		const struct item *it = &f->order.items[i];
		static const char *const attrs[] = { "style", "shape",
						     "material", "color",
						     "size" };
		cJSON *rc = cJSON_CreateObject();
		bool any = false;

		snprintf(key, sizeof key, "line-%d", it->line);
		if (http_form(q, key))
			cJSON_AddItemToArray(lines,
					     cJSON_CreateNumber(it->line));
		for (size_t k = 0; k < 5; k++) {
			const char *v;

			snprintf(key, sizeof key, "got-%d-%s", it->line,
				 attrs[k]);
			v = http_form(q, key);
			if (v && v[0]) {
				add_str(rc, attrs[k], v);
				any = true;
			}
		}
		if (any) {
			cJSON_AddNumberToObject(rc, "line", it->line);
			cJSON_AddItemToArray(received, rc);
		} else {
			cJSON_Delete(rc);
		}
	}
	if (cJSON_GetArraySize(lines))
		cJSON_AddItemToObject(cl, "lines", lines);
	else
		cJSON_Delete(lines);
	if (cJSON_GetArraySize(received))
		cJSON_AddItemToObject(cl, "received", received);
	else
		cJSON_Delete(received);
	defects = cJSON_CreateArray();
	for (int i = 0; http_form_at(q, "defects", i); i++)
		cJSON_AddItemToArray(defects, cJSON_CreateString(
			http_form_at(q, "defects", i)->value));
	if (cJSON_GetArraySize(defects))
		cJSON_AddItemToObject(cl, "defects", defects);
	else
		cJSON_Delete(defects);
	if (http_form(q, "addr-line1") && http_form(q, "addr-line1")[0]) {
		cJSON *a = cJSON_AddObjectToObject(cl, "correct_address");
		static const char *const parts[] = { "name", "line1", "line2",
						     "city", "region",
						     "postal_code", "country" };

		for (size_t k = 0; k < 7; k++) {
			snprintf(key, sizeof key, "addr-%s", parts[k]);
			add_str(a, parts[k], http_form(q, key));
		}
	}
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

/* photo_check: the files of the form are photos we take, at most
 * HTTP_UPLOAD_FILES of DESK_EVIDENCE_MAX each (their bytes are checked
 * again by the desk). */
static const char *photo_check(const struct http_req *q)
{
	for (int i = 0; http_form_at(q, "photos", i); i++) {
		const struct http_field *p = http_form_at(q, "photos", i);

		if (!p->filename[0] && p->len == 0)
			continue;               /* no file chosen */
		if (p->len > DESK_EVIDENCE_MAX)
			return "Each photo may be at most 8 MB.";
		if (strcmp(p->content_type, "image/jpeg") &&
		    strcmp(p->content_type, "image/png") &&
		    strcmp(p->content_type, "image/webp"))
			return "Photos must be JPEG, PNG or WebP images.";
	}
	return NULL;
}

static void post_claim(struct http_req *q, struct http_resp *r)
{
	struct desk_open *req = arena_alloc(q->arena, sizeof *req);
	const char *message = http_form(q, "message");
	struct view_facts f;
	struct desk_case c;
	struct ac_err err;
	const char *why;
	char *json, id[HTTP_ID_MAX], to[HTTP_ID_MAX + 32];
	bool has_opened_at;

	if (!session_facts(q, r, &f))
		return;
	if (!http_form(q, "type")) {
		claim_page(q, r, 422, &f, "Please choose what happened.",
			   "type");
		return;
	}
	if ((why = photo_check(q))) {
		claim_page(q, r, 422, &f, why, "photos");
		return;
	}
	json = claim_json(q, &f);
	ac_err_clear(&err);
	memset(req, 0, sizeof *req);
	if (claim_request_parse(q->ctx->reader, json, strlen(json),
				&req->order_id, &req->claim, &has_opened_at,
				&err) ||
	    desk_open_case(q->ctx->desk, q->actor, req, &c, &err)) {
		char text[400];

		free(json);
		if (err.code == AC_EIO || err.code == AC_EINDOUBT) {
			web_desk_error(q, r, &err);
			return;
		}
		snprintf(text, sizeof text, "This claim cannot be filed: "
			 "%s (%s).", err.msg, err.field);
		claim_page(q, r, 422, &f, text, err.field);
		return;
	}
	free(json);
	snprintf(id, sizeof id, "%.*s", (int)c.id.n, c.id.p);
	for (int i = 0; http_form_at(q, "photos", i); i++) {
		const struct http_field *p = http_form_at(q, "photos", i);
		struct desk_evidence ev;

		if (p->len == 0)
			continue;
		ac_err_clear(&err);
		/* a photo refused for its bytes does not undo the claim;
		 * the case page lists the photos that were kept */
		(void)desk_add_evidence(q->ctx->desk, q->actor, id,
					p->content_type, p->value, p->len,
					&ev, &err);
	}
	if (message && message[0]) {
		struct desk_message msg;

		ac_err_clear(&err);
		(void)desk_add_message(q->ctx->desk, q->actor, id,
				       MSG_FROM_CUSTOMER,
				       (struct ac_str){ message,
							strlen(message) },
				       &msg, &err);
	}
	snprintf(to, sizeof to, "/order/cases/%s", id);
	web_see_other(r, arena_strndup(q->arena, to, strlen(to)));
}

/* ---- a case -------------------------------------------------------------- */

/* own_case reads the case when it is the session's order's; a case of
 * another order is answered exactly as one that does not exist. */
static bool own_case(struct http_req *q, struct http_resp *r,
		     struct desk_case *c)
{
	struct ac_err err;
	size_t n = strlen(q->session.order_id);

	ac_err_clear(&err);
	if (!desk_get_case(q->ctx->desk, q->params[0], c, &err) &&
	    c->order_id.n == n &&
	    !memcmp(c->order_id.p, q->session.order_id, n))
		return true;
	if (err.code && err.code != AC_ENOTFOUND) {
		web_desk_error(q, r, &err);
		return false;
	}
	web_message_page(q, r, 404, "Not found", "Your order has no case "
			 "with this number.");
	return false;
}

static void get_case(struct http_req *q, struct http_resp *r)
{
	struct view_facts f;
	struct desk_case c;
	cJSON *m;
	char title[160];

	if (!session_facts(q, r, &f) || !own_case(q, r, &c))
		return;
	m = cJSON_CreateObject();
	snprintf(title, sizeof title, "Case %s", q->params[0]);
	web_set_str(m, "title", title);
	view_order(m, desk_policy(q->ctx->desk), &f,
		   desk_clock_now(q->ctx->desk), tz(q));
	view_case(m, desk_policy(q->ctx->desk), &f, &c, q->ctx->reader,
		  desk_clock_now(q->ctx->desk), tz(q));
	view_messages(q, m, q->params[0], false);
	view_photos(q, m, "/order", q->params[0]);
	web_set_str(m, "notice", http_req_query(q, "done"));
	web_page(q, r, 200, "case", m);
}

static void back_to_case(struct http_req *q, struct http_resp *r,
			 const char *done)
{
	char to[HTTP_ID_MAX + 48];

	snprintf(to, sizeof to, "/order/cases/%s?done=%s", q->params[0],
		 done);
	web_see_other(r, arena_strndup(q->arena, to, strlen(to)));
}

static void post_message(struct http_req *q, struct http_resp *r)
{
	const char *body = http_form(q, "message");
	struct desk_message msg;
	struct desk_case c;
	struct ac_err err;

	if (!own_case(q, r, &c))
		return;
	ac_err_clear(&err);
	if (desk_add_message(q->ctx->desk, q->actor, q->params[0],
			     MSG_FROM_CUSTOMER, (struct ac_str){ body ? body :
			     "", body ? strlen(body) : 0 }, &msg, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	back_to_case(q, r, "message");
}

static void post_quote(struct http_req *q, struct http_resp *r)
{
	const char *action = http_form(q, "action");
	struct desk_quote quote;
	struct desk_case c;
	struct ac_err err;
	enum quote_status to;

	if (!own_case(q, r, &c))
		return;
	if (action && !strcmp(action, "accept")) {
		to = QUOTE_STATUS_ACCEPTED;
	} else if (action && !strcmp(action, "decline")) {
		to = QUOTE_STATUS_DECLINED;
	} else {
		web_message_page(q, r, 422, "Please choose",
				 "Accept or decline the quote.");
		return;
	}
	ac_err_clear(&err);
	if (desk_quote_action(q->ctx->desk, q->actor, q->params[0], to,
			      &quote, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	back_to_case(q, r, to == QUOTE_STATUS_ACCEPTED ? "accepted" :
		     "declined");
}

static void get_photo(struct http_req *q, struct http_resp *r)
{
	struct desk_case c;

	if (own_case(q, r, &c))
		view_photo(q, r);
}

static void post_signout(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;

	ac_err_clear(&err);
	(void)desk_session_end(q->ctx->desk, q->session.token, &err);
	web_set_cookie(q, r, HTTP_COOKIE_CUSTOMER, "", "/", 0);
	web_see_other(r, "/");
}

static const struct route routes[] = {
	{ "GET", "/", get_home, HTTP_AUTH_NONE, HTTP_TXN_NONE,
	  HTTP_BODY_NONE, NULL },
	{ "POST", "/lookup", post_lookup, HTTP_AUTH_NONE, HTTP_TXN_WRITE,
	  HTTP_BODY_FORM, NULL },
	{ "GET", "/order", get_order, HTTP_AUTH_CUSTOMER, HTTP_TXN_READ,
	  HTTP_BODY_NONE, NULL },
	{ "GET", "/order/claim", get_claim, HTTP_AUTH_CUSTOMER, HTTP_TXN_READ,
	  HTTP_BODY_NONE, NULL },
	{ "POST", "/order/claim", post_claim, HTTP_AUTH_CUSTOMER,
	  HTTP_TXN_WRITE, HTTP_BODY_UPLOAD, NULL },
	{ "GET", "/order/cases/{id}", get_case, HTTP_AUTH_CUSTOMER,
	  HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "GET", "/order/cases/{id}/photos/{sha}", get_photo,
	  HTTP_AUTH_CUSTOMER, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "POST", "/order/cases/{id}/messages", post_message,
	  HTTP_AUTH_CUSTOMER, HTTP_TXN_WRITE, HTTP_BODY_FORM, NULL },
	{ "POST", "/order/cases/{id}/quote", post_quote, HTTP_AUTH_CUSTOMER,
	  HTTP_TXN_WRITE, HTTP_BODY_FORM, NULL },
	{ "POST", "/signout", post_signout, HTTP_AUTH_CUSTOMER,
	  HTTP_TXN_WRITE, HTTP_BODY_FORM, NULL },
};

const struct route_table web_portal_routes = {
	routes, sizeof routes / sizeof routes[0]
};
