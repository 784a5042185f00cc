/* decision_json.c: a decision, and a batch line's error, as JSON (codec).
 * The decision has a fixed shape (CONTRACT.md), so it is written straight
 * into the buffer in the contract's field order: building a cJSON tree of
 * some forty nodes per decision would cost more than deciding. The fuzz
 * harness re-parses every decision it writes. */
#include "codec.h"

#include <stdio.h>
#include <string.h>

#include "../core/instant.h"
#include "json_util.h"

/* add_int appends a non-negative or negative integer in decimal. */
static int add_int(struct buf *out, int64_t v)
{
	char tmp[24];
	size_t k = sizeof tmp;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[--k] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		tmp[--k] = '-';
	return buf_add(out, tmp + k, sizeof tmp - k);
}

int decision_json_write(const struct decision *d, struct buf *out)
{
	int rc = 0;

	rc |= buf_add(out, "{\"order\":", 9);
	rc |= json_add_str(out, d->order.p, d->order.n);
	rc |= buf_adds(out, ",\"verdict\":\"");
	rc |= buf_adds(out, verdict_name(d->verdict));
	rc |= buf_adds(out, "\",\"clauses\":[");
	for (int i = 0; i < d->n_clauses; i++) {
		rc |= buf_adds(out, i ? ",\"" : "\"");
		rc |= buf_adds(out, clause_id_name(d->clauses[i]));
		rc |= buf_addc(out, '"');
	}
	rc |= buf_adds(out, "],\"currency\":\"");
	rc |= buf_adds(out, d->currency->code);
	rc |= buf_adds(out, "\",\"refund_max_minor\":");
	rc |= add_int(out, d->refund_max_minor);
	rc |= buf_adds(out, ",\"charge_minor\":");
	rc |= add_int(out, d->charge_minor);
	rc |= buf_adds(out, ",\"remedies\":[");
	for (int i = 0; i < d->n_remedies; i++) {
		const struct remedy *r = &d->remedies[i];

		rc |= buf_adds(out, i ? ",{\"type\":\"" : "{\"type\":\"");
		rc |= buf_adds(out, remedy_type_name(r->type));
		rc |= buf_adds(out, "\",\"cost_bearer\":\"");
		rc |= buf_adds(out, bearer_name(r->cost_bearer));
		rc |= buf_adds(out, "\",\"amount_minor\":");
		rc |= add_int(out, r->amount_minor);
		rc |= buf_addc(out, '}');
	}
	rc |= buf_adds(out, "],\"needs\":[");
	for (int i = 0; i < d->n_needs; i++) {
		rc |= buf_adds(out, i ? ",\"" : "\"");
		rc |= buf_adds(out, need_name(d->needs[i]));
		rc |= buf_addc(out, '"');
	}
	rc |= buf_addc(out, ']');
	if (d->has_deadline) {
		char t[40];
		size_t n = instant_format(d->deadline, t, sizeof t);

		rc |= buf_adds(out, ",\"deadline\":\"");
		rc |= buf_add(out, t, n);
		rc |= buf_addc(out, '"');
	}
	rc |= buf_adds(out, ",\"policy\":\"");
	rc |= buf_adds(out, d->policy);
	rc |= buf_adds(out, "\"}");
	return rc ? AC_ELIMIT : 0;
}

int error_json_write(long line, const struct ac_err *err, struct buf *out)
{
	int rc = buf_addf(out, "{\"line\":%ld,\"error\":{\"field\":", line);

	rc |= json_add_str(out, err->field, strlen(err->field));
	rc |= buf_adds(out, ",\"message\":");
	rc |= json_add_str(out, err->msg, strlen(err->msg));
	rc |= buf_adds(out, "}}");
	return rc ? AC_ELIMIT : 0;
}

int decision_json_clauses(const char *json, size_t n, enum clause_id *out,
			  int cap, int *count)
{
	cJSON *root = cJSON_ParseWithLength(json, n);
	const cJSON *arr, *v;

	*count = 0;
	if (!root)
		return AC_ESYNTAX;
	arr = cJSON_GetObjectItemCaseSensitive(root, "clauses");
	cJSON_ArrayForEach(v, arr) {
		enum clause_id id;

		if (*count < cap && cJSON_IsString(v) &&
		    !clause_id_parse(v->valuestring, strlen(v->valuestring),
				     &id))
			out[(*count)++] = id;
	}
	cJSON_Delete(root);
	return 0;
}
