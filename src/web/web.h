/* web.h: the pages (web layer), inside the http layer's server.
 * The customer portal (portal.c, `/`) and the staff console (console.c,
 * `/console`) are route tables like the API's: each route declares its
 * authentication kind (a customer's or a staff session) and its
 * transaction class, and calls the desk as the API does. Pages are
 * rendered on the server from templates in web/pages (built into the
 * program with web/static: files.c) through tmpl.c, which escapes every
 * value unless told otherwise. No JavaScript is needed: forms post, and
 * a POST answers 303 to the page that shows its result.
 * Ownership: everything a page builds lives in the request's arena or in
 * the cJSON model that web_page frees. */
#ifndef AC_WEB_H
#define AC_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../core/money.h"
#include "../http/http.h"

/* A file of web/ built into the program ("pages/order.html"). */
struct web_file {
	const char *name;
	const char *bytes, *end;        /* end[0] is a NUL */
};

extern const struct web_file web_files[];       /* ends with a NULL name */

/* web_file finds a built-in file by its name; NULL when there is none. */
const struct web_file *web_file(const char *name);

/* web_page answers r with the page: the template pages/NAME.html
 * rendered from model inside pages/layout.html, with the headers every
 * page has (a strict Content-Security-Policy among them). model gets
 * "title" (required) and the layout's own members (the session's CSRF
 * token as "csrf", the user for the console); it is freed. A template
 * error is a 500 that names it. */
void web_page(struct http_req *q, struct http_resp *r, int status,
	      const char *name, cJSON *model);

/* web_see_other answers 303 with Location: to (a path of ours). */
void web_see_other(struct http_resp *r, const char *to);

/* web_message_page answers status with a page holding a heading and a
 * paragraph (an error for a person: what happened, what to do). */
void web_message_page(struct http_req *q, struct http_resp *r, int status,
		      const char *heading, const char *text);

/* web_desk_error answers the page for a desk call's failure: 404 for
 * AC_ENOTFOUND, 409 for a state or a conflict, 422 for a refused field
 * (the field named), 503 for the store. */
void web_desk_error(struct http_req *q, struct http_resp *r,
		    const struct ac_err *err);

/* web_set_cookie adds the session cookie (HttpOnly, SameSite=Strict,
 * Secure when the client came over TLS through a proxy that says so);
 * max_age_s 0 clears it. */
void web_set_cookie(struct http_req *q, struct http_resp *r,
		    const char *name, const char *value, const char *path,
		    int64_t max_age_s);

/* web_money_parse reads "12.50" (or "12", "12.5") in the currency's
 * major units into minor units, exactly: AC_EINVAL naming field when it
 * is not such an amount (no sign, at most the exponent's digits after
 * the point, at most AC_MONEY_MAX). */
int web_money_parse(const char *s, const struct currency *c, const char *field,
		    int64_t *out, struct ac_err *err);

/* web_when writes "Tue 11 Feb 2026, 09:30" for the instant at the offset
 * (minutes east of UTC), with "UTC" or "UTC+13:00" after it when
 * label is set. */
void web_when(char *out, size_t cap, int64_t at, int tz_offset_min,
	      bool label);

/* Helpers for models: a string member (NULL: not added), and an
 * ac_str's. */
void web_set_str(cJSON *o, const char *key, const char *s);
void web_set_strn(cJSON *o, const char *key, const char *s, size_t n);

/* web_pay_model adds "payments" (the case's refunds sent to the payment
 * provider: entry, amount, status, reason, when, failed) to m (pay_page.c,
 * issue 10.4). */
void web_pay_model(struct http_req *q, cJSON *m, const char *case_id);

/* web_relative writes "in 4 hours", "in 3 days", "2 hours ago" for at
 * seen from now (rounded down to the unit shown). */
void web_relative(char *out, size_t cap, int64_t at, int64_t now);

/* Plain words for statuses and claim types, the same on every page. */
const char *web_status_words(int case_status);
const char *web_claim_words(int claim_type);     /* "My parcel has not
						  * arrived" */
const char *web_verdict_words(int verdict);      /* "A full refund" */
const char *web_defect_words(int defect);        /* "A scratch" */

#endif
