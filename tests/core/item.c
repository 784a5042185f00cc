/* tests/core/item.c: unit tests for src/core/item.c (Criterion).
 * Sizes as exact thousandths, size comparison at the tolerance's edges,
 * attribute comparison ignoring case and surrounding spaces, kind names. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../../src/core/item.h"

static struct ac_str s(const char *z)
{
	struct ac_str r = { z, z ? strlen(z) : 0 };

	return r;
}

/* ---- item_size_parse ---------------------------------------------------- */

static int64_t size_ok(const char *z)
{
	int64_t milli = -12345;

	cr_assert_eq(item_size_parse(z, strlen(z), &milli), 0, "rejected '%s'",
		     z);
	return milli;
}

static void size_bad(const char *z)
{
	int64_t milli = -12345;

	cr_assert_eq(item_size_parse(z, strlen(z), &milli), -1,
		     "accepted '%s' as %lld", z, (long long)milli);
}

Test(item_size_parse, integers)
{
	cr_assert_eq(size_ok("7"), 7000);
	cr_assert_eq(size_ok("0"), 0);
	cr_assert_eq(size_ok("45"), 45000);
}

Test(item_size_parse, fractions_up_to_three_digits)
{
	cr_assert_eq(size_ok("7.25"), 7250);
	cr_assert_eq(size_ok("7.125"), 7125);
	cr_assert_eq(size_ok("45.5"), 45500);
	cr_assert_eq(size_ok("7.5"), 7500);
	cr_assert_eq(size_ok("7.05"), 7050);
	cr_assert_eq(size_ok("7.005"), 7005);
	cr_assert_eq(size_ok("7.000"), 7000);
	cr_assert_eq(size_ok("0.001"), 1);
}

Test(item_size_parse, four_fraction_digits_rejected)
{
	size_bad("7.1234");
	size_bad("7.0000");
	size_bad("7.1250");
}

Test(item_size_parse, not_a_decimal)
{
	size_bad("");
	size_bad("-1");
	size_bad("-0.5");
	size_bad("7.");
	size_bad(".5");
	size_bad("1e3");
	size_bad("abc");
	size_bad("7a");
	size_bad("7.2.5");
	size_bad("7,25");
	size_bad(".");
	size_bad("0x10");
}

Test(item_size_parse, limit)
{
	/* "exceeds 1,000,000" is refused; 1,000,000 itself is not. */
	cr_assert_eq(size_ok("1000000"), INT64_C(1000000000));
	cr_assert_eq(size_ok("999999.999"), INT64_C(999999999));
	size_bad("1000000.001");
	size_bad("1000001");
	size_bad("9223372036854775807");
	size_bad("99999999999999999999999");
	size_bad("18446744073709551616");
}

Test(item_size_parse, reads_only_n_bytes)
{
	int64_t milli = 0;

	cr_assert_eq(item_size_parse("7.25", 1, &milli), 0);
	cr_assert_eq(milli, 7000);
	cr_assert_eq(item_size_parse("7.25x", 4, &milli), 0);
	cr_assert_eq(milli, 7250);
	cr_assert_eq(item_size_parse("7.1234", 5, &milli), 0);
	cr_assert_eq(milli, 7123);
}

/* ---- item_size_compare -------------------------------------------------- */

Test(item_size_compare, equal_is_same)
{
	cr_assert_eq(item_size_compare(7000, 7000, 250), SIZE_SAME);
	cr_assert_eq(item_size_compare(7000, 7000, 0), SIZE_SAME);
	cr_assert_eq(item_size_compare(7000, 7000, -1), SIZE_SAME);
}

Test(item_size_compare, exactly_at_tolerance_is_within)
{
	cr_assert_eq(item_size_compare(7000, 7250, 250), SIZE_WITHIN);
	cr_assert_eq(item_size_compare(7000, 6750, 250), SIZE_WITHIN);
	cr_assert_eq(item_size_compare(45000, 45500, 500), SIZE_WITHIN);
	cr_assert_eq(item_size_compare(45000, 44500, 500), SIZE_WITHIN);
}

Test(item_size_compare, inside_tolerance_is_within)
{
	cr_assert_eq(item_size_compare(7000, 7001, 250), SIZE_WITHIN);
	cr_assert_eq(item_size_compare(7000, 6999, 250), SIZE_WITHIN);
	cr_assert_eq(item_size_compare(7000, 7125, 250), SIZE_WITHIN);
}

Test(item_size_compare, one_milli_over_is_beyond)
{
	cr_assert_eq(item_size_compare(7000, 7251, 250), SIZE_BEYOND);
	cr_assert_eq(item_size_compare(7000, 6749, 250), SIZE_BEYOND);
	cr_assert_eq(item_size_compare(45000, 45501, 500), SIZE_BEYOND);
	cr_assert_eq(item_size_compare(45000, 44499, 500), SIZE_BEYOND);
	cr_assert_eq(item_size_compare(7000, 8000, 250), SIZE_BEYOND);
}

Test(item_size_compare, zero_tolerance)
{
	cr_assert_eq(item_size_compare(7000, 7001, 0), SIZE_BEYOND);
	cr_assert_eq(item_size_compare(7000, 6999, 0), SIZE_BEYOND);
}

Test(item_size_compare, no_tolerance)
{
	/* A negative tolerance: the kind has none, any difference counts. */
	cr_assert_eq(item_size_compare(7000, 7001, -1), SIZE_BEYOND);
	cr_assert_eq(item_size_compare(7000, 6999, -1), SIZE_BEYOND);
	cr_assert_eq(item_size_compare(7000, 7250, -1), SIZE_BEYOND);
	cr_assert_eq(item_size_compare(7000, 7001, -250), SIZE_BEYOND);
}

Test(item_size_compare, extreme_sizes_do_not_overflow)
{
	cr_assert_eq(item_size_compare(0, INT64_C(1000000000), 500),
		     SIZE_BEYOND);
	cr_assert_eq(item_size_compare(INT64_C(1000000000), 0, 500),
		     SIZE_BEYOND);
	cr_assert_eq(
		item_size_compare(INT64_C(1000000000), INT64_C(999999500), 500),
		SIZE_WITHIN);
}

/* ---- item_attrs_differ -------------------------------------------------- */

static struct item ring(void)
{
	struct item it;

	memset(&it, 0, sizeof it);
	it.line = 1;
	it.sku = s("R-14W-7");
	it.kind = KIND_RING;
	it.style = s("halo");
	it.shape = s("oval");
	it.material = s("14k white gold");
	it.color = s("white");
	it.has_size = true;
	it.size_milli = 7000;
	it.price_minor = 52000;
	return it;
}

static struct received nothing_reported(void)
{
	struct received r;

	memset(&r, 0, sizeof r);
	r.line = 1;
	return r;
}

Test(item_attrs_differ, nothing_reported_is_equal)
{
	struct item it = ring();
	struct received r = nothing_reported();

	cr_assert_not(item_attrs_differ(&it, &r));
}

Test(item_attrs_differ, blank_field_is_not_reported)
{
	/* item.h: a field "left out (has_size false / p == NULL) or reported
	 * blank was not reported and counts as equal": the JSON had
	 * "material": "" or "style": "  ". */
	struct item it = ring();
	struct received r = nothing_reported();

	r.material.p = "";
	r.material.n = 0;
	r.color.p = "white";
	r.color.n = 0;
	r.style = s("  \t");
	cr_assert_not(item_attrs_differ(&it, &r));

	r.shape = s(" round ");
	cr_assert(item_attrs_differ(&it, &r));
}

Test(item_attrs_differ, same_values_equal)
{
	struct item it = ring();
	struct received r = nothing_reported();

	r.style = s("halo");
	r.shape = s("oval");
	r.material = s("14k white gold");
	r.color = s("white");
	cr_assert_not(item_attrs_differ(&it, &r));
}

Test(item_attrs_differ, case_and_surrounding_spaces_equal)
{
	struct item it = ring();
	struct received r = nothing_reported();

	r.style = s("HALO");
	r.shape = s("  Oval");
	r.material = s(" 14K White Gold ");
	r.color = s("White\t");
	cr_assert_not(item_attrs_differ(&it, &r));
}

Test(item_attrs_differ, each_attribute_can_differ)
{
	struct item it = ring();
	struct received r;

	r = nothing_reported();
	r.style = s("solitaire");
	cr_assert(item_attrs_differ(&it, &r), "style");

	r = nothing_reported();
	r.shape = s("round");
	cr_assert(item_attrs_differ(&it, &r), "shape");

	r = nothing_reported();
	r.material = s("sterling silver");
	cr_assert(item_attrs_differ(&it, &r), "material");

	r = nothing_reported();
	r.color = s("yellow");
	cr_assert(item_attrs_differ(&it, &r), "color");
}

Test(item_attrs_differ, one_difference_among_equal_fields)
{
	struct item it = ring();
	struct received r = nothing_reported();

	r.style = s("Halo");
	r.shape = s("oval");
	r.color = s("WHITE");
	r.material = s("18k white gold");
	cr_assert(item_attrs_differ(&it, &r));
}

Test(item_attrs_differ, prefix_is_a_difference)
{
	struct item it = ring();
	struct received r = nothing_reported();

	r.material = s("14k white");
	cr_assert(item_attrs_differ(&it, &r));
	r.material = s("14k white gold plated");
	cr_assert(item_attrs_differ(&it, &r));
}

Test(item_attrs_differ, size_is_not_an_attribute)
{
	/* Sizes go through item_size_compare, under a tolerance. */
	struct item it = ring();
	struct received r = nothing_reported();

	r.has_size = true;
	r.size_milli = 9000;
	cr_assert_not(item_attrs_differ(&it, &r));
}

Test(item_attrs_differ, reported_against_empty_item_field)
{
	struct item it = ring();
	struct received r = nothing_reported();

	it.color = s("");
	r.color = s("red");
	cr_assert(item_attrs_differ(&it, &r));
}

/* ---- item kinds --------------------------------------------------------- */

Test(item_kind, parse_every_name)
{
	static const struct {
		const char *name;
		enum item_kind kind;
	} kinds[] = {
		{ "ring", KIND_RING },         { "necklace", KIND_NECKLACE },
		{ "bracelet", KIND_BRACELET }, { "earrings", KIND_EARRINGS },
		{ "pendant", KIND_PENDANT },   { "other", KIND_OTHER },
	};
	size_t i;

	cr_assert_eq(sizeof kinds / sizeof kinds[0], (size_t)KIND_COUNT);
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		enum item_kind k = KIND_COUNT;

		cr_assert_eq(item_kind_parse(kinds[i].name,
					     strlen(kinds[i].name), &k),
			     0, "%s", kinds[i].name);
		cr_assert_eq(k, kinds[i].kind, "%s", kinds[i].name);
		cr_assert_str_eq(item_kind_name(kinds[i].kind), kinds[i].name);
	}
}

Test(item_kind, unknown_names_rejected)
{
	static const char *const bad[] = {
		"",       "rings", "rin",   "earring",
		"brooch", "ring ", " ring", "watch",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		enum item_kind k = KIND_COUNT;

		cr_assert_eq(item_kind_parse(bad[i], strlen(bad[i]), &k), -1,
			     "accepted '%s'", bad[i]);
	}
}

Test(item_kind, reads_only_n_bytes)
{
	enum item_kind k = KIND_COUNT;

	cr_assert_eq(item_kind_parse("ringX", 4, &k), 0);
	cr_assert_eq(k, KIND_RING);
	cr_assert_eq(item_kind_parse("ring", 3, &k), -1);
}
