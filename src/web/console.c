/* console.c: the staff console (web layer).
 *   GET  /console                        sign-in, or the queue
 *   POST /console/signin                 user name + password
 *   POST /console/signout
 *   GET  /console/cases/{id}             a case and what can be done
 *   GET  /console/cases/{id}/photos/{sha}
 *   POST /console/cases/{id}/{action}    approve, override, refund,
 *                                        tracking, quote, quote-status,
 *                                        note, message, resolve, close
 *   GET  /console/policy                 the clauses the shop runs under;
 *                                        managers: its text, its versions
 *   POST /console/policy/preview         managers: check a text, replay
 *                                        the history under it (read only)
 *   POST /console/policy/activate        managers: activate the previewed
 *   GET  /console/users, POST            accounts (managers)
 * Every action is the desk's, with the actor "user:NAME"; the console
 * adds the roles: overrides, accounts and refunds above the policy's
 * manager_refund_above are managers' (an agent's POST is refused 403,
 * not only hidden). A password is checked on a reader (its Argon2id hash
 * takes a tenth of a second), and only the attempt's outcome is written
 * by the writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "../codec/codec.h"
#include "../core/instant.h"
#include "../desk/desk.h"
#include "../desk/outbox.h"
#include "../desk/replay.h"
#include "view.h"
#include "web.h"

#define SESSION_AGE_S (12 * 3600)
#define QUEUE_WITHIN_S (10LL * 365 * 86400)   /* the desk's bound */

/* ---- sign-in ------------------------------------------------------------ */

static void signin_page(struct http_req *q, struct http_resp *r, int status,
			const char *error)
{
	cJSON *m = cJSON_CreateObject();

	web_set_str(m, "title", "Staff sign-in");
	web_set_str(m, "error", error);
	web_set_str(m, "user", http_form(q, "user"));
	web_page(q, r, status, "signin", m);
}

static void signin_check(struct http_req *q, struct http_resp *r)
{
	struct desk_password_check *pc = arena_alloc(q->arena, sizeof *pc);
	const char *user = http_form(q, "user");
	const char *password = http_form(q, "password");
	struct ac_err err;

	memset(pc, 0, sizeof *pc);
	q->before = pc;
	if (!user || !user[0] || !password || !password[0]) {
		signin_page(q, r, 422, "Please give your user name and "
			    "password.");
		return;
	}
	ac_err_clear(&err);
	if (desk_user_check_password(q->ctx->desk, user, password, pc,
				     &err))
		web_desk_error(q, r, &err);
}

static void post_signin(struct http_req *q, struct http_resp *r)
{
	const struct desk_password_check *pc = q->before;
	struct desk_staff_session s;
	struct ac_err err;
	char text[160], until[64];

	ac_err_clear(&err);
	if (desk_user_signin(q->ctx->desk, http_form(q, "user"),
			     pc && pc->known && pc->ok, http_req_client(q),
			     &s, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	switch (s.result) {
	case SIGNIN_OK:
		web_set_cookie(q, r, HTTP_COOKIE_STAFF, s.token, "/console",
			       SESSION_AGE_S);
		web_see_other(r, "/console");
		return;
	case SIGNIN_WRONG:
		signin_page(q, r, 401, "Wrong user name or password.");
		return;
	case SIGNIN_LOCKED:
		break;
	}
	web_when(until, sizeof until, s.locked_until, 0, true);
	snprintf(text, sizeof text, "Too many wrong passwords: this account "
		 "is locked until %s.", until);
	signin_page(q, r, 423, text);
}

static void post_signout(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;

	ac_err_clear(&err);
	(void)desk_session_end(q->ctx->desk, q->session.token, &err);
	web_set_cookie(q, r, HTTP_COOKIE_STAFF, "", "/console", 0);
	web_see_other(r, "/console");
}

/* ---- the queue ------------------------------------------------------- */

static void add_row(cJSON *rows, const struct desk_case_row *row,
		    int64_t now)
{
	cJSON *o = cJSON_CreateObject();
	char when[64], left[64];

	web_set_strn(o, "id", row->id.p, row->id.n);
	web_set_strn(o, "order", row->order_id.p, row->order_id.n);
	web_set_str(o, "status", web_status_words((int)row->status));
	web_set_str(o, "type", web_claim_words((int)row->claim_type));
	web_set_str(o, "verdict", row->has_verdict ?
		    web_verdict_words((int)row->verdict) : "Not decided");
	if (row->has_clause)
		web_set_str(o, "clause", clause_id_name(row->clause));
	if (row->has_deadline || row->has_response_due) {
		web_when(when, sizeof when, row->due, 0, true);
		web_relative(left, sizeof left, row->due, now);
		web_set_str(o, "due", when);
		web_set_str(o, "left", left);
		cJSON_AddBoolToObject(o, "overdue", row->due < now);
	}
	cJSON_AddItemToArray(rows, o);
}

static void queue_page(struct http_req *q, struct http_resp *r)
{
	const char *status = http_req_query(q, "status");
	const char *type = http_req_query(q, "type");
	const char *order = http_req_query(q, "order");
	const char *clause = http_req_query(q, "clause");
	const char *customer = http_req_query(q, "customer");
	const char *after = http_req_query(q, "after");
	bool overdue = http_req_query(q, "overdue") != NULL;
	int64_t now = desk_clock_now(q->ctx->desk);
	cJSON *m = cJSON_CreateObject(), *rows, *opts;
	struct ac_err err;
	const char *next = NULL;
	int rc;

	web_set_str(m, "title", "Queue");
	rows = cJSON_AddArrayToObject(m, "rows");
	ac_err_clear(&err);
	if (status || type || order || clause || customer) {
		struct desk_case_query cq = {
			.status = status, .type = type, .order = order,
			.clause = clause, .customer = customer,
			.after = after, .limit = 50,
		};
		struct desk_case_page page;

		/* with a filter: in the order opened (a case without a
		 * due time is listed too) */
		rc = desk_list_cases(q->ctx->desk, &cq, &page, &err);
		for (int i = 0; !rc && i < page.n; i++)
			if (!overdue || page.rows[i].due < now)
				add_row(rows, &page.rows[i], now);
		if (!rc && page.next[0])
			next = arena_strndup(q->arena, page.next,
					     strlen(page.next));
	} else {
		struct desk_deadline_query dq = {
			.within_s = overdue ? 0 : QUEUE_WITHIN_S,
			.limit = 50, .after = after,
		};
		struct desk_due_page page;

		rc = desk_deadlines(q->ctx->desk, &dq, &page, &err);
		for (int i = 0; !rc && i < page.n; i++)
			add_row(rows, &page.rows[i], now);
		if (!rc && page.next[0])
			next = arena_strndup(q->arena, page.next,
					     strlen(page.next));
	}
	if (rc && err.code == AC_EINVAL) {
		char text[300];

		snprintf(text, sizeof text, "%s: %s", err.field, err.msg);
		web_set_str(m, "error", text);
	} else if (rc) {
		cJSON_Delete(m);
		web_desk_error(q, r, &err);
		return;
	}
	if (next) {
		char *link = arena_alloc(q->arena, 1200);

		snprintf(link, 1200, "/console?after=%s%s%s%s%s%s%s%s%s%s%s%s",
			 next, status ? "&status=" : "", status ? status : "",
			 type ? "&type=" : "", type ? type : "",
			 order ? "&order=" : "", order ? order : "",
			 clause ? "&clause=" : "", clause ? clause : "",
			 customer ? "&customer=" : "",
			 customer ? customer : "",
			 overdue ? "&overdue=1" : "");
		web_set_str(m, "next", link);
	}
	{
		int64_t counts[CASE_STATUS_COUNT];
		cJSON *ca = cJSON_AddArrayToObject(m, "counts");

		if (!desk_case_counts(q->ctx->desk, counts, &err))
			for (int st = 0; st < CASE_STATUS_COUNT; st++) {
				cJSON *o = cJSON_CreateObject();

				web_set_str(o, "words", web_status_words(st));
				web_set_str(o, "value", case_status_name(
					(enum case_status)st));
				cJSON_AddNumberToObject(o, "n",
							(double)counts[st]);
				cJSON_AddItemToArray(ca, o);
			}
	}
	opts = cJSON_AddArrayToObject(m, "clauses");
	for (int c = 0; c < CL_COUNT; c++) {
		cJSON *o = cJSON_CreateObject();
		const char *name = clause_id_name((enum clause_id)c);
		const struct clause *cl =
			&desk_policy(q->ctx->desk)->clauses[c];
		char words[200];

		snprintf(words, sizeof words, "%s: %.*s", name,
			 (int)cl->title.n, cl->title.p);
		web_set_str(o, "value", name);
		web_set_str(o, "words", words);
		cJSON_AddBoolToObject(o, "selected", clause &&
				      !strcmp(clause, name));
		cJSON_AddItemToArray(opts, o);
	}
	web_set_str(m, "f_customer", customer);
	web_set_str(m, "f_order", order);
	cJSON_AddBoolToObject(m, "f_overdue", overdue);
	opts = cJSON_AddArrayToObject(m, "statuses");
	for (int s = 0; s < CASE_STATUS_COUNT; s++) {
		cJSON *o = cJSON_CreateObject();
		const char *name = case_status_name((enum case_status)s);

		web_set_str(o, "value", name);
		web_set_str(o, "words", web_status_words(s));
		cJSON_AddBoolToObject(o, "selected", status &&
				      !strcmp(status, name));
		cJSON_AddItemToArray(opts, o);
	}
	opts = cJSON_AddArrayToObject(m, "types");
	for (int t = 0; t <= CLAIM_REPAIR; t++) {
		cJSON *o = cJSON_CreateObject();
		const char *name = claim_type_name((enum claim_type)t);

		web_set_str(o, "value", name);
		web_set_str(o, "words", web_claim_words(t));
		cJSON_AddBoolToObject(o, "selected", type &&
				      !strcmp(type, name));
		cJSON_AddItemToArray(opts, o);
	}
	web_page(q, r, 200, "queue", m);
}

static void get_console(struct http_req *q, struct http_resp *r)
{
	if (!q->session.user)
		signin_page(q, r, 200, NULL);
	else
		queue_page(q, r);
}

/* ---- a case ------------------------------------------------------------ */

static const char *const courier_events[] = {
	"delivered", "investigating", "lost_confirmed", "delivered_proven",
	"customs_held", "customs_cleared", "customs_refused", NULL
};

static const char *courier_words(const char *k)
{
	static const char *const words[] = {
		"Delivered", "The courier is investigating",
		"The courier confirms the parcel is lost",
		"The courier proves delivery", "Held at customs",
		"Cleared customs", "Refused at customs by the customer",
	};

	for (int i = 0; courier_events[i]; i++)
		if (!strcmp(courier_events[i], k))
			return words[i];
	return k;
}

static void tracking_model(struct http_req *q, cJSON *m, const char *order)
{
	struct desk_events ev;
	struct ac_err err;
	cJSON *arr = cJSON_AddArrayToObject(m, "tracking"), *opts;

	ac_err_clear(&err);
	if (!desk_list_tracking(q->ctx->desk, order, &ev, &err)) {
		for (int i = 0; i < ev.n; i++) {
			cJSON *o = cJSON_CreateObject();
			char when[64], kind[64];

			web_when(when, sizeof when, ev.events[i].at, 0, true);
			snprintf(kind, sizeof kind, "%.*s",
				 (int)ev.events[i].kind.n,
				 ev.events[i].kind.p);
			web_set_str(o, "when", when);
			web_set_str(o, "kind", courier_words(kind));
			web_set_strn(o, "detail", ev.events[i].detail.p,
				     ev.events[i].detail.n);
			cJSON_AddItemToArray(arr, o);
		}
	}
	opts = cJSON_AddArrayToObject(m, "courier_events");
	for (int i = 0; courier_events[i]; i++) {
		cJSON *o = cJSON_CreateObject();

		web_set_str(o, "value", courier_events[i]);
		web_set_str(o, "words", courier_words(courier_events[i]));
		cJSON_AddItemToArray(opts, o);
	}
}

static void audit_model(struct http_req *q, cJSON *m, const char *id)
{
	struct desk_audit_page page;
	struct ac_err err;
	cJSON *arr = cJSON_AddArrayToObject(m, "audit");

	ac_err_clear(&err);
	if (desk_list_audit(q->ctx->desk, "case", id, 0, 100, &page, &err))
		return;
	for (int i = 0; i < page.n; i++) {
		const struct desk_audit_event *e = &page.rows[i];
		cJSON *o = cJSON_CreateObject();
		char when[64];

		web_when(when, sizeof when, e->at, 0, true);
		web_set_str(o, "when", when);
		web_set_strn(o, "actor", e->actor.p, e->actor.n);
		web_set_strn(o, "action", e->action.p, e->action.n);
		if (e->after_json.n)
			web_set_strn(o, "after", e->after_json.p,
				     e->after_json.n);
		cJSON_AddItemToArray(arr, o);
	}
}

static void notes_model(struct http_req *q, cJSON *m, const char *id)
{
	struct desk_notes ns;
	struct ac_err err;
	cJSON *arr = cJSON_AddArrayToObject(m, "notes");

	ac_err_clear(&err);
	if (desk_list_notes(q->ctx->desk, id, &ns, &err))
		return;
	for (int i = 0; i < ns.n; i++) {
		cJSON *o = cJSON_CreateObject();
		char when[64];

		web_when(when, sizeof when, ns.notes[i].created_at, 0, true);
		web_set_str(o, "when", when);
		web_set_strn(o, "author", ns.notes[i].author.p,
			     ns.notes[i].author.n);
		web_set_strn(o, "body", ns.notes[i].body.p,
			     ns.notes[i].body.n);
		cJSON_AddItemToArray(arr, o);
	}
}

/* actions_model says which forms the case's state allows. */
static void actions_model(struct http_req *q, cJSON *m,
			  const struct desk_case *c)
{
	bool live = c->status != CASE_STATUS_RESOLVED &&
		    c->status != CASE_STATUS_CLOSED;
	bool pending = c->decision.verdict == VERDICT_PENDING;
	unsigned char raw[16];
	char idem[33];
	cJSON *verdicts;

	cJSON_AddBoolToObject(m, "can_approve", live && !pending &&
			      c->status != CASE_STATUS_DECIDED);
	cJSON_AddBoolToObject(m, "can_override", live && q->session.manager);
	/* the customer's address refused for good (issue 10) */
	{
		struct desk_bounce bo;
		struct ac_err be;
		char id[HTTP_ID_MAX];

		snprintf(id, sizeof id, "%.*s", (int)c->id.n, c->id.p);
		ac_err_clear(&be);
		if (desk_bounce_get(q->ctx->desk, id, &bo, &be) == 0 &&
		    bo.bounced) {
			cJSON *b = cJSON_AddObjectToObject(m, "bounce");

			web_set_str(b, "address", bo.address);
			web_set_str(b, "reason", bo.reason);
		}
	}
	cJSON_AddBoolToObject(m, "can_refund", live &&
			      c->decision.refund_max_minor >
			      c->refunded_total_minor);
	cJSON_AddBoolToObject(m, "can_quote", live &&
			      c->decision.verdict == VERDICT_PAID_REPAIR);
	cJSON_AddBoolToObject(m, "can_resolve",
			      c->status == CASE_STATUS_DECIDED);
	cJSON_AddBoolToObject(m, "can_close",
			      c->status != CASE_STATUS_CLOSED);
	cJSON_AddBoolToObject(m, "live", live);
	if (c->has_quote && (c->quote.status == QUOTE_STATUS_ACCEPTED ||
			     c->quote.status == QUOTE_STATUS_REPAIRED))
		web_set_str(m, "quote_next", c->quote.status ==
			    QUOTE_STATUS_ACCEPTED ? "repaired" :
			    "shipped_back");
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(idem, sizeof idem, raw, sizeof raw);
	web_set_str(m, "idem", idem);
	verdicts = cJSON_AddArrayToObject(m, "verdicts");
	for (int v = 0; v <= VERDICT_PAID_REPAIR; v++) {
		cJSON *o = cJSON_CreateObject();

		web_set_str(o, "value", verdict_name((enum verdict)v));
		web_set_str(o, "words", web_verdict_words(v));
		cJSON_AddItemToArray(verdicts, o);
	}
}

static void get_case(struct http_req *q, struct http_resp *r)
{
	const char *id = q->params[0];
	struct desk_order o;
	struct view_facts f;
	struct desk_case c;
	struct ac_err err;
	cJSON *m;
	char title[160], order[HTTP_ID_MAX];

	ac_err_clear(&err);
	if (desk_get_case(q->ctx->desk, id, &c, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	snprintf(order, sizeof order, "%.*s", (int)c.order_id.n,
		 c.order_id.p);
	if (desk_get_order(q->ctx->desk, order, &o, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	view_facts_copy(q->arena, &o, &f);
	if (desk_get_case(q->ctx->desk, id, &c, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	m = cJSON_CreateObject();
	snprintf(title, sizeof title, "Case %s", id);
	web_set_str(m, "title", title);
	view_order(m, desk_policy(q->ctx->desk), &f,
		   desk_clock_now(q->ctx->desk), 0);
	view_case(m, desk_policy(q->ctx->desk), &f, &c, q->ctx->reader,
		  desk_clock_now(q->ctx->desk), 0);
	actions_model(q, m, &c);
	tracking_model(q, m, order);
	web_pay_model(q, m, id);      /* issue 10.4 */
	notes_model(q, m, id);
	view_messages(q, m, id, true);
	audit_model(q, m, id);
	view_photos(q, m, "/console", id);
	web_set_str(m, "notice", http_req_query(q, "done"));
	web_page(q, r, 200, "staff-case", m);
}

/* ---- actions ------------------------------------------------------------ */

static void done(struct http_req *q, struct http_resp *r, const char *what)
{
	char to[HTTP_ID_MAX + 48];

	snprintf(to, sizeof to, "/console/cases/%s?done=%s", q->params[0],
		 what);
	web_see_other(r, arena_strndup(q->arena, to, strlen(to)));
}

static bool managers_only(struct http_req *q, struct http_resp *r,
			  const char *what)
{
	char text[200];

	if (q->session.manager)
		return true;
	snprintf(text, sizeof text, "Only a manager may %s. Ask a manager "
		 "to do it.", what);
	web_message_page(q, r, 403, "Not allowed", text);
	return false;
}

static struct ac_str form_str(const struct http_req *q, const char *name)
{
	const char *v = http_form(q, name);

	return (struct ac_str){ v ? v : "", v ? strlen(v) : 0 };
}

static void post_approve(struct http_req *q, struct http_resp *r)
{
	struct desk_case c;
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_approve(q->ctx->desk, q->actor, q->params[0], &c, &err))
		web_desk_error(q, r, &err);
	else
		done(q, r, "approved");
}

/* case_currency reads the case's currency (for amounts typed by staff). */
static const struct currency *case_currency(struct http_req *q,
					    struct http_resp *r)
{
	struct desk_case c;
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_get_case(q->ctx->desk, q->params[0], &c, &err)) {
		web_desk_error(q, r, &err);
		return NULL;
	}
	return c.decision.currency;
}

static void post_override(struct http_req *q, struct http_resp *r)
{
	struct desk_override req = { 0 };
	const char *v = http_form(q, "verdict"), *limit;
	const struct currency *cur;
	struct desk_case c;
	struct ac_err err;

	if (!managers_only(q, r, "override a decision"))
		return;
	if (!(cur = case_currency(q, r)))
		return;
	ac_err_clear(&err);
	if (!v || verdict_parse(v, strlen(v), &req.verdict)) {
		ac_err_set(&err, AC_EINVAL, "Verdict", "choose a verdict");
		web_desk_error(q, r, &err);
		return;
	}
	limit = http_form(q, "refund_limit");
	if (limit && limit[0]) {
		if (web_money_parse(limit, cur, "Refund limit",
				    &req.refund_max_minor, &err)) {
			web_desk_error(q, r, &err);
			return;
		}
		req.has_refund_max = true;
	}
	req.reason = form_str(q, "reason");
	if (desk_override(q->ctx->desk, q->actor, q->params[0], &req, &c,
			  &err))
		web_desk_error(q, r, &err);
	else
		done(q, r, "overridden");
}

static void post_refund(struct http_req *q, struct http_resp *r)
{
	struct desk_refund_req req = { 0 };
	const struct currency *cur;
	struct desk_refund out;
	struct ac_err err;
	const char *amount = http_form(q, "amount");

	if (!(cur = case_currency(q, r)))
		return;
	ac_err_clear(&err);
	if (web_money_parse(amount ? amount : "", cur, "Amount",
			    &req.amount_minor, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	if (desk_refund_needs_manager(desk_policy(q->ctx->desk), cur,
				      req.amount_minor) &&
	    !managers_only(q, r, "refund this much"))
		return;
	req.scope = q->actor;
	req.idem_key = http_form(q, "idem");
	if (desk_refund(q->ctx->desk, q->actor, q->params[0], &req, &out,
			&err))
		web_desk_error(q, r, &err);
	else
		done(q, r, out.replayed ? "refund-again" : "refunded");
}

static void post_tracking(struct http_req *q, struct http_resp *r)
{
	const char *kind = http_form(q, "kind");
	struct desk_tracking t = { 0 };
	struct desk_facts facts;
	struct desk_case c;
	struct ac_err err;
	char order[HTTP_ID_MAX];
	bool known = false;

	for (int i = 0; kind && courier_events[i]; i++)
		known |= !strcmp(kind, courier_events[i]);
	ac_err_clear(&err);
	if (!known) {
		ac_err_set(&err, AC_EINVAL, "Courier event", "choose one of "
			   "the courier's events");
		web_desk_error(q, r, &err);
		return;
	}
	if (desk_get_case(q->ctx->desk, q->params[0], &c, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	snprintf(order, sizeof order, "%.*s", (int)c.order_id.n,
		 c.order_id.p);
	t.at = desk_clock_now(q->ctx->desk);
	t.kind = (struct ac_str){ kind, strlen(kind) };
	t.detail = form_str(q, "detail");
	if (desk_add_tracking(q->ctx->desk, q->actor, order, &t, &facts,
			      &err))
		web_desk_error(q, r, &err);
	else
		done(q, r, "tracking");
}

static void post_quote(struct http_req *q, struct http_resp *r)
{
	struct desk_quote_req req = { 0 };
	const struct currency *cur;
	struct desk_quote out;
	struct ac_err err;
	const char *amount = http_form(q, "amount");

	if (!(cur = case_currency(q, r)))
		return;
	ac_err_clear(&err);
	if (web_money_parse(amount ? amount : "", cur, "Quote amount",
			    &req.amount_minor, &err) ||
	    desk_quote(q->ctx->desk, q->actor, q->params[0], &req, &out,
		       &err))
		web_desk_error(q, r, &err);
	else
		done(q, r, "quoted");
}

static void post_quote_status(struct http_req *q, struct http_resp *r)
{
	const char *to = http_form(q, "to");
	struct desk_quote out;
	struct ac_err err;
	enum quote_status st;

	ac_err_clear(&err);
	if (!to || quote_status_parse(to, strlen(to), &st)) {
		ac_err_set(&err, AC_EINVAL, "to", "not a quote status");
		web_desk_error(q, r, &err);
		return;
	}
	if (desk_quote_action(q->ctx->desk, q->actor, q->params[0], st, &out,
			      &err))
		web_desk_error(q, r, &err);
	else
		done(q, r, "quote");
}

static void post_note(struct http_req *q, struct http_resp *r)
{
	struct desk_note n;
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_add_note(q->ctx->desk, q->actor, q->params[0],
			  form_str(q, "note"), &n, &err))
		web_desk_error(q, r, &err);
	else
		done(q, r, "note");
}

static void post_message(struct http_req *q, struct http_resp *r)
{
	struct desk_message msg;
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_add_message(q->ctx->desk, q->actor, q->params[0],
			     MSG_FROM_STAFF, form_str(q, "message"), &msg,
			     &err))
		web_desk_error(q, r, &err);
	else
		done(q, r, "message");
}

static void post_move(struct http_req *q, struct http_resp *r,
		      enum case_status to, const char *what)
{
	struct desk_move mv = { .to = to, .reason = form_str(q, "reason") };
	struct desk_case c;
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_transition(q->ctx->desk, q->actor, q->params[0], &mv, &c,
			    &err))
		web_desk_error(q, r, &err);
	else
		done(q, r, what);
}

static void post_resolve(struct http_req *q, struct http_resp *r)
{
	post_move(q, r, CASE_STATUS_RESOLVED, "resolved");
}

static void post_close(struct http_req *q, struct http_resp *r)
{
	post_move(q, r, CASE_STATUS_CLOSED, "closed");
}

/* ---- the policy, the accounts ---------------------------------------- */

/* The policy page (issue 9): the active policy's clauses for all staff;
 * for managers its text in an editor (or a file to upload), the
 * problems of a text that failed the check, and the kept versions. */
static void policy_page(struct http_req *q, struct http_resp *r, int status,
			const char *text, size_t text_n,
			const struct desk_policy_problems *probs,
			const char *notice)
{
	const struct policy *p = desk_policy(q->ctx->desk);
	struct desk_policy_versions vs;
	struct desk_policy_version v;
	struct ac_err err;
	cJSON *m = cJSON_CreateObject(), *arr;
	char when[64];

	ac_err_clear(&err);
	web_set_str(m, "title", "Policy");
	web_set_str(m, "version", p->version);
	web_set_str(m, "notice", notice);
	arr = cJSON_AddArrayToObject(m, "clauses");
	for (int i = 0; i < CL_COUNT; i++) {
		cJSON *o = cJSON_CreateObject();

		web_set_str(o, "id", clause_id_name((enum clause_id)i));
		web_set_strn(o, "title", p->clauses[i].title.p,
			     p->clauses[i].title.n);
		web_set_strn(o, "text", p->clauses[i].text.p,
			     p->clauses[i].text.n);
		cJSON_AddItemToArray(arr, o);
	}
	if (!q->session.manager) {
		web_page(q, r, status, "policy", m);
		return;
	}
	cJSON *ed = cJSON_AddObjectToObject(m, "editor");

	if (!text && desk_policy_get(q->ctx->desk, NULL, &v, &err) == 0) {
		text = v.text.p;
		text_n = v.text.n;
	}
	web_set_strn(ed, "text", text ? text : "", text ? text_n : 0);
	if (probs && probs->n) {
		cJSON *pr = cJSON_AddArrayToObject(ed, "problems");

		for (int i = 0; i < probs->n; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddNumberToObject(o, "line", probs->e[i].line);
			web_set_str(o, "key", probs->e[i].field[0] ?
				    probs->e[i].field : NULL);
			web_set_str(o, "message", probs->e[i].msg);
			cJSON_AddItemToArray(pr, o);
		}
	}
	ac_err_clear(&err);
	if (desk_policy_list(q->ctx->desk, &vs, &err) == 0 && vs.n) {
		arr = cJSON_AddArrayToObject(ed, "versions");
		for (int i = 0; i < vs.n; i++) {
			const struct desk_policy_version *x = &vs.versions[i];
			cJSON *o = cJSON_CreateObject();

			web_set_strn(o, "hash", x->hash.p, x->hash.n);
			cJSON_AddBoolToObject(o, "active", x->active);
			if (x->activated) {
				web_when(when, sizeof when, x->activated_at, 0,
					 true);
				web_set_str(o, "at", when);
				web_set_strn(o, "by", x->activated_by.p,
					     x->activated_by.n);
			}
			cJSON_AddItemToArray(arr, o);
		}
	}
	web_page(q, r, status, "policy", m);
}

static void get_policy(struct http_req *q, struct http_resp *r)
{
	policy_page(q, r, 200, NULL, 0, NULL,
		    http_req_query(q, "activated") ? "The policy you previewed "
		    "is now active: new cases and re-decisions use it." : NULL);
}

/* policy_text: the text a manager sent: the uploaded file when one was
 * chosen, else the editor's; line ends as LF (a browser sends a form's
 * text with CRLF, and the preview's text comes back that way), so that
 * what was previewed hashes the same when it is activated. */
static const char *policy_text(struct http_req *q, size_t *n)
{
	const struct http_field *f = http_form_at(q, "file", 0);
	const struct http_field *t = http_form_at(q, "text", 0);
	const struct http_field *x = f && f->len ? f : t;
	char *out;
	size_t k = 0;

	*n = 0;
	if (!x)
		return "";
	out = arena_alloc(q->arena, x->len + 1);
	for (size_t i = 0; i < x->len; i++)
		if (!(x->value[i] == '\r' && i + 1 < x->len &&
		      x->value[i + 1] == '\n'))
			out[k++] = x->value[i];
	out[k] = '\0';
	*n = k;
	return out;
}

static void money_cell(cJSON *o, const char *key, const struct currency *c,
		       int64_t minor)
{
	char b[64];

	money_format(b, sizeof b, c, minor);
	web_set_str(o, key, b);
}

static void change_cell(cJSON *o, const struct currency *c, int64_t before,
			int64_t after)
{
	char b[64], s[72];
	int64_t d = after - before;

	money_format(b, sizeof b, c, d < 0 ? -d : d);
	snprintf(s, sizeof s, "%s%s", d < 0 ? "−" : d > 0 ? "+" : "", b);
	web_set_str(o, "change", s);
}

static const char *clause_label(int c)
{
	return c == REPLAY_NO_CLAUSE ? "none" :
	       clause_id_name((enum clause_id)c);
}

#define PREVIEW_CASES_MAX 500           /* changed cases listed, at most */

struct preview {
	cJSON *cases;
	int64_t listed, more;
};

static int preview_case(void *arg, const struct replay_case *c)
{
	struct preview *pv = arg;
	cJSON *o;
	char b[64];

	if (pv->listed == PREVIEW_CASES_MAX) {
		pv->more++;
		return 0;
	}
	pv->listed++;
	o = cJSON_CreateObject();
	web_set_strn(o, "id", c->id.p, c->id.n);
	web_set_str(o, "type", web_claim_words((int)c->claim_type));
	web_set_str(o, "before", web_verdict_words((int)c->before->verdict));
	web_set_str(o, "after", web_verdict_words((int)c->after->verdict));
	web_set_str(o, "clause_before",
		    clause_label(replay_clause(c->before)));
	web_set_str(o, "clause_after", clause_label(replay_clause(c->after)));
	money_format(b, sizeof b, c->after->currency,
		     c->before->refund_max_minor);
	web_set_str(o, "refund_before", b);
	money_format(b, sizeof b, c->after->currency,
		     c->after->refund_max_minor);
	web_set_str(o, "refund_after", b);
	web_set_strn(o, "policy", c->policy.p,
		     c->policy.n > 19 ? 19 : c->policy.n);
	cJSON_AddItemToArray(pv->cases, o);
	return 0;
}

/* The preview's model: what the replay found. */
static void preview_model(cJSON *m, const struct replay_report *rep)
{
	cJSON *arr = cJSON_AddArrayToObject(m, "transitions");

	for (int b = 0; b < REPLAY_VERDICTS; b++)
		for (int a = 0; a < REPLAY_VERDICTS; a++) {
			cJSON *o;

			if (a == b || !rep->verdicts[b][a])
				continue;
			o = cJSON_CreateObject();
			web_set_str(o, "before", web_verdict_words(b));
			web_set_str(o, "after", web_verdict_words(a));
			cJSON_AddNumberToObject(o, "count",
						(double)rep->verdicts[b][a]);
			cJSON_AddItemToArray(arr, o);
		}
	arr = cJSON_AddArrayToObject(m, "clause_moves");
	for (int b = 0; b < REPLAY_CLAUSES; b++)
		for (int a = 0; a < REPLAY_CLAUSES; a++) {
			cJSON *o;

			if (a == b || !rep->clauses[b][a])
				continue;
			o = cJSON_CreateObject();
			web_set_str(o, "before", clause_label(b));
			web_set_str(o, "after", clause_label(a));
			cJSON_AddNumberToObject(o, "count",
						(double)rep->clauses[b][a]);
			cJSON_AddItemToArray(arr, o);
		}
	arr = cJSON_AddArrayToObject(m, "under");
	for (int i = 0; i < rep->n_policies; i++) {
		cJSON *o = cJSON_CreateObject();

		web_set_str(o, "hash", rep->policies[i].hash);
		cJSON_AddNumberToObject(o, "count",
					(double)rep->policies[i].cases);
		cJSON_AddItemToArray(arr, o);
	}
	if (rep->policies_other) {
		cJSON *o = cJSON_CreateObject();

		web_set_str(o, "hash", "others");
		cJSON_AddNumberToObject(o, "count",
					(double)rep->policies_other);
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(m, "money");
	cJSON *by = cJSON_AddArrayToObject(m, "money_by_clause");

	for (int i = 0; i < rep->n_money; i++) {
		const struct replay_money *mo = &rep->money[i];
		cJSON *o = cJSON_CreateObject();

		web_set_str(o, "currency", mo->currency->code);
		money_cell(o, "before", mo->currency, mo->before_minor);
		money_cell(o, "after", mo->currency, mo->after_minor);
		change_cell(o, mo->currency, mo->before_minor, mo->after_minor);
		cJSON_AddItemToArray(arr, o);
		for (int c = 0; c < REPLAY_CLAUSES; c++) {
			int64_t cb = mo->clause_before_minor[c];
			int64_t ca = mo->clause_after_minor[c];

			if (!cb && !ca)
				continue;
			o = cJSON_CreateObject();
			web_set_str(o, "currency", mo->currency->code);
			web_set_str(o, "clause", clause_label(c));
			money_cell(o, "before", mo->currency, cb);
			money_cell(o, "after", mo->currency, ca);
			change_cell(o, mo->currency, cb, ca);
			cJSON_AddItemToArray(by, o);
		}
	}
}

static void post_policy_preview(struct http_req *q, struct http_resp *r)
{
	struct desk_policy_problems *probs;
	struct replay_report *rep;
	struct replay_hooks h = { 0 };
	struct preview pv = { 0 };
	char hash[DESK_POLICY_HASH_MAX];
	struct ac_err err;
	const char *text;
	size_t n;
	cJSON *m;

	if (!managers_only(q, r, "change the policy"))
		return;
	text = policy_text(q, &n);
	probs = arena_alloc(q->arena, sizeof *probs);
	rep = arena_alloc(q->arena, sizeof *rep);
	ac_err_clear(&err);
	m = cJSON_CreateObject();
	pv.cases = cJSON_AddArrayToObject(m, "cases");
	h.arg = &pv;
	h.changed = preview_case;
	if (desk_policy_preview(q->ctx->desk, text, n, NULL, &h, rep, hash,
				probs, &err)) {
		cJSON_Delete(m);
		if (err.code == AC_EINVAL || err.code == AC_ELIMIT)
			policy_page(q, r, 422, text, n, probs, NULL);
		else
			web_desk_error(q, r, &err);
		return;
	}
	web_set_str(m, "title", "What this policy would change");
	web_set_str(m, "hash", hash);
	web_set_str(m, "active", desk_policy(q->ctx->desk)->version);
	cJSON_AddBoolToObject(m, "same",
			      !strcmp(hash,
				      desk_policy(q->ctx->desk)->version));
	web_set_strn(m, "text", text, n);
	cJSON_AddNumberToObject(m, "n_cases", (double)rep->cases);
	cJSON_AddNumberToObject(m, "changed", (double)rep->changed);
	cJSON_AddNumberToObject(m, "overridden", (double)rep->overridden);
	cJSON_AddNumberToObject(m, "failed", (double)rep->failed);
	cJSON_AddNumberToObject(m, "more", (double)pv.more);
	preview_model(m, rep);
	web_page(q, r, 200, "policy-preview", m);
}

static void post_policy_activate(struct http_req *q, struct http_resp *r)
{
	struct desk_policy_problems *probs;
	struct desk_policy_activation act;
	const char *hash = http_form(q, "hash");
	struct ac_err err;
	const char *text;
	size_t n;

	if (!managers_only(q, r, "change the policy"))
		return;
	text = policy_text(q, &n);
	probs = arena_alloc(q->arena, sizeof *probs);
	ac_err_clear(&err);
	if (!hash || !hash[0]) {
		ac_err_set(&err, AC_EINVAL, "hash", "preview the policy "
			   "before activating it");
		web_desk_error(q, r, &err);
		return;
	}
	if (desk_policy_activate(q->ctx->desk, q->actor, text, n, hash, &act,
				 probs, &err)) {
		if (err.code == AC_EINVAL && probs->n)
			policy_page(q, r, 422, text, n, probs, NULL);
		else
			web_desk_error(q, r, &err);
		return;
	}
	web_see_other(r, "/console/policy?activated=1");
}

static void users_page(struct http_req *q, struct http_resp *r, int status,
		       const char *error, const char *notice)
{
	struct desk_users us;
	struct ac_err err;
	cJSON *m, *arr;

	ac_err_clear(&err);
	if (desk_user_list(q->ctx->desk, &us, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	m = cJSON_CreateObject();
	web_set_str(m, "title", "Accounts");
	web_set_str(m, "error", error);
	web_set_str(m, "notice", notice);
	arr = cJSON_AddArrayToObject(m, "users");
	for (int i = 0; i < us.n; i++) {
		cJSON *o = cJSON_CreateObject();

		web_set_strn(o, "name", us.users[i].name.p,
			     us.users[i].name.n);
		web_set_str(o, "role", us.users[i].role == STAFF_MANAGER ?
			    "manager" : "agent");
		cJSON_AddItemToArray(arr, o);
	}
	web_page(q, r, status, "users", m);
}

static void get_users(struct http_req *q, struct http_resp *r)
{
	if (managers_only(q, r, "manage accounts"))
		users_page(q, r, 200, NULL, http_req_query(q, "added"));
}

static void post_users(struct http_req *q, struct http_resp *r)
{
	const char *name = http_form(q, "user"), *role = http_form(q, "role");
	const char *password = http_form(q, "password");
	struct ac_err err;
	char to[128];

	if (!managers_only(q, r, "manage accounts"))
		return;
	ac_err_clear(&err);
	if (!role || (strcmp(role, "agent") && strcmp(role, "manager"))) {
		users_page(q, r, 422, "Role: choose agent or manager.", NULL);
		return;
	}
	if (desk_user_add(q->ctx->desk, q->actor, name ? name : "",
			  !strcmp(role, "manager") ? STAFF_MANAGER :
			  STAFF_AGENT, password ? password : "", &err)) {
		char text[300];

		if (err.code == AC_EIO || err.code == AC_EINDOUBT) {
			web_desk_error(q, r, &err);
			return;
		}
		snprintf(text, sizeof text, "%s: %s", err.field, err.msg);
		users_page(q, r, err.code == AC_ECONFLICT ? 409 : 422, text,
			   NULL);
		return;
	}
	snprintf(to, sizeof to, "/console/users?added=%s", name);
	web_see_other(r, arena_strndup(q->arena, to, strlen(to)));
}

#define STAFF_POST(path, fn) \
	{ "POST", "/console/cases/{id}/" path, fn, HTTP_AUTH_STAFF, \
	  HTTP_TXN_WRITE, HTTP_BODY_FORM, NULL }

static const struct route routes[] = {
	{ "GET", "/console", get_console, HTTP_AUTH_STAFF_OPT, HTTP_TXN_READ,
	  HTTP_BODY_NONE, NULL },
	{ "POST", "/console/signin", post_signin, HTTP_AUTH_NONE,
	  HTTP_TXN_WRITE, HTTP_BODY_FORM, signin_check },
	{ "POST", "/console/signout", post_signout, HTTP_AUTH_STAFF,
	  HTTP_TXN_WRITE, HTTP_BODY_FORM, NULL },
	{ "GET", "/console/cases/{id}", get_case, HTTP_AUTH_STAFF,
	  HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "GET", "/console/cases/{id}/photos/{sha}", view_photo,
	  HTTP_AUTH_STAFF, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	STAFF_POST("approve", post_approve),
	STAFF_POST("override", post_override),
	STAFF_POST("refund", post_refund),
	STAFF_POST("tracking", post_tracking),
	STAFF_POST("quote", post_quote),
	STAFF_POST("quote-status", post_quote_status),
	STAFF_POST("note", post_note),
	STAFF_POST("message", post_message),
	STAFF_POST("resolve", post_resolve),
	STAFF_POST("close", post_close),
	{ "GET", "/console/policy", get_policy, HTTP_AUTH_STAFF,
	  HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	/* issue 9: managers check, preview (a replay of the history, read
	 * only) and activate a policy */
	{ "POST", "/console/policy/preview", post_policy_preview,
	  HTTP_AUTH_STAFF, HTTP_TXN_READ, HTTP_BODY_UPLOAD, NULL },
	{ "POST", "/console/policy/activate", post_policy_activate,
	  HTTP_AUTH_STAFF, HTTP_TXN_WRITE, HTTP_BODY_UPLOAD, NULL },
	{ "GET", "/console/users", get_users, HTTP_AUTH_STAFF, HTTP_TXN_READ,
	  HTTP_BODY_NONE, NULL },
	{ "POST", "/console/users", post_users, HTTP_AUTH_STAFF,
	  HTTP_TXN_WRITE, HTTP_BODY_FORM, NULL },
};

const struct route_table web_console_routes = {
	routes, sizeof routes / sizeof routes[0]
};
