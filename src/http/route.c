/* route.c: the route tables and the router (http layer).
 * Every resource file has one table; this file lists the tables and
 * matches a method and a path against their patterns. Patterns are
 * slash-separated segments, each a literal or a {name} that takes one
 * non-empty segment. No allocation but the params copied into the arena. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../desk/desk.h"
#include "http.h"

static const struct route_table *const tables[] = {
	&res_health_routes,
	&res_decide_routes,
	&res_orders_routes,
	&res_cases_routes,
	&res_refunds_routes,
	&res_quotes_routes,
	&res_notes_routes,
	&res_evidence_routes,
	&res_audit_routes,
	&res_metrics_routes,
	&res_outbox_routes,
	&res_hooks_routes,
	&res_payments_routes,
	&web_pay_routes,
	&res_reports_routes,
	&web_asset_routes,
	&web_portal_routes,
	&web_console_routes,
	&web_outbox_routes,
	&web_dashboard_routes,
};

#define MAX_SEGMENTS 8

struct seg {
	const char *p;
	size_t n;
};

/* split cuts path ("/a/b") into its segments; -1 when it does not start
 * with a slash or has too many. */
static int split(const char *path, struct seg *segs, int cap)
{
	int n = 0;

	if (path[0] != '/')
		return -1;
	path++;
	for (;;) {
		const char *slash = strchr(path, '/');
		size_t len = slash ? (size_t)(slash - path) : strlen(path);

		if (n == cap)
			return -1;
		segs[n].p = path;
		segs[n].n = len;
		n++;
		if (!slash)
			return n;
		path = slash + 1;
	}
}

/* A route's pattern cut into its segments once, at the first request,
 * not on every request for every route (measured: a tenth of a decide's
 * time went to splitting patterns). */
struct compiled {
	const struct route *rt;
	int n;
	struct seg segs[MAX_SEGMENTS];
};

static struct compiled *compiled;
static int n_compiled;
static pthread_once_t compiled_once = PTHREAD_ONCE_INIT;

static void compile_routes(void)
{
	int n = route_count();

	compiled = xcalloc((size_t)n, sizeof *compiled);
	for (int i = 0; i < n; i++) {
		struct compiled *c = &compiled[i];

		c->rt = route_at(i);
		c->n = split(c->rt->pattern, c->segs, MAX_SEGMENTS);
	}
	n_compiled = n;
}

/* match_pattern: the number of literal segments when the pattern matches
 * the segments (params filled with their indexes), else -1. */
static int match_pattern(const struct compiled *c, const struct seg *segs,
			 int n, int param_at[HTTP_MAX_PARAMS])
{
	const struct seg *pat = c->segs;
	int literals = 0, k = 0;

	if (c->n != n)
		return -1;
	for (int i = 0; i < n; i++) {
		if (pat[i].n >= 2 && pat[i].p[0] == '{') {
			if (segs[i].n == 0 || segs[i].n >= HTTP_ID_MAX ||
			    k == HTTP_MAX_PARAMS)
				return -1;
			param_at[k++] = i;
			continue;
		}
		if (pat[i].n != segs[i].n ||
		    memcmp(pat[i].p, segs[i].p, segs[i].n))
			return -1;
		literals++;
	}
	for (; k < HTTP_MAX_PARAMS; k++)
		param_at[k] = -1;
	return literals;
}

static void allow_add(char *allow, size_t allow_n, const char *method)
{
	size_t len = strlen(allow), m = strlen(method);

	/* already listed? (method names are not prefixes of one another) */
	for (const char *p = allow; (p = strstr(p, method)); p += m)
		if ((p == allow || p[-1] == ' ') &&
		    (p[m] == ',' || p[m] == '\0'))
			return;
	if (len + m + 3 > allow_n)
		return;
	snprintf(allow + len, allow_n - len, "%s%s", len ? ", " : "", method);
}

enum route_result route_match(struct arena *a, const char *method,
			      const char *path, const struct route **out,
			      const char *params[HTTP_MAX_PARAMS],
			      char *allow, size_t allow_n)
{
	struct seg segs[MAX_SEGMENTS];
	int n = split(path, segs, MAX_SEGMENTS), best = -1;
	int best_at[HTTP_MAX_PARAMS];
	bool any = false;
	const char *want = strcmp(method, "HEAD") ? method : "GET";

	*out = NULL;
	if (allow_n)
		allow[0] = '\0';
	if (n < 0)
		return ROUTE_NOT_FOUND;
	pthread_once(&compiled_once, compile_routes);
	for (int i = 0; i < n_compiled; i++) {
		const struct route *rt = compiled[i].rt;
		int at[HTTP_MAX_PARAMS];
		int lit = match_pattern(&compiled[i], segs, n, at);

		if (lit < 0)
			continue;
		any = true;
		allow_add(allow, allow_n, rt->method);
		if (!strcmp(rt->method, "GET"))
			allow_add(allow, allow_n, "HEAD");
		if (strcmp(rt->method, want) || lit <= best)
			continue;
		best = lit;
		*out = rt;
		memcpy(best_at, at, sizeof at);
	}
	if (!any)
		return ROUTE_NOT_FOUND;
	if (!*out)
		return ROUTE_BAD_METHOD;
	for (int k = 0; k < HTTP_MAX_PARAMS; k++)
		params[k] = best_at[k] < 0 ? NULL :
			    arena_strndup(a, segs[best_at[k]].p,
					  segs[best_at[k]].n);
	return ROUTE_FOUND;
}

size_t http_body_limit(enum http_body kind)
{
	switch (kind) {
	case HTTP_BODY_JSONL:
		return HTTP_JSONL_MAX;
	case HTTP_BODY_IMAGE:
		return DESK_EVIDENCE_MAX;
	case HTTP_BODY_FORM:
		return HTTP_FORM_MAX;
	case HTTP_BODY_UPLOAD:
		return HTTP_UPLOAD_MAX;
	case HTTP_BODY_NONE:
	case HTTP_BODY_JSON:
		break;
	}
	return HTTP_JSON_MAX;
}

int route_count(void)
{
	int n = 0;

	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		n += (int)tables[t]->n;
	return n;
}

const struct route *route_at(int i)
{
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
		if (i < (int)tables[t]->n)
			return &tables[t]->routes[i];
		i -= (int)tables[t]->n;
	}
	return NULL;
}

int route_index(const struct route *rt)
{
	int base = 0;

	for (size_t t = 0; rt && t < sizeof tables / sizeof tables[0]; t++) {
		const struct route *r0 = tables[t]->routes;

		if (rt >= r0 && rt < r0 + tables[t]->n)
			return base + (int)(rt - r0);
		base += (int)tables[t]->n;
	}
	return -1;
}
