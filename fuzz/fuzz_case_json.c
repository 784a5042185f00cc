/* fuzz_case_json.c: libFuzzer harness for the case reader (fuzz).
 * Any bytes go through case_reader_read; a case that reads is decided
 * under the shop's policy and written as JSON and as an explanation, and
 * the results are checked against CONTRACT.md and docs/DECISIONS.md. A
 * broken invariant calls abort() so that libFuzzer keeps the input. */
#include <cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/codec/codec.h"
#include "../src/core/money.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct case_reader *rd;
static const struct policy *pol;

/* The decision JSON must parse back and carry the decision's numbers. */
static void check_json(const struct decision *d, const char *s, size_t n)
{
	cJSON *root = cJSON_ParseWithLength(s, n);
	const cJSON *v;

	CHECK(root != NULL);
	CHECK(cJSON_IsObject(root));
	v = cJSON_GetObjectItemCaseSensitive(root, "order");
	CHECK(cJSON_IsString(v));
	if (d->order.n == 0)
		CHECK(v->valuestring[0] == '\0');
	else if (!memchr(d->order.p, '\0', d->order.n))
		CHECK(strlen(v->valuestring) == d->order.n &&
		      memcmp(v->valuestring, d->order.p, d->order.n) == 0);
	CHECK(cJSON_IsString(
		cJSON_GetObjectItemCaseSensitive(root, "verdict")));
	v = cJSON_GetObjectItemCaseSensitive(root, "clauses");
	CHECK(cJSON_IsArray(v));
	CHECK(cJSON_GetArraySize(v) == d->n_clauses);
	v = cJSON_GetObjectItemCaseSensitive(root, "currency");
	CHECK(cJSON_IsString(v) && strlen(v->valuestring) == 3);
	v = cJSON_GetObjectItemCaseSensitive(root, "refund_max_minor");
	CHECK(cJSON_IsNumber(v));
	CHECK(v->valuedouble == (double)d->refund_max_minor);
	v = cJSON_GetObjectItemCaseSensitive(root, "charge_minor");
	CHECK(cJSON_IsNumber(v));
	CHECK(v->valuedouble == (double)d->charge_minor);
	v = cJSON_GetObjectItemCaseSensitive(root, "remedies");
	CHECK(cJSON_IsArray(v));
	CHECK(cJSON_GetArraySize(v) == d->n_remedies);
	v = cJSON_GetObjectItemCaseSensitive(root, "needs");
	CHECK(cJSON_IsArray(v));
	CHECK(cJSON_GetArraySize(v) == d->n_needs);
	v = cJSON_GetObjectItemCaseSensitive(root, "deadline");
	CHECK(d->has_deadline ? cJSON_IsString(v) : v == NULL);
	v = cJSON_GetObjectItemCaseSensitive(root, "policy");
	CHECK(cJSON_IsString(v) && strcmp(v->valuestring, pol->version) == 0);
	cJSON_Delete(root);
}

static void check_decision(const struct ac_case *c, const struct decision *d)
{
	int64_t paid = c->order.shipping_minor;
	int64_t refunds = 0;
	int i;

	for (i = 0; i < c->order.n_items; i++)
		paid += c->order.items[i].price_minor;

	CHECK(d->verdict >= VERDICT_FULL_REFUND &&
	      d->verdict <= VERDICT_PAID_REPAIR);
	CHECK(d->n_clauses >= 1 && d->n_clauses <= AC_MAX_CLAUSES);
	for (i = 0; i < d->n_clauses; i++)
		CHECK(d->clauses[i] >= 0 && d->clauses[i] < CL_COUNT);
	CHECK(d->n_remedies >= 0 && d->n_remedies <= AC_MAX_REMEDIES);
	CHECK(d->n_needs >= 0 && d->n_needs <= AC_MAX_NEEDS);
	CHECK(d->refund_max_minor >= 0);
	CHECK(d->refund_max_minor <= paid);
	CHECK(d->charge_minor >= 0);
	CHECK(d->currency == c->order.currency);
	CHECK(d->policy == pol->version);
	CHECK(d->order.p == c->order.id.p && d->order.n == c->order.id.n);

	/* DECISIONS.md: refund_max is the sum of the refund remedies. */
	for (i = 0; i < d->n_remedies; i++) {
		const struct remedy *r = &d->remedies[i];

		CHECK(r->amount_minor >= 0);
		if (r->type == REMEDY_FULL_REFUND ||
		    r->type == REMEDY_PARTIAL_REFUND)
			refunds += r->amount_minor;
	}
	CHECK(refunds == d->refund_max_minor);
	if (d->verdict == VERDICT_NO_REFUND || d->verdict == VERDICT_PENDING ||
	    d->verdict == VERDICT_FREE_REPAIR ||
	    d->verdict == VERDICT_PAID_REPAIR)
		CHECK(d->refund_max_minor == 0);
	/* charge_minor is non-zero only for a paid repair. */
	if (d->charge_minor != 0)
		CHECK(d->verdict == VERDICT_PAID_REPAIR);
	/* The deadline is not before the claim was opened. */
	if (d->has_deadline)
		CHECK(d->deadline >= c->claim.opened_at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ac_case *c;
	struct decision d, d2;
	struct ac_err err;
	struct buf out, again, text;
	int rc;

	if (!rd) {
		rd = case_reader_new();
		pol = policy_file_policy(policy_file_default());
	}
	/* A case is large (64 items): keep it off libFuzzer's stack. */
	c = malloc(sizeof *c);
	CHECK(c != NULL);
	memset(&err, 0, sizeof err);
	rc = case_reader_read(rd, (const char *)data, size, c, &err);
	if (rc != 0) {
		CHECK(rc == AC_ESYNTAX || rc == AC_EINVAL || rc == AC_ELIMIT);
		CHECK(err.code == rc);
		CHECK(err.msg[0] != '\0');
		CHECK(memchr(err.field, '\0', sizeof err.field) != NULL);
		if (rc == AC_ESYNTAX)
			CHECK(err.field[0] == '\0');
		buf_init(&out, 1 << 16);
		CHECK(error_json_write(1, &err, &out) == 0);
		{
			cJSON *e = cJSON_ParseWithLength(out.p, out.len);

			CHECK(e != NULL && cJSON_IsObject(e));
			cJSON_Delete(e);
		}
		buf_release(&out);
		free(c);
		return 0;
	}

	memset(&d, 0, sizeof d);
	memset(&err, 0, sizeof err);
	rc = decide(pol, c, &d, &err);
	if (rc != 0) {
		CHECK(rc == AC_EINVAL);
		CHECK(err.msg[0] != '\0');
		free(c);
		return 0;
	}
	check_decision(c, &d);

	buf_init(&out, AC_CASE_MAX_BYTES);
	CHECK(decision_json_write(&d, &out) == 0);
	CHECK(out.len >= 2);
	CHECK(out.p[0] == '{' && out.p[out.len - 1] == '}');
	CHECK(memchr(out.p, '\n', out.len) == NULL);
	check_json(&d, out.p, out.len);

	/* decide() is pure: the same case gives the same bytes. */
	memset(&d2, 0xa5, sizeof d2);
	CHECK(decide(pol, c, &d2, &err) == 0);
	buf_init(&again, AC_CASE_MAX_BYTES);
	CHECK(decision_json_write(&d2, &again) == 0);
	CHECK(again.len == out.len && memcmp(again.p, out.p, out.len) == 0);

	buf_init(&text, AC_CASE_MAX_BYTES);
	CHECK(decision_explain(pol, c, &d, &text) == 0);
	CHECK(text.len > 0);

	buf_release(&text);
	buf_release(&again);
	buf_release(&out);
	free(c);
	return 0;
}
