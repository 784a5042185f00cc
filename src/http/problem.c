/* problem.c: error answers as application/problem+json, RFC 9457 (http).
 * Every answer that is an error has a "type" URN naming what went wrong,
 * one per meaning (docs/API.md lists them): the desk's and the codec's
 * refusals by their error code, the server's own (routing, protocol,
 * limits) by their status, each of which has one meaning here. "field"
 * names the field, header, path or query parameter when there is one. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

struct kind {
	int status;
	const char *type;
	const char *title;
};

#define URN "urn:aftercare:problem:"

/* What the desk or the codec refuses, by error code (desk.h's mapping
 * from codes to statuses). */
static const struct {
	int code;
	struct kind k;
} by_code[] = {
	{ AC_ESYNTAX, { 400, URN "not-json", "The body is not JSON" } },
	{ AC_EINVAL, { 422, URN "invalid",
		       "A field is missing, mistyped or refused" } },
	{ AC_ENOTFOUND, { 404, URN "not-found", "No such resource" } },
	{ AC_ECONFLICT, { 409, URN "conflict", "The resource exists or the "
			  "key was used with another body" } },
	{ AC_ESTATE, { 409, URN "state",
		       "The case's state does not allow this" } },
	{ AC_ELIMIT, { 413, URN "too-large", "Over a named limit" } },
	{ AC_EIO, { 503, URN "store", "The store cannot read or write" } },
	{ AC_EINDOUBT, { 503, URN "store-in-doubt", "The store may have "
			 "kept the write: its commit's outcome is unknown" } },
};

/* What the server itself answers, by status. */
static const struct kind by_status[] = {
	{ 400, URN "bad-request", "The request is malformed" },
	{ 401, URN "unauthorized", "No valid credentials: API token, "
	  "session or signature" },
	{ 404, URN "not-found", "No such resource" },
	{ 405, URN "method-not-allowed", "The path does not take the method" },
	{ 408, URN "timeout", "The request came too slowly" },
	{ 409, URN "conflict", "The resource exists or the key was used "
	  "with another body" },
	{ 413, URN "too-large", "Over a named limit" },
	{ 415, URN "media-type", "The body's type is not one the route takes" },
	{ 422, URN "invalid", "A field is missing, mistyped or refused" },
	{ 431, URN "headers-too-large", "The request's headers are too large" },
	{ 500, URN "internal", "The server failed" },
	{ 501, URN "not-implemented", "The request needs what the server "
	  "does not do" },
	{ 503, URN "store", "The store cannot read or write" },
};

static const struct kind internal = { 500, URN "internal",
				      "The server failed" };

static const struct kind *kind_for_status(int status)
{
	for (size_t i = 0; i < sizeof by_status / sizeof by_status[0]; i++)
		if (by_status[i].status == status)
			return &by_status[i];
	return &internal;
}

static const struct kind *kind_for_code(int code)
{
	for (size_t i = 0; i < sizeof by_code / sizeof by_code[0]; i++)
		if (by_code[i].code == code)
			return &by_code[i].k;
	return &internal;
}

int http_status_for(int code)
{
	return kind_for_code(code)->status;
}

/* utf8_len: the length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	unsigned min, cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, min = 0x80, cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, min = 0x800, cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, min = 0x10000, cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int http_json_str(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int rc = buf_addc(b, '"');

	while (!rc && *p) {
		size_t n = utf8_len(p);

		if (n == 0) {                   /* not UTF-8: U+FFFD */
			rc = buf_adds(b, "\\ufffd");
			p++;
		} else if (*p == '"' || *p == '\\') {
			rc = buf_addc(b, '\\') || buf_addc(b, (char)*p);
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			rc = buf_addf(b, "\\u%04x", *p);
			p++;
		} else {
			rc = buf_add(b, p, n);
			p += n;
		}
	}
	return rc ? rc : buf_addc(b, '"');
}

static void problem(struct http_resp *r, const struct kind *k,
		    const char *field, const char *detail)
{
	struct buf *b = &r->body;

	buf_reset(b);
	r->status = k->status;
	r->content_type = "application/problem+json";
	buf_adds(b, "{\"type\": ");
	http_json_str(b, k->type);
	buf_adds(b, ", \"title\": ");
	http_json_str(b, k->title);
	buf_addf(b, ", \"status\": %d, \"detail\": ", k->status);
	http_json_str(b, detail);
	if (field && field[0]) {
		buf_adds(b, ", \"field\": ");
		http_json_str(b, field);
	}
	buf_adds(b, "}\n");
}

void http_problem(struct http_resp *r, int status, const char *field,
		  const char *fmt, ...)
{
	const struct kind *k = kind_for_status(status);
	struct kind own = *k;
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	own.status = status;    /* a status without a kind is "internal" */
	problem(r, &own, field, detail);
}

void http_problem_err(struct http_resp *r, const struct ac_err *err)
{
	problem(r, kind_for_code(err->code), err->field,
		err->msg[0] ? err->msg : "failed");
}

void http_reply(struct http_resp *r, int rc, const struct ac_err *err,
		int ok_status)
{
	if (rc) {
		struct ac_err e = *err;

		if (!e.code)
			e.code = rc;
		http_problem_err(r, &e);
		return;
	}
	r->status = ok_status;
	r->content_type = "application/json";
	if (r->body.len && r->body.p[r->body.len - 1] != '\n')
		buf_addc(&r->body, '\n');
}

void http_resp_header(struct http_resp *r, const char *name,
		      const char *value)
{
	if (r->n_headers == HTTP_MAX_HEADERS)
		return;
	r->headers[r->n_headers].name = name;
	r->headers[r->n_headers].value = value;
	r->n_headers++;
}
