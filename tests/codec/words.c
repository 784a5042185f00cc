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
