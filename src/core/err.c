/* err.c: filling struct ac_err (core layer). No allocation. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ac_err_set(struct ac_err *err, int code, const char *field,
	       const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->field, sizeof err->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

void ac_err_clear(struct ac_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->field[0] = '\0';
	err->msg[0] = '\0';
	err->line = 0;
}
