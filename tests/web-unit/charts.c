/* charts.c: the server-drawn SVG charts (src/web/charts.c, issue 9.3):
 * every chart is well-formed XML (checked here by a small parser: tags
 * nest, attributes are quoted, text has no bare < or &), has role="img"
 * and an aria-labelledby naming its <title> and <desc>, escapes what it
 * is given, and draws bars proportional to their values against an axis
 * whose top is the next 1, 2 or 5 times a power of ten. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/web/charts.h"

/* ---- a small XML checker ---------------------------------------------- */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '_';
}

/* entity: s starts with '&'; the length of a known reference, else 0 */
static size_t entity(const char *s)
{
	static const char *const ok[] = { "&amp;", "&lt;", "&gt;", "&quot;",
					  "&#39;" };

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (!strncmp(s, ok[i], strlen(ok[i])))
			return strlen(ok[i]);
	return 0;
}

/* well_formed: NULL, or what is wrong */
static const char *well_formed(const char *s)
{
	char stack[64][32];
	int top = 0;

	while (*s) {
		if (*s == '&') {
			size_t n = entity(s);

			if (!n)
				return "a bare & or an unknown entity";
			s += n;
			continue;
		}
		if (*s == '>')
			return "a bare > in text";
		if (*s != '<') {
			s++;
			continue;
		}
		s++;
		bool closing = *s == '/';
		char name[32];
		size_t n = 0;

		s += closing;
		while (name_char(*s) && n < sizeof name - 1)
			name[n++] = *s++;
		name[n] = '\0';
		if (!n)
			return "a tag without a name";
		if (closing) {
			if (*s++ != '>')
				return "junk in a closing tag";
			if (!top || strcmp(stack[top - 1], name))
				return "a closing tag that does not match";
			top--;
			continue;
		}
		for (;;) {
			while (*s == ' ')
				s++;
			if (*s == '>' || (s[0] == '/' && s[1] == '>'))
				break;
			if (!name_char(*s))
				return "a bad attribute name";
			while (name_char(*s))
				s++;
			if (*s++ != '=' || *s++ != '"')
				return "an attribute not quoted";
			while (*s && *s != '"') {
				if (*s == '<')
					return "a < in an attribute";
				if (*s == '&') {
					size_t k = entity(s);

					if (!k)
						return "a bare & in a value";
					s += k;
				} else {
					s++;
				}
			}
			if (*s++ != '"')
				return "an attribute not closed";
		}
		if (*s == '/') {
			s += 2;
			continue;
		}
		s++;
		if (top == 64)
			return "too deep";
		snprintf(stack[top++], sizeof stack[0], "%s", name);
	}
	return top ? "an element left open" : NULL;
}

/* ---- helpers ----------------------------------------------------------- */

static char *draw(const struct chart *c)
{
	struct buf b;
	char *s;

	buf_init(&b, 1u << 20);
	cr_assert_eq(chart_svg(c, &b), 0);
	s = strdup(buf_cstr(&b));
	buf_release(&b);
	return s;
}

/* attr: the value of the first `name="..."` at or after p, in out */
static bool attr(const char *p, const char *name, char *out, size_t cap)
{
	char key[40];
	const char *a, *e;

	snprintf(key, sizeof key, " %s=\"", name);
	if (!(a = strstr(p, key)))
		return false;
	a += strlen(key);
	e = strchr(a, '"');
	snprintf(out, cap, "%.*s", (int)(e - a), a);
	return true;
}

/* tenths: "12.3" as 123 */
static long tenths(const char *s)
{
	long whole = strtol(s, (char **)&s, 10), frac = 0;

	if (*s == '.')
		frac = s[1] - '0';
	return whole * 10 + frac;
}

static const struct chart_point pts[] = {
	{ "refund.1", 40 }, { "refund.3", 10 }, { "no-refund.1", 25 },
	{ "<b>&\"x\"", 0 },
};

/* ---- tests ------------------------------------------------------------- */

Test(charts, bars_are_well_formed_and_named)
{
	struct chart c = { CHART_BAR, "c-x-1", "Cases by clause",
			   "Cases by deciding clause.", "Cases", 0, pts, 4 };
	char *s = draw(&c), v[200];
	const char *err = well_formed(s);

	cr_assert_null(err, "%s: %s", err, s);
	cr_assert(!strncmp(s, "<svg ", 5));
	cr_assert(attr(s, "role", v, sizeof v));
	cr_expect_str_eq(v, "img");
	cr_assert(attr(s, "aria-labelledby", v, sizeof v));
	cr_expect_str_eq(v, "c-x-1-t c-x-1-d");
	cr_expect(strstr(s, "<title id=\"c-x-1-t\">Cases by clause</title>"));
	cr_expect(strstr(s, "<desc id=\"c-x-1-d\">Cases by deciding clause."));
	cr_expect(strstr(s, "the largest is refund.1, 40 (Cases)"), "%s", s);
	/* what it is given is escaped, in the labels and the titles */
	cr_expect(strstr(s, "&lt;b&gt;&amp;&quot;x&quot;"), "%s", s);
	cr_expect(!strstr(s, "<b>"));
	/* no script, no style */
	cr_expect(!strstr(s, "<script") && !strstr(s, "style="));
	free(s);
}

Test(charts, bars_are_proportional_to_their_values)
{
	struct chart c = { CHART_BAR, "c", "t", "d", "Cases", 0, pts, 4 };
	char *s = draw(&c), v[40];
	const char *p = s;
	long h[4];
	int n = 0;

	/* axis top for 40: 50 */
	cr_expect_eq(chart_axis_top(40), 50);
	while ((p = strstr(p, "<rect ")) && n < 4) {
		cr_assert(attr(p, "height", v, sizeof v));
		h[n++] = tenths(v);
		p++;
	}
	cr_assert_eq(n, 4, "one bar per point");
	/* height = value * plot height / axis top, in tenths */
	for (int i = 0; i < 4; i++)
		cr_expect_eq(h[i], pts[i].value * CHART_PLOT_H * 10 / 50,
			     "bar %d: %ld", i, h[i]);
	cr_expect_eq(h[0] * 10, h[1] * 40, "40 is four times 10");
	cr_expect_eq(h[3], 0);
	free(s);
}

Test(charts, a_line_has_a_point_per_value_and_money_decimals)
{
	static const struct chart_point w[] = {
		{ "2026-W01", 12345 }, { "2026-W02", 0 }, { "2026-W03", 99 },
	};
	struct chart c = { CHART_LINE, "l", "Refunded in USD", "per week",
			   "USD", 2, w, 3 };
	char *s = draw(&c);
	const char *err = well_formed(s), *p = s;
	int n = 0;

	cr_assert_null(err, "%s: %s", err, s);
	cr_expect(strstr(s, "<polyline "));
	while ((p = strstr(p + 1, "<circle ")))
		n++;
	cr_expect_eq(n, 3);
	cr_expect(strstr(s, "<title>2026-W01: 123.45</title>"), "%s", s);
	cr_expect(strstr(s, "the largest is 2026-W01, 123.45 (USD)"));
	/* the axis tops at 200.00 (20000 minor units) */
	cr_expect(strstr(s, ">200.00</text>"), "%s", s);
	free(s);
}

Test(charts, an_empty_chart_says_so)
{
	struct chart c = { CHART_BAR, "e", "Nothing", "d", "Cases", 0, NULL,
			   0 };
	char *s = draw(&c);

	cr_assert_null(well_formed(s));
	cr_expect(strstr(s, "No figures in this range"));
	cr_expect(strstr(s, "role=\"img\""));
	free(s);
}

Test(charts, axis_tops)
{
	static const int64_t in[] = { 0, 1, 2, 3, 5, 6, 10, 11, 20, 21, 99,
				      100, 101, 1999 };
	static const int64_t want[] = { 1, 1, 2, 5, 5, 10, 10, 20, 20, 50,
					100, 100, 200, 2000 };

	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
		cr_expect_eq(chart_axis_top(in[i]), want[i], "%lld",
			     (long long)in[i]);
}

Test(charts, long_labels_are_cut_on_a_character)
{
	/* 23 ASCII bytes and then "é" (2 bytes): cut before it */
	static const struct chart_point p[] = {
		{ "abcdefghijklmnopqrstuvwé and more", 3 },
	};
	struct chart c = { CHART_BAR, "u", "t", "d", "Cases", 0, p, 1 };
	char *s = draw(&c);

	cr_assert_null(well_formed(s));
	cr_expect(strstr(s, ">abcdefghijklmnopqrstuvw\xE2\x80\xA6</text>"),
		  "%s", s);
	free(s);
}
