/* decide.c: the shop's policy, clause by clause (core layer).
 * Pure: the decision depends on the policy and the case only. Every branch
 * that applies a clause names it; docs/DECISIONS.md is the same reading in
 * prose, path by path. */
#include "decide.h"

#include <string.h>

static const char *const verdict_names[] = {
	"full_refund", "partial_refund", "no_refund",
	"pending", "free_repair", "paid_repair",
};
static const char *const remedy_names[] = {
	"full_refund", "partial_refund", "remake", "repair",
	"address_change", "customs_documents", "courier_investigation",
};
static const char *const need_names[] = {
	"courier_investigation", "customs_clearance", "repair_quote",
	"shipment",
};

const char *verdict_name(enum verdict v) { return verdict_names[v]; }

int verdict_parse(const char *s, size_t n, enum verdict *out)
{
	for (size_t i = 0; i < sizeof verdict_names / sizeof *verdict_names;
	     i++) {
		if (strlen(verdict_names[i]) == n &&
		    memcmp(verdict_names[i], s, n) == 0) {
			*out = (enum verdict)i;
			return 0;
		}
	}
	return -1;
}
const char *remedy_type_name(enum remedy_type t) { return remedy_names[t]; }
const char *bearer_name(enum bearer b)
{
	return b == BEARER_SHOP ? "shop" : "customer";
}
const char *need_name(enum need n) { return need_names[n]; }

static void verdict(struct decision *d, enum verdict v, enum clause_id cl)
{
	d->verdict = v;
	d->n_clauses = 1;
	d->clauses[0] = cl;
}

static void cite(struct decision *d, enum clause_id cl)
{
	if (d->n_clauses < AC_MAX_CLAUSES)
		d->clauses[d->n_clauses++] = cl;
}

static void remedy(struct decision *d, enum remedy_type t, enum bearer b,
		   int64_t amount)
{
	if (d->n_remedies < AC_MAX_REMEDIES) {
		d->remedies[d->n_remedies++] =
			(struct remedy){ t, b, amount };
	}
	if (t == REMEDY_FULL_REFUND || t == REMEDY_PARTIAL_REFUND)
		d->refund_max_minor += amount;
}

static void need(struct decision *d, enum need n)
{
	if (d->n_needs < AC_MAX_NEEDS)
		d->needs[d->n_needs++] = n;
}

static void deadline(struct decision *d, int64_t at)
{
	d->has_deadline = true;
	d->deadline = at;
}

/* Everything paid when the claim concerns the whole order; the concerned
 * items' prices when it concerns only some lines (the rest still ships). */
static int64_t whole_refund(const struct ac_case *c)
{
	const struct order *o = &c->order;
	int64_t sum = 0;

	for (int i = 0; i < o->n_items; i++)
		if (claim_concerns(&c->claim, o->items[i].line))
			sum += o->items[i].price_minor;
	if (c->claim.n_lines == 0 || c->claim.n_lines == o->n_items)
		sum += o->shipping_minor;
	return sum;
}

static void full_refund_whole(const struct ac_case *c, struct decision *d,
			      enum clause_id cl)
{
	verdict(d, VERDICT_FULL_REFUND, cl);
	remedy(d, REMEDY_FULL_REFUND, BEARER_SHOP, whole_refund(c));
}

static int64_t cutoff(const struct policy *p, const struct ac_case *c)
{
	return c->order.placed_at + p->production_delay_us;
}

/* The warranty runs from delivery, or from shipment where no delivery is
 * recorded. */
static int64_t warranty_end(const struct policy *p, const struct ac_case *c)
{
	const struct shipment *s = &c->shipment;

	return (s->delivered ? s->delivered_at : s->shipped_at) +
	       p->warranty_us;
}

static bool shipped_to_order_address(const struct ac_case *c)
{
	return address_same_place(&c->shipment.address, &c->order.address);
}

static void decide_cancel(const struct policy *p, const struct ac_case *c,
			  struct decision *d)
{
	int64_t cut = cutoff(p, c);

	if (!c->shipped && c->claim.opened_at < cut) {
		/* no-refund.1: before production starts, everything back */
		full_refund_whole(c, d, CL_NO_REFUND_1);
		deadline(d, cut);
		return;
	}
	/* no-refund.1: production has started or the goods have shipped */
	verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_1);
}

static void decide_not_received(const struct ac_case *c, struct decision *d)
{
	if (!c->shipped) {
		/* refund.3: nothing can be lost before it ships */
		verdict(d, VERDICT_PENDING, CL_REFUND_3);
		need(d, NEED_SHIPMENT);
		return;
	}
	if (!shipped_to_order_address(c)) {
		/* refund.2: we sent it somewhere other than the order said */
		full_refund_whole(c, d, CL_REFUND_2);
		return;
	}
	if (c->claim.has_correct_address &&
	    !address_same_place(&c->claim.correct_address,
				&c->order.address)) {
		/* no-refund.5 beats refund.3: it went to the address the
		 * customer gave, and the customer says that was wrong */
		verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_5);
		remedy(d, REMEDY_ADDRESS_CHANGE, BEARER_CUSTOMER, 0);
		return;
	}
	switch (c->shipment.courier_finding) {
	case COURIER_LOST_CONFIRMED:
		/* refund.3: the courier confirms the loss */
		full_refund_whole(c, d, CL_REFUND_3);
		return;
	case COURIER_DELIVERED_PROVEN:
		/* refund.3: the courier proves delivery */
		verdict(d, VERDICT_NO_REFUND, CL_REFUND_3);
		return;
	case COURIER_NONE:
	case COURIER_INVESTIGATING:
		break;
	}
	/* refund.3: pending until the courier's investigation ends */
	verdict(d, VERDICT_PENDING, CL_REFUND_3);
	need(d, NEED_COURIER_INVESTIGATION);
	remedy(d, REMEDY_COURIER_INVESTIGATION, BEARER_SHOP, 0);
}

static void decide_wrong_address(const struct ac_case *c, struct decision *d)
{
	if (!c->shipped) {
		/* no-refund.5: the address can still change, free */
		verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_5);
		remedy(d, REMEDY_ADDRESS_CHANGE, BEARER_SHOP, 0);
		return;
	}
	if (!shipped_to_order_address(c)) {
		/* refund.2: we did not ship to the customer's address */
		full_refund_whole(c, d, CL_REFUND_2);
		return;
	}
	/* no-refund.5: it went where the customer told us */
	verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_5);
	remedy(d, REMEDY_ADDRESS_CHANGE, BEARER_CUSTOMER, 0);
}

static void decide_customs(const struct ac_case *c, struct decision *d)
{
	switch (c->shipment.customs) {
	case CUSTOMS_REFUSED_BY_CUSTOMER:
		/* no-refund.6: the buyer did not clear customs */
		verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_6);
		remedy(d, REMEDY_CUSTOMS_DOCUMENTS, BEARER_SHOP, 0);
		return;
	case CUSTOMS_HELD:
		/* no-refund.6: the buyer clears it; we send the documents */
		verdict(d, VERDICT_PENDING, CL_NO_REFUND_6);
		need(d, NEED_CUSTOMS_CLEARANCE);
		remedy(d, REMEDY_CUSTOMS_DOCUMENTS, BEARER_SHOP, 0);
		return;
	case CUSTOMS_NONE:
	case CUSTOMS_CLEARED:
		break;
	}
	decide_not_received(c, d);
}

static void decide_unwanted(const struct policy *p, const struct ac_case *c,
			    struct decision *d)
{
	if (!c->shipped && c->claim.opened_at < cutoff(p, c)) {
		decide_cancel(p, c, d);
		return;
	}
	if (!c->shipped || !c->shipment.delivered) {
		/* no-refund.1: made to order, production has started */
		verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_1);
		return;
	}
	/* no-refund.4: nothing wrong with the goods; the choice was theirs */
	verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_4);
	remedy(d, REMEDY_REMAKE, BEARER_CUSTOMER, 0);
	remedy(d, REMEDY_REPAIR, BEARER_CUSTOMER, 0);
}

/* A warranty repair instead of a refund, for claims about the goods made
 * too late (no-refund.2). */
static void warranty_repair(const struct policy *p, const struct ac_case *c,
			    struct decision *d)
{
	int64_t end = warranty_end(p, c);

	if (c->claim.opened_at <= end) {
		cite(d, CL_WARRANTY_2);
		remedy(d, REMEDY_REPAIR, BEARER_SHOP, 0);
		deadline(d, end);
	} else {
		cite(d, CL_WARRANTY_3);
		remedy(d, REMEDY_REPAIR, BEARER_CUSTOMER, 0);
	}
}

enum line_class { LINE_SAME, LINE_MINOR, LINE_WRONG };

static const struct received *received_for(const struct claim *cl, int line)
{
	for (int i = 0; i < cl->n_received; i++)
		if (cl->received[i].line == line)
			return &cl->received[i];
	return NULL;
}

static enum line_class classify(const struct policy *p, const struct claim *cl,
				const struct item *it)
{
	if (cl->type == CLAIM_DAMAGED) {
		unsigned minor = (1u << DEFECT_SCRATCH) |
				 (1u << DEFECT_PACKAGING) |
				 (1u << DEFECT_SIZE);

		/* refund.1 (a real quality defect) or no-refund.3 */
		return (cl->defects & ~minor) ? LINE_WRONG : LINE_MINOR;
	}

	const struct received *r = received_for(cl, it->line);

	if (!r)
		return LINE_SAME;
	if (item_attrs_differ(it, r))
		return LINE_WRONG;
	if (r->has_size && it->has_size) {
		switch (item_size_compare(it->size_milli, r->size_milli,
					  p->tolerance_milli[it->kind])) {
		case SIZE_BEYOND:
			return LINE_WRONG;
		case SIZE_WITHIN:
			return LINE_MINOR;
		case SIZE_SAME:
			break;
		}
	}
	return LINE_SAME;
}

static void decide_goods(const struct policy *p, const struct ac_case *c,
			 struct decision *d)
{
	const struct shipment *s = &c->shipment;
	const struct order *o = &c->order;
	int64_t wrong_minor = 0, caps_minor = 0;
	bool any_wrong = false, any_minor = false;

	if (!c->shipped) {
		/* no-refund.1: nothing has been received yet */
		verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_1);
		return;
	}
	if (s->delivered && c->claim.opened_at > s->delivered_at +
						 p->contact_window_us) {
		/* no-refund.2: not within 48 hours of receipt */
		verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_2);
		warranty_repair(p, c, d);
		return;
	}
	for (int i = 0; i < o->n_items; i++) {
		const struct item *it = &o->items[i];

		if (!claim_concerns(&c->claim, it->line))
			continue;
		switch (classify(p, &c->claim, it)) {
		case LINE_WRONG:
			any_wrong = true;
			wrong_minor += it->price_minor;
			break;
		case LINE_MINOR:
			any_minor = true;
			caps_minor += money_share(it->price_minor,
						  p->partial_cap_bp);
			break;
		case LINE_SAME:
			break;
		}
	}
	if (any_wrong) {
		/* refund.1: our mistake, full refund or remake */
		verdict(d, VERDICT_FULL_REFUND, CL_REFUND_1);
		remedy(d, REMEDY_FULL_REFUND, BEARER_SHOP, wrong_minor);
		remedy(d, REMEDY_REMAKE, BEARER_SHOP, 0);
		if (any_minor) {
			cite(d, CL_NO_REFUND_3);
			remedy(d, REMEDY_PARTIAL_REFUND, BEARER_SHOP,
			       caps_minor);
		}
	} else if (any_minor) {
		/* no-refund.3: not a quality problem, partial refund only */
		verdict(d, VERDICT_PARTIAL_REFUND, CL_NO_REFUND_3);
		remedy(d, REMEDY_PARTIAL_REFUND, BEARER_SHOP, caps_minor);
	} else {
		/* no-refund.4: it is what was ordered */
		verdict(d, VERDICT_NO_REFUND, CL_NO_REFUND_4);
		remedy(d, REMEDY_REMAKE, BEARER_CUSTOMER, 0);
		remedy(d, REMEDY_REPAIR, BEARER_CUSTOMER, 0);
	}
	if (s->delivered)
		deadline(d, s->delivered_at + p->contact_window_us);
}

static bool certified(const struct ac_case *c)
{
	for (int i = 0; i < c->order.n_items; i++)
		if (c->order.items[i].certificate.n > 0 &&
		    claim_concerns(&c->claim, c->order.items[i].line))
			return true;
	return false;
}

static void decide_repair(const struct policy *p, const struct ac_case *c,
			  struct decision *d)
{
	int64_t rise = c->claim.material_cost_rise_minor;

	int64_t end = c->shipped ? warranty_end(p, c) : 0;

	if (!c->shipped) {
		/* warranty.2 runs from delivery: nothing to repair yet */
		verdict(d, VERDICT_PENDING, CL_WARRANTY_2);
		need(d, NEED_SHIPMENT);
	} else if (c->claim.opened_at > end) {
		/* warranty.3: after long wear the customer pays */
		verdict(d, VERDICT_PAID_REPAIR, CL_WARRANTY_3);
		need(d, NEED_REPAIR_QUOTE);
		remedy(d, REMEDY_REPAIR, BEARER_CUSTOMER, 0);
	} else if (rise > 0) {
		/* warranty.2: a rise in material cost is charged */
		verdict(d, VERDICT_PAID_REPAIR, CL_WARRANTY_2);
		d->charge_minor = rise;
		remedy(d, REMEDY_REPAIR, BEARER_CUSTOMER, rise);
		deadline(d, end);
	} else {
		/* warranty.2: free repair within the year */
		verdict(d, VERDICT_FREE_REPAIR, CL_WARRANTY_2);
		remedy(d, REMEDY_REPAIR, BEARER_SHOP, 0);
		deadline(d, end);
	}
	if (certified(c))
		cite(d, CL_WARRANTY_1);  /* warranty.1: certificate on file */
}

int decide(const struct policy *p, const struct ac_case *c,
	   struct decision *d, struct ac_err *err)
{
	memset(d, 0, sizeof *d);
	d->order = c->order.id;
	d->currency = c->order.currency;
	d->policy = p->version;
	if (c->shipped && c->shipment.delivered &&
	    c->shipment.delivered_at < c->shipment.shipped_at)
		return ac_err_set(err, AC_EINVAL, "shipment.delivered_at",
				  "before shipment.shipped_at");

	switch (c->claim.type) {
	case CLAIM_CANCEL:
		decide_cancel(p, c, d);
		break;
	case CLAIM_UNWANTED:
		decide_unwanted(p, c, d);
		break;
	case CLAIM_NOT_RECEIVED:
		decide_not_received(c, d);
		break;
	case CLAIM_WRONG_ADDRESS:
		decide_wrong_address(c, d);
		break;
	case CLAIM_CUSTOMS:
		decide_customs(c, d);
		break;
	case CLAIM_DAMAGED:
	case CLAIM_WRONG_ITEM:
		decide_goods(p, c, d);
		break;
	case CLAIM_REPAIR:
		decide_repair(p, c, d);
		break;
	}
	return 0;
}
