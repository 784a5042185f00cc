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

/* A decision is written into a small array first and copied into the
 * buffer in one piece (or a few, when it is long): a buf call per
 * member would cost more than the members. w->rc keeps the first
 * buffer error. */
struct w {
	struct buf *out;
	size_t len;
	int rc;
	char tmp[1024];
};

static void w_flush(struct w *w)
{
	w->rc |= buf_add(w->out, w->tmp, w->len);
	w->len = 0;
}

static void w_add(struct w *w, const char *s, size_t n)
{
	if (n > sizeof w->tmp - w->len) {
		w_flush(w);
		if (n > sizeof w->tmp) {
			w->rc |= buf_add(w->out, s, n);
			return;
		}
	}
	memcpy(w->tmp + w->len, s, n);
	w->len += n;
}

static void w_adds(struct w *w, const char *s)
{
	w_add(w, s, strlen(s));
}

#define W_LIT(w, lit) w_add((w), (lit), sizeof(lit) - 1)

/* w_int appends a non-negative or negative integer in decimal. */
static void w_int(struct w *w, int64_t v)
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
	w_add(w, tmp + k, sizeof tmp - k);
}

/* w_str appends s[0..n) as a JSON string literal; json_add_str escapes
 * the rare string that needs it. */
static void w_str(struct w *w, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\') {
			w_flush(w);
			w->rc |= json_add_str(w->out, s, n);
			return;
		}
	}
	W_LIT(w, "\"");
	w_add(w, s, n);
	W_LIT(w, "\"");
}

int decision_json_write(const struct decision *d, struct buf *out)
{
	return decision_record_write(d, NULL, out);
}

int decision_record_write(const struct decision *d,
			  const struct decision_override *ov, struct buf *out)
{
	struct w w;

	w.out = out;
	w.len = 0;
	w.rc = 0;
	W_LIT(&w, "{\"order\":");
	w_str(&w, d->order.p, d->order.n);
	W_LIT(&w, ",\"verdict\":\"");
	w_adds(&w, verdict_name(d->verdict));
	W_LIT(&w, "\",\"clauses\":[");
	for (int i = 0; i < d->n_clauses; i++) {
		if (i)
			W_LIT(&w, ",\"");
		else
			W_LIT(&w, "\"");
		w_adds(&w, clause_id_name(d->clauses[i]));
		W_LIT(&w, "\"");
	}
	W_LIT(&w, "],\"currency\":\"");
	w_adds(&w, d->currency->code);
	W_LIT(&w, "\",\"refund_max_minor\":");
	w_int(&w, d->refund_max_minor);
	W_LIT(&w, ",\"charge_minor\":");
	w_int(&w, d->charge_minor);
	W_LIT(&w, ",\"remedies\":[");
	for (int i = 0; i < d->n_remedies; i++) {
		const struct remedy *r = &d->remedies[i];

		if (i)
			W_LIT(&w, ",");
		W_LIT(&w, "{\"type\":\"");
		w_adds(&w, remedy_type_name(r->type));
		W_LIT(&w, "\",\"cost_bearer\":\"");
		w_adds(&w, bearer_name(r->cost_bearer));
		W_LIT(&w, "\",\"amount_minor\":");
		w_int(&w, r->amount_minor);
		W_LIT(&w, "}");
	}
	W_LIT(&w, "],\"needs\":[");
	for (int i = 0; i < d->n_needs; i++) {
		if (i)
			W_LIT(&w, ",\"");
		else
			W_LIT(&w, "\"");
		w_adds(&w, need_name(d->needs[i]));
		W_LIT(&w, "\"");
	}
	W_LIT(&w, "]");
	if (d->has_deadline) {
		char t[40];
		size_t n = instant_format(d->deadline, t, sizeof t);

		W_LIT(&w, ",\"deadline\":\"");
		w_add(&w, t, n);
		W_LIT(&w, "\"");
	}
	W_LIT(&w, ",\"policy\":\"");
	w_adds(&w, d->policy);
	W_LIT(&w, "\"");
	if (ov && ov->present) {
		W_LIT(&w, ",\"override\":{\"reason\":");
		w_str(&w, ov->reason.p, ov->reason.n);
		W_LIT(&w, ",\"author\":");
		w_str(&w, ov->author.p, ov->author.n);
		W_LIT(&w, "}");
	}
	W_LIT(&w, "}");
	w_flush(&w);
	return w.rc ? AC_ELIMIT : 0;
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
			 struct json_arena *arena, struct ac_err *err)
{
	cJSON *root;
	size_t at[4] = { 0, 0, 0, 0 };
	int rc;

	if (arena) {
		json_arena_enter(arena);
		json_arena_reset(arena);
	}
	root = cJSON_ParseWithLength(json, n);
	buf_reset(mem);
	/* read_record copies what it keeps into mem: the nodes can go */
	rc = root ? read_record(root, d, ov, mem, at, err)
		  : ac_err_set(err, AC_ESYNTAX, "decision", "not JSON");
	cJSON_Delete(root);  /* in the arena: frees what overflowed it */
	if (arena)
		json_arena_leave(arena);
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
