/* case_json.c: one case from JSON, every field checked (codec layer).
 * The JSON library (cJSON) stays in this file and its siblings; the case
 * borrows its strings from the reader's parsed document. Every error
 * names the field path, as CONTRACT.md fixes it.
 * Each object is walked once: its members are sorted into slots by a key
 * number (struct obj), which also finds duplicate keys, and the fields are
 * then read from the slots in a fixed order, so that the first error is
 * the same whatever the order of the members. */
#include "codec.h"

#include <assert.h>
#include <cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"
#include "json_util.h"

struct case_reader {
	cJSON *root;
	struct json_arena arena;   /* the parsed document lives here */
};

struct case_reader *case_reader_new(void)
{
	struct case_reader *rd = xcalloc(1, sizeof *rd);

	json_arena_init(&rd->arena);
	return rd;
}

void case_reader_free(struct case_reader *rd)
{
	if (!rd)
		return;
	json_arena_enter(&rd->arena);
	cJSON_Delete(rd->root);
	json_arena_leave(&rd->arena);
	json_arena_release(&rd->arena);
	free(rd);
}

/* ---- keys ------------------------------------------------------------ */

/* Every member name the readers know (by length); at most 64, one bit
 * each in struct obj's mask. */
enum key {
	K_ID,                                                   /* 2 */
	K_NOW, K_SKU,                                           /* 3 */
	K_CITY, K_LINE, K_KIND, K_SIZE, K_TYPE, K_NAME,         /* 4 */
	K_ORDER, K_CLAIM, K_ITEMS, K_LINE1, K_LINE2, K_SHAPE,   /* 5 */
	K_STYLE, K_COLOR, K_LINES, K_EMAIL,
	K_REGION, K_REPAIR,                                     /* 6 */
	K_COUNTRY, K_ADDRESS, K_CUSTOMS, K_DEFECTS,             /* 7 */
	K_SHIPMENT, K_CUSTOMER, K_CURRENCY, K_MATERIAL,         /* 8 */
	K_RECEIVED,
	K_PLACED_AT, K_OPENED_AT,                               /* 9 */
	K_PAID_MINOR, K_SHIPPED_AT,                             /* 10 */
	K_POSTAL_CODE, K_PRICE_MINOR, K_CERTIFICATE,            /* 11 */
	K_DELIVERED_AT,                                         /* 12 */
	K_SHIPPING_MINOR,                                       /* 14 */
	K_COURIER_FINDING, K_CORRECT_ADDRESS,                   /* 15 */
	K_MATERIAL_COST_RISE_MINOR,                             /* 24 */
	K_COUNT
};

static const char *const key_name[K_COUNT] = {
	"id",
	"now", "sku",
	"city", "line", "kind", "size", "type", "name",
	"order", "claim", "items", "line1", "line2", "shape",
	"style", "color", "lines", "email",
	"region", "repair",
	"country", "address", "customs", "defects",
	"shipment", "customer", "currency", "material",
	"received",
	"placed_at", "opened_at",
	"paid_minor", "shipped_at",
	"postal_code", "price_minor", "certificate",
	"delivered_at",
	"shipping_minor",
	"courier_finding", "correct_address",
	"material_cost_rise_minor",
};

#define KEY_LEN_MAX 24

/* key_hash tells every key apart (fill_keys checks it), so that a member
 * name is compared with one key at most. */
static unsigned key_hash(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	return (u[0] + 7u * u[1] + u[n - 1] + 6u * (unsigned)n) & 127u;
}

static signed char key_at[128];        /* by hash: the key, or -1 */
static unsigned char key_len[K_COUNT];

static void fill_keys(void)
{
	memset(key_at, -1, sizeof key_at);
	for (int k = 0; k < K_COUNT; k++) {
		size_t n = strlen(key_name[k]);
		unsigned h = key_hash(key_name[k], n);

		assert(n >= 2 && n <= KEY_LEN_MAX && key_at[h] < 0);
		key_at[h] = (signed char)k;
		key_len[k] = (unsigned char)n;
	}
}

_Static_assert(K_COUNT <= 64, "a key is a bit of a uint64_t");

/* key_find returns the key named s, or -1: a hash of the length and three
 * bytes picks the one key it can be, instead of a strcmp per member. */
static int key_find(const char *s)
{
	size_t n = strlen(s);
	int k;

	if (n < 2 || n > KEY_LEN_MAX)
		return -1;
	k = key_at[key_hash(s, n)];
	if (k < 0 || key_len[k] != n || memcmp(key_name[k], s, n))
		return -1;
	return k;
}

/* An object's members by key: v[k] is valid when bit k of seen is set. */
struct obj {
	uint64_t seen;
	const cJSON *v[K_COUNT];
};

static const cJSON *get(const struct obj *o, enum key k)
{
	return o->seen >> k & 1 ? o->v[k] : NULL;
}

/* A field path under construction: "order.items[2]". */
struct path {
	char s[96];
};

static void path_sub(struct path *out, const char *parent, const char *key)
{
	size_t np = strlen(parent), nk = strlen(key), n = 0;

	if (np + nk + 2 > sizeof out->s) {  /* never with our own names */
		snprintf(out->s, sizeof out->s, "%s.%s", parent, key);
		return;
	}
	memcpy(out->s, parent, np);
	n = np;
	if (np)
		out->s[n++] = '.';
	memcpy(out->s + n, key, nk + 1);
}

/* path_idx writes "parent[i]"; it runs for every item of every case, so
 * it formats by hand rather than through snprintf. */
static void path_idx(struct path *out, const char *parent, int i)
{
	size_t n = strlen(parent), k = 0;
	char digits[12];

	if (n > sizeof out->s - 14)
		n = sizeof out->s - 14;
	memcpy(out->s, parent, n);
	do {
		digits[k++] = (char)('0' + i % 10);
		i /= 10;
	} while (i > 0);
	out->s[n++] = '[';
	while (k > 0)
		out->s[n++] = digits[--k];
	out->s[n++] = ']';
	out->s[n] = '\0';
}

static int bad(struct ac_err *err, const char *parent, const char *key,
	       const char *msg)
{
	struct path p;

	path_sub(&p, parent, key);
	return ac_err_set(err, AC_EINVAL, p.s, "%s", msg);
}

/* The JSON library's type tests (cJSON_IsNull ...), inline: they run for
 * every member. */
static bool is_type(const cJSON *v, int type)
{
	return v && (v->type & 0xff) == type;
}

static bool is_null(const cJSON *v) { return is_type(v, cJSON_NULL); }
static bool is_str(const cJSON *v) { return is_type(v, cJSON_String); }
static bool is_obj(const cJSON *v) { return is_type(v, cJSON_Object); }
static bool is_arr(const cJSON *v) { return is_type(v, cJSON_Array); }
static bool is_num(const cJSON *v) { return is_type(v, cJSON_Number); }

/* field returns the member named key (NULL when absent), for the names
 * that are not keys (body_read's). */
static const cJSON *field(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* scan_object sorts the members of v (an object, else "not an object")
 * into o. A member that is no key, or a key seen twice, sends the object
 * to json_check_duplicates, which names the first duplicate as before. */
static int scan_object(const cJSON *v, const char *path, struct obj *o,
		       struct ac_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	bool slow = false;

	pthread_once(&once, fill_keys);
	o->seen = 0;
	if (!is_obj(v))
		return ac_err_set(err, AC_EINVAL, path, "not an object");
	for (const cJSON *m = v->child; m; m = m->next) {
		int k = key_find(m->string);

		if (k < 0 || o->seen >> k & 1) {
			slow = true;    /* the first one stays in its slot */
			continue;
		}
		o->seen |= (uint64_t)1 << k;
		o->v[k] = m;
	}
	return slow ? json_check_duplicates(v, path, err) : 0;
}

/* get_object reads the member k of o as an object into *out; *present
 * (may be NULL) says whether it is there (absent or null is not). */
static int get_object(const struct obj *o, const char *parent, enum key k,
		      bool required, bool *present, struct obj *out,
		      struct ac_err *err)
{
	const cJSON *v = get(o, k);
	struct path p;

	out->seen = 0;
	if (present)
		*present = false;
	if (!v || is_null(v)) {
		if (required)
			return bad(err, parent, key_name[k], "missing");
		return 0;
	}
	path_sub(&p, parent, key_name[k]);
	if (scan_object(v, p.s, out, err))
		return AC_EINVAL;
	if (present)
		*present = true;
	return 0;
}

/* str_of reads v (may be NULL: absent) as a string. */
static int str_of(const cJSON *v, const char *parent, const char *key,
		  bool required, struct ac_str *out, struct ac_err *err)
{
	*out = (struct ac_str){ NULL, 0 };
	if (!v || is_null(v))
		return required ? bad(err, parent, key, "missing") : 0;
	if (!is_str(v))
		return bad(err, parent, key, "not a string");
	out->p = v->valuestring;
	out->n = strlen(v->valuestring);
	return 0;
}

static int get_str(const struct obj *o, const char *parent, enum key k,
		   bool required, struct ac_str *out, struct ac_err *err)
{
	return str_of(get(o, k), parent, key_name[k], required, out, err);
}

static int time_of(const cJSON *v, const char *parent, const char *key,
		   bool required, bool *present, int64_t *out,
		   struct ac_err *err)
{
	struct ac_str s;

	if (present)
		*present = false;
	if (str_of(v, parent, key, required, &s, err))
		return AC_EINVAL;
	if (!s.p)
		return 0;
	if (instant_parse(s.p, s.n, out))
		return bad(err, parent, key,
			   "not an RFC 3339 time with a zone");
	if (present)
		*present = true;
	return 0;
}

static int get_time(const struct obj *o, const char *parent, enum key k,
		    bool required, bool *present, int64_t *out,
		    struct ac_err *err)
{
	return time_of(get(o, k), parent, key_name[k], required, present,
		       out, err);
}

/* get_int reads a JSON number that is an integer in [lo, hi]. */
static int get_int(const cJSON *v, const char *parent, const char *key,
		   int64_t lo, int64_t hi, int64_t *out, struct ac_err *err)
{
	char msg[96];
	double d;

	if (!is_num(v))
		return bad(err, parent, key, "not an integer");
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d))
		return bad(err, parent, key, "not an integer");
	if (d < (double)lo) {
		snprintf(msg, sizeof msg, "below the minimum %lld",
			 (long long)lo);
		return bad(err, parent, key, msg);
	}
	/* hi + 1 is a power of two or small, so the comparison is exact. */
	if (d >= (double)hi + 1.0) {
		snprintf(msg, sizeof msg, "above the maximum %lld",
			 (long long)hi);
		return bad(err, parent, key, msg);
	}
	*out = (int64_t)d;
	return 0;
}

static int money_of(const cJSON *v, const char *parent, const char *key,
		    bool required, int64_t *out, struct ac_err *err)
{
	*out = 0;
	if (!v || is_null(v))
		return required ? bad(err, parent, key, "missing") : 0;
	return get_int(v, parent, key, 0, AC_MONEY_MAX, out, err);
}

static int get_money(const struct obj *o, const char *parent, enum key k,
		     bool required, int64_t *out, struct ac_err *err)
{
	return money_of(get(o, k), parent, key_name[k], required, out, err);
}

#define AC_MAX_LINE_NO 1000000

static bool is_alpha(char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static int get_address(const struct obj *parent_o, const char *parent,
		       enum key k, bool required, bool *present,
		       struct address *a, struct ac_err *err)
{
	struct obj o;
	bool there;
	struct path p;

	memset(a, 0, sizeof *a);
	if (present)
		*present = false;
	if (get_object(parent_o, parent, k, required, &there, &o, err))
		return AC_EINVAL;
	if (!there)
		return 0;
	path_sub(&p, parent, key_name[k]);
	if (get_str(&o, p.s, K_NAME, false, &a->name, err) ||
	    get_str(&o, p.s, K_LINE1, true, &a->line1, err) ||
	    get_str(&o, p.s, K_LINE2, false, &a->line2, err) ||
	    get_str(&o, p.s, K_CITY, true, &a->city, err) ||
	    get_str(&o, p.s, K_REGION, false, &a->region, err) ||
	    get_str(&o, p.s, K_POSTAL_CODE, true, &a->postal_code, err) ||
	    get_str(&o, p.s, K_COUNTRY, true, &a->country, err))
		return AC_EINVAL;
	if (a->country.n != 2 || !is_alpha(a->country.p[0]) ||
	    !is_alpha(a->country.p[1]))
		return bad(err, p.s, "country",
			   "not an ISO 3166-1 alpha-2 code");
	if (present)
		*present = true;
	return 0;
}

static int get_size(const struct obj *o, const char *parent, bool required,
		    bool *has, int64_t *milli, struct ac_err *err)
{
	struct ac_str s;

	*has = false;
	if (get_str(o, parent, K_SIZE, required, &s, err))
		return AC_EINVAL;
	if (!s.p)
		return 0;
	if (item_size_parse(s.p, s.n, milli))
		return bad(err, parent, "size",
			   "not a decimal size (up to 3 decimals)");
	*has = true;
	return 0;
}

static int find_item(const struct order *o, int64_t line)
{
	for (int i = 0; i < o->n_items; i++)
		if (o->items[i].line == line)
			return i;
	return -1;
}

static int read_items(const struct obj *order, const char *pfx,
		      struct order *o, struct ac_err *err)
{
	const cJSON *arr = get(order, K_ITEMS), *v;
	struct path items;
	int i = 0;

	path_sub(&items, pfx, "items");

	if (!arr)
		return bad(err, pfx, "items", "missing");
	if (!is_arr(arr))
		return bad(err, pfx, "items", "not an array");
	if (!arr->child)
		return bad(err, pfx, "items", "empty: an order has items");
	cJSON_ArrayForEach(v, arr) {
		struct item *it = &o->items[i];
		struct ac_str kind;
		struct path p;
		struct obj f;
		int64_t line;

		if (i == AC_MAX_ITEMS)
			return ac_err_set(err, AC_ELIMIT, items.s,
					  "more than %d items (the limit)",
					  AC_MAX_ITEMS);
		memset(it, 0, sizeof *it);
		path_idx(&p, items.s, i);
		if (scan_object(v, p.s, &f, err))
			return AC_EINVAL;
		if (!get(&f, K_LINE))
			return bad(err, p.s, "line", "missing");
		if (get_int(get(&f, K_LINE), p.s, "line", 1, AC_MAX_LINE_NO,
			    &line, err))
			return AC_EINVAL;
		if (find_item(o, line) >= 0)
			return bad(err, p.s, "line",
				   "the same line number twice");
		it->line = (int)line;
		if (get_str(&f, p.s, K_SKU, true, &it->sku, err) ||
		    get_str(&f, p.s, K_KIND, true, &kind, err))
			return AC_EINVAL;
		if (item_kind_parse(kind.p, kind.n, &it->kind))
			return bad(err, p.s, "kind",
				   "not one of ring, necklace, bracelet, "
				   "earrings, pendant, other");
		if (get_str(&f, p.s, K_STYLE, true, &it->style, err) ||
		    get_str(&f, p.s, K_SHAPE, true, &it->shape, err) ||
		    get_str(&f, p.s, K_MATERIAL, true, &it->material, err) ||
		    get_str(&f, p.s, K_COLOR, true, &it->color, err))
			return AC_EINVAL;
		bool sized = it->kind == KIND_RING ||
			     it->kind == KIND_NECKLACE ||
			     it->kind == KIND_BRACELET;
		if (get_size(&f, p.s, sized, &it->has_size, &it->size_milli,
			     err) ||
		    get_money(&f, p.s, K_PRICE_MINOR, true, &it->price_minor,
			      err) ||
		    get_str(&f, p.s, K_CERTIFICATE, false, &it->certificate,
			    err))
			return AC_EINVAL;
		o->n_items = ++i;
	}
	return 0;
}

static int read_order_obj(const struct obj *order, const char *pfx,
			  struct order *o, struct ac_err *err)
{
	struct ac_str cur;

	if (get_str(order, pfx, K_ID, true, &o->id, err))
		return AC_EINVAL;
	if (o->id.n == 0)
		return bad(err, pfx, "id", "empty");
	if (get_time(order, pfx, K_PLACED_AT, true, NULL, &o->placed_at,
		     err) ||
	    get_str(order, pfx, K_CURRENCY, true, &cur, err))
		return AC_EINVAL;
	o->currency = money_currency_find(cur.p, cur.n);
	if (!o->currency)
		return bad(err, pfx, "currency",
			   "not a known ISO 4217 currency code");
	if (get_money(order, pfx, K_SHIPPING_MINOR, true,
		      &o->shipping_minor, err) ||
	    get_address(order, pfx, K_ADDRESS, true, NULL, &o->address,
			err))
		return AC_EINVAL;
	if (read_items(order, pfx, o, err))
		return AC_EINVAL;
	/* every amount decided must stay within the contract's range */
	if (order_total_minor(o) > AC_MONEY_MAX)
		return bad(err, pfx, "items", "the order's total (items "
			   "and shipping) is above 9007199254740991");
	return 0;
}

static int read_order(const struct obj *root, struct order *o,
		      struct ac_err *err)
{
	struct obj order;

	if (get_object(root, "", K_ORDER, true, NULL, &order, err))
		return AC_EINVAL;
	return read_order_obj(&order, "order", o, err);
}

static int read_shipment_obj(const struct obj *sh, struct shipment *s,
			     struct ac_err *err)
{
	struct ac_str v;

	memset(s, 0, sizeof *s);
	if (get_time(sh, "shipment", K_SHIPPED_AT, true, NULL,
		     &s->shipped_at, err) ||
	    get_address(sh, "shipment", K_ADDRESS, true, NULL, &s->address,
			err) ||
	    get_time(sh, "shipment", K_DELIVERED_AT, false, &s->delivered,
		     &s->delivered_at, err))
		return AC_EINVAL;
	if (s->delivered && s->delivered_at < s->shipped_at)
		return bad(err, "shipment", "delivered_at",
			   "before shipment.shipped_at");
	if (get_str(sh, "shipment", K_COURIER_FINDING, false, &v, err))
		return AC_EINVAL;
	if (v.p && courier_finding_parse(v.p, v.n, &s->courier_finding))
		return bad(err, "shipment", "courier_finding",
			   "not one of none, investigating, lost_confirmed, "
			   "delivered_proven");
	if (get_str(sh, "shipment", K_CUSTOMS, false, &v, err))
		return AC_EINVAL;
	if (v.p && customs_parse(v.p, v.n, &s->customs))
		return bad(err, "shipment", "customs",
			   "not one of none, held, cleared, "
			   "refused_by_customer");
	return 0;
}

static int read_shipment(const struct obj *root, struct ac_case *c,
			 struct ac_err *err)
{
	struct obj sh;
	bool there;

	if (get_object(root, "", K_SHIPMENT, false, &there, &sh, err))
		return AC_EINVAL;
	c->shipped = there;
	return there ? read_shipment_obj(&sh, &c->shipment, err) : 0;
}

static int read_lines(const struct obj *claim, const struct order *o,
		      struct claim *cl, struct ac_err *err)
{
	const cJSON *arr = get(claim, K_LINES), *v;
	int i = 0;

	if (!arr || is_null(arr))
		return 0;
	if (!is_arr(arr))
		return bad(err, "claim", "lines", "not an array");
	if (!arr->child)
		return bad(err, "claim", "lines",
			   "empty: leave it out for the whole order");
	cJSON_ArrayForEach(v, arr) {
		struct path p;
		int64_t line;

		path_idx(&p, "claim.lines", i);
		if (i == AC_MAX_ITEMS)
			return ac_err_set(err, AC_ELIMIT, "claim.lines",
					  "more than %d lines (the limit)",
					  AC_MAX_ITEMS);
		if (get_int(v, "", p.s, 1, AC_MAX_LINE_NO, &line, err))
			return AC_EINVAL;
		if (o && find_item(o, line) < 0)
			return ac_err_set(err, AC_EINVAL, p.s,
					  "no line %lld on the order",
					  (long long)line);
		for (int j = 0; j < i; j++)
			if (cl->lines[j] == line)
				return ac_err_set(err, AC_EINVAL, p.s,
						  "line %lld listed twice",
						  (long long)line);
		cl->lines[i] = (int)line;
		cl->n_lines = ++i;
	}
	return 0;
}

static int read_received(const struct obj *claim, const struct order *o,
			 struct claim *cl, struct ac_err *err)
{
	const cJSON *arr = get(claim, K_RECEIVED), *v;
	int i = 0;

	if (!arr || is_null(arr))
		return 0;
	if (!is_arr(arr))
		return bad(err, "claim", "received", "not an array");
	cJSON_ArrayForEach(v, arr) {
		struct received *r = &cl->received[i];
		struct path p;
		struct obj f;
		int64_t line;

		if (i == AC_MAX_ITEMS)
			return ac_err_set(err, AC_ELIMIT, "claim.received",
					  "more than %d entries (the limit)",
					  AC_MAX_ITEMS);
		memset(r, 0, sizeof *r);
		path_idx(&p, "claim.received", i);
		if (scan_object(v, p.s, &f, err))
			return AC_EINVAL;
		if (!get(&f, K_LINE))
			return bad(err, p.s, "line", "missing");
		if (get_int(get(&f, K_LINE), p.s, "line", 1, AC_MAX_LINE_NO,
			    &line, err))
			return AC_EINVAL;
		if (o && find_item(o, line) < 0)
			return bad(err, p.s, "line",
				   "no such line on the order");
		if (!claim_concerns(cl, (int)line))
			return bad(err, p.s, "line", "not among claim.lines");
		for (int j = 0; j < i; j++)
			if (cl->received[j].line == line)
				return bad(err, p.s, "line",
					   "the same line reported twice");
		r->line = (int)line;
		if (get_str(&f, p.s, K_STYLE, false, &r->style, err) ||
		    get_str(&f, p.s, K_SHAPE, false, &r->shape, err) ||
		    get_str(&f, p.s, K_MATERIAL, false, &r->material, err) ||
		    get_str(&f, p.s, K_COLOR, false, &r->color, err) ||
		    get_size(&f, p.s, false, &r->has_size, &r->size_milli,
			     err))
			return AC_EINVAL;
		cl->n_received = ++i;
	}
	return 0;
}

static int read_defects(const struct obj *claim, struct claim *cl,
			struct ac_err *err)
{
	const cJSON *arr = get(claim, K_DEFECTS), *v;
	int i = 0;

	if (!arr || is_null(arr))
		return 0;
	if (!is_arr(arr))
		return bad(err, "claim", "defects", "not an array");
	cJSON_ArrayForEach(v, arr) {
		struct path p;
		enum defect d;

		path_idx(&p, "claim.defects", i++);
		if (!is_str(v))
			return ac_err_set(err, AC_EINVAL, p.s, "not a string");
		if (defect_parse(v->valuestring, strlen(v->valuestring), &d))
			return ac_err_set(err, AC_EINVAL, p.s,
					  "not one of scratch, packaging, "
					  "size, stone_loose, broken, clasp, "
					  "tarnish, other");
		cl->defects |= 1u << d;
	}
	return 0;
}

/* read_claim_fields reads the claim into cl, against o (its lines must
 * exist) when it is not NULL. With has_default, a missing opened_at
 * takes default_opened_at; *opened says whether opened_at was given. */
static int read_claim_fields(const struct obj *claim, struct claim *cl,
			     const struct order *o, bool has_default,
			     int64_t default_opened_at, bool *opened,
			     struct ac_err *err)
{
	struct obj repair;
	bool has_repair;
	struct ac_str type;

	memset(cl, 0, offsetof(struct claim, lines));
	if (get_str(claim, "claim", K_TYPE, true, &type, err))
		return AC_EINVAL;
	if (claim_type_parse(type.p, type.n, &cl->type))
		return bad(err, "claim", "type",
			   "not one of cancel, not_received, damaged, "
			   "wrong_item, unwanted, wrong_address, customs, "
			   "repair");
	bool has_opened;

	if (get_time(claim, "claim", K_OPENED_AT, !has_default, &has_opened,
		     &cl->opened_at, err))
		return AC_EINVAL;
	if (!has_opened)
		cl->opened_at = default_opened_at;
	*opened = has_opened;
	if (read_lines(claim, o, cl, err) ||
	    read_received(claim, o, cl, err) ||
	    read_defects(claim, cl, err) ||
	    get_address(claim, "claim", K_CORRECT_ADDRESS, false,
			&cl->has_correct_address, &cl->correct_address, err) ||
	    get_object(claim, "claim", K_REPAIR, false, &has_repair, &repair,
		       err))
		return AC_EINVAL;
	if (has_repair && get_money(&repair, "claim.repair",
				    K_MATERIAL_COST_RISE_MINOR, false,
				    &cl->material_cost_rise_minor, err))
		return AC_EINVAL;
	if (cl->type == CLAIM_DAMAGED && cl->defects == 0)
		return bad(err, "claim", "defects",
			   "a damaged claim names at least one defect");
	return 0;
}

static int read_claim_obj(const struct obj *claim, struct ac_case *c,
			  bool has_default, int64_t default_opened_at,
			  struct ac_err *err)
{
	bool opened;

	return read_claim_fields(claim, &c->claim, &c->order, has_default,
				 default_opened_at, &opened, err);
}

static int read_claim(const struct obj *root, struct ac_case *c,
		      struct ac_err *err)
{
	struct obj claim;

	if (get_object(root, "", K_CLAIM, true, NULL, &claim, err))
		return AC_EINVAL;
	return read_claim_obj(&claim, c, false, 0, err);
}

/* read_case reads the case from root, an object (scanned into o). */
static int read_case(const cJSON *root, struct obj *o, struct ac_case *c,
		     struct ac_err *err)
{
	bool has_now;

	/* clear all but the arrays, which are filled element by element */
	c->now = 0;
	memset(&c->order, 0, offsetof(struct order, items));
	c->shipped = false;
	memset(&c->shipment, 0, sizeof c->shipment);
	memset(&c->claim, 0, offsetof(struct claim, lines));
	if (!is_obj(root))
		return ac_err_set(err, AC_EINVAL, "", "not a JSON object");
	if (scan_object(root, "", o, err) ||
	    read_order(o, &c->order, err) ||
	    read_shipment(o, c, err) || read_claim(o, c, err) ||
	    get_time(o, "", K_NOW, false, &has_now, &c->now, err))
		return err ? err->code : AC_EINVAL;
	if (!has_now)
		c->now = c->claim.opened_at;
	return 0;
}

int case_json_from_object(const void *root_obj, struct ac_case *c,
			  struct ac_err *err)
{
	struct obj o;

	return read_case(root_obj, &o, c, err);
}

/* parse replaces the reader's document with the one in buf; "what"
 * names it in messages. */
static int parse(struct case_reader *rd, const char *buf, size_t n,
		 const char *what, struct ac_err *err)
{
	int rc;

	json_arena_enter(&rd->arena);
	if (rd->arena.fallback)
		cJSON_Delete(rd->root);  /* frees what overflowed the arena */
	rd->root = NULL;
	json_arena_reset(&rd->arena);
	rc = json_parse(buf, n, AC_CASE_MAX_BYTES, what, &rd->root, err);
	json_arena_leave(&rd->arena);
	return rc;
}

int case_reader_read(struct case_reader *rd, const char *buf, size_t n,
		     struct ac_case *c, struct ac_err *err)
{
	int rc = parse(rd, buf, n, "case", err);

	return rc ? rc : case_json_from_object(rd->root, c, err);
}

/* ---- request bodies of the case desk --------------------------------- */

/* read_root parses buf, an object, and sorts its members into o. */
static int read_root(struct case_reader *rd, const char *buf, size_t n,
		     const char *what, struct obj *o, struct ac_err *err)
{
	int rc = parse(rd, buf, n, what, err);

	o->seen = 0;
	if (rc)
		return rc;
	if (!is_obj(rd->root))
		return ac_err_set(err, AC_EINVAL, "", "not a JSON object");
	return scan_object(rd->root, "", o, err);
}

int order_request_read(struct case_reader *rd, const char *buf, size_t n,
		       struct order_request *out, struct ac_err *err)
{
	struct obj root, cust, sh;
	bool shipped;

	memset(&out->order, 0, offsetof(struct order, items));
	out->shipped = false;
	out->has_paid = false;
	out->paid_minor = 0;
	if (read_root(rd, buf, n, "order", &root, err) ||
	    read_order_obj(&root, "", &out->order, err) ||
	    get_object(&root, "", K_CUSTOMER, true, NULL, &cust, err) ||
	    get_str(&cust, "customer", K_NAME, true, &out->customer_name,
		    err) ||
	    get_str(&cust, "customer", K_EMAIL, true, &out->customer_email,
		    err) ||
	    get_object(&root, "", K_SHIPMENT, false, &shipped, &sh, err))
		return err ? err->code : AC_EINVAL;
	if (out->customer_name.n == 0)
		return bad(err, "customer", "name", "empty");
	if (!memchr(out->customer_email.p, '@', out->customer_email.n))
		return bad(err, "customer", "email", "not an e-mail address");
	if (shipped) {
		if (read_shipment_obj(&sh, &out->shipment, err))
			return AC_EINVAL;
		out->shipped = true;
	}
	if (get(&root, K_PAID_MINOR)) {
		if (get_money(&root, "", K_PAID_MINOR, true, &out->paid_minor,
			      err))
			return AC_EINVAL;
		out->has_paid = true;
	}
	return 0;
}

int shipment_request_read(struct case_reader *rd, const char *buf, size_t n,
			  struct shipment *out, struct ac_err *err)
{
	struct obj root;

	if (read_root(rd, buf, n, "shipment", &root, err))
		return err ? err->code : AC_EINVAL;
	return read_shipment_obj(&root, out, err);
}

/* claim_request_obj: claim_request_read, with the claim's members. */
static int claim_request_obj(struct case_reader *rd, const char *buf,
			     size_t n, struct ac_str *order_id,
			     struct obj *claim, struct ac_err *err)
{
	struct obj root;

	if (read_root(rd, buf, n, "request", &root, err) ||
	    get_str(&root, "", K_ORDER, true, order_id, err) ||
	    get_object(&root, "", K_CLAIM, true, NULL, claim, err))
		return err ? err->code : AC_EINVAL;
	if (order_id->n == 0)
		return bad(err, "", "order", "empty");
	return 0;
}

int claim_request_read(struct case_reader *rd, const char *buf, size_t n,
		       struct ac_str *order_id, struct ac_err *err)
{
	struct obj claim;

	return claim_request_obj(rd, buf, n, order_id, &claim, err);
}

int claim_request_parse(struct case_reader *rd, const char *buf, size_t n,
			struct ac_str *order_id, struct claim *cl,
			bool *has_opened_at, struct ac_err *err)
{
	struct obj claim;

	if (claim_request_obj(rd, buf, n, order_id, &claim, err))
		return err ? err->code : AC_EINVAL;
	return read_claim_fields(&claim, cl, NULL, true, 0, has_opened_at,
				 err);
}

int claim_request_claim(struct case_reader *rd, struct ac_case *c,
			int64_t default_opened_at, struct buf *claim_json,
			struct ac_err *err)
{
	cJSON *claim = cJSON_GetObjectItemCaseSensitive(rd->root, "claim");
	struct obj o;
	char *text;
	int rc;

	/* claim_request_read has checked it: an object, no key twice */
	if (scan_object(claim, "claim", &o, err) ||
	    read_claim_obj(&o, c, true, default_opened_at, err))
		return AC_EINVAL;
	json_arena_enter(&rd->arena);
	if (!field(claim, "opened_at") || is_null(field(claim,
							    "opened_at"))) {
		char t[40];

		instant_format(c->claim.opened_at, t, sizeof t);
		cJSON_DeleteItemFromObjectCaseSensitive(claim, "opened_at");
		cJSON_AddStringToObject(claim, "opened_at", t);
	}
	text = cJSON_PrintUnformatted(claim);
	rc = text ? buf_adds(claim_json, text) : AC_ENOMEM;
	cJSON_free(text);
	json_arena_leave(&rd->arena);
	if (rc)
		return ac_err_set(err, rc, "claim", "too large to store");
	return 0;
}

int claim_json_read(struct case_reader *rd, const char *buf, size_t n,
		    struct ac_case *c, struct ac_err *err)
{
	struct obj root;

	if (read_root(rd, buf, n, "claim", &root, err))
		return err ? err->code : AC_EINVAL;
	return read_claim_obj(&root, c, false, 0, err);
}

/* ---- writing the facts back out -------------------------------------- */

static int w_str(struct buf *b, const char *key, struct ac_str v, bool first)
{
	int rc = buf_adds(b, first ? "\"" : ",\"");

	rc |= buf_adds(b, key);
	rc |= buf_adds(b, "\":");
	return rc | json_add_str(b, v.p ? v.p : "", v.n);
}

static int w_time(struct buf *b, const char *key, int64_t at)
{
	char t[40];
	size_t n = instant_format(at, t, sizeof t);

	return buf_addf(b, ",\"%s\":\"%.*s\"", key, (int)n, t);
}

static int w_address(struct buf *b, const char *key,
		     const struct address *a)
{
	int rc = buf_addf(b, ",\"%s\":{", key);

	rc |= w_str(b, "line1", a->line1, true);
	if (a->name.n)
		rc |= w_str(b, "name", a->name, false);
	if (a->line2.n)
		rc |= w_str(b, "line2", a->line2, false);
	rc |= w_str(b, "city", a->city, false);
	if (a->region.n)
		rc |= w_str(b, "region", a->region, false);
	rc |= w_str(b, "postal_code", a->postal_code, false);
	rc |= w_str(b, "country", a->country, false);
	return rc | buf_addc(b, '}');
}

static int w_size(struct buf *b, int64_t milli)
{
	int64_t frac = milli % 1000;
	int digits = 3;

	if (frac == 0)
		return buf_addf(b, ",\"size\":\"%lld\"",
				(long long)(milli / 1000));
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	return buf_addf(b, ",\"size\":\"%lld.%0*lld\"",
			(long long)(milli / 1000), digits, (long long)frac);
}

int order_json_write(const struct order *o, struct buf *b)
{
	int rc = buf_addc(b, '{');

	rc |= w_str(b, "id", o->id, true);
	rc |= w_time(b, "placed_at", o->placed_at);
	rc |= buf_addf(b, ",\"currency\":\"%s\",\"shipping_minor\":%lld",
		       o->currency->code, (long long)o->shipping_minor);
	rc |= w_address(b, "address", &o->address);
	rc |= buf_adds(b, ",\"items\":[");
	for (int i = 0; i < o->n_items; i++) {
		const struct item *it = &o->items[i];

		rc |= buf_addf(b, "%s{\"line\":%d", i ? "," : "", it->line);
		rc |= w_str(b, "sku", it->sku, false);
		rc |= buf_addf(b, ",\"kind\":\"%s\"", item_kind_name(it->kind));
		rc |= w_str(b, "style", it->style, false);
		rc |= w_str(b, "shape", it->shape, false);
		rc |= w_str(b, "material", it->material, false);
		rc |= w_str(b, "color", it->color, false);
		if (it->has_size)
			rc |= w_size(b, it->size_milli);
		rc |= buf_addf(b, ",\"price_minor\":%lld",
			       (long long)it->price_minor);
		if (it->certificate.n)
			rc |= w_str(b, "certificate", it->certificate, false);
		rc |= buf_addc(b, '}');
	}
	return rc | buf_adds(b, "]}") ? AC_ELIMIT : 0;
}

int shipment_json_write(const struct shipment *s, struct buf *b)
{
	int rc = buf_adds(b, "{\"courier_finding\":\"");

	rc |= buf_adds(b, courier_finding_name(s->courier_finding));
	rc |= buf_adds(b, "\",\"customs\":\"");
	rc |= buf_adds(b, customs_name(s->customs));
	rc |= buf_addc(b, '"');
	rc |= w_time(b, "shipped_at", s->shipped_at);
	rc |= w_address(b, "address", &s->address);
	if (s->delivered)
		rc |= w_time(b, "delivered_at", s->delivered_at);
	return rc | buf_addc(b, '}') ? AC_ELIMIT : 0;
}

int facts_json_write(const struct order *o, bool shipped,
		     const struct shipment *s, struct buf *b)
{
	int rc = buf_adds(b, "\"order\":");

	rc |= order_json_write(o, b);
	if (shipped) {
		rc |= buf_adds(b, ",\"shipment\":");
		rc |= shipment_json_write(s, b);
	}
	return rc ? AC_ELIMIT : 0;
}

int claim_json_write(const struct claim *cl, struct buf *b)
{
	int rc = buf_adds(b, "{\"type\":\"");

	rc |= buf_adds(b, claim_type_name(cl->type));
	rc |= buf_addc(b, '"');
	rc |= w_time(b, "opened_at", cl->opened_at);
	if (cl->n_lines) {
		rc |= buf_adds(b, ",\"lines\":[");
		for (int i = 0; i < cl->n_lines; i++)
			rc |= buf_addf(b, "%s%d", i ? "," : "", cl->lines[i]);
		rc |= buf_addc(b, ']');
	}
	if (cl->n_received) {
		rc |= buf_adds(b, ",\"received\":[");
		for (int i = 0; i < cl->n_received; i++) {
			const struct received *r = &cl->received[i];

			rc |= buf_addf(b, "%s{\"line\":%d", i ? "," : "",
				       r->line);
			if (r->style.p)
				rc |= w_str(b, "style", r->style, false);
			if (r->shape.p)
				rc |= w_str(b, "shape", r->shape, false);
			if (r->material.p)
				rc |= w_str(b, "material", r->material, false);
			if (r->color.p)
				rc |= w_str(b, "color", r->color, false);
			if (r->has_size)
				rc |= w_size(b, r->size_milli);
			rc |= buf_addc(b, '}');
		}
		rc |= buf_addc(b, ']');
	}
	if (cl->defects) {
		int k = 0;

		rc |= buf_adds(b, ",\"defects\":[");
		for (int i = 0; i < DEFECT_COUNT; i++)
			if (cl->defects & (1u << i))
				rc |= buf_addf(b, "%s\"%s\"", k++ ? "," : "",
					       defect_name((enum defect)i));
		rc |= buf_addc(b, ']');
	}
	if (cl->has_correct_address)
		rc |= w_address(b, "correct_address", &cl->correct_address);
	if (cl->material_cost_rise_minor)
		rc |= buf_addf(b, ",\"repair\":{\"material_cost_rise_minor\""
			       ":%lld}",
			       (long long)cl->material_cost_rise_minor);
	return rc | buf_addc(b, '}') ? AC_ELIMIT : 0;
}

int case_facts_write(const struct ac_case *c, struct ac_str claim_json,
		     struct buf *b)
{
	int rc = buf_addc(b, '{');

	rc |= facts_json_write(&c->order, c->shipped, &c->shipment, b);
	rc |= buf_adds(b, ",\"claim\":");
	rc |= buf_add(b, claim_json.p, claim_json.n);
	rc |= w_time(b, "now", c->now);
	return rc | buf_addc(b, '}') ? AC_ELIMIT : 0;
}

int record_json_write(const struct record_field *f, int n, struct buf *b)
{
	int rc = buf_addc(b, '{'), k = 0;

	for (int i = 0; i < n; i++) {
		if (f[i].type == RECORD_STR && !f[i].str.p)
			continue;
		rc |= buf_adds(b, k++ ? ",\"" : "\"");
		rc |= buf_adds(b, f[i].name);
		rc |= buf_adds(b, "\":");
		if (f[i].type == RECORD_STR)
			rc |= json_add_str(b, f[i].str.p, f[i].str.n);
		else
			rc |= buf_addf(b, "%lld", (long long)f[i].num);
	}
	return rc | buf_addc(b, '}') ? AC_ELIMIT : 0;
}

int json_str_write(struct buf *b, const char *s, size_t n)
{
	return json_add_str(b, s, n);
}

int body_read(struct case_reader *rd, const char *buf, size_t n,
	      const struct body_field *fields, int count, struct ac_err *err)
{
	struct obj root;

	if (read_root(rd, buf, n, "body", &root, err))
		return err ? err->code : AC_EINVAL;
	for (int i = 0; i < count; i++) {
		const struct body_field *f = &fields[i];
		const cJSON *v = field(rd->root, f->name);
		bool present = v && !is_null(v);
		int rc = 0;

		if (f->present)
			*f->present = present;
		if (!present) {
			if (f->required)
				return bad(err, "", f->name, "missing");
			continue;
		}
		switch (f->type) {
		case BODY_STR:
			rc = str_of(v, "", f->name, true, f->str, err);
			break;
		case BODY_MONEY:
			rc = money_of(v, "", f->name, true, f->num, err);
			break;
		case BODY_TIME:
			rc = time_of(v, "", f->name, true, NULL, f->num, err);
			break;
		}
		if (rc)
			return rc;
	}
	return 0;
}
