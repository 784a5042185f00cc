/* import.h: orders from a shop's export, mapped onto aftercare's orders
 * (codec layer). Shopify's order JSON (Admin REST: {"orders": [...]} or
 * {"order": {...}}) and its orders CSV export (one row per line item),
 * and WooCommerce's REST order JSON (an array of orders). Each order read
 * becomes the body POST /v1/orders takes (order_request_read reads it),
 * plus the courier's tracking numbers, which aftercare keeps as tracking
 * events. docs/IMPORT.md has the mapping field by field.
 * Ownership: the reader borrows the file's bytes for its whole life and
 * may rewrite them (the CSV reader unquotes in place); an order read
 * belongs to the caller's struct import_order until its next read.
 * Money is parsed from the decimal text, exactly, never through a float. */
#ifndef AC_IMPORT_H
#define AC_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "../core/money.h"
#include "buf.h"

enum import_source { IMPORT_SHOPIFY, IMPORT_WOOCOMMERCE };
enum import_format { IMPORT_AUTO, IMPORT_JSON, IMPORT_CSV };

/* The largest order (one JSON order object) accepted, in bytes. */
#define IMPORT_ORDER_MAX_BYTES (1u << 20)
/* The most tracking numbers kept per order. */
#define IMPORT_MAX_TRACKING 8

/* import_money_parse reads a decimal amount in major units ("520",
 * "520.5", "520.50") in currency c into minor units (52050), exactly:
 * digits, at most one point, nothing else (no sign, no spaces, no
 * thousands separators, no exponent). More fractional digits than the
 * currency has are refused unless they are all zeros ("1500.00" in JPY
 * is 1500; "12.345" in USD is refused). Returns 0, or AC_EINVAL with err
 * naming field and saying why (not a decimal amount, too many decimals
 * for the currency, above 2^53 - 1). */
int import_money_parse(const char *s, size_t n, const struct currency *c,
		       int64_t *minor, const char *field, struct ac_err *err);

/* import_time_parse reads an instant as shops write them: RFC 3339 with
 * a zone ("2026-03-01T10:00:00-05:00"), Shopify's CSV form
 * ("2026-03-01 10:00:00 -0500"), and, when utc is true, the same
 * without a zone, taken as UTC (WooCommerce's *_gmt fields). Returns 0
 * and sets *us (microseconds since the epoch), or -1. */
int import_time_parse(const char *s, size_t n, bool utc, int64_t *us);

/* A courier's tracking number on an imported order, kept as a tracking
 * event of kind "shipped" at `at` with `detail` ("UPS 1Z999AA1 ..."). */
struct import_tracking {
	int64_t at;
	char detail[192];
	char carrier[64];      /* as the shop wrote it ("" when unknown) */
	char code[129];        /* the tracking number, as written */
};

/* One order as read: where it is in the file, its aftercare id, the
 * order request JSON and its tracking numbers. */
struct import_order {
	char where[96];        /* "12" (CSV line) or "orders[3] (id 4507)" */
	long line;             /* the CSV line the order starts on; 0: JSON */
	char id[128];          /* aftercare's order id; "" when unknown */
	struct buf json;       /* the body POST /v1/orders takes */
	int n_tracking;
	struct import_tracking tracking[IMPORT_MAX_TRACKING];
};

void import_order_init(struct import_order *o);
void import_order_release(struct import_order *o);

struct import_reader;

/* import_reader_new checks that buf[0..n) is a file it can read as
 * source's export in format fmt (IMPORT_AUTO: by the name's extension,
 * .json or .csv, else by the first byte: { or [ is JSON) and prepares to
 * read it. Order ids get id_prefix (may be NULL) in front. The whole
 * JSON file's structure is checked here, so that nothing is imported
 * from a file cut short. Returns 0 and *out (import_reader_free), or
 * AC_ESYNTAX / AC_EINVAL when the file cannot be used at all (not JSON
 * of the right shape, a CSV file without a column that is needed), err
 * naming the field (a CSV column) and err->line the line (0: none). */
int import_reader_new(enum import_source source, enum import_format fmt,
		      const char *name, char *buf, size_t n,
		      const char *id_prefix, struct import_reader **out,
		      struct ac_err *err);

/* import_reader_format says which format the reader took the file for. */
enum import_format import_reader_format(const struct import_reader *r);

/* import_reader_next reads the next order into *out. Returns 1 with an
 * order, 0 after the last one, or a negative AC_E* code when this order
 * cannot be imported: out->where says where it is, err names the field
 * in the shop's own terms ("line_items[1].price", "Lineitem price") and
 * why, err->line is its CSV line (0 for JSON). The reader goes on with
 * the next order at the next call. */
int import_reader_next(struct import_reader *r, struct import_order *out,
		       struct ac_err *err);

/* import_reader_total is the number of orders in a JSON file (known
 * once it is read), -1 for CSV (not known in advance). */
long import_reader_total(const struct import_reader *r);

void import_reader_free(struct import_reader *r);

#endif
