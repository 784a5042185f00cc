/* replay.c: the replay engine's arithmetic and a run over a real store
 * (tests/desk). The money it reports (refund allowances before and after,
 * per currency and deciding clause) and its transitions are summed by
 * hand here; a total that would overflow or a currency too many is
 * refused with the report left as it was; what counts as a change (the
 * policy's version does not; an accepted repair quote is the desk's, not
 * a change); and replay_run on cases opened through the desk, with an
 * override, filters and a hook that stops the run. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/codec/codec.h"
#include "../../src/desk/replay.h"
#include "../../src/store/store.h"
#include "support.h"

TestSuite(replay_sum);
TestSuite(replay_run, .init = t_setup, .fini = t_teardown);

static const struct currency *cur(const char *code)
{
	const struct currency *c = money_currency_find(code, 3);

	cr_assert_not_null(c, "%s", code);
	return c;
}

/* a decision with one clause and its refund allowance */
static struct decision dec(enum verdict v, enum clause_id cl,
			   const char *code, int64_t refund)
{
	struct decision d;

	memset(&d, 0, sizeof d);
	d.verdict = v;
	d.n_clauses = 1;
	d.clauses[0] = cl;
	d.currency = cur(code);
	d.refund_max_minor = refund;
	d.policy = "sha256:aa";
	return d;
}

static const struct replay_money *money_of(const struct replay_report *r,
					   const char *code)
{
	for (int i = 0; i < r->n_money; i++)
		if (!strcmp(r->money[i].currency->code, code))
			return &r->money[i];
	return NULL;
}

Test(replay_sum, money_and_transitions_by_hand)
{
	struct replay_report r;
	struct ac_err err;
	struct decision full = dec(VERDICT_FULL_REFUND, CL_REFUND_1, "USD",
				   52000);
	struct decision none = dec(VERDICT_NO_REFUND, CL_NO_REFUND_2, "USD",
				   0);
	struct decision part = dec(VERDICT_PARTIAL_REFUND, CL_NO_REFUND_3,
				   "EUR", 10400);
	struct decision half = dec(VERDICT_PARTIAL_REFUND, CL_NO_REFUND_3,
				   "EUR", 5200);
	struct decision bare = dec(VERDICT_PENDING, CL_REFUND_1, "USD", 700);

	bare.n_clauses = 0;
	replay_report_init(&r, "sha256:new");
	cr_assert_str_eq(r.policy, "sha256:new");
	/* USD: 52000 -> 0 twice, 52000 -> 52000 once; EUR: 10400 -> 5200;
	 * a decision citing no clause counts under REPLAY_NO_CLAUSE */
	cr_assert_eq(replay_report_add(&r, &full, &none, true, &err), 0);
	cr_assert_eq(replay_report_add(&r, &full, &none, true, &err), 0);
	cr_assert_eq(replay_report_add(&r, &full, &full, false, &err), 0);
	cr_assert_eq(replay_report_add(&r, &part, &half, true, &err), 0);
	cr_assert_eq(replay_report_add(&r, &bare, &full, true, &err), 0);

	cr_expect_eq(r.cases, 5);
	cr_expect_eq(r.changed, 4);
	cr_expect_eq(r.n_money, 2);
	const struct replay_money *usd = money_of(&r, "USD");
	const struct replay_money *eur = money_of(&r, "EUR");

	cr_assert_not_null(usd);
	cr_assert_not_null(eur);
	cr_expect_eq(usd->before_minor, 3 * 52000 + 700);
	cr_expect_eq(usd->after_minor, 52000 + 52000);
	cr_expect_eq(usd->clause_before_minor[CL_REFUND_1], 3 * 52000);
	cr_expect_eq(usd->clause_after_minor[CL_REFUND_1], 2 * 52000);
	cr_expect_eq(usd->clause_after_minor[CL_NO_REFUND_2], 0);
	cr_expect_eq(usd->clause_before_minor[REPLAY_NO_CLAUSE], 700);
	cr_expect_eq(usd->clause_after_minor[REPLAY_NO_CLAUSE], 0);
	cr_expect_eq(eur->before_minor, 10400);
	cr_expect_eq(eur->after_minor, 5200);
	cr_expect_eq(eur->clause_before_minor[CL_NO_REFUND_3], 10400);
	cr_expect_eq(eur->clause_after_minor[CL_NO_REFUND_3], 5200);
	cr_expect_eq(r.verdicts[VERDICT_FULL_REFUND][VERDICT_NO_REFUND], 2);
	cr_expect_eq(r.verdicts[VERDICT_FULL_REFUND][VERDICT_FULL_REFUND], 1);
	cr_expect_eq(r.verdicts[VERDICT_PARTIAL_REFUND]
			       [VERDICT_PARTIAL_REFUND], 1);
	cr_expect_eq(r.verdicts[VERDICT_PENDING][VERDICT_FULL_REFUND], 1);
	cr_expect_eq(r.clauses[CL_REFUND_1][CL_NO_REFUND_2], 2);
	cr_expect_eq(r.clauses[CL_REFUND_1][CL_REFUND_1], 1);
	cr_expect_eq(r.clauses[REPLAY_NO_CLAUSE][CL_REFUND_1], 1);
	cr_expect_eq(r.clauses[CL_NO_REFUND_3][CL_NO_REFUND_3], 1);
}

Test(replay_sum, a_currency_that_changes_counts_on_both_sides)
{
	struct replay_report r;
	struct ac_err err;
	struct decision usd = dec(VERDICT_FULL_REFUND, CL_REFUND_1, "USD", 90);
	struct decision eur = dec(VERDICT_FULL_REFUND, CL_REFUND_1, "EUR", 80);

	replay_report_init(&r, "");
	cr_assert_eq(replay_report_add(&r, &usd, &eur, true, &err), 0);
	cr_assert_eq(r.n_money, 2);
	cr_expect_eq(money_of(&r, "USD")->before_minor, 90);
	cr_expect_eq(money_of(&r, "USD")->after_minor, 0);
	cr_expect_eq(money_of(&r, "EUR")->before_minor, 0);
	cr_expect_eq(money_of(&r, "EUR")->after_minor, 80);
}

Test(replay_sum, an_overflowing_total_is_refused_and_changes_nothing)
{
	struct replay_report r, was;
	struct ac_err err;
	struct decision big = dec(VERDICT_FULL_REFUND, CL_REFUND_1, "USD",
				  AC_MONEY_MAX);
	struct decision zero = dec(VERDICT_NO_REFUND, CL_NO_REFUND_2, "USD",
				   0);
	int i, rc = 0;

	replay_report_init(&r, "");
	/* INT64_MAX / AC_MONEY_MAX is 1024: the 1025th passes it */
	for (i = 0; i < 2000 && !rc; i++) {
		was = r;
		rc = replay_report_add(&r, &zero, &big, true, &err);
	}
	cr_assert_eq(rc, AC_ELIMIT);
	cr_expect_eq(i, 1025);
	cr_expect_str_eq(err.field, "refund_max_minor");
	cr_expect(!memcmp(&r, &was, sizeof r), "the report changed");
	cr_expect_eq(r.cases, 1024);
	cr_expect_eq(money_of(&r, "USD")->after_minor, 1024 * AC_MONEY_MAX);
}

Test(replay_sum, one_currency_too_many_is_refused)
{
	static const char *const codes[] = {
		"AED", "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR",
		"GBP", "HKD", "HUF", "IDR", "ILS", "INR", "JPY", "KRW", "KWD",
		"MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RON", "SAR", "SEK",
		"SGD", "THB", "TRY", "TWD", "USD", "ZAR",
	};
	struct replay_report r, was;
	struct ac_err err;

	cr_assert_eq(sizeof codes / sizeof codes[0],
		     REPLAY_CURRENCIES_MAX + 1);
	replay_report_init(&r, "");
	for (int i = 0; i < REPLAY_CURRENCIES_MAX; i++) {
		struct decision d = dec(VERDICT_FULL_REFUND, CL_REFUND_1,
					codes[i], 1);

		cr_assert_eq(replay_report_add(&r, &d, &d, false, &err), 0);
	}
	struct decision last = dec(VERDICT_FULL_REFUND, CL_REFUND_1,
				   codes[REPLAY_CURRENCIES_MAX], 1);

	was = r;
	cr_assert_eq(replay_report_add(&r, &last, &last, false, &err),
		     AC_ELIMIT);
	cr_expect_str_eq(err.field, "currency");
	cr_expect(!memcmp(&r, &was, sizeof r), "the report changed");
}

Test(replay_sum, policies_counted_by_hash)
{
	struct replay_report r;
	char h[32];

	replay_report_init(&r, "");
	replay_report_count(&r, store_str("sha256:a"));
	replay_report_count(&r, store_str("sha256:b"));
	replay_report_count(&r, store_str("sha256:a"));
	cr_assert_eq(r.n_policies, 2);
	cr_expect_str_eq(r.policies[0].hash, "sha256:a");
	cr_expect_eq(r.policies[0].cases, 2);
	cr_expect_eq(r.policies[1].cases, 1);
	for (int i = 0; i < REPLAY_POLICIES_MAX; i++) {
		snprintf(h, sizeof h, "sha256:%d", i);
		replay_report_count(&r, store_str(h));
	}
	cr_expect_eq(r.n_policies, REPLAY_POLICIES_MAX);
	cr_expect_eq(r.policies_other, 2);
}

Test(replay_sum, what_counts_as_a_change)
{
	struct decision a = dec(VERDICT_FULL_REFUND, CL_REFUND_1, "USD", 100);
	struct decision b = a;

	b.policy = "sha256:other";
	cr_expect(!replay_changed(&a, &b), "the policy's version alone");
	b = a;
	b.has_deadline = true;
	b.deadline = 5;
	cr_expect(replay_changed(&a, &b), "a deadline");
	b = a;
	b.refund_max_minor = 99;
	cr_expect(replay_changed(&a, &b), "the refund allowance");
	b = a;
	b.clauses[b.n_clauses++] = CL_NO_REFUND_1;
	cr_expect(replay_changed(&a, &b), "a clause more");
	b = a;
	b.n_remedies = 1;
	b.remedies[0] = (struct remedy){ REMEDY_FULL_REFUND, BEARER_SHOP, 1 };
	cr_expect(replay_changed(&a, &b), "a remedy");
	b = a;
	b.currency = cur("EUR");
	cr_expect(replay_changed(&a, &b), "the currency");
}

/* warranty.3: a paid repair charges 0 until quoted; the desk applies an
 * accepted quote to the stored decision; decide() alone cannot */
Test(replay_sum, an_accepted_quote_is_not_a_change)
{
	struct decision stored = dec(VERDICT_PAID_REPAIR, CL_WARRANTY_3,
				     "USD", 0);
	struct decision again;

	stored.charge_minor = 4200;
	stored.n_remedies = 1;
	stored.remedies[0] = (struct remedy){ REMEDY_REPAIR, BEARER_CUSTOMER,
					      4200 };
	again = stored;
	again.charge_minor = 0;
	again.remedies[0].amount_minor = 0;
	again.n_needs = 1;
	again.needs[0] = NEED_REPAIR_QUOTE;
	cr_expect(!replay_changed(&stored, &again));
	/* a charge from the facts (a material's cost rise) the quote
	 * replaced: the same */
	struct decision rise = again;

	rise.n_needs = 0;
	rise.charge_minor = 59879;
	rise.remedies[0].amount_minor = 59879;
	cr_expect(!replay_changed(&stored, &rise));
	/* anything else that differs still does */
	again.has_deadline = true;
	cr_expect(replay_changed(&stored, &again));
	/* and a stored decision still waiting for its quote is compared
	 * as it is */
	struct decision waiting = again;

	waiting.has_deadline = false;
	cr_expect(!replay_changed(&waiting, &waiting));
	waiting.charge_minor = 1;
	cr_expect(replay_changed(&again, &waiting));
}

/* ---- replay_run on a real store --------------------------------------- */

struct seen {
	int n;
	char ids[8][64];
	char before[8][1024], after[8][1024];
	int stop_at;                  /* > 0: return 7 at this call */
	int64_t last_done;
};

static int on_changed(void *arg, const struct replay_case *c)
{
	struct seen *s = arg;

	if (s->n < 8) {
		snprintf(s->ids[s->n], sizeof s->ids[0], "%.*s", (int)c->id.n,
			 c->id.p);
		snprintf(s->before[s->n], sizeof s->before[0], "%.*s",
			 (int)c->before_json.n, c->before_json.p);
		snprintf(s->after[s->n], sizeof s->after[0], "%.*s",
			 (int)c->after_json.n, c->after_json.p);
	}
	s->n++;
	return s->stop_at && s->n == s->stop_at ? 7 : 0;
}

static void on_progress(void *arg, int64_t done, int64_t total)
{
	struct seen *s = arg;

	(void)total;
	s->last_done = done;
}

/* the shop's policy with the contact window at 24 hours */
static struct policy_file *window_24h(void)
{
	struct policy_file *def = policy_file_default();
	size_t n;
	const char *b = policy_file_bytes(def, &n);
	char *text = malloc(n + 1);
	struct ac_err errs[4];
	int n_errs;

	memcpy(text, b, n);
	text[n] = '\0';
	char *at = strstr(text, "contact_window = 48h");

	cr_assert_not_null(at);
	memcpy(at, "contact_window = 24h", 20);
	struct policy_file *pf = policy_file_parse(text, n, errs, 4, &n_errs);

	cr_assert_not_null(pf);
	free(text);
	policy_file_free(def);
	return pf;
}

/* four cases: A and B wrong items claimed 30 hours after delivery (a
 * refund in 48 hours, none in 24), C 3 hours after (a refund either
 * way), D like A but overridden by staff */
static void four_cases(char ids[4][128])
{
	const char *orders[4] = { "R-A", "R-B", "R-C", "R-D" };
	int64_t ago[4] = { 30, 30, 3, 30 };
	struct t_case c;

	for (int i = 0; i < 4; i++) {
		t_order_delivered(orders[i], t_now - ago[i] * T_HOUR);
		t_must_open(orders[i], CLAIM_WRONG_ITEM, &c);
		cr_assert_eq(c.verdict, VERDICT_FULL_REFUND);
		snprintf(ids[i], 128, "%s", c.id);
	}
	cr_assert_eq(t_override("staff:ana", ids[3], VERDICT_NO_REFUND, -1,
				"test"), 0, "%s", t_err.msg);
}

Test(replay_run, decides_again_and_reports)
{
	struct policy_file *pf = window_24h(), *def = policy_file_default();
	struct replay_report r;
	struct seen s = { 0 };
	struct replay_hooks h = { &s, on_progress, on_changed };
	struct replay_filter f = { .jobs = 3 };
	struct ac_err err;
	char ids[4][128];

	four_cases(ids);
	cr_assert_eq(replay_run(t_store, policy_file_policy(pf), &f, &h, &r,
				&err), 0, "%s: %s", err.field, err.msg);
	cr_expect_eq(r.cases, 3);
	cr_expect_eq(r.overridden, 1);
	cr_expect_eq(r.failed, 0);
	/* C keeps its refund, but its deadline (delivery + the window)
	 * moves: a change too */
	cr_expect_eq(r.changed, 3);
	cr_expect_eq(s.n, 3);
	cr_expect_eq(s.last_done, 4);
	cr_expect_str_eq(s.ids[0], ids[0]);
	cr_expect_str_eq(s.ids[1], ids[1]);
	cr_expect_str_eq(s.ids[2], ids[2]);
	cr_expect(strstr(s.after[2], "\"verdict\":\"full_refund\""), "%s",
		  s.after[2]);
	cr_expect(strstr(s.before[0], "\"verdict\":\"full_refund\""), "%s",
		  s.before[0]);
	cr_expect(strstr(s.after[0], "\"verdict\":\"no_refund\""), "%s",
		  s.after[0]);
	cr_expect(strstr(s.after[0], policy_file_policy(pf)->version), "%s",
		  s.after[0]);
	cr_expect_eq(r.verdicts[VERDICT_FULL_REFUND][VERDICT_NO_REFUND], 2);
	cr_expect_eq(r.verdicts[VERDICT_FULL_REFUND][VERDICT_FULL_REFUND], 1);
	cr_expect_eq(r.clauses[CL_REFUND_1][CL_NO_REFUND_2], 2);
	cr_assert_eq(r.n_money, 1);
	cr_expect_eq(r.money[0].before_minor, 3 * T_PRICE);
	cr_expect_eq(r.money[0].after_minor, T_PRICE);
	/* every stored decision (the override too) was made under the
	 * shop's policy */
	cr_assert_eq(r.n_policies, 1);
	cr_expect_str_eq(r.policies[0].hash, policy_file_policy(def)->version);
	cr_expect_eq(r.policies[0].cases, 4);
	cr_expect_str_eq(r.policy, policy_file_policy(pf)->version);

	/* under the policy they were decided by, nothing changes */
	s.n = 0;
	cr_assert_eq(replay_run(t_store, policy_file_policy(def), NULL, &h,
				&r, &err), 0);
	cr_expect_eq(r.changed, 0);
	cr_expect_eq(s.n, 0);
	cr_expect_eq(r.money[0].before_minor, r.money[0].after_minor);
	policy_file_free(pf);
	policy_file_free(def);
}

Test(replay_run, filters)
{
	struct policy_file *pf = window_24h();
	struct replay_report r;
	struct ac_err err;
	char ids[4][128];
	struct replay_filter f = { 0 };

	four_cases(ids);
	/* support.h's CLAIM_* are claims; the enum's names are shadowed */
	f.has_claim_type = true;
	cr_assert_eq(claim_type_parse("damaged", 7, &f.claim_type), 0);
	cr_assert_eq(replay_run(t_store, policy_file_policy(pf), &f, NULL, &r,
				&err), 0);
	cr_expect_eq(r.cases + r.overridden, 0);
	cr_assert_eq(claim_type_parse("wrong_item", 10, &f.claim_type), 0);
	cr_assert_eq(replay_run(t_store, policy_file_policy(pf), &f, NULL, &r,
				&err), 0);
	cr_expect_eq(r.cases, 3);
	/* opened after now: none; at now: all (opened_at >= since) */
	f = (struct replay_filter){ .has_since = true, .since = t_now + 1 };
	cr_assert_eq(replay_run(t_store, policy_file_policy(pf), &f, NULL, &r,
				&err), 0);
	cr_expect_eq(r.cases + r.overridden, 0);
	f.since = t_now;
	cr_assert_eq(replay_run(t_store, policy_file_policy(pf), &f, NULL, &r,
				&err), 0);
	cr_expect_eq(r.cases + r.overridden, 4);
	/* the override moved D to decided; the others are open */
	f = (struct replay_filter){
		.status_mask = CASE_STATUS_BIT(CASE_STATUS_DECIDED) };
	cr_assert_eq(replay_run(t_store, policy_file_policy(pf), &f, NULL, &r,
				&err), 0);
	cr_expect_eq(r.overridden, 1);
	cr_expect_eq(r.cases, 0);
	policy_file_free(pf);
}

Test(replay_run, a_hook_stops_the_run)
{
	struct policy_file *pf = window_24h();
	struct replay_report r;
	struct seen s = { .stop_at = 1 };
	struct replay_hooks h = { &s, NULL, on_changed };
	struct ac_err err;
	char ids[4][128];

	four_cases(ids);
	cr_expect_eq(replay_run(t_store, policy_file_policy(pf), NULL, &h, &r,
				&err), 7);
	cr_expect_eq(s.n, 1);
	cr_expect_str_eq(err.msg, "stopped");
	/* the store is usable afterwards */
	struct t_case c;

	cr_expect_eq(t_get(ids[0], &c), 0);
	policy_file_free(pf);
}
