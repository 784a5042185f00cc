/* err.h: errors as values (core layer).
 * A function that can fail returns 0 or a negative AC_E* code and fills a
 * caller-owned struct ac_err: the code, the field path and a short message,
 * all in fixed buffers, so reporting an error never allocates. */
#ifndef AC_ERR_H
#define AC_ERR_H

#include <stddef.h>

enum ac_code {
	AC_OK = 0,
	/* bad input: a field is missing, mistyped or out of range */
	AC_EINVAL = -1,
	AC_ESYNTAX = -2,  /* not JSON / not a policy file at all */
	AC_ELIMIT = -3,   /* a size or count limit was exceeded */
	AC_EIO = -4,      /* reading or writing failed */
	AC_ENOMEM = -5,
	AC_ENOTFOUND = -6,
	AC_ECONFLICT = -7,
	AC_ESTATE = -8,
	/* a commit whose outcome is unknown: the connection to the database
	 * broke during it and did not come back in time to ask */
	AC_EINDOUBT = -9
};

struct ac_err {
	int code;
	/* "claim.opened_at"; "" when the input as a whole is bad */
	char field[128];
	char msg[192];    /* "not an RFC 3339 time": lower case, no full stop */
	int line;         /* line number in a file, 0 when not applicable */
};

/* ac_err_set fills err (which may be NULL) and returns code. */
int ac_err_set(struct ac_err *err, int code, const char *field,
	       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ac_err_clear resets err to "no error". */
void ac_err_clear(struct ac_err *err);

#endif
