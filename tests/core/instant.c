/* tests/core/instant.c: unit tests for src/core/instant.c (Criterion).
 * RFC 3339 parsing (zones, fractions, calendar limits), formatting in
 * UTC, the round trip between the two, and instant_civil. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "../../src/core/instant.h"

/* 2026-05-14T16:20:00Z, the worked example's deadline. */
#define T_EXAMPLE (INT64_C(1778775600) * AC_US_PER_S)

static int parse(const char *s, int64_t *out)
{
	return instant_parse(s, strlen(s), out);
}

static int64_t parse_ok(const char *s)
{
	int64_t us = INT64_MIN;

	cr_assert_eq(parse(s, &us), 0, "rejected %s", s);
	return us;
}

static void parse_bad(const char *s)
{
	int64_t us = 12345;

	cr_assert_eq(parse(s, &us), -1, "accepted %s", s);
}

/* ---- zones -------------------------------------------------------------- */

Test(instant_parse, utc_z)
{
	cr_assert_eq(parse_ok("2026-05-14T16:20:00Z"), T_EXAMPLE);
	cr_assert_eq(parse_ok("1970-01-01T00:00:00Z"), 0);
	cr_assert_eq(parse_ok("1970-01-01T00:00:01Z"), AC_US_PER_S);
}

Test(instant_parse, positive_offset)
{
	cr_assert_eq(parse_ok("2026-05-15T05:20:00+13:00"), T_EXAMPLE);
	cr_assert_eq(parse_ok("2026-05-14T16:20:00+00:00"), T_EXAMPLE);
}

Test(instant_parse, negative_offset_with_minutes)
{
	cr_assert_eq(parse_ok("2026-05-14T10:50:00-05:30"), T_EXAMPLE);
	cr_assert_eq(parse_ok("2026-05-14T16:20:00-00:00"), T_EXAMPLE);
}

Test(instant_parse, offset_crosses_day_and_year)
{
	/* 00:30 on New Year's Day in +01:00 is still last year in UTC. */
	cr_assert_eq(parse_ok("2027-01-01T00:30:00+01:00"),
		     parse_ok("2026-12-31T23:30:00Z"));
}

Test(instant_parse, missing_zone_rejected)
{
	parse_bad("2026-05-14T16:20:00");
	parse_bad("2026-05-14T16:20:00.5");
	parse_bad("2026-05-14");
}

Test(instant_parse, malformed_offsets_rejected)
{
	parse_bad("2026-05-14T16:20:00+13");
	parse_bad("2026-05-14T16:20:00+1300");
	parse_bad("2026-05-14T16:20:00+13:0");
	parse_bad("2026-05-14T16:20:00+24:00");
	parse_bad("2026-05-14T16:20:00+13:60");
	parse_bad("2026-05-14T16:20:00 Z");
	parse_bad("2026-05-14T16:20:00UTC");
}

/* ---- fractions ---------------------------------------------------------- */

Test(instant_parse, fractional_seconds)
{
	cr_assert_eq(parse_ok("2026-05-14T16:20:00.5Z"), T_EXAMPLE + 500000);
	cr_assert_eq(parse_ok("2026-05-14T16:20:00.05Z"), T_EXAMPLE + 50000);
	cr_assert_eq(parse_ok("2026-05-14T16:20:00.123456Z"),
		     T_EXAMPLE + 123456);
	cr_assert_eq(parse_ok("2026-05-14T16:20:00.000001Z"), T_EXAMPLE + 1);
	cr_assert_eq(parse_ok("2026-05-14T16:20:00.000000Z"), T_EXAMPLE);
}

Test(instant_parse, fraction_beyond_micro_ignored)
{
	/* "up to 6 digits kept, more ignored": truncated, not rounded. */
	cr_assert_eq(parse_ok("2026-05-14T16:20:00.1234567Z"),
		     T_EXAMPLE + 123456);
	cr_assert_eq(parse_ok("2026-05-14T16:20:00.9999999999Z"),
		     T_EXAMPLE + 999999);
}

Test(instant_parse, fraction_with_offset)
{
	cr_assert_eq(parse_ok("2026-05-15T05:20:00.25+13:00"),
		     T_EXAMPLE + 250000);
}

Test(instant_parse, empty_fraction_rejected)
{
	parse_bad("2026-05-14T16:20:00.Z");
	parse_bad("2026-05-14T16:20:00.+13:00");
	parse_bad("2026-05-14T16:20:00,5Z");
}

/* ---- calendar ----------------------------------------------------------- */

Test(instant_parse, leap_years)
{
	cr_assert_eq(parse_ok("2024-02-29T23:59:59Z"),
		     INT64_C(1709251199) * AC_US_PER_S);
	cr_assert_eq(parse_ok("2000-02-29T00:00:00Z"),
		     INT64_C(951782400) * AC_US_PER_S);
	cr_assert_eq(parse_ok("2024-03-01T00:00:00Z") -
			     parse_ok("2024-02-28T00:00:00Z"),
		     2 * 86400 * AC_US_PER_S);
	cr_assert_eq(parse_ok("2026-03-01T00:00:00Z") -
			     parse_ok("2026-02-28T00:00:00Z"),
		     86400 * AC_US_PER_S);
}

Test(instant_parse, feb_29_on_non_leap_year_rejected)
{
	parse_bad("2026-02-29T00:00:00Z");
	parse_bad("2023-02-29T12:00:00Z");
	parse_bad("1900-02-29T00:00:00Z");
	parse_bad("2100-02-29T00:00:00Z");
	parse_bad("2024-02-30T00:00:00Z");
}

Test(instant_parse, day_and_month_limits)
{
	parse_ok("2026-01-31T00:00:00Z");
	parse_ok("2026-12-31T23:59:59Z");
	parse_bad("2026-04-31T00:00:00Z");
	parse_bad("2026-06-31T00:00:00Z");
	parse_bad("2026-13-01T00:00:00Z");
	parse_bad("2026-00-10T00:00:00Z");
	parse_bad("2026-05-00T00:00:00Z");
	parse_bad("2026-05-32T00:00:00Z");
}

Test(instant_parse, time_limits)
{
	parse_ok("2026-05-14T23:59:59Z");
	parse_ok("2026-05-14T00:00:00Z");
	parse_bad("2026-05-14T24:00:00Z");
	parse_bad("2026-05-14T25:00:00Z");
	parse_bad("2026-05-14T16:60:00Z");
	parse_bad("2026-05-14T16:20:61Z");
}

Test(instant_parse, shape_rejected)
{
	parse_bad("");
	parse_bad("2026-5-14T16:20:00Z");
	parse_bad("2026-05-14T16:20Z");
	parse_bad("26-05-14T16:20:00Z");
	parse_bad("2026/05/14T16:20:00Z");
	parse_bad("2026-05-14X16:20:00Z");
	parse_bad("2026-05-14T16:20:00Zjunk");
	parse_bad(" 2026-05-14T16:20:00Z");
	parse_bad("2026-05-14T16:20:00Z ");
	parse_bad("+2026-05-14T16:20:00Z");
	parse_bad("2026-05-1aT16:20:00Z");
	parse_bad("now");
}

Test(instant_parse, reads_only_n_bytes)
{
	const char *s = "2026-05-14T16:20:00Z2026";
	int64_t us = 0;

	cr_assert_eq(instant_parse(s, 20, &us), 0);
	cr_assert_eq(us, T_EXAMPLE);
	/* The same bytes cut before the zone have no zone. */
	cr_assert_eq(instant_parse(s, 19, &us), -1);
}

Test(instant_parse, lower_case_t_and_z)
{
	/* RFC 3339 5.6, NOTE: "T" and "Z" may alternatively be lower case
	 * "t" or "z". instant.h promises an RFC 3339 date-time. */
	cr_assert_eq(parse_ok("2026-05-14t16:20:00Z"), T_EXAMPLE);
	cr_assert_eq(parse_ok("2026-05-14T16:20:00z"), T_EXAMPLE);
	cr_assert_eq(parse_ok("2026-05-14t16:20:00z"), T_EXAMPLE);
}

Test(instant_parse, far_years)
{
	cr_assert_eq(parse_ok("0001-01-01T00:00:00Z"),
		     INT64_C(-62135596800) * AC_US_PER_S);
	cr_assert_eq(parse_ok("9999-12-31T23:59:59Z"),
		     INT64_C(253402300799) * AC_US_PER_S);
	cr_assert_eq(parse_ok("1969-12-31T23:59:59Z"), -AC_US_PER_S);
}

/* ---- instant_format and the round trip ---------------------------------- */

static void check_format(int64_t us, const char *want)
{
	char buf[40];
	size_t n;

	memset(buf, 'x', sizeof buf);
	n = instant_format(us, buf, sizeof buf);
	cr_assert_str_eq(buf, want);
	cr_assert_eq(n, strlen(want));
}

Test(instant_format, whole_seconds_have_no_fraction)
{
	check_format(T_EXAMPLE, "2026-05-14T16:20:00Z");
	check_format(0, "1970-01-01T00:00:00Z");
	check_format(INT64_C(1709251199) * AC_US_PER_S, "2024-02-29T23:59:59Z");
	check_format(INT64_C(-62135596800) * AC_US_PER_S,
		     "0001-01-01T00:00:00Z");
	check_format(INT64_C(253402300799) * AC_US_PER_S,
		     "9999-12-31T23:59:59Z");
	check_format(-AC_US_PER_S, "1969-12-31T23:59:59Z");
}

Test(instant_format, fraction_when_there_is_one)
{
	char buf[40];
	size_t n = instant_format(T_EXAMPLE + 500000, buf, sizeof buf);

	cr_assert_eq(n, strlen(buf));
	cr_assert(strncmp(buf, "2026-05-14T16:20:00.5", 21) == 0, "%s", buf);
	cr_assert_eq(buf[n - 1], 'Z', "%s", buf);
}

Test(instant_format, before_epoch_with_fraction)
{
	char buf[40];
	size_t n = instant_format(-1, buf, sizeof buf);

	cr_assert_eq(n, strlen(buf));
	cr_assert(strncmp(buf, "1969-12-31T23:59:59.999999", 26) == 0, "%s",
		  buf);
	cr_assert_eq(buf[n - 1], 'Z', "%s", buf);
}

Test(instant_format, round_trip)
{
	static const int64_t samples[] = {
		0,
		1,
		-1,
		999999,
		T_EXAMPLE,
		T_EXAMPLE + 1,
		T_EXAMPLE + 123456,
		T_EXAMPLE + 500000,
		INT64_C(951782400) * AC_US_PER_S,
		INT64_C(1709251199) * AC_US_PER_S + 999999,
		INT64_C(-62135596800) * AC_US_PER_S,
		INT64_C(253402300799) * AC_US_PER_S + 999999,
		INT64_C(-86400) * AC_US_PER_S - 7,
	};
	size_t i;

	for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		char buf[40];
		int64_t back = 0;
		size_t n = instant_format(samples[i], buf, sizeof buf);

		cr_assert_eq(n, strlen(buf));
		cr_assert_eq(instant_parse(buf, n, &back), 0, "%s", buf);
		cr_assert_eq(back, samples[i], "%s -> %lld, want %lld", buf,
			     (long long)back, (long long)samples[i]);
	}
}

Test(instant_format, fractions_written_exactly)
{
	check_format(T_EXAMPLE + 1, "2026-05-14T16:20:00.000001Z");
	check_format(T_EXAMPLE + 10, "2026-05-14T16:20:00.00001Z");
	check_format(T_EXAMPLE + 120000, "2026-05-14T16:20:00.12Z");
	check_format(T_EXAMPLE + 100001, "2026-05-14T16:20:00.100001Z");
	check_format(T_EXAMPLE + 999999, "2026-05-14T16:20:00.999999Z");
	check_format(T_EXAMPLE + 50400, "2026-05-14T16:20:00.0504Z");
}

/* A buffer too small for the text: cut as snprintf cuts, the length the
 * whole text has returned. */
Test(instant_format, small_buffer_is_cut_with_nul)
{
	char buf[8];
	size_t n = instant_format(T_EXAMPLE + 5, buf, sizeof buf);

	cr_assert_eq(n, strlen("2026-05-14T16:20:00.000005Z"));
	cr_assert_str_eq(buf, "2026-05");
}

Test(instant_format, parse_then_format_is_utc)
{
	static const char *const in[][2] = {
		{ "2026-05-15T05:20:00+13:00", "2026-05-14T16:20:00Z" },
		{ "2026-05-14T10:50:00-05:30", "2026-05-14T16:20:00Z" },
		{ "2027-01-01T00:30:00+01:00", "2026-12-31T23:30:00Z" },
		{ "2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z" },
	};
	size_t i;

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		char buf[40];

		instant_format(parse_ok(in[i][0]), buf, sizeof buf);
		cr_assert_str_eq(buf, in[i][1], "from %s", in[i][0]);
	}
}

/* ---- instant_civil ------------------------------------------------------ */

static void check_civil(int64_t us, int y, int mo, int d, int h, int mi, int s)
{
	int cy, cmo, cd, ch, cmi, cs;

	instant_civil(us, &cy, &cmo, &cd, &ch, &cmi, &cs);
	cr_assert(cy == y && cmo == mo && cd == d && ch == h && cmi == mi &&
			  cs == s,
		  "%lld: got %04d-%02d-%02d %02d:%02d:%02d", (long long)us, cy,
		  cmo, cd, ch, cmi, cs);
}

Test(instant_civil, fields)
{
	check_civil(T_EXAMPLE, 2026, 5, 14, 16, 20, 0);
	check_civil(T_EXAMPLE + 999999, 2026, 5, 14, 16, 20, 0);
	check_civil(0, 1970, 1, 1, 0, 0, 0);
	check_civil(INT64_C(1709251199) * AC_US_PER_S, 2024, 2, 29, 23, 59, 59);
	check_civil(INT64_C(951782400) * AC_US_PER_S, 2000, 2, 29, 0, 0, 0);
	check_civil(INT64_C(-62135596800) * AC_US_PER_S, 1, 1, 1, 0, 0, 0);
	check_civil(INT64_C(253402300799) * AC_US_PER_S, 9999, 12, 31, 23, 59,
		    59);
}

Test(instant_civil, before_epoch_floors)
{
	check_civil(-1, 1969, 12, 31, 23, 59, 59);
	check_civil(-AC_US_PER_S, 1969, 12, 31, 23, 59, 59);
	check_civil(-AC_US_PER_S - 1, 1969, 12, 31, 23, 59, 58);
}

Test(instant_civil, agrees_with_parse)
{
	int64_t us = parse_ok("2026-03-01T10:00:00+13:00");

	check_civil(us, 2026, 2, 28, 21, 0, 0);
}
