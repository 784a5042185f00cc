/* reports.c: the owner's reports (desk layer, issue 9.3); see reports.h.
 * Every figure comes from the store's summaries (report_sums,
 * report_durations, report_claimants, the due index): a report reads a
 * few hundred rows whatever the size of the shop. The medians are taken
 * from histograms of bucketed durations, interpolated inside the bucket
 * (exact to the bucket, not to the second). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"
#include "desk_int.h"
#include "reports.h"

#define DAY_US (86400 * AC_US_PER_S)
/* the weeks when from or to is not given: every week there is */
#define FIRST_WEEK (-(INT64_C(1) << 62))
#define LAST_WEEK (INT64_C(1) << 62)

const char *const desk_report_names[] = {
	"weeks", "clauses", "types", "materials", "kinds", "automation",
	"durations", "overdue", "claimants", NULL,
};

/* ---- building a report ------------------------------------------------ */

static const char *keep(struct desk_report *r, const char *s)
{
	char *c = xstrndup(s, strlen(s));

	r->strs = xrealloc(r->strs, (size_t)(r->nstrs + 1) * sizeof *r->strs);
	r->strs[r->nstrs++] = c;
	return c;
}

static void col(struct desk_report *r, const char *name, const char *label,
		enum desk_col_kind kind)
{
	struct desk_report_col *c = &r->cols[r->ncols++];

	c->name = name;
	c->label = label;
	c->kind = kind;
}

static void figure(struct desk_report *r, const char *name,
		   const char *label, enum desk_col_kind kind, bool has,
		   int64_t v)
{
	struct desk_report_figure *f = &r->fig[r->nfig++];

	f->name = name;
	f->label = label;
	f->kind = kind;
	f->has = has;
	f->v = has ? v : 0;
}

/* row adds a row of empty cells; its cells follow. */
static struct desk_report_val *row(struct desk_report *r)
{
	struct desk_report_val *v;

	r->vals = xrealloc(r->vals, (size_t)(r->nrows + 1) *
			   (size_t)r->ncols * sizeof *r->vals);
	v = &r->vals[(size_t)r->nrows++ * (size_t)r->ncols];
	for (int c = 0; c < r->ncols; c++) {
		v[c].i = 0;
		v[c].s = "";
	}
	return v;
}

void desk_report_release(struct desk_report *r)
{
	for (int i = 0; i < r->nstrs; i++)
		free(r->strs[i]);
	free(r->strs);
	free(r->vals);
	memset(r, 0, sizeof *r);
}

void desk_week_label(int64_t monday, char *out, size_t cap)
{
	int64_t thu = monday + 3 * DAY_US, jan1;
	int y, mo, d, h, mi, s;
	char buf[32];

	/* ISO 8601: a week belongs to the year of its Thursday and is
	 * numbered from the week that holds that year's first Thursday */
	instant_civil(thu, &y, &mo, &d, &h, &mi, &s);
	snprintf(buf, sizeof buf, "%04d-01-01T00:00:00Z", y);
	if (instant_parse(buf, strlen(buf), &jan1)) {
		snprintf(out, cap, "?");
		return;
	}
	snprintf(out, cap, "%04d-W%02d", y,
		 (int)((thu - jan1) / DAY_US / 7 + 1));
}

bool desk_report_median(const int64_t *counts, int nbuckets,
			int64_t *seconds)
{
	int64_t total = 0, below = 0;

	*seconds = 0;
	for (int b = 0; b < nbuckets; b++)
		total += counts[b];
	if (total == 0)
		return false;
	/* the middle case, 1-based: the lower one of an even count's two */
	int64_t mid = (total + 1) / 2;

	for (int b = 0; b < nbuckets; b++) {
		int64_t lo = b ? store_report_bucket_s[b - 1] : 0;

		if (below + counts[b] < mid) {
			below += counts[b];
			continue;
		}
		if (b == nbuckets - 1 || b >= STORE_REPORT_BUCKETS - 1) {
			*seconds = lo;
			return true;
		}
		int64_t hi = store_report_bucket_s[b];

		/* the mid-th case sits (mid - below) of counts[b] into it */
		*seconds = lo + (hi - lo) * (mid - below) / counts[b];
		return true;
	}
	return true;
}

/* ---- the reports ------------------------------------------------------ */

static int sums(struct desk *d, struct desk_report *r,
		enum store_report_dim dim, const char *key_name,
		const char *key_label, struct ac_err *err)
{
	struct store_report_row *rows = xcalloc(DESK_REPORT_ROWS,
						sizeof *rows);
	int n = 0, rc;

	if (dim == STORE_REPORT_WEEK)
		col(r, "week", "Week", DESK_COL_WEEK);
	else
		col(r, key_name, key_label, DESK_COL_TEXT);
	col(r, "currency", "Currency", DESK_COL_TEXT);
	col(r, "cases", "Cases opened", DESK_COL_INT);
	col(r, "refunds", "Refunds paid", DESK_COL_INT);
	col(r, "refunded_minor", "Refunded", DESK_COL_MONEY);
	r->label_col = 0;
	r->value_col = 2;
	r->over_time = dim == STORE_REPORT_WEEK;
	rc = store_report_sums(d->store, dim, r->from_week, r->to_week, rows,
			       DESK_REPORT_ROWS, &n, err);
	for (int i = 0; !rc && i < n; i++) {
		struct desk_report_val *v = row(r);

		if (dim == STORE_REPORT_WEEK)
			v[0].i = rows[i].week;
		else
			v[0].s = keep(r, rows[i].key[0] ? rows[i].key
				      : "(none)");
		v[1].s = keep(r, rows[i].currency);
		v[2].i = rows[i].cases;
		v[3].i = rows[i].refunds;
		v[4].i = rows[i].refunded_minor;
	}
	free(rows);
	return rc;
}

static int automation(struct desk *d, struct desk_report *r,
		      struct ac_err *err)
{
	static const char *const hows[] = { "auto", "staff", "undecided" };
	static const char *const words[] = {
		"Decided by the policy alone",
		"Overridden or approved by staff",
		"Not decided yet",
	};
	struct store_report_row *rows = xcalloc(DESK_REPORT_ROWS,
						sizeof *rows);
	int64_t cases[3] = { 0 };
	int n = 0, rc;

	col(r, "how", "How", DESK_COL_TEXT);
	col(r, "label", "Decided", DESK_COL_TEXT);
	col(r, "cases", "Cases opened", DESK_COL_INT);
	r->label_col = 1;
	r->value_col = 2;
	rc = store_report_sums(d->store, STORE_REPORT_STAFF, r->from_week,
			       r->to_week, rows, DESK_REPORT_ROWS, &n, err);
	for (int i = 0; !rc && i < n; i++)
		for (int k = 0; k < 3; k++)
			if (!strcmp(rows[i].key, hows[k]))
				cases[k] += rows[i].cases;
	free(rows);
	if (rc)
		return rc;
	for (int k = 0; k < 3; k++) {
		struct desk_report_val *v = row(r);

		v[0].s = hows[k];
		v[1].s = words[k];
		v[2].i = cases[k];
	}
	int64_t decided = cases[0] + cases[1];

	figure(r, "decided", "Cases decided", DESK_COL_INT, true, decided);
	figure(r, "without_staff", "Decided without staff", DESK_COL_INT,
	       true, cases[0]);
	/* rounded to the nearest thousandth, halves up */
	figure(r, "without_staff_permille", "Share decided without staff "
	       "(per mille)", DESK_COL_INT, decided > 0,
	       decided > 0 ? (cases[0] * 2000 + decided) / (2 * decided) : 0);
	return 0;
}

/* bucket_words: "up to 1 hour", "over 60 days". */
static void bucket_words(int b, char *out, size_t cap)
{
	int64_t s = b < STORE_REPORT_BUCKETS - 1 ? store_report_bucket_s[b]
		    : store_report_bucket_s[STORE_REPORT_BUCKETS - 2];
	const char *pre = b < STORE_REPORT_BUCKETS - 1 ? "up to" : "over";

	if (s < 86400)
		snprintf(out, cap, "%s %lld hour%s", pre, (long long)(s / 3600),
			 s == 3600 ? "" : "s");
	else
		snprintf(out, cap, "%s %lld day%s", pre,
			 (long long)(s / 86400), s == 86400 ? "" : "s");
}

static int durations(struct desk *d, struct desk_report *r,
		     struct ac_err *err)
{
	int64_t dec[STORE_REPORT_BUCKETS], ref[STORE_REPORT_BUCKETS];
	int64_t med, nd = 0, nr = 0;
	bool has;
	int rc;

	col(r, "bucket", "Waited", DESK_COL_TEXT);
	col(r, "up_to_s", "Up to (seconds)", DESK_COL_SECONDS);
	col(r, "decisions", "Cases decided", DESK_COL_INT);
	col(r, "refunds", "Cases refunded", DESK_COL_INT);
	r->label_col = 0;
	r->value_col = 2;
	if ((rc = store_report_durations(d->store, STORE_WAIT_DECISION,
					 r->from_week, r->to_week, dec,
					 err)) ||
	    (rc = store_report_durations(d->store, STORE_WAIT_REFUND,
					 r->from_week, r->to_week, ref, err)))
		return rc;
	for (int b = 0; b < STORE_REPORT_BUCKETS; b++) {
		struct desk_report_val *v = row(r);
		char w[32];

		bucket_words(b, w, sizeof w);
		v[0].s = keep(r, w);
		/* the last bucket is open: its lower bound, as a negative
		 * would mislead, is written as it is (the words say over) */
		v[1].i = b < STORE_REPORT_BUCKETS - 1
			 ? store_report_bucket_s[b]
			 : store_report_bucket_s[STORE_REPORT_BUCKETS - 2];
		v[2].i = dec[b];
		v[3].i = ref[b];
		nd += dec[b];
		nr += ref[b];
	}
	has = desk_report_median(dec, STORE_REPORT_BUCKETS, &med);
	figure(r, "median_decision_s", "Median time from claim to decision",
	       DESK_COL_SECONDS, has, med);
	has = desk_report_median(ref, STORE_REPORT_BUCKETS, &med);
	figure(r, "median_refund_s", "Median time from claim to refund",
	       DESK_COL_SECONDS, has, med);
	figure(r, "decided", "Cases decided", DESK_COL_INT, true, nd);
	figure(r, "refunded", "Cases refunded", DESK_COL_INT, true, nr);
	return 0;
}

static int overdue(struct desk *d, struct desk_report *r,
		   struct ac_err *err)
{
	static const char *const words[] = {
		"Late by less than a day", "Late by 1 to 7 days",
		"Late by more than 7 days",
	};
	int64_t now = r->now, all, day, week;
	int rc;

	col(r, "lateness", "How late", DESK_COL_TEXT);
	col(r, "cases", "Cases past their deadline", DESK_COL_INT);
	r->label_col = 0;
	r->value_col = 1;
	if ((rc = store_count_due_before(d->store, now, &all, err)) ||
	    (rc = store_count_due_before(d->store, now - DAY_US, &day,
					 err)) ||
	    (rc = store_count_due_before(d->store, now - 7 * DAY_US, &week,
					 err)))
		return rc;
	int64_t n[3] = { all - day, day - week, week };

	for (int k = 0; k < 3; k++) {
		struct desk_report_val *v = row(r);

		v[0].s = words[k];
		v[1].i = n[k];
	}
	figure(r, "overdue", "Cases past their deadline", DESK_COL_INT, true,
	       all);
	return 0;
}

static int claimants(struct desk *d, struct desk_report *r,
		     const struct desk_report_args *a, struct ac_err *err)
{
	int64_t min = a->min_claims ? a->min_claims : 2, total[2];
	int limit = a->limit ? a->limit : 20;
	struct store_claimant *rows;
	int rc = 0;

	if (min < 1 || min > 1000000)
		return ac_err_set(err, AC_EINVAL, "min_claims",
				  "from 1 to 1000000");
	if (limit < 1 || limit > DESK_CLAIMANTS_MAX)
		return ac_err_set(err, AC_EINVAL, "limit", "from 1 to %d",
				  DESK_CLAIMANTS_MAX);
	col(r, "by", "By", DESK_COL_TEXT);
	col(r, "key", "E-mail or delivery address", DESK_COL_TEXT);
	col(r, "claims", "Claims", DESK_COL_INT);
	col(r, "not_received", "Not received", DESK_COL_INT);
	col(r, "damaged", "Damaged", DESK_COL_INT);
	col(r, "last_at", "Latest claim", DESK_COL_TIME);
	r->label_col = 1;
	r->value_col = 2;
	rows = xcalloc((size_t)limit, sizeof *rows);
	for (int k = 0; !rc && k < 2; k++) {
		int n = 0;

		rc = store_report_claimants(d->store, k == 1, min, rows, limit,
					    &n, &total[k], err);
		for (int i = 0; !rc && i < n; i++) {
			struct desk_report_val *v = row(r);

			v[0].s = k ? "address" : "email";
			v[1].s = keep(r, rows[i].key);
			v[2].i = rows[i].claims;
			v[3].i = rows[i].not_received;
			v[4].i = rows[i].damaged;
			v[5].i = rows[i].last_at;
		}
	}
	free(rows);
	if (rc)
		return rc;
	figure(r, "emails", "E-mails with repeat claims", DESK_COL_INT, true,
	       total[0]);
	figure(r, "addresses", "Addresses with repeat claims", DESK_COL_INT,
	       true, total[1]);
	figure(r, "min_claims", "Claims that make a repeat", DESK_COL_INT,
	       true, min);
	return 0;
}

int desk_report(struct desk *d, const char *name,
		const struct desk_report_args *a, struct desk_report *out,
		struct ac_err *err)
{
	static const struct {
		const char *name, *title, *desc;
		enum store_report_dim dim;
		const char *key, *label;
	} dims[] = {
		{ "weeks", "Cases and refunds per week", "Cases opened and "
		  "money refunded in each ISO week (Monday to Sunday, UTC), "
		  "per currency.", STORE_REPORT_WEEK, NULL, NULL },
		{ "clauses", "By deciding clause", "Cases opened and money "
		  "refunded in the weeks asked for, by the clause that "
		  "decides each case now.", STORE_REPORT_CLAUSE, "clause",
		  "Clause" },
		{ "types", "By claim type", "Cases opened and money refunded "
		  "in the weeks asked for, by what the customer claimed.",
		  STORE_REPORT_TYPE, "type", "Claim" },
		{ "materials", "By material", "Cases opened and money "
		  "refunded by the material of the items claimed (a case "
		  "counts under each of its materials).",
		  STORE_REPORT_MATERIAL, "material", "Material" },
		{ "kinds", "By kind of item", "Cases opened and money "
		  "refunded by the kind of the items claimed (a case counts "
		  "under each of its kinds).", STORE_REPORT_KIND, "kind",
		  "Kind" },
	};
	int rc;

	ac_err_clear(err);
	memset(out, 0, sizeof *out);
	if (a->has_from && a->has_to && a->to_at < a->from_at)
		return ac_err_set(err, AC_EINVAL, "to", "before from");
	out->now = desk_now(d);
	out->from_week = a->has_from ? store_report_week(a->from_at)
			 : FIRST_WEEK;
	out->to_week = a->has_to ? store_report_week(a->to_at) : LAST_WEEK;
	out->value_col = -1;
	for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
		if (strcmp(name, dims[i].name))
			continue;
		out->name = dims[i].name;
		out->title = dims[i].title;
		out->desc = dims[i].desc;
		out->ranged = true;
		rc = sums(d, out, dims[i].dim, dims[i].key, dims[i].label,
			  err);
		goto done;
	}
	out->name = name;
	if (!strcmp(name, "automation")) {
		out->title = "Decided without staff";
		out->desc = "Cases opened in the weeks asked for, by whether "
			    "the policy decided them alone or staff "
			    "overrode or approved the decision.";
		out->ranged = true;
		out->name = "automation";
		rc = automation(d, out, err);
	} else if (!strcmp(name, "durations")) {
		out->title = "Time to decision and to refund";
		out->desc = "How long cases opened in the weeks asked for "
			    "waited from the claim to their first decision "
			    "and to their first refund.";
		out->ranged = true;
		out->name = "durations";
		rc = durations(d, out, err);
	} else if (!strcmp(name, "overdue")) {
		out->title = "Cases past their deadline";
		out->desc = "Open cases whose deadline or response time has "
			    "passed, by how late they are now.";
		out->name = "overdue";
		rc = overdue(d, out, err);
	} else if (!strcmp(name, "claimants")) {
		out->title = "Repeat claimants";
		out->desc = "E-mails and delivery addresses with several "
			    "not-received or damaged claims, the most first: "
			    "a sign of fraud worth a look.";
		out->name = "claimants";
		rc = claimants(d, out, a, err);
	} else {
		out->name = NULL;
		return ac_err_set(err, AC_ENOTFOUND, "report",
				  "no such report: %.64s", name);
	}
done:
	if (rc)
		desk_report_release(out);
	return rc;
}
