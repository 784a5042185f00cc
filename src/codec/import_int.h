/* import_int.h: what the import readers share (codec layer, internal:
 * only src/codec/import*.c include it). A shop's order is first read
 * into a struct imp, in aftercare's terms but still as slices of the
 * shop's text; imp_write turns it into the order request JSON. */
#ifndef AC_IMPORT_INT_H
#define AC_IMPORT_INT_H

#include <cJSON.h>

#include "../core/case.h"
#include "csv.h"
#include "import.h"

struct imp_addr {
	struct ac_str name, line1, line2, city, region, zip, country;
};

struct imp_item {
	struct ac_str sku, kind, style, shape, material, color, size;
	struct ac_str certificate;
	int64_t price_minor;
};

struct imp {
	struct ac_str id;              /* the shop's order name or number */
	int64_t placed_at;
	const struct currency *cur;
	int64_t shipping_minor;
	bool paid;                     /* payment taken: paid_minor = total
					* less what the shop refunded */
	int64_t total_minor;
	int64_t refunded_minor;        /* refunded in the shop already */
	bool has_addr;
	struct imp_addr addr;
	struct ac_str cust_name, email;
	bool shipped, delivered;
	int64_t shipped_at, delivered_at;
	int n_items;
	struct imp_item items[AC_MAX_ITEMS];
	size_t used;                   /* of scratch */
	char scratch[4096];            /* strings made while mapping */
};

/* imp_utf8: s[0..n) is UTF-8 (RFC 3629). */
bool imp_utf8(const char *s, size_t n);

/* imp_reset empties *im for the next order. */
void imp_reset(struct imp *im);

/* imp_str copies two slices joined by sep (may be "") into the scratch
 * space; the result is trimmed. A slice with p NULL counts as empty. */
struct ac_str imp_join(struct imp *im, struct ac_str a, const char *sep,
		       struct ac_str b);

/* imp_trim: s without surrounding white space. */
struct ac_str imp_trim(struct ac_str s);

/* imp_is: s, trimmed, is lit. */
bool imp_is(struct ac_str s, const char *lit);

/* imp_item_prop applies a line item property or meta entry (name,
 * value) to *it when its name is one aftercare reads (docs/IMPORT.md:
 * kind, material/metal, size/ring size/length, style, shape, color,
 * certificate); others are ignored. */
void imp_item_prop(struct imp_item *it, struct ac_str name,
		   struct ac_str value);

/* imp_add_item completes a line item (kind from the title when no
 * property gave it, size from the variant text, the title as its sku
 * when it has none) and adds it `qty` times,
 * priced from `price_minor`: the unit price, or when `is_total` the
 * line's total, split into qty prices that differ by at most one minor
 * unit and sum to it exactly. Errors name `field` (the line item). */
int imp_add_item(struct imp *im, struct imp_item *it, struct ac_str title,
		 struct ac_str variant, int64_t qty, int64_t price_minor,
		 bool is_total, const char *field, struct ac_err *err);

/* imp_check checks what aftercare needs that the shop may lack (e-mail,
 * an address with a country code, a customer name, an item), naming
 * the shop's fields as given in names (email, address, name, items). */
struct imp_names {
	const char *email, *address, *country, *line1, *items;
};
int imp_check(struct imp *im, const struct imp_names *nm,
	      struct ac_err *err);

/* imp_write writes the order request JSON for *im into out->json and
 * its id (prefix + the shop's id without a leading '#') into out->id. */
int imp_write(const struct imp *im, const char *prefix,
	      struct import_order *out, struct ac_err *err);

/* imp_currency: the currency named by s, or AC_EINVAL naming field. */
int imp_currency(struct ac_str s, const struct currency **out,
		 const char *field, struct ac_err *err);

/* imp_time: an instant read by import_time_parse, or AC_EINVAL. */
int imp_time(struct ac_str s, bool utc, int64_t *out, const char *field,
	     struct ac_err *err);

/* imp_add_tracking adds a tracking number to out (ignored past
 * IMPORT_MAX_TRACKING or when number is empty). */
void imp_add_tracking(struct import_order *out, int64_t at,
		      struct ac_str carrier, struct ac_str number,
		      struct ac_str status);

/* JSON helpers: a member's string (absent or null: p NULL), or
 * AC_EINVAL naming path.key when it is there but not a string. */
int jstr(const cJSON *o, const char *key, const char *path,
	 struct ac_str *out, struct ac_err *err);
/* jid: a member that is a string or a whole number, as text in buf. */
int jid(const cJSON *o, const char *key, char *buf, size_t cap);
/* jint: a member that is a whole number (or a string of digits) in
 * [lo, hi]. */
int jint(const cJSON *o, const char *key, const char *path, int64_t lo,
	 int64_t hi, int64_t *out, struct ac_err *err);
/* jmoney: a member that is a decimal string, read by import_money_parse
 * (absent or null: *present false, 0). */
int jmoney(const cJSON *o, const char *key, const char *path,
	   const struct currency *c, bool *present, int64_t *out,
	   struct ac_err *err);

/* imp_paid_minor: what aftercare may still refund of the order: its
 * total when the payment was taken, less what the shop refunded already,
 * never below 0; 0 when the payment was not taken. */
int64_t imp_paid_minor(const struct imp *im);

/* imp_refunded adds v, a refund the shop made (at path), to the
 * order's; AC_EINVAL past the money limit. */
int imp_refunded(struct imp *im, int64_t v, const char *path,
		 struct ac_err *err);

/* jarr: v when it is an array, else NULL (for cJSON_ArrayForEach). */
const cJSON *jarr(const cJSON *v);

/* imp_json_name sets the customer's name from who's first_name and
 * last_name (who may be NULL; a member that is not a string is AC_EINVAL
 * naming path), or the address's name when both are empty: map the
 * address first. */
int imp_json_name(struct imp *im, const cJSON *who, const char *path,
		  struct ac_err *err);

/* imp_json_items reads o's "line_items" array through item, one call a
 * line with its path ("line_items[3]"); AC_EINVAL when the array is
 * missing or not one, else the first error item returns. */
int imp_json_items(struct imp *im, const cJSON *o,
		   int (*item)(const cJSON *li, const char *path,
			       struct imp *im, struct ac_err *err),
		   struct ac_err *err);

/* The per-source readers. */
int shopify_json_map(const cJSON *o, struct imp *im, struct import_order *out,
		     struct ac_err *err);
int woo_json_map(const cJSON *o, struct imp *im, struct import_order *out,
		 struct ac_err *err);

struct shopify_csv;
int shopify_csv_new(struct csv_reader *csv, struct shopify_csv **out,
		    struct ac_err *err);
int shopify_csv_next(struct shopify_csv *sc, struct imp *im,
		     struct import_order *out, struct ac_err *err);
void shopify_csv_free(struct shopify_csv *sc);

#endif
