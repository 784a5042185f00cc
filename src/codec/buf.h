/* buf.h: the one growable byte buffer, with a hard cap (codec layer).
 * Like curl's dynbuf: every append past the cap fails with AC_ELIMIT, so an
 * oversized input is refused by name instead of eating memory. Out of
 * memory is fatal (xmalloc). The buffer owns its bytes; buf_release frees
 * them.
 * Errors stick, as in sqlite3_str: the first failed append is kept in the
 * buffer and every later append fails with it and appends nothing, so a
 * writer may append many pieces unchecked and check buf_error once at the
 * end; a buffer in error must never be sent or stored as if whole. */
#ifndef AC_BUF_H
#define AC_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t alloc;
	size_t cap;       /* hard limit on len */
	int err;          /* the first append's failure, sticky; 0: none */
};

/* buf_init sets up an empty buffer that may grow to cap bytes. */
void buf_init(struct buf *b, size_t cap);
/* buf_release frees the bytes; the buffer is unusable until buf_init. */
void buf_release(struct buf *b);
/* buf_reset empties the buffer and clears its error, keeping its
 * memory. */
void buf_reset(struct buf *b);
/* buf_add appends n bytes; returns 0, or the buffer's error: AC_ELIMIT
 * (past the cap) from this append or an earlier one (nothing appended). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
/* buf_addf appends printf-style text (AC_EINVAL when the format fails). */
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* buf_error returns the first error an append met since buf_init or
 * buf_reset, 0 when every append succeeded. */
int buf_error(const struct buf *b);
/* buf_cstr returns the bytes NUL-terminated (the NUL is not counted). */
const char *buf_cstr(struct buf *b);

/* xmalloc and friends die with a message when memory runs out. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);
/* die prints "aftercare: " and the message on stderr and exits 70. */
_Noreturn void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
