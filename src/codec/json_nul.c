/* json_nul.c: naming the field of a NUL character in a JSON document
 * (codec layer). The JSON library gives C strings, so a "\u0000" (or a raw
 * 0 byte) inside a string would silently cut it short: "14k white
 * gold\u0000 x" would read as "14k white gold". json_parse's pre-scan only
 * notes where the first one is (it costs nothing there); this file runs on
 * that error path alone and walks the text again to give the field's path
 * ("claim.received[0].material"), in the form the case reader uses. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json_util.h"

#define KEY_MAX 64

struct frame {
	bool array;
	long index;             /* array: the element being read */
	char key[KEY_MAX];      /* object: the member being read */
};

/* hex4 reads four hex digits; -1 when they are not. */
static long hex4(const char *s, size_t n)
{
	long v = 0;

	if (n < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* copy_key decodes the key s[0..n) into out, up to its first NUL (what
 * the JSON library keeps of it); characters beyond ASCII stay as they
 * are, escapes of them become '?'. */
static void copy_key(char *out, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < KEY_MAX; i++) {
		char c = s[i];

		if (c == '\0')
			break;
		if (c == '\\' && i + 1 < n) {
			char e = s[++i];
			long u;

			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				u = hex4(s + i + 1, n - i - 1);
				if (u == 0)
					goto done;
				c = u > 0 && u < 0x80 ? (char)u : '?';
				i += 4;
				break;
			default: c = e;         /* \" \\ \/ */
			}
		}
		out[o++] = c;
	}
done:
	out[o] = '\0';
}

/* path_of writes the path of the value being read in st[0..depth). */
static void path_of(const struct frame *st, int depth, char *out, size_t n)
{
	size_t o = 0;

	out[0] = '\0';
	for (int k = 0; k < depth && o < n; k++) {
		int w;

		if (st[k].array)
			w = snprintf(out + o, n - o, "[%ld]", st[k].index);
		else
			w = snprintf(out + o, n - o, "%s%s", o ? "." : "",
				     st[k].key);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

int json_nul_error(const char *buf, size_t n, size_t at, struct ac_err *err)
{
	struct frame st[AC_JSON_MAX_DEPTH + 1];
	char field[sizeof err->field];
	int depth = 0;
	bool want_key = false;
	size_t i = 0;

	while (i < n) {
		char c = buf[i];

		if (c == '"') {
			size_t start = i + 1, j = start;
			bool is_key = depth > 0 && !st[depth - 1].array &&
				      want_key;

			while (j < n && buf[j] != '"')
				j += buf[j] == '\\' ? 2 : 1;
			if (j > n)
				j = n;
			if (is_key) {
				copy_key(st[depth - 1].key, buf + start,
					 j - start);
				want_key = false;
			}
			if (at >= start && at < j) {
				path_of(st, depth, field, sizeof field);
				return ac_err_set(err, AC_EINVAL, field,
						  is_key ? "the key contains a "
						  "NUL character" :
						  "contains a NUL character");
			}
			i = j + 1;
			continue;
		}
		if ((c == '{' || c == '[') && depth <= AC_JSON_MAX_DEPTH) {
			st[depth].array = c == '[';
			st[depth].index = 0;
			st[depth].key[0] = '\0';
			depth++;
			want_key = c == '{';
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		} else if (c == ',' && depth > 0) {
			if (st[depth - 1].array)
				st[depth - 1].index++;
			else
				want_key = true;
		}
		i++;
	}
	return ac_err_set(err, AC_EINVAL, "", "contains a NUL character at "
			  "byte %zu", at + 1);
}
