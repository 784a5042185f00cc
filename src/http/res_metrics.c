/* res_metrics.c: GET /metrics, Prometheus text format (http layer).
 * The counters are process-wide arrays of relaxed atomics, bumped by the
 * event loop once per answered request (metrics_observe, from server.c's
 * on_completed) without a lock; the handler reads them (each value on
 * its own, so a scrape may see one request in one series and not yet in
 * another) and asks the desk for the cases by state. Behind an API
 * token: the figures tell a shop's volume. Series:
 *   aftercare_http_requests_total{method,route,class}   class 1xx..5xx
 *   aftercare_http_request_duration_seconds{method,route} histogram
 *   aftercare_cases{state}            gauge, from desk_case_counts
 *   aftercare_db_errors_total         503s from routes that use the store
 *   aftercare_process_start_time_seconds
 * route is the route's pattern ("/v1/cases/{id}"), or "unmatched" for
 * the requests no route took (404, 405 and the guard's refusals). */
#include <stdatomic.h>
#include <time.h>

#include "../core/workflow.h"
#include "../desk/desk.h"
#include "../desk/outbox.h"
#include <string.h>
#include "http.h"

#define MAX_ROUTES 160                  /* beyond: counted as unmatched */
#define N_CLASSES 5
#define N_BUCKETS 12                    /* the last is +Inf */

/* Bucket upper bounds in microseconds, and as Prometheus writes them. */
static const int64_t bucket_us[N_BUCKETS - 1] = {
	1000, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000
};
static const char *const bucket_le[N_BUCKETS] = {
	"0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
	"1", "2.5", "5", "+Inf"
};

struct series {                         /* one route; [MAX_ROUTES]: none */
	atomic_uint_fast64_t by_class[N_CLASSES];
	atomic_uint_fast64_t bucket[N_BUCKETS];   /* not cumulative */
	atomic_uint_fast64_t sum_us;
};

static struct series series[MAX_ROUTES + 1];
static atomic_uint_fast64_t db_errors;
static atomic_llong start_time;

void metrics_init(void)
{
	long long zero = 0;

	atomic_compare_exchange_strong(&start_time, &zero,
				       (long long)time(NULL));
}

void metrics_observe(const struct route *rt, int status, int64_t us)
{
	int i = route_index(rt), b = 0;
	struct series *s;

	if (i < 0 || i >= MAX_ROUTES)
		i = MAX_ROUTES;
	s = &series[i];
	if (status >= 100 && status < 600)
		atomic_fetch_add_explicit(&s->by_class[status / 100 - 1], 1,
					  memory_order_relaxed);
	if (us < 0)
		us = 0;
	while (b < N_BUCKETS - 1 && us > bucket_us[b])
		b++;
	atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->sum_us, (uint_fast64_t)us,
				  memory_order_relaxed);
	if (status == 503 && rt && rt->txn != HTTP_TXN_NONE &&
	    rt->txn != HTTP_TXN_QUICK)
		atomic_fetch_add_explicit(&db_errors, 1,
					  memory_order_relaxed);
}

static uint64_t get(atomic_uint_fast64_t *v)
{
	return (uint64_t)atomic_load_explicit(v, memory_order_relaxed);
}

/* labels writes method="..",route=".." for series i. */
static void labels(struct buf *b, int i)
{
	const struct route *rt = i < MAX_ROUTES ? route_at(i) : NULL;

	if (!rt) {
		buf_adds(b, "method=\"\",route=\"unmatched\"");
		return;
	}
	/* patterns and methods have no quotes, backslashes or newlines */
	buf_addf(b, "method=\"%s\",route=\"%s\"", rt->method, rt->pattern);
}

static bool used(int i)
{
	for (int c = 0; c < N_CLASSES; c++)
		if (get(&series[i].by_class[c]))
			return true;
	return false;
}

/* outbox_metrics: the outbox's depth (issue 10): its rows not sent, by
 * kind and status; "mail" always, other kinds once they have rows. A
 * failed read leaves the series out (the request counters still go). */
static void outbox_metrics(struct desk *d, struct buf *b)
{
	static const char *const st[] = { "pending", "sending", "dead",
					  "failed" };
	struct desk_outbox_depth dp;
	struct ac_err err;
	bool mail = false;

	ac_err_clear(&err);
	if (desk_outbox_depth(d, &dp, &err))
		return;
	buf_adds(b, "# HELP aftercare_outbox_messages Outbox messages not "
		 "sent, by kind and status (pending: waiting; sending: "
		 "claimed; dead and failed: for staff to see).\n"
		 "# TYPE aftercare_outbox_messages gauge\n");
	for (int i = 0; i <= dp.n; i++) {
		const char *kind = i < dp.n ? dp.kinds[i].kind : "mail";
		int64_t v[4] = { 0 };

		if (i < dp.n) {
			v[0] = dp.kinds[i].pending;
			v[1] = dp.kinds[i].sending;
			v[2] = dp.kinds[i].dead;
			v[3] = dp.kinds[i].failed;
			mail |= !strcmp(kind, "mail");
		} else if (mail) {
			break;
		}
		for (int k = 0; k < 4; k++)
			buf_addf(b, "aftercare_outbox_messages{kind=\"%s\","
				 "status=\"%s\"} %lld\n", kind, st[k],
				 (long long)v[k]);
	}
}

static void get_metrics(struct http_req *q, struct http_resp *r)
{
	int64_t counts[CASE_STATUS_COUNT];
	struct ac_err err;
	struct buf *b = &r->body;
	int n = route_count();

	if (n > MAX_ROUTES)
		n = MAX_ROUTES;
	ac_err_clear(&err);
	if (desk_case_counts(q->ctx->desk, counts, &err)) {
		http_problem_err(r, &err);
		return;
	}
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
	http_resp_header(r, "Cache-Control", "no-store");

	buf_adds(b, "# HELP aftercare_http_requests_total Requests answered, "
		 "by route pattern and status class.\n"
		 "# TYPE aftercare_http_requests_total counter\n");
	for (int i = 0; i <= MAX_ROUTES; i++) {
		if ((i >= n && i < MAX_ROUTES) || !used(i))
			continue;
		for (int c = 0; c < N_CLASSES; c++) {
			buf_adds(b, "aftercare_http_requests_total{");
			labels(b, i);
			buf_addf(b, ",class=\"%dxx\"} %llu\n", c + 1,
				 (unsigned long long)get(
					 &series[i].by_class[c]));
		}
	}
	buf_adds(b, "# HELP aftercare_http_request_duration_seconds Time "
		 "from a request's first byte to its answer sent.\n"
		 "# TYPE aftercare_http_request_duration_seconds "
		 "histogram\n");
	for (int i = 0; i <= MAX_ROUTES; i++) {
		uint64_t cum = 0, sum;

		if ((i >= n && i < MAX_ROUTES) || !used(i))
			continue;
		for (int k = 0; k < N_BUCKETS; k++) {
			cum += get(&series[i].bucket[k]);
			buf_adds(b, "aftercare_http_request_duration_seconds_"
				 "bucket{");
			labels(b, i);
			buf_addf(b, ",le=\"%s\"} %llu\n", bucket_le[k],
				 (unsigned long long)cum);
		}
		sum = get(&series[i].sum_us);
		buf_adds(b, "aftercare_http_request_duration_seconds_sum{");
		labels(b, i);
		buf_addf(b, "} %llu.%06llu\n",
			 (unsigned long long)(sum / 1000000),
			 (unsigned long long)(sum % 1000000));
		buf_adds(b, "aftercare_http_request_duration_seconds_count{");
		labels(b, i);
		buf_addf(b, "} %llu\n", (unsigned long long)cum);
	}
	buf_adds(b, "# HELP aftercare_cases Cases by state.\n"
		 "# TYPE aftercare_cases gauge\n");
	for (int s = 0; s < CASE_STATUS_COUNT; s++)
		buf_addf(b, "aftercare_cases{state=\"%s\"} %lld\n",
			 case_status_name((enum case_status)s),
			 (long long)counts[s]);
	outbox_metrics(q->ctx->desk, b);
	buf_addf(b, "# HELP aftercare_db_errors_total Answers 503 from "
		 "routes that use the database.\n"
		 "# TYPE aftercare_db_errors_total counter\n"
		 "aftercare_db_errors_total %llu\n",
		 (unsigned long long)get(&db_errors));
	buf_addf(b, "# HELP aftercare_process_start_time_seconds Start "
		 "time of the process since the Unix epoch.\n"
		 "# TYPE aftercare_process_start_time_seconds gauge\n"
		 "aftercare_process_start_time_seconds %lld\n",
		 (long long)atomic_load(&start_time));
}

static const struct route routes[] = {
	{ "GET", "/metrics", get_metrics,
	  HTTP_AUTH_TOKEN, HTTP_TXN_READ, HTTP_BODY_NONE, NULL },
};

const struct route_table res_metrics_routes = {
	routes, sizeof routes / sizeof routes[0]
};
