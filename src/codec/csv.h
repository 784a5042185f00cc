/* csv.h: an RFC 4180 CSV reader over a buffer in memory (codec layer).
 * Fields are separated by commas, records by CRLF or LF; a field in
 * double quotes may hold commas, line breaks and doubled quotes (""). A
 * byte-order mark at the very start is skipped.
 * Ownership: the reader works in place. It borrows the caller's buffer
 * for its whole life and rewrites quoted fields inside it (a quoted
 * field's value is never longer than its text), so every field slice it
 * gives stays valid, unchanged by later records, as long as the buffer
 * lives. Nothing is allocated. */
#ifndef AC_CSV_H
#define AC_CSV_H

#include <stddef.h>

#include "../core/err.h"
#include "../core/str.h"

/* The most fields a record may have (a named limit). */
#define CSV_MAX_FIELDS 256

struct csv_reader {
	char *p, *end;          /* what is left of the buffer */
	long line;              /* the line p is on, from 1 */
};

struct csv_record {
	long line;              /* the line the record starts on */
	int n;                  /* fields in fields[0..n) */
	struct ac_str fields[CSV_MAX_FIELDS];
};

/* csv_reader_init starts reading buf[0..n), which the reader may
 * rewrite (see above). */
void csv_reader_init(struct csv_reader *r, char *buf, size_t n);

/* csv_next reads the next record into *rec. Returns 1 with a record, 0 at
 * the end of the buffer, or a negative AC_E* code for a record that
 * cannot be read, with err->line its first line and the message saying
 * why (field "" ): AC_ESYNTAX for a quote inside an unquoted field,
 * something other than a comma or a line end after a closing quote, or a
 * quoted field that never closes; AC_ELIMIT for more than CSV_MAX_FIELDS
 * fields. After an error the reader has skipped to the end of the bad
 * record's line (the end of the buffer for a quote that never closes),
 * so the caller may report it and read on; rec->n is then the index of
 * the field that failed (from 0). An empty line is a record of one empty
 * field. */
int csv_next(struct csv_reader *r, struct csv_record *rec,
	     struct ac_err *err);

#endif
