/* mail.c: e-mail to customers from the outbox (mail layer).
 * Renders a mail row's event from web/mail/ (and the portal's decision
 * partial, pages/decision.html) with the case model of web/view.c, and
 * sends it through SMTP with libcurl; see mail.h for what comes of a
 * send. Like src/web, the model is a cJSON tree. */
#include "mail.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "../codec/codec.h"
#include "../core/instant.h"
#include "../core/money.h"
#include "../desk/desk.h"
#include "../web/tmpl.h"
#include "../web/view.h"
#include "../web/web.h"

#define MAIL_MAX (4u << 20)             /* a rendered message, at most */
#define CONNECT_TIMEOUT_S 10L
#define SEND_TIMEOUT_S 30L              /* well inside the outbox lease */
#define DEADLINE_NEAR_S (24 * 3600)     /* "deadline near": within a day */

struct mail {
	char *smtp_url, *from, *public_url;
	char *ca_file;                  /* NULL: the system's CA bundle */
	char domain[256];
	bool auth;                      /* the URL carries user:pass@ */
};

/* each worker thread's own handle: its connection is kept between
 * messages (libcurl's connection cache lives in the handle) */
static _Thread_local CURL *tl_curl;

static struct ac_str cstr(const char *s)
{
	return (struct ac_str){ s, strlen(s) };
}

static char *dup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static bool starts_with(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* address_ok: one @ with something on both sides, no white space, no
 * angle brackets, quotes or commas (what goes in <> of a path). */
static bool address_ok(const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);

	if (n == 0 || n > 320 || !at || at == a || at == a + n - 1 ||
	    memchr(at + 1, '@', n - (size_t)(at + 1 - a)))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)a[i] <= ' ' || a[i] == '<' || a[i] == '>' ||
		    a[i] == '"' || a[i] == ',' || a[i] == 0x7f)
			return false;
	return true;
}

int mail_new(const struct mail_config *cfg, struct mail **out,
	     struct ac_err *err)
{
	static bool curl_ready;
	const char *u = cfg->smtp_url, *host, *at, *slash;
	struct mail *m;

	if (!u || !(starts_with(u, "smtp://") || starts_with(u, "smtps://")))
		return ac_err_set(err, AC_EINVAL, "--smtp", "not an "
				  "smtp://HOST:PORT or smtps:// URL");
	if (!cfg->from || !address_ok(cfg->from, strlen(cfg->from)))
		return ac_err_set(err, AC_EINVAL, "--mail-from",
				  "not an e-mail address");
	if (cfg->public_url && !starts_with(cfg->public_url, "http://") &&
	    !starts_with(cfg->public_url, "https://"))
		return ac_err_set(err, AC_EINVAL, "--public-url",
				  "not an http:// or https:// URL");
	if (cfg->ca_file) {
		FILE *f = fopen(cfg->ca_file, "rb");

		if (!f)
			return ac_err_set(err, AC_EIO, "--smtp-ca",
					  "cannot read the CA file");
		fclose(f);
	}
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return ac_err_set(err, AC_EIO, "--smtp",
					  "libcurl failed to initialise");
		curl_ready = true;
	}
	m = xcalloc(1, sizeof *m);
	m->smtp_url = dup(u);
	m->from = dup(cfg->from);
	m->ca_file = cfg->ca_file ? dup(cfg->ca_file) : NULL;
	if (cfg->public_url) {
		size_t n = strlen(cfg->public_url);

		m->public_url = dup(cfg->public_url);
		while (n && m->public_url[n - 1] == '/')
			m->public_url[--n] = '\0';
	}
	snprintf(m->domain, sizeof m->domain, "%s",
		 strchr(cfg->from, '@') + 1);
	host = strstr(u, "://") + 3;
	at = strchr(host, '@');
	slash = strchr(host, '/');
	m->auth = at && (!slash || at < slash);
	*out = m;
	return 0;
}

void mail_free(struct mail *m)
{
	if (!m)
		return;
	free(m->smtp_url);
	free(m->from);
	free(m->public_url);
	free(m->ca_file);
	free(m);
}

/* ---- rendering ---------------------------------------------------------- */

/* The templates: mail/NAME, else the portal's pages/NAME.html. */
static int look(void *ctx, const char *name, const char **src, size_t *n)
{
	char path[128];
	const struct web_file *f;

	(void)ctx;
	snprintf(path, sizeof path, "mail/%s", name);
	if (!(f = web_file(path))) {
		snprintf(path, sizeof path, "pages/%s.html", name);
		f = web_file(path);
	}
	if (!f)
		return -1;
	*src = f->bytes;
	*n = (size_t)(f->end - f->bytes);
	return 0;
}

/* qp appends text (LF line ends) as quoted-printable with CRLF. */
static void qp(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool eol = i + 1 == n || s[i + 1] == '\n';
		char enc[3];
		size_t w;

		if (c == '\n') {
			buf_add(out, "\r\n", 2);
			col = 0;
			continue;
		}
		if (c == '\r')
			continue;
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !eol)) {
			enc[0] = (char)c;
			w = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			w = 3;
		}
		if (col + w > 75) {     /* a soft break: "=" CRLF */
			buf_add(out, "=\r\n", 3);
			col = 0;
		}
		buf_add(out, enc, w);
		col += w;
	}
	if (col)
		buf_add(out, "\r\n", 2);
}

/* header_text appends a header's text: as it is when it is printable
 * ASCII, else as RFC 2047 encoded words (UTF-8, base64), each under 76
 * bytes and never splitting a character. */
static void header_text(struct buf *out, const char *s)
{
	size_t n = strlen(s), i = 0;
	bool ascii = true;

	for (size_t k = 0; k < n; k++)
		if ((unsigned char)s[k] < 32 || (unsigned char)s[k] > 126)
			ascii = false;
	if (ascii) {
		buf_add(out, s, n);
		return;
	}
	while (i < n) {
		size_t k = n - i > 42 ? 42 : n - i;
		char b64[64];

		while (i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
			k--;
		sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + i,
				  k, sodium_base64_VARIANT_ORIGINAL);
		if (i)
			buf_add(out, "\r\n ", 3);
		buf_addf(out, "=?UTF-8?B?%s?=", b64);
		i += k;
	}
}

static void set_money(cJSON *o, const char *key, const struct currency *c,
		      int64_t minor)
{
	char s[64];

	money_format(s, sizeof s, c, minor);
	web_set_str(o, key, s);
}

/* one_line: the subject's first line, control characters made spaces,
 * white space at both ends dropped. */
static void one_line(char *out, size_t cap, const struct buf *b)
{
	size_t n = 0;
	const char *p = b->p ? b->p : "";

	while (n < b->len && p[n] != '\n')
		n++;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\r'))
		n--;
	while (n && *p == ' ') {
		p++;
		n--;
	}
	snprintf(out, cap, "%.*s", (int)n, p);
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 32)
			*c = ' ';
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool int_of(const cJSON *o, const char *k, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v))
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

int mail_render(struct mail *m, struct desk *d, const struct outbox_item *it,
		struct mail_message *out, struct ac_err *err)
{
	struct arena a = { 0 };
	struct view_facts f;
	struct desk_order o;
	struct desk_case c;
	struct case_reader *rd = NULL;
	cJSON *p = NULL, *model = NULL, *cm;
	const char *event, *case_id, *order_id;
	enum desk_mail_event ev;
	struct buf txt, html;
	int64_t now = desk_clock_now(d), v;
	char when[96], mid[160], boundary[96];
	int rc = 0;

	buf_init(&txt, MAIL_MAX);
	buf_init(&html, MAIL_MAX);
	out->to[0] = out->subject[0] = '\0';
	p = cJSON_ParseWithLength(it->payload_json.p, it->payload_json.n);
	event = str_of(p, "event");
	case_id = str_of(p, "case_id");
	order_id = str_of(p, "order_id");
	if (!event || !case_id || !order_id ||
	    desk_mail_event_parse(event, strlen(event), &ev)) {
		rc = ac_err_set(err, AC_EINVAL, "payload",
				"not a mail event of a case");
		goto out;
	}
	if ((rc = desk_get_order(d, order_id, &o, err)))
		goto out;
	view_facts_copy(&a, &o, &f);
	if (!f.customer_email || !f.customer_email[0]) {
		rc = ac_err_set(err, AC_ESTATE, "email",
				"the order has no customer e-mail");
		goto out;
	}
	if (!address_ok(f.customer_email, strlen(f.customer_email))) {
		rc = ac_err_set(err, AC_ESTATE, "email", "the order's e-mail "
				"is not an address: %s", f.customer_email);
		goto out;
	}
	snprintf(out->to, sizeof out->to, "%s", f.customer_email);
	if ((rc = desk_get_case(d, case_id, &c, err)))
		goto out;
	if (ev == MAIL_DEADLINE_NEAR && !c.decision.has_deadline) {
		rc = ac_err_set(err, AC_ESTATE, "deadline",
				"the case has no deadline any more");
		goto out;
	}

	model = cJSON_CreateObject();
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(model, "event"), event,
			      true);
	rd = case_reader_new();
	view_case(model, c.policy, &f, &c, rd, now, 0);
	cm = cJSON_GetObjectItemCaseSensitive(model, "case");
	web_set_str(cm, "order_id", order_id);
	if (f.customer_name && f.customer_name[0])
		web_set_str(model, "customer", f.customer_name);
	if (int_of(p, "amount_minor", &v)) {
		const char *code = str_of(p, "currency");
		const struct currency *cur = code && *code ?
			money_currency_find(code, strlen(code)) : NULL;
		cJSON *r = cJSON_AddObjectToObject(model, "refund");

		set_money(r, "amount", cur ? cur : f.order.currency, v);
	}
	if (m->public_url) {
		char link[640];

		snprintf(link, sizeof link, "%s/order/cases/%s", m->public_url,
			 case_id);
		web_set_str(model, "link", link);
	}
	rc = tmpl_render(&txt, "subject.txt", look, NULL, model, err);
	if (!rc)
		one_line(out->subject, sizeof out->subject, &txt);
	web_set_str(model, "title", out->subject);
	buf_reset(&txt);
	if (!rc)
		rc = tmpl_render(&txt, "body.txt", look, NULL, model, err);
	if (!rc)
		rc = tmpl_render(&html, "body.html", look, NULL, model, err);
	if (rc)
		goto out;

	/* the message: headers, then both parts */
	{
		struct buf *b = &out->data;
		struct tm tm;
		time_t t = (time_t)(now / AC_US_PER_S);

		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S +0000", &tm);
		outbox_message_id(mid, sizeof mid, it->id, it->dedupe,
				  m->domain);
		snprintf(boundary, sizeof boundary, "=_aftercare_%" PRId64
			 "_%d", it->id, it->attempt);
		buf_addf(b, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: ",
			 when, m->from, out->to);
		header_text(b, out->subject);
		buf_addf(b, "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"
			 "Auto-Submitted: auto-generated\r\n"
			 "X-Aftercare-Case: %s\r\nX-Aftercare-Event: %s\r\n"
			 "Content-Type: multipart/alternative; "
			 "boundary=\"%s\"\r\n\r\n", mid, case_id, event,
			 boundary);
		buf_addf(b, "--%s\r\nContent-Type: text/plain; "
			 "charset=utf-8\r\nContent-Transfer-Encoding: "
			 "quoted-printable\r\n\r\n", boundary);
		qp(b, txt.p, txt.len);
		buf_addf(b, "--%s\r\nContent-Type: text/html; charset=utf-8"
			 "\r\nContent-Transfer-Encoding: quoted-printable"
			 "\r\n\r\n", boundary);
		qp(b, html.p, html.len);
		buf_addf(b, "--%s--\r\n", boundary);
		if (buf_error(b))
			rc = ac_err_set(err, AC_ELIMIT, "mail",
					"larger than its buffer");
	}
out:
	cJSON_Delete(p);
	cJSON_Delete(model);
	case_reader_free(rd);
	arena_release(&a);
	buf_release(&txt);
	buf_release(&html);
	return rc;
}

/* ---- sending ------------------------------------------------------------- */

struct upload {
	const char *p;
	size_t n, off;
};

static size_t read_body(char *to, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t room = size * nitems, k = u->n - u->off;

	if (k > room)
		k = room;
	memcpy(to, u->p + u->off, k);
	u->off += k;
	return k;
}

/* what a refusal's text says of the stage: libcurl names the command
 * that failed ("RCPT failed: 550") */
static bool refused_at(const char *errbuf, const char *cmd)
{
	return strstr(errbuf, cmd) != NULL;
}

static enum outbox_result send_row(void *ctx, struct desk *d,
				   const struct outbox_item *it, char *why,
				   size_t why_n)
{
	struct mail *m = ctx;
	struct mail_message msg;
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", from[340], to[340];
	enum outbox_result r = OUTBOX_RETRY;
	struct ac_err err;
	struct upload u;
	CURLcode res;
	long code = 0;
	int rc;

	ac_err_clear(&err);
	buf_init(&msg.data, MAIL_MAX);
	rc = mail_render(m, d, it, &msg, &err);
	if (rc) {
		snprintf(why, why_n, "%s: %s", err.field, err.msg);
		r = rc == AC_EIO ? OUTBOX_RETRY : OUTBOX_DEAD;
		goto out;
	}
	if (!tl_curl && !(tl_curl = curl_easy_init())) {
		snprintf(why, why_n, "smtp: libcurl: out of memory");
		goto out;
	}
	snprintf(from, sizeof from, "<%s>", m->from);
	snprintf(to, sizeof to, "<%s>", msg.to);
	rcpt = curl_slist_append(NULL, to);
	u = (struct upload){ msg.data.p, msg.data.len, 0 };
	curl_easy_setopt(tl_curl, CURLOPT_URL, m->smtp_url);
	curl_easy_setopt(tl_curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(tl_curl, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(tl_curl, CURLOPT_READFUNCTION, read_body);
	curl_easy_setopt(tl_curl, CURLOPT_READDATA, &u);
	curl_easy_setopt(tl_curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(tl_curl, CURLOPT_INFILESIZE_LARGE,
			 (curl_off_t)u.n);
	curl_easy_setopt(tl_curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(tl_curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(tl_curl, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT_S);
	curl_easy_setopt(tl_curl, CURLOPT_TIMEOUT, SEND_TIMEOUT_S);
	/* a password never goes in the clear: STARTTLS is then required;
	 * otherwise taken when the server offers it */
	curl_easy_setopt(tl_curl, CURLOPT_USE_SSL,
			 m->auth ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (m->ca_file)
		curl_easy_setopt(tl_curl, CURLOPT_CAINFO, m->ca_file);
	res = curl_easy_perform(tl_curl);
	curl_easy_getinfo(tl_curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_setopt(tl_curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(tl_curl, CURLOPT_ERRORBUFFER, NULL);
	if (res == CURLE_OK) {
		r = OUTBOX_SENT;
	} else if (res == CURLE_LOGIN_DENIED) {
		/* the account may be fixed on the server's side: wait */
		snprintf(why, why_n, "smtp: the login to the server was "
			 "refused: %s", errbuf[0] ? errbuf :
			 curl_easy_strerror(res));
	} else if (code >= 500 && code <= 599 && refused_at(errbuf, "RCPT")) {
		/* the customer's address, refused for good */
		snprintf(why, why_n, "smtp: the recipient %s was refused: %s",
			 msg.to, errbuf);
		ac_err_clear(&err);
		if (it->case_id.n &&
		    desk_bounce_put(d, it->case_id, cstr(msg.to),
				    cstr(errbuf), &err))
			fprintf(stderr, "aftercare: mail: cannot record the "
				"bounce: %s: %s\n", err.field, err.msg);
		r = OUTBOX_DEAD;
	} else if (code >= 500 && code <= 599) {
		snprintf(why, why_n, "smtp: refused: %s", errbuf);
		r = OUTBOX_DEAD;
	} else {
		snprintf(why, why_n, "smtp: %s%s%s", curl_easy_strerror(res),
			 errbuf[0] ? ": " : "", errbuf);
	}
out:
	curl_slist_free_all(rcpt);
	buf_release(&msg.data);
	return r;
}

static void tick(void *ctx, struct desk *d)
{
	struct ac_err err;
	int added = 0;

	(void)ctx;
	ac_err_clear(&err);
	if (desk_outbox_deadlines(d, DEADLINE_NEAR_S, &added, &err))
		fprintf(stderr, "aftercare: mail: deadlines: %s: %s\n",
			err.field, err.msg);
}

static void thread_done(void *ctx)
{
	(void)ctx;
	if (tl_curl)
		curl_easy_cleanup(tl_curl);
	tl_curl = NULL;
}

void mail_kind(struct mail *m, struct outbox_kind *k)
{
	*k = (struct outbox_kind){
		.kind = "mail", .send = send_row, .tick = tick,
		.thread_done = thread_done, .ctx = m,
	};
}
