/* tests/codec/csv.c: unit tests for the RFC 4180 reader (src/codec/csv.c,
 * Criterion): quoting, doubled quotes, line breaks inside quotes, CRLF
 * and LF, the line each record starts on, and the errors it reads past. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/codec/csv.h"

struct doc {
	char *buf;
	struct csv_reader r;
	struct csv_record rec;
	struct ac_err err;
};

static void open_doc(struct doc *d, const char *text)
{
	d->buf = strdup(text);
	csv_reader_init(&d->r, d->buf, strlen(text));
}

static int next(struct doc *d)
{
	ac_err_clear(&d->err);
	return csv_next(&d->r, &d->rec, &d->err);
}

static void field_is(const struct doc *d, int i, const char *want)
{
	cr_assert_lt(i, d->rec.n, "field %d of %d", i, d->rec.n);
	cr_assert_eq(d->rec.fields[i].n, strlen(want), "field %d: %.*s", i,
		     (int)d->rec.fields[i].n, d->rec.fields[i].p);
	cr_assert(!memcmp(d->rec.fields[i].p, want, strlen(want)));
}

/* refused: the next record is refused with code, on line, saying words */
static void refused(struct doc *d, int code, int line, const char *words)
{
	cr_assert_eq(next(d), code);
	cr_assert_eq(d->err.line, line);
	cr_assert(strstr(d->err.msg, words), "%s", d->err.msg);
}

Test(csv, plain_fields_and_line_ends)
{
	struct doc d;

	open_doc(&d, "a,b,c\r\n1,,3\nx");
	cr_assert_eq(next(&d), 1);
	cr_assert_eq(d.rec.n, 3);
	cr_assert_eq(d.rec.line, 1);
	field_is(&d, 2, "c");
	cr_assert_eq(next(&d), 1);
	cr_assert_eq(d.rec.line, 2);
	field_is(&d, 0, "1");
	field_is(&d, 1, "");
	field_is(&d, 2, "3");
	cr_assert_eq(next(&d), 1);   /* the last line has no line end */
	cr_assert_eq(d.rec.n, 1);
	field_is(&d, 0, "x");
	cr_assert_eq(next(&d), 0);
	cr_assert_eq(next(&d), 0);
	free(d.buf);
}

Test(csv, quotes_commas_and_line_breaks)
{
	struct doc d;

	open_doc(&d, "\"Halo Ring \"\"Aurora\"\"\",\"12 Main St, Apt 4\","
		 "\"two\nlines\r\nthree\"\nnext,\"\"\n");
	cr_assert_eq(next(&d), 1);
	cr_assert_eq(d.rec.n, 3);
	field_is(&d, 0, "Halo Ring \"Aurora\"");
	field_is(&d, 1, "12 Main St, Apt 4");
	field_is(&d, 2, "two\nlines\r\nthree");
	cr_assert_eq(next(&d), 1);
	cr_assert_eq(d.rec.line, 4, "a record's line counts the breaks "
		     "inside quotes before it");
	field_is(&d, 0, "next");
	field_is(&d, 1, "");
	cr_assert_eq(next(&d), 0);
	free(d.buf);
}

Test(csv, fields_stay_valid_after_later_records)
{
	struct doc d;
	struct ac_str first;

	open_doc(&d, "\"a\"\"b\",c\n\"x\"\"y\"\"z\",w\n");
	cr_assert_eq(next(&d), 1);
	first = d.rec.fields[0];
	cr_assert_eq(next(&d), 1);
	cr_assert_eq(first.n, 3);
	cr_assert(!memcmp(first.p, "a\"b", 3));
	field_is(&d, 0, "x\"y\"z");
	free(d.buf);
}

Test(csv, byte_order_mark_and_empty_lines)
{
	struct doc d;

	open_doc(&d, "\xEF\xBB\xBFName,Email\n\n1,2\n");
	cr_assert_eq(next(&d), 1);
	field_is(&d, 0, "Name");
	cr_assert_eq(next(&d), 1);
	cr_assert_eq(d.rec.n, 1);
	field_is(&d, 0, "");
	cr_assert_eq(next(&d), 1);
	cr_assert_eq(d.rec.line, 3);
	free(d.buf);
}

Test(csv, a_quote_in_an_unquoted_field)
{
	struct doc d;

	open_doc(&d, "ok,1\nbad \"x\",2\nok,3\n");
	cr_assert_eq(next(&d), 1);
	refused(&d, AC_ESYNTAX, 2, "a quote inside a field");
	cr_assert_eq(next(&d), 1, "the reader goes on after the bad line");
	cr_assert_eq(d.rec.line, 3);
	field_is(&d, 1, "3");
	free(d.buf);
}

Test(csv, text_after_a_closing_quote)
{
	struct doc d;

	open_doc(&d, "\"ab\"c,1\r\nok,2\r\n");
	refused(&d, AC_ESYNTAX, 1, "'c' after a closing quote");
	cr_assert_eq(next(&d), 1);
	cr_assert_eq(d.rec.line, 2);
	field_is(&d, 0, "ok");
	free(d.buf);
}

Test(csv, a_quote_that_never_closes)
{
	struct doc d;

	open_doc(&d, "ok,1\n\"open,2\nmore\n");
	cr_assert_eq(next(&d), 1);
	refused(&d, AC_ESYNTAX, 2, "never closes");
	cr_assert_eq(next(&d), 0, "nothing can be read after it");
	free(d.buf);
}

Test(csv, too_many_fields)
{
	struct doc d;
	size_t n = CSV_MAX_FIELDS + 1;
	char *t = malloc(2 * n + 8);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		t[k++] = 'x';
		t[k++] = i + 1 < n ? ',' : '\n';
	}
	memcpy(t + k, "a,b\n", 5);
	open_doc(&d, t);
	refused(&d, AC_ELIMIT, 1, "fields (the limit)");
	cr_assert_eq(next(&d), 1);
	cr_assert_eq(d.rec.n, 2);
	free(t);
	free(d.buf);
}
