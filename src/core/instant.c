/* instant.c: RFC 3339 times to and from int64 microseconds UTC (core).
 * Calendar arithmetic is Howard Hinnant's days-from-civil algorithm, so no
 * libc time zone state is touched. */
#include "instant.h"

#include <stdbool.h>
#include <stdio.h>

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int64_t month_days(int64_t y, int64_t m)
{
	static const int64_t days[] = { 31, 28, 31, 30, 31, 30,
					31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* digits reads exactly n decimal digits at s[*i]. */
static bool digits(const char *s, size_t len, size_t *i, int n, int64_t *out)
{
	int64_t v = 0;

	if (*i + (size_t)n > len)
		return false;
	for (int k = 0; k < n; k++) {
		char c = s[*i + (size_t)k];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*i += (size_t)n;
	*out = v;
	return true;
}

static bool expect(const char *s, size_t len, size_t *i, char c)
{
	if (*i >= len || s[*i] != c)
		return false;
	(*i)++;
	return true;
}

int instant_parse(const char *s, size_t n, int64_t *out)
{
	int64_t y, mo, d, h, mi, sec, frac = 0, off = 0;
	size_t i = 0;

	if (!digits(s, n, &i, 4, &y) || !expect(s, n, &i, '-') ||
	    !digits(s, n, &i, 2, &mo) || !expect(s, n, &i, '-') ||
	    !digits(s, n, &i, 2, &d))
		return -1;
	if (i >= n || (s[i] != 'T' && s[i] != 't'))
		return -1;
	i++;
	if (!digits(s, n, &i, 2, &h) || !expect(s, n, &i, ':') ||
	    !digits(s, n, &i, 2, &mi) || !expect(s, n, &i, ':') ||
	    !digits(s, n, &i, 2, &sec))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	if (sec == 60)  /* a leap second is read as the last second */
		sec = 59;
	if (i < n && s[i] == '.') {
		int nd = 0;

		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (nd < 6)
				frac = frac * 10 + (s[i] - '0');
			nd++;
			i++;
		}
		if (nd == 0)
			return -1;
		for (; nd < 6; nd++)
			frac *= 10;
	}
	if (i >= n)
		return -1;  /* a zone is required */
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		int64_t oh, om;
		int sign = s[i] == '-' ? -1 : 1;

		i++;
		if (!digits(s, n, &i, 2, &oh) || !expect(s, n, &i, ':') ||
		    !digits(s, n, &i, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (i != n)
		return -1;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 +
		       mi * 60 + sec - off;
	*out = secs * AC_US_PER_S + frac;
	return 0;
}

void instant_civil(int64_t us, int *year, int *month, int *day, int *hour,
		   int *minute, int *second)
{
	int64_t secs = us / AC_US_PER_S;
	int64_t y, m, d;

	if (us % AC_US_PER_S < 0)
		secs--;
	int64_t days = secs / 86400, rem = secs % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	*year = (int)y;
	*month = (int)m;
	*day = (int)d;
	*hour = (int)(rem / 3600);
	*minute = (int)(rem % 3600 / 60);
	*second = (int)(rem % 60);
}

/* The longest text format_fast writes, its NUL included. */
#define INSTANT_FAST_CAP sizeof "2026-05-12T16:20:00.123456Z"

static char *two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* format_fast writes what the snprintf formats below write, for a year
 * of four digits, without parsing a format: a case read writes a dozen
 * instants, and snprintf was a twentieth of its time. */
static size_t format_fast(char *buf, int y, int mo, int d, int h, int mi,
			  int s, int64_t frac)
{
	char *p = buf;

	p = two(p, y / 100);
	p = two(p, y % 100);
	*p++ = '-';
	p = two(p, mo);
	*p++ = '-';
	p = two(p, d);
	*p++ = 'T';
	p = two(p, h);
	*p++ = ':';
	p = two(p, mi);
	*p++ = ':';
	p = two(p, s);
	if (frac) {
		int64_t div = 100000;

		*p++ = '.';
		while (frac) {          /* trailing zeros dropped */
			*p++ = (char)('0' + frac / div);
			frac %= div;
			div /= 10;
		}
	}
	*p++ = 'Z';
	*p = '\0';
	return (size_t)(p - buf);
}

size_t instant_format(int64_t us, char *buf, size_t cap)
{
	int y, mo, d, h, mi, s;
	int64_t frac = us % AC_US_PER_S;
	int len;

	if (frac < 0)
		frac += AC_US_PER_S;
	instant_civil(us, &y, &mo, &d, &h, &mi, &s);
	if (y >= 0 && y <= 9999 && cap >= INSTANT_FAST_CAP)
		return format_fast(buf, y, mo, d, h, mi, s, frac);
	if (frac == 0) {
		len = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", y,
			       mo,
			       d, h, mi, s);
	} else {
		int nd = 6;

		while (frac % 10 == 0) {
			frac /= 10;
			nd--;
		}
		len = snprintf(buf, cap,
			       "%04d-%02d-%02dT%02d:%02d:%02d.%0*lldZ",
			       y, mo, d, h, mi, s, nd, (long long)frac);
	}
	return len < 0 ? 0 : (size_t)len;
}
