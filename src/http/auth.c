/* auth.c: bearer tokens (http layer).
 * `Authorization: Bearer TOKEN` (RFC 6750) on every /v1 route but decide
 * and openapi.json; the desk knows the tokens, hashed. The actor of every
 * desk call is then "token:" and the token's name. */
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "../desk/desk.h"
#include "http.h"

#define TOKEN_MAX 256   /* longer is not one of ours */

/* token68 (RFC 7235): what a bearer token may be made of. */
static bool token68(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/");

	while (s[n] == '=')
		n++;
	return n > 0 && s[n] == '\0';
}

static int refuse(struct http_resp *r, bool invalid, const char *why)
{
	http_problem(r, 401, NULL, "%s", why);
	http_resp_header(r, "WWW-Authenticate", invalid ?
			 "Bearer realm=\"aftercare\", error=\"invalid_token\"" :
			 "Bearer realm=\"aftercare\"");
	return AC_ENOTFOUND;
}

int auth_check(struct http_req *q, struct http_resp *r)
{
	const char *h = http_req_header(q, "Authorization");
	char token[TOKEN_MAX + 1], name[128], *actor;
	struct ac_err err;
	size_t n;
	int rc;

	if (!h)
		return refuse(r, false, "this route needs an API token: "
			      "Authorization: Bearer TOKEN");
	while (*h == ' ' || *h == '\t')
		h++;
	if (strncasecmp(h, "Bearer", 6) || (h[6] != ' ' && h[6] != '\t'))
		return refuse(r, true, "the Authorization scheme must be "
			      "Bearer");
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	n = strlen(h);
	while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n == 0 || n > TOKEN_MAX)
		return refuse(r, true, "the bearer token is not valid");
	memcpy(token, h, n);
	token[n] = '\0';
	if (!token68(token))
		return refuse(r, true, "the bearer token is not valid");
	ac_err_clear(&err);
	rc = desk_token_check(q->ctx->desk, token, name, &err);
	if (rc == AC_ENOTFOUND)
		return refuse(r, true, "the bearer token is unknown or "
			      "revoked");
	if (rc) {
		if (!err.code)
			err.code = rc;
		http_problem_err(r, &err);
		return rc;
	}
	name[sizeof name - 1] = '\0';
	q->token_name = arena_strndup(q->arena, name, strlen(name));
	n = strlen(name);
	actor = arena_alloc(q->arena, n + 7);
	memcpy(actor, "token:", 6);
	memcpy(actor + 6, name, n + 1);
	q->actor = actor;
	return 0;
}

/* ---- the pages' sessions ------------------------------------------------ */

/* session_token: the cookie's value when it looks like one of ours (64
 * lower-case hex digits), else NULL. */
static const char *session_token(const struct http_req *q, const char *name)
{
	const char *v = http_req_cookie(q, name);

	if (!v || strlen(v) != 64 ||
	    strspn(v, "0123456789abcdef") != 64)
		return NULL;
	return v;
}

static int see_other(struct http_resp *r, const char *to)
{
	r->status = 303;
	r->content_type = "text/plain; charset=utf-8";
	buf_adds(&r->body, "See ");
	buf_adds(&r->body, to);
	http_resp_header(r, "Location", to);
	return AC_ENOTFOUND;
}

static char *actor_of(struct arena *a, const char *kind, const char *name)
{
	size_t k = strlen(kind), n = strlen(name);
	char *s = arena_alloc(a, k + n + 1);

	memcpy(s, kind, k);
	memcpy(s + k, name, n + 1);
	return s;
}

int auth_session(struct http_req *q, struct http_resp *r, enum http_auth kind)
{
	bool staff = kind != HTTP_AUTH_CUSTOMER;
	const char *token = session_token(q, staff ? HTTP_COOKIE_STAFF :
					  HTTP_COOKIE_CUSTOMER);
	struct ac_err err;
	int rc;

	memset(&q->session, 0, sizeof q->session);
	if (!token)
		goto none;
	ac_err_clear(&err);
	if (staff) {
		struct desk_staff_session s;

		rc = desk_staff_session(q->ctx->desk, token, &s, &err);
		if (rc == 0) {
			q->session.user = arena_strndup(q->arena, s.name,
							strlen(s.name));
			q->session.manager = s.role == STAFF_MANAGER;
			q->session.csrf = arena_strndup(q->arena, s.csrf,
							strlen(s.csrf));
			q->actor = actor_of(q->arena, "user:", s.name);
		}
	} else {
		struct desk_customer_session s;

		rc = desk_customer_session(q->ctx->desk, token, &s, &err);
		if (rc == 0) {
			q->session.order_id = arena_strndup(
				q->arena, s.order_id, strlen(s.order_id));
			q->session.tz_offset_min = s.tz_offset_min;
			q->session.csrf = arena_strndup(q->arena, s.csrf,
							strlen(s.csrf));
			q->actor = actor_of(q->arena, "customer:",
					    s.order_id);
		}
	}
	if (rc == 0) {
		q->session.token = arena_strndup(q->arena, token, 64);
		return 0;
	}
	if (rc != AC_ENOTFOUND) {
		if (!err.code)
			err.code = rc;
		http_problem_err(r, &err);
		return rc;
	}
none:
	if (kind == HTTP_AUTH_STAFF_OPT)
		return 0;
	return see_other(r, staff ? "/console" : "/");
}

int auth_csrf(struct http_req *q, struct http_resp *r)
{
	const char *sent = http_form(q, "csrf");
	const char *want = q->session.csrf;

	if (sent && want && strlen(sent) == strlen(want) &&
	    sodium_memcmp(sent, want, strlen(want)) == 0)
		return 0;
	r->status = 403;
	r->content_type = "text/html; charset=utf-8";
	buf_reset(&r->body);
	buf_adds(&r->body, "<!doctype html><html lang=\"en\"><meta charset="
		 "\"utf-8\"><title>Refused</title><h1>This form has "
		 "expired</h1><p>The form was sent without its security "
		 "token (or with an old one). Go back, reload the page and "
		 "send it again.</p></html>");
	return AC_EINVAL;
}
