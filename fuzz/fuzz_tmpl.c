/* fuzz_tmpl.c: libFuzzer harness for the pages' template renderer (fuzz).
 * The input is a template (anything goes), rendered from a model whose
 * every string holds the characters HTML gives meaning to. The renderer
 * must never crash, hang or leak, and unless the template itself asks for
 * a raw value ({{{..}}} or {{&..}}) or holds the string itself, no value
 * may come out unescaped. Partials: "p" includes itself (the depth limit),
 * "q" is a plain one. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/web/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
	const char *p;
	size_t n;
};

static int look(void *ctx, const char *name, const char **src, size_t *n)
{
	const struct src *t = ctx;

	if (!strcmp(name, "t")) {
		*src = t->p;
		*n = t->n;
	} else if (!strcmp(name, "p")) {
		*src = "{{#o}}{{> p}}{{/o}}{{v}}";
		*n = strlen(*src);
	} else if (!strcmp(name, "q")) {
		*src = "[{{v}}]";
		*n = 3 + 4;
	} else {
		return -1;
	}
	return 0;
}

static bool contains(const char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(h + i, needle, k))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static cJSON *model;
	struct src t = { (const char *)data, size };
	struct ac_err err;
	struct buf out;
	int rc;

	if (!model)
		model = cJSON_Parse("{\"v\": \"" "<b x='1' y=\\\"2\\\">&amp;"
				    "\", \"o\": {\"v\": \"" "<b x='1' "
				    "y=\\\"2\\\">&amp;" "\", \"o\": {}}, "
				    "\"xs\": [\"" "<b x='1' y=\\\"2\\\">&amp;"
				    "\", 1, true, null, {\"v\": 2}], "
				    "\"n\": 1.5, \"e\": \"\", \"f\": false}");
	if (!model)
		abort();
	buf_init(&out, 1u << 22);
	ac_err_clear(&err);
	rc = tmpl_render(&out, "t", look, &t, model, &err);
	if (rc == 0 && !buf_error(&out) &&
	    !contains((const char *)data, size, "{{{") &&
	    !contains((const char *)data, size, "{{&") &&
	    !contains((const char *)data, size, "<b") &&
	    contains(out.p ? out.p : "", out.len, "<b"))
		abort();                /* a value came out unescaped */
	if (rc && !err.msg[0])
		abort();                /* a refusal says why */
	buf_release(&out);
	return 0;
}
