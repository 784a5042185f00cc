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
	return decision_record_write(d, NULL, out);
}

int decision_record_write(const struct decision *d,
			  const struct decision_override *ov, struct buf *out)
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
	rc |= buf_addc(out, '"');
	if (ov && ov->present) {
		rc |= buf_adds(out, ",\"override\":{\"reason\":");
		rc |= json_add_str(out, ov->reason.p, ov->reason.n);
		rc |= buf_adds(out, ",\"author\":");
		rc |= json_add_str(out, ov->author.p, ov->author.n);
		rc |= buf_addc(out, '}');
	}
	rc |= buf_addc(out, '}');
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

/* ---- reading a stored decision back ------------------------------- */

/* name_index finds s among the names name(0 .. count-1); -1 if absent. */
static int name_index(const char *s, int count, const char *(*name)(int))
{
	for (int i = 0; i < count; i++)
		if (!strcmp(name(i), s))
			return i;
	return -1;
}

static const char *verdict_at(int i)
{
	return verdict_name((enum verdict)i);
}

static const char *clause_at(int i)
{
	return clause_id_name((enum clause_id)i);
}

static const char *remedy_at(int i)
{
	return remedy_type_name((enum remedy_type)i);
}

static const char *bearer_at(int i)
{
	return bearer_name((enum bearer)i);
}

static const char *need_at(int i)
{
	return need_name((enum need)i);
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool int_of(const cJSON *o, const char *key, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < -9007199254740991.0 ||
	    v->valuedouble > 9007199254740991.0)
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

/* keep copies s into mem (NUL-terminated) and returns its offset. */
static size_t keep(struct buf *mem, const char *s)
{
	size_t at = mem->len;

	buf_add(mem, s, strlen(s) + 1);
	return at;
}

#define BAD(f, m) ac_err_set(err, AC_EINVAL, "decision." f, m)

static int read_record(const cJSON *root, struct decision *d,
		       struct decision_override *ov, struct buf *mem,
		       size_t at[4], struct ac_err *err)
{
	const cJSON *arr, *v, *o;
	const char *s;
	int i;

	if (!cJSON_IsObject(root))
		return ac_err_set(err, AC_EINVAL, "decision", "not an object");
	if (!(s = str_of(root, "order")))
		return BAD("order", "missing");
	at[0] = keep(mem, s);
	if (!(s = str_of(root, "verdict")) ||
	    (i = name_index(s, VERDICT_PAID_REPAIR + 1, verdict_at)) < 0)
		return BAD("verdict", "not a verdict");
	d->verdict = (enum verdict)i;
	d->n_clauses = 0;
	arr = cJSON_GetObjectItemCaseSensitive(root, "clauses");
	cJSON_ArrayForEach(v, arr) {
		if (d->n_clauses == AC_MAX_CLAUSES || !cJSON_IsString(v) ||
		    (i = name_index(v->valuestring, CL_COUNT, clause_at)) < 0)
			return BAD("clauses", "not clause ids");
		d->clauses[d->n_clauses++] = (enum clause_id)i;
	}
	if (!(s = str_of(root, "currency")) ||
	    !(d->currency = money_currency_find(s, strlen(s))))
		return BAD("currency", "not a currency");
	if (!int_of(root, "refund_max_minor", &d->refund_max_minor) ||
	    !int_of(root, "charge_minor", &d->charge_minor))
		return BAD("refund_max_minor", "not amounts");
	d->n_remedies = 0;
	arr = cJSON_GetObjectItemCaseSensitive(root, "remedies");
	cJSON_ArrayForEach(v, arr) {
		struct remedy *r = &d->remedies[d->n_remedies];
		int b;

		if (d->n_remedies == AC_MAX_REMEDIES ||
		    !(s = str_of(v, "type")) ||
		    (i = name_index(s, REMEDY_COURIER_INVESTIGATION + 1,
				    remedy_at)) < 0 ||
		    !(s = str_of(v, "cost_bearer")) ||
		    (b = name_index(s, BEARER_CUSTOMER + 1, bearer_at)) < 0 ||
		    !int_of(v, "amount_minor", &r->amount_minor))
			return BAD("remedies", "not remedies");
		r->type = (enum remedy_type)i;
		r->cost_bearer = (enum bearer)b;
		d->n_remedies++;
	}
	d->n_needs = 0;
	arr = cJSON_GetObjectItemCaseSensitive(root, "needs");
	cJSON_ArrayForEach(v, arr) {
		if (d->n_needs == AC_MAX_NEEDS || !cJSON_IsString(v) ||
		    (i = name_index(v->valuestring, NEED_SHIPMENT + 1,
				    need_at)) < 0)
			return BAD("needs", "not needs");
		d->needs[d->n_needs++] = (enum need)i;
	}
	d->has_deadline = false;
	if ((s = str_of(root, "deadline"))) {
		if (instant_parse(s, strlen(s), &d->deadline))
			return BAD("deadline", "not a time");
		d->has_deadline = true;
	}
	if (!(s = str_of(root, "policy")))
		return BAD("policy", "missing");
	at[1] = keep(mem, s);
	ov->present = false;
	o = cJSON_GetObjectItemCaseSensitive(root, "override");
	if (cJSON_IsObject(o)) {
		const char *reason = str_of(o, "reason");
		const char *author = str_of(o, "author");

		if (!reason || !author)
			return BAD("override", "no reason or author");
		ov->present = true;
		at[2] = keep(mem, reason);
		at[3] = keep(mem, author);
	}
	return 0;
}

int decision_record_read(const char *json, size_t n, struct decision *d,
			 struct decision_override *ov, struct buf *mem,
			 struct ac_err *err)
{
	cJSON *root = cJSON_ParseWithLength(json, n);
	size_t at[4] = { 0, 0, 0, 0 };
	int rc;

	buf_reset(mem);
	if (!root)
		return ac_err_set(err, AC_ESYNTAX, "decision", "not JSON");
	rc = read_record(root, d, ov, mem, at, err);
	cJSON_Delete(root);
	if (!rc && buf_error(mem))
		rc = ac_err_set(err, AC_ELIMIT, "decision", "too large");
	if (rc)
		return rc;
	/* every string is in: point into the buffer */
	d->order = (struct ac_str){ mem->p + at[0], strlen(mem->p + at[0]) };
	d->policy = mem->p + at[1];
	if (ov->present) {
		ov->reason = (struct ac_str){ mem->p + at[2],
					      strlen(mem->p + at[2]) };
		ov->author = (struct ac_str){ mem->p + at[3],
					      strlen(mem->p + at[3]) };
	}
	return 0;
}
