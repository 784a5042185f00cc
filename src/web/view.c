/* view.c: the pages' models from the desk's answers (web layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codec/codec.h"
#include "../codec/words.h"
#include "../core/decide.h"
#include "view.h"

static struct ac_str copy(struct arena *a, struct ac_str s)
{
	return (struct ac_str){ s.n ? arena_strndup(a, s.p, s.n) : "", s.n };
}

static void copy_address(struct arena *a, struct address *x)
{
	x->name = copy(a, x->name);
	x->line1 = copy(a, x->line1);
	x->line2 = copy(a, x->line2);
	x->city = copy(a, x->city);
	x->region = copy(a, x->region);
	x->postal_code = copy(a, x->postal_code);
	x->country = copy(a, x->country);
}

void view_facts_copy(struct arena *a, const struct desk_order *o,
		     struct view_facts *out)
{
	memset(out, 0, sizeof *out);
	out->order = *o->order;
	out->order.id = copy(a, out->order.id);
	copy_address(a, &out->order.address);
	for (int i = 0; i < out->order.n_items; i++) {
		struct item *it = &out->order.items[i];

		it->sku = copy(a, it->sku);
		it->style = copy(a, it->style);
		it->shape = copy(a, it->shape);
		it->material = copy(a, it->material);
		it->color = copy(a, it->color);
		it->certificate = copy(a, it->certificate);
	}
	out->shipped = o->shipped;
	if (o->shipped) {
		out->shipment = *o->shipment;
		copy_address(a, &out->shipment.address);
	}
	out->customer_name = arena_strndup(a, o->customer_name.p,
					   o->customer_name.n);
	out->customer_email = arena_strndup(a, o->customer_email.p,
					    o->customer_email.n);
	out->paid_minor = o->paid_minor;
	out->refunded_total_minor = o->refunded_total_minor;
	out->n_cases = o->n_cases;
	out->case_ids = arena_alloc(a, (size_t)(o->n_cases + 1) *
				    sizeof *out->case_ids);
	for (int i = 0; i < o->n_cases; i++)
		snprintf(out->case_ids[i], HTTP_ID_MAX, "%.*s",
			 (int)o->cases[i].id.n, o->cases[i].id.p);
}

static void money(cJSON *o, const char *key, const struct currency *c,
		  int64_t minor)
{
	char s[64];

	money_format(s, sizeof s, c, minor);
	web_set_str(o, key, s);
}

/* item_name: "Ring, 14k white gold, size 7" from what the order says. */
static void item_name(char *out, size_t cap, const struct item *it)
{
	const char *kind = item_kind_name(it->kind);
	int n;

	n = snprintf(out, cap, "%c%s", kind[0] - 'a' + 'A', kind + 1);
	if (it->material.n && n > 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, ", %.*s",
			      (int)it->material.n, it->material.p);
	if (it->style.n && n > 0 && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n, ", %.*s",
			      (int)it->style.n, it->style.p);
	if (it->has_size && n > 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n, ", size %lld.%03lld",
			 (long long)(it->size_milli / 1000),
			 (long long)(it->size_milli % 1000));
	/* "7.250" reads as "7.25": drop the trailing zeros of the size */
	for (char *p = strstr(out, ", size "); p; p = NULL) {
		char *dot = strchr(p + 7, '.'), *end;

		if (!dot)
			break;
		end = dot + strlen(dot) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
}

static void address_text(char *out, size_t cap, const struct address *a)
{
	snprintf(out, cap, "%.*s, %.*s%s%.*s, %.*s %.*s, %.*s",
		 (int)a->name.n, a->name.p, (int)a->line1.n, a->line1.p,
		 a->line2.n ? ", " : "", (int)a->line2.n, a->line2.p,
		 (int)a->postal_code.n, a->postal_code.p, (int)a->city.n,
		 a->city.p, (int)a->country.n, a->country.p);
}

/* facts_case: the order's facts as a case for the words (no claim). */
static void facts_case(const struct view_facts *f, struct ac_case *c,
		       int64_t now)
{
	memset(c, 0, offsetof(struct ac_case, order));
	c->order = f->order;
	c->shipped = f->shipped;
	c->shipment = f->shipment;
	memset(&c->claim, 0, offsetof(struct claim, lines));
	c->now = now;
}

void view_order(cJSON *m, const struct policy *p, const struct view_facts *f,
		int64_t now, int tz_offset_min)
{
	const struct order *o = &f->order;
	cJSON *om = cJSON_AddObjectToObject(m, "order"), *items;
	struct ac_case *c = malloc(sizeof *c);
	char s[512];

	if (!c)
		abort();
	web_set_strn(om, "id", o->id.p, o->id.n);
	if (tz_offset_min)
		snprintf(s, sizeof s, "UTC%c%02d:%02d",
			 tz_offset_min < 0 ? '-' : '+',
			 abs(tz_offset_min) / 60, abs(tz_offset_min) % 60);
	else
		snprintf(s, sizeof s, "UTC");
	web_set_str(m, "zone", s);
	web_when(s, sizeof s, o->placed_at, tz_offset_min, true);
	web_set_str(om, "placed", s);
	money(om, "total", o->currency, order_total_minor(o));
	money(om, "paid", o->currency, f->paid_minor);
	money(om, "shipping", o->currency, o->shipping_minor);
	if (f->refunded_total_minor)
		money(om, "refunded", o->currency, f->refunded_total_minor);
	web_set_str(om, "customer", f->customer_name);
	web_set_str(om, "email", f->customer_email);
	address_text(s, sizeof s, &o->address);
	web_set_str(om, "address", s);
	items = cJSON_AddArrayToObject(om, "items");
	for (int i = 0; i < o->n_items; i++) {
		const struct item *it = &o->items[i];
		cJSON *io = cJSON_CreateObject();

		cJSON_AddNumberToObject(io, "line", it->line);
		item_name(s, sizeof s, it);
		web_set_str(io, "name", s);
		money(io, "price", o->currency, it->price_minor);
		if (it->certificate.n)
			web_set_strn(io, "certificate", it->certificate.p,
				     it->certificate.n);
		if (it->has_size)
			cJSON_AddBoolToObject(io, "has_size", true);
		cJSON_AddItemToArray(items, io);
	}
	if (f->shipped) {
		cJSON *sm = cJSON_AddObjectToObject(om, "shipment");

		web_when(s, sizeof s, f->shipment.shipped_at, tz_offset_min,
			 true);
		web_set_str(sm, "shipped", s);
		if (f->shipment.delivered) {
			web_when(s, sizeof s, f->shipment.delivered_at,
				 tz_offset_min, true);
			web_set_str(sm, "delivered", s);
		}
		address_text(s, sizeof s, &f->shipment.address);
		web_set_str(sm, "address", s);
		web_set_str(sm, "courier",
			    courier_finding_name(f->shipment.courier_finding));
		web_set_str(sm, "customs", customs_name(f->shipment.customs));
	}
	facts_case(f, c, now);
	words_order(m, p, c, now, tz_offset_min);
	cJSON_AddBoolToObject(m, "has_can", cJSON_GetArraySize(
		cJSON_GetObjectItem(m, "can")) > 0);
	free(c);
}

static const char *quote_words(enum quote_status st)
{
	switch (st) {
	case QUOTE_STATUS_QUOTED: return "waiting for your answer";
	case QUOTE_STATUS_ACCEPTED: return "accepted";
	case QUOTE_STATUS_DECLINED: return "declined";
	case QUOTE_STATUS_EXPIRED: return "expired";
	case QUOTE_STATUS_REPAIRED: return "repaired";
	case QUOTE_STATUS_SHIPPED_BACK: return "repaired and shipped back";
	case QUOTE_STATUS_COUNT: break;
	}
	return "";
}

void view_case_line(cJSON *o, const struct desk_case *c)
{
	const struct policy *p = c->policy;
	enum clause_id cl = c->decision.clauses[0];

	web_set_strn(o, "id", c->id.p, c->id.n);
	web_set_str(o, "status", web_status_words((int)c->status));
	web_set_str(o, "claim", web_claim_words((int)c->claim_type));
	web_set_str(o, "verdict", web_verdict_words((int)c->decision.verdict));
	if (c->decision.n_clauses) {
		web_set_str(o, "clause_id", clause_id_name(cl));
		web_set_strn(o, "clause_title", p->clauses[cl].title.p,
			     p->clauses[cl].title.n);
	}
}

void view_case(cJSON *m, const struct policy *p, const struct view_facts *f,
	       const struct desk_case *c, struct case_reader *rd, int64_t now,
	       int tz_offset_min)
{
	cJSON *cm = cJSON_AddObjectToObject(m, "case"), *dm;
	struct ac_case *ac = malloc(sizeof *ac);
	const struct currency *cur = c->decision.currency;
	struct ac_err err;
	char s[128];

	if (!ac)
		abort();
	view_case_line(cm, c);
	web_when(s, sizeof s, c->created_at, tz_offset_min, true);
	web_set_str(cm, "opened", s);
	cJSON_AddBoolToObject(cm, "live", c->status != CASE_STATUS_RESOLVED &&
			      c->status != CASE_STATUS_CLOSED);
	if (c->refunded_total_minor)
		money(cm, "refunded", cur, c->refunded_total_minor);
	if (c->charged_total_minor)
		money(cm, "charged", cur, c->charged_total_minor);
	money(cm, "refund_max", cur, c->decision.refund_max_minor);
	if (c->decision.refund_max_minor > c->refunded_total_minor)
		money(cm, "refund_left", cur, c->decision.refund_max_minor -
		      c->refunded_total_minor);
	if (c->decision_overridden) {
		cJSON *ov = cJSON_AddObjectToObject(cm, "override");

		web_set_strn(ov, "reason", c->decision_override_reason.p,
			     c->decision_override_reason.n);
		web_set_strn(ov, "author", c->decision_override_author.p,
			     c->decision_override_author.n);
	}
	if (c->has_approval)
		web_set_strn(cm, "approved_by", c->approved_by.p,
			     c->approved_by.n);
	if (c->has_quote) {
		cJSON *qm = cJSON_AddObjectToObject(cm, "quote");

		money(qm, "amount", cur, c->quote.amount_minor);
		web_set_str(qm, "status", quote_words(c->quote.status));
		web_set_str(qm, "code", quote_status_name(c->quote.status));
		web_when(s, sizeof s, c->quote.expires_at, tz_offset_min,
			 true);
		web_set_str(qm, "expires", s);
		cJSON_AddBoolToObject(qm, "open", c->quote.status ==
				      QUOTE_STATUS_QUOTED &&
				      c->quote.expires_at > now);
	}
	/* the decision in words, from the facts it was made of */
	facts_case(f, ac, now);
	ac_err_clear(&err);
	dm = cJSON_AddObjectToObject(cm, "decision");
	if (claim_json_read(rd, c->claim_json.p, c->claim_json.n, ac, &err) ==
	    0) {
		ac->now = ac->claim.opened_at;
		words_decision(dm, p, ac, &c->decision, now, tz_offset_min);
		cJSON_AddBoolToObject(dm, "has_facts", cJSON_GetArraySize(
			cJSON_GetObjectItem(dm, "facts")) > 0);
		cJSON_AddBoolToObject(dm, "has_remedies", cJSON_GetArraySize(
			cJSON_GetObjectItem(dm, "remedies")) > 0);
		cJSON_AddBoolToObject(dm, "many_remedies", cJSON_GetArraySize(
			cJSON_GetObjectItem(dm, "remedies")) > 1);
	} else {
		web_set_str(dm, "headline",
			    web_verdict_words((int)c->decision.verdict));
	}
	free(ac);
}

void view_photos(struct http_req *q, cJSON *m, const char *prefix,
		 const char *case_id)
{
	cJSON *arr = cJSON_AddArrayToObject(m, "photos");
	struct desk_evidences ev;
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_list_evidence(q->ctx->desk, case_id, &ev, &err))
		return;
	for (int i = 0; i < ev.n; i++) {
		cJSON *o = cJSON_CreateObject();
		char url[320];

		snprintf(url, sizeof url, "%s/cases/%s/photos/%s", prefix,
			 case_id, ev.evidences[i].sha256);
		web_set_str(o, "url", url);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddBoolToObject(m, "has_photos", ev.n > 0);
}

void view_messages(struct http_req *q, cJSON *m, const char *case_id,
		   bool staff)
{
	cJSON *arr = cJSON_AddArrayToObject(m, "messages");
	struct desk_messages ms;
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_list_messages(q->ctx->desk, case_id, &ms, &err))
		return;
	for (int i = 0; i < ms.n; i++) {
		const struct desk_message *x = &ms.messages[i];
		bool customer = x->from == MSG_FROM_CUSTOMER;
		cJSON *o = cJSON_CreateObject();
		char when[64];

		web_when(when, sizeof when, x->created_at, staff ? 0 :
			 q->session.tz_offset_min, staff);
		cJSON_AddBoolToObject(o, "from_customer", customer);
		web_set_str(o, "from", staff ? (customer ? "Customer" : "Shop")
			    : (customer ? "You" : "The shop"));
		web_set_strn(o, "author", x->author.p, x->author.n);
		web_set_str(o, "when", when);
		web_set_strn(o, "body", x->body.p, x->body.n);
		cJSON_AddItemToArray(arr, o);
	}
}

void view_photo(struct http_req *q, struct http_resp *r)
{
	struct desk_evidence ev;
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_get_evidence(q->ctx->desk, q->params[0], q->params[1], &ev,
			      &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	r->status = 200;
	r->content_type = arena_strndup(q->arena, ev.content_type.p,
					ev.content_type.n);
	buf_add(&r->body, ev.data.p, ev.data.n);
	http_resp_header(r, "Content-Security-Policy", "default-src 'none'");
}
