/* tmpl.c: templates for the pages (web layer); see tmpl.h. The template
 * is read as it is rendered, without a parse tree: a section's end is
 * found by counting the sections of the same name opened inside it, and
 * its body is read again for each element it is rendered with. Every read
 * counts against TMPL_WORK_MAX. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tmpl.h"

#define NAME_MAX_LEN 127        /* a name part, a partial's name */

/* A tag costs more than its bytes: it counts as this many. */
#define TAG_WORK 64

_Static_assert(TMPL_DEPTH_MAX == 32, "the error says \"deeper than 32\"");

struct render {
	struct buf *out;
	tmpl_lookup look;
	void *ctx;
	struct ac_err *err;
	const cJSON *stack[TMPL_DEPTH_MAX + 1];
	int top;                        /* stack[top] is the current */
	int depth;                      /* sections and partials open */
	size_t work;                    /* bytes of template read */
};

/* A template being rendered: its name and bytes, for line numbers. */
struct src {
	const char *name, *p;
	size_t n;
};

/* A tag: its kind ('#', '^', '/', '>', '!', '{', '&' or 0) and its name,
 * trimmed. */
struct tag {
	const char *open, *close_end;   /* "{{" .. past "}}" */
	char kind;
	const char *name;
	size_t n;
};

static int line_of(const struct src *s, const char *at)
{
	int line = 1;

	for (const char *c = s->p; c < at; c++)
		line += *c == '\n';
	return line;
}

/* fail: AC_EINVAL, "NAME:LINE: what: {{tag}}" (the tag shown as written,
 * cut at 40 bytes). */
static int fail(struct render *r, const struct src *s, const char *at,
		const char *what, const char *tag, size_t tag_n)
{
	int line = line_of(s, at);

	ac_err_set(r->err, AC_EINVAL, "template", "%s:%d: %s: %.*s%s",
		   s->name, line, what, (int)(tag_n > 40 ? 40 : tag_n), tag,
		   tag_n > 40 ? "..." : "");
	if (r->err)
		r->err->line = line;
	return AC_EINVAL;
}

/* out_full: out met its cap; nothing more is worth rendering. */
static int out_full(struct render *r, const struct src *s)
{
	ac_err_set(r->err, buf_error(r->out), "template",
		   "%s: the page is larger than %zu bytes", s->name,
		   r->out->cap);
	return buf_error(r->out);
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

/* index_of: an array index written in decimal ("0", "12"); -1 when the
 * part is not one. */
static int index_of(const char *p, size_t n)
{
	int v = 0;

	if (n == 0 || n > 6)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* member: the part p[0..n) of v (an object's member, an array's index);
 * NULL when there is none. */
static const cJSON *member(const cJSON *v, const char *p, size_t n)
{
	char key[NAME_MAX_LEN + 1];

	if (cJSON_IsArray(v)) {
		int i = index_of(p, n);

		return i < 0 ? NULL : cJSON_GetArrayItem(v, i);
	}
	if (!cJSON_IsObject(v) || n == 0 || n > NAME_MAX_LEN)
		return NULL;
	memcpy(key, p, n);
	key[n] = '\0';
	return cJSON_GetObjectItemCaseSensitive(v, key);
}

/* find resolves a (dotted) name: its first part is looked for from the
 * top of the context down, the others inside what it found. NULL when it
 * is not there. */
static const cJSON *find(const struct render *r, const char *name, size_t n)
{
	const char *end = name + n, *dot = memchr(name, '.', n);
	size_t first = dot ? (size_t)(dot - name) : n;
	const cJSON *v = NULL;

	if (n == 1 && name[0] == '.')
		return r->stack[r->top];
	for (int i = r->top; i >= 0 && !v; i--)
		if (cJSON_IsObject(r->stack[i]))
			v = member(r->stack[i], name, first);
	while (v && dot) {
		const char *seg = dot + 1;

		dot = memchr(seg, '.', (size_t)(end - seg));
		v = member(v, seg, (size_t)((dot ? dot : end) - seg));
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

	if (cJSON_IsString(v) && v->valuestring) {
		if (raw)
			buf_adds(b, v->valuestring);
		else
			escape(b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		/* the range test first: the cast is defined only inside */
		if (d > -9.2e18 && d < 9.2e18 && d == (double)(long long)d)
			snprintf(num, sizeof num, "%lld", (long long)d);
		else
			snprintf(num, sizeof num, "%.17g", d);
		buf_adds(b, num);
	} else if (cJSON_IsBool(v)) {
		buf_adds(b, cJSON_IsTrue(v) ? "true" : "false");
	}
}

static int render(struct render *r, const struct src *s, const char *p,
		  const char *end);

/* seek: the first "ab" in [p, end), NULL when there is none; counts what
 * it read as work. */
static const char *seek(struct render *r, const char *p, const char *end,
			char a, char b)
{
	const char *q = p;

	while (q + 1 < end) {
		q = memchr(q, a, (size_t)(end - q - 1));
		if (!q)
			break;
		if (q[1] == b) {
			r->work += (size_t)(q - p) + 2;
			return q;
		}
		q++;
	}
	r->work += (size_t)(end - p);
	return NULL;
}

/* next_tag finds the next tag in [p, end); 0 and *t, 1 when there is
 * none, AC_EINVAL when one is malformed, AC_ELIMIT when the work is
 * spent. */
static int next_tag(struct render *r, const struct src *s, const char *p,
		    const char *end, struct tag *t)
{
	const char *o, *c, *body, *body_end;

	if (r->work > TMPL_WORK_MAX)
		return ac_err_set(r->err, AC_ELIMIT, "template",
				  "%s: rendering read more than %zu bytes of "
				  "template (a loop?)", s->name,
				  (size_t)TMPL_WORK_MAX);
	o = seek(r, p, end, '{', '{');
	if (!o)
		return 1;
	r->work += TAG_WORK;
	t->open = o;
	body = o + 2;
	t->kind = 0;
	if (body < end && strchr("#^/>!{&", *body))
		t->kind = *body++;
	c = seek(r, body, end, '}', '}');
	if (!c)
		return fail(r, s, o, "a tag is not closed", o,
			    (size_t)(end - o));
	body_end = c;
	t->close_end = c + 2;
	if (t->kind == '{') {
		if (t->close_end >= end || *t->close_end != '}')
			return fail(r, s, o, "a {{{ tag must end with }}}",
				    o, (size_t)(t->close_end - o));
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
		return fail(r, s, o, "a tag without a name", o,
			    (size_t)(t->close_end - o));
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
			    open->open, (size_t)(open->close_end -
						 open->open));
	return rc;
}

/* body renders a section's body once, with v (when not NULL) on top of
 * the context: {{.}} is v, names are looked for in v first when it is an
 * object. */
static int body(struct render *r, const struct src *s, const cJSON *v,
		const char *p, const char *end)
{
	int rc;

	if (v)
		r->stack[++r->top] = v;
	rc = render(r, s, p, end);
	if (v)
		r->top--;
	return rc;
}

static int section(struct render *r, const struct src *s, const struct tag *t,
		   const char *p, const char *end)
{
	const cJSON *v = find(r, t->name, t->n), *el;
	int rc = 0;

	if (r->depth == TMPL_DEPTH_MAX)
		return fail(r, s, t->open, "nested deeper than 32", t->open,
			    (size_t)(t->close_end - t->open));
	r->depth++;
	if (t->kind == '^')
		rc = truthy(v) ? 0 : body(r, s, NULL, p, end);
	else if (!truthy(v))
		rc = 0;
	else if (cJSON_IsArray(v))
		cJSON_ArrayForEach(el, v) {
			if ((rc = body(r, s, el, p, end)))
				break;
		}
	else
		rc = body(r, s, v, p, end);
	r->depth--;
	return rc;
}

static int partial(struct render *r, const struct src *s, const struct tag *t)
{
	struct src ps;
	char name[NAME_MAX_LEN + 1];
	int rc;

	if (t->n > NAME_MAX_LEN)
		return fail(r, s, t->open, "no such template", t->open,
			    (size_t)(t->close_end - t->open));
	memcpy(name, t->name, t->n);
	name[t->n] = '\0';
	if (r->look(r->ctx, name, &ps.p, &ps.n))
		return fail(r, s, t->open, "no such template", t->open,
			    (size_t)(t->close_end - t->open));
	if (r->depth == TMPL_DEPTH_MAX)
		return fail(r, s, t->open, "nested deeper than 32", t->open,
			    (size_t)(t->close_end - t->open));
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

	while ((rc = next_tag(r, s, p, end, &t)) == 0) {
		const char *body_end = NULL, *after = NULL;

		buf_add(r->out, p, (size_t)(t.open - p));
		p = t.close_end;
		switch (t.kind) {
		case '!':
			break;
		case '#':
		case '^':
			rc = section_end(r, s, &t, p, end, &body_end, &after);
			if (!rc)
				rc = section(r, s, &t, p, body_end);
			if (rc)
				return rc;
			p = after;
			break;
		case '/':
			return fail(r, s, t.open, "a close without its open",
				    t.open, (size_t)(t.close_end - t.open));
		case '>':
			if ((rc = partial(r, s, &t)))
				return rc;
			break;
		default:
			value(r->out, find(r, t.name, t.n), t.kind == '{' ||
			      t.kind == '&');
		}
		if (buf_error(r->out))
			return out_full(r, s);
	}
	if (rc != 1)
		return rc;
	buf_add(r->out, p, (size_t)(end - p));
	return buf_error(r->out) ? out_full(r, s) : 0;
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
