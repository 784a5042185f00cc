/* csv.c: the RFC 4180 CSV reader, in place (codec layer). */
#include "csv.h"

#include <string.h>

void csv_reader_init(struct csv_reader *r, char *buf, size_t n)
{
	r->p = buf;
	r->end = buf + n;
	r->line = 1;
	if (n >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		r->p += 3;
}

/* skip_line moves past the end of the current line (not quote-aware: a
 * record that failed is given up to its line's end). */
static void skip_line(struct csv_reader *r, char *p)
{
	char *nl = memchr(p, '\n', (size_t)(r->end - p));

	if (nl) {
		r->p = nl + 1;
		r->line++;
	} else {
		r->p = r->end;
	}
}

/* at_field_end: p ends a field (a comma, a line end, the buffer's end). */
static int at_field_end(const char *p, const char *end)
{
	if (p == end || *p == ',' || *p == '\n')
		return 1;
	return *p == '\r' && (p + 1 == end || p[1] == '\n');
}

int csv_next(struct csv_reader *r, struct csv_record *rec,
	     struct ac_err *err)
{
	char *p = r->p, *end = r->end;

	if (p >= end)
		return 0;
	rec->line = r->line;
	rec->n = 0;
	for (;;) {
		char *start;
		size_t len;

		if (rec->n == CSV_MAX_FIELDS) {
			skip_line(r, p);
			ac_err_set(err, AC_ELIMIT, "",
				   "more than %d fields (the limit)",
				   CSV_MAX_FIELDS);
			if (err)
				err->line = (int)rec->line;
			return AC_ELIMIT;
		}
		if (p < end && *p == '"') {
			char *w = p;   /* the value is written over its text */

			start = w;
			p++;
			for (;;) {
				if (p >= end) {
					r->p = end;
					ac_err_set(err, AC_ESYNTAX, "",
						   "a quoted field that never "
						   "closes");
					if (err)
						err->line = (int)rec->line;
					return AC_ESYNTAX;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					r->line++;
				*w++ = *p++;
			}
			len = (size_t)(w - start);
			if (!at_field_end(p, end)) {
				skip_line(r, p);
				ac_err_set(err, AC_ESYNTAX, "",
					   "'%c' after a closing quote "
					   "(a quote inside a quoted field "
					   "is doubled: \"\")", *p);
				if (err)
					err->line = (int)rec->line;
				return AC_ESYNTAX;
			}
		} else {
			start = p;
			while (!at_field_end(p, end)) {
				if (*p == '"') {
					skip_line(r, p);
					ac_err_set(err, AC_ESYNTAX, "",
						   "a quote inside a field "
						   "that does not start "
						   "with one");
					if (err)
						err->line = (int)rec->line;
					return AC_ESYNTAX;
				}
				p++;
			}
			len = (size_t)(p - start);
		}
		rec->fields[rec->n].p = start;
		rec->fields[rec->n].n = len;
		rec->n++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n') {
			p++;
			r->line++;
		}
		r->p = p;
		return 1;
	}
}
