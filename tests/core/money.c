/* tests/core/money.c: unit tests for src/core/money.c (Criterion).
 * Currency lookup, overflow-checked addition, the exact floor of a share
 * in basis points near 2^53, and formatting for exponents 0, 2 and 3. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../../src/core/money.h"

static const struct currency *find(const char *code)
{
	return money_currency_find(code, strlen(code));
}

/* ---- money_currency_find ------------------------------------------------ */

Test(money_currency, exponent_zero_two_three)
{
	const struct currency *jpy = find("JPY");
	const struct currency *usd = find("USD");
	const struct currency *kwd = find("KWD");

	cr_assert_not_null(jpy);
	cr_assert_not_null(usd);
	cr_assert_not_null(kwd);
	cr_assert_eq(jpy->exponent, 0);
	cr_assert_eq(usd->exponent, 2);
	cr_assert_eq(kwd->exponent, 3);
	cr_assert_str_eq(jpy->code, "JPY");
	cr_assert_str_eq(usd->code, "USD");
	cr_assert_str_eq(kwd->code, "KWD");
}

Test(money_currency, common_codes_have_two_digits)
{
	static const char *const two[] = { "EUR", "GBP", "NZD", "AUD", "CAD" };
	size_t i;

	for (i = 0; i < sizeof two / sizeof two[0]; i++) {
		const struct currency *c = find(two[i]);

		cr_assert_not_null(c, "%s not found", two[i]);
		cr_assert_eq(c->exponent, 2, "%s", two[i]);
		cr_assert_str_eq(c->code, two[i]);
	}
}

Test(money_currency, same_code_same_entry)
{
	cr_assert_eq(find("USD"), find("USD"));
	cr_assert_neq(find("USD"), find("JPY"));
}

Test(money_currency, unknown_codes)
{
	cr_assert_null(find("XYZ"));
	cr_assert_null(find("QQQ"));
	cr_assert_null(find("AAA"));
}

Test(money_currency, lower_and_mixed_case_rejected)
{
	cr_assert_null(find("usd"));
	cr_assert_null(find("Usd"));
	cr_assert_null(find("uSD"));
	cr_assert_null(find("jpy"));
}

Test(money_currency, wrong_length_rejected)
{
	cr_assert_null(money_currency_find("", 0));
	cr_assert_null(money_currency_find("US", 2));
	cr_assert_null(money_currency_find("USDX", 4));
	cr_assert_null(money_currency_find("USD ", 4));
	cr_assert_null(money_currency_find(" USD", 4));
	cr_assert_null(money_currency_find("USD\0", 4));
}

Test(money_currency, reads_only_n_bytes)
{
	/* Not NUL-terminated at n: the slice "USD" of "USDX". */
	const struct currency *c = money_currency_find("USDX", 3);

	cr_assert_not_null(c);
	cr_assert_str_eq(c->code, "USD");
	cr_assert_null(money_currency_find("USD", 2));
}

Test(money_currency, non_letters_rejected)
{
	cr_assert_null(find("U$D"));
	cr_assert_null(find("123"));
	cr_assert_null(find("US1"));
}

/* ---- money_add ---------------------------------------------------------- */

Test(money_add, adds)
{
	int64_t sum = 52000;

	cr_assert(money_add(&sum, 1500));
	cr_assert_eq(sum, 53500);
	cr_assert(money_add(&sum, 0));
	cr_assert_eq(sum, 53500);
}

Test(money_add, up_to_int64_max)
{
	int64_t sum = INT64_MAX - 5;

	cr_assert(money_add(&sum, 5));
	cr_assert_eq(sum, INT64_MAX);
}

Test(money_add, overflow_leaves_sum_untouched)
{
	int64_t sum = INT64_MAX - 5;

	cr_assert_not(money_add(&sum, 6));
	cr_assert_eq(sum, INT64_MAX - 5);

	sum = INT64_MAX;
	cr_assert_not(money_add(&sum, 1));
	cr_assert_eq(sum, INT64_MAX);

	sum = INT64_MAX / 2 + 1;
	cr_assert_not(money_add(&sum, INT64_MAX / 2 + 1));
	cr_assert_eq(sum, INT64_MAX / 2 + 1);
}

Test(money_add, many_maximal_amounts_fit)
{
	/* 64 items at the largest amount JSON carries do not overflow. */
	int64_t sum = 0;
	int i;

	for (i = 0; i < 64; i++)
		cr_assert(money_add(&sum, AC_MONEY_MAX));
	cr_assert_eq(sum, AC_MONEY_MAX * 64);
}

/* ---- money_share -------------------------------------------------------- */

Test(money_share, bp_zero_is_zero)
{
	cr_assert_eq(money_share(52000, 0), 0);
	cr_assert_eq(money_share(AC_MONEY_MAX, 0), 0);
	cr_assert_eq(money_share(0, 0), 0);
}

Test(money_share, bp_all_is_amount)
{
	cr_assert_eq(money_share(52000, 10000), 52000);
	cr_assert_eq(money_share(1, 10000), 1);
	cr_assert_eq(money_share(AC_MONEY_MAX, 10000), AC_MONEY_MAX);
	cr_assert_eq(money_share(AC_MONEY_MAX + 1, 10000), AC_MONEY_MAX + 1);
}

Test(money_share, twenty_percent)
{
	cr_assert_eq(money_share(52000, 2000), 10400);
	cr_assert_eq(money_share(0, 2000), 0);
}

Test(money_share, floors)
{
	/* 20% of 4 minor units is 0.8: floor 0. */
	cr_assert_eq(money_share(4, 2000), 0);
	cr_assert_eq(money_share(5, 2000), 1);
	cr_assert_eq(money_share(9, 2000), 1);
	cr_assert_eq(money_share(10, 2000), 2);
	cr_assert_eq(money_share(9999, 1), 0);
	cr_assert_eq(money_share(10000, 1), 1);
	cr_assert_eq(money_share(3, 3333), 0);
	cr_assert_eq(money_share(10001, 9999), 9999);
	cr_assert_eq(money_share(19999, 5000), 9999);
}

Test(money_share, exact_near_2_pow_53)
{
	/* 2^53 - 1 = 5 * 1801439850948198 + 1: a double would round. */
	cr_assert_eq(money_share(AC_MONEY_MAX, 2000),
		     INT64_C(1801439850948198));
	cr_assert_eq(money_share(AC_MONEY_MAX + 1, 2000),
		     INT64_C(1801439850948198));
	cr_assert_eq(money_share(AC_MONEY_MAX - 1, 2000),
		     INT64_C(1801439850948198));
	cr_assert_eq(money_share(AC_MONEY_MAX - 2, 2000),
		     INT64_C(1801439850948197));
	cr_assert_eq(money_share(AC_MONEY_MAX, 3), INT64_C(2702159776422));
	cr_assert_eq(money_share(AC_MONEY_MAX, 9999),
		     INT64_C(9006298534815516));
}

Test(money_share, no_overflow_at_int64_max)
{
	/* "exactly, without overflow": amount * bp does not fit in int64. */
	cr_assert_eq(money_share(INT64_MAX, 10000), INT64_MAX);
	cr_assert_eq(money_share(INT64_MAX, 9999),
		     INT64_C(9222449699651090329));
	cr_assert_eq(money_share(INT64_MAX, 2000),
		     INT64_C(1844674407370955161));
	cr_assert_eq(money_share(INT64_MAX, 1), INT64_C(922337203685477));
}

Test(money_share, matches_exact_arithmetic_small)
{
	int64_t a;
	int64_t bp;

	for (a = 0; a < 300; a += 7)
		for (bp = 0; bp <= 10000; bp += 250) {
			int64_t s = money_share(a, bp);

			cr_assert_eq(s, a * bp / 10000, "a=%lld bp=%lld",
				     (long long)a, (long long)bp);
		}
}

/* ---- money_format ------------------------------------------------------- */

static void check_format(const char *code, int64_t minor, const char *want)
{
	char buf[64];
	const struct currency *c = find(code);
	int n;

	cr_assert_not_null(c, "%s", code);
	memset(buf, 'x', sizeof buf);
	n = money_format(buf, sizeof buf, c, minor);
	cr_assert_str_eq(buf, want, "%s %lld", code, (long long)minor);
	cr_assert_eq(n, (int)strlen(want), "%s %lld: returned %d", code,
		     (long long)minor, n);
}

Test(money_format, exponent_two)
{
	check_format("USD", 52000, "USD 520.00");
	check_format("USD", 52001, "USD 520.01");
	check_format("USD", 5, "USD 0.05");
	check_format("USD", 50, "USD 0.50");
	check_format("USD", 0, "USD 0.00");
	check_format("USD", 100, "USD 1.00");
	check_format("USD", AC_MONEY_MAX, "USD 90071992547409.91");
}

Test(money_format, exponent_zero)
{
	check_format("JPY", 0, "JPY 0");
	check_format("JPY", 7, "JPY 7");
	check_format("JPY", 52000, "JPY 52000");
	check_format("JPY", AC_MONEY_MAX, "JPY 9007199254740991");
}

Test(money_format, exponent_three)
{
	check_format("KWD", 0, "KWD 0.000");
	check_format("KWD", 5, "KWD 0.005");
	check_format("KWD", 1234, "KWD 1.234");
	check_format("KWD", 1000, "KWD 1.000");
	check_format("KWD", 52000, "KWD 52.000");
	check_format("KWD", AC_MONEY_MAX, "KWD 9007199254740.991");
}

Test(money_format, truncates_like_snprintf)
{
	char buf[6];
	int n;

	memset(buf, 'x', sizeof buf);
	n = money_format(buf, sizeof buf, find("USD"), 52000);
	cr_assert_eq(n, 10, "returned %d", n);
	cr_assert_str_eq(buf, "USD 5");
}

Test(money_format, zero_cap_writes_nothing)
{
	char buf[4] = "abc";
	int n = money_format(buf, 0, find("USD"), 52000);

	cr_assert_eq(n, 10, "returned %d", n);
	cr_assert_str_eq(buf, "abc");
}
