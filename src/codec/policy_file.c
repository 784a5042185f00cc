/* policy_file.c: the policy file reader and its versions (codec layer).
 * Format (see policy/shop.policy): `key = value` lines, `#` comment lines,
 * continuation lines that start with white space, `[clause ID]` sections
 * with `title` and `text`. Every problem is reported with its line and
 * key; reading goes on after a problem so that one check shows them all. */
#include "codec.h"

#include <errno.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct policy_file {
	char *bytes;            /* the file as read, NUL-terminated */
	size_t n;
	char *text;             /* joined clause titles and texts */
	struct policy policy;
};

extern const char ac_default_policy[];
extern const char ac_default_policy_end[];

/* The desk's keys (K_RESPONSE, K_QUOTE_LIFE, K_MANAGER_REFUND) may be
 * left out: a policy file written before they existed keeps its meaning,
 * with the defaults below (no manager_refund_above: every refund needs a
 * manager). The others are required. */
enum top_key { K_DELAY, K_WINDOW, K_WARRANTY, K_CAP, K_RESPONSE, K_QUOTE_LIFE,
	       K_MANAGER_REFUND, K_TOP_COUNT };
#define K_REQUIRED K_RESPONSE   /* keys before it are required */
static const char *const top_keys[K_TOP_COUNT] = {
	"production_start_delay", "contact_window", "warranty",
	"partial_refund_cap", "response_time", "quote_life",
	"manager_refund_above",
};

#define DEFAULT_RESPONSE_US (INT64_C(48) * 3600 * 1000000)
#define DEFAULT_QUOTE_LIFE_US (INT64_C(14) * 86400 * 1000000)

struct parser {
	struct policy_file *pf;
	struct ac_err *errs;
	int cap, n_errs;
	size_t text_len;
	int section;            /* -1: top; else enum clause_id */
	bool seen_top[K_TOP_COUNT];
	bool seen_tol[KIND_COUNT];
	bool seen_clause[CL_COUNT];
	bool seen_title[CL_COUNT], seen_text[CL_COUNT];
};

__attribute__((format(printf, 4, 5)))
static void problem(struct parser *ps, int line, const char *key,
		    const char *fmt, ...)
{
	va_list ap;
	struct ac_err *e;

	if (ps->n_errs >= ps->cap) {
		ps->n_errs++;
		return;
	}
	e = &ps->errs[ps->n_errs++];
	e->code = AC_EINVAL;
	e->line = line;
	snprintf(e->field, sizeof e->field, "%s", key);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static struct ac_str trim(const char *p, size_t n)
{
	while (n && is_blank(*p)) {
		p++;
		n--;
	}
	while (n && is_blank(p[n - 1]))
		n--;
	return (struct ac_str){ p, n };
}

/* parse_uint reads decimal digits; false on none or on overflow. */
static bool parse_uint(struct ac_str s, size_t *i, int64_t *out)
{
	int64_t v = 0;
	size_t start = *i;

	while (*i < s.n && s.p[*i] >= '0' && s.p[*i] <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (s.p[*i] - '0');
		(*i)++;
	}
	*out = v;
	return *i > start;
}

/* A duration: whole number and a unit, s m h d ("24h"), at most 100
 * years. */
static bool parse_duration(struct ac_str s, int64_t *us)
{
	int64_t v, unit;
	size_t i = 0;

	if (!parse_uint(s, &i, &v) || i + 1 != s.n)
		return false;
	switch (s.p[i]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return false;
	}
	if (v > INT64_C(36500) * 86400 / unit)
		return false;
	*us = v * unit * 1000000;
	return true;
}

/* A percentage with up to two decimals, 0 to 100 ("20%", "12.5%"), in
 * basis points. */
static bool parse_percent(struct ac_str s, int64_t *bp)
{
	int64_t whole, frac = 0;
	size_t i = 0;
	int nd = 0;

	if (!parse_uint(s, &i, &whole) || whole > 100)
		return false;
	if (i < s.n && s.p[i] == '.') {
		i++;
		while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && nd < 2) {
			frac = frac * 10 + (s.p[i++] - '0');
			nd++;
		}
		if (nd == 0)
			return false;
	}
	if (nd == 1)
		frac *= 10;
	if (i + 1 != s.n || s.p[i] != '%')
		return false;
	*bp = whole * 100 + frac;
	return *bp <= 10000;
}

/* parse_minor reads an amount in c's major units ("250.00", "250.5",
 * "40000") exactly, as minor units: at most c's decimals, at most
 * AC_MONEY_MAX. */
static bool parse_minor(struct ac_str s, const struct currency *c,
			int64_t *out)
{
	int64_t whole, frac = 0, scale = 1;
	size_t i = 0;
	int nd = 0;

	for (int k = 0; k < c->exponent; k++)
		scale *= 10;
	if (!parse_uint(s, &i, &whole) || whole > AC_MONEY_MAX / scale)
		return false;
	if (i < s.n && s.p[i] == '.') {
		i++;
		while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9') {
			if (++nd > c->exponent)
				return false;
			frac = frac * 10 + (s.p[i++] - '0');
		}
		if (nd == 0)
			return false;
	}
	if (i != s.n)
		return false;
	for (int k = nd; k < c->exponent; k++)
		frac *= 10;
	if (whole * scale > AC_MONEY_MAX - frac)
		return false;
	*out = whole * scale + frac;
	return true;
}

/* manager_refund_above: "USD 250.00, EUR 250.00, JPY 40000": each item a
 * currency code and an amount in its major units; each bad item is a
 * problem of its own. */
static void amounts_value(struct parser *ps, int line, const char *k,
			  struct ac_str val)
{
	struct policy *p = &ps->pf->policy;
	size_t at = 0;

	if (val.n == 0) {
		problem(ps, line, k, "a list of amounts expected (\"USD "
			"250.00, JPY 40000\")");
		return;
	}
	while (at <= val.n) {
		const char *comma = memchr(val.p + at, ',', val.n - at);
		size_t end = comma ? (size_t)(comma - val.p) : val.n;
		struct ac_str item = trim(val.p + at, end - at);
		const struct currency *c;
		size_t sp = 0;
		int64_t minor;

		at = end + 1;
		while (sp < item.n && !is_blank(item.p[sp]))
			sp++;
		struct ac_str code = { item.p, sp };
		struct ac_str amount = trim(item.p + sp, item.n - sp);

		if (item.n == 0 || amount.n == 0) {
			problem(ps, line, k, "\"%.*s\" is not a currency and "
				"an amount (\"USD 250.00\")",
				(int)(item.n < 40 ? item.n : 40), item.p);
			continue;
		}
		c = money_currency_find(code.p, code.n);
		if (!c) {
			problem(ps, line, k, "unknown currency \"%.*s\"",
				(int)(code.n < 16 ? code.n : 16), code.p);
			continue;
		}
		if (!parse_minor(amount, c, &minor)) {
			problem(ps, line, k, "\"%.*s\" is not an amount in %s "
				"(at most %d decimals)",
				(int)(amount.n < 40 ? amount.n : 40),
				amount.p, c->code, c->exponent);
			continue;
		}
		bool dup = false;

		for (int j = 0; j < p->n_manager_refund_above; j++)
			dup |= p->manager_refund_above[j].currency == c;
		if (dup) {
			problem(ps, line, k, "%s given twice", c->code);
			continue;
		}
		if (p->n_manager_refund_above == POLICY_AMOUNTS_MAX) {
			problem(ps, line, k, "more than %d currencies",
				POLICY_AMOUNTS_MAX);
			return;
		}
		p->manager_refund_above[p->n_manager_refund_above++] =
			(struct policy_amount){ c, minor };
	}
}

/* store_text appends a value to the joined-text arena; continuation
 * pieces are joined with one space. */
static struct ac_str store_text(struct parser *ps, struct ac_str piece,
				struct ac_str *into)
{
	char *base = ps->pf->text;

	if (into && into->n) {
		/* into is the last thing stored: extend it in place */
		base[ps->text_len++] = ' ';
		memcpy(base + ps->text_len, piece.p, piece.n);
		ps->text_len += piece.n;
		into->n += piece.n + 1;
		return *into;
	}
	struct ac_str s = { base + ps->text_len, piece.n };

	memcpy(base + ps->text_len, piece.p, piece.n);
	ps->text_len += piece.n;
	return s;
}

static void top_value(struct parser *ps, int line, struct ac_str key,
		      struct ac_str val)
{
	struct policy *p = &ps->pf->policy;
	char k[64];

	snprintf(k, sizeof k, "%.*s", (int)(key.n < 63 ? key.n : 63), key.p);
	if (key.n > 10 && memcmp(key.p, "tolerance.", 10) == 0) {
		enum item_kind kind;
		int64_t milli;

		if (item_kind_parse(key.p + 10, key.n - 10, &kind)) {
			problem(ps, line, k, "unknown kind of item (ring, "
				"necklace, bracelet, earrings, pendant, "
				"other)");
			return;
		}
		if (ps->seen_tol[kind]) {
			problem(ps, line, k, "given twice");
			return;
		}
		ps->seen_tol[kind] = true;
		if (item_size_parse(val.p, val.n, &milli)) {
			problem(ps, line, k, "not a decimal size (\"0.25\")");
			return;
		}
		p->tolerance_milli[kind] = milli;
		return;
	}
	for (int i = 0; i < K_TOP_COUNT; i++) {
		if (strlen(top_keys[i]) != key.n ||
		    memcmp(top_keys[i], key.p, key.n) != 0)
			continue;
		if (ps->seen_top[i]) {
			problem(ps, line, k, "given twice");
			return;
		}
		ps->seen_top[i] = true;
		bool ok = true;

		switch ((enum top_key)i) {
		case K_DELAY:
			ok = parse_duration(val, &p->production_delay_us);
			break;
		case K_WINDOW:
			ok = parse_duration(val, &p->contact_window_us);
			break;
		case K_WARRANTY:
			ok = parse_duration(val, &p->warranty_us);
			break;
		case K_RESPONSE:
			ok = parse_duration(val, &p->response_time_us) &&
			     p->response_time_us > 0;
			break;
		case K_QUOTE_LIFE:
			ok = parse_duration(val, &p->quote_life_us) &&
			     p->quote_life_us > 0;
			break;
		case K_MANAGER_REFUND:
			amounts_value(ps, line, k, val);
			return;
		case K_CAP:
			ok = parse_percent(val, &p->partial_cap_bp);
			if (!ok)
				problem(ps, line, k, "not a percentage from "
					"0%% to 100%% (\"20%%\")");
			return;
		case K_TOP_COUNT:
			break;
		}
		if (!ok && i >= K_REQUIRED)
			problem(ps, line, k, "not a duration of at least 1s: "
				"a whole number and a unit s, m, h or d "
				"(\"48h\")");
		else if (!ok)
			problem(ps, line, k, "not a duration: a whole number "
				"and a unit s, m, h or d (\"48h\")");
		return;
	}
	problem(ps, line, k, "unknown key");
}

static void section_header(struct parser *ps, int line, struct ac_str s)
{
	enum clause_id id;
	struct ac_str name;

	ps->section = -2;  /* ignore keys until a good header */
	if (s.n < 9 || memcmp(s.p, "[clause ", 8) != 0 ||
	    s.p[s.n - 1] != ']') {
		problem(ps, line, "", "not a section header: "
			"\"[clause ID]\" expected");
		return;
	}
	name = trim(s.p + 8, s.n - 9);
	if (clause_id_parse(name.p, name.n, &id)) {
		problem(ps, line, "", "unknown clause id \"%.*s\"",
			(int)(name.n < 40 ? name.n : 40), name.p);
		return;
	}
	if (ps->seen_clause[id]) {
		problem(ps, line, clause_id_name(id), "clause given twice");
		return;
	}
	ps->seen_clause[id] = true;
	ps->pf->policy.clauses[id].line = line;
	ps->section = (int)id;
}

static void parse(struct parser *ps)
{
	struct policy *p = &ps->pf->policy;
	const char *s = ps->pf->bytes, *end = s + ps->pf->n;
	struct ac_str *cont = NULL;   /* value a continuation extends */
	int line = 0;

	for (int k = 0; k < KIND_COUNT; k++)
		p->tolerance_milli[k] = -1;
	p->response_time_us = DEFAULT_RESPONSE_US;
	p->quote_life_us = DEFAULT_QUOTE_LIFE_US;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);
		struct ac_str l = trim(s, len);

		line++;
		if (l.n == 0) {
			cont = NULL;
		} else if (is_blank(s[0])) {
			if (cont)
				store_text(ps, l, cont);
			else
				problem(ps, line, "", "continuation line with "
					"no value above it");
		} else if (l.p[0] == '#') {
			/* a comment */
		} else if (l.p[0] == '[') {
			cont = NULL;
			section_header(ps, line, l);
		} else {
			const char *eq = memchr(l.p, '=', l.n);

			cont = NULL;
			if (!eq) {
				problem(ps, line, "", "\"key = value\" "
					"expected");
			} else {
				struct ac_str key = trim(l.p,
						(size_t)(eq - l.p));
				struct ac_str val = trim(eq + 1,
						(size_t)(l.p + l.n - eq - 1));

				if (ps->section == -1) {
					top_value(ps, line, key, val);
				} else if (ps->section >= 0) {
					struct clause *c =
						&p->clauses[ps->section];
					bool *seen = NULL;
					struct ac_str *dst = NULL;
					char k[80];

					snprintf(k, sizeof k, "%s.%.*s",
						 clause_id_name((enum clause_id)
								ps->section),
						 (int)(key.n < 40 ? key.n : 40),
						 key.p);
					if (key.n == 5 &&
					    !memcmp(key.p, "title", 5)) {
						seen = ps->seen_title +
						       ps->section;
						dst = &c->title;
					} else if (key.n == 4 &&
						   !memcmp(key.p, "text", 4)) {
						seen = ps->seen_text +
						       ps->section;
						dst = &c->text;
					}
					if (!dst) {
						problem(ps, line, k,
							"unknown key (title or "
							"text expected)");
					} else if (*seen) {
						problem(ps, line, k,
							"given twice");
					} else {
						*seen = true;
						*dst = store_text(ps, val,
								  NULL);
						cont = dst;
					}
				}
			}
		}
		s = nl ? nl + 1 : end;
	}
	for (int i = 0; i < K_REQUIRED; i++)
		if (!ps->seen_top[i])
			problem(ps, line, top_keys[i], "missing");
	for (int i = 0; i < CL_COUNT; i++) {
		const char *id = clause_id_name((enum clause_id)i);
		int at = p->clauses[i].line;

		if (!ps->seen_clause[i]) {
			problem(ps, line, id, "clause missing");
			continue;
		}
		if (!ps->seen_title[i] || p->clauses[i].title.n == 0)
			problem(ps, at, id, "clause has no title");
		if (!ps->seen_text[i] || p->clauses[i].text.n == 0)
			problem(ps, at, id, "clause has no text");
	}
}

static void hex_version(char out[72], const unsigned char *data, size_t n)
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, n);
	memcpy(out, "sha256:", 7);
	sodium_bin2hex(out + 7, 65, h, sizeof h);
}

/* The canonical content: every number and clause, in a fixed order and
 * form, so that two files that mean the same policy have the same
 * content version whatever their comments and layout. */
static void content_version(struct policy_file *pf)
{
	const struct policy *p = &pf->policy;
	struct buf b;

	buf_init(&b, pf->n * 2 + 4096);
	buf_addf(&b, "production_start_delay_us=%lld\ncontact_window_us=%lld\n"
		 "warranty_us=%lld\npartial_refund_cap_bp=%lld\n",
		 (long long)p->production_delay_us,
		 (long long)p->contact_window_us, (long long)p->warranty_us,
		 (long long)p->partial_cap_bp);
	for (int k = 0; k < KIND_COUNT; k++)
		buf_addf(&b, "tolerance.%s=%lld\n",
			 item_kind_name((enum item_kind)k),
			 (long long)p->tolerance_milli[k]);
	buf_addf(&b, "response_time_us=%lld\nquote_life_us=%lld\n",
		 (long long)p->response_time_us, (long long)p->quote_life_us);
	/* only when given, so a file without it keeps its content version */
	for (int i = 0; i < p->n_manager_refund_above; i++)
		buf_addf(&b, "manager_refund_above.%s=%lld\n",
			 p->manager_refund_above[i].currency->code,
			 (long long)p->manager_refund_above[i].amount_minor);
	for (int i = 0; i < CL_COUNT; i++) {
		const struct clause *c = &p->clauses[i];

		buf_addf(&b, "[%s]\ntitle=%.*s\ntext=%.*s\n",
			 clause_id_name((enum clause_id)i), (int)c->title.n,
			 c->title.p, (int)c->text.n, c->text.p);
	}
	hex_version(pf->policy.content_version, (unsigned char *)b.p, b.len);
	buf_release(&b);
}

struct policy_file *policy_file_parse(const char *bytes, size_t n,
				      struct ac_err *errs, int cap,
				      int *n_errs)
{
	struct policy_file *pf = xcalloc(1, sizeof *pf);
	struct parser ps = { .pf = pf, .errs = errs, .cap = cap,
			     .section = -1 };

	if (sodium_init() < 0)
		die("libsodium failed to initialise");
	pf->bytes = xstrndup(bytes, n);
	pf->n = n;
	pf->text = xmalloc(n + 1);
	if (memchr(bytes, '\0', n))
		problem(&ps, 0, "", "the file contains a NUL byte");
	else
		parse(&ps);
	*n_errs = ps.n_errs < cap ? ps.n_errs : cap;
	if (ps.n_errs) {
		policy_file_free(pf);
		return NULL;
	}
	hex_version(pf->policy.version, (const unsigned char *)bytes, n);
	content_version(pf);
	return pf;
}

#define AC_POLICY_MAX_BYTES (1u << 20)

struct policy_file *policy_file_load(const char *path, struct ac_err *errs,
				     int cap, int *n_errs)
{
	struct policy_file *pf;
	struct buf b;
	char chunk[8192];
	size_t got;
	FILE *f = fopen(path, "rb");

	*n_errs = 0;
	if (!f) {
		if (cap > 0)
			ac_err_set(&errs[0], AC_EIO, path, "cannot open: %s",
				   strerror(errno));
		*n_errs = 1;
		return NULL;
	}
	buf_init(&b, AC_POLICY_MAX_BYTES);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_add(&b, chunk, got)) {
			if (cap > 0)
				ac_err_set(&errs[0], AC_ELIMIT, path,
					   "larger than the %u-byte limit",
					   AC_POLICY_MAX_BYTES);
			*n_errs = 1;
			fclose(f);
			buf_release(&b);
			return NULL;
		}
	}
	if (ferror(f)) {
		if (cap > 0)
			ac_err_set(&errs[0], AC_EIO, path, "cannot read: %s",
				   strerror(errno));
		*n_errs = 1;
		fclose(f);
		buf_release(&b);
		return NULL;
	}
	fclose(f);
	pf = policy_file_parse(b.p ? b.p : "", b.len, errs, cap, n_errs);
	buf_release(&b);
	return pf;
}

struct policy_file *policy_file_default(void)
{
	struct ac_err errs[4];
	int n_errs;
	struct policy_file *pf = policy_file_parse(
		ac_default_policy,
		(size_t)(ac_default_policy_end - ac_default_policy), errs, 4,
		&n_errs);

	if (!pf)
		die("the built-in policy is invalid: line %d: %s: %s",
		    errs[0].line, errs[0].field, errs[0].msg);
	return pf;
}

const struct policy *policy_file_policy(const struct policy_file *pf)
{
	return &pf->policy;
}

const char *policy_file_bytes(const struct policy_file *pf, size_t *n)
{
	*n = pf->n;
	return pf->bytes;
}

void policy_file_free(struct policy_file *pf)
{
	if (!pf)
		return;
	free(pf->bytes);
	free(pf->text);
	free(pf);
}
