/* import.c: what the shop import readers share: exact money from decimal
 * text, the shops' time forms, line item properties, the order request
 * JSON, and the reader that walks a file order by order (codec layer).
 * A JSON file is checked whole first (its structure only: a skip over
 * its bytes) and then parsed one order at a time, so that memory stays
 * one order's however large the file. */
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"
#include "../core/item.h"
#include "codec.h"
#include "json_util.h"

/* ---- money and time -------------------------------------------------- */

int import_money_parse(const char *s, size_t n, const struct currency *c,
		       int64_t *minor, const char *field, struct ac_err *err)
{
	int64_t v = 0;
	size_t i = 0;
	int frac = 0, digits = 0;

	*minor = 0;
	if (n == 0)
		return ac_err_set(err, AC_EINVAL, field, "empty, not an "
				  "amount");
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (v > AC_MONEY_MAX)   /* v * 10 + 9 stays far from 2^63 */
			return ac_err_set(err, AC_EINVAL, field,
					  "above 9007199254740991 minor "
					  "units");
		v = v * 10 + (s[i] - '0');
	}
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (frac < c->exponent) {
				if (v > AC_MONEY_MAX)
					return ac_err_set(err, AC_EINVAL,
							  field, "above "
							  "9007199254740991 "
							  "minor units");
				v = v * 10 + (s[i] - '0');
			} else if (s[i] != '0') {
				return ac_err_set(err, AC_EINVAL, field,
						  "%.*s has more decimals "
						  "than %s has (%d)",
						  (int)(n > 40 ? 40 : n), s,
						  c->code, c->exponent);
			}
			frac++;
			digits++;
		}
		if (frac == 0)
			digits = 0;       /* "12." */
	}
	if (i != n || digits == 0)
		return ac_err_set(err, AC_EINVAL, field,
				  "not a decimal amount: \"%.*s\"",
				  (int)(n > 40 ? 40 : n), s);
	for (; frac < c->exponent; frac++) {
		if (v > AC_MONEY_MAX)
			break;
		v *= 10;
	}
	if (v > AC_MONEY_MAX)
		return ac_err_set(err, AC_EINVAL, field,
				  "above 9007199254740991 minor units");
	*minor = v;
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

int import_time_parse(const char *s, size_t n, bool utc, int64_t *us)
{
	char t[64];

	if (n < 19 || n > 48)
		return -1;
	memcpy(t, s, n);
	t[n] = '\0';
	if (t[10] == ' ')               /* "2026-03-01 10:00:00 ..." */
		t[10] = 'T';
	if (!instant_parse(t, n, us))
		return 0;
	/* Shopify's CSV: "... 10:00:00 -0500" */
	if (n >= 25 && t[n - 6] == ' ' &&
	    (t[n - 5] == '+' || t[n - 5] == '-') &&
	    all_digits(t + n - 4, 4)) {
		char z[8];

		snprintf(z, sizeof z, "%c%.2s:%.2s", t[n - 5], t + n - 4,
			 t + n - 2);
		memcpy(t + n - 6, z, 6);
		if (!instant_parse(t, n, us))
			return 0;
		return -1;
	}
	if (utc && n + 1 < sizeof t) {  /* WooCommerce's *_gmt: no zone */
		t[n] = 'Z';
		t[n + 1] = '\0';
		if (!instant_parse(t, n + 1, us))
			return 0;
	}
	return -1;
}

bool imp_utf8(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k, left = n - i;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 2;
		else if (c >= 0xe0 && c <= 0xef)
			k = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 4;
		else
			return false;
		if (left < k)
			return false;
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		/* no overlongs, no surrogates, nothing above U+10FFFF */
		if ((c == 0xe0 && s[i + 1] < 0xa0) ||
		    (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) ||
		    (c == 0xf4 && s[i + 1] > 0x8f))
			return false;
		i += k;
	}
	return true;
}

/* ---- the order being mapped -------------------------------------------- */

void imp_reset(struct imp *im)
{
	memset(im, 0, offsetof(struct imp, items));
	im->used = 0;
}

struct ac_str imp_trim(struct ac_str s)
{
	if (!s.p)
		return (struct ac_str){ "", 0 };
	while (s.n && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' ||
		       s.p[0] == '\n')) {
		s.p++;
		s.n--;
	}
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' ||
		       s.p[s.n - 1] == '\r' || s.p[s.n - 1] == '\n'))
		s.n--;
	return s;
}

bool imp_is(struct ac_str s, const char *lit)
{
	s = imp_trim(s);
	return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

struct ac_str imp_join(struct imp *im, struct ac_str a, const char *sep,
		       struct ac_str b)
{
	size_t room = sizeof im->scratch - im->used;
	char *p = im->scratch + im->used;
	int w;

	a = imp_trim(a);
	b = imp_trim(b);
	if (!a.n || !b.n)
		sep = "";
	w = snprintf(p, room, "%.*s%s%.*s", (int)a.n, a.p, sep, (int)b.n,
		     b.p);
	if (w < 0)
		w = 0;
	if ((size_t)w >= room)
		w = room ? (int)room - 1 : 0;
	im->used += (size_t)w + 1;
	return (struct ac_str){ p, (size_t)w };
}

/* norm_name folds a property's name to lower-case letters and digits,
 * without a leading "pa_" (WooCommerce's attribute taxonomies). */
static void norm_name(struct ac_str s, char *out, size_t cap)
{
	size_t k = 0;

	s = imp_trim(s);
	while (s.n && s.p[0] == '_') {
		s.p++;
		s.n--;
	}
	if (s.n > 3 && (s.p[0] | 0x20) == 'p' && (s.p[1] | 0x20) == 'a' &&
	    s.p[2] == '_') {
		s.p += 3;
		s.n -= 3;
	}
	for (size_t i = 0; i < s.n && k + 1 < cap; i++) {
		char c = s.p[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c | 0x20);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[k++] = c;
	}
	out[k] = '\0';
}

static bool name_in(const char *n, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(n, *names))
			return true;
	return false;
}

void imp_item_prop(struct imp_item *it, struct ac_str name,
		   struct ac_str value)
{
	static const char *const kind[] = { "kind", "type", "jewelrytype",
					    "jewellerytype", "producttype",
					    NULL };
	static const char *const material[] = { "material", "metal",
						"metaltype", NULL };
	static const char *const size[] = { "size", "ringsize", "length",
					    "chainlength", NULL };
	static const char *const style[] = { "style", "setting", NULL };
	static const char *const shape[] = { "shape", "stoneshape", "cut",
					     NULL };
	static const char *const color[] = { "color", "colour", "metalcolor",
					     "metalcolour", NULL };
	static const char *const cert[] = { "certificate", "certificateno",
					    "certificatenumber", NULL };
	char n[32];

	value = imp_trim(value);
	if (!value.n)
		return;
	norm_name(name, n, sizeof n);
	if (name_in(n, kind))
		it->kind = value;
	else if (name_in(n, material))
		it->material = value;
	else if (name_in(n, size))
		it->size = value;
	else if (name_in(n, style))
		it->style = value;
	else if (name_in(n, shape))
		it->shape = value;
	else if (name_in(n, color))
		it->color = value;
	else if (name_in(n, cert))
		it->certificate = value;
}

/* kind_from_title: the first word of the title that names a kind
 * ("Halo Ring" -> ring, "Pearl Earrings" -> earrings), else other. */
static const char *kind_from_title(struct ac_str t)
{
	static const struct {
		const char *word, *kind;
	} words[] = {
		{ "ring", "ring" }, { "rings", "ring" }, { "band", "ring" },
		{ "necklace", "necklace" }, { "necklaces", "necklace" },
		{ "chain", "necklace" }, { "choker", "necklace" },
		{ "bracelet", "bracelet" }, { "bracelets", "bracelet" },
		{ "bangle", "bracelet" }, { "earring", "earrings" },
		{ "earrings", "earrings" }, { "studs", "earrings" },
		{ "pendant", "pendant" }, { "pendants", "pendant" },
	};
	size_t i = 0;

	while (t.p && i < t.n) {
		char w[16];
		size_t k = 0;

		while (i < t.n && !((t.p[i] | 0x20) >= 'a' &&
				    (t.p[i] | 0x20) <= 'z'))
			i++;
		while (i < t.n && (t.p[i] | 0x20) >= 'a' &&
		       (t.p[i] | 0x20) <= 'z') {
			if (k + 1 < sizeof w)
				w[k++] = (char)(t.p[i] | 0x20);
			i++;
		}
		w[k] = '\0';
		for (size_t j = 0; j < sizeof words / sizeof words[0]; j++)
			if (!strcmp(w, words[j].word))
				return words[j].kind;
	}
	return "other";
}

static bool is_letter(char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* size_text: the number in a size as shops write it ("7", "7.5",
 * "Size 7", "US 6.5", "Ring size: 7", "45 cm"), or an empty slice when
 * the text holds anything else ("14k White Gold", "Large"). */
static struct ac_str size_text(struct ac_str s)
{
	size_t i = 0, d;

	s = imp_trim(s);
	while (i < s.n && (is_letter(s.p[i]) || s.p[i] == ' ' ||
			   s.p[i] == ':'))
		i++;
	d = i;
	while (i < s.n && ((s.p[i] >= '0' && s.p[i] <= '9') ||
			   s.p[i] == '.'))
		i++;
	struct ac_str num = { s.p + d, i - d };

	while (i < s.n && s.p[i] == ' ')
		i++;
	if (i + 2 == s.n && (s.p[i] | 0x20) == 'c' &&
	    (s.p[i + 1] | 0x20) == 'm')
		i += 2;
	if (i != s.n || !num.n)
		return (struct ac_str){ "", 0 };
	return num;
}

/* size_from_variant: a part of "7 / 14k White Gold" that is a size
 * alone, or an empty slice. */
static struct ac_str size_from_variant(struct ac_str v)
{
	size_t i = 0;

	while (v.p && i <= v.n) {
		size_t j = i;

		while (j < v.n && v.p[j] != '/')
			j++;
		struct ac_str part = size_text((struct ac_str){ v.p + i,
								j - i });
		int64_t milli;

		if (part.n && !item_size_parse(part.p, part.n, &milli))
			return part;
		i = j + 1;
	}
	return (struct ac_str){ "", 0 };
}

int imp_add_item(struct imp *im, struct imp_item *it, struct ac_str title,
		 struct ac_str variant, int64_t qty, int64_t price_minor,
		 bool is_total, const char *field, struct ac_err *err)
{
	enum item_kind k;
	int64_t milli;

	if (!it->kind.n) {
		it->kind.p = kind_from_title(title);
		it->kind.n = strlen(it->kind.p);
	}
	if (item_kind_parse(it->kind.p, it->kind.n, &k)) {
		char low[16];
		size_t n = it->kind.n < sizeof low - 1 ? it->kind.n
						       : sizeof low - 1;

		for (size_t i = 0; i < n; i++)
			low[i] = (char)((it->kind.p[i] >= 'A' &&
					 it->kind.p[i] <= 'Z') ?
					it->kind.p[i] | 0x20 : it->kind.p[i]);
		if (item_kind_parse(low, n, &k) || n != it->kind.n)
			return ac_err_set(err, AC_EINVAL, field,
					  "kind \"%.*s\" is not one of ring, "
					  "necklace, bracelet, earrings, "
					  "pendant, other",
					  (int)(it->kind.n > 40 ? 40 :
						it->kind.n), it->kind.p);
		it->kind.p = item_kind_name(k);
		it->kind.n = strlen(it->kind.p);
	}
	if (it->size.n) {
		struct ac_str d = size_text(it->size);

		if (!d.n || item_size_parse(d.p, d.n, &milli))
			return ac_err_set(err, AC_EINVAL, field,
					  "size \"%.*s\" is not a decimal "
					  "size (up to 3 decimals)",
					  (int)(it->size.n > 40 ? 40 :
						it->size.n), it->size.p);
		it->size = d;
	} else {
		it->size = size_from_variant(variant);
	}
	if (!it->size.n && (k == KIND_RING || k == KIND_NECKLACE ||
			    k == KIND_BRACELET))
		return ac_err_set(err, AC_EINVAL, field,
				  "a %s needs a size: a Size property, or "
				  "a number alone in the variant",
				  item_kind_name(k));
	it->sku = imp_trim(it->sku);
	if (!it->sku.n)         /* many shops leave SKUs empty */
		it->sku = imp_trim(title);
	if (!it->sku.n)
		return ac_err_set(err, AC_EINVAL, field, "neither a sku nor "
				  "a title");
	if (qty < 1 || qty > AC_MAX_ITEMS - im->n_items)
		return ac_err_set(err, AC_ELIMIT, field,
				  "%lld pieces: an order holds at most %d",
				  (long long)qty, AC_MAX_ITEMS);
	for (int64_t i = 0; i < qty; i++) {
		struct imp_item *to = &im->items[im->n_items++];

		*to = *it;
		if (is_total)   /* the first (total % qty) get one more */
			to->price_minor = price_minor / qty +
					  (i < price_minor % qty ? 1 : 0);
		else
			to->price_minor = price_minor;
	}
	return 0;
}

int imp_check(struct imp *im, const struct imp_names *nm,
	      struct ac_err *err)
{
	im->email = imp_trim(im->email);
	if (!im->email.n)
		return ac_err_set(err, AC_EINVAL, nm->email, "missing");
	if (!memchr(im->email.p, '@', im->email.n))
		return ac_err_set(err, AC_EINVAL, nm->email,
				  "not an e-mail address: \"%.*s\"",
				  (int)(im->email.n > 60 ? 60 : im->email.n),
				  im->email.p);
	if (!im->has_addr)
		return ac_err_set(err, AC_EINVAL, nm->address, "missing");
	im->addr.country = imp_trim(im->addr.country);
	if (im->addr.country.n != 2)
		return ac_err_set(err, AC_EINVAL, nm->country,
				  "not an ISO 3166-1 alpha-2 code: \"%.*s\"",
				  (int)(im->addr.country.n > 40 ? 40 :
					im->addr.country.n),
				  im->addr.country.p);
	if (!imp_trim(im->addr.line1).n)
		return ac_err_set(err, AC_EINVAL, nm->line1, "empty");
	if (!imp_trim(im->cust_name).n)
		im->cust_name = im->email;
	if (im->n_items == 0)
		return ac_err_set(err, AC_EINVAL, nm->items,
				  "no line items: an order has items");
	return 0;
}

int imp_currency(struct ac_str s, const struct currency **out,
		 const char *field, struct ac_err *err)
{
	s = imp_trim(s);
	if (!s.n)
		return ac_err_set(err, AC_EINVAL, field, "missing");
	*out = money_currency_find(s.p, s.n);
	if (!*out)
		return ac_err_set(err, AC_EINVAL, field,
				  "not a known ISO 4217 currency: \"%.*s\"",
				  (int)(s.n > 20 ? 20 : s.n), s.p);
	return 0;
}

int imp_time(struct ac_str s, bool utc, int64_t *out, const char *field,
	     struct ac_err *err)
{
	s = imp_trim(s);
	if (!s.n)
		return ac_err_set(err, AC_EINVAL, field, "missing");
	if (import_time_parse(s.p, s.n, utc, out))
		return ac_err_set(err, AC_EINVAL, field,
				  "not a date and time with a zone: "
				  "\"%.*s\"", (int)(s.n > 40 ? 40 : s.n),
				  s.p);
	return 0;
}

void imp_add_tracking(struct import_order *out, int64_t at,
		      struct ac_str carrier, struct ac_str number,
		      struct ac_str status)
{
	struct import_tracking *t;

	number = imp_trim(number);
	carrier = imp_trim(carrier);
	status = imp_trim(status);
	if (!number.n || out->n_tracking == IMPORT_MAX_TRACKING)
		return;
	t = &out->tracking[out->n_tracking++];
	t->at = at;
	snprintf(t->detail, sizeof t->detail, "%.*s%s%.*s%s%.*s",
		 (int)(carrier.n > 60 ? 60 : carrier.n), carrier.p,
		 carrier.n ? " " : "", (int)(number.n > 80 ? 80 : number.n),
		 number.p, status.n ? " " : "",
		 (int)(status.n > 40 ? 40 : status.n), status.p);
	snprintf(t->carrier, sizeof t->carrier, "%.*s",
		 (int)(carrier.n < sizeof t->carrier ? carrier.n : 0),
		 carrier.p ? carrier.p : "");
	snprintf(t->code, sizeof t->code, "%.*s",
		 (int)(number.n < sizeof t->code ? number.n : 0), number.p);
}

/* ---- the order request JSON ---------------------------------------- */

/* w_str writes before (a comma, or the brace that opens the object),
 * then "key": and s trimmed as a JSON string. */
static void w_str(struct buf *b, const char *before, const char *key,
		  struct ac_str s)
{
	s = imp_trim(s);
	buf_addf(b, "%s\"%s\":", before, key);
	json_str_write(b, s.p ? s.p : "", s.n);
}

static void w_addr(struct buf *b, const struct imp_addr *a)
{
	w_str(b, "{", "name", a->name);
	w_str(b, ",", "line1", a->line1);
	w_str(b, ",", "line2", a->line2);
	w_str(b, ",", "city", a->city);
	w_str(b, ",", "region", a->region);
	w_str(b, ",", "postal_code", a->zip);
	w_str(b, ",", "country", a->country);
	buf_addc(b, '}');
}

int imp_write(const struct imp *im, const char *prefix,
	      struct import_order *out, struct ac_err *err)
{
	struct buf *b = &out->json;
	struct ac_str id = imp_trim(im->id);
	char t[40];

	if (id.n && id.p[0] == '#') {
		id.p++;
		id.n--;
	}
	snprintf(out->id, sizeof out->id, "%s%.*s", prefix ? prefix : "",
		 (int)id.n, id.p);
	if (!id.n)
		return ac_err_set(err, AC_EINVAL, "id", "empty");
	for (size_t i = 0; i < id.n; i++)
		if ((unsigned char)id.p[i] < 0x20 || id.p[i] == 0x7f)
			return ac_err_set(err, AC_EINVAL, "id", "holds a "
					  "control character");
	if (strlen(out->id) > 127 || id.n > 127)
		return ac_err_set(err, AC_ELIMIT, "id",
				  "longer than 127 bytes");
	buf_reset(b);
	buf_adds(b, "{\"id\":");
	json_str_write(b, out->id, strlen(out->id));
	instant_format(im->placed_at, t, sizeof t);
	buf_addf(b, ",\"placed_at\":\"%s\",\"currency\":\"%s\","
		 "\"shipping_minor\":%lld,\"address\":", t, im->cur->code,
		 (long long)im->shipping_minor);
	w_addr(b, &im->addr);
	buf_adds(b, ",\"items\":[");
	for (int i = 0; i < im->n_items; i++) {
		const struct imp_item *it = &im->items[i];

		buf_addf(b, "%s{\"line\":%d", i ? "," : "", i + 1);
		w_str(b, ",", "sku", it->sku);
		w_str(b, ",", "kind", it->kind);
		w_str(b, ",", "style", it->style);
		w_str(b, ",", "shape", it->shape);
		w_str(b, ",", "material", it->material);
		w_str(b, ",", "color", it->color);
		if (it->size.n)
			w_str(b, ",", "size", it->size);
		if (imp_trim(it->certificate).n)
			w_str(b, ",", "certificate", it->certificate);
		buf_addf(b, ",\"price_minor\":%lld}",
			 (long long)it->price_minor);
	}
	w_str(b, "],\"customer\":{", "name", im->cust_name);
	w_str(b, ",", "email", im->email);
	buf_addf(b, "},\"paid_minor\":%lld", (long long)imp_paid_minor(im));
	if (im->shipped) {
		instant_format(im->shipped_at, t, sizeof t);
		buf_addf(b, ",\"shipment\":{\"shipped_at\":\"%s\","
			 "\"address\":", t);
		w_addr(b, &im->addr);
		if (im->delivered) {
			instant_format(im->delivered_at, t, sizeof t);
			buf_addf(b, ",\"delivered_at\":\"%s\"", t);
		}
		buf_addc(b, '}');
	}
	buf_addc(b, '}');
	if (buf_error(b))
		return ac_err_set(err, AC_ELIMIT, "", "the order is larger "
				  "than %zu bytes", b->cap);
	return 0;
}

/* ---- JSON members -------------------------------------------------- */

int jstr(const cJSON *o, const char *key, const char *path,
	 struct ac_str *out, struct ac_err *err)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	out->p = NULL;
	out->n = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v)) {
		char f[128];

		snprintf(f, sizeof f, "%s%s%s", path, *path ? "." : "", key);
		return ac_err_set(err, AC_EINVAL, f, "not a string");
	}
	out->p = v->valuestring;
	out->n = strlen(v->valuestring);
	return 0;
}

const cJSON *jarr(const cJSON *v)
{
	return cJSON_IsArray(v) ? v : NULL;
}

int jid(const cJSON *o, const char *key, char *buf, size_t cap)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	buf[0] = '\0';
	if (cJSON_IsString(v) && v->valuestring[0]) {
		snprintf(buf, cap, "%s", v->valuestring);
		return 0;
	}
	/* a whole number below 2^53 prints exactly */
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble < 9007199254740992.0 &&
	    v->valuedouble == (double)(int64_t)v->valuedouble) {
		snprintf(buf, cap, "%lld", (long long)(int64_t)v->valuedouble);
		return 0;
	}
	return -1;
}

int jint(const cJSON *o, const char *key, const char *path, int64_t lo,
	 int64_t hi, int64_t *out, struct ac_err *err)
{
	char t[32], f[128];
	char *end;
	long long v;

	snprintf(f, sizeof f, "%s%s%s", path, *path ? "." : "", key);
	if (!o || !cJSON_GetObjectItemCaseSensitive(o, key))
		return ac_err_set(err, AC_EINVAL, f, "missing");
	if (jid(o, key, t, sizeof t))
		return ac_err_set(err, AC_EINVAL, f, "not a whole number");
	v = strtoll(t, &end, 10);
	if (*end || v < lo || v > hi)
		return ac_err_set(err, AC_EINVAL, f, "not a whole number "
				  "from %lld to %lld", (long long)lo,
				  (long long)hi);
	*out = v;
	return 0;
}

int64_t imp_paid_minor(const struct imp *im)
{
	if (!im->paid || im->refunded_minor >= im->total_minor)
		return 0;
	return im->total_minor - im->refunded_minor;
}

int imp_refunded(struct imp *im, int64_t v, const char *path,
		 struct ac_err *err)
{
	if (!money_add(&im->refunded_minor, v) ||
	    im->refunded_minor > AC_MONEY_MAX)
		return ac_err_set(err, AC_EINVAL, path, "refunds above "
				  "9007199254740991");
	return 0;
}

int jmoney(const cJSON *o, const char *key, const char *path,
	   const struct currency *c, bool *present, int64_t *out,
	   struct ac_err *err)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
	char f[128];

	snprintf(f, sizeof f, "%s%s%s", path, *path ? "." : "", key);
	*out = 0;
	if (present)
		*present = false;
	if (!v || cJSON_IsNull(v))
		return present ? 0 : ac_err_set(err, AC_EINVAL, f, "missing");
	if (!cJSON_IsString(v))
		return ac_err_set(err, AC_EINVAL, f, "not a decimal string "
				  "(an amount is read from its text, "
				  "exactly)");
	if (import_money_parse(v->valuestring, strlen(v->valuestring), c,
			       out, f, err))
		return AC_EINVAL;
	if (present)
		*present = true;
	return 0;
}

int imp_json_name(struct imp *im, const cJSON *who, const char *path,
		  struct ac_err *err)
{
	struct ac_str first, last;

	if (jstr(who, "first_name", path, &first, err) ||
	    jstr(who, "last_name", path, &last, err))
		return AC_EINVAL;
	im->cust_name = imp_join(im, first, " ", last);
	if (!im->cust_name.n)
		im->cust_name = im->addr.name;
	return 0;
}

int imp_json_items(struct imp *im, const cJSON *o,
		   int (*item)(const cJSON *li, const char *path,
			       struct imp *im, struct ac_err *err),
		   struct ac_err *err)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "line_items");
	const cJSON *li;
	int i = 0;

	if (!cJSON_IsArray(items))
		return ac_err_set(err, AC_EINVAL, "line_items",
				  items ? "not an array" : "missing");
	cJSON_ArrayForEach(li, items) {
		char path[40];

		snprintf(path, sizeof path, "line_items[%d]", i++);
		if (item(li, path, im, err))
			return AC_EINVAL;
	}
	return 0;
}

/* ---- the reader ---------------------------------------------------- */

struct span {
	size_t off, len;
};

struct import_reader {
	enum import_source source;
	enum import_format format;
	char *buf;
	size_t n;
	const char *prefix;
	/* JSON */
	struct span *spans;
	size_t n_spans, next;
	bool single;                   /* {"order": {...}} or one object */
	struct json_arena arena;
	/* CSV */
	struct csv_reader csv;
	struct shopify_csv *sc;
	struct imp im;
};

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *skip_string(const char *p, const char *e)
{
	for (p++; p < e; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* skip_value: past one JSON value (its brackets matched, its strings
 * closed; what lies between is left to the JSON parser), or NULL. */
static const char *skip_value(const char *p, const char *e)
{
	char stack[AC_JSON_MAX_DEPTH];
	int depth = 0;
	const char *s;

	p = skip_ws(p, e);
	if (p >= e)
		return NULL;
	if (*p == '"')
		return skip_string(p, e);
	if (*p != '{' && *p != '[') {
		for (s = p; p < e && *p != ',' && *p != ']' && *p != '}' &&
			    *p != ' ' && *p != '\t' && *p != '\n' &&
			    *p != '\r'; p++)
			;
		return p == s ? NULL : p;
	}
	while (p < e) {
		char c = *p;

		if (c == '"') {
			p = skip_string(p, e);
			if (!p)
				return NULL;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == AC_JSON_MAX_DEPTH)
				return NULL;
			stack[depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (!depth || stack[depth - 1] != c)
				return NULL;
			if (--depth == 0)
				return p + 1;
		}
		p++;
	}
	return NULL;
}

static int json_bad(const struct import_reader *r, const char *p,
		    const char *what, struct ac_err *err)
{
	return ac_err_set(err, AC_ESYNTAX, "", "not JSON: %s at byte %zu",
			  what, (size_t)(p - r->buf) + 1);
}

static void add_span(struct import_reader *r, const char *s, const char *e,
		     size_t *cap)
{
	if (r->n_spans == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		r->spans = xrealloc(r->spans, *cap * sizeof *r->spans);
	}
	r->spans[r->n_spans].off = (size_t)(s - r->buf);
	r->spans[r->n_spans].len = (size_t)(e - s);
	r->n_spans++;
}

/* scan_array: the elements of the array at p, one span each. */
static const char *scan_array(struct import_reader *r, const char *p,
			      const char *e, size_t *cap, struct ac_err *err)
{
	p = skip_ws(p + 1, e);
	if (p < e && *p == ']')
		return p + 1;
	for (;;) {
		const char *s = skip_ws(p, e), *v = skip_value(s, e);

		if (!v) {
			json_bad(r, s, "an order that is cut short or does not "
				 "close", err);
			return NULL;
		}
		add_span(r, s, v, cap);
		p = skip_ws(v, e);
		if (p < e && *p == ',') {
			p++;
			continue;
		}
		if (p < e && *p == ']')
			return p + 1;
		json_bad(r, p < e ? p : e, "expected , or ] after an order",
			 err);
		return NULL;
	}
}

static int scan_json(struct import_reader *r, struct ac_err *err)
{
	const char *p = r->buf, *e = r->buf + r->n;
	size_t cap = 0;
	bool found = false;

	if (r->n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	p = skip_ws(p, e);
	if (p < e && *p == '[') {
		p = scan_array(r, p, e, &cap, err);
		if (!p)
			return AC_ESYNTAX;
		found = true;
	} else if (p < e && *p == '{' && r->source == IMPORT_WOOCOMMERCE) {
		const char *v = skip_value(p, e);

		if (!v)
			return json_bad(r, p, "the order does not close", err);
		add_span(r, p, v, &cap);
		r->single = true;
		p = v;
		found = true;
	} else if (p < e && *p == '{') {
		p = skip_ws(p + 1, e);
		while (p < e && *p != '}') {
			const char *k = p, *ke, *v;

			if (*p != '"')
				return json_bad(r, p, "expected a key", err);
			ke = skip_string(p, e);
			if (!ke)
				return json_bad(r, p, "a key that never "
						"closes", err);
			p = skip_ws(ke, e);
			if (p >= e || *p != ':')
				return json_bad(r, p < e ? p : e,
						"expected :", err);
			p = skip_ws(p + 1, e);
			if (ke - k == 8 && !memcmp(k, "\"orders\"", 8) &&
			    p < e && *p == '[') {
				p = scan_array(r, p, e, &cap, err);
				if (!p)
					return AC_ESYNTAX;
				found = true;
			} else if (ke - k == 7 && !memcmp(k, "\"order\"", 7) &&
				   p < e && *p == '{') {
				v = skip_value(p, e);
				if (!v)
					return json_bad(r, p, "the order does "
							"not close", err);
				add_span(r, p, v, &cap);
				r->single = true;
				p = v;
				found = true;
			} else {
				v = skip_value(p, e);
				if (!v)
					return json_bad(r, p, "a value that "
							"does not close", err);
				p = v;
			}
			p = skip_ws(p, e);
			if (p < e && *p == ',')
				p = skip_ws(p + 1, e);
			else if (p >= e || *p != '}')
				return json_bad(r, p < e ? p : e,
						"expected , or }", err);
		}
		if (p >= e)
			return json_bad(r, e, "the object does not close",
					err);
		p++;
		if (!found)
			return ac_err_set(err, AC_EINVAL, "orders",
					  "missing: Shopify's order JSON is "
					  "{\"orders\": [...]} or "
					  "{\"order\": {...}}");
	} else {
		return json_bad(r, p < e ? p : e, "expected [ or {", err);
	}
	p = skip_ws(p, e);
	if (p < e)
		return json_bad(r, p, "more after the orders", err);
	return 0;
}

int import_reader_new(enum import_source source, enum import_format fmt,
		      const char *name, char *buf, size_t n,
		      const char *id_prefix, struct import_reader **out,
		      struct ac_err *err)
{
	struct import_reader *r;
	int rc = 0;

	*out = NULL;
	if (fmt == IMPORT_AUTO) {
		size_t ln = name ? strlen(name) : 0;
		const char *p = buf, *e = buf + n;

		if (ln > 5 && !strcmp(name + ln - 5, ".json"))
			fmt = IMPORT_JSON;
		else if (ln > 4 && !strcmp(name + ln - 4, ".csv"))
			fmt = IMPORT_CSV;
		else {
			if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
				p += 3;
			p = skip_ws(p, e);
			fmt = p < e && (*p == '{' || *p == '[') ?
			      IMPORT_JSON : IMPORT_CSV;
		}
	}
	if (fmt == IMPORT_CSV && source != IMPORT_SHOPIFY)
		return ac_err_set(err, AC_EINVAL, "format",
				  "WooCommerce orders are read from its "
				  "REST JSON only");
	r = xcalloc(1, sizeof *r);
	r->source = source;
	r->format = fmt;
	r->buf = buf;
	r->n = n;
	r->prefix = id_prefix;
	if (fmt == IMPORT_JSON) {
		rc = scan_json(r, err);
		json_arena_init(&r->arena);
	} else {
		csv_reader_init(&r->csv, buf, n);
		rc = shopify_csv_new(&r->csv, &r->sc, err);
	}
	if (rc) {
		import_reader_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

enum import_format import_reader_format(const struct import_reader *r)
{
	return r->format;
}

long import_reader_total(const struct import_reader *r)
{
	return r->format == IMPORT_JSON ? (long)r->n_spans : -1;
}

static int next_json(struct import_reader *r, struct import_order *out,
		     struct ac_err *err)
{
	const struct span *sp;
	cJSON *root = NULL;
	char ext[48];
	int rc;

	if (r->next == r->n_spans)
		return 0;
	sp = &r->spans[r->next];
	if (r->single)
		snprintf(out->where, sizeof out->where, "%s",
			 r->source == IMPORT_SHOPIFY ? "order" : "[0]");
	else
		snprintf(out->where, sizeof out->where, "%s[%zu]",
			 r->source == IMPORT_SHOPIFY ? "orders" : "",
			 r->next);
	r->next++;
	json_arena_reset(&r->arena);
	json_arena_enter(&r->arena);
	rc = json_parse(r->buf + sp->off, sp->len, IMPORT_ORDER_MAX_BYTES,
			"order", &root, err);
	if (!rc && !cJSON_IsObject(root))
		rc = ac_err_set(err, AC_EINVAL, "", "not an order object");
	if (!rc) {
		if (!jid(root, "id", ext, sizeof ext)) {
			size_t l = strlen(out->where);

			snprintf(out->where + l, sizeof out->where - l,
				 " (id %s)", ext);
		}
		imp_reset(&r->im);
		rc = r->source == IMPORT_SHOPIFY ?
		     shopify_json_map(root, &r->im, out, err) :
		     woo_json_map(root, &r->im, out, err);
	}
	if (!rc)
		rc = imp_write(&r->im, r->prefix, out, err);
	cJSON_Delete(root);
	json_arena_leave(&r->arena);
	return rc ? rc : 1;
}

int import_reader_next(struct import_reader *r, struct import_order *out,
		       struct ac_err *err)
{
	int rc;

	ac_err_clear(err);
	out->where[0] = '\0';
	out->line = 0;
	out->id[0] = '\0';
	out->n_tracking = 0;
	buf_reset(&out->json);
	if (r->format == IMPORT_JSON)
		return next_json(r, out, err);
	imp_reset(&r->im);
	rc = shopify_csv_next(r->sc, &r->im, out, err);
	if (rc == 1) {
		rc = imp_write(&r->im, r->prefix, out, err);
		if (rc && err)
			err->line = (int)out->line;
		return rc ? rc : 1;
	}
	return rc;
}

void import_reader_free(struct import_reader *r)
{
	if (!r)
		return;
	if (r->format == IMPORT_JSON)
		json_arena_release(&r->arena);
	shopify_csv_free(r->sc);
	free(r->spans);
	free(r);
}

void import_order_init(struct import_order *o)
{
	memset(o, 0, sizeof *o);
	buf_init(&o->json, 4u * IMPORT_ORDER_MAX_BYTES);
}

void import_order_release(struct import_order *o)
{
	buf_release(&o->json);
}
