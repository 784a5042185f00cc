/* auth.c: bearer tokens (http layer).
 * `Authorization: Bearer TOKEN` (RFC 6750) on every /v1 route but decide
 * and openapi.json; the desk knows the tokens, hashed. The actor of every
 * desk call is then "token:" and the token's name. */
#include <string.h>
#include <strings.h>

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
