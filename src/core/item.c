/* item.c: item kinds, decimal sizes and attribute comparison (core). */
#include "item.h"

#include <string.h>

static const char *const kind_names[KIND_COUNT] = {
	"ring", "necklace", "bracelet", "earrings", "pendant", "other"
};

const char *item_kind_name(enum item_kind k)
{
	return kind_names[k];
}

int item_kind_parse(const char *s, size_t n, enum item_kind *out)
{
	for (int k = 0; k < KIND_COUNT; k++) {
		if (strlen(kind_names[k]) == n &&
		    memcmp(kind_names[k], s, n) == 0) {
			*out = (enum item_kind)k;
			return 0;
		}
	}
	return -1;
}

int item_size_parse(const char *s, size_t n, int64_t *milli)
{
	int64_t whole = 0, frac = 0;
	size_t i = 0;
	int nd = 0;

	if (n == 0)
		return -1;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		whole = whole * 10 + (s[i] - '0');
		if (whole > 1000000)
			return -1;
		i++;
	}
	if (i == 0)
		return -1;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (++nd > 3)
				return -1;
			frac = frac * 10 + (s[i] - '0');
			i++;
		}
		if (nd == 0)
			return -1;
	}
	if (i != n)
		return -1;
	for (; nd < 3; nd++)
		frac *= 10;
	*milli = whole * 1000 + frac;
	return *milli > 1000000000 ? -1 : 0;
}

enum size_match item_size_compare(int64_t ordered_milli, int64_t got_milli,
				  int64_t tolerance_milli)
{
	int64_t diff = got_milli - ordered_milli;

	if (diff < 0)
		diff = -diff;
	if (diff == 0)
		return SIZE_SAME;
	if (tolerance_milli >= 0 && diff <= tolerance_milli)
		return SIZE_WITHIN;
	return SIZE_BEYOND;
}

/* A field reported empty says nothing about what arrived. */
static bool differs(struct ac_str ordered, struct ac_str got)
{
	return got.p != NULL && !ac_str_eq_fold(got, AC_STR_LIT("")) &&
	       !ac_str_eq_fold(ordered, got);
}

bool item_attrs_differ(const struct item *it, const struct received *r)
{
	return differs(it->style, r->style) || differs(it->shape, r->shape) ||
	       differs(it->material, r->material) ||
	       differs(it->color, r->color);
}
