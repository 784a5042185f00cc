/* tmpl.c: the template renderer escapes every value unless told not to,
 * walks sections over arrays, objects and truthy values, looks names up
 * the context, includes partials, and names the template and line of
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

/* render renders the template "t" (and the others given) from JSON. */
static char *render(const struct tpl *set, const char *json, int *rc,
		    struct ac_err *err)
{
	static char out[4096];
	cJSON *m = cJSON_Parse(json);
	struct buf b;

	cr_assert_not_null(m, "bad test JSON %s", json);
	tpls = set;
	buf_init(&b, 1 << 20);
	ac_err_clear(err);
	*rc = tmpl_render(&b, "t", look, NULL, m, err);
	snprintf(out, sizeof out, "%.*s", (int)b.len, b.p ? b.p : "");
	buf_release(&b);
	cJSON_Delete(m);
	return out;
}

static char *one(const char *src, const char *json)
{
	struct tpl set[] = { { "t", src }, { NULL, NULL } };
	struct ac_err err;
	int rc;
	char *s = render(set, json, &rc, &err);

	cr_assert_eq(rc, 0, "%s", err.msg);
	return s;
}

Test(tmpl, escapes_every_value_by_default)
{
	cr_assert_str_eq(one("<p>{{v}}</p>", "{\"v\": \"<script>a&b\\\"c'd</script>\"}"),
			 "<p>&lt;script&gt;a&amp;b&quot;c&#39;d&lt;/script&gt;</p>");
	cr_assert_str_eq(one("<a title=\"{{v}}\">", "{\"v\": \"\\\" onmouseover=x\"}"),
			 "<a title=\"&quot; onmouseover=x\">");
	cr_assert_str_eq(one("{{{v}}}|{{&v}}", "{\"v\": \"<b>\"}"), "<b>|<b>");
}

Test(tmpl, values_numbers_and_missing_names)
{
	cr_assert_str_eq(one("{{a}}-{{b}}-{{c}}-{{d}}", "{\"a\": 12, \"b\": 1.5, \"c\": true}"),
			 "12-1.5-true-");
	cr_assert_str_eq(one("{{ o.k.x }}", "{\"o\": {\"k\": {\"x\": \"deep\"}}}"), "deep");
	cr_assert_str_eq(one("{{a.1}}", "{\"a\": [\"x\", \"y\"]}"), "y");
}

Test(tmpl, sections_over_arrays_objects_and_truth)
{
	cr_assert_str_eq(one("{{#xs}}[{{.}}]{{/xs}}", "{\"xs\": [1, 2, 3]}"), "[1][2][3]");
	cr_assert_str_eq(one("{{#xs}}{{n}}{{/xs}}", "{\"xs\": [{\"n\": \"a\"}, {\"n\": \"b\"}]}"), "ab");
	cr_assert_str_eq(one("{{#o}}{{n}}{{/o}}", "{\"o\": {\"n\": \"in\"}}"), "in");
	cr_assert_str_eq(one("{{#t}}yes{{/t}}{{#f}}no{{/f}}{{#s}}s{{/s}}{{#e}}e{{/e}}{{#z}}z{{/z}}",
			     "{\"t\": true, \"f\": false, \"s\": \"x\", \"e\": \"\", \"z\": 0}"),
			 "yess");
	cr_assert_str_eq(one("{{^xs}}none{{/xs}}{{^f}}not f{{/f}}{{^m}}missing{{/m}}",
			     "{\"xs\": [], \"f\": false}"), "nonenot fmissing");
	/* the same name nested inside itself */
	cr_assert_str_eq(one("{{#a}}<{{#a}}{{v}}{{/a}}>{{/a}}",
			     "{\"a\": {\"a\": {\"v\": 1}}}"), "<1>");
}

Test(tmpl, names_are_found_up_the_context)
{
	cr_assert_str_eq(one("{{#items}}{{name}}/{{csrf}} {{/items}}",
			     "{\"csrf\": \"k\", \"items\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}"),
			 "a/k b/k ");
	/* an inner name hides the outer one */
	cr_assert_str_eq(one("{{#o}}{{v}}{{/o}}{{v}}", "{\"v\": 1, \"o\": {\"v\": 2}}"), "21");
}

Test(tmpl, partials_comments)
{
	struct tpl set[] = { { "t", "a{{> p}}c{{! not shown }}" },
			     { "p", "[{{v}}]" }, { NULL, NULL } };
	struct ac_err err;
	int rc;

	cr_assert_str_eq(render(set, "{\"v\": \"b\"}", &rc, &err), "a[b]c");
	cr_assert_eq(rc, 0);
}

static void refused(const struct tpl *set, const char *want)
{
	struct ac_err err;
	int rc;

	render(set, "{\"a\": {\"a\": 1}}", &rc, &err);
	cr_assert_eq(rc, AC_EINVAL, "%s was rendered", set[0].src);
	cr_assert(strstr(err.msg, want), "'%s' does not say '%s'", err.msg,
		  want);
}

Test(tmpl, every_mistake_names_its_template_line_and_tag)
{
	struct tpl unclosed[] = { { "t", "x\n{{#a}}\ny" }, { NULL, NULL } };
	struct tpl stray[] = { { "t", "x\n\n{{/a}}" }, { NULL, NULL } };
	struct tpl open_tag[] = { { "t", "x {{a" }, { NULL, NULL } };
	struct tpl raw[] = { { "t", "{{{a}}" }, { NULL, NULL } };
	struct tpl empty[] = { { "t", "{{}}" }, { NULL, NULL } };
	struct tpl nopart[] = { { "t", "\n{{> nowhere}}" }, { NULL, NULL } };
	struct tpl loop[] = { { "t", "{{> t}}" }, { NULL, NULL } };

	refused(unclosed, "t:2: a section is not closed: {{a}}");
	refused(stray, "t:3: a close without its open: {{a}}");
	refused(open_tag, "t:1: a tag is not closed");
	refused(raw, "must end with }}}");
	refused(empty, "a tag without a name");
	refused(nopart, "t:2: no such template: {{nowhere}}");
	refused(loop, "nested too deep");
}
