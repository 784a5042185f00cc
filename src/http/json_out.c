/* json_out.c: the desk's typed requests and results as JSON (http layer).
 * See json_out.h. Field order and spelling are the API's: a change here
 * is a change of the wire format (tests/api compares the answers). */
#include "json_out.h"

#include <string.h>

#include "../core/instant.h"

void http_answer(struct http_resp *r, int rc, const struct ac_err *err,
		 int ok_status)
{
	if (!rc && buf_error(&r->body)) {
		http_problem(r, 500, "response", "the answer is larger than "
			     "its %u-byte limit", HTTP_RESP_MAX);
		return;
	}
	http_reply(r, rc, err, ok_status);
}

/* ---- requests ----------------------------------------------------------- */

int json_read_open(struct case_reader *rd, const char *body, size_t n,
		   struct desk_open *out, struct ac_err *err)
{
	return claim_request_parse(rd, body, n, &out->order_id, &out->claim,
				   &out->has_opened_at, err);
}

int json_read_move(struct case_reader *rd, const char *body, size_t n,
		   struct desk_move *out, struct ac_err *err)
{
	struct ac_str to = { "", 0 };
	struct body_field fields[] = {
		{ "to", BODY_STR, true, &to, NULL, NULL },
		{ "reason", BODY_STR, false, &out->reason, NULL, NULL },
	};
	int rc;

	out->reason = (struct ac_str){ "", 0 };
	rc = body_read(rd, body, n, fields, 2, err);
	if (rc)
		return rc;
	if (case_status_parse(to.p, to.n, &out->to))
		return ac_err_set(err, AC_EINVAL, "to", "not one of open, "
				  "waiting, decided, resolved, closed");
	return 0;
}

int json_read_override(struct case_reader *rd, const char *body, size_t n,
		       struct desk_override *out, struct ac_err *err)
{
	struct ac_str verdict;
	struct body_field fields[] = {
		{ "verdict", BODY_STR, true, &verdict, NULL, NULL },
		{ "refund_max_minor", BODY_MONEY, false, NULL,
		  &out->refund_max_minor, &out->has_refund_max },
		{ "reason", BODY_STR, true, &out->reason, NULL, NULL },
	};
	int rc;

	out->refund_max_minor = 0;
	rc = body_read(rd, body, n, fields, 3, err);
	if (rc)
		return rc;
	if (verdict_parse(verdict.p, verdict.n, &out->verdict))
		return ac_err_set(err, AC_EINVAL, "verdict", "not a verdict");
	return 0;
}

int json_read_refund(struct case_reader *rd, const char *body, size_t n,
		     struct desk_refund_req *out, struct ac_err *err)
{
	struct body_field fields[] = {
		{ "amount_minor", BODY_MONEY, true, NULL, &out->amount_minor,
		  NULL },
	};

	return body_read(rd, body, n, fields, 1, err);
}

int json_read_quote(struct case_reader *rd, const char *body, size_t n,
		    struct desk_quote_req *out, struct ac_err *err)
{
	struct body_field fields[] = {
		{ "amount_minor", BODY_MONEY, true, NULL, &out->amount_minor,
		  NULL },
		{ "expires_at", BODY_TIME, false, NULL, &out->expires_at,
		  &out->has_expires_at },
	};

	return body_read(rd, body, n, fields, 2, err);
}

int json_read_tracking(struct case_reader *rd, const char *body, size_t n,
		       struct desk_tracking *out, struct ac_err *err)
{
	struct body_field fields[] = {
		{ "at", BODY_TIME, true, NULL, &out->at, NULL },
		{ "kind", BODY_STR, true, &out->kind, NULL, NULL },
		{ "detail", BODY_STR, false, &out->detail, NULL, NULL },
	};
	out->detail = (struct ac_str){ "", 0 };  /* absent: left as is */
	return body_read(rd, body, n, fields, 3, err);
}

int json_read_note(struct case_reader *rd, const char *body, size_t n,
		   struct ac_str *text, struct ac_err *err)
{
	struct body_field fields[] = {
		{ "body", BODY_STR, true, text, NULL, NULL },
	};

	return body_read(rd, body, n, fields, 1, err);
}

/* ---- results ---------------------------------------------------------- */

static void w_str(struct buf *b, struct ac_str s)
{
	json_str_write(b, s.p ? s.p : "", s.n);
}

static void w_cstr(struct buf *b, const char *s)
{
	json_str_write(b, s, strlen(s));
}

void json_write_time(struct buf *b, int64_t at)
{
	char t[40];
	size_t n = instant_format(at, t, sizeof t);

	buf_addc(b, '"');
	buf_add(b, t, n);
	buf_addc(b, '"');
}

void json_write_case(const struct desk_case *c, struct buf *out)
{
	const struct decision *dec = &c->decision;
	struct decision_override ov = {
		c->decision_overridden, c->decision_override_reason,
		c->decision_override_author,
	};

	buf_adds(out, "{\"id\":");
	w_str(out, c->id);
	buf_addf(out, ",\"status\":\"%s\",\"order\":",
		 case_status_name(c->status));
	w_str(out, c->order_id);
	buf_addf(out, ",\"type\":\"%s\",\"claim\":",
		 claim_type_name(c->claim_type));
	buf_add(out, c->claim_json.p, c->claim_json.n);
	buf_adds(out, ",\"decision\":");
	decision_record_write(dec, &ov, out);
	buf_adds(out, ",\"decided_at\":");
	json_write_time(out, c->decided_at);
	buf_adds(out, ",\"clauses\":[");
	for (int i = 0; i < dec->n_clauses; i++) {
		const struct clause *cl = &c->policy->clauses[dec->clauses[i]];

		buf_addf(out, "%s{\"id\":\"%s\",\"title\":", i ? "," : "",
			 clause_id_name(dec->clauses[i]));
		w_str(out, cl->title);
		buf_adds(out, ",\"text\":");
		w_str(out, cl->text);
		buf_addc(out, '}');
	}
	buf_adds(out, "],\"deadline\":");
	if (dec->has_deadline)
		json_write_time(out, dec->deadline);
	else
		buf_adds(out, "null");
	buf_adds(out, ",\"response_due\":");
	json_write_time(out, c->response_due);
	buf_addf(out, ",\"refund_max_minor\":%lld,\"refunded_total_minor\":%lld"
		 ",\"charged_total_minor\":%lld,\"override\":",
		 (long long)dec->refund_max_minor,
		 (long long)c->refunded_total_minor,
		 (long long)c->charged_total_minor);
	if (c->has_override) {
		buf_adds(out, "{\"verdict\":");
		w_cstr(out, verdict_name(c->override_verdict));
		buf_adds(out, ",\"reason\":");
		w_str(out, c->override_reason);
		buf_adds(out, ",\"author\":");
		w_str(out, c->override_author);
		buf_adds(out, ",\"at\":");
		json_write_time(out, c->overridden_at);
		buf_addc(out, '}');
	} else {
		buf_adds(out, "null");
	}
	buf_adds(out, ",\"approval\":");
	if (c->has_approval) {
		buf_adds(out, "{\"by\":");
		w_str(out, c->approved_by);
		buf_adds(out, ",\"at\":");
		json_write_time(out, c->approved_at);
		buf_addc(out, '}');
	} else {
		buf_adds(out, "null");
	}
	buf_adds(out, ",\"quote\":");
	if (c->has_quote) {
		buf_addf(out, "{\"id\":%lld,\"amount_minor\":%lld,\"status\":"
			 "\"%s\",\"expires_at\":", (long long)c->quote.id,
			 (long long)c->quote.amount_minor,
			 quote_status_name(c->quote.status));
		json_write_time(out, c->quote.expires_at);
		buf_addc(out, '}');
	} else {
		buf_adds(out, "null");
	}
	buf_adds(out, ",\"created_at\":");
	json_write_time(out, c->created_at);
	buf_adds(out, ",\"updated_at\":");
	json_write_time(out, c->updated_at);
	buf_addc(out, '}');
}

void json_write_refund(const struct desk_refund *r, struct buf *out)
{
	buf_addf(out, "{\"id\":%lld,\"case\":", (long long)r->id);
	w_str(out, r->case_id);
	buf_addf(out, ",\"amount_minor\":%lld,\"currency\":\"%s\","
		 "\"refunded_total_minor\":%lld}", (long long)r->amount_minor,
		 r->currency->code, (long long)r->refunded_total_minor);
}

void json_write_quote(const struct desk_quote *q, struct buf *out)
{
	buf_addf(out, "{\"id\":%lld,\"case\":", (long long)q->id);
	w_str(out, q->case_id);
	buf_addf(out, ",\"amount_minor\":%lld,\"status\":\"%s\","
		 "\"expires_at\":", (long long)q->amount_minor,
		 quote_status_name(q->status));
	json_write_time(out, q->expires_at);
	buf_adds(out, ",\"created_at\":");
	json_write_time(out, q->created_at);
	buf_adds(out, ",\"updated_at\":");
	json_write_time(out, q->updated_at);
	buf_addc(out, '}');
}

void json_write_order(const struct desk_order *o, struct buf *out)
{
	buf_adds(out, "{\"id\":");
	w_str(out, o->order->id);
	buf_adds(out, ",\"order\":");
	order_json_write(o->order, out);
	buf_adds(out, ",\"shipment\":");
	if (o->shipped)
		shipment_json_write(o->shipment, out);
	else
		buf_adds(out, "null");
	buf_adds(out, ",\"customer\":{\"name\":");
	w_str(out, o->customer_name);
	buf_adds(out, ",\"email\":");
	w_str(out, o->customer_email);
	buf_addf(out, "},\"currency\":\"%s\",\"paid_minor\":%lld,"
		 "\"refunded_total_minor\":%lld,\"charged_total_minor\":%lld,"
		 "\"cases\":[", o->order->currency->code,
		 (long long)o->paid_minor, (long long)o->refunded_total_minor,
		 (long long)o->charged_total_minor);
	for (int i = 0; i < o->n_cases; i++) {
		const struct desk_case_line *l = &o->cases[i];

		buf_adds(out, i ? ",{\"id\":" : "{\"id\":");
		w_str(out, l->id);
		buf_addf(out, ",\"status\":\"%s\",\"type\":\"%s\",\"verdict\":",
			 case_status_name(l->status),
			 claim_type_name(l->claim_type));
		if (l->has_verdict)
			w_cstr(out, verdict_name(l->verdict));
		else
			buf_adds(out, "null");
		buf_addc(out, '}');
	}
	buf_adds(out, "]}");
}

void json_write_facts(const struct desk_facts *f, struct buf *out)
{
	if (f->event_id)
		buf_addf(out, "{\"id\":%lld,\"order\":",
			 (long long)f->event_id);
	else
		buf_adds(out, "{\"order\":");
	w_str(out, f->order_id);
	buf_adds(out, ",\"redecided\":[");
	for (int i = 0; i < f->n_redecided; i++) {
		const struct desk_case_line *l = &f->redecided[i];

		buf_adds(out, i ? ",{\"id\":" : "{\"id\":");
		w_str(out, l->id);
		buf_addf(out, ",\"verdict\":\"%s\",\"status\":\"%s\"}",
			 verdict_name(l->verdict), case_status_name(l->status));
	}
	buf_adds(out, "]}");
}

void json_write_events(const struct desk_events *e, struct buf *out)
{
	buf_adds(out, "{\"order\":");
	w_str(out, e->order_id);
	buf_adds(out, ",\"events\":[");
	for (int i = 0; i < e->n; i++) {
		const struct desk_event *v = &e->events[i];

		buf_addf(out, "%s{\"id\":%lld,\"at\":", i ? "," : "",
			 (long long)v->id);
		json_write_time(out, v->at);
		buf_adds(out, ",\"kind\":");
		w_str(out, v->kind);
		buf_adds(out, ",\"detail\":");
		w_str(out, v->detail);
		buf_addc(out, '}');
	}
	buf_adds(out, "]}");
}

/* w_note writes a note; in its case's list the case goes unsaid. */
static void w_note(struct buf *out, const struct desk_note *nt,
		   bool with_case)
{
	buf_addf(out, "{\"id\":%lld,", (long long)nt->id);
	if (with_case) {
		buf_adds(out, "\"case\":");
		w_str(out, nt->case_id);
		buf_addc(out, ',');
	}
	buf_adds(out, "\"author\":");
	w_str(out, nt->author);
	buf_adds(out, ",\"body\":");
	w_str(out, nt->body);
	buf_adds(out, ",\"created_at\":");
	json_write_time(out, nt->created_at);
	buf_addc(out, '}');
}

void json_write_note(const struct desk_note *nt, struct buf *out)
{
	w_note(out, nt, true);
}

void json_write_notes(const struct desk_notes *ns, struct buf *out)
{
	buf_adds(out, "{\"notes\":[");
	for (int i = 0; i < ns->n; i++) {
		if (i)
			buf_addc(out, ',');
		w_note(out, &ns->notes[i], false);
	}
	buf_adds(out, "]}");
}

void json_write_evidence(const struct desk_evidence *e, struct buf *out)
{
	buf_addf(out, "{\"sha256\":\"%s\",\"content_type\":", e->sha256);
	w_str(out, e->content_type);
	buf_addf(out, ",\"size\":%lld}", (long long)e->size);
}

/* ---- the lists ---------------------------------------------------------- */

static void w_time_or_null(struct buf *b, bool has, int64_t at)
{
	if (has)
		json_write_time(b, at);
	else
		buf_adds(b, "null");
}

static void w_next(struct buf *b, const char *next)
{
	buf_adds(b, "],\"next\":");
	if (next[0])
		w_cstr(b, next);
	else
		buf_adds(b, "null");
	buf_addc(b, '}');
}

void json_write_case_page(const struct desk_case_page *p, struct buf *out)
{
	buf_adds(out, "{\"cases\":[");
	for (int i = 0; i < p->n; i++) {
		const struct desk_case_row *r = &p->rows[i];

		buf_adds(out, i ? ",{\"id\":" : "{\"id\":");
		w_str(out, r->id);
		buf_adds(out, ",\"order\":");
		w_str(out, r->order_id);
		buf_addf(out, ",\"status\":\"%s\",\"type\":\"%s\","
			 "\"opened_at\":", case_status_name(r->status),
			 claim_type_name(r->claim_type));
		json_write_time(out, r->opened_at);
		buf_adds(out, ",\"verdict\":");
		if (r->has_verdict)
			w_cstr(out, verdict_name(r->verdict));
		else
			buf_adds(out, "null");
		buf_adds(out, ",\"deadline\":");
		w_time_or_null(out, r->has_deadline, r->deadline);
		buf_addc(out, '}');
	}
	w_next(out, p->next);
}

void json_write_due_page(const struct desk_due_page *p, struct buf *out)
{
	buf_adds(out, "{\"now\":");
	json_write_time(out, p->now);
	buf_adds(out, ",\"cases\":[");
	for (int i = 0; i < p->n; i++) {
		const struct desk_case_row *r = &p->rows[i];

		buf_adds(out, i ? ",{\"id\":" : "{\"id\":");
		w_str(out, r->id);
		buf_addf(out, ",\"status\":\"%s\",\"deadline\":",
			 case_status_name(r->status));
		w_time_or_null(out, r->has_deadline, r->deadline);
		buf_adds(out, ",\"response_due\":");
		w_time_or_null(out, r->has_response_due, r->response_due);
		buf_adds(out, ",\"due\":");
		json_write_time(out, r->due);
		buf_addf(out, ",\"overdue\":%s}",
			 r->due < p->now ? "true" : "false");
	}
	w_next(out, p->next);
}

/* An audit event's before and after are JSON the codec wrote when it was
 * stored: they go out as they are. */
void json_write_audit_page(const struct desk_audit_page *p, struct buf *out)
{
	buf_adds(out, "{\"events\":[");
	for (int i = 0; i < p->n; i++) {
		const struct desk_audit_event *a = &p->rows[i];

		buf_addf(out, "%s{\"id\":%lld,\"at\":", i ? "," : "",
			 (long long)a->id);
		json_write_time(out, a->at);
		buf_adds(out, ",\"actor\":");
		w_str(out, a->actor);
		buf_adds(out, ",\"action\":");
		w_str(out, a->action);
		buf_adds(out, ",\"entity\":");
		w_str(out, a->entity);
		buf_adds(out, ",\"entity_id\":");
		w_str(out, a->entity_id);
		buf_adds(out, ",\"before\":");
		if (a->before_json.n)
			buf_add(out, a->before_json.p, a->before_json.n);
		else
			buf_adds(out, "null");
		buf_adds(out, ",\"after\":");
		if (a->after_json.n)
			buf_add(out, a->after_json.p, a->after_json.n);
		else
			buf_adds(out, "null");
		buf_addc(out, '}');
	}
	buf_adds(out, "],\"next\":");
	if (p->more)
		buf_addf(out, "%lld", (long long)p->rows[p->n - 1].id);
	else
		buf_adds(out, "null");
	buf_addc(out, '}');
}
