/* buf.c: the growable byte buffer with a hard cap, and xmalloc (codec). */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/err.h"

_Noreturn void die(const char *fmt, ...)
{
	va_list ap;

	fputs("aftercare: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(70);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die("out of memory (%zu bytes)", n);
	return q;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void buf_init(struct buf *b, size_t cap)
{
	b->p = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
	b->err = 0;
}

void buf_release(struct buf *b)
{
	free(b->p);
	buf_init(b, b->cap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
}

int buf_error(const struct buf *b)
{
	return b->err;
}

/* fail makes rc the buffer's error unless it has one already. */
static int fail(struct buf *b, int rc)
{
	if (!b->err)
		b->err = rc;
	return b->err;
}

/* grow makes room for n more bytes plus a NUL. */
static int grow(struct buf *b, size_t n)
{
	if (n > b->cap - b->len)
		return AC_ELIMIT;
	if (b->len + n + 1 > b->alloc) {
		size_t want = b->alloc ? b->alloc : 256;

		while (want < b->len + n + 1)
			want *= 2;
		if (want > b->cap + 1)
			want = b->cap + 1;
		b->p = xrealloc(b->p, want);
		b->alloc = want;
	}
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->err)
		return b->err;
	if (grow(b, n))
		return fail(b, AC_ELIMIT);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	if (b->err)
		return b->err;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return fail(b, AC_EINVAL);
	if ((size_t)n < sizeof small)
		return buf_add(b, small, (size_t)n);
	if (grow(b, (size_t)n))
		return fail(b, AC_ELIMIT);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *buf_cstr(struct buf *b)
{
	if (!b->p && grow(b, 0) == 0)
		b->p[0] = '\0';
	return b->p ? b->p : "";
}
