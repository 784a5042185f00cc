/* fuzz_tmpl.c: libFuzzer harness for the template renderer (fuzz).
 * The input is up to three templates, "t" (rendered), "p" and "q" (its
 * partials), separated by NUL bytes, rendered from a fixed model whose
 * every string holds the five characters that must be escaped. Whatever
 * the templates, the renderer returns 0, AC_EINVAL or AC_ELIMIT, says why
 * on an error (the template's name first), and never lets a value's
 * markup through: when no template has {{{ or {{&, nor any of & < > " '
 * in its own text, the output has none of < > " ' and its every & begins
 * an entity. A template without "{{" renders as itself. The corpus is
 * seeded with the pages' own templates (fuzz/run.sh). A broken invariant
 * calls abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/web/tmpl.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char model_json[] =
	"{\"s\": \"<script>alert('x&y')</script>\\\"\", \"e\": \"\","
	" \"n\": 12, \"f\": 1.5, \"big\": 1e300, \"t\": true, \"no\": false,"
	" \"nul\": null, \"xs\": [\"<a>\", {\"s\": \"'\"}, [\"&\", 2]],"
	" \"one\": [\"\\\"\"], \"none\": [],"
	" \"o\": {\"s\": \">\", \"o\": {\"s\": \"&amp;\", \"xs\": [1, 2]}}}";

static cJSON *model;

struct set {
	const char *p[3];
	size_t n[3];
	int count;
};

static int look(void *ctx, const char *name, const char **src, size_t *n)
{
	const struct set *set = ctx;
	static const char *const names[] = { "t", "p", "q" };

	for (int i = 0; i < set->count; i++)
		if (!strcmp(name, names[i])) {
			*src = set->p[i];
			*n = set->n[i];
			return 0;
		}
	return -1;
}

static int has(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(p + i, needle, k))
			return 1;
	return 0;
}

static int has_any(const char *p, size_t n, const char *chars)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] && strchr(chars, p[i]))
			return 1;
	return 0;
}

/* only_entities: no < > " ' and every & starts one of the five
 * entities the renderer writes. */
static int only_entities(const char *p, size_t n)
{
	static const char *const ents[] = { "amp;", "lt;", "gt;", "quot;",
					    "#39;" };

	for (size_t i = 0; i < n; i++) {
		int ok = 0;

		if (p[i] == '<' || p[i] == '>' || p[i] == '"' || p[i] == '\'')
			return 0;
		if (p[i] != '&')
			continue;
		for (size_t e = 0; e < 5; e++)
			ok |= n - i - 1 >= strlen(ents[e]) &&
			      !memcmp(p + i + 1, ents[e], strlen(ents[e]));
		if (!ok)
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct set set = { .count = 0 };
	int raw = 0, marked = 0, tags = 0, rc;
	struct ac_err err;
	struct buf out;

	if (!model) {
		model = cJSON_Parse(model_json);
		CHECK(model);
	}
	while (set.count < 3) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		const char *e = z ? z : end;

		set.p[set.count] = p;
		set.n[set.count] = (size_t)(e - p);
		raw |= has(p, (size_t)(e - p), "{{{") ||
		       has(p, (size_t)(e - p), "{{&");
		marked |= has_any(p, (size_t)(e - p), "&<>\"'");
		tags |= has(p, (size_t)(e - p), "{{");
		set.count++;
		if (!z)
			break;
		p = z + 1;
	}
	buf_init(&out, 1 << 20);
	ac_err_clear(&err);
	rc = tmpl_render(&out, "t", look, &set, model, &err);
	CHECK(rc == 0 || rc == AC_EINVAL || rc == AC_ELIMIT);
	if (rc) {
		CHECK(err.code == rc);
		CHECK(err.msg[0] == 't' || err.msg[0] == 'p' ||
		      err.msg[0] == 'q' || !strncmp(err.msg, "no such", 7));
	} else {
		CHECK(buf_error(&out) == 0);
		if (!raw && !marked)
			CHECK(only_entities(out.p ? out.p : "", out.len));
		if (set.count == 1 && !tags)
			CHECK(out.len == set.n[0] &&
			      (out.len == 0 || !memcmp(out.p, set.p[0],
						       out.len)));
	}
	buf_release(&out);
	return 0;
}
