/* explain.c: a decision in plain words, for the customer (codec layer).
 * What was decided, why (the clause, quoted), the facts that decided it,
 * what can be chosen, what happens next and by when: the words of
 * words.c, the portal's, as text. Amounts in major units with the
 * currency code; times in UTC. */
#include "codec.h"

#include <stdio.h>
#include <string.h>

#include "../core/instant.h"
#include "words.h"

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

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* para appends first + text wrapped at 76 columns, the next lines
 * indented by indent spaces, and a newline. */
static int para(struct buf *out, const char *first, size_t indent,
		const char *text)
{
	size_t col = strlen(first);
	int rc = buf_adds(out, first);

	while (*text) {
		size_t n = strcspn(text, " ");

		if (col > indent && col + 1 + n > 76) {
			rc |= buf_addc(out, '\n');
			for (col = 0; col < indent; col++)
				rc |= buf_addc(out, ' ');
		} else if (col > strlen(first) || (col > 0 &&
			   first[col - 1] != ' ')) {
			rc |= buf_addc(out, ' ');
			col++;
		}
		rc |= buf_add(out, text, n);
		col += n;
		text += n;
		while (*text == ' ')
			text++;
	}
	return rc | buf_addc(out, '\n');
}

int decision_explain(const struct policy *p, const struct ac_case *c,
		     const struct decision *d, struct buf *out)
{
	cJSON *w = cJSON_CreateObject(), *arr, *el;
	const cJSON *dl;
	char t[64], s[1024];
	int rc = 0;

	if (!w)
		return AC_ENOMEM;
	/* the same words as the portal's, at UTC, read when it was made */
	words_decision(w, p, c, d, c->claim.opened_at, 0);
	when(t, sizeof t, c->claim.opened_at);
	rc |= buf_addf(out, "Order %.*s: %s (claim opened %s).\n"
		       "Times below are in UTC.\n\n", (int)d->order.n,
		       d->order.p, claim_words(c->claim.type), t);
	snprintf(s, sizeof s, "%s. %s", str(w, "headline"), str(w, "allows"));
	rc |= para(out, "Decision: ", 2, s);
	for (int i = 0; i < d->n_clauses; i++) {
		const struct clause *cl = &p->clauses[d->clauses[i]];

		rc |= buf_addf(out, "\n%s policy clause %s (%.*s):\n",
			       i == 0 ? "Why: under" : "Also:",
			       clause_id_name(d->clauses[i]), (int)cl->title.n,
			       cl->title.p);
		rc |= quote(out, cl->text);
	}
	arr = cJSON_GetObjectItemCaseSensitive(w, "facts");
	if (cJSON_GetArraySize(arr) > 0) {
		rc |= buf_adds(out, "\nThe facts that decided it:\n");
		cJSON_ArrayForEach(el, arr)
			rc |= para(out, "  - ", 4, el->valuestring);
	}
	arr = cJSON_GetObjectItemCaseSensitive(w, "remedies");
	if (cJSON_GetArraySize(arr) > 0) {
		rc |= buf_addf(out, "\nWhat you can choose from%s:\n",
			       cJSON_GetArraySize(arr) > 1 ? " (each a "
			       "separate choice, not a sum)" : "");
		cJSON_ArrayForEach(el, arr)
			rc |= para(out, "  - ", 4, str(el, "line"));
	}
	rc |= buf_adds(out, "\n");
	rc |= para(out, "What happens next:", 2, str(w, "next"));
	dl = cJSON_GetObjectItemCaseSensitive(w, "deadline");
	if (dl) {
		snprintf(s, sizeof s, "%s (%s, %s).", str(dl, "text"),
			 str(dl, "at"), str(dl, "word") [0] == 'b' ?
			 "that instant itself is already too late" :
			 "that instant itself is still within");
		rc |= buf_adds(out, "\n");
		rc |= para(out, "Deadline:", 2, s);
	}
	rc |= buf_addf(out, "\nPolicy version: %s\n", d->policy);
	cJSON_Delete(w);
	return rc ? AC_ELIMIT : 0;
}
