/* tests/core/address.c: unit tests for src/core/address.c (Criterion).
 * address_same_place: equal ignoring case and spacing, the recipient's
 * name ignored, every other field able to tell two places apart. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>

#include "../../src/core/address.h"

static struct ac_str s(const char *z)
{
	struct ac_str r = { z, z ? strlen(z) : 0 };

	return r;
}

/* The worked example's address (CONTRACT.md). */
static struct address quay(void)
{
	struct address a = {
		.name = s("Ana Li"),
		.line1 = s("5 Quay St"),
		.line2 = s(""),
		.city = s("Auckland"),
		.region = s(""),
		.postal_code = s("1010"),
		.country = s("NZ"),
	};

	return a;
}

static void same(const struct address *a, const struct address *b)
{
	cr_assert(address_same_place(a, b));
	cr_assert(address_same_place(b, a), "not symmetric");
}

static void differ(const struct address *a, const struct address *b)
{
	cr_assert_not(address_same_place(a, b));
	cr_assert_not(address_same_place(b, a), "not symmetric");
}

Test(address, identical)
{
	struct address a = quay();
	struct address b = quay();

	same(&a, &b);
	same(&a, &a);
}

Test(address, ignores_case)
{
	struct address a = quay();
	struct address b = quay();

	b.line1 = s("5 QUAY st");
	b.city = s("aUCKLAND");
	b.country = s("nz");
	same(&a, &b);
}

Test(address, ignores_spacing)
{
	struct address a = quay();
	struct address b = quay();

	b.line1 = s("  5  Quay\tSt ");
	b.city = s(" Auckland");
	b.postal_code = s("1010 ");
	same(&a, &b);
}

Test(address, ignores_spacing_inside_postal_code)
{
	struct address a = quay();
	struct address b = quay();

	a.postal_code = s("SW1A 1AA");
	a.country = s("GB");
	b.postal_code = s("sw1a1aa");
	b.country = s("GB");
	same(&a, &b);
}

Test(address, name_is_not_part_of_the_place)
{
	struct address a = quay();
	struct address b = quay();

	b.name = s("Someone Else");
	same(&a, &b);
	b.name = s(NULL);
	same(&a, &b);
}

Test(address, postal_code_differs)
{
	struct address a = quay();
	struct address b = quay();

	b.postal_code = s("1011");
	differ(&a, &b);
}

Test(address, country_differs)
{
	struct address a = quay();
	struct address b = quay();

	b.country = s("AU");
	differ(&a, &b);
}

Test(address, line1_and_city_differ)
{
	struct address a = quay();
	struct address b = quay();

	b.line1 = s("6 Quay St");
	differ(&a, &b);

	b = quay();
	b.city = s("Wellington");
	differ(&a, &b);
}

Test(address, region_differs)
{
	struct address a = quay();
	struct address b = quay();

	b.region = s("Northland");
	differ(&a, &b);
}

Test(address, line2_present_on_one_side)
{
	struct address a = quay();
	struct address b = quay();

	b.line2 = s("Apt 2");
	differ(&a, &b);

	a.line2 = s("Apt 3");
	differ(&a, &b);

	a.line2 = s("apt  2");
	same(&a, &b);
}

Test(address, fields_are_not_interchangeable)
{
	/* The same words in another field are another place. */
	struct address a = quay();
	struct address b = quay();

	a.line2 = s("Unit 4");
	b.line1 = s("Unit 4");
	b.line2 = s("5 Quay St");
	differ(&a, &b);
}

Test(address, prefix_is_not_equal)
{
	struct address a = quay();
	struct address b = quay();

	b.postal_code = s("101");
	differ(&a, &b);
	b.postal_code = s("10100");
	differ(&a, &b);
}

Test(address, empty_equals_absent)
{
	struct address a = quay();
	struct address b = quay();

	/* Optional fields default to empty (CONTRACT.md): a field left out
	 * ({NULL, 0}) and one given as "" are the same. */
	a.line2 = s(NULL);
	a.region = s(NULL);
	b.line2 = s("");
	b.region = s("");
	same(&a, &b);

	b.region = s("   ");
	same(&a, &b);
}

Test(address, absent_differs_from_given)
{
	struct address a = quay();
	struct address b = quay();

	a.region = s(NULL);
	b.region = s("Auckland");
	differ(&a, &b);
}

Test(address, slices_need_no_nul)
{
	/* Fields are borrowed slices: only n bytes count. */
	struct address a = quay();
	struct address b = quay();

	b.postal_code.p = "10109999";
	b.postal_code.n = 4;
	same(&a, &b);
	b.postal_code.n = 5;
	differ(&a, &b);
}
