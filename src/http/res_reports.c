/* res_reports.c: the owner's reports as JSON (http layer, issue 9.3).
 *   GET /v1/reports/{name}   ?from&to (RFC 3339)   200
 *   (claimants: ?min_claims&limit instead)
 * name: weeks, clauses, types, materials, kinds, automation, durations,
 * overdue, claimants (desk/reports.h). Each answer is
 * {"report", "title", "from", "to", "generated_at", "figures": {..},
 * "rows": [{column: value, ..}]}: counts and money as integers (money in
 * minor units beside its row's "currency"), a week as its ISO name
 * ("2026-W05") with "week_start" (its Monday, RFC 3339), instants as
 * RFC 3339. The console's CSV (src/web/dashboard.c) has the same rows. */
#include <stdint.h>
#include <string.h>

#include "../core/instant.h"
#include "../desk/reports.h"
#include "json_out.h"

/* read_range reads ?from and ?to into a; false when one is not RFC 3339
 * (r answered 422 naming it). */
static bool read_range(struct http_req *q, struct http_resp *r,
		       struct desk_report_args *a)
{
	static const char *const names[] = { "from", "to" };

	for (int i = 0; i < 2; i++) {
		const char *v = http_req_query(q, names[i]);
		int64_t at;

		if (!v)
			continue;
		if (instant_parse(v, strlen(v), &at)) {
			http_problem(r, 422, names[i], "%s: not an RFC 3339 "
				     "time with a zone", names[i]);
			return false;
		}
		if (i == 0) {
			a->has_from = true;
			a->from_at = at;
		} else {
			a->has_to = true;
			a->to_at = at;
		}
	}
	return true;
}

static void put_value(struct buf *b, const struct desk_report_col *c,
		      const struct desk_report_val *v)
{
	char w[16];

	switch (c->kind) {
	case DESK_COL_TEXT:
		http_json_str(b, v->s);
		break;
	case DESK_COL_WEEK:
		desk_week_label(v->i, w, sizeof w);
		http_json_str(b, w);
		buf_addf(b, ", \"%s_start\": ", c->name);
		json_write_time(b, v->i);
		break;
	case DESK_COL_TIME:
		json_write_time(b, v->i);
		break;
	case DESK_COL_INT:
	case DESK_COL_MONEY:
	case DESK_COL_SECONDS:
		buf_addf(b, "%lld", (long long)v->i);
		break;
	}
}

static void write_report(const struct desk_report *rep, struct buf *b)
{
	buf_adds(b, "{\"report\": ");
	http_json_str(b, rep->name);
	buf_adds(b, ", \"title\": ");
	http_json_str(b, rep->title);
	buf_adds(b, ", \"from\": ");
	if (rep->ranged && rep->from_week > INT64_MIN / 2)
		json_write_time(b, rep->from_week);
	else
		buf_adds(b, "null");
	buf_adds(b, ", \"to\": ");
	/* the end of the last week read: its Monday and seven days */
	if (rep->ranged && rep->to_week < INT64_MAX / 2)
		json_write_time(b, rep->to_week + 7 * 86400 * AC_US_PER_S);
	else
		buf_adds(b, "null");
	buf_adds(b, ", \"generated_at\": ");
	json_write_time(b, rep->now);
	buf_adds(b, ", \"figures\": {");
	for (int i = 0; i < rep->nfig; i++) {
		buf_addf(b, "%s\"%s\": ", i ? ", " : "", rep->fig[i].name);
		if (rep->fig[i].has)
			buf_addf(b, "%lld", (long long)rep->fig[i].v);
		else
			buf_adds(b, "null");
	}
	buf_adds(b, "}, \"rows\": [");
	for (int r = 0; r < rep->nrows; r++) {
		buf_adds(b, r ? ", {" : "{");
		for (int c = 0; c < rep->ncols; c++) {
			buf_addf(b, "%s\"%s\": ", c ? ", " : "",
				 rep->cols[c].name);
			put_value(b, &rep->cols[c],
				  &rep->vals[(size_t)r * (size_t)rep->ncols +
					     (size_t)c]);
		}
		buf_adds(b, "}");
	}
	buf_adds(b, "]}\n");
}

static void get_report(struct http_req *q, struct http_resp *r)
{
	struct desk_report_args a = { 0 };
	struct desk_report rep;
	struct ac_err err;
	int64_t min, limit;
	int rc;

	if (!read_range(q, r, &a) ||
	    !http_query_int(q, r, "min_claims", 1, 1000000, 2, &min) ||
	    !http_query_int(q, r, "limit", 1, DESK_CLAIMANTS_MAX, 20, &limit))
		return;
	a.min_claims = min;
	a.limit = (int)limit;
	rc = desk_report(q->ctx->desk, q->params[0], &a, &rep, &err);
	if (!rc)
		write_report(&rep, &r->body);
	desk_report_release(&rep);
	http_answer(r, rc, &err, 200);
}

static const struct route routes[] = {
	{ "GET", "/v1/reports/{name}", get_report,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
};

const struct route_table res_reports_routes = {
	routes, sizeof routes / sizeof routes[0]
};
