/* words.c: a decision and an order in plain words (codec layer); see
 * words.h. Every comparison with a boundary here is the one decide()
 * makes (core/decide.c): the cut-off with <, the contact window and the
 * warranty with <=. */
#include "words.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"
#include "../core/money.h"
#include "buf.h"

#define MINUTE (60 * AC_US_PER_S)
#define HOUR (60 * MINUTE)
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

/* civil_when: words_when, with the seconds (and their fraction) when fine
 * is true and the instant has them. */
static void civil_when(char *out, size_t cap, int64_t at, int64_t now,
		       int tz_offset_min, bool fine)
{
	int64_t off = (int64_t)tz_offset_min * MINUTE;
	int64_t local = at + off;
	int64_t in_min = local - floor_div(local, MINUTE) * MINUTE;
	int y, mo, d, h, mi, s, ny, nmo, nd, nh, nmi, ns;
	int wd = (int)(((floor_div(local, DAY) % 7) + 7) % 7);
	char year[16] = "", sec[16] = "";

	instant_civil(local, &y, &mo, &d, &h, &mi, &s);
	instant_civil(now + off, &ny, &nmo, &nd, &nh, &nmi, &ns);
	if (y != ny)
		snprintf(year, sizeof year, " %d", y);
	if (fine && in_min % AC_US_PER_S) {
		int64_t frac = in_min % AC_US_PER_S;
		int digits = 6;

		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		snprintf(sec, sizeof sec, ":%02d.%0*lld", s, digits,
			 (long long)frac);
	} else if (fine && in_min) {
		snprintf(sec, sizeof sec, ":%02d", s);
	}
	snprintf(out, cap, "%s %d %s%s, %02d:%02d%s", wdays[wd], d,
		 months[mo - 1], year, h, mi, sec);
}

void words_when(char *out, size_t cap, int64_t at, int64_t now,
		int tz_offset_min)
{
	civil_when(out, cap, at, now, tz_offset_min, false);
}

const char *words_boundary(char *out, size_t cap, int64_t at, bool strict,
			   int64_t now, int tz_offset_min)
{
	const char *word = strict ? "before" : "until";
	char t[64];

	if (floor_div(at, MINUTE) * MINUTE != at) {
		/* the last whole minute still within: it is <= at, and < at
		 * for a strict boundary, as at is not on a whole minute */
		at = floor_div(at, MINUTE) * MINUTE;
		word = "until";
	}
	words_when(t, sizeof t, at, now, tz_offset_min);
	snprintf(out, cap, "%s %s", word, t);
	return word;
}

void words_relative(char *out, size_t cap, int64_t at, int64_t now)
{
	int64_t diff = at >= now ? at - now : now - at;
	int64_t n;
	const char *unit;

	if (diff < MINUTE) {
		snprintf(out, cap, at >= now ? "less than a minute from now" :
			 "just now");
		return;
	}
	if (diff < HOUR) {
		n = diff / MINUTE;
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

/* ---- helpers --------------------------------------------------------- */

/* What every sentence needs: the policy, the case, when it is read and
 * at which offset. */
struct ctx {
	const struct policy *p;
	const struct ac_case *c;
	int64_t now;
	int tz;
	/* the minute in which the claim meets a boundary: times in it are
	 * shown to the second (INT64_MIN: none) */
	int64_t fine_minute;
};

__attribute__((format(printf, 2, 3)))
static void add(cJSON *arr, const char *fmt, ...)
{
	char s[768];
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

static void set_str(cJSON *o, const char *key, struct ac_str s)
{
	char *t = xstrndup(s.p ? s.p : "", s.n);

	set(o, key, t);
	free(t);
}

/* A time in words; each call has its own buffer (up to four live). */
static const char *when(const struct ctx *x, int64_t at)
{
	static _Thread_local char ring[4][64];
	static _Thread_local int next;
	char *s = ring[next++ % 4];

	civil_when(s, sizeof ring[0], at, x->now, x->tz,
		   floor_div(at, MINUTE) == x->fine_minute);
	return s;
}

/* duration: "24 hours", "48 hours", "365 days", from the policy's
 * numbers. */
static void duration(char *out, size_t cap, int64_t us)
{
	if (us % DAY == 0 && us >= 3 * DAY)
		snprintf(out, cap, "%lld days", (long long)(us / DAY));
	else if (us % HOUR == 0)
		snprintf(out, cap, "%lld hour%s", (long long)(us / HOUR),
			 us == HOUR ? "" : "s");
	else
		snprintf(out, cap, "%lld minutes", (long long)(us / MINUTE));
}

/* span: the time between two instants, rounded down: "16 hours",
 * "45 minutes", "3 days". */
static void span(char *out, size_t cap, int64_t from, int64_t to)
{
	int64_t d = to >= from ? to - from : from - to;

	if (d < HOUR)
		snprintf(out, cap, "%lld minute%s", (long long)(d / MINUTE),
			 d / MINUTE == 1 ? "" : "s");
	else if (d < 3 * DAY)
		snprintf(out, cap, "%lld hour%s", (long long)(d / HOUR),
			 d / HOUR == 1 ? "" : "s");
	else
		snprintf(out, cap, "%lld days", (long long)(d / DAY));
}

static const char *asked(enum claim_type t)
{
	switch (t) {
	case CLAIM_CANCEL: return "You asked to cancel";
	case CLAIM_UNWANTED: return "You told us you no longer want it";
	case CLAIM_REPAIR: return "You asked for a repair";
	case CLAIM_NOT_RECEIVED:
	case CLAIM_DAMAGED:
	case CLAIM_WRONG_ITEM:
	case CLAIM_WRONG_ADDRESS:
	case CLAIM_CUSTOMS:
		break;
	}
	return "You wrote";
}

static const char *defect_words(enum defect d)
{
	switch (d) {
	case DEFECT_SCRATCH: return "a slight scratch";
	case DEFECT_PACKAGING: return "damaged packaging";
	case DEFECT_SIZE: return "a small size error";
	case DEFECT_STONE_LOOSE: return "a loose stone";
	case DEFECT_BROKEN: return "a broken piece";
	case DEFECT_CLASP: return "a faulty clasp";
	case DEFECT_TARNISH: return "tarnish";
	case DEFECT_OTHER: return "another defect";
	case DEFECT_COUNT: break;
	}
	return "";
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

static const char *remedy_text(const struct remedy *r)
{
	bool shop = r->cost_bearer == BEARER_SHOP;

	switch (r->type) {
	case REMEDY_FULL_REFUND: return "A full refund";
	case REMEDY_PARTIAL_REFUND: return "A partial refund, up to";
	case REMEDY_REMAKE: return "A remake";
	case REMEDY_REPAIR:
		return shop ? "A repair" : "A repair and its shipping";
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
		return "The order has not shipped yet; the claim is decided "
		       "once it has.";
	}
	return "";
}

/* ---- the facts ------------------------------------------------------- */

static void fact_ordered(cJSON *arr, const struct ctx *x)
{
	const struct ac_case *c = x->c;
	int64_t cut = c->order.placed_at + x->p->production_delay_us;
	char len[32];

	duration(len, sizeof len, x->p->production_delay_us);
	add(arr, "You ordered on %s.", when(x, c->order.placed_at));
	add(arr, "Production %s %s later: %s.",
	    x->now < cut ? "starts" : "started", len, when(x, cut));
}

/* The production cut-off (no-refund.1). */
static void facts_cut_off(cJSON *arr, const struct ctx *x)
{
	const struct ac_case *c = x->c;
	int64_t at = c->claim.opened_at;
	int64_t cut = c->order.placed_at + x->p->production_delay_us;

	if ((c->claim.type == CLAIM_DAMAGED ||
	     c->claim.type == CLAIM_WRONG_ITEM) && !c->shipped) {
		add(arr, "The order has not shipped yet: there are no goods "
		    "to find a fault with.");
		return;
	}
	fact_ordered(arr, x);
	if (c->shipped) {
		add(arr, "The order shipped on %s; made-to-order goods that "
		    "have shipped are not taken back.",
		    when(x, c->shipment.shipped_at));
		add(arr, "%s on %s.", asked(c->claim.type), when(x, at));
	} else {
		add(arr, "%s on %s, %s production started.",
		    asked(c->claim.type), when(x, at),
		    at < cut ? "before" : "after");
	}
}

/* The contact window (no-refund.2, and the goods' claims made in it). */
static void fact_window(cJSON *arr, const struct ctx *x)
{
	const struct ac_case *c = x->c;
	const struct shipment *s = &c->shipment;
	int64_t at = c->claim.opened_at;
	char len[32], gap[32];

	duration(len, sizeof len, x->p->contact_window_us);
	if (!s->delivered) {
		add(arr, "No delivery is recorded, so the %s to report a "
		    "problem with the goods have not started.", len);
		return;
	}
	int64_t end = s->delivered_at + x->p->contact_window_us;

	span(gap, sizeof gap, s->delivered_at, at);
	if (at <= end)
		add(arr, "Delivered on %s; you wrote %s later, within the %s "
		    "(until %s).", when(x, s->delivered_at), gap, len,
		    when(x, end));
	else
		add(arr, "Delivered on %s; you wrote %s%s later, after the "
		    "%s (they ended on %s).", when(x, s->delivered_at),
		    strcmp(gap, len) ? "" : "more than ", gap, len,
		    when(x, end));
}

/* fact_warranty: the warranty's end against the claim; when the warranty
 * is not the deciding clause (a late claim about the goods), only what it
 * still offers. */
static void fact_warranty(cJSON *arr, const struct ctx *x, bool first)
{
	const struct ac_case *c = x->c;
	const struct shipment *s = &c->shipment;
	int64_t at = c->claim.opened_at;
	int64_t from = s->delivered ? s->delivered_at : s->shipped_at;
	int64_t end = from + x->p->warranty_us;
	char len[32];

	if (!c->shipped) {
		add(arr, "The order has not shipped yet: the warranty starts "
		    "on delivery.");
		return;
	}
	duration(len, sizeof len, x->p->warranty_us);
	if (!first) {
		add(arr, "The warranty runs %s from %s, until %s: %s.", len,
		    s->delivered ? "delivery" : "shipment", when(x, end),
		    at <= end ? "a repair under it is still possible" :
		    "it had ended when you wrote");
		return;
	}
	add(arr, "The warranty runs %s from %s (%s), until %s.", len,
	    s->delivered ? "delivery" : "shipment, as no delivery is "
	    "recorded", when(x, from), when(x, end));
	add(arr, "%s on %s, %s the warranty.", asked(c->claim.type),
	    when(x, at), at <= end ? "within" : "after");
}

static void fact_defects(cJSON *arr, const struct claim *cl)
{
	char s[256] = "";
	size_t n = 0;

	for (int i = 0; i < DEFECT_COUNT; i++)
		if (cl->defects & (1u << i))
			n += (size_t)snprintf(s + n, n < sizeof s ?
					      sizeof s - n : 0, "%s%s",
					      n ? ", " : "",
					      defect_words((enum defect)i));
	if (s[0])
		add(arr, "You reported: %s.", s);
}

/* fact_clause: the sentence a clause adds, beside the deciding one's. */
static void fact_clause(cJSON *arr, const struct ctx *x, enum clause_id cl,
			bool first)
{
	const struct ac_case *c = x->c;
	const struct shipment *s = &c->shipment;

	switch (cl) {
	case CL_NO_REFUND_1:
		facts_cut_off(arr, x);
		return;
	case CL_NO_REFUND_2:
		fact_window(arr, x);
		return;
	case CL_NO_REFUND_3:
		if (first)
			fact_window(arr, x);
		if (c->claim.type == CLAIM_DAMAGED && first)
			fact_defects(arr, &c->claim);
		add(arr, "%s not a quality defect (a slight scratch, the "
		    "packaging, or a size error within the tolerance): a "
		    "partial refund is possible, never a full one.",
		    first ? "The problem is" : "Part of the problem is");
		return;
	case CL_NO_REFUND_4:
		if (c->claim.type == CLAIM_UNWANTED) {
			if (c->shipped && s->delivered)
				add(arr, "Delivered on %s.",
				    when(x, s->delivered_at));
			add(arr, "A change of mind after delivery is not "
			    "refunded: the goods were made to order.");
			return;
		}
		fact_window(arr, x);
		add(arr, "What arrived is what was ordered.");
		return;
	case CL_NO_REFUND_5:
		if (!c->shipped) {
			add(arr, "The order has not shipped yet: the delivery "
			    "address can still be changed, free of charge.");
			return;
		}
		add(arr, "The parcel went to the address given with the "
		    "order.");
		if (c->claim.has_correct_address)
			add(arr, "The correct address you gave now is "
			    "another one.");
		return;
	case CL_NO_REFUND_6:
		add(arr, s->customs == CUSTOMS_HELD ?
		    "The parcel is held at customs." :
		    "The parcel was refused at customs: the duties or the "
		    "clearance were not done.");
		return;
	case CL_REFUND_1:
		fact_window(arr, x);
		if (c->claim.type == CLAIM_DAMAGED) {
			fact_defects(arr, &c->claim);
			add(arr, "That is a real defect: the shop's "
			    "responsibility.");
		} else {
			add(arr, "What arrived is not what was ordered (beyond "
			    "the tolerance): the mistake is the shop's.");
		}
		return;
	case CL_REFUND_2:
		add(arr, "The parcel was sent to an address other than the "
		    "order's: the mistake is the shop's.");
		return;
	case CL_REFUND_3:
		if (!c->shipped) {
			add(arr, "The order has not shipped yet.");
			return;
		}
		add(arr, "Shipped on %s.", when(x, s->shipped_at));
		add(arr, "%s", s->courier_finding == COURIER_LOST_CONFIRMED ?
		    "The courier confirmed that the parcel is lost." :
		    s->courier_finding == COURIER_DELIVERED_PROVEN ?
		    "The courier proves delivery to the correct address." :
		    "The courier has not finished looking for the parcel.");
		return;
	case CL_WARRANTY_1:
		for (int i = 0; i < c->order.n_items; i++) {
			const struct item *it = &c->order.items[i];

			if (it->certificate.n &&
			    claim_concerns(&c->claim, it->line)) {
				add(arr, "Line %d has an inspection "
				    "certificate on file: %.*s.", it->line,
				    (int)it->certificate.n,
				    it->certificate.p);
			}
		}
		return;
	case CL_WARRANTY_2:
	case CL_WARRANTY_3:
		fact_warranty(arr, x, first);
		if (c->claim.type == CLAIM_REPAIR &&
		    c->claim.material_cost_rise_minor > 0) {
			char m[64];

			money_format(m, sizeof m, c->order.currency,
				     c->claim.material_cost_rise_minor);
			add(arr, "The repair raises the material cost by %s.",
			    m);
		}
		return;
	case CL_COUNT:
		break;
	}
}

/* ---- the decision ---------------------------------------------------- */

static void clause_obj(cJSON *o, const struct policy *p, enum clause_id id)
{
	set(o, "id", clause_id_name(id));
	set_str(o, "title", p->clauses[id].title);
	set_str(o, "text", p->clauses[id].text);
}

static void allows(cJSON *out, const struct ctx *x, const struct decision *d)
{
	const struct currency *cur = d->currency ? d->currency :
				     x->c->order.currency;
	char m[64], m2[64], s[512];
	int64_t full = 0, partial = 0;
	bool remake = false;
	size_t n;

	for (int i = 0; i < d->n_remedies; i++) {
		const struct remedy *r = &d->remedies[i];

		if (r->type == REMEDY_FULL_REFUND)
			full = r->amount_minor;
		else if (r->type == REMEDY_PARTIAL_REFUND)
			partial = r->amount_minor;
		else if (r->type == REMEDY_REMAKE && r->cost_bearer ==
			 BEARER_SHOP)
			remake = true;
	}
	switch (d->verdict) {
	case VERDICT_FULL_REFUND:
		money_format(m, sizeof m, cur, full);
		n = (size_t)snprintf(s, sizeof s, "The policy allows a full "
				     "refund of %s: %s.",
				     full == order_total_minor(&x->c->order) ?
				     "everything you paid (the items and the "
				     "shipping)" : "the items concerned", m);
		if (remake && n < sizeof s)
			n += (size_t)snprintf(s + n, sizeof s - n, " Instead "
					      "of the refund you may have "
					      "them remade, at the shop's "
					      "cost.");
		if (partial && n < sizeof s) {
			money_format(m2, sizeof m2, cur, partial);
			snprintf(s + n, sizeof s - n, " For the items with "
				 "only a slight flaw, a partial refund of up "
				 "to %s as well.", m2);
		}
		break;
	case VERDICT_PARTIAL_REFUND:
		money_format(m, sizeof m, cur, partial);
		snprintf(s, sizeof s, "The policy allows a partial refund of "
			 "up to %s, never a full one.", m);
		break;
	case VERDICT_NO_REFUND:
		snprintf(s, sizeof s, "The policy allows no refund for this "
			 "claim.%s", d->n_remedies ? " What it offers instead "
			 "is below." : "");
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
		if (d->charge_minor)
			snprintf(s, sizeof s, "The policy allows a repair "
				 "that you pay: %s for the material, plus "
				 "the shipping.", m);
		else
			snprintf(s, sizeof s, "The policy allows a repair "
				 "that you pay (the repair and the shipping), "
				 "at the price the shop quotes.");
		break;
	}
	set(out, "allows", s);
}

static void remedies(cJSON *out, const struct ac_case *c,
		     const struct decision *d)
{
	const struct currency *cur = d->currency ? d->currency :
				     c->order.currency;
	cJSON *arr = cJSON_AddArrayToObject(out, "remedies");
	char m[64], line[256];

	for (int i = 0; i < d->n_remedies; i++) {
		const struct remedy *r = &d->remedies[i];
		const char *who = r->cost_bearer == BEARER_SHOP ?
				  "the shop pays" : "you pay";
		cJSON *o = cJSON_CreateObject();

		set(o, "text", remedy_text(r));
		set(o, "who_pays", who);
		if (r->amount_minor > 0) {
			money_format(m, sizeof m, cur, r->amount_minor);
			set(o, "amount", m);
			snprintf(line, sizeof line, "%s %s (%s).",
				 r->type == REMEDY_FULL_REFUND ?
				 "A full refund of" :
				 r->type == REMEDY_PARTIAL_REFUND ?
				 "A partial refund of up to" :
				 remedy_text(r), m, who);
		} else {
			snprintf(line, sizeof line, "%s (%s).",
				 remedy_text(r), who);
		}
		set(o, "line", line);
		cJSON_AddItemToArray(arr, o);
	}
}

static const char *next_text(const struct decision *d)
{
	if (d->n_needs)
		return need_text(d->needs[0]);
	switch (d->verdict) {
	case VERDICT_FULL_REFUND:
	case VERDICT_PARTIAL_REFUND:
		return d->n_remedies > 1 ?
		       "Tell the shop which you choose; a refund is paid back "
		       "the way you paid." :
		       "The shop pays the refund back the way you paid.";
	case VERDICT_FREE_REPAIR:
	case VERDICT_PAID_REPAIR:
		return "The shop tells you where to send the item for the "
		       "repair.";
	case VERDICT_NO_REFUND:
		return d->n_remedies ?
		       "Tell the shop if you want what it offers; otherwise "
		       "the case is closed under the policy unless you send "
		       "new facts." :
		       "The case is closed under the policy unless you send "
		       "new facts.";
	case VERDICT_PENDING:
		break;
	}
	return "The shop looks at the claim and writes to you.";
}

void words_decision(cJSON *out, const struct policy *p,
		    const struct ac_case *c, const struct decision *d,
		    int64_t now, int tz)
{
	struct ctx x = { p, c, now, tz, INT64_MIN };
	const struct shipment *sh = &c->shipment;
	int64_t bounds[3] = { c->order.placed_at + p->production_delay_us,
			      INT64_MIN, INT64_MIN };
	cJSON *arr;

	/* a claim in the same minute as a boundary: both to the second */
	if (c->shipped) {
		int64_t from = sh->delivered ? sh->delivered_at :
			       sh->shipped_at;

		if (sh->delivered)
			bounds[1] = sh->delivered_at + p->contact_window_us;
		bounds[2] = from + p->warranty_us;
	}
	for (int i = 0; i < 3; i++)
		if (bounds[i] != INT64_MIN &&
		    floor_div(bounds[i], MINUTE) ==
		    floor_div(c->claim.opened_at, MINUTE))
			x.fine_minute = floor_div(bounds[i], MINUTE);
	set(out, "headline", headline(d->verdict));
	allows(out, &x, d);
	if (d->n_clauses) {
		clause_obj(cJSON_AddObjectToObject(out, "clause"), p,
			   d->clauses[0]);
		if (d->n_clauses > 1) {
			arr = cJSON_AddArrayToObject(out, "also");
			for (int i = 1; i < d->n_clauses; i++) {
				cJSON *o = cJSON_CreateObject();

				clause_obj(o, p, d->clauses[i]);
				cJSON_AddItemToArray(arr, o);
			}
		}
	}
	arr = cJSON_AddArrayToObject(out, "facts");
	for (int i = 0; i < d->n_clauses; i++)
		fact_clause(arr, &x, d->clauses[i], i == 0);
	remedies(out, c, d);
	set(out, "next", next_text(d));
	if (d->has_deadline) {
		cJSON *o = cJSON_AddObjectToObject(out, "deadline");
		/* only the cut-off is strict: decide_cancel's "<" */
		bool strict = d->n_clauses && d->clauses[0] == CL_NO_REFUND_1;
		char w[96], rel[64], iso[40], s[256];
		const char *word = words_boundary(w, sizeof w, d->deadline,
						  strict, now, tz);

		snprintf(s, sizeof s, "This answer holds for a claim made %s",
			 w);
		words_relative(rel, sizeof rel, d->deadline, now);
		instant_format(d->deadline, iso, sizeof iso);
		set(o, "text", s);
		set(o, "when", w);
		set(o, "word", word);
		set(o, "relative", rel);
		set(o, "at", iso);
	}
}

/* ---- the order ------------------------------------------------------- */

static void step(cJSON *state, bool done, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void step(cJSON *state, bool done, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	char t[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t, sizeof t, fmt, ap);
	va_end(ap);
	set(o, "text", t);
	cJSON_AddBoolToObject(o, "done", done);
	cJSON_AddItemToArray(state, o);
}

/* can: one thing the customer can still do; with a deadline (at, the
 * word words_boundary gave) when word is not NULL. */
static void can(cJSON *arr, const struct ctx *x, const char *word,
		int64_t at, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void can(cJSON *arr, const struct ctx *x, const char *word,
		int64_t at, const char *fmt, ...)
{
	cJSON *o = cJSON_CreateObject();
	char t[512], rel[64], iso[40];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t, sizeof t, fmt, ap);
	va_end(ap);
	set(o, "text", t);
	if (word) {
		words_relative(rel, sizeof rel, at, x->now);
		instant_format(at, iso, sizeof iso);
		set(o, "relative", rel);
		set(o, "at", iso);
		set(o, "word", word);
	}
	cJSON_AddItemToArray(arr, o);
}

void words_order(cJSON *out, const struct policy *p, const struct ac_case *c,
		 int64_t now, int tz)
{
	const struct shipment *s = &c->shipment;
	struct ctx x = { p, c, now, tz, INT64_MIN };
	int64_t cut = c->order.placed_at + p->production_delay_us;
	cJSON *state = cJSON_AddArrayToObject(out, "state");
	cJSON *arr = cJSON_AddArrayToObject(out, "can");
	char len[32], b[96];

	step(state, true, "Placed on %s.", when(&x, c->order.placed_at));
	if (!c->shipped && now < cut)
		step(state, false, "Production starts on %s.", when(&x, cut));
	else if (!c->shipped || s->shipped_at >= cut)
		step(state, true, "In production since %s.", when(&x, cut));
	if (!c->shipped) {
		step(state, false, "Not shipped yet.");
	} else {
		step(state, true, "Shipped on %s.", when(&x, s->shipped_at));
		if (s->delivered)
			step(state, true, "Delivered on %s.",
			     when(&x, s->delivered_at));
		else if (s->courier_finding == COURIER_LOST_CONFIRMED)
			step(state, true, "The courier confirmed that the "
			     "parcel is lost.");
		else if (s->courier_finding == COURIER_DELIVERED_PROVEN)
			step(state, true, "The courier says it delivered the "
			     "parcel.");
		else if (s->courier_finding == COURIER_INVESTIGATING)
			step(state, false, "The courier is looking for the "
			     "parcel.");
		else if (s->customs == CUSTOMS_HELD)
			step(state, false, "Held at customs.");
		else
			step(state, false, "Not delivered yet.");
	}

	/* decide_cancel: a claim at now is refunded when now < cut */
	if (!c->shipped && now < cut) {
		const char *w = words_boundary(b, sizeof b, cut, true, now,
					       tz);

		if (!strcmp(w, "before"))
			can(arr, &x, w, cut, "You can still cancel free of "
			    "charge, or change the material, size, colour or "
			    "style, until production starts: %s.", b);
		else
			can(arr, &x, w, cut, "You can still cancel free of "
			    "charge, or change the material, size, colour or "
			    "style, %s: production starts during that "
			    "minute.", b);
	}
	if (!c->shipped)
		can(arr, &x, NULL, 0, "You can change the delivery address "
		    "free of charge until the order ships.");
	if (c->shipped && !s->delivered)
		can(arr, &x, NULL, 0, "If the parcel does not arrive, tell "
		    "the shop: the courier looks for it, and a parcel the "
		    "courier confirms lost is refunded in full.");
	/* decide_goods: in time when now <= delivered_at + window */
	if (c->shipped && s->delivered &&
	    now <= s->delivered_at + p->contact_window_us) {
		int64_t end = s->delivered_at + p->contact_window_us;

		const char *w = words_boundary(b, sizeof b, end, false, now,
					       tz);

		duration(len, sizeof len, p->contact_window_us);
		can(arr, &x, w, end, "You can report damage or a wrong item "
		    "%s (%s after delivery).", b, len);
	}
	/* decide_repair: free when now <= (delivered or shipped) + warranty */
	if (c->shipped) {
		int64_t end = (s->delivered ? s->delivered_at :
			       s->shipped_at) + p->warranty_us;

		if (now <= end) {
			const char *w = words_boundary(b, sizeof b, end,
						       false, now, tz);

			can(arr, &x, w, end, "A repair is free under the "
			    "warranty %s, unless the material cost rises "
			    "(then you pay the rise).", b);
		}
		else
			can(arr, &x, NULL, 0, "The warranty has ended: the "
			    "shop can still repair an item, at your cost "
			    "(repair and shipping).");
	}
}
