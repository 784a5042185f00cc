/* problem.c: error answers as application/problem+json, RFC 9457 (http).
 * Routing and protocol errors (404, 405, 415, 401) are "about:blank"
 * problems titled with the status phrase; what the desk or the codec
 * refuses gets a URN naming the kind of problem, and "field" when the
 * error names one. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

struct kind {
	int code;
	int status;
	const char *type;
	const char *title;
};

/* desk.h's mapping from error codes to statuses. */
static const struct kind kinds[] = {
	{ AC_ESYNTAX, 400, "urn:aftercare:problem:not-json",
	  "The body is not JSON" },
	{ AC_EINVAL, 422, "urn:aftercare:problem:invalid",
	  "A field is missing, mistyped or refused" },
	{ AC_ENOTFOUND, 404, "urn:aftercare:problem:not-found",
	  "No such resource" },
	{ AC_ECONFLICT, 409, "urn:aftercare:problem:conflict",
	  "The resource exists or the key was used with another body" },
	{ AC_ESTATE, 409, "urn:aftercare:problem:state",
	  "The case's state does not allow this" },
	{ AC_ELIMIT, 413, "urn:aftercare:problem:too-large",
	  "Over a named limit" },
	{ AC_EIO, 503, "urn:aftercare:problem:store",
	  "The store is not answering" },
};

static const char *status_phrase(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

int http_status_for(int code)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].code == code)
			return kinds[i].status;
	return 500;
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

static void problem(struct http_resp *r, int status, const char *type,
		    const char *title, const char *field, const char *detail)
{
	struct buf *b = &r->body;

	buf_reset(b);
	r->status = status;
	r->content_type = "application/problem+json";
	buf_adds(b, "{\"type\": ");
	http_json_str(b, type);
	buf_adds(b, ", \"title\": ");
	http_json_str(b, title);
	buf_addf(b, ", \"status\": %d, \"detail\": ", status);
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
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	problem(r, status, "about:blank", status_phrase(status), field,
		detail);
}

void http_problem_err(struct http_resp *r, const struct ac_err *err)
{
	const char *detail = err->msg[0] ? err->msg : "failed";

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].code == err->code) {
			problem(r, kinds[i].status, kinds[i].type,
				kinds[i].title, err->field, detail);
			return;
		}
	problem(r, 500, "about:blank", status_phrase(500), err->field,
		detail);
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
