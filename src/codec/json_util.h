/* json_util.h: what the codec's JSON readers and writers share (codec
 * layer, internal: nothing outside src/codec includes this file).
 * json_parse guards the JSON library with our own limits and messages. */
#ifndef AC_JSON_UTIL_H
#define AC_JSON_UTIL_H

#include <cJSON.h>
#include <stddef.h>

#include "../core/case.h"
#include "../core/err.h"
#include "buf.h"

/* The deepest nesting accepted (a case needs 4 levels). */
#define AC_JSON_MAX_DEPTH 64

/* json_parse checks size (max bytes, "what" names the document in the
 * message), UTF-8 and nesting, then parses buf[0..n) into *out (owned by
 * the caller: cJSON_Delete). Errors have field "" and say where. */
int json_parse(const char *buf, size_t n, size_t max, const char *what,
	       cJSON **out, struct ac_err *err);

/* json_nul_error fails with AC_EINVAL naming the field whose string holds
 * byte `at` of buf[0..n) (a NUL: "\u0000" or a 0 byte), such as
 * "claim.received[0].material: contains a NUL character"; a NUL in a key
 * is "the key contains a NUL character" with the key as far as the NUL.
 * For json_parse, once the document is known to be JSON. */
int json_nul_error(const char *buf, size_t n, size_t at, struct ac_err *err);

/* A per-reader arena for the JSON library's nodes. cJSON allocates and
 * frees every node through global hooks; between json_arena_enter and
 * json_arena_leave the hooks of this thread take memory from the arena,
 * which json_arena_reset empties at once instead of node by node.
 * What does not fit falls back to malloc (counted in fallback) and is
 * freed by cJSON_Delete, which must run inside enter/leave too. Entered
 * inside another's enter/leave, leaving gives the other back. */
struct json_arena {
	char *base;
	size_t used, cap;
	size_t fallback;       /* allocations that did not fit since reset */
	struct json_arena *outer;  /* the one entered before (enter/leave) */
};

void json_arena_init(struct json_arena *a);
void json_arena_release(struct json_arena *a);
/* json_arena_reset forgets every allocation (grows the arena when the
 * last document overflowed it). */
void json_arena_reset(struct json_arena *a);
void json_arena_enter(struct json_arena *a);
void json_arena_leave(struct json_arena *a);

/* json_check_duplicates fails when the object has a key twice. */
int json_check_duplicates(const cJSON *obj, const char *path,
			  struct ac_err *err);

/* json_add_str appends s[0..n) as a JSON string literal. */
int json_add_str(struct buf *b, const char *s, size_t n);

/* case_json_from_object reads a case from a parsed JSON object; strings
 * are borrowed from it. */
int case_json_from_object(const void *root, struct ac_case *c,
			  struct ac_err *err);

#endif
