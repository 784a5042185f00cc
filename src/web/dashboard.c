/* dashboard.c: the managers' reports in the console (web layer, issue
 * 9.3).
 *   GET /console/reports            ?from&to (dates or RFC 3339)
 *   GET /console/reports/{name}.csv ?from&to, min_claims, limit
 * Every report of desk/reports.h as server-drawn SVG charts (charts.c),
 * its numbers in a table beside them and a CSV download of the same rows
 * as GET /v1/reports/{name} (same columns, same values: money in minor
 * units beside its currency). Managers only: an agent is answered 403. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"
#include "../core/money.h"
#include "../desk/reports.h"
#include "charts.h"
#include "web.h"

static bool managers_only(struct http_req *q, struct http_resp *r)
{
	if (q->session.manager)
		return true;
	web_message_page(q, r, 403, "Not allowed", "Only a manager may see "
			 "the reports. Ask a manager.");
	return false;
}

/* read_when reads a date ("2026-01-31": its start, or its end for to)
 * or an RFC 3339 time; false when it is neither. */
static bool read_when(const char *v, bool end, int64_t *at)
{
	char buf[40];

	if (strlen(v) == 10 && v[4] == '-' && v[7] == '-') {
		snprintf(buf, sizeof buf, "%sT%s", v,
			 end ? "23:59:59Z" : "00:00:00Z");
		return instant_parse(buf, strlen(buf), at) == 0;
	}
	return instant_parse(v, strlen(v), at) == 0;
}

/* read_args reads ?from, ?to, ?min_claims and ?limit; on a bad one,
 * *bad names it. */
static void read_args(struct http_req *q, struct desk_report_args *a,
		      const char **bad)
{
	const char *from = http_req_query(q, "from");
	const char *to = http_req_query(q, "to");
	const char *min = http_req_query(q, "min_claims");
	const char *lim = http_req_query(q, "limit");
	char *end;

	*bad = NULL;
	memset(a, 0, sizeof *a);
	if (from && !(a->has_from = read_when(from, false, &a->from_at)))
		*bad = "from";
	if (to && !(a->has_to = read_when(to, true, &a->to_at)))
		*bad = "to";
	if (min) {
		long long v = strtoll(min, &end, 10);

		if (*end || v < 1 || v > 1000000)
			*bad = "min_claims";
		a->min_claims = v;
	}
	if (lim) {
		long long v = strtoll(lim, &end, 10);

		if (*end || v < 1 || v > DESK_CLAIMANTS_MAX)
			*bad = "limit";
		a->limit = (int)v;
	}
}

static const struct desk_report_val *cell(const struct desk_report *rep,
					  int r, int c)
{
	return &rep->vals[(size_t)r * (size_t)rep->ncols + (size_t)c];
}

static int col_named(const struct desk_report *rep, const char *name)
{
	for (int c = 0; c < rep->ncols; c++)
		if (!strcmp(rep->cols[c].name, name))
			return c;
	return -1;
}

/* seconds_words: "3 d 4 h", "2 h 5 min", "40 s". */
static void seconds_words(char *out, size_t cap, int64_t s)
{
	if (s >= 86400)
		snprintf(out, cap, "%lld d %lld h", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(out, cap, "%lld h %lld min", (long long)(s / 3600),
			 (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(out, cap, "%lld min", (long long)(s / 60));
	else
		snprintf(out, cap, "%lld s", (long long)s);
}

/* shown: a cell as a person reads it (money with its currency). */
static void shown(const struct desk_report *rep, int r, int c, char *out,
		  size_t cap)
{
	const struct desk_report_val *v = cell(rep, r, c);
	int cc = col_named(rep, "currency");
	const struct currency *cur;

	switch (rep->cols[c].kind) {
	case DESK_COL_TEXT:
		snprintf(out, cap, "%s", v->s);
		break;
	case DESK_COL_WEEK:
		desk_week_label(v->i, out, cap);
		break;
	case DESK_COL_TIME:
		web_when(out, cap, v->i, 0, true);
		break;
	case DESK_COL_INT:
		snprintf(out, cap, "%lld", (long long)v->i);
		break;
	case DESK_COL_SECONDS:
		seconds_words(out, cap, v->i);
		break;
	case DESK_COL_MONEY:
		cur = cc < 0 ? NULL : money_currency_find(cell(rep, r, cc)->s,
							  3);
		if (cur)
			money_format(out, cap, cur, v->i);
		else
			snprintf(out, cap, "%lld", (long long)v->i);
		break;
	}
}

/* ---- charts ----------------------------------------------------------- */

/* A chart of one column of a report: points labelled by label_col; rows
 * with the same label are added up (the currencies of a count); a money
 * column is drawn for one currency, the first the rows name. */
static void add_chart(cJSON *charts, const struct desk_report *rep,
		      const char *id, int value_col, const char *y_label)
{
	struct chart_point *pts = xcalloc((size_t)rep->nrows + 1,
					  sizeof *pts);
	char (*labels)[64] = xcalloc((size_t)rep->nrows + 1, sizeof *labels);
	bool money = rep->cols[value_col].kind == DESK_COL_MONEY;
	int cc = col_named(rep, "currency"), n = 0, decimals = 0;
	const char *cur = NULL;
	char title[160], ylab[64], desc[400];
	struct chart ch = { 0 };
	struct buf svg;

	for (int r = 0; r < rep->nrows; r++) {
		const char *rc = cc >= 0 ? cell(rep, r, cc)->s : "";
		int at = -1;

		if (money && !cur) {
			const struct currency *c = money_currency_find(rc, 3);

			cur = rc;
			decimals = c ? c->exponent : 0;
		}
		if (money && strcmp(rc, cur))
			continue;
		shown(rep, r, rep->label_col, labels[n], sizeof labels[n]);
		for (int i = 0; i < n; i++)
			if (!strcmp(labels[i], labels[n]))
				at = i;
		if (at < 0) {
			pts[n].label = labels[n];
			at = n++;
		}
		pts[at].value += cell(rep, r, value_col)->i;
	}
	snprintf(title, sizeof title, "%s: %s%s%s", rep->title,
		 rep->cols[value_col].label, money && cur ? " in " : "",
		 money && cur ? cur : "");
	snprintf(ylab, sizeof ylab, "%s", money && cur ? cur : y_label);
	snprintf(desc, sizeof desc, "%s by %s.", rep->cols[value_col].label,
		 rep->cols[rep->label_col].label);
	ch.kind = rep->over_time ? CHART_LINE : CHART_BAR;
	ch.id = id;
	ch.title = title;
	ch.desc = desc;
	ch.y_label = ylab;
	ch.decimals = decimals;
	ch.pts = pts;
	ch.n = n;
	buf_init(&svg, 1u << 20);
	chart_svg(&ch, &svg);
	if (!buf_error(&svg)) {
		cJSON *o = cJSON_CreateObject();

		web_set_str(o, "svg", buf_cstr(&svg));
		cJSON_AddItemToArray(charts, o);
	}
	buf_release(&svg);
	free(pts);
	free(labels);
}

/* The charts each report gets: its measured column and, for the sums,
 * the money refunded. */
static void charts_of(cJSON *o, const struct desk_report *rep)
{
	cJSON *charts = cJSON_AddArrayToObject(o, "charts");
	char id[64];

	snprintf(id, sizeof id, "c-%s-1", rep->name);
	add_chart(charts, rep, id, rep->value_col, "Cases");
	int m = col_named(rep, "refunded_minor");

	if (m < 0)
		m = col_named(rep, "refunds");
	if (m >= 0) {
		snprintf(id, sizeof id, "c-%s-2", rep->name);
		add_chart(charts, rep, id, m, "Cases");
	}
}

/* ---- the page --------------------------------------------------------- */

static void range_words(const struct desk_report *rep, char *out,
			size_t cap)
{
	char a[16], b[16];

	if (rep->from_week > INT64_MIN / 2)
		desk_week_label(rep->from_week, a, sizeof a);
	if (rep->to_week < INT64_MAX / 2)
		desk_week_label(rep->to_week, b, sizeof b);
	if (rep->from_week > INT64_MIN / 2 && rep->to_week < INT64_MAX / 2)
		snprintf(out, cap, "Weeks %s to %s.", a, b);
	else if (rep->from_week > INT64_MIN / 2)
		snprintf(out, cap, "Weeks from %s.", a);
	else if (rep->to_week < INT64_MAX / 2)
		snprintf(out, cap, "Weeks up to %s.", b);
	else
		snprintf(out, cap, "Every week.");
}

static cJSON *report_model(const struct desk_report *rep, const char *qs)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	char s[160];

	web_set_str(o, "name", rep->name);
	web_set_str(o, "title", rep->title);
	web_set_str(o, "desc", rep->desc);
	cJSON_AddBoolToObject(o, "ranged", rep->ranged);
	range_words(rep, s, sizeof s);
	web_set_str(o, "range", s);
	snprintf(s, sizeof s, "/console/reports/%s.csv%s", rep->name, qs);
	web_set_str(o, "csv", s);
	cJSON_AddBoolToObject(o, "has_figures", rep->nfig > 0);
	arr = cJSON_AddArrayToObject(o, "figures");
	for (int i = 0; i < rep->nfig; i++) {
		cJSON *f = cJSON_CreateObject();
		const struct desk_report_figure *g = &rep->fig[i];

		web_set_str(f, "label", g->label);
		if (!g->has)
			snprintf(s, sizeof s, "none yet");
		else if (g->kind == DESK_COL_SECONDS)
			seconds_words(s, sizeof s, g->v);
		else if (!strcmp(g->name, "without_staff_permille"))
			snprintf(s, sizeof s, "%lld.%lld %%",
				 (long long)(g->v / 10),
				 (long long)(g->v % 10));
		else
			snprintf(s, sizeof s, "%lld", (long long)g->v);
		web_set_str(f, "value", s);
		cJSON_AddItemToArray(arr, f);
	}
	arr = cJSON_AddArrayToObject(o, "cols");
	for (int c = 0; c < rep->ncols; c++) {
		cJSON *h = cJSON_CreateObject();

		web_set_str(h, "label", rep->cols[c].label);
		cJSON_AddBoolToObject(h, "num",
				      rep->cols[c].kind != DESK_COL_TEXT &&
				      rep->cols[c].kind != DESK_COL_WEEK &&
				      rep->cols[c].kind != DESK_COL_TIME);
		cJSON_AddItemToArray(arr, h);
	}
	arr = cJSON_AddArrayToObject(o, "rows");
	for (int r = 0; r < rep->nrows; r++) {
		cJSON *row = cJSON_CreateObject();
		cJSON *cells = cJSON_AddArrayToObject(row, "cells");

		for (int c = 0; c < rep->ncols; c++) {
			cJSON *v = cJSON_CreateObject();
			char t[128];

			shown(rep, r, c, t, sizeof t);
			web_set_str(v, "v", t);
			cJSON_AddBoolToObject(v, "num",
					      rep->cols[c].kind !=
					      DESK_COL_TEXT &&
					      rep->cols[c].kind !=
					      DESK_COL_WEEK &&
					      rep->cols[c].kind !=
					      DESK_COL_TIME);
			cJSON_AddItemToArray(cells, v);
		}
		cJSON_AddItemToArray(arr, row);
	}
	charts_of(o, rep);
	return o;
}

/* date_arg: a ?from or ?to given as a date, to write back into the form
 * and the CSV links ("" otherwise). */
static const char *date_arg(struct http_req *q, const char *name)
{
	const char *v = http_req_query(q, name);

	if (!v || strlen(v) != 10 || strspn(v, "0123456789-") != 10)
		return "";
	return v;
}

static void get_dashboard(struct http_req *q, struct http_resp *r)
{
	struct desk_report_args a;
	const char *bad, *from, *to;
	cJSON *m, *arr;
	char qs[64];

	if (!managers_only(q, r))
		return;
	read_args(q, &a, &bad);
	m = cJSON_CreateObject();
	web_set_str(m, "title", "Reports");
	if (bad) {
		char t[120];

		snprintf(t, sizeof t, "%s: not a date (YYYY-MM-DD)", bad);
		web_set_str(m, "error", t);
		memset(&a, 0, sizeof a);
	}
	from = bad ? "" : date_arg(q, "from");
	to = bad ? "" : date_arg(q, "to");
	web_set_str(m, "from", from);
	web_set_str(m, "to", to);
	snprintf(qs, sizeof qs, "%s%s%s%s%s", *from || *to ? "?" : "",
		 *from ? "from=" : "", from, *from && *to ? "&to=" : *to ?
		 "to=" : "", to);
	arr = cJSON_AddArrayToObject(m, "reports");
	for (int i = 0; desk_report_names[i]; i++) {
		struct desk_report rep;
		struct ac_err err;

		if (desk_report(q->ctx->desk, desk_report_names[i], &a, &rep,
				&err)) {
			cJSON_Delete(m);
			web_desk_error(q, r, &err);
			return;
		}
		cJSON_AddItemToArray(arr, report_model(&rep, qs));
		desk_report_release(&rep);
	}
	web_page(q, r, bad ? 422 : 200, "dashboard", m);
}

/* ---- CSV -------------------------------------------------------------- */

/* csv_field appends a field, quoted (RFC 4180) when it holds a comma, a
 * quote or a line break. */
static void csv_field(struct buf *b, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

static void write_csv(const struct desk_report *rep, struct buf *b)
{
	char t[48];

	for (int c = 0; c < rep->ncols; c++) {
		buf_adds(b, c ? "," : "");
		buf_adds(b, rep->cols[c].name);
		if (rep->cols[c].kind == DESK_COL_WEEK)
			buf_addf(b, ",%s_start", rep->cols[c].name);
	}
	buf_adds(b, "\r\n");
	for (int r = 0; r < rep->nrows; r++) {
		for (int c = 0; c < rep->ncols; c++) {
			const struct desk_report_val *v = cell(rep, r, c);

			buf_adds(b, c ? "," : "");
			switch (rep->cols[c].kind) {
			case DESK_COL_TEXT:
				csv_field(b, v->s);
				break;
			case DESK_COL_WEEK:
				desk_week_label(v->i, t, sizeof t);
				buf_adds(b, t);
				instant_format(v->i, t, sizeof t);
				buf_addf(b, ",%s", t);
				break;
			case DESK_COL_TIME:
				instant_format(v->i, t, sizeof t);
				buf_adds(b, t);
				break;
			default:
				buf_addf(b, "%lld", (long long)v->i);
			}
		}
		buf_adds(b, "\r\n");
	}
}

static void get_csv(struct http_req *q, struct http_resp *r)
{
	const char *file = q->params[0], *bad;
	size_t n = strlen(file);
	struct desk_report_args a;
	struct desk_report rep;
	struct ac_err err;
	char name[64], disp[128];

	if (!managers_only(q, r))
		return;
	if (n < 5 || n - 4 >= sizeof name || strcmp(file + n - 4, ".csv")) {
		web_message_page(q, r, 404, "No such report", "The reports "
				 "download as NAME.csv.");
		return;
	}
	snprintf(name, sizeof name, "%.*s", (int)(n - 4), file);
	read_args(q, &a, &bad);
	if (bad) {
		char t[120];

		snprintf(t, sizeof t, "%s: not a date or an RFC 3339 time, "
			 "or out of range", bad);
		web_message_page(q, r, 422, "Not a report's range", t);
		return;
	}
	if (desk_report(q->ctx->desk, name, &a, &rep, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	write_csv(&rep, &r->body);
	desk_report_release(&rep);
	if (buf_error(&r->body)) {
		web_message_page(q, r, 500, "Too large", "The report is "
				 "larger than an answer may be.");
		return;
	}
	snprintf(disp, sizeof disp, "attachment; filename=\"%s.csv\"", name);
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	http_resp_header(r, "Content-Disposition",
			 arena_strndup(q->arena, disp, strlen(disp)));
}

static const struct route routes[] = {
	{ "GET", "/console/reports", get_dashboard, HTTP_AUTH_STAFF,
	  HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
	{ "GET", "/console/reports/{file}", get_csv, HTTP_AUTH_STAFF,
	  HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
};

const struct route_table web_dashboard_routes = {
	routes, sizeof routes / sizeof routes[0]
};
