/* json_util.c: limits, UTF-8 and duplicate-key checks around cJSON, and
 * JSON string escaping for the writers (codec layer). */
#include "json_util.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define ARENA_MIN (64u << 10)
#define ARENA_MAX (16u << 20)

static _Thread_local struct json_arena *tl_arena;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *hook_malloc(size_t n)
{
	struct json_arena *a = tl_arena;

	if (a) {
		size_t need = (n + 15) & ~(size_t)15;

		if (need <= a->cap - a->used) {
			void *p = a->base + a->used;

			a->used += need;
			return p;
		}
		a->fallback++;
	}
	return xmalloc(n);
}

static void hook_free(void *p)
{
	struct json_arena *a = tl_arena;

	if (a && (char *)p >= a->base && (char *)p < a->base + a->cap)
		return;  /* arena memory goes at the next reset */
	free(p);
}

static void install_hooks(void)
{
	cJSON_Hooks h = { hook_malloc, hook_free };

	cJSON_InitHooks(&h);
}

void json_arena_init(struct json_arena *a)
{
	pthread_once(&hooks_once, install_hooks);
	a->cap = ARENA_MIN;
	a->base = xmalloc(a->cap);
	a->used = 0;
	a->fallback = 0;
}

void json_arena_release(struct json_arena *a)
{
	free(a->base);
	a->base = NULL;
	a->cap = a->used = 0;
}

void json_arena_reset(struct json_arena *a)
{
	if (a->fallback && a->cap < ARENA_MAX) {
		free(a->base);
		a->cap *= 2;
		a->base = xmalloc(a->cap);
	}
	a->used = 0;
	a->fallback = 0;
}

void json_arena_enter(struct json_arena *a)
{
	pthread_once(&hooks_once, install_hooks);
	a->outer = tl_arena;
	tl_arena = a;
}

void json_arena_leave(struct json_arena *a)
{
	tl_arena = a->outer;
	a->outer = NULL;
}

/* utf8_len returns the length of the valid UTF-8 sequence at s (RFC 3629:
 * no overlongs, no surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;
		if (c == 0xed && s[1] > 0x9f)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] > 0x8f)
			return 0;
		return 4;
	}
	return 0;
}

/* Bytes prescan must look at outside strings; every other byte is skipped
 * in a tight loop. A 0 byte is one: in a string it would cut the string
 * short. */
static bool special(unsigned char c)
{
	return c >= 0x80 || c == '"' || c == '\\' || c == '{' || c == '[' ||
	       c == '}' || c == ']' || c == 0;
}

static bool prescan_table[256];

static void fill_table(void)
{
	for (int c = 0; c < 256; c++)
		prescan_table[c] = special((unsigned char)c);
}

/* is_nul_escape: s[0..n) starts with the escape of U+0000. */
static bool is_nul_escape(const unsigned char *s, size_t n)
{
	return n >= 6 && s[1] == 'u' && s[2] == '0' && s[3] == '0' &&
	       s[4] == '0' && s[5] == '0';
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* string_stop returns the index of the first byte of s[i..n) that ends a
 * run of plain string text: '"', '\\', 0 or a byte above 0x7f; n when
 * there is none. Eight bytes at a time (a zero byte in x ^ c·ONES marks
 * a c; the lowest marked byte is exact), the tail one by one. */
static size_t string_stop(const unsigned char *s, size_t i, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; i + 8 <= n; i += 8) {
		uint64_t x, q, b;

		memcpy(&x, s + i, 8);
		q = x ^ ('"' * ONES);
		b = x ^ ('\\' * ONES);
		q = ((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES) & ~x) |
		    x;
		q &= HIGHS;
		if (q)
			return i + (size_t)(__builtin_ctzll(q) >> 3);
	}
#endif
	while (i < n && s[i] != '"' && s[i] != '\\' && s[i] != 0 &&
	       s[i] < 0x80)
		i++;
	return i;
}

#if !defined(__SSE2__) && defined(__BYTE_ORDER__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* zero_bytes has bit 7 of each byte of x that is 0 set, and no other
 * bit (exact, unlike the borrow trick of string_stop). */
static uint64_t zero_bytes(uint64_t x)
{
	uint64_t low = ~HIGHS;

	return ~(((x & low) + low) | x | low);
}
#endif

/* quick_clean is the pre-scan of nearly every document: true when buf
 * holds no 0 byte and no backslash (so no NUL in a string), only valid
 * UTF-8, and at most AC_JSON_MAX_DEPTH brackets that open (so no deeper
 * nesting): then prescan would find nothing. It needs no string state,
 * so it reads sixteen bytes at a time (SSE2) or eight (word arithmetic);
 * false sends the document to prescan, which says what is wrong, if
 * anything. */
static bool quick_clean(const unsigned char *s, size_t n)
{
	size_t i = 0, opening = 0;

#ifdef __SSE2__
	const __m128i zero = _mm_setzero_si128();
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i lower = _mm_set1_epi8(0x20), brace = _mm_set1_epi8('{');
	__m128i count = zero;   /* brackets per byte lane (minus) */
	int blocks = 0;

	while (i + 16 <= n) {
		__m128i x = _mm_loadu_si128((const void *)(s + i));
		__m128i open = _mm_cmpeq_epi8(_mm_or_si128(x, lower), brace);
		unsigned hi;

		if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, zero),
						   _mm_cmpeq_epi8(x, bslash))))
			return false;           /* a 0 byte or a backslash */
		hi = (unsigned)_mm_movemask_epi8(x);
		if (hi) {
			/* the brackets before the first byte above 0x7f,
			 * then the sequence it starts */
			unsigned k = (unsigned)__builtin_ctz(hi);
			unsigned m = (unsigned)_mm_movemask_epi8(open) &
				     ((1u << k) - 1);
			size_t len;

			for (; m; m &= m - 1)
				opening++;
			i += k;
			len = utf8_len(s + i, n - i);
			if (!len)
				return false;
			i += len;
			continue;
		}
		count = _mm_sub_epi8(count, open);
		i += 16;
		if (++blocks == 255) {  /* before a lane can wrap */
			__m128i sum = _mm_sad_epu8(count, zero);

			opening += (size_t)_mm_cvtsi128_si32(sum) +
				   (size_t)_mm_extract_epi16(sum, 4);
			count = zero;
			blocks = 0;
		}
	}
	{
		__m128i sum = _mm_sad_epu8(count, zero);

		opening += (size_t)_mm_cvtsi128_si32(sum) +
			   (size_t)_mm_extract_epi16(sum, 4);
	}
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t lanes = 0;     /* brackets per byte lane, under 256 each */
	int words = 0;

	while (i + 8 <= n) {
		uint64_t x, b, hi, open;
		size_t k;

		memcpy(&x, s + i, 8);
		b = x ^ ('\\' * ONES);
		if ((((x - ONES) & ~x) | ((b - ONES) & ~b)) & HIGHS)
			return false;           /* a 0 byte or a backslash */
		open = zero_bytes((x | (0x20 * ONES)) ^ ('{' * ONES)) >> 7;
		hi = x & HIGHS;
		if (hi) {
			/* the brackets before the first byte above 0x7f,
			 * then the sequence it starts */
			k = (size_t)__builtin_ctzll(hi) >> 3;
			open &= ((uint64_t)1 << (k * 8)) - 1;
			i += k;
			k = utf8_len(s + i, n - i);
			if (!k)
				return false;
			i += k;
		} else {
			i += 8;
		}
		lanes += open;
		if (++words == 31) {    /* the sum of the lanes fits a byte */
			opening += (size_t)((lanes * ONES) >> 56);
			lanes = 0;
			words = 0;
		}
	}
	opening += (size_t)((lanes * ONES) >> 56);
#endif
	for (; i < n; i++) {
		unsigned c = s[i];

		if (c == 0 || c == '\\')
			return false;
		if (c >= 0x80) {
			size_t k = utf8_len(s + i, n - i);

			if (!k)
				return false;
			i += k - 1;
		} else if (c == '{' || c == '[') {
			opening++;
		}
	}
	return opening <= AC_JSON_MAX_DEPTH;
}

/* bad_utf8 checks the sequence at s[*i] (a byte above 0x7f) and leaves *i
 * on its last byte; fails naming the byte when it is not UTF-8. */
static bool bad_utf8(const unsigned char *s, size_t *i, size_t n,
		     struct ac_err *err)
{
	size_t k = utf8_len(s + *i, n - *i);

	if (!k) {
		ac_err_set(err, AC_ESYNTAX, "", "invalid UTF-8 at byte %zu",
			   *i + 1);
		return true;
	}
	*i += k - 1;
	return false;
}

/* prescan checks UTF-8 and the nesting depth in one pass, and notes in
 * *nul_at where the first NUL inside a string is ("\u0000" or a raw 0
 * byte; n when there is none): the JSON library would cut the string
 * there. Inside a string it looks only for the bytes that end plain text
 * (string_stop), outside for the brackets too. */
static int prescan(const char *buf, size_t n, size_t *nul_at,
		   struct ac_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const unsigned char *s = (const unsigned char *)buf;
	int depth = 0;
	size_t i = 0;

	pthread_once(&once, fill_table);
	while (i < n) {
		while (i < n && !prescan_table[s[i]])
			i++;
		if (i == n)
			break;

		unsigned c = s[i];

		if (c == '"') {         /* a string, to its closing quote */
			for (i++;; i++) {
				i = string_stop(s, i, n);
				if (i >= n)
					return 0;  /* the parser says where */
				c = s[i];
				if (c == '"')
					break;
				if (c == '\\') {
					if (*nul_at == n &&
					    is_nul_escape(s + i, n - i))
						*nul_at = i;
					i++;
				} else if (c == 0) {
					if (*nul_at == n)
						*nul_at = i;
				} else if (bad_utf8(s, &i, n, err)) {
					return AC_ESYNTAX;
				}
			}
		} else if (c >= 0x80) {
			if (bad_utf8(s, &i, n, err))
				return AC_ESYNTAX;
		} else if (c == '{' || c == '[') {
			if (++depth > AC_JSON_MAX_DEPTH)
				return ac_err_set(err, AC_ELIMIT, "",
						  "nested deeper than %d "
						  "levels (the limit)",
						  AC_JSON_MAX_DEPTH);
		} else if (c == '}' || c == ']') {
			depth--;
		}
		i++;
	}
	return 0;
}

int json_parse(const char *buf, size_t n, size_t max, const char *what,
	       cJSON **out, struct ac_err *err)
{
	const char *end = NULL;
	cJSON *root;
	size_t nul_at;

	*out = NULL;
	if (n > max)
		return ac_err_set(err, AC_ELIMIT, "",
				  "%s of %zu bytes exceeds the %zu-byte limit",
				  what, n, max);
	nul_at = n;
	if (!quick_clean((const unsigned char *)buf, n) &&
	    prescan(buf, n, &nul_at, err))
		return err ? err->code : AC_ESYNTAX;
	root = cJSON_ParseWithLengthOpts(buf, n, &end, 0);
	if (!root) {
		size_t at = end && end >= buf ? (size_t)(end - buf) : 0;

		if (at >= n)
			return ac_err_set(err, AC_ESYNTAX, "",
					  "not JSON: the %s ends early", what);
		return ac_err_set(err, AC_ESYNTAX, "",
				  "not JSON: unexpected input at byte %zu",
				  at + 1);
	}
	for (const char *p = end; p < buf + n; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
		    *p != '\0') {
			cJSON_Delete(root);
			return ac_err_set(err, AC_ESYNTAX, "",
					  "not JSON: more after the %s at "
					  "byte %zu", what,
					  (size_t)(p - buf) + 1);
		}
	}
	if (nul_at < n) {
		cJSON_Delete(root);
		return json_nul_error(buf, n, nul_at, err);
	}
	*out = root;
	return 0;
}

int json_check_duplicates(const cJSON *obj, const char *path,
			  struct ac_err *err)
{
	for (const cJSON *a = obj->child; a; a = a->next) {
		for (const cJSON *b = a->next; b; b = b->next) {
			if (a->string[0] == b->string[0] &&
			    strcmp(a->string, b->string) == 0) {
				char field[128];

				snprintf(field, sizeof field, "%s%s%s", path,
					 *path ? "." : "", a->string);
				return ac_err_set(err, AC_EINVAL, field,
						  "duplicate key");
			}
		}
	}
	return 0;
}

int json_add_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	if (buf_addc(b, '"'))
		return AC_ELIMIT;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7];
		size_t len = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (buf_add(b, s + run, i - run))
			return AC_ELIMIT;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			len = 6;
		}
		if (buf_add(b, esc, len))
			return AC_ELIMIT;
	}
	if (buf_add(b, s + run, n - run))
		return AC_ELIMIT;
	return buf_addc(b, '"');
}
