/* explain.c: a decision in plain words, for the customer (codec layer).
 * What was decided, why (the clause, quoted), what happens next and by
 * when. Amounts in major units with the currency code; times in UTC. */
#include "codec.h"

#include <stdio.h>
#include <string.h>

#include "../core/instant.h"

static const char *const month_names[] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static void when(char *out, size_t cap, int64_t at)
{
	int y, mo, d, h, mi, s;

	instant_civil(at, &y, &mo, &d, &h, &mi, &s);
	snprintf(out, cap, "%d %s %d, %02d:%02d UTC", d, month_names[mo - 1],
		 y, h, mi);
}

static const char *claim_words(enum claim_type t)
{
	switch (t) {
	case CLAIM_CANCEL: return "cancel the order";
	case CLAIM_NOT_RECEIVED: return "the parcel has not arrived";
	case CLAIM_DAMAGED: return "the goods arrived damaged";
	case CLAIM_WRONG_ITEM: return "the goods are not what was ordered";
	case CLAIM_UNWANTED: return "the goods are no longer wanted";
	case CLAIM_WRONG_ADDRESS: return "the parcel went to a wrong address";
	case CLAIM_CUSTOMS: return "the parcel is stuck at customs";
	case CLAIM_REPAIR: return "a repair";
	}
	return "a claim";
}

static const char *verdict_words(enum verdict v)
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

static const char *remedy_words(enum remedy_type t)
{
	switch (t) {
	case REMEDY_FULL_REFUND: return "a full refund";
	case REMEDY_PARTIAL_REFUND: return "a partial refund";
	case REMEDY_REMAKE: return "a remake";
	case REMEDY_REPAIR: return "a repair";
	case REMEDY_ADDRESS_CHANGE:
		return "a change of delivery address (it may not succeed)";
	case REMEDY_CUSTOMS_DOCUMENTS:
		return "the order documents for customs clearance";
	case REMEDY_COURIER_INVESTIGATION:
		return "an investigation with the courier";
	}
	return "";
}

static const char *need_words(enum need n)
{
	switch (n) {
	case NEED_COURIER_INVESTIGATION:
		return "the courier's investigation to finish (please help "
		       "the courier with it)";
	case NEED_CUSTOMS_CLEARANCE:
		return "the parcel to clear customs (duties and clearance are "
		       "the buyer's)";
	case NEED_REPAIR_QUOTE: return "a repair quote from the shop";
	case NEED_SHIPMENT: return "the order to be shipped";
	}
	return "";
}

/* quote appends the clause text, wrapped at about 72 columns. */
static int quote(struct buf *out, struct ac_str text)
{
	size_t col = 4;
	int rc = buf_adds(out, "    \"");

	for (size_t i = 0; i < text.n;) {
		size_t j = i;

		while (j < text.n && text.p[j] != ' ')
			j++;
		if (col + (j - i) > 72) {
			rc |= buf_adds(out, "\n    ");
			col = 4;
		}
		rc |= buf_add(out, text.p + i, j - i);
		col += j - i;
		if (j < text.n) {
			rc |= buf_addc(out, ' ');
			col++;
		}
		i = j + 1;
	}
	return rc | buf_adds(out, "\"\n");
}

int decision_explain(const struct policy *p, const struct ac_case *c,
		     const struct decision *d, struct buf *out)
{
	const struct currency *cur = d->currency;
	char t[64], m[64];
	int rc = 0;

	when(t, sizeof t, c->claim.opened_at);
	rc |= buf_addf(out, "Order %.*s: %s (claim opened %s).\n\n",
		       (int)d->order.n, d->order.p,
		       claim_words(c->claim.type), t);
	rc |= buf_addf(out, "Decision: %s", verdict_words(d->verdict));
	if (d->refund_max_minor > 0) {
		money_format(m, sizeof m, cur, d->refund_max_minor);
		rc |= buf_addf(out, ", of up to %s", m);
	}
	if (d->charge_minor > 0) {
		money_format(m, sizeof m, cur, d->charge_minor);
		rc |= buf_addf(out, "; the repair costs you %s", m);
	}
	rc |= buf_adds(out, ".\n\n");

	for (int i = 0; i < d->n_clauses; i++) {
		const struct clause *cl = &p->clauses[d->clauses[i]];

		rc |= buf_addf(out, "%s policy clause %s (%.*s):\n",
			       i == 0 ? "Why: under" : "Also:",
			       clause_id_name(d->clauses[i]), (int)cl->title.n,
			       cl->title.p);
		rc |= quote(out, cl->text);
	}

	if (d->n_remedies > 0) {
		rc |= buf_adds(out, "\nWhat happens next:\n");
		for (int i = 0; i < d->n_remedies; i++) {
			const struct remedy *r = &d->remedies[i];

			rc |= buf_addf(out, "  - %s", remedy_words(r->type));
			if (r->amount_minor > 0) {
				money_format(m, sizeof m, cur,
					     r->amount_minor);
				rc |= buf_addf(out, " of %s", m);
			}
			rc |= buf_addf(out, ", %s\n",
				       r->cost_bearer == BEARER_SHOP ?
				       "at the shop's cost" :
				       "at your cost");
		}
		if (d->n_remedies > 1 && d->verdict == VERDICT_FULL_REFUND)
			rc |= buf_adds(out, "  The choice between them is "
					    "yours.\n");
	}
	for (int i = 0; i < d->n_needs; i++)
		rc |= buf_addf(out, "\nWaiting for: %s.\n",
			       need_words(d->needs[i]));
	if (d->has_deadline) {
		when(t, sizeof t, d->deadline);
		rc |= buf_addf(out, "\nDeadline: this answer holds for a claim "
				    "made by %s; after that the outcome "
				    "changes.\n", t);
	}
	rc |= buf_addf(out, "\nPolicy version: %s\n", d->policy);
	return rc ? AC_ELIMIT : 0;
}
