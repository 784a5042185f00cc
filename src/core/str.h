/* str.h: borrowed string slices (core layer).
 * A struct ac_str points into memory owned by someone else (usually the
 * parsed JSON document); it is never freed through the slice. */
#ifndef AC_STR_H
#define AC_STR_H

#include <stdbool.h>
#include <stddef.h>

struct ac_str {
	const char *p;
	size_t n;
};

#define AC_STR_LIT(s) ((struct ac_str){ (s), sizeof(s) - 1 })

/* ac_str_eq_fold: equal ignoring ASCII case and surrounding white space. */
bool ac_str_eq_fold(struct ac_str a, struct ac_str b);

/* ac_str_eq_nospace_fold: equal ignoring ASCII case and all white space. */
bool ac_str_eq_nospace_fold(struct ac_str a, struct ac_str b);

#endif
