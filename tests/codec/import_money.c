/* tests/codec/import_money.c: unit tests for import_money_parse and
 * import_time_parse (src/codec/import.c, Criterion). A shop's amount is
 * decimal text; it becomes minor units exactly, by the currency's own
 * exponent, or it is refused with the reason: never rounded. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/codec/import.h"
#include "../../src/core/money.h"

static const struct currency *cur(const char *code)
{
	const struct currency *c = money_currency_find(code, 3);

	cr_assert_not_null(c, "%s in the table", code);
	return c;
}

/* parse: 0 and the amount, or the error code with its message kept. */
static int parse(const char *s, const char *code, int64_t *v,
		 struct ac_err *err)
{
	ac_err_clear(err);
	return import_money_parse(s, strlen(s), cur(code), v, "total", err);
}

static int64_t ok(const char *s, const char *code)
{
	struct ac_err err;
	int64_t v = -1;

	cr_assert_eq(parse(s, code, &v, &err), 0, "%s %s: %s", s, code,
		     err.msg);
	return v;
}

static void refused(const char *s, const char *code, const char *why)
{
	struct ac_err err;
	int64_t v = -1;

	cr_assert_eq(parse(s, code, &v, &err), AC_EINVAL, "%s %s accepted",
		     s, code);
	cr_assert_str_eq(err.field, "total");
	cr_assert(strstr(err.msg, why), "%s %s: \"%s\" lacks \"%s\"", s,
		  code, err.msg, why);
	cr_assert_eq(v, 0, "nothing is given back on failure");
}

Test(import_money, two_decimals)
{
	cr_assert_eq(ok("520.00", "USD"), 52000);
	cr_assert_eq(ok("520", "USD"), 52000);
	cr_assert_eq(ok("520.5", "USD"), 52050);
	cr_assert_eq(ok("0.01", "USD"), 1);
	cr_assert_eq(ok("0", "EUR"), 0);
	cr_assert_eq(ok(".50", "USD"), 50);
	/* a float would give 1.1 * 100 = 110.00000000000001 */
	cr_assert_eq(ok("1.10", "USD"), 110);
	cr_assert_eq(ok("0.29", "USD"), 29);
}

Test(import_money, the_currencys_own_exponent)
{
	cr_assert_eq(ok("78000", "JPY"), 78000);
	cr_assert_eq(ok("12.345", "KWD"), 12345);
	cr_assert_eq(ok("12.3", "KWD"), 12300);
	cr_assert_eq(ok("1.500", "BHD"), 1500);
	cr_assert_eq(ok("100", "CLP"), 100);
}

Test(import_money, more_decimals_than_the_currency_has)
{
	refused("12.345", "USD", "more decimals than USD has (2)");
	refused("0.001", "EUR", "more decimals than EUR has (2)");
	refused("1500.5", "JPY", "more decimals than JPY has (0)");
	refused("1.2345", "KWD", "more decimals than KWD has (3)");
	/* zeros past the exponent change nothing: kept exactly */
	cr_assert_eq(ok("1500.00", "JPY"), 1500);
	cr_assert_eq(ok("12.3400", "USD"), 1234);
}

Test(import_money, not_a_decimal_amount)
{
	static const char *const bad[] = {
		"", "-5.00", "+5.00", " 5.00", "5.00 ", "5,00", "1,234.00",
		"1e3", "0x10", "5.0.0", ".", "5.", "abc", "12.5USD", "NaN",
		"∞",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ac_err err;
		int64_t v = -1;

		cr_assert_eq(parse(bad[i], "USD", &v, &err), AC_EINVAL,
			     "\"%s\" accepted as %lld", bad[i], (long long)v);
		cr_assert_eq(v, 0);
	}
	refused("-5.00", "USD", "not a decimal amount");
	refused("", "USD", "empty");
}

Test(import_money, the_contracts_range)
{
	/* 2^53 - 1 minor units is the most an amount may be */
	cr_assert_eq(ok("90071992547409.91", "USD"),
		     INT64_C(9007199254740991));
	cr_assert_eq(ok("9007199254740991", "JPY"),
		     INT64_C(9007199254740991));
	refused("90071992547409.92", "USD", "above 9007199254740991");
	refused("9007199254740992", "JPY", "above 9007199254740991");
	refused("99999999999999999999999", "USD", "above 9007199254740991");
	refused("90071992547409920", "USD", "above 9007199254740991");
}

Test(import_money, a_slice_not_a_string)
{
	struct ac_err err;
	int64_t v;

	/* "12.34" followed by more text that is not part of the amount */
	cr_assert_eq(import_money_parse("12.345", 5, cur("USD"), &v, "x",
					&err), 0);
	cr_assert_eq(v, 1234);
}

static int64_t when(const char *s, bool utc)
{
	int64_t us = 0;

	cr_assert_eq(import_time_parse(s, strlen(s), utc, &us), 0,
		     "%s refused", s);
	return us;
}

Test(import_time, the_shops_forms)
{
	int64_t z = when("2026-05-12T16:20:00Z", false);

	cr_assert_eq(when("2026-05-12T12:20:00-04:00", false), z);
	cr_assert_eq(when("2026-05-12 12:20:00 -0400", false), z);
	cr_assert_eq(when("2026-05-12 18:20:00 +0200", false), z);
	cr_assert_eq(when("2026-05-12T16:20:00", true), z);
	cr_assert_eq(when("2026-05-12 16:20:00", true), z);
}

Test(import_time, refused)
{
	static const char *const bad[] = {
		"2026-05-12T16:20:00", "2026-13-45T10:00:00Z", "yesterday",
		"04/11/2026 8:00", "2026-05-12 12:20:00 -04", "",
		"2026-05-12 12:20:00 0400",
	};
	int64_t us;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_neq(import_time_parse(bad[i], strlen(bad[i]), false,
						&us), 0, "%s accepted", bad[i]);
	/* without a zone only where the field is UTC by definition */
	cr_assert_neq(import_time_parse("yesterday", 9, true, &us), 0);
}
