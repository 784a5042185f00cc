/* page.c: what every page shares (web layer): the built-in files, the
 * static route, rendering a page inside the layout, redirects, error
 * pages, cookies, amounts typed by staff, times in a reader's zone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/case.h"
#include "../core/decide.h"
#include "../core/instant.h"
#include "../core/workflow.h"
#include "tmpl.h"
#include "web.h"

const struct web_file *web_file(const char *name)
{
	for (const struct web_file *f = web_files; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

/* ---- GET /static/{name}: CSS, scripts, images ------------------------- */

static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	if (!strcmp(dot, ".png"))
		return "image/png";
	if (!strcmp(dot, ".ico"))
		return "image/x-icon";
	return "application/octet-stream";
}

static void get_static(struct http_req *q, struct http_resp *r)
{
	char name[HTTP_ID_MAX + 8];
	const struct web_file *f;

	snprintf(name, sizeof name, "static/%s", q->params[0]);
	f = web_file(name);
	if (!f) {
		http_problem(r, 404, NULL, "no file %s", q->path);
		return;
	}
	r->status = 200;
	r->content_type = type_of(name);
	buf_add(&r->body, f->bytes, (size_t)(f->end - f->bytes));
	/* the files change only with the program */
	http_resp_header(r, "Cache-Control", "public, max-age=3600");
}

static const struct route asset_routes[] = {
	{ "GET", "/static/{name}", get_static, HTTP_AUTH_NONE, HTTP_TXN_NONE,
	  HTTP_BODY_NONE, NULL },
};

const struct route_table web_asset_routes = {
	asset_routes, sizeof asset_routes / sizeof asset_routes[0]
};

/* ---- rendering ---------------------------------------------------------- */

static int lookup(void *ctx, const char *name, const char **src, size_t *n)
{
	char path[128];
	const struct web_file *f;

	(void)ctx;
	snprintf(path, sizeof path, "pages/%s.html", name);
	f = web_file(path);
	if (!f)
		return -1;
	*src = f->bytes;
	*n = (size_t)(f->end - f->bytes);
	return 0;
}

static void page_headers(struct http_resp *r)
{
	http_resp_header(r, "Content-Security-Policy",
			 "default-src 'none'; style-src 'self'; "
			 "script-src 'self'; img-src 'self' data:; "
			 "form-action 'self'; frame-ancestors 'none'; "
			 "base-uri 'none'");
	http_resp_header(r, "X-Frame-Options", "DENY");
	http_resp_header(r, "Referrer-Policy", "same-origin");
}

void web_page(struct http_req *q, struct http_resp *r, int status,
	      const char *name, cJSON *model)
{
	struct buf content;
	struct ac_err err;

	ac_err_clear(&err);
	buf_init(&content, HTTP_RESP_MAX);
	if (q->session.csrf)
		web_set_str(model, "csrf", q->session.csrf);
	if (q->session.user) {
		cJSON *staff = cJSON_AddObjectToObject(model, "staff");

		web_set_str(staff, "user", q->session.user);
		cJSON_AddBoolToObject(staff, "manager", q->session.manager);
	}
	if (q->session.order_id)
		web_set_str(model, "customer_order", q->session.order_id);
	if (tmpl_render(&content, name, lookup, NULL, model, &err) ||
	    buf_error(&content)) {
		buf_release(&content);
		cJSON_Delete(model);
		http_problem(r, 500, NULL, "the page %s cannot be rendered: "
			     "%s", name, err.msg[0] ? err.msg :
			     "out of memory");
		return;
	}
	cJSON_AddItemToObject(model, "content",
			      cJSON_CreateString(content.p ? content.p : ""));
	buf_release(&content);
	buf_reset(&r->body);
	if (tmpl_render(&r->body, "layout", lookup, NULL, model, &err)) {
		cJSON_Delete(model);
		http_problem(r, 500, NULL, "the layout cannot be rendered: "
			     "%s", err.msg);
		return;
	}
	cJSON_Delete(model);
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
	page_headers(r);
}

void web_see_other(struct http_resp *r, const char *to)
{
	r->status = 303;
	r->content_type = "text/plain; charset=utf-8";
	buf_reset(&r->body);
	buf_adds(&r->body, "See ");
	buf_adds(&r->body, to);
	http_resp_header(r, "Location", to);
}

void web_message_page(struct http_req *q, struct http_resp *r, int status,
		      const char *heading, const char *text)
{
	cJSON *m = cJSON_CreateObject();

	web_set_str(m, "title", heading);
	web_set_str(m, "heading", heading);
	web_set_str(m, "text", text);
	web_set_str(m, "back", q->session.user || !strncmp(q->path,
		    "/console", 8) ? "/console" : "/");
	web_page(q, r, status, "message", m);
}

void web_desk_error(struct http_req *q, struct http_resp *r,
		    const struct ac_err *err)
{
	char text[512];
	int status = http_status_for(err->code);

	if (err->field[0])
		snprintf(text, sizeof text, "%s: %s", err->field, err->msg);
	else
		snprintf(text, sizeof text, "%s", err->msg);
	web_message_page(q, r, status,
			 status == 404 ? "Not found" :
			 status == 409 ? "Not possible now" :
			 status >= 500 ? "Please try again in a moment" :
			 "Please check what you entered", text);
	if (status == 503)
		http_resp_header(r, "Retry-After", "5");
}

void web_set_cookie(struct http_req *q, struct http_resp *r,
		    const char *name, const char *value, const char *path,
		    int64_t max_age_s)
{
	const char *proto = http_req_header(q, "X-Forwarded-Proto");
	bool tls = proto && !strcasecmp(proto, "https");
	size_t cap = strlen(name) + strlen(value) + strlen(path) + 128;
	char *c = arena_alloc(q->arena, cap);

	snprintf(c, cap, "%s=%s; Path=%s; Max-Age=%lld; HttpOnly; "
		 "SameSite=Strict%s", name, value, path,
		 (long long)max_age_s, tls ? "; Secure" : "");
	http_resp_header(r, "Set-Cookie", c);
}

int web_money_parse(const char *s, const struct currency *c, const char *field,
		    int64_t *out, struct ac_err *err)
{
	int64_t v = 0;
	int frac = -1;
	const char *p = s;

	while (*p == ' ')
		p++;
	if (!*p)
		goto bad;
	for (; *p && *p != ' '; p++) {
		if (*p == '.' && frac < 0 && c->exponent > 0) {
			frac = 0;
			continue;
		}
		if (*p < '0' || *p > '9')
			goto bad;
		if (frac >= 0 && ++frac > c->exponent)
			goto bad;
		if (v > (AC_MONEY_MAX - (*p - '0')) / 10)
			goto bad;
		v = v * 10 + (*p - '0');
	}
	while (*p == ' ')
		p++;
	if (*p || frac == 0)
		goto bad;
	for (int k = frac < 0 ? 0 : frac; k < c->exponent; k++) {
		if (v > AC_MONEY_MAX / 10)
			goto bad;
		v *= 10;
	}
	*out = v;
	return 0;
bad:
	return ac_err_set(err, AC_EINVAL, field, c->exponent ?
			  "not an amount in %s like 12.50 (at most %d "
			  "digits after the point)" : "not an amount in %s "
			  "like 1200 (no decimals)%.0d", c->code, c->exponent);
}

static const char *const wdays[] = { "Thu", "Fri", "Sat", "Sun", "Mon",
				     "Tue", "Wed" };
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
				      "Jun", "Jul", "Aug", "Sep", "Oct",
				      "Nov", "Dec" };

void web_when(char *out, size_t cap, int64_t at, int tz_offset_min,
	      bool label)
{
	int64_t local = at + (int64_t)tz_offset_min * 60 * AC_US_PER_S;
	int64_t days = local / (86400 * AC_US_PER_S);
	int y, mo, d, h, mi, s, wd;
	char zone[16] = "";

	if (local < 0 && local % (86400 * AC_US_PER_S))
		days--;
	wd = (int)(((days % 7) + 7) % 7);       /* 1970-01-01: Thursday */
	instant_civil(local, &y, &mo, &d, &h, &mi, &s);
	if (label && tz_offset_min == 0)
		snprintf(zone, sizeof zone, " UTC");
	else if (label)
		snprintf(zone, sizeof zone, " UTC%c%02d:%02d",
			 tz_offset_min < 0 ? '-' : '+',
			 abs(tz_offset_min) / 60, abs(tz_offset_min) % 60);
	snprintf(out, cap, "%s %d %s %d, %02d:%02d%s", wdays[wd], d,
		 months[mo - 1], y, h, mi, zone);
}

void web_set_str(cJSON *o, const char *key, const char *s)
{
	if (s)
		cJSON_AddItemToObject(o, key, cJSON_CreateString(s));
}

void web_set_strn(cJSON *o, const char *key, const char *s, size_t n)
{
	char *t = malloc(n + 1);

	if (!t)
		abort();
	memcpy(t, s, n);
	t[n] = '\0';
	cJSON_AddItemToObject(o, key, cJSON_CreateString(t));
	free(t);
}

const char *web_status_words(int s)
{
	switch ((enum case_status)s) {
	case CASE_STATUS_OPEN: return "Received";
	case CASE_STATUS_WAITING: return "Waiting for more information";
	case CASE_STATUS_DECIDED: return "Decided";
	case CASE_STATUS_RESOLVED: return "Resolved";
	case CASE_STATUS_CLOSED: return "Closed";
	case CASE_STATUS_COUNT: break;
	}
	return "Unknown";
}

const char *web_claim_words(int t)
{
	switch ((enum claim_type)t) {
	case CLAIM_CANCEL: return "I want to cancel my order";
	case CLAIM_NOT_RECEIVED: return "My parcel has not arrived";
	case CLAIM_DAMAGED: return "It arrived damaged or faulty";
	case CLAIM_WRONG_ITEM: return "It is not what I ordered";
	case CLAIM_UNWANTED: return "I no longer want it";
	case CLAIM_WRONG_ADDRESS: return "It went to the wrong address";
	case CLAIM_CUSTOMS: return "It is stuck at customs";
	case CLAIM_REPAIR: return "It needs a repair";
	}
	return "A claim";
}

const char *web_verdict_words(int v)
{
	switch ((enum verdict)v) {
	case VERDICT_FULL_REFUND: return "A full refund";
	case VERDICT_PARTIAL_REFUND: return "A partial refund";
	case VERDICT_NO_REFUND: return "No refund";
	case VERDICT_PENDING: return "Not decided yet";
	case VERDICT_FREE_REPAIR: return "A free repair";
	case VERDICT_PAID_REPAIR: return "A paid repair";
	}
	return "";
}

const char *web_defect_words(int d)
{
	switch ((enum defect)d) {
	case DEFECT_SCRATCH: return "Slight scratches";
	case DEFECT_PACKAGING: return "Damaged packaging";
	case DEFECT_SIZE: return "The size is a little off";
	case DEFECT_STONE_LOOSE: return "A stone is loose";
	case DEFECT_BROKEN: return "It is broken";
	case DEFECT_CLASP: return "The clasp does not work";
	case DEFECT_TARNISH: return "It is tarnished";
	case DEFECT_OTHER: return "Something else is wrong";
	case DEFECT_COUNT: break;
	}
	return "";
}

void web_relative(char *out, size_t cap, int64_t at, int64_t now)
{
	int64_t d = at >= now ? at - now : now - at;
	int64_t s = d / AC_US_PER_S;
	int64_t n;
	const char *unit;

	if (s < 60) {
		snprintf(out, cap, at >= now ? "in less than a minute" :
			 "just now");
		return;
	}
	if (s < 3600) {
		n = s / 60;
		unit = "minute";
	} else if (s < 2 * 86400) {
		n = s / 3600;
		unit = "hour";
	} else {
		n = s / 86400;
		unit = "day";
	}
	snprintf(out, cap, at >= now ? "in %lld %s%s" : "%lld %s%s ago",
		 (long long)n, unit, n == 1 ? "" : "s");
}
