/* page.c: the pages' own rules that are not templates: an amount typed by
 * staff becomes minor units exactly (it moves money), times are shown in
 * the reader's zone with the right weekday, relative times round down. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/core/instant.h"
#include "../../src/web/web.h"

static int64_t parse(const char *code, const char *s, int *rc)
{
	const struct currency *c = money_currency_find(code, 3);
	struct ac_err err;
	int64_t v = -1;

	ac_err_clear(&err);
	*rc = web_money_parse(s, c, "Amount", &v, &err);
	if (*rc)
		cr_assert_str_eq(err.field, "Amount");
	return *rc ? -1 : v;
}

Test(money_parse, major_units_to_minor_exactly)
{
	int rc;

	cr_assert_eq(parse("USD", "12.50", &rc), 1250);
	cr_assert_eq(parse("USD", "12.5", &rc), 1250);
	cr_assert_eq(parse("USD", "12", &rc), 1200);
	cr_assert_eq(parse("USD", " 0.01 ", &rc), 1);
	cr_assert_eq(parse("USD", "0", &rc), 0);
	cr_assert_eq(parse("JPY", "1200", &rc), 1200);
	cr_assert_eq(parse("BHD", "1.234", &rc), 1234);
	/* 2^53 - 1 minor units is the largest amount there is */
	cr_assert_eq(parse("USD", "90071992547409.91", &rc),
		     INT64_C(9007199254740991));
}

Test(money_parse, refuses_what_is_not_an_amount)
{
	static const char *const usd_bad[] = {
		"", " ", "12.505", "-1", "+1", "1e3", "12,50", "12.", ".5x",
		"1 2", "0x10", "90071992547409.92", "99999999999999999999",
		"12.50 USD", NULL
	};
	int rc;

	for (int i = 0; usd_bad[i]; i++) {
		parse("USD", usd_bad[i], &rc);
		cr_expect_neq(rc, 0, "'%s' was taken", usd_bad[i]);
	}
	parse("JPY", "12.5", &rc);
	cr_expect_neq(rc, 0, "yen have no decimals");
}

Test(when, shows_the_readers_zone_and_weekday)
{
	char s[64];
	int64_t at;

	cr_assert_eq(instant_parse("2026-02-11T09:30:00Z", 20, &at), 0);
	web_when(s, sizeof s, at, 0, true);
	cr_assert_str_eq(s, "Wed 11 Feb 2026, 09:30 UTC");
	web_when(s, sizeof s, at, 13 * 60, true);      /* Auckland, summer */
	cr_assert_str_eq(s, "Wed 11 Feb 2026, 22:30 UTC+13:00");
	web_when(s, sizeof s, at, -10 * 60, false);    /* Honolulu */
	cr_assert_str_eq(s, "Tue 10 Feb 2026, 23:30");
	web_when(s, sizeof s, at, -(3 * 60 + 30), true);
	cr_assert_str_eq(s, "Wed 11 Feb 2026, 06:00 UTC-03:30");
	cr_assert_eq(instant_parse("1969-12-31T23:00:00Z", 20, &at), 0);
	web_when(s, sizeof s, at, 0, false);
	cr_assert_str_eq(s, "Wed 31 Dec 1969, 23:00");
}

Test(relative, rounds_down_to_the_unit_shown)
{
	char s[64];
	const int64_t h = 3600 * AC_US_PER_S, now = 1000 * 24 * h;

	web_relative(s, sizeof s, now + 4 * h + 59 * 60 * AC_US_PER_S, now);
	cr_assert_str_eq(s, "in 4 hours");
	web_relative(s, sizeof s, now + 47 * h, now);
	cr_assert_str_eq(s, "in 47 hours");
	web_relative(s, sizeof s, now + 49 * h, now);
	cr_assert_str_eq(s, "in 2 days");
	web_relative(s, sizeof s, now - 90 * 60 * AC_US_PER_S, now);
	cr_assert_str_eq(s, "1 hour ago");
	web_relative(s, sizeof s, now + 30 * AC_US_PER_S, now);
	cr_assert_str_eq(s, "in less than a minute");
}
