/* tmpl.c: the template renderer escapes every value unless told not to,
 * walks sections over arrays, objects and truthy values, looks names up
 * the context, includes partials, and names the template, line and tag of
 * every mistake. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../src/web/tmpl.h"

struct tpl {
	const char *name, *src;
};

static const struct tpl *tpls;

static int look(void *ctx, const char *name, const char **src, size_t *n)
{
	(void)ctx;
	for (const struct tpl *t = tpls; t->name; t++)
		if (!strcmp(t->name, name)) {
			*src = t->src;
			*n = strlen(t->src);
			return 0;
		}
	return -1;
}

/* render renders the template "t" (and the others given) from JSON into
 * a buffer of cap bytes. */
static char *render_cap(const struct tpl *set, const char *json, size_t cap,
			int *rc, struct ac_err *err)
{
	static char out[1 << 16];
	cJSON *m = cJSON_Parse(json);
	struct buf b;

	cr_assert_not_null(m, "bad test JSON %s", json);
	tpls = set;
	buf_init(&b, cap);
	ac_err_clear(err);
	*rc = tmpl_render(&b, "t", look, NULL, m, err);
	snprintf(out, sizeof out, "%.*s", (int)b.len, b.p ? b.p : "");
	buf_release(&b);
	cJSON_Delete(m);
	return out;
}

static char *render(const struct tpl *set, const char *json, int *rc,
		    struct ac_err *err)
{
	return render_cap(set, json, 1 << 20, rc, err);
}

static char *one(const char *src, const char *json)
{
	struct tpl set[] = { { "t", src }, { NULL, NULL } };
	struct ac_err err;
	int rc;
	char *s = render(set, json, &rc, &err);

	cr_assert_eq(rc, 0, "%s: %s", src, err.msg);
	return s;
}

Test(tmpl, escapes_each_character)
{
	cr_assert_str_eq(one("{{v}}", "{\"v\": \"a&b\"}"), "a&amp;b");
	cr_assert_str_eq(one("{{v}}", "{\"v\": \"a<b\"}"), "a&lt;b");
	cr_assert_str_eq(one("{{v}}", "{\"v\": \"a>b\"}"), "a&gt;b");
	cr_assert_str_eq(one("{{v}}", "{\"v\": \"a\\\"b\"}"), "a&quot;b");
	cr_assert_str_eq(one("{{v}}", "{\"v\": \"a'b\"}"), "a&#39;b");
	/* the entities themselves are escaped again: no double meaning */
	cr_assert_str_eq(one("{{v}}", "{\"v\": \"&lt;\"}"), "&amp;lt;");
	/* the rest passes as it is, UTF-8 included */
	cr_assert_str_eq(one("{{v}}", "{\"v\": \"Ünïcode / = ;\"}"),
			 "Ünïcode / = ;");
	/* escaping ends at the value: the template's own text is not */
	cr_assert_str_eq(one("<b>{{v}}</b>", "{\"v\": \"x\"}"), "<b>x</b>");
}

Test(tmpl, a_script_in_a_value_shows_as_text)
{
	cr_assert_str_eq(one("<p>{{v}}</p>",
			     "{\"v\": \"<script>alert('x')</script>\"}"),
			 "<p>&lt;script&gt;alert(&#39;x&#39;)"
			 "&lt;/script&gt;</p>");
	/* an attribute cannot be broken out of */
	cr_assert_str_eq(one("<a title=\"{{v}}\" x='{{v}}'>",
			     "{\"v\": \"\\\" onmouseover=x '\"}"),
			 "<a title=\"&quot; onmouseover=x &#39;\" "
			 "x='&quot; onmouseover=x &#39;'>");
	/* dotted and current-item values are escaped too */
	cr_assert_str_eq(one("{{o.v}}{{#xs}}{{.}}{{/xs}}",
			     "{\"o\": {\"v\": \"<i>\"}, \"xs\": [\"<u>\"]}"),
			 "&lt;i&gt;&lt;u&gt;");
	/* only {{{ }}} and {{& }} write HTML as it is */
	cr_assert_str_eq(one("{{{v}}}|{{&v}}|{{{ v }}}", "{\"v\": \"<b>\"}"),
			 "<b>|<b>|<b>");
}

Test(tmpl, values_numbers_and_missing_names)
{
	cr_assert_str_eq(one("{{a}}-{{b}}-{{c}}-{{d}}-{{e}}-{{f}}-{{g}}",
			     "{\"a\": 12, \"b\": 1.5, \"c\": true, "
			     "\"e\": false, \"f\": null, \"g\": -7}"),
			 "12-1.5-true--false---7");
	/* integral numbers print as integers, however they were written */
	cr_assert_str_eq(one("{{a}} {{b}} {{c}}",
			     "{\"a\": 12000, \"b\": 1e3, "
			     "\"c\": 9007199254740991}"),
			 "12000 1000 9007199254740991");
	/* too large for an integer: still a number, no undefined cast */
	cr_assert_str_eq(one("{{a}}", "{\"a\": 1e300}"),
			 "1.0000000000000001e+300");
	/* objects and arrays print nothing */
	cr_assert_str_eq(one("[{{o}}{{xs}}]",
			     "{\"o\": {\"k\": 1}, \"xs\": [1]}"), "[]");
	cr_assert_str_eq(one("{{ o.k.x }}",
			     "{\"o\": {\"k\": {\"x\": \"deep\"}}}"), "deep");
	cr_assert_str_eq(one("{{a.1}}|{{a.2}}|{{a.x}}|{{a.99999999999999}}",
			     "{\"a\": [\"x\", \"y\"]}"), "y|||");
	/* a dotted name whose middle is missing or not an object */
	cr_assert_str_eq(one("[{{o.nope.x}}{{s.x}}{{o..k}}{{.o}}]",
			     "{\"o\": {\"k\": 1}, \"s\": \"str\"}"), "[]");
	/* text without tags, single braces, and an empty template */
	cr_assert_str_eq(one("a { b } {c} }}", "{}"), "a { b } {c} }}");
	cr_assert_str_eq(one("", "{}"), "");
}

Test(tmpl, sections_over_arrays_objects_and_truth)
{
	cr_assert_str_eq(one("{{#xs}}[{{.}}]{{/xs}}", "{\"xs\": [1, 2, 3]}"),
			 "[1][2][3]");
	cr_assert_str_eq(one("{{#xs}}{{n}}{{/xs}}",
			     "{\"xs\": [{\"n\": \"a\"}, {\"n\": \"b\"}]}"),
			 "ab");
	cr_assert_str_eq(one("{{#o}}{{n}}{{/o}}", "{\"o\": {\"n\": \"in\"}}"),
			 "in");
	/* an empty object is still something */
	cr_assert_str_eq(one("{{#o}}yes{{/o}}{{^o}}no{{/o}}", "{\"o\": {}}"),
			 "yes");
	cr_assert_str_eq(one("{{#t}}yes{{/t}}{{#f}}no{{/f}}{{#s}}s{{/s}}"
			     "{{#e}}e{{/e}}{{#z}}z{{/z}}{{#n}}n{{/n}}"
			     "{{#one}}1{{/one}}{{#xs}}x{{/xs}}{{#m}}m{{/m}}",
			     "{\"t\": true, \"f\": false, \"s\": \"x\", "
			     "\"e\": \"\", \"z\": 0, \"n\": null, \"one\": 1, "
			     "\"xs\": []}"),
			 "yess1");
	/* a scalar section pushes its value */
	cr_assert_str_eq(one("{{#s}}<{{.}}>{{/s}}", "{\"s\": \"a&b\"}"),
			 "<a&amp;b>");
	/* the same name nested inside itself */
	cr_assert_str_eq(one("{{#a}}<{{#a}}{{v}}{{/a}}>{{/a}}",
			     "{\"a\": {\"a\": {\"v\": 1}}}"), "<1>");
	/* arrays of arrays */
	cr_assert_str_eq(one("{{#xs}}({{#.}}{{.}}{{/.}}){{/xs}}",
			     "{\"xs\": [[1, 2], [], [3]]}"), "(12)()(3)");
}

Test(tmpl, inverted_sections)
{
	cr_assert_str_eq(one("{{^xs}}none{{/xs}}{{^f}}not f{{/f}}"
			     "{{^m}}missing{{/m}}{{^n}}null{{/n}}"
			     "{{^z}}zero{{/z}}{{^e}}empty{{/e}}",
			     "{\"xs\": [], \"f\": false, \"n\": null, "
			     "\"z\": 0, \"e\": \"\"}"),
			 "nonenot fmissingnullzeroempty");
	cr_assert_str_eq(one("{{^xs}}none{{/xs}}{{^t}}x{{/t}}{{^s}}x{{/s}}",
			     "{\"xs\": [1], \"t\": true, \"s\": \"a\"}"), "");
	/* an inverted section does not push: names are the outer ones */
	cr_assert_str_eq(one("{{^m}}{{v}}{{/m}}", "{\"v\": \"outer\"}"),
			 "outer");
}

Test(tmpl, names_are_found_up_the_context)
{
	cr_assert_str_eq(one("{{#items}}{{name}}/{{csrf}} {{/items}}",
			     "{\"csrf\": \"k\", \"items\": [{\"name\": \"a\"}, "
			     "{\"name\": \"b\"}]}"),
			 "a/k b/k ");
	/* an inner name hides the outer one, only inside */
	cr_assert_str_eq(one("{{#o}}{{v}}{{/o}}{{v}}",
			     "{\"v\": 1, \"o\": {\"v\": 2}}"), "21");
	/* three levels: each name from the nearest level that has it */
	cr_assert_str_eq(one("{{#a}}{{#b}}{{x}}{{y}}{{z}}{{/b}}{{/a}}",
			     "{\"x\": 1, \"y\": 1, \"z\": 1, "
			     "\"a\": {\"y\": 2, \"z\": 2, \"b\": {\"z\": 3}}}"),
			 "123");
	/* a dotted name's first part is looked up; the rest is not */
	cr_assert_str_eq(one("{{#a}}[{{o.k}}][{{a.k}}]{{/a}}",
			     "{\"o\": {\"k\": \"outer\"}, \"a\": {\"a\": {}}}"),
			 "[outer][]");
	/* a present but false inner value hides the outer truthy one */
	cr_assert_str_eq(one("{{#o}}{{#f}}x{{/f}}{{/o}}",
			     "{\"f\": true, \"o\": {\"f\": false}}"), "");
}

Test(tmpl, partials_and_comments)
{
	struct tpl set[] = { { "t", "a{{> p}}c{{! not shown }}{{!}}" },
			     { "p", "[{{v}}{{#o}}{{> q}}{{/o}}]" },
			     { "q", "<{{v}}>" }, { NULL, NULL } };
	struct ac_err err;
	int rc;

	/* a partial renders in the context where it is included */
	cr_assert_str_eq(render(set, "{\"v\": \"b\", \"o\": {\"v\": \"i\"}}",
				&rc, &err), "a[b<i>]c");
	cr_assert_eq(rc, 0, "%s", err.msg);
	/* a comment may hold anything but its end */
	cr_assert_str_eq(one("x{{! {v} #a ^b /c }}y", "{\"v\": 1}"), "xy");
}

static void refused(const struct tpl *set, const char *want)
{
	struct ac_err err;
	int rc;

	render(set, "{\"a\": {\"a\": 1}}", &rc, &err);
	cr_assert_eq(rc, AC_EINVAL, "%s was rendered (rc %d)", set[0].src,
		     rc);
	cr_assert(strstr(err.msg, want), "'%s' does not say '%s'", err.msg,
		  want);
}

Test(tmpl, every_mistake_names_its_template_line_and_tag)
{
	struct tpl unclosed[] = { { "t", "x\n{{#a}}\ny" }, { NULL, NULL } };
	struct tpl unclosed_inner[] = { { "t", "{{#a}}\n{{^b}}\n{{/a}}" },
					{ NULL, NULL } };
	struct tpl mismatch[] = { { "t", "{{#a}}\n{{/b}}\n{{/a}}" },
				  { NULL, NULL } };
	struct tpl stray[] = { { "t", "x\n\n{{/a}}" }, { NULL, NULL } };
	struct tpl open_tag[] = { { "t", "x\n{{a" }, { NULL, NULL } };
	struct tpl raw[] = { { "t", "{{{a}}" }, { NULL, NULL } };
	struct tpl empty[] = { { "t", "\n\n\n{{  }}" }, { NULL, NULL } };
	struct tpl nopart[] = { { "t", "\n{{> nowhere}}" }, { NULL, NULL } };
	struct tpl inpart[] = { { "t", "a\n{{> p}}" },
				{ "p", "\n\n\n{{/x}}" }, { NULL, NULL } };
	struct tpl loop[] = { { "t", "{{> t}}" }, { NULL, NULL } };
	struct tpl none[] = { { "other", "" }, { NULL, NULL } };
	struct ac_err err;
	int rc;

	refused(unclosed, "t:2: a section is not closed: {{#a}}");
	/* the inner section is the unclosed one: its own close is missing */
	refused(unclosed_inner, "t:2: a section is not closed: {{^b}}");
	refused(mismatch, "t:2: a close without its open: {{/b}}");
	refused(stray, "t:3: a close without its open: {{/a}}");
	refused(open_tag, "t:2: a tag is not closed: {{a");
	refused(raw, "t:1: a {{{ tag must end with }}}: {{{a}}");
	refused(empty, "t:4: a tag without a name: {{  }}");
	refused(nopart, "t:2: no such template: {{> nowhere}}");
	/* a mistake in a partial names the partial and its own line */
	refused(inpart, "p:4: a close without its open: {{/x}}");
	refused(loop, "t:1: nested deeper than 32: {{> t}}");
	render(none, "{}", &rc, &err);
	cr_assert_eq(rc, AC_EINVAL);
	cr_assert_str_eq(err.msg, "no such template: t");
	/* the line is in err.line as well */
	render(stray, "{}", &rc, &err);
	cr_assert_eq(err.line, 3);
}

/* nest: n sections of "a" around "x", or n partials deep. */
static void nest(char *out, size_t cap, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "{{#a}}");
	len += (size_t)snprintf(out + len, cap - len, "\nx");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, cap - len, "{{/a}}");
}

Test(tmpl, nesting_is_bounded_at_32)
{
	static char src[2048];
	struct tpl set[] = { { "t", src }, { NULL, NULL } };
	struct tpl parts[TMPL_DEPTH_MAX + 3];
	static char names[TMPL_DEPTH_MAX + 3][8], srcs[TMPL_DEPTH_MAX + 3][16];
	struct ac_err err;
	int rc;

	nest(src, sizeof src, TMPL_DEPTH_MAX);
	cr_assert_str_eq(render(set, "{\"a\": true}", &rc, &err), "\nx");
	cr_assert_eq(rc, 0, "%s", err.msg);
	nest(src, sizeof src, TMPL_DEPTH_MAX + 1);
	render(set, "{\"a\": true}", &rc, &err);
	cr_assert_eq(rc, AC_EINVAL);
	cr_assert(strstr(err.msg, "t:1: nested deeper than 32: {{#a}}"),
		  "%s", err.msg);
	/* partials count as well: t includes p1 .. pN, each the next */
	for (int n = TMPL_DEPTH_MAX; n <= TMPL_DEPTH_MAX + 1; n++) {
		for (int i = 0; i <= n; i++) {
			snprintf(names[i], sizeof names[i], i ? "p%d" : "t",
				 i);
			if (i < n)
				snprintf(srcs[i], sizeof srcs[i],
					 "{{> p%d}}", i + 1);
			else
				snprintf(srcs[i], sizeof srcs[i], "end");
			parts[i] = (struct tpl){ names[i], srcs[i] };
		}
		parts[n + 1] = (struct tpl){ NULL, NULL };
		render(parts, "{}", &rc, &err);
		if (n == TMPL_DEPTH_MAX)
			cr_assert_eq(rc, 0, "%s", err.msg);
		else
			cr_assert(rc == AC_EINVAL && strstr(err.msg,
				  "p32:1: nested deeper than 32: {{> p33}}"),
				  "%d %s", rc, err.msg);
	}
}

Test(tmpl, a_full_buffer_stops_the_rendering)
{
	struct tpl set[] = { { "t", "{{#xs}}0123456789{{/xs}}" },
			     { NULL, NULL } };
	struct ac_err err;
	int rc;

	render_cap(set, "{\"xs\": [1, 2, 3]}", 25, &rc, &err);
	cr_assert_eq(rc, AC_ELIMIT);
	cr_assert(strstr(err.msg, "larger than 25 bytes"), "%s", err.msg);
	render_cap(set, "{\"xs\": [1, 2]}", 25, &rc, &err);
	cr_assert_eq(rc, 0, "%s", err.msg);
}

Test(tmpl, a_template_that_loops_is_stopped)
{
	/* 2^30 renderings of an empty section: stopped by the work bound */
	static char src[4096];
	struct tpl set[] = { { "t", src }, { NULL, NULL } };
	struct ac_err err;
	int rc;

	for (int i = 0; i < 30; i++) {
		memcpy(src + 6 * i, "{{#a}}", 6);
		memcpy(src + 6 * (30 + i), "{{/a}}", 6);
	}
	render(set, "{\"a\": [1, 2]}", &rc, &err);
	cr_assert_eq(rc, AC_ELIMIT);
	cr_assert(strstr(err.msg, "a loop?"), "%s", err.msg);
}

Test(tmpl, a_missing_model_renders_names_as_nothing)
{
	struct tpl set[] = { { "t", "[{{a}}{{#b}}x{{/b}}{{^c}}y{{/c}}]" },
			     { NULL, NULL } };
	struct buf b;
	struct ac_err err;

	tpls = set;
	buf_init(&b, 1024);
	cr_assert_eq(tmpl_render(&b, "t", look, NULL, NULL, &err), 0);
	cr_assert_str_eq(buf_cstr(&b), "[y]");
	buf_release(&b);
}
