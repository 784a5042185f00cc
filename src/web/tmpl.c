/* tmpl.c: templates for the pages (web layer); see tmpl.h. The template
 * is read as it is rendered: a section's end is found by counting the
 * sections of the same name opened inside it. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl.h"

struct render {
	struct buf *out;
	tmpl_lookup look;
	void *ctx;
	struct ac_err *err;
	const cJSON *stack[TMPL_DEPTH_MAX + 1];
	int top;                        /* stack[top] is the current */
	int depth;                      /* sections and partials open */
};

/* A template being rendered: its name and bytes, for line numbers. */
struct src {
	const char *name, *p;
	size_t n;
};

static int fail(struct render *r, const struct src *s, const char *at,
		const char *fmt, const char *tag, size_t tag_n)
{
	int line = 1;

	for (const char *c = s->p; c < at; c++)
		line += *c == '\n';
	ac_err_set(r->err, AC_EINVAL, "template", "%s:%d: %s: {{%.*s}}",
		   s->name, line, fmt, (int)(tag_n > 60 ? 60 : tag_n), tag);
	return AC_EINVAL;
}

static void escape(struct buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *e;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		buf_add(b, run, (size_t)(s - run));
		buf_adds(b, e);
		run = s + 1;
	}
	buf_add(b, run, (size_t)(s - run));
}

/* find resolves a (dotted) name in the context; NULL when it is not
 * there. */
static const cJSON *find(const struct render *r, const char *name, size_t n)
{
	const char *dot = memchr(name, '.', n);
	size_t first = dot ? (size_t)(dot - name) : n;
	const cJSON *v = NULL;
	char key[128];

	if (n == 1 && name[0] == '.')
		return r->stack[r->top];
	if (first == 0 || first >= sizeof key)
		return NULL;
	memcpy(key, name, first);
	key[first] = '\0';
	for (int i = r->top; i >= 0 && !v; i--)
		if (cJSON_IsObject(r->stack[i]))
			v = cJSON_GetObjectItemCaseSensitive(r->stack[i], key);
	while (v && dot) {
		const char *seg = dot + 1, *end = name + n;
		size_t len;

		dot = memchr(seg, '.', (size_t)(end - seg));
		len = dot ? (size_t)(dot - seg) : (size_t)(end - seg);
		if (len == 0 || len >= sizeof key)
			return NULL;
		memcpy(key, seg, len);
		key[len] = '\0';
		if (cJSON_IsArray(v) && key[0] >= '0' && key[0] <= '9')
			v = cJSON_GetArrayItem(v, atoi(key));
		else
			v = cJSON_IsObject(v) ?
			    cJSON_GetObjectItemCaseSensitive(v, key) : NULL;
	}
	return v;
}

static bool truthy(const cJSON *v)
{
	if (!v || cJSON_IsFalse(v) || cJSON_IsNull(v))
		return false;
	if (cJSON_IsArray(v))
		return cJSON_GetArraySize(v) > 0;
	if (cJSON_IsString(v))
		return v->valuestring && v->valuestring[0];
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	return true;
}

static void value(struct buf *b, const cJSON *v, bool raw)
{
	char num[40];

	if (cJSON_IsString(v)) {
		if (raw)
			buf_adds(b, v->valuestring);
		else
			escape(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == (double)(long long)d)
			snprintf(num, sizeof num, "%lld", (long long)d);
		else
			snprintf(num, sizeof num, "%g", d);
		buf_adds(b, num);
	} else if (cJSON_IsBool(v)) {
		buf_adds(b, cJSON_IsTrue(v) ? "true" : "false");
	}
}

static int render(struct render *r, const struct src *s, const char *p,
		  const char *end);

/* A tag: its kind ('#', '^', '/', '>', '!', '{', '&' or 0) and its name,
 * trimmed. */
struct tag {
	const char *open, *close_end;   /* "{{" .. past "}}" */
	char kind;
	const char *name;
	size_t n;
};

/* next_tag finds the next tag in [p, end); 0 and *t, 1 when there is
 * none, AC_EINVAL when one is not closed. */
static int next_tag(struct render *r, const struct src *s, const char *p,
		    const char *end, struct tag *t)
{
	const char *o = NULL, *c, *body, *body_end;

	for (const char *q = p; q + 1 < end; q++)
		if (q[0] == '{' && q[1] == '{') {
			o = q;
			break;
		}
	if (!o)
		return 1;
	t->open = o;
	body = o + 2;
	t->kind = 0;
	if (body < end && strchr("#^/>!{&", *body))
		t->kind = *body++;
	c = NULL;
	for (const char *q = body; q + 1 < end; q++)
		if (q[0] == '}' && q[1] == '}') {
			c = q;
			break;
		}
	if (!c)
		return fail(r, s, o, "a tag is not closed", o,
			    (size_t)(end - o) > 20 ? 20 : (size_t)(end - o));
	body_end = c;
	t->close_end = c + 2;
	if (t->kind == '{') {
		if (t->close_end >= end || *t->close_end != '}')
			return fail(r, s, o, "a {{{ tag must end with }}}",
				    o + 2, (size_t)(c - o - 2));
		t->close_end++;
	}
	while (body < body_end && (*body == ' ' || *body == '\t'))
		body++;
	while (body_end > body && (body_end[-1] == ' ' ||
				   body_end[-1] == '\t'))
		body_end--;
	t->name = body;
	t->n = (size_t)(body_end - body);
	if (t->kind != '!' && t->n == 0)
		return fail(r, s, o, "a tag without a name", o + 2,
			    (size_t)(c - o - 2));
	return 0;
}

/* section_end finds the {{/name}} that closes the section whose body
 * starts at p; *body_end is where it begins, *after past it. */
static int section_end(struct render *r, const struct src *s,
		       const struct tag *open, const char *p, const char *end,
		       const char **body_end, const char **after)
{
	int nest = 0, rc;
	struct tag t;

	while ((rc = next_tag(r, s, p, end, &t)) == 0) {
		bool same = t.n == open->n && !memcmp(t.name, open->name, t.n);

		p = t.close_end;
		if ((t.kind == '#' || t.kind == '^') && same) {
			nest++;
		} else if (t.kind == '/' && same) {
			if (nest-- == 0) {
				*body_end = t.open;
				*after = t.close_end;
				return 0;
			}
		}
	}
	if (rc == 1)
		return fail(r, s, open->open, "a section is not closed",
			    open->name, open->n);
	return rc;
}

static int push(struct render *r, const struct src *s, const struct tag *t,
		const cJSON *v)
{
	if (r->top == TMPL_DEPTH_MAX || r->depth >= TMPL_DEPTH_MAX)
		return fail(r, s, t->open, "nested too deep", t->name, t->n);
	r->stack[++r->top] = v;
	return 0;
}

static int section(struct render *r, const struct src *s, const struct tag *t,
		   const char *body, const char *body_end)
{
	const cJSON *v = find(r, t->name, t->n);
	int rc = 0;

	if (t->kind == '^')
		return truthy(v) ? 0 : render(r, s, body, body_end);
	if (!truthy(v))
		return 0;
	if (cJSON_IsArray(v)) {
		const cJSON *el;

		cJSON_ArrayForEach(el, v) {
			if ((rc = push(r, s, t, el)))
				return rc;
			rc = render(r, s, body, body_end);
			r->top--;
			if (rc)
				return rc;
		}
		return 0;
	}
	if (cJSON_IsObject(v)) {
		if ((rc = push(r, s, t, v)))
			return rc;
		rc = render(r, s, body, body_end);
		r->top--;
		return rc;
	}
	return render(r, s, body, body_end);
}

static int partial(struct render *r, const struct src *s, const struct tag *t)
{
	struct src ps;
	char name[128];
	int rc;

	if (t->n >= sizeof name)
		return fail(r, s, t->open, "no such template", t->name, t->n);
	memcpy(name, t->name, t->n);
	name[t->n] = '\0';
	if (r->look(r->ctx, name, &ps.p, &ps.n))
		return fail(r, s, t->open, "no such template", t->name, t->n);
	if (r->depth >= TMPL_DEPTH_MAX)
		return fail(r, s, t->open, "nested too deep", t->name, t->n);
	ps.name = name;
	r->depth++;
	rc = render(r, &ps, ps.p, ps.p + ps.n);
	r->depth--;
	return rc;
}

static int render(struct render *r, const struct src *s, const char *p,
		  const char *end)
{
	struct tag t;
	int rc;

	r->depth++;
	while ((rc = next_tag(r, s, p, end, &t)) == 0) {
		buf_add(r->out, p, (size_t)(t.open - p));
		p = t.close_end;
		switch (t.kind) {
		case '!':
			break;
		case '#':
		case '^': {
			const char *body_end, *after;

			rc = section_end(r, s, &t, p, end, &body_end, &after);
			if (!rc)
				rc = section(r, s, &t, p, body_end);
			if (rc)
				goto out;
			p = after;
			break;
		}
		case '/':
			rc = fail(r, s, t.open, "a close without its open",
				  t.name, t.n);
			goto out;
		case '>':
			if ((rc = partial(r, s, &t)))
				goto out;
			break;
		default:
			value(r->out, find(r, t.name, t.n), t.kind == '{' ||
			      t.kind == '&');
		}
	}
	if (rc == 1) {
		buf_add(r->out, p, (size_t)(end - p));
		rc = 0;
	}
out:
	r->depth--;
	return rc;
}

int tmpl_render(struct buf *out, const char *name, tmpl_lookup look,
		void *ctx, const cJSON *model, struct ac_err *err)
{
	struct render r = { .out = out, .look = look, .ctx = ctx,
			    .err = err };
	struct src s = { .name = name };

	if (look(ctx, name, &s.p, &s.n))
		return ac_err_set(err, AC_EINVAL, "template",
				  "no such template: %s", name);
	r.stack[0] = model;
	return render(&r, &s, s.p, s.p + s.n);
}
