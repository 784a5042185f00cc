/* words.c: a decision and an order in plain words (codec layer); see
 * words.h. */
#include "words.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"
#include "../core/money.h"

#define HOUR (3600 * AC_US_PER_S)
#define DAY (24 * HOUR)

static const char *const wdays[] = { "Thu", "Fri", "Sat", "Sun", "Mon",
				     "Tue", "Wed" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
				      "Jun", "Jul", "Aug", "Sep", "Oct",
				      "Nov", "Dec" };

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void words_when(char *out, size_t cap, int64_t at, int64_t now,
		int tz_offset_min)
{
	int64_t off = (int64_t)tz_offset_min * 60 * AC_US_PER_S;
	int64_t local = at + off;
	int y, mo, d, h, mi, s, ny, nmo, nd;
	int wd = (int)(((floor_div(local, DAY) % 7) + 7) % 7);

	instant_civil(local, &y, &mo, &d, &h, &mi, &s);
	instant_civil(now + off, &ny, &nmo, &nd, &h, &mi, &s);
	instant_civil(local, &y, &mo, &d, &h, &mi, &s);
	if (y == ny)
		snprintf(out, cap, "%s %d %s, %02d:%02d", wdays[wd], d,
			 months[mo - 1], h, mi);
	else
		snprintf(out, cap, "%s %d %s %d, %02d:%02d", wdays[wd], d,
			 months[mo - 1], y, h, mi);
}

void words_relative(char *out, size_t cap, int64_t at, int64_t now)
{
	int64_t diff = at >= now ? at - now : now - at;
	int64_t n;
	const char *unit;

	if (diff < 60 * AC_US_PER_S) {
		snprintf(out, cap, at >= now ? "less than a minute from now" :
			 "just now");
		return;
	}
	if (diff < HOUR) {
		n = diff / (60 * AC_US_PER_S);
		unit = "minute";
	} else if (diff < 2 * DAY) {
		n = diff / HOUR;
		unit = "hour";
	} else {
		n = diff / DAY;
		unit = "day";
	}
	snprintf(out, cap, at >= now ? "%lld %s%s from now" : "%lld %s%s ago",
		 (long long)n, unit, n == 1 ? "" : "s");
}

__attribute__((format(printf, 2, 3)))
static void add(cJSON *arr, const char *fmt, ...)
{
	char s[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	cJSON_AddItemToArray(arr, cJSON_CreateString(s));
}

static void set(cJSON *o, const char *key, const char *s)
{
	cJSON_AddItemToObject(o, key, cJSON_CreateString(s));
}

/* duration: "24 hours", "48 hours", "365 days" from the policy's
 * numbers. */
static void duration(char *out, size_t cap, int64_t us)
{
	if (us % DAY == 0 && us >= 3 * DAY)
		snprintf(out, cap, "%lld days", (long long)(us / DAY));
	else if (us % HOUR == 0)
		snprintf(out, cap, "%lld hours", (long long)(us / HOUR));
	else
		snprintf(out, cap, "%lld minutes",
			 (long long)(us / (60 * AC_US_PER_S)));
}

static const char *headline(enum verdict v)
{
	switch (v) {
	case VERDICT_FULL_REFUND: return "A full refund";
	case VERDICT_PARTIAL_REFUND: return "A partial refund";
	case VERDICT_NO_REFUND: return "No refund";
	case VERDICT_PENDING: return "Not decided yet";
	case VERDICT_FREE_REPAIR: return "A free repair";
	case VERDICT_PAID_REPAIR: return "A paid repair";
	}
	return "";
}

static const char *remedy_text(enum remedy_type t)
{
	switch (t) {
	case REMEDY_FULL_REFUND: return "A full refund";
	case REMEDY_PARTIAL_REFUND: return "A partial refund, up to";
	case REMEDY_REMAKE: return "A remake";
	case REMEDY_REPAIR: return "A repair";
	case REMEDY_ADDRESS_CHANGE:
		return "A change of delivery address (it may not succeed)";
	case REMEDY_CUSTOMS_DOCUMENTS:
		return "The order's documents for customs clearance";
	case REMEDY_COURIER_INVESTIGATION:
		return "An investigation with the courier";
	}
	return "";
}

static const char *need_text(enum need n)
{
	switch (n) {
	case NEED_COURIER_INVESTIGATION:
		return "The courier is investigating. Please answer the "
		       "courier's questions; the decision follows their "
		       "finding: a full refund when they confirm the loss.";
	case NEED_CUSTOMS_CLEARANCE:
		return "The parcel waits at customs. Duties and clearance are "
		       "the buyer's; the shop sends you the order's documents "
		       "for it.";
	case NEED_REPAIR_QUOTE:
		return "The shop will send you a repair quote to accept or "
		       "decline before you send the item.";
	case NEED_SHIPMENT:
		return "The order has not shipped yet.";
	}
	return "";
}

/* hours_between: "16 hours" or "3 days" between two instants. */
static void span(char *out, size_t cap, int64_t from, int64_t to)
{
	int64_t d = to - from;

	if (d < 0)
		d = -d;
	if (d < 2 * DAY)
		snprintf(out, cap, "%lld hour%s", (long long)(d / HOUR),
			 d / HOUR == 1 ? "" : "s");
	else
		snprintf(out, cap, "%lld days", (long long)(d / DAY));
}

static void facts(cJSON *arr, const struct policy *p, const struct ac_case *c,
		  const struct decision *d, int64_t now, int tz)
{
	const struct shipment *s = &c->shipment;
	int64_t at = c->claim.opened_at;
	char a[64], b[64], len[32], gap[32];
	enum clause_id cl = d->n_clauses ? d->clauses[0] : CL_COUNT;

	words_when(a, sizeof a, c->order.placed_at, now, tz);
	switch (cl) {
	case CL_NO_REFUND_1: {
		int64_t cut = c->order.placed_at + p->production_delay_us;

		duration(len, sizeof len, p->production_delay_us);
		add(arr, "You ordered on %s; production starts %s later, on "
		    "%s.", a, len, (words_when(b, sizeof b, cut, now, tz), b));
		words_when(a, sizeof a, at, now, tz);
		if (c->shipped)
			add(arr, "The order had already shipped when you "
			    "asked on %s.", a);
		else if (at < cut)
			add(arr, "You asked on %s, before production "
			    "started.", a);
		else
			add(arr, "You asked on %s, after production had "
			    "started.", a);
		return;
	}
	case CL_NO_REFUND_2:
	case CL_NO_REFUND_3:
	case CL_NO_REFUND_4:
	case CL_REFUND_1:
		if (c->shipped && s->delivered &&
		    c->claim.type != CLAIM_UNWANTED) {
			int64_t end = s->delivered_at + p->contact_window_us;

			words_when(a, sizeof a, s->delivered_at, now, tz);
			duration(len, sizeof len, p->contact_window_us);
			span(gap, sizeof gap, s->delivered_at, at);
			add(arr, "Delivered on %s; you wrote %s later, %s "
			    "the %s (until %s).", a, gap, at <= end ?
			    "within" : "after", len,
			    (words_when(b, sizeof b, end, now, tz), b));
		}
		if (cl == CL_NO_REFUND_4 && c->claim.type == CLAIM_UNWANTED)
			add(arr, "A change of mind after delivery is not "
			    "refunded: the goods were made to order.");
		else if (cl == CL_NO_REFUND_4)
			add(arr, "What arrived is what was ordered.");
		else if (cl == CL_NO_REFUND_3)
			add(arr, "The problem is not a quality defect (slight "
			    "scratches, the packaging, or a size within the "
			    "tolerance): a partial refund is possible, never "
			    "a full one.");
		else if (cl == CL_REFUND_1)
			add(arr, "What arrived is not what was ordered, or it "
			    "has a real defect: the mistake is the shop's.");
		return;
	case CL_NO_REFUND_5:
		add(arr, "The parcel went to the address given with the "
		    "order.");
		return;
	case CL_NO_REFUND_6:
		add(arr, s->customs == CUSTOMS_HELD ?
		    "The parcel is held at customs." :
		    "The parcel was refused at customs: the duties or the "
		    "clearance were not done.");
		return;
	case CL_REFUND_2:
		add(arr, "The parcel was sent to an address other than the "
		    "order's: the mistake is the shop's.");
		return;
	case CL_REFUND_3:
		add(arr, "%s", s->courier_finding == COURIER_LOST_CONFIRMED ?
		    "The courier confirmed that the parcel is lost." :
		    s->courier_finding == COURIER_DELIVERED_PROVEN ?
		    "The courier proves delivery to the correct address." :
		    "The courier has not finished looking for the parcel.");
		return;
	case CL_WARRANTY_1:
	case CL_WARRANTY_2:
	case CL_WARRANTY_3:
		if (c->shipped) {
			int64_t from = s->delivered ? s->delivered_at :
				       s->shipped_at;
			int64_t end = from + p->warranty_us;

			words_when(a, sizeof a, from, now, tz);
			words_when(b, sizeof b, end, now, tz);
			duration(len, sizeof len, p->warranty_us);
			add(arr, "%s on %s; the warranty runs %s, until %s.",
			    s->delivered ? "Delivered" : "Shipped", a, len, b);
			words_when(a, sizeof a, at, now, tz);
			add(arr, "You asked on %s, %s the warranty.", a,
			    at <= end ? "within" : "after");
		}
		if (c->claim.material_cost_rise_minor > 0) {
			money_format(a, sizeof a, c->order.currency,
				     c->claim.material_cost_rise_minor);
			add(arr, "The repair raises the material cost by %s.",
			    a);
		}
		return;
	case CL_COUNT:
		break;
	}
}

void words_decision(cJSON *out, const struct policy *p,
		    const struct ac_case *c, const struct decision *d,
		    int64_t now, int tz)
{
	const struct currency *cur = d->currency;
	cJSON *arr;
	char m[64], s[512];

	set(out, "headline", headline(d->verdict));
	money_format(m, sizeof m, cur, d->refund_max_minor);
	switch (d->verdict) {
	case VERDICT_FULL_REFUND:
		snprintf(s, sizeof s, "The policy allows a full refund: up to "
			 "%s.", m);
		break;
	case VERDICT_PARTIAL_REFUND:
		snprintf(s, sizeof s, "The policy allows a partial refund of "
			 "up to %s, never a full one.", m);
		break;
	case VERDICT_NO_REFUND:
		snprintf(s, sizeof s, "The policy allows no refund for this "
			 "claim.");
		break;
	case VERDICT_PENDING:
		snprintf(s, sizeof s, "The policy cannot decide this claim "
			 "yet: a fact is still missing.");
		break;
	case VERDICT_FREE_REPAIR:
		snprintf(s, sizeof s, "The policy allows a free repair under "
			 "the warranty.");
		break;
	case VERDICT_PAID_REPAIR:
		money_format(m, sizeof m, cur, d->charge_minor);
		snprintf(s, sizeof s, d->charge_minor ?
			 "The policy allows a repair that you pay: %s, "
			 "plus shipping." : "The policy allows a repair "
			 "that you pay%s (repair and shipping), after a "
			 "quote.", d->charge_minor ? m : "");
		break;
	}
	set(out, "allows", s);
	if (d->n_clauses) {
		const struct clause *cl = &p->clauses[d->clauses[0]];
		cJSON *o = cJSON_AddObjectToObject(out, "clause");

		set(o, "id", clause_id_name(d->clauses[0]));
		snprintf(s, sizeof s, "%.*s", (int)cl->title.n, cl->title.p);
		set(o, "title", s);
		{
			char *t = malloc(cl->text.n + 1);

			if (!t)
				abort();
			memcpy(t, cl->text.p, cl->text.n);
			t[cl->text.n] = '\0';
			set(o, "text", t);
			free(t);
		}
	}
	arr = cJSON_AddArrayToObject(out, "facts");
	facts(arr, p, c, d, now, tz);
	arr = cJSON_AddArrayToObject(out, "remedies");
	for (int i = 0; i < d->n_remedies; i++) {
		const struct remedy *r = &d->remedies[i];
		cJSON *o = cJSON_CreateObject();

		set(o, "text", remedy_text(r->type));
		set(o, "who_pays", r->cost_bearer == BEARER_SHOP ?
		    "the shop pays" : "you pay");
		if (r->amount_minor > 0) {
			money_format(m, sizeof m, cur, r->amount_minor);
			set(o, "amount", m);
		}
		cJSON_AddItemToArray(arr, o);
	}
	if (d->n_needs) {
		set(out, "next", need_text(d->needs[0]));
	} else if (d->verdict == VERDICT_FULL_REFUND ||
		   d->verdict == VERDICT_PARTIAL_REFUND) {
		set(out, "next", d->n_remedies > 1 ?
		    "Tell the shop which you choose; a refund is paid back "
		    "to how you paid." :
		    "The shop pays the refund back to how you paid.");
	} else if (d->verdict == VERDICT_FREE_REPAIR ||
		   d->verdict == VERDICT_PAID_REPAIR) {
		set(out, "next", "The shop tells you where to send the item "
		    "for the repair.");
	} else {
		set(out, "next", "The case is closed under the policy unless "
		    "you send new facts.");
	}
	if (d->has_deadline) {
		cJSON *o = cJSON_AddObjectToObject(out, "deadline");
		bool before = d->n_clauses && d->clauses[0] == CL_NO_REFUND_1;
		char w[64], rel[64], iso[40];

		words_when(w, sizeof w, d->deadline, now, tz);
		words_relative(rel, sizeof rel, d->deadline, now);
		instant_format(d->deadline, iso, sizeof iso);
		snprintf(s, sizeof s, "This answer holds for a claim made %s "
			 "%s", before ? "before" : "until", w);
		set(o, "text", s);
		set(o, "relative", rel);
		set(o, "at", iso);
	}
}

void words_order(cJSON *out, const struct policy *p, const struct ac_case *c,
		 int64_t now, int tz)
{
	const struct shipment *s = &c->shipment;
	int64_t cut = c->order.placed_at + p->production_delay_us;
	cJSON *state = cJSON_AddArrayToObject(out, "state");
	cJSON *can = cJSON_AddArrayToObject(out, "can");
	char a[64], rel[64], t[512];

#define STEP(done, ...) do { \
		cJSON *o_ = cJSON_CreateObject(); \
		snprintf(t, sizeof t, __VA_ARGS__); \
		set(o_, "text", t); \
		cJSON_AddBoolToObject(o_, "done", done); \
		cJSON_AddItemToArray(state, o_); \
	} while (0)
#define CAN(at, ...) do { \
		cJSON *o_ = cJSON_CreateObject(); \
		snprintf(t, sizeof t, __VA_ARGS__); \
		set(o_, "text", t); \
		words_relative(rel, sizeof rel, at, now); \
		set(o_, "relative", rel); \
		cJSON_AddItemToArray(can, o_); \
	} while (0)

	words_when(a, sizeof a, c->order.placed_at, now, tz);
	STEP(true, "Placed on %s.", a);
	words_when(a, sizeof a, cut, now, tz);
	if (now >= cut || c->shipped)
		STEP(true, "In production since %s.", a);
	else
		STEP(false, "Production starts on %s.", a);
	if (c->shipped) {
		words_when(a, sizeof a, s->shipped_at, now, tz);
		STEP(true, "Shipped on %s.", a);
	} else {
		STEP(false, "Not shipped yet.");
	}
	if (c->shipped && s->delivered) {
		words_when(a, sizeof a, s->delivered_at, now, tz);
		STEP(true, "Delivered on %s.", a);
	} else if (c->shipped) {
		STEP(false, "Not delivered yet.");
	}

	if (!c->shipped && now < cut) {
		words_when(a, sizeof a, cut, now, tz);
		CAN(cut, "You can still cancel free of charge, or change the "
		    "material, size, colour, style or address, before %s.",
		    a);
	}
	if (c->shipped && s->delivered) {
		int64_t end = s->delivered_at + p->contact_window_us;
		int64_t wend = s->delivered_at + p->warranty_us;

		if (now <= end) {
			words_when(a, sizeof a, end, now, tz);
			CAN(end, "You can report damage or a wrong item until "
			    "%s.", a);
		}
		if (now <= wend) {
			words_when(a, sizeof a, wend, now, tz);
			CAN(wend, "Repairs are under the warranty until %s.",
			    a);
		}
	}
	if (c->shipped && !s->delivered)
		CAN(now, "If the parcel does not arrive, tell us: the courier "
		    "looks for it and a lost parcel is refunded in full.");
#undef STEP
#undef CAN
}
