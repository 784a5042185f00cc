/* tests/codec/policy_file.c: unit tests for src/codec/policy_file.c
 * (Criterion). The built-in policy loads with its SHA-256 as version; a
 * broken policy reports every problem with its line and key; the content
 * version ignores comments and blank lines, the version does not. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/codec/codec.h"

#define HOUR_US (INT64_C(3600) * INT64_C(1000000))

/* ---- helpers ------------------------------------------------------------ */

static bool is_version(const char *v)
{
	size_t i;

	if (strncmp(v, "sha256:", 7) != 0 || strlen(v) != 7 + 64)
		return false;
	for (i = 7; i < 7 + 64; i++)
		if (!strchr("0123456789abcdef", v[i]))
			return false;
	return true;
}

static void sha256_version(const char *p, size_t n, char out[72])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	size_t i;

	cr_assert(sodium_init() >= 0);
	crypto_hash_sha256(h, (const unsigned char *)p, n);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < sizeof h; i++) {
		out[7 + 2 * i] = "0123456789abcdef"[h[i] >> 4];
		out[7 + 2 * i + 1] = "0123456789abcdef"[h[i] & 15];
	}
	out[7 + 64] = '\0';
}

static bool slice_is(struct ac_str a, const char *z)
{
	return a.n == strlen(z) && memcmp(a.p, z, a.n) == 0;
}

static bool slice_has(struct ac_str a, const char *z)
{
	size_t n = strlen(z);
	size_t i;

	for (i = 0; i + n <= a.n; i++)
		if (memcmp(a.p + i, z, n) == 0)
			return true;
	return false;
}

/* A small valid policy, one line per entry, so that tests can insert,
 * replace and delete lines and know the line number of each. */
#define MAX_LINES 128

struct lines {
	int n;
	const char *l[MAX_LINES];
};

static const char *const ids[CL_COUNT] = {
	"no-refund.1", "no-refund.2", "no-refund.3", "no-refund.4",
	"no-refund.5", "no-refund.6", "refund.1",    "refund.2",
	"refund.3",    "warranty.1",  "warranty.2",  "warranty.3",
};

static char clause_head[CL_COUNT][40];
static char clause_title[CL_COUNT][40];
static char clause_text[CL_COUNT][40];

/* Line numbers (1-based) in the base policy. */
#define L_DELAY 2
#define L_WINDOW 3
#define L_WARRANTY 4
#define L_CAP 5
#define L_TOL_RING 6
#define L_FIRST_CLAUSE 10 /* [clause no-refund.1] */
#define CLAUSE_LINES 5    /* head, title, text, continuation, blank */

static int clause_line(int i)
{
	return L_FIRST_CLAUSE + CLAUSE_LINES * i;
}

static struct lines base(void)
{
	struct lines b = { 0, { NULL } };
	int i;

	b.l[b.n++] = "# a small policy for the unit tests";
	b.l[b.n++] = "production_start_delay = 24h";
	b.l[b.n++] = "contact_window = 48h";
	b.l[b.n++] = "warranty = 365d";
	b.l[b.n++] = "partial_refund_cap = 20%";
	b.l[b.n++] = "tolerance.ring = 0.25";
	b.l[b.n++] = "tolerance.necklace = 0.5";
	b.l[b.n++] = "tolerance.bracelet = 0.5";
	b.l[b.n++] = "";
	for (i = 0; i < CL_COUNT; i++) {
		snprintf(clause_head[i], sizeof clause_head[i], "[clause %s]",
			 ids[i]);
		snprintf(clause_title[i], sizeof clause_title[i],
			 "title = Title of %s", ids[i]);
		snprintf(clause_text[i], sizeof clause_text[i],
			 "text = Text of %s", ids[i]);
		cr_assert_eq(b.n + 1, clause_line(i));
		b.l[b.n++] = clause_head[i];
		b.l[b.n++] = clause_title[i];
		b.l[b.n++] = clause_text[i];
		b.l[b.n++] = "  and its second line.";
		b.l[b.n++] = "";
	}
	return b;
}

/* insert puts s so that it becomes line `line` (1-based). */
static void insert(struct lines *b, int line, const char *s)
{
	int i;

	cr_assert(b->n < MAX_LINES && line >= 1 && line <= b->n + 1);
	for (i = b->n; i >= line; i--)
		b->l[i] = b->l[i - 1];
	b->l[line - 1] = s;
	b->n++;
}

static void replace(struct lines *b, int line, const char *s)
{
	cr_assert(line >= 1 && line <= b->n);
	b->l[line - 1] = s;
}

static void drop_lines(struct lines *b, int line, int count)
{
	int i;

	cr_assert(line >= 1 && line + count - 1 <= b->n);
	for (i = line - 1; i + count < b->n; i++)
		b->l[i] = b->l[i + count];
	b->n -= count;
}

static char text_buf[16384];

static const char *join(const struct lines *b, size_t *n)
{
	size_t len = 0;
	int i;

	for (i = 0; i < b->n; i++) {
		size_t k = strlen(b->l[i]);

		cr_assert(len + k + 1 < sizeof text_buf);
		memcpy(text_buf + len, b->l[i], k);
		len += k;
		text_buf[len++] = '\n';
	}
	text_buf[len] = '\0';
	*n = len;
	return text_buf;
}

#define MAX_ERRS 16

struct result {
	struct policy_file *pf;
	int n_errs;
	struct ac_err errs[MAX_ERRS];
};

static struct result parse_lines(const struct lines *b)
{
	struct result r;
	size_t n;
	const char *p = join(b, &n);

	memset(&r, 0, sizeof r);
	r.n_errs = -1;
	r.pf = policy_file_parse(p, n, r.errs, MAX_ERRS, &r.n_errs);
	return r;
}

static void dump(const struct result *r)
{
	int i;

	for (i = 0; i < r->n_errs && i < MAX_ERRS; i++)
		fprintf(stderr, "  err %d: line %d field '%s' msg '%s'\n", i,
			r->errs[i].line, r->errs[i].field, r->errs[i].msg);
}

/* has_err: one of the errors is on `line` (0: any line) and names `key`
 * in its field (or, failing that, in its message). */
static bool has_err(const struct result *r, int line, const char *key)
{
	int i;

	for (i = 0; i < r->n_errs && i < MAX_ERRS; i++) {
		const struct ac_err *e = &r->errs[i];

		if (line && e->line != line)
			continue;
		if (strstr(e->field, key) || strstr(e->msg, key))
			return true;
	}
	return false;
}

static void expect_errors(const struct result *r, int min, int max)
{
	if (r->pf || r->n_errs < min || r->n_errs > max)
		dump(r);
	cr_assert_null(r->pf, "a broken policy loaded");
	cr_assert(r->n_errs >= min && r->n_errs <= max,
		  "%d errors, want %d..%d", r->n_errs, min, max);
}

static void expect_error_at(const struct result *r, int line, const char *key)
{
	if (!has_err(r, line, key))
		dump(r);
	cr_assert(has_err(r, line, key), "no error at line %d naming '%s'",
		  line, key);
}

/* ---- the built-in policy ------------------------------------------------ */

Test(policy_default, loads_with_sha256_version)
{
	struct policy_file *pf = policy_file_default();
	const struct policy *p;
	const char *bytes;
	size_t n = 0;
	char want[72];

	cr_assert_not_null(pf);
	p = policy_file_policy(pf);
	cr_assert_not_null(p);
	cr_assert(is_version(p->version), "version '%s'", p->version);
	cr_assert(is_version(p->content_version), "content_version '%s'",
		  p->content_version);

	bytes = policy_file_bytes(pf, &n);
	cr_assert_not_null(bytes);
	cr_assert_gt(n, 1000);
	sha256_version(bytes, n, want);
	cr_assert_str_eq(p->version, want);
	policy_file_free(pf);
}

Test(policy_default, is_the_shop_policy_file)
{
	struct policy_file *pf = policy_file_default();
	const char *bytes;
	size_t n = 0;
	FILE *f = fopen("policy/shop.policy", "rb");
	static char file[1 << 16];
	size_t fn;

	cr_assert_not_null(f, "run the tests from the repository root");
	fn = fread(file, 1, sizeof file, f);
	fclose(f);
	bytes = policy_file_bytes(pf, &n);
	cr_assert_eq(n, fn);
	cr_assert(memcmp(bytes, file, n) == 0);
	policy_file_free(pf);
}

Test(policy_default, numbers)
{
	struct policy_file *pf = policy_file_default();
	const struct policy *p = policy_file_policy(pf);

	cr_assert_eq(p->production_delay_us, 24 * HOUR_US);
	cr_assert_eq(p->contact_window_us, 48 * HOUR_US);
	cr_assert_eq(p->warranty_us, 365 * 24 * HOUR_US);
	cr_assert_eq(p->partial_cap_bp, 2000);
	cr_assert_eq(p->tolerance_milli[KIND_RING], 250);
	cr_assert_eq(p->tolerance_milli[KIND_NECKLACE], 500);
	cr_assert_eq(p->tolerance_milli[KIND_BRACELET], 500);
	cr_assert_lt(p->tolerance_milli[KIND_EARRINGS], 0);
	cr_assert_lt(p->tolerance_milli[KIND_PENDANT], 0);
	cr_assert_lt(p->tolerance_milli[KIND_OTHER], 0);
	cr_assert_eq(p->response_time_us, 48 * HOUR_US);
	cr_assert_eq(p->quote_life_us, 14 * 24 * HOUR_US);
	policy_file_free(pf);
}

Test(policy_default, every_clause_has_title_text_and_line)
{
	struct policy_file *pf = policy_file_default();
	const struct policy *p = policy_file_policy(pf);
	size_t n = 0;
	const char *bytes = policy_file_bytes(pf, &n);
	int i;

	for (i = 0; i < CL_COUNT; i++) {
		const struct clause *c = &p->clauses[i];
		char head[40];
		const char *at;
		int line = 1;
		const char *q;

		cr_assert_gt(c->title.n, 0, "%s: no title", ids[i]);
		cr_assert_gt(c->text.n, 20, "%s: no text", ids[i]);
		snprintf(head, sizeof head, "\n[clause %s]", ids[i]);
		at = strstr(bytes, head);
		cr_assert_not_null(at, "%s not in the file", ids[i]);
		for (q = bytes; q <= at; q++)
			line += *q == '\n';
		cr_assert_eq(c->line, line, "%s at line %d, want %d", ids[i],
			     c->line, line);
	}
	cr_assert(slice_is(p->clauses[CL_NO_REFUND_1].title,
			   "Made to order: no refund once production has "
			   "started"));
	cr_assert(
		slice_is(p->clauses[CL_WARRANTY_2].title, "One-year warranty"));
	cr_assert(slice_has(p->clauses[CL_REFUND_3].text,
			    "lost during transportation"));
	policy_file_free(pf);
}

Test(policy_default, load_from_path_matches)
{
	struct ac_err errs[4];
	int n_errs = -1;
	struct policy_file *pf =
		policy_file_load("policy/shop.policy", errs, 4, &n_errs);
	struct policy_file *shop = policy_file_default();

	cr_assert_not_null(pf, "%s: %s", errs[0].field, errs[0].msg);
	cr_assert_str_eq(policy_file_policy(pf)->version,
			 policy_file_policy(shop)->version);
	cr_assert_str_eq(policy_file_policy(pf)->content_version,
			 policy_file_policy(shop)->content_version);
	policy_file_free(shop);
	policy_file_free(pf);
}

Test(policy_default, load_missing_file_fails)
{
	struct ac_err errs[4];
	int n_errs = -1;
	struct policy_file *pf = policy_file_load("policy/no-such-file.policy",
						  errs, 4, &n_errs);

	cr_assert_null(pf);
	cr_assert_eq(n_errs, 1);
	cr_assert_lt(errs[0].code, 0);
	cr_assert_neq(errs[0].msg[0], '\0');
}

/* ---- clause ids --------------------------------------------------------- */

Test(clause_id, names_round_trip)
{
	int i;

	for (i = 0; i < CL_COUNT; i++) {
		enum clause_id id = CL_COUNT;

		cr_assert_str_eq(clause_id_name((enum clause_id)i), ids[i]);
		cr_assert_eq(clause_id_parse(ids[i], strlen(ids[i]), &id), 0);
		cr_assert_eq(id, (enum clause_id)i);
	}
	cr_assert_eq(clause_id_parse("refund.4", 8, &(enum clause_id){ 0 }),
		     -1);
	cr_assert_eq(clause_id_parse("refund", 6, &(enum clause_id){ 0 }), -1);
	cr_assert_eq(clause_id_parse("", 0, &(enum clause_id){ 0 }), -1);
}

/* ---- parsing from memory ------------------------------------------------ */

Test(policy_parse, base_is_valid)
{
	struct lines b = base();
	struct result r = parse_lines(&b);
	const struct policy *p;
	int i;

	if (!r.pf)
		dump(&r);
	cr_assert_not_null(r.pf);
	p = policy_file_policy(r.pf);
	cr_assert_eq(p->production_delay_us, 24 * HOUR_US);
	cr_assert_eq(p->contact_window_us, 48 * HOUR_US);
	cr_assert_eq(p->warranty_us, 365 * 24 * HOUR_US);
	cr_assert_eq(p->partial_cap_bp, 2000);
	cr_assert_eq(p->tolerance_milli[KIND_RING], 250);
	cr_assert_eq(p->tolerance_milli[KIND_NECKLACE], 500);
	cr_assert_lt(p->tolerance_milli[KIND_EARRINGS], 0);
	for (i = 0; i < CL_COUNT; i++) {
		char want[40];

		snprintf(want, sizeof want, "Title of %s", ids[i]);
		cr_assert(slice_is(p->clauses[i].title, want), "%s: '%.*s'",
			  ids[i], (int)p->clauses[i].title.n,
			  p->clauses[i].title.p);
		cr_assert(slice_has(p->clauses[i].text, "Text of"));
		cr_assert(slice_has(p->clauses[i].text, "second line."),
			  "%s: continuation lost", ids[i]);
		cr_assert_eq(p->clauses[i].line, clause_line(i));
	}
	policy_file_free(r.pf);
}

Test(policy_parse, bytes_are_copied)
{
	struct lines b = base();
	struct result r = parse_lines(&b);
	char want[72];
	size_t n = 0;
	const char *bytes;

	cr_assert_not_null(r.pf);
	/* Clobber the caller's buffer: the policy owns its own copy. */
	memset(text_buf, '#', sizeof text_buf);
	bytes = policy_file_bytes(r.pf, &n);
	cr_assert_neq(bytes, text_buf);
	cr_assert(slice_is(policy_file_policy(r.pf)->clauses[CL_REFUND_1].title,
			   "Title of refund.1"));
	sha256_version(bytes, n, want);
	cr_assert_str_eq(policy_file_policy(r.pf)->version, want);
	policy_file_free(r.pf);
}

Test(policy_parse, unknown_key)
{
	struct lines b = base();
	struct result r;

	insert(&b, 4, "colour = red");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, 4, "colour");
	cr_assert_eq(r.errs[0].code, AC_EINVAL);
}

Test(policy_parse, unknown_key_in_a_clause)
{
	struct lines b = base();
	struct result r;

	insert(&b, clause_line(3) + 2, "summary = short");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, clause_line(3) + 2, "summary");
}

Test(policy_parse, bad_duration)
{
	static const char *const bad[] = {
		"contact_window = 48",     "contact_window = 48x",
		"contact_window = h",      "contact_window = -48h",
		"contact_window = 4.5h",   "contact_window =",
		"contact_window = 48 h h",
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lines b = base();
		struct result r;

		replace(&b, L_WINDOW, bad[i]);
		r = parse_lines(&b);
		cr_log_info("case: %s", bad[i]);
		expect_errors(&r, 1, 1);
		expect_error_at(&r, L_WINDOW, "contact_window");
	}
}

Test(policy_parse, duration_units)
{
	static const struct {
		const char *line;
		int64_t us;
	} ok[] = {
		{ "contact_window = 172800s", 48 * HOUR_US },
		{ "contact_window = 2880m", 48 * HOUR_US },
		{ "contact_window = 48h", 48 * HOUR_US },
		{ "contact_window = 2d", 48 * HOUR_US },
		{ "contact_window = 1s", INT64_C(1000000) },
	};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct lines b = base();
		struct result r;

		replace(&b, L_WINDOW, ok[i].line);
		r = parse_lines(&b);
		if (!r.pf)
			dump(&r);
		cr_assert_not_null(r.pf, "%s", ok[i].line);
		cr_assert_eq(policy_file_policy(r.pf)->contact_window_us,
			     ok[i].us, "%s", ok[i].line);
		policy_file_free(r.pf);
	}
}

/* The desk's two numbers: optional (a file from before they existed keeps
 * its meaning), read when given, refused by name when bad or zero. */
Test(policy_parse, desk_numbers_default_when_absent)
{
	struct lines b = base();
	struct result r = parse_lines(&b);

	cr_assert_not_null(r.pf);
	cr_assert_eq(policy_file_policy(r.pf)->response_time_us, 48 * HOUR_US);
	cr_assert_eq(policy_file_policy(r.pf)->quote_life_us,
		     14 * 24 * HOUR_US);
	policy_file_free(r.pf);
}

Test(policy_parse, desk_numbers_read)
{
	struct lines b = base();
	struct result r;
	char cv[72];

	r = parse_lines(&b);
	cr_assert_not_null(r.pf);
	memcpy(cv, policy_file_policy(r.pf)->content_version, 72);
	policy_file_free(r.pf);
	insert(&b, L_TOL_RING, "response_time = 24h");
	insert(&b, L_TOL_RING, "quote_life = 7d");
	r = parse_lines(&b);
	if (!r.pf)
		dump(&r);
	cr_assert_not_null(r.pf);
	cr_assert_eq(policy_file_policy(r.pf)->response_time_us, 24 * HOUR_US);
	cr_assert_eq(policy_file_policy(r.pf)->quote_life_us, 7 * 24 * HOUR_US);
	/* they are part of what the policy means */
	cr_assert_str_neq(policy_file_policy(r.pf)->content_version, cv);
	policy_file_free(r.pf);
}

Test(policy_parse, desk_numbers_refused_by_name)
{
	static const char *const bad[] = {
		"response_time = 0h", "response_time = 2 days",
		"response_time = -1h", "quote_life = 0d", "quote_life = 14",
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lines b = base();
		struct result r;
		char key[20];

		snprintf(key, sizeof key, "%.*s",
			 (int)strcspn(bad[i], " "), bad[i]);
		insert(&b, L_TOL_RING, bad[i]);
		r = parse_lines(&b);
		cr_log_info("case: %s", bad[i]);
		expect_errors(&r, 1, 1);
		expect_error_at(&r, L_TOL_RING, key);
	}
}

Test(policy_parse, desk_numbers_given_twice)
{
	struct lines b = base();
	struct result r;

	insert(&b, L_TOL_RING, "quote_life = 14d");
	insert(&b, L_TOL_RING, "quote_life = 7d");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, L_TOL_RING + 1, "quote_life");
}

/* manager_refund_above: optional (absent: no currency listed), each
 * amount read exactly in its currency's minor units, every bad item
 * named with its line and the key. */
static const struct policy_amount *threshold(const struct policy *p,
					     const char *code)
{
	for (int i = 0; i < p->n_manager_refund_above; i++)
		if (!strcmp(p->manager_refund_above[i].currency->code, code))
			return &p->manager_refund_above[i];
	return NULL;
}

Test(policy_default, manager_refund_above)
{
	struct policy_file *pf = policy_file_default();
	const struct policy *p = policy_file_policy(pf);
	static const struct { const char *code; int64_t minor; } want[] = {
		{ "USD", 25000 }, { "EUR", 25000 }, { "GBP", 20000 },
		{ "JPY", 40000 }, { "AUD", 40000 }, { "CAD", 35000 },
	};

	cr_assert_eq(p->n_manager_refund_above, 6);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct policy_amount *a = threshold(p, want[i].code);

		cr_assert_not_null(a, "%s", want[i].code);
		cr_assert_eq(a->amount_minor, want[i].minor, "%s",
			     want[i].code);
	}
	cr_assert_null(threshold(p, "CHF"));
	policy_file_free(pf);
}

Test(policy_parse, manager_refund_above_absent_lists_nothing)
{
	struct lines b = base();
	struct result r = parse_lines(&b);

	cr_assert_not_null(r.pf);
	cr_assert_eq(policy_file_policy(r.pf)->n_manager_refund_above, 0);
	policy_file_free(r.pf);
}

Test(policy_parse, manager_refund_above_read_exactly)
{
	struct lines b = base();
	struct result r;
	const struct policy *p;
	char cv[72];

	r = parse_lines(&b);
	cr_assert_not_null(r.pf);
	memcpy(cv, policy_file_policy(r.pf)->content_version, 72);
	policy_file_free(r.pf);
	insert(&b, L_TOL_RING, "manager_refund_above = USD 250.5,EUR 0.01 , "
	       "JPY 40000,  KWD 1.234, GBP 200, CHF 0, BHD 9007199254740.991");
	r = parse_lines(&b);
	if (!r.pf)
		dump(&r);
	cr_assert_not_null(r.pf);
	p = policy_file_policy(r.pf);
	cr_assert_eq(p->n_manager_refund_above, 7);
	cr_assert_eq(threshold(p, "USD")->amount_minor, 25050);
	cr_assert_eq(threshold(p, "EUR")->amount_minor, 1);
	cr_assert_eq(threshold(p, "JPY")->amount_minor, 40000);
	cr_assert_eq(threshold(p, "KWD")->amount_minor, 1234);
	cr_assert_eq(threshold(p, "GBP")->amount_minor, 20000);
	cr_assert_eq(threshold(p, "CHF")->amount_minor, 0);
	cr_assert_eq(threshold(p, "BHD")->amount_minor,
		     INT64_C(9007199254740991));
	/* it is part of what the policy means */
	cr_assert_str_neq(p->content_version, cv);
	policy_file_free(r.pf);
}

Test(policy_parse, manager_refund_above_refused_by_line_and_key)
{
	static const struct { const char *line, *says; } bad[] = {
		{ "manager_refund_above = USD 250.001", "at most 2 decimals" },
		{ "manager_refund_above = JPY 40000.0", "at most 0 decimals" },
		{ "manager_refund_above = USD 2,50",
		  "\"50\" is not a currency" },
		{ "manager_refund_above = USD -1", "not an amount" },
		{ "manager_refund_above = USD 1e3", "not an amount" },
		{ "manager_refund_above = USD 250.", "not an amount" },
		{ "manager_refund_above = USD .5", "not an amount" },
		{ "manager_refund_above = USD 90071992547409.92",
		  "not an amount" },
		{ "manager_refund_above = USD", "not a currency and" },
		{ "manager_refund_above = 250.00", "not a currency and" },
		{ "manager_refund_above = USD 1, ", "not a currency and" },
		{ "manager_refund_above = ", "a list of amounts" },
		{ "manager_refund_above = XYZ 250.00", "unknown currency" },
		{ "manager_refund_above = usd 250.00", "unknown currency" },
		{ "manager_refund_above = USD 1, EUR 2, USD 3", "USD given" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lines b = base();
		struct result r;

		insert(&b, L_TOL_RING, bad[i].line);
		r = parse_lines(&b);
		cr_log_info("case: %s", bad[i].line);
		expect_errors(&r, 1, 1);
		expect_error_at(&r, L_TOL_RING, "manager_refund_above");
		cr_assert(strstr(r.errs[0].msg, bad[i].says),
			  "%s: says '%s'", bad[i].line, r.errs[0].msg);
	}
}

Test(policy_parse, manager_refund_above_every_bad_item_reported)
{
	struct lines b = base();
	struct result r;

	insert(&b, L_TOL_RING, "manager_refund_above = XYZ 1, USD 1.001, "
	       "EUR 3");
	r = parse_lines(&b);
	expect_errors(&r, 2, 2);
	cr_assert(strstr(r.errs[0].msg, "XYZ"));
	cr_assert(strstr(r.errs[1].msg, "USD"));
}

Test(policy_parse, manager_refund_above_given_twice)
{
	struct lines b = base();
	struct result r;

	insert(&b, L_TOL_RING, "manager_refund_above = USD 1");
	insert(&b, L_TOL_RING, "manager_refund_above = EUR 1");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, L_TOL_RING + 1, "manager_refund_above");
}

Test(policy_parse, huge_duration_rejected)
{
	struct lines b = base();
	struct result r;

	/* 10^17 days in microseconds does not fit in int64. */
	replace(&b, L_WARRANTY, "warranty = 100000000000000000d");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, L_WARRANTY, "warranty");
}

Test(policy_parse, cap_over_100_percent)
{
	struct lines b = base();
	struct result r;

	replace(&b, L_CAP, "partial_refund_cap = 120%");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, L_CAP, "partial_refund_cap");

	b = base();
	replace(&b, L_CAP, "partial_refund_cap = 100.01%");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, L_CAP, "partial_refund_cap");
}

Test(policy_parse, cap_bounds_accepted)
{
	static const struct {
		const char *line;
		int64_t bp;
	} ok[] = {
		{ "partial_refund_cap = 100%", 10000 },
		{ "partial_refund_cap = 0%", 0 },
		{ "partial_refund_cap = 12.5%", 1250 },
	};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct lines b = base();
		struct result r;

		replace(&b, L_CAP, ok[i].line);
		r = parse_lines(&b);
		if (!r.pf)
			dump(&r);
		cr_assert_not_null(r.pf, "%s", ok[i].line);
		cr_assert_eq(policy_file_policy(r.pf)->partial_cap_bp, ok[i].bp,
			     "%s", ok[i].line);
		policy_file_free(r.pf);
	}
}

Test(policy_parse, negative_cap_rejected)
{
	struct lines b = base();
	struct result r;

	replace(&b, L_CAP, "partial_refund_cap = -5%");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, L_CAP, "partial_refund_cap");
}

Test(policy_parse, missing_clause)
{
	struct lines b = base();
	struct result r;

	drop_lines(&b, clause_line(CL_WARRANTY_3), CLAUSE_LINES);
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, 0, "warranty.3");
}

Test(policy_parse, missing_clause_in_the_middle)
{
	struct lines b = base();
	struct result r;

	drop_lines(&b, clause_line(CL_REFUND_2), CLAUSE_LINES);
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, 0, "refund.2");
}

Test(policy_parse, clause_without_text)
{
	struct lines b = base();
	struct result r;

	drop_lines(&b, clause_line(CL_REFUND_1) + 2, 2);
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	cr_assert(has_err(&r, 0, "refund.1") || has_err(&r, 0, "text"));
}

Test(policy_parse, unknown_clause_id)
{
	struct lines b = base();
	struct result r;
	int at = b.n + 1;

	insert(&b, at, "[clause refund.9]");
	insert(&b, at + 1, "title = Not a clause");
	insert(&b, at + 2, "text = Not a clause either.");
	r = parse_lines(&b);
	expect_errors(&r, 1, 3);
	expect_error_at(&r, at, "refund.9");
}

Test(policy_parse, duplicate_key)
{
	struct lines b = base();
	struct result r;

	insert(&b, L_TOL_RING, "warranty = 730d");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, L_TOL_RING, "warranty");
}

Test(policy_parse, duplicate_key_in_a_clause)
{
	struct lines b = base();
	struct result r;
	int at = clause_line(CL_REFUND_1) + 2;

	insert(&b, at, "title = Another title");
	r = parse_lines(&b);
	expect_errors(&r, 1, 1);
	expect_error_at(&r, at, "title");
}

Test(policy_parse, duplicate_clause)
{
	struct lines b = base();
	struct result r;
	int at = b.n + 1;

	insert(&b, at, "[clause refund.1]");
	insert(&b, at + 1, "title = Again");
	insert(&b, at + 2, "text = Again.");
	r = parse_lines(&b);
	expect_errors(&r, 1, 3);
	expect_error_at(&r, at, "refund.1");
}

Test(policy_parse, every_problem_reported)
{
	struct lines b = base();
	struct result r;

	/* Replacing keeps every later line number where it was. */
	replace(&b, 1, "colour = red");
	replace(&b, L_WINDOW, "contact_window = 48");
	replace(&b, L_CAP, "partial_refund_cap = 120%");
	r = parse_lines(&b);
	expect_errors(&r, 3, 3);
	expect_error_at(&r, 1, "colour");
	expect_error_at(&r, L_WINDOW, "contact_window");
	expect_error_at(&r, L_CAP, "partial_refund_cap");
}

Test(policy_parse, errors_capped)
{
	struct lines b = base();
	struct ac_err errs[2];
	int n_errs = -1;
	size_t n;
	const char *p;
	struct policy_file *pf;

	replace(&b, 1, "colour = red");
	replace(&b, L_WINDOW, "contact_window = 48");
	replace(&b, L_CAP, "partial_refund_cap = 120%");
	p = join(&b, &n);
	memset(errs, 0, sizeof errs);
	pf = policy_file_parse(p, n, errs, 1, &n_errs);
	cr_assert_null(pf);
	cr_assert_eq(errs[0].line, 1);
	/* errs[1] is beyond the cap: untouched. */
	cr_assert_eq(errs[1].line, 0);
	cr_assert_eq(errs[1].msg[0], '\0');
	/* codec.h: "fills errs[0..*n_errs) (at most cap problems)". */
	cr_assert_eq(n_errs, 1,
		     "*n_errs is %d with cap 1: errs[0..%d) are "
		     "not all filled",
		     n_errs, n_errs);
}

Test(policy_parse, not_a_policy)
{
	static const char *const bad[] = { "", "\n\n", "# only a comment\n" };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ac_err errs[MAX_ERRS];
		int n_errs = -1;
		struct policy_file *pf = policy_file_parse(
			bad[i], strlen(bad[i]), errs, MAX_ERRS, &n_errs);

		cr_assert_null(pf, "'%s' loaded", bad[i]);
		cr_assert_geq(n_errs, 1);
	}
}

/* ---- version and content_version ---------------------------------------- */

static void versions(const struct lines *b, char v[72], char cv[72])
{
	struct result r = parse_lines(b);

	if (!r.pf)
		dump(&r);
	cr_assert_not_null(r.pf);
	memcpy(v, policy_file_policy(r.pf)->version, 72);
	memcpy(cv, policy_file_policy(r.pf)->content_version, 72);
	policy_file_free(r.pf);
}

Test(policy_version, comments_and_blank_lines)
{
	struct lines b = base();
	char v1[72], cv1[72], v2[72], cv2[72];

	versions(&b, v1, cv1);
	cr_assert(is_version(v1));
	cr_assert(is_version(cv1));

	insert(&b, 1, "# a new comment at the top");
	insert(&b, L_CAP + 1, "");
	insert(&b, L_CAP + 2, "# why the cap is what it is");
	insert(&b, clause_line(CL_REFUND_3) + 3, "");
	insert(&b, b.n + 1, "# the end");
	versions(&b, v2, cv2);

	cr_assert_str_neq(v1, v2, "version ignored a comment");
	cr_assert_str_eq(cv1, cv2, "content_version changed with comments");
}

Test(policy_version, content_change_changes_both)
{
	struct lines b = base();
	char v1[72], cv1[72], v2[72], cv2[72];

	versions(&b, v1, cv1);
	replace(&b, L_WINDOW, "contact_window = 72h");
	versions(&b, v2, cv2);
	cr_assert_str_neq(v1, v2);
	cr_assert_str_neq(cv1, cv2);
}

Test(policy_version, clause_text_change_changes_content_version)
{
	struct lines b = base();
	char v1[72], cv1[72], v2[72], cv2[72];

	versions(&b, v1, cv1);
	replace(&b, clause_line(CL_REFUND_3) + 2, "text = Other words");
	versions(&b, v2, cv2);
	cr_assert_str_neq(cv1, cv2);
}

Test(policy_version, version_is_sha256_of_bytes)
{
	struct lines b = base();
	struct result r;
	size_t n;
	const char *p;
	char want[72];

	insert(&b, 1, "# extra");
	r = parse_lines(&b);
	cr_assert_not_null(r.pf);
	p = join(&b, &n);
	sha256_version(p, n, want);
	cr_assert_str_eq(policy_file_policy(r.pf)->version, want);
	policy_file_free(r.pf);
}

Test(policy_version, default_differs_from_test_policy)
{
	struct lines b = base();
	char v[72], cv[72];

	struct policy_file *shop = policy_file_default();

	versions(&b, v, cv);
	cr_assert_str_neq(v, policy_file_policy(shop)->version);
	cr_assert_str_neq(cv, policy_file_policy(shop)->content_version);
	policy_file_free(shop);
}
