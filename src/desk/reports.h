/* reports.h: the owner's reports (desk layer, issue 9.3). Each report
 * reads the store's summaries (0007_reports.sql: kept by triggers in the
 * transaction of every write, see docs/STORE.md), never the cases
 * themselves, so it costs the same at a thousand cases and at a million.
 * A report is one table (named columns, rows of integers and strings)
 * plus a few headline figures, so that the API's JSON, the console's
 * charts and tables and the CSV download are all written from the same
 * numbers. Money is integer minor units, always beside its currency.
 * Ownership: a filled struct desk_report owns its rows and strings until
 * desk_report_release (safe on a zeroed or failed one). */
#ifndef AC_DESK_REPORTS_H
#define AC_DESK_REPORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/err.h"

struct desk;

#define DESK_REPORT_COLS 8
#define DESK_REPORT_FIGURES 8
#define DESK_REPORT_ROWS 4096           /* rows a report holds, at most */
#define DESK_CLAIMANTS_MAX 100          /* ?limit's largest */

/* What a column holds, which says how it is written. */
enum desk_col_kind {
	DESK_COL_TEXT,                  /* a string */
	DESK_COL_INT,                   /* a count */
	DESK_COL_MONEY,                 /* minor units of the row's currency */
	DESK_COL_WEEK,                  /* a Monday 00:00 UTC, µs: 2026-W05 */
	DESK_COL_TIME,                  /* an instant (µs): RFC 3339 */
	DESK_COL_SECONDS,               /* a duration in seconds */
};

struct desk_report_col {
	const char *name;               /* the JSON and CSV name */
	const char *label;              /* words for a person */
	enum desk_col_kind kind;
};

/* One cell: i for the number kinds, s for text (never NULL). */
struct desk_report_val {
	int64_t i;
	const char *s;
};

/* A headline figure ("median_decision_s"); has false: no value (no case
 * to take it from), written as null. */
struct desk_report_figure {
	const char *name, *label;
	enum desk_col_kind kind;
	bool has;
	int64_t v;
};

struct desk_report {
	const char *name, *title;       /* "weeks", "Cases and refunds ..." */
	const char *desc;               /* one sentence: what it counts */
	bool ranged;                    /* from/to apply */
	int64_t from_week, to_week;     /* the weeks read (ranged) */
	int64_t now;                    /* when it was read */
	int ncols;
	struct desk_report_col cols[DESK_REPORT_COLS];
	int nrows;
	struct desk_report_val *vals;   /* row r, column c: [r * ncols + c] */
	int nfig;
	struct desk_report_figure fig[DESK_REPORT_FIGURES];
	/* for a chart: the column that labels a bar or a point, the one
	 * measured, and whether it runs over time (a line) */
	int label_col, value_col;
	bool over_time;
	/* internal: the strings */
	char **strs;
	int nstrs;
};

/* The arguments: from/to as read from RFC 3339 (µs), each optional; for
 * "claimants", the fewest claims that make a repeat (0: 2) and the rows
 * wanted (0: 20). */
struct desk_report_args {
	bool has_from, has_to;
	int64_t from_at, to_at;
	int64_t min_claims;
	int limit;
};

/* desk_report_names: the reports, in the dashboard's order, ending with
 * NULL. */
extern const char *const desk_report_names[];

/* desk_report fills *out with the report called name, read in one
 * snapshot (the caller's read transaction, or the store's own).
 * AC_ENOTFOUND ("report") for an unknown name; AC_EINVAL naming "to" when
 * to is before from, "min_claims" or "limit" out of range; the store's
 * errors otherwise. */
int desk_report(struct desk *d, const char *name,
		const struct desk_report_args *a, struct desk_report *out,
		struct ac_err *err);

/* desk_report_release frees what a report holds and zeroes it. */
void desk_report_release(struct desk_report *r);

/* desk_report_median: the median of a histogram of durations (counts[b]
 * in bucket b, bounds store_report_bucket_s), in seconds, interpolated
 * linearly inside the bucket that holds the middle case; false when the
 * histogram is empty. The last bucket has no upper bound: its lower one
 * is given. */
bool desk_report_median(const int64_t *counts, int nbuckets,
			int64_t *seconds);

/* desk_week_label writes an ISO week's name, "2026-W05", for its Monday
 * (µs) into out (at least 9 bytes). */
void desk_week_label(int64_t monday, char *out, size_t cap);

#endif
