/* item.h: order items, their kinds and size comparison (core).
 * Sizes are decimal strings on the wire ("7.25") and int64 thousandths
 * here, so that tolerances compare exactly. */
#ifndef AC_ITEM_H
#define AC_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "str.h"

enum item_kind {
	KIND_RING,
	KIND_NECKLACE,
	KIND_BRACELET,
	KIND_EARRINGS,
	KIND_PENDANT,
	KIND_OTHER,
	KIND_COUNT
};

/* item_kind_name returns the wire name of a kind ("ring"). */
const char *item_kind_name(enum item_kind k);

/* item_kind_parse: 0 and *out on a known name, -1 otherwise. */
int item_kind_parse(const char *s, size_t n, enum item_kind *out);

/* item_size_parse reads a non-negative decimal with at most 3 fractional
 * digits ("7", "7.25", "45.5") into thousandths. Returns 0, or -1 when s
 * is not such a number or exceeds 1,000,000. */
int item_size_parse(const char *s, size_t n, int64_t *milli);

struct item {
	int line;
	struct ac_str sku;
	enum item_kind kind;
	struct ac_str style, shape, material, color;
	bool has_size;
	int64_t size_milli;
	int64_t price_minor;
	struct ac_str certificate;   /* n == 0: none */
};

/* What arrived for one line, where it differs or was checked. A field
 * left out (has_size false / p == NULL) or reported blank was not
 * reported and counts as equal. */
struct received {
	int line;
	struct ac_str style, shape, material, color;
	bool has_size;
	int64_t size_milli;
};

enum size_match {
	SIZE_SAME,          /* equal, or nothing to compare */
	SIZE_WITHIN,        /* differs by no more than the tolerance */
	SIZE_BEYOND         /* differs by more, or the kind has no tolerance */
};

/* item_size_compare compares a received size with the ordered one under a
 * tolerance in thousandths (a negative tolerance: the kind has none). */
enum size_match item_size_compare(int64_t ordered_milli, int64_t got_milli,
				  int64_t tolerance_milli);

/* item_attrs_differ: true when style, shape, material or colour reported
 * in r differs from the item's, ignoring case and surrounding spaces. */
bool item_attrs_differ(const struct item *it, const struct received *r);

#endif
