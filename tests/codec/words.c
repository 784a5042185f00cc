/* words.c: the words say what decide() does. At each boundary (the
 * production cut-off, the end of the contact window, the end of the
 * warranty) decide() is run at the instant itself and one microsecond
 * either side, and the words must agree: "before X" means a claim at X is
 * already decided otherwise; "until X" means X itself is still within. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../src/codec/codec.h"
#include "../../src/codec/words.h"
#include "../../src/core/instant.h"

#define US AC_US_PER_S
#define HOUR (3600 * US)

static const char *order_json =
	"{\"order\": {\"id\": \"W-1\", \"placed_at\": \"2026-02-10T09:30:00Z\","
	" \"currency\": \"USD\", \"shipping_minor\": 1500,"
	" \"address\": {\"name\": \"A\", \"line1\": \"1 St\", \"city\": \"C\","
	" \"postal_code\": \"1\", \"country\": \"NZ\"},"
	" \"items\": [{\"line\": 1, \"sku\": \"R\", \"kind\": \"ring\","
	" \"style\": \"halo\", \"shape\": \"oval\", \"color\": \"white\","
	" \"material\": \"gold\", \"size\": \"7\", \"price_minor\": 52000},"
	" {\"line\": 2, \"sku\": \"N\", \"kind\": \"necklace\","
	" \"style\": \"chain\", \"shape\": \"round\", \"color\": \"grey\","
	" \"size\": \"45\","
	" \"material\": \"silver\", \"price_minor\": 12000}]}%s,"
	" \"claim\": %s}";

static const char *delivered =
	", \"shipment\": {\"shipped_at\": \"2026-02-12T03:00:00Z\","
	" \"address\": {\"name\": \"A\", \"line1\": \"1 St\", \"city\": \"C\","
	" \"postal_code\": \"1\", \"country\": \"NZ\"},"
	" \"delivered_at\": \"2026-02-14T16:20:00Z\", \"courier_finding\":"
	" \"none\", \"customs\": \"none\"}";

static struct case_reader *rd;
static struct ac_case c;
static const struct policy *pol;
static struct policy_file *pf;

static void setup(void)
{
	rd = case_reader_new();
	pf = policy_file_default();
	pol = policy_file_policy(pf);
}

static void teardown(void)
{
	case_reader_free(rd);
	policy_file_free(pf);
}

/* at reads the case with the claim opened at `when` and decides it. */
static void decide_at(const char *shipment, const char *claim_fmt,
		      int64_t when, struct decision *d)
{
	char t[40], claim[512], json[4096];
	struct ac_err err;

	instant_format(when, t, sizeof t);
	snprintf(claim, sizeof claim, claim_fmt, t);
	snprintf(json, sizeof json, order_json, shipment, claim);
	ac_err_clear(&err);
	cr_assert_eq(case_reader_read(rd, json, strlen(json), &c, &err), 0,
		     "%s: %s", err.field, err.msg);
	cr_assert_eq(decide(pol, &c, d, &err), 0, "%s", err.msg);
}

static int64_t at(const char *s)
{
	int64_t v;

	cr_assert_eq(instant_parse(s, strlen(s), &v), 0);
	return v;
}

static const char *text(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	cr_assert(cJSON_IsString(v), "no %s", key);
	return v->valuestring;
}

/* deadline_words decides at when and returns the deadline's text. */
static char *deadline_words(const char *shipment, const char *claim,
			    int64_t when, struct decision *d)
{
	static char out[512];
	cJSON *w = cJSON_CreateObject();

	decide_at(shipment, claim, when, d);
	cr_assert(d->has_deadline);
	words_decision(w, pol, &c, d, when, 0);
	snprintf(out, sizeof out, "%s",
		 text(cJSON_GetObjectItem(w, "deadline"), "text"));
	cJSON_Delete(w);
	return out;
}

TestSuite(words, .init = setup, .fini = teardown);

Test(words, the_cut_off_is_before_it)
{
	const char *claim = "{\"type\": \"cancel\", \"opened_at\": \"%s\"}";
	int64_t cut = at("2026-02-11T09:30:00Z");
	struct decision d;
	char *w = deadline_words("", claim, cut - 4 * HOUR, &d);

	cr_assert_eq(d.deadline, cut);
	cr_assert_str_eq(w, "This answer holds for a claim made before "
			 "Wed 11 Feb, 09:30");
	/* "before": at the cut-off itself it is already no refund */
	decide_at("", claim, cut - 1, &d);
	cr_assert_eq(d.verdict, VERDICT_FULL_REFUND);
	decide_at("", claim, cut, &d);
	cr_assert_eq(d.verdict, VERDICT_NO_REFUND);
}

Test(words, the_contact_window_is_until_its_end)
{
	const char *claim = "{\"type\": \"wrong_item\", \"opened_at\": \"%s\","
			    " \"lines\": [1], \"received\": [{\"line\": 1,"
			    " \"material\": \"silver\"}]}";
	int64_t end = at("2026-02-16T16:20:00Z");
	struct decision d;
	char *w = deadline_words(delivered, claim, end - 40 * HOUR, &d);

	cr_assert_str_eq(w, "This answer holds for a claim made until "
			 "Mon 16 Feb, 16:20");
	/* "until": the end itself is still within */
	decide_at(delivered, claim, end, &d);
	cr_assert_eq(d.verdict, VERDICT_FULL_REFUND);
	cr_assert_eq(d.clauses[0], CL_REFUND_1);
	decide_at(delivered, claim, end + 1, &d);
	cr_assert_eq(d.clauses[0], CL_NO_REFUND_2);
}

Test(words, the_warranty_is_until_its_end)
{
	const char *claim = "{\"type\": \"repair\", \"opened_at\": \"%s\"}";
	int64_t end = at("2027-02-14T16:20:00Z");
	struct decision d;
	char *w = deadline_words(delivered, claim, end - 30 * 24 * HOUR, &d);

	cr_assert_str_eq(w, "This answer holds for a claim made until "
			 "Sun 14 Feb, 16:20");
	decide_at(delivered, claim, end, &d);
	cr_assert_eq(d.clauses[0], CL_WARRANTY_2);
	decide_at(delivered, claim, end + 1, &d);
	cr_assert_eq(d.clauses[0], CL_WARRANTY_3);
}

Test(words, the_facts_say_when_and_how_long)
{
	const char *claim = "{\"type\": \"wrong_item\", \"opened_at\": \"%s\","
			    " \"lines\": [1], \"received\": [{\"line\": 1,"
			    " \"material\": \"silver\"}]}";
	struct decision d;
	cJSON *w = cJSON_CreateObject(), *facts;

	decide_at(delivered, claim, at("2026-02-15T08:20:00Z"), &d);
	words_decision(w, pol, &c, &d, at("2026-02-15T08:20:00Z"), 60);
	facts = cJSON_GetObjectItem(w, "facts");
	cr_assert_str_eq(cJSON_GetArrayItem(facts, 0)->valuestring,
			 "Delivered on Sat 14 Feb, 17:20; you wrote 16 hours "
			 "later, within the 48 hours (until Mon 16 Feb, "
			 "17:20).");
	cr_assert_str_eq(text(cJSON_GetObjectItem(w, "clause"), "id"),
			 "refund.1");
	cJSON_Delete(w);
}

Test(words, each_remedy_is_its_own_amount)
{
	const char *claim = "{\"type\": \"wrong_item\", \"opened_at\": \"%s\","
			    " \"lines\": [1], \"received\": [{\"line\": 1,"
			    " \"material\": \"silver\"}]}";
	struct decision d;
	cJSON *w = cJSON_CreateObject(), *r;

	decide_at(delivered, claim, at("2026-02-15T08:20:00Z"), &d);
	words_decision(w, pol, &c, &d, 0, 0);
	r = cJSON_GetObjectItem(w, "remedies");
	cr_assert_eq(cJSON_GetArraySize(r), 2);
	cr_assert_str_eq(text(cJSON_GetArrayItem(r, 0), "amount"),
			 "USD 520.00");
	cr_assert_str_eq(text(cJSON_GetArrayItem(r, 0), "who_pays"),
			 "the shop pays");
	cr_assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(r, 1),
					   "amount"));
	cJSON_Delete(w);
}

/* can_text returns the "can" entry that starts with prefix. */
static const char *can_text(const cJSON *w, const char *prefix)
{
	const cJSON *el;

	cJSON_ArrayForEach(el, cJSON_GetObjectItem(w, "can")) {
		const char *t = text(el, "text");

		if (!strncmp(t, prefix, strlen(prefix)))
			return t;
	}
	return NULL;
}

Test(words, what_can_still_be_done_and_until_when)
{
	const char *claim = "{\"type\": \"cancel\", \"opened_at\": \"%s\"}";
	struct decision d;
	cJSON *w = cJSON_CreateObject();
	const char *t;

	decide_at("", claim, at("2026-02-11T05:30:00Z"), &d);
	words_order(w, pol, &c, at("2026-02-11T05:30:00Z"), 0);
	t = can_text(w, "You can still cancel");
	cr_assert_not_null(t);
	cr_assert(strstr(t, "before Wed 11 Feb, 09:30"), "%s", t);
	cr_assert_str_eq(text(cJSON_GetArrayItem(cJSON_GetObjectItem(w,
			 "can"), 0), "relative"), "4 hours from now");
	cJSON_Delete(w);
	/* at the cut-off itself cancelling is no longer offered */
	w = cJSON_CreateObject();
	words_order(w, pol, &c, at("2026-02-11T09:30:00Z"), 0);
	cr_assert_null(can_text(w, "You can still cancel"));
	cJSON_Delete(w);

	/* delivered: report until the window's end, the end included */
	decide_at(delivered, claim, at("2026-02-16T16:20:00Z"), &d);
	w = cJSON_CreateObject();
	words_order(w, pol, &c, at("2026-02-16T16:20:00Z"), 0);
	t = can_text(w, "You can report damage");
	cr_assert_not_null(t, "the window's last instant is still within");
	cr_assert(strstr(t, "until Mon 16 Feb, 16:20"), "%s", t);
	cJSON_Delete(w);
	w = cJSON_CreateObject();
	words_order(w, pol, &c, at("2026-02-16T16:20:00Z") + 1, 0);
	cr_assert_null(can_text(w, "You can report damage"));
	cJSON_Delete(w);
}

Test(words, times_at_an_offset_with_the_year_when_it_differs)
{
	char s[64];
	int64_t t = at("2026-12-31T23:30:00Z");

	words_when(s, sizeof s, t, t, 0);
	cr_assert_str_eq(s, "Thu 31 Dec, 23:30");
	words_when(s, sizeof s, t, t - 24 * HOUR, 60);
	cr_assert_str_eq(s, "Fri 1 Jan 2027, 00:30");
	/* now, at the same offset, is in 2027 too */
	words_when(s, sizeof s, t, t, 60);
	cr_assert_str_eq(s, "Fri 1 Jan, 00:30");
	words_relative(s, sizeof s, t + 3 * 24 * HOUR + HOUR, t);
	cr_assert_str_eq(s, "3 days from now");
	words_relative(s, sizeof s, t - 2 * HOUR, t);
	cr_assert_str_eq(s, "2 hours ago");
}

/* ---- every boundary, decided at it and a microsecond either side ------ */

/* A case built from its parts: placed_at, currency, the shipment member
 * (or "") and the claim (a format with %s for opened_at). */
static const char *order2_json =
	"{\"order\": {\"id\": \"W-2\", \"placed_at\": \"%s\","
	" \"currency\": \"%s\", \"shipping_minor\": 1500,"
	" \"address\": {\"name\": \"A\", \"line1\": \"1 St\", \"city\": \"C\","
	" \"postal_code\": \"1\", \"country\": \"NZ\"},"
	" \"items\": [{\"line\": 1, \"sku\": \"R\", \"kind\": \"ring\","
	" \"style\": \"halo\", \"shape\": \"oval\", \"color\": \"white\","
	" \"material\": \"gold\", \"size\": \"7\", \"price_minor\": 52000},"
	" {\"line\": 2, \"sku\": \"N\", \"kind\": \"necklace\","
	" \"style\": \"chain\", \"shape\": \"round\", \"color\": \"grey\","
	" \"size\": \"45\", \"certificate\": \"GIA-77\","
	" \"material\": \"silver\", \"price_minor\": 12000}]}%s,"
	" \"claim\": %s}";

static void decide2(const struct policy *p, const char *placed,
		    const char *currency, const char *shipment,
		    const char *claim_fmt, int64_t when, struct decision *d)
{
	char t[40], claim[512], json[4096];
	struct ac_err err;

	instant_format(when, t, sizeof t);
	snprintf(claim, sizeof claim, claim_fmt, t);
	snprintf(json, sizeof json, order2_json, placed, currency, shipment,
		 claim);
	ac_err_clear(&err);
	cr_assert_eq(case_reader_read(rd, json, strlen(json), &c, &err), 0,
		     "%s: %s", err.field, err.msg);
	cr_assert_eq(decide(p, &c, d, &err), 0, "%s", err.msg);
}

/* can_entry: the "can" entry whose text starts with prefix, or NULL. */
static const cJSON *can_entry(const cJSON *w, const char *prefix)
{
	const cJSON *el;

	cJSON_ArrayForEach(el, cJSON_GetObjectItem(w, "can"))
		if (!strncmp(text(el, "text"), prefix, strlen(prefix)))
			return el;
	return NULL;
}

static bool has_str(const cJSON *v, const char *needle)
{
	char *s = cJSON_PrintUnformatted(v);
	bool found = strstr(s, needle) != NULL;

	free(s);
	return found;
}

/* A boundary: the claim decided around it, the verdict and first clause
 * a claim inside gets, the "can" entry the order shows while inside, and
 * the word that must go with it. */
struct boundary {
	const char *what;
	const char *shipment, *claim;
	enum clause_id inside;
	enum verdict verdict;
	const char *can_prefix, *word;
};

/* inside_at: a claim at t is decided as inside the boundary. */
static bool inside_at(const struct policy *p, const char *placed,
		      const struct boundary *b, int64_t t)
{
	struct decision d;

	decide2(p, placed, "USD", b->shipment, b->claim, t, &d);
	return d.clauses[0] == b->inside && d.verdict == b->verdict;
}

/* check_boundary decides at bound-1, bound and bound+1 (microseconds)
 * and checks that the words agree with decide() at each: the order offers
 * the entry exactly when a claim at that instant is decided as inside,
 * and the entry and the decision's deadline show the boundary with the
 * right word: "before X" (X not inside) or "until X" (X inside, and the
 * next instant the words leave out is not). A boundary off the whole
 * minute is "until" its last whole minute. */
static void check_boundary(const struct policy *p, const char *placed,
			   const struct boundary *b, int64_t bound, int tz)
{
	bool whole = bound % (60 * US) == 0;
	const char *word = whole ? b->word : "until";
	int64_t shown_at = bound - bound % (60 * US);
	char shown[64], want[96];

	words_when(shown, sizeof shown, shown_at, bound, tz);
	snprintf(want, sizeof want, "%s %s", word, shown);
	/* what the words say, against decide() at the instants they name */
	if (!strcmp(word, "before")) {
		cr_assert(!inside_at(p, placed, b, shown_at),
			  "%s: '%s' but a claim then is inside", b->what,
			  want);
		cr_assert(inside_at(p, placed, b, shown_at - 1),
			  "%s: '%s' but a claim just before is not inside",
			  b->what, want);
	} else {
		cr_assert(inside_at(p, placed, b, shown_at),
			  "%s: '%s' but a claim then is not inside", b->what,
			  want);
		cr_assert(!inside_at(p, placed, b,
				     shown_at + (whole ? 1 : 60 * US)),
			  "%s: '%s' but a claim after it is still inside",
			  b->what, want);
	}
	for (int64_t dt = -1; dt <= 1; dt++) {
		int64_t t = bound + dt;
		struct decision d;
		cJSON *w = cJSON_CreateObject();
		const cJSON *e;
		bool inside;

		decide2(p, placed, "USD", b->shipment, b->claim, t, &d);
		inside = d.clauses[0] == b->inside &&
			 d.verdict == b->verdict;
		words_order(w, p, &c, t, tz);
		e = can_entry(w, b->can_prefix);
		cr_assert_eq(e != NULL, inside, "%s at boundary%+lld us: "
			     "decide() says %s, the order %s it",
			     b->what, (long long)dt,
			     clause_id_name(d.clauses[0]),
			     e ? "offers" : "does not offer");
		if (dt == 0)
			cr_assert_eq(inside, !strcmp(b->word, "until"),
				     "%s: at the instant itself", b->what);
		if (e) {
			cr_assert(strstr(text(e, "text"), want),
				  "%s: '%s' does not say '%s'", b->what,
				  text(e, "text"), want);
			cr_assert_str_eq(text(e, "word"), word);
		}
		if (inside && d.has_deadline) {
			cJSON *dw = cJSON_CreateObject();
			const cJSON *dl;

			cr_assert_eq(d.deadline, bound, "%s", b->what);
			words_decision(dw, p, &c, &d, t, tz);
			dl = cJSON_GetObjectItem(dw, "deadline");
			cr_assert_str_eq(text(dl, "when"), want);
			cr_assert_str_eq(text(dl, "word"), word);
			cJSON_Delete(dw);
		}
		cJSON_Delete(w);
	}
}

static const char *shipped_not_delivered =
	", \"shipment\": {\"shipped_at\": \"%s\","
	" \"address\": {\"name\": \"A\", \"line1\": \"1 St\", \"city\": \"C\","
	" \"postal_code\": \"1\", \"country\": \"NZ\"},"
	" \"courier_finding\": \"none\", \"customs\": \"none\"}";

static void check_all(const struct policy *p, const char *placed,
		      const char *delivered_at, int tz)
{
	char ship[1024], shipnd[1024];
	int64_t placed_us = at(placed), deliv = at(delivered_at);
	static const char *const cancel =
		"{\"type\": \"cancel\", \"opened_at\": \"%s\"}";
	static const char *const wrong =
		"{\"type\": \"wrong_item\", \"opened_at\": \"%s\","
		" \"lines\": [1], \"received\": [{\"line\": 1,"
		" \"material\": \"silver\"}]}";
	static const char *const repair =
		"{\"type\": \"repair\", \"opened_at\": \"%s\"}";
	struct boundary cut = { "the cut-off", "", cancel, CL_NO_REFUND_1,
				VERDICT_FULL_REFUND, "You can still cancel",
				"before" };
	struct boundary window = { "the contact window", ship, wrong,
				   CL_REFUND_1, VERDICT_FULL_REFUND,
				   "You can report damage", "until" };
	struct boundary warranty = { "the warranty", ship, repair,
				     CL_WARRANTY_2, VERDICT_FREE_REPAIR,
				     "A repair is free", "until" };
	struct boundary warranty_nd = { "the warranty from shipment",
					shipnd, repair, CL_WARRANTY_2,
					VERDICT_FREE_REPAIR,
					"A repair is free", "until" };
	struct decision d;

	snprintf(ship, sizeof ship,
		 ", \"shipment\": {\"shipped_at\": \"%s\","
		 " \"address\": {\"name\": \"A\", \"line1\": \"1 St\","
		 " \"city\": \"C\", \"postal_code\": \"1\","
		 " \"country\": \"NZ\"}, \"delivered_at\": \"%s\","
		 " \"courier_finding\": \"none\", \"customs\": \"none\"}",
		 placed, delivered_at);
	snprintf(shipnd, sizeof shipnd, shipped_not_delivered, placed);
	/* cancelling is full refund only before the cut-off */
	check_boundary(p, placed, &cut, placed_us + p->production_delay_us,
		       tz);
	decide2(p, placed, "USD", "", cancel, placed_us, &d);
	cr_assert_eq(d.verdict, VERDICT_FULL_REFUND);
	check_boundary(p, placed, &window, deliv + p->contact_window_us, tz);
	check_boundary(p, placed, &warranty, deliv + p->warranty_us, tz);
	check_boundary(p, placed, &warranty_nd, placed_us + p->warranty_us,
		       tz);
}

Test(words, every_boundary_agrees_with_decide)
{
	check_all(pol, "2026-02-10T09:30:00Z", "2026-02-14T16:20:00Z", 0);
	/* at an offset, and across a year */
	check_all(pol, "2026-12-30T20:00:00Z", "2027-01-02T23:45:00Z", 780);
	check_all(pol, "2026-02-10T09:30:00Z", "2026-02-14T16:20:00Z", -300);
}

Test(words, a_boundary_off_the_minute_is_until_its_last_minute)
{
	/* placed at 09:30:17.25: the cut-off is not on a whole minute, so
	 * "before 09:30" would refuse a quarter of a minute that decide()
	 * accepts; the words say "until 09:30" instead */
	check_all(pol, "2026-02-10T09:30:17.25Z", "2026-02-14T16:20:59Z", 0);
	check_all(pol, "2026-02-10T09:30:00.000001Z",
		  "2026-02-14T16:20:00.000001Z", 330);

	char s[64];
	const char *w;

	w = words_boundary(s, sizeof s, at("2026-02-11T09:30:17.25Z"), true,
			   at("2026-02-11T00:00:00Z"), 0);
	cr_assert_str_eq(w, "until");
	cr_assert_str_eq(s, "until Wed 11 Feb, 09:30");
	w = words_boundary(s, sizeof s, at("2026-02-11T09:30:00Z"), true,
			   at("2026-02-11T00:00:00Z"), 0);
	cr_assert_str_eq(w, "before");
	cr_assert_str_eq(s, "before Wed 11 Feb, 09:30");
	w = words_boundary(s, sizeof s, at("2026-02-11T09:30:59.999999Z"),
			   false, at("2026-02-11T00:00:00Z"), 60);
	cr_assert_str_eq(s, "until Wed 11 Feb, 10:30");
}

Test(words, a_claim_in_the_boundarys_minute_is_shown_to_the_second)
{
	const char *cancel = "{\"type\": \"cancel\", \"opened_at\": \"%s\"}";
	static const char *const want[] = {
		"You ordered on Tue 10 Feb, 09:30.",
		"Production started 24 hours later: Wed 11 Feb, 09:30:17.25.",
		"You asked to cancel on Wed 11 Feb, 09:30:40, after "
		"production started.",
	};
	struct decision d;
	cJSON *w = cJSON_CreateObject(), *f;

	decide2(pol, "2026-02-10T09:30:17.25Z", "USD", "", cancel,
		at("2026-02-11T09:30:40Z"), &d);
	words_decision(w, pol, &c, &d, at("2026-02-11T09:30:40Z"), 0);
	f = cJSON_GetObjectItem(w, "facts");
	cr_assert_eq(cJSON_GetArraySize(f), 3);
	for (int i = 0; i < 3; i++)
		cr_assert_str_eq(cJSON_GetArrayItem(f, i)->valuestring,
				 want[i]);
	cJSON_Delete(w);
}

/* policy_with: the shop's policy with three numbers changed. */
static struct policy_file *policy_with(const char *delay, const char *window,
				       const char *warranty)
{
	size_t n;
	const char *bytes = policy_file_bytes(pf, &n);
	static char copy[1 << 16];
	struct ac_err errs[4];
	int n_errs = 0;
	struct policy_file *out;
	char *p;

	cr_assert_lt(n, sizeof copy);
	memcpy(copy, bytes, n);
	copy[n] = '\0';
	p = strstr(copy, "production_start_delay = 24h");
	cr_assert_not_null(p);
	memcpy(p + strlen("production_start_delay = "), delay, 3);
	p = strstr(copy, "contact_window = 48h");
	cr_assert_not_null(p);
	memcpy(p + strlen("contact_window = "), window, 3);
	p = strstr(copy, "warranty = 365d");
	cr_assert_not_null(p);
	memcpy(p + strlen("warranty = "), warranty, 4);
	out = policy_file_parse(copy, n, errs, 4, &n_errs);
	cr_assert_not_null(out, "%s", n_errs ? errs[0].msg : "");
	return out;
}

Test(words, the_numbers_are_the_policys)
{
	struct policy_file *other = policy_with("36h", "72h", "030d");
	const struct policy *p = policy_file_policy(other);
	const char *cancel = "{\"type\": \"cancel\", \"opened_at\": \"%s\"}";
	struct decision d;
	cJSON *w = cJSON_CreateObject();
	const cJSON *e;

	cr_assert_eq(p->production_delay_us, 36 * HOUR);
	check_all(p, "2026-02-10T09:30:00Z", "2026-02-14T16:20:00Z", 0);
	decide2(p, "2026-02-10T09:30:00Z", "USD", "", cancel,
		at("2026-02-11T09:30:00Z"), &d);
	words_decision(w, p, &c, &d, at("2026-02-11T09:30:00Z"), 0);
	cr_assert(has_str(cJSON_GetObjectItem(w, "facts"),
			  "Production starts 36 hours later: "
			  "Wed 11 Feb, 21:30."),
		  "%s", cJSON_PrintUnformatted(w));
	cr_assert_str_eq(text(cJSON_GetObjectItem(w, "deadline"), "when"),
			 "before Wed 11 Feb, 21:30");
	cJSON_Delete(w);
	w = cJSON_CreateObject();
	decide2(p, "2026-02-10T09:30:00Z", "USD", delivered, cancel,
		at("2026-02-15T09:30:00Z"), &d);
	words_order(w, p, &c, at("2026-02-15T09:30:00Z"), 0);
	e = can_entry(w, "You can report damage");
	cr_assert_not_null(e);
	cr_assert_str_eq(text(e, "text"), "You can report damage or a wrong "
			 "item until Tue 17 Feb, 16:20 (3 days after "
			 "delivery).");
	e = can_entry(w, "A repair is free");
	cr_assert_not_null(e);
	cr_assert(strstr(text(e, "text"), "until Mon 16 Mar, 16:20"), "%s",
		  text(e, "text"));
	cr_assert_str_eq(text(e, "relative"), "29 days from now");
	cJSON_Delete(w);
	policy_file_free(other);
}

/* ---- amounts, remedies, facts ----------------------------------------- */

/* words_for decides the claim at when and returns the decision's words
 * read at the same instant, at UTC. */
static cJSON *words_for(const char *currency, const char *shipment,
			const char *claim, const char *when,
			struct decision *d)
{
	cJSON *w = cJSON_CreateObject();

	decide2(pol, "2026-02-10T09:30:00Z", currency, shipment, claim,
		at(when), d);
	words_decision(w, pol, &c, d, at(when), 0);
	return w;
}

Test(words, amounts_use_the_currencys_exponent)
{
	const char *cancel = "{\"type\": \"cancel\", \"opened_at\": \"%s\"}";
	struct decision d;
	cJSON *w = words_for("JPY", "", cancel, "2026-02-10T10:00:00Z", &d);

	/* 52000 + 12000 + 1500 shipping, yen have no minor unit */
	cr_assert_str_eq(text(w, "allows"), "The policy allows a full refund "
			 "of everything you paid (the items and the "
			 "shipping): JPY 65500.");
	cr_assert_str_eq(text(cJSON_GetArrayItem(cJSON_GetObjectItem(w,
			 "remedies"), 0), "amount"), "JPY 65500");
	cJSON_Delete(w);
	w = words_for("USD", "", cancel, "2026-02-10T10:00:00Z", &d);
	cr_assert_str_eq(text(cJSON_GetArrayItem(cJSON_GetObjectItem(w,
			 "remedies"), 0), "amount"), "USD 655.00");
	cJSON_Delete(w);
	w = words_for("KWD", "", cancel, "2026-02-10T10:00:00Z", &d);
	cr_assert_str_eq(text(cJSON_GetArrayItem(cJSON_GetObjectItem(w,
			 "remedies"), 0), "amount"), "KWD 65.500");
	cJSON_Delete(w);
}

Test(words, remedies_are_separate_amounts_never_a_sum)
{
	/* line 1 wrong (full refund 520.00 or a remake), line 2 only a size
	 * within tolerance (a partial refund, 20 % of 120.00 = 24.00):
	 * decide() sums them into refund_max 544.00, the words never do */
	const char *claim = "{\"type\": \"wrong_item\", \"opened_at\": \"%s\","
			    " \"received\": [{\"line\": 1, \"material\":"
			    " \"silver\"}, {\"line\": 2, \"size\": \"45.3\"}]}";
	struct decision d;
	cJSON *w = words_for("USD", delivered, claim, "2026-02-15T08:20:00Z",
			     &d), *r;

	cr_assert_eq(d.refund_max_minor, 54400);
	r = cJSON_GetObjectItem(w, "remedies");
	cr_assert_eq(cJSON_GetArraySize(r), 3);
	cr_assert_str_eq(text(cJSON_GetArrayItem(r, 0), "line"),
			 "A full refund of USD 520.00 (the shop pays).");
	cr_assert_str_eq(text(cJSON_GetArrayItem(r, 1), "line"),
			 "A remake (the shop pays).");
	cr_assert_str_eq(text(cJSON_GetArrayItem(r, 2), "line"),
			 "A partial refund of up to USD 24.00 (the shop "
			 "pays).");
	cr_assert_str_eq(text(cJSON_GetArrayItem(r, 2), "amount"),
			 "USD 24.00");
	cr_assert(!has_str(w, "544.00"), "%s", cJSON_PrintUnformatted(w));
	cr_assert_str_eq(text(w, "allows"), "The policy allows a full refund "
			 "of the items concerned: USD 520.00. Instead of the "
			 "refund you may have them remade, at the shop's "
			 "cost. For the items with only a slight flaw, a "
			 "partial refund of up to USD 24.00 as well.");
	/* the second clause is given too, with its text */
	cr_assert_str_eq(text(cJSON_GetArrayItem(cJSON_GetObjectItem(w,
			 "also"), 0), "id"), "no-refund.3");
	cJSON_Delete(w);
}

/* facts_are checks the facts, in order. */
static void facts_are(const cJSON *w, const char *const *want, int n)
{
	const cJSON *f = cJSON_GetObjectItem(w, "facts");

	cr_assert_eq(cJSON_GetArraySize(f), n, "%s",
		     cJSON_PrintUnformatted(f));
	for (int i = 0; i < n; i++)
		cr_assert_str_eq(cJSON_GetArrayItem(f, i)->valuestring,
				 want[i]);
}

Test(words, the_facts_of_a_cancellation)
{
	const char *cancel = "{\"type\": \"cancel\", \"opened_at\": \"%s\"}";
	static const char *const in_time[] = {
		"You ordered on Tue 10 Feb, 09:30.",
		"Production starts 24 hours later: Wed 11 Feb, 09:30.",
		"You asked to cancel on Wed 11 Feb, 05:30, before production "
		"started.",
	};
	static const char *const late[] = {
		"You ordered on Tue 10 Feb, 09:30.",
		"Production started 24 hours later: Wed 11 Feb, 09:30.",
		"You asked to cancel on Wed 11 Feb, 09:30, after production "
		"started.",
	};
	static const char *const shipped[] = {
		"You ordered on Tue 10 Feb, 09:30.",
		"Production started 24 hours later: Wed 11 Feb, 09:30.",
		"The order shipped on Thu 12 Feb, 03:00; made-to-order goods "
		"that have shipped are not taken back.",
		"You asked to cancel on Fri 13 Feb, 10:00.",
	};
	struct decision d;
	cJSON *w = words_for("USD", "", cancel, "2026-02-11T05:30:00Z", &d);

	facts_are(w, in_time, 3);
	cr_assert_str_eq(text(w, "headline"), "A full refund");
	cr_assert_str_eq(text(cJSON_GetObjectItem(w, "deadline"),
			      "relative"), "4 hours from now");
	cr_assert_str_eq(text(cJSON_GetObjectItem(w, "deadline"), "at"),
			 "2026-02-11T09:30:00Z");
	cJSON_Delete(w);
	w = words_for("USD", "", cancel, "2026-02-11T09:30:00Z", &d);
	facts_are(w, late, 3);
	cr_assert_str_eq(text(w, "headline"), "No refund");
	cr_assert_null(cJSON_GetObjectItem(w, "deadline"));
	cJSON_Delete(w);
	w = words_for("USD", delivered, cancel, "2026-02-13T10:00:00Z", &d);
	facts_are(w, shipped, 4);
	cJSON_Delete(w);
}

Test(words, the_facts_of_claims_about_the_goods)
{
	const char *damaged = "{\"type\": \"damaged\", \"opened_at\": \"%s\","
			      " \"defects\": [\"clasp\", \"scratch\"]}";
	const char *minor = "{\"type\": \"damaged\", \"opened_at\": \"%s\","
			    " \"defects\": [\"scratch\"]}";
	static const char *const real[] = {
		"Delivered on Sat 14 Feb, 16:20; you wrote 3 hours later, "
		"within the 48 hours (until Mon 16 Feb, 16:20).",
		"You reported: a slight scratch, a faulty clasp.",
		"That is a real defect: the shop's responsibility.",
	};
	static const char *const late[] = {
		"Delivered on Sat 14 Feb, 16:20; you wrote more than 48 hours "
		"later, after the 48 hours (they ended on Mon 16 Feb, 16:20).",
		"The warranty runs 365 days from delivery, until "
		"Sun 14 Feb 2027, 16:20: a repair under it is still "
		"possible.",
	};
	static const char *const not_shipped[] = {
		"The order has not shipped yet: there are no goods to find a "
		"fault with.",
	};
	struct decision d;
	cJSON *w = words_for("USD", delivered, damaged,
			     "2026-02-14T19:20:00Z", &d);

	facts_are(w, real, 3);
	cJSON_Delete(w);
	w = words_for("USD", delivered, minor, "2026-02-14T19:20:00Z", &d);
	cr_assert_str_eq(text(w, "allows"), "The policy allows a partial "
			 "refund of up to USD 128.00, never a full one.");
	cJSON_Delete(w);
	w = words_for("USD", delivered, damaged, "2026-02-16T16:20:00.5Z",
		      &d);
	facts_are(w, late, 2);
	cr_assert_str_eq(text(cJSON_GetObjectItem(w, "clause"), "id"),
			 "no-refund.2");
	cr_assert_str_eq(text(cJSON_GetObjectItem(w, "deadline"), "when"),
			 "until Sun 14 Feb 2027, 16:20");
	cJSON_Delete(w);
	w = words_for("USD", "", damaged, "2026-02-14T19:20:00Z", &d);
	facts_are(w, not_shipped, 1);
	cJSON_Delete(w);
}

Test(words, a_repair_names_the_warranty_and_the_certificate)
{
	const char *rise = "{\"type\": \"repair\", \"opened_at\": \"%s\","
			   " \"lines\": [2], \"repair\":"
			   " {\"material_cost_rise_minor\": 3000}}";
	static const char *const want[] = {
		"The warranty runs 365 days from delivery (Sat 14 Feb, 16:20), "
		"until Sun 14 Feb 2027, 16:20.",
		"You asked for a repair on Mon 1 Jun, 12:00, within the "
		"warranty.",
		"The repair raises the material cost by USD 30.00.",
		"Line 2 has an inspection certificate on file: GIA-77.",
	};
	struct decision d;
	cJSON *w = words_for("USD", delivered, rise, "2026-06-01T12:00:00Z",
			     &d), *r;

	cr_assert_str_eq(text(w, "headline"), "A paid repair");
	cr_assert_str_eq(text(w, "allows"), "The policy allows a repair that "
			 "you pay: USD 30.00 for the material, plus the "
			 "shipping.");
	facts_are(w, want, 4);
	r = cJSON_GetArrayItem(cJSON_GetObjectItem(w, "remedies"), 0);
	cr_assert_str_eq(text(r, "who_pays"), "you pay");
	cr_assert_str_eq(text(r, "amount"), "USD 30.00");
	cJSON_Delete(w);
}

Test(words, a_lost_parcel_waits_for_the_courier)
{
	const char *claim = "{\"type\": \"not_received\", \"opened_at\":"
			    " \"%s\"}";
	char ship[1024];
	struct decision d;
	cJSON *w;

	snprintf(ship, sizeof ship, shipped_not_delivered,
		 "2026-02-12T03:00:00Z");
	w = words_for("USD", ship, claim, "2026-02-20T10:00:00Z", &d);
	cr_assert_str_eq(text(w, "headline"), "Not decided yet");
	cr_assert(strstr(text(w, "next"), "The courier is investigating"),
		  "%s", text(w, "next"));
	cr_assert_str_eq(text(cJSON_GetArrayItem(cJSON_GetObjectItem(w,
			 "remedies"), 0), "who_pays"), "the shop pays");
	cJSON_Delete(w);
}

Test(words, the_order_in_words)
{
	char ship[1024];
	struct decision d;
	const char *cancel = "{\"type\": \"cancel\", \"opened_at\": \"%s\"}";
	cJSON *w = cJSON_CreateObject(), *st;

	/* placed, production not started: two things to do */
	decide2(pol, "2026-02-10T09:30:00Z", "USD", "", cancel,
		at("2026-02-10T09:30:00Z"), &d);
	words_order(w, pol, &c, at("2026-02-10T10:00:00Z"), 0);
	st = cJSON_GetObjectItem(w, "state");
	cr_assert_str_eq(text(cJSON_GetArrayItem(st, 0), "text"),
			 "Placed on Tue 10 Feb, 09:30.");
	cr_assert_str_eq(text(cJSON_GetArrayItem(st, 1), "text"),
			 "Production starts on Wed 11 Feb, 09:30.");
	cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(st,
			       1), "done")));
	cr_assert_str_eq(text(cJSON_GetArrayItem(cJSON_GetObjectItem(w,
			 "can"), 0), "text"), "You can still cancel free of "
			 "charge, or change the material, size, colour or "
			 "style, until production starts: before "
			 "Wed 11 Feb, 09:30.");
	cr_assert_str_eq(text(cJSON_GetArrayItem(cJSON_GetObjectItem(w,
			 "can"), 0), "relative"), "23 hours from now");
	cr_assert_not_null(can_entry(w, "You can change the delivery"));
	cJSON_Delete(w);

	/* shipped, the courier looking: no deadline on the parcel */
	snprintf(ship, sizeof ship, shipped_not_delivered,
		 "2026-02-12T03:00:00Z");
	decide2(pol, "2026-02-10T09:30:00Z", "USD", ship, cancel,
		at("2026-02-10T09:30:00Z"), &d);
	c.shipment.courier_finding = COURIER_INVESTIGATING;
	w = cJSON_CreateObject();
	words_order(w, pol, &c, at("2026-02-20T10:00:00Z"), 60);
	st = cJSON_GetObjectItem(w, "state");
	cr_assert_str_eq(text(cJSON_GetArrayItem(st, 1), "text"),
			 "In production since Wed 11 Feb, 10:30.");
	cr_assert_str_eq(text(cJSON_GetArrayItem(st, 2), "text"),
			 "Shipped on Thu 12 Feb, 04:00.");
	cr_assert_str_eq(text(cJSON_GetArrayItem(st, 3), "text"),
			 "The courier is looking for the parcel.");
	cr_assert_null(cJSON_GetObjectItem(can_entry(w, "If the parcel"),
					   "relative"));
	cr_assert_null(can_entry(w, "You can still cancel"));
	cJSON_Delete(w);

	/* delivered a year and more ago: only the paid repair is left */
	decide2(pol, "2026-02-10T09:30:00Z", "USD", delivered, cancel,
		at("2026-02-10T09:30:00Z"), &d);
	w = cJSON_CreateObject();
	words_order(w, pol, &c, at("2027-03-01T00:00:00Z"), 0);
	st = cJSON_GetObjectItem(w, "state");
	cr_assert_str_eq(text(cJSON_GetArrayItem(st, 3), "text"),
			 "Delivered on Sat 14 Feb 2026, 16:20.");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(w, "can")), 1);
	cr_assert_not_null(can_entry(w, "The warranty has ended"));
	cJSON_Delete(w);
}

Test(words, relative_times)
{
	char s[64];
	int64_t t = at("2026-02-10T09:30:00Z");

	words_relative(s, sizeof s, t + 59 * US, t);
	cr_assert_str_eq(s, "less than a minute from now");
	words_relative(s, sizeof s, t - 59 * US, t);
	cr_assert_str_eq(s, "just now");
	words_relative(s, sizeof s, t + 60 * US, t);
	cr_assert_str_eq(s, "1 minute from now");
	words_relative(s, sizeof s, t + HOUR - 1, t);
	cr_assert_str_eq(s, "59 minutes from now");
	words_relative(s, sizeof s, t + HOUR, t);
	cr_assert_str_eq(s, "1 hour from now");
	/* rounded down: never more time than there is */
	words_relative(s, sizeof s, t + 48 * HOUR - 1, t);
	cr_assert_str_eq(s, "47 hours from now");
	words_relative(s, sizeof s, t + 48 * HOUR, t);
	cr_assert_str_eq(s, "2 days from now");
	words_relative(s, sizeof s, t - 400 * 24 * HOUR, t);
	cr_assert_str_eq(s, "400 days ago");
}

Test(words, times_at_negative_offsets_and_before_1970)
{
	char s[64];
	int64_t t = at("2026-03-01T02:00:00Z");

	/* UTC-05:00: still the last day of February, a Saturday */
	words_when(s, sizeof s, t, t, -300);
	cr_assert_str_eq(s, "Sat 28 Feb, 21:00");
	words_when(s, sizeof s, at("1969-12-31T23:59:30Z"), t, 0);
	cr_assert_str_eq(s, "Wed 31 Dec 1969, 23:59");
	/* cut short, never past the buffer */
	words_when(s, 8, t, t, 0);
	cr_assert_str_eq(s, "Sun 1 M");
}

Test(words, explain_speaks_the_same_words)
{
	const char *cancel = "{\"type\": \"cancel\", \"opened_at\": \"%s\"}";
	struct decision d;
	struct buf out;

	decide2(pol, "2026-02-10T09:30:00Z", "USD", "", cancel,
		at("2026-02-11T05:30:00Z"), &d);
	buf_init(&out, 1 << 16);
	cr_assert_eq(decision_explain(pol, &c, &d, &out), 0);
	cr_assert(strstr(buf_cstr(&out), "  - You asked to cancel on Wed 11 "
			 "Feb, 05:30, before production started.\n"),
		  "%s", buf_cstr(&out));
	cr_assert(strstr(buf_cstr(&out), "  - A full refund of USD 655.00 "
			 "(the shop pays).\n"), "%s", buf_cstr(&out));
	cr_assert(strstr(buf_cstr(&out), "Deadline: This answer holds for a "
			 "claim made before Wed 11 Feb, 09:30\n"
			 "  (2026-02-11T09:30:00Z, that instant itself is "
			 "already too late).\n"), "%s", buf_cstr(&out));
	for (const char *l = buf_cstr(&out); *l;) {
		size_t n = strcspn(l, "\n");

		/* every line but the quoted clause's header and version */
		if (strncmp(l, "Why:", 4) && strncmp(l, "Policy", 6))
			cr_assert_leq(n, 76, "%.*s", (int)n, l);
		l += n + (l[n] == '\n');
	}
	buf_release(&out);
}

Test(words, any_clause_and_verdict_reads_without_invented_facts)
{
	/* a stored decision may be overridden by staff: its clause and
	 * verdict need not be what these facts give; the words must still
	 * name no instant the facts do not have (1970 would be a zero) */
	const char *cancel = "{\"type\": \"unwanted\", \"opened_at\": \"%s\"}";
	const char *const ships[] = { "", delivered };
	struct decision d;

	for (int sh = 0; sh < 2; sh++)
		for (int cl = 0; cl < CL_COUNT; cl++)
			for (int v = 0; v <= VERDICT_PAID_REPAIR; v++) {
				cJSON *w = cJSON_CreateObject();

				decide2(pol, "2026-02-10T09:30:00Z", "USD",
					ships[sh], cancel,
					at("2026-02-10T10:00:00Z"), &d);
				d.clauses[0] = (enum clause_id)cl;
				d.verdict = (enum verdict)v;
				d.currency = NULL;
				words_decision(w, pol, &c, &d,
					       at("2026-02-10T10:00:00Z"), 0);
				cr_assert(!has_str(w, "1970"), "%s",
					  cJSON_PrintUnformatted(w));
				cr_assert(text(w, "headline")[0]);
				cr_assert(text(w, "allows")[0]);
				cr_assert(text(w, "next")[0]);
				cJSON_Delete(w);
			}
}
