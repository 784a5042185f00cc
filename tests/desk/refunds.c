/* refunds.c: the refund rules, one test each (tests/desk).
 * A refund is never above what the decision (or override) allows less
 * what the case has refunded, never above what is left of the payment on
 * the order (over several cases), never on a resolved or closed case; its
 * Idempotency-Key answers a repeat once and refuses a key reused for
 * another request. After every refusal the test counts what the store
 * holds: no ledger entry, no idempotency record, no audit event. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

TestSuite(refunds, .init = t_setup, .fini = t_teardown);

#define S "token:test"

/* a wrong item delivered 3 hours ago: full refund of the ring, 52000 */
static void wrong_item(const char *order, struct t_case *c)
{
	t_order_delivered(order, t_now - 3 * T_HOUR);
	t_must_open(order, CLAIM_WRONG_ITEM, c);
	cr_assert_eq(c->verdict, VERDICT_FULL_REFUND);
	cr_assert_eq(c->refund_max_minor, T_PRICE);
}

/* refuse: the call is refused with code, naming field, and leaves no
 * trace of its key */
static void refuse(int rc, int code, const char *field, const char *key,
		   const char *what)
{
	cr_expect_eq(rc, code, "%s: want %s, got %s (%s)", what,
		     t_code_name(code), t_code_name(rc), t_err.msg);
	if (field)
		cr_expect_str_eq(t_err.field, field, "%s: field", what);
	if (key)
		cr_expect(!t_idem_exists(S, key), "%s: its key was stored",
			  what);
	cr_expect(!t_in_transaction(), "%s: a transaction left open", what);
}

Test(refunds, parts_up_to_the_decision_exactly)
{
	struct t_refund r;
	struct t_case c;

	wrong_item("O-1", &c);
	cr_assert_eq(t_refund(S, c.id, "a", 20000, &r), 0, "%s", t_err.msg);
	cr_expect_eq(r.amount_minor, 20000);
	cr_expect_eq(r.refunded_total_minor, 20000);
	cr_expect(!r.replayed);
	cr_assert_eq(t_refund(S, c.id, "b", 15000, &r), 0);
	cr_expect_eq(r.refunded_total_minor, 35000);
	/* 17000 is left: one minor unit more is refused */
	refuse(t_refund(S, c.id, "c", 17001, NULL), AC_EINVAL, "amount_minor",
	       "c", "one over the decision");
	cr_expect(strstr(t_err.msg, "decision") != NULL, "%s", t_err.msg);
	cr_expect_eq(t_ledger_entries(c.id), 2);
	cr_expect_eq(t_audit_count(c.id, "case.refund"), 2);
	t_get(c.id, &c);
	cr_expect_eq(c.status, CASE_STATUS_OPEN);
	cr_assert_eq(t_refund(S, c.id, "d", 17000, &r), 0, "%s", t_err.msg);
	cr_expect_eq(r.refunded_total_minor, T_PRICE);
	t_get(c.id, &c);
	cr_expect_eq(c.refunded_total_minor, T_PRICE);
	cr_expect_eq(t_ledger_refunded(c.id), T_PRICE);
	/* the whole allowance paid: resolved, and nothing more is paid */
	cr_expect_eq(c.status, CASE_STATUS_RESOLVED);
	refuse(t_refund(S, c.id, "e", 1, NULL), AC_ESTATE, NULL, "e",
	       "a refund on the resolved case");
	cr_expect_eq(t_ledger_entries(c.id), 3);
}

Test(refunds, in_one_go_and_one_over)
{
	struct t_refund r;
	struct t_case c;

	wrong_item("O-1", &c);
	refuse(t_refund(S, c.id, "a", T_PRICE + 1, NULL), AC_EINVAL,
	       "amount_minor", "a", "one over in one go");
	cr_expect_eq(t_ledger_entries(c.id), 0);
	cr_expect_eq(t_audit_count(c.id, "case.refund"), 0);
	cr_assert_eq(t_refund(S, c.id, "b", T_PRICE, &r), 0, "%s", t_err.msg);
	cr_expect_eq(r.refunded_total_minor, T_PRICE);
}

Test(refunds, partial_refund_cap)
{
	struct t_case c;

	/* a scratch: 20% of 52000 */
	t_order_delivered("O-1", t_now - 3 * T_HOUR);
	t_must_open("O-1", CLAIM_SCRATCH, &c);
	cr_assert_eq(c.verdict, VERDICT_PARTIAL_REFUND);
	cr_assert_eq(c.refund_max_minor, 10400);
	refuse(t_refund(S, c.id, "a", 10401, NULL), AC_EINVAL, "amount_minor",
	       "a", "one over the cap");
	cr_expect_eq(t_refund(S, c.id, "b", 10400, NULL), 0, "%s", t_err.msg);
}

Test(refunds, none_where_the_decision_allows_none)
{
	struct t_case c;

	t_order_delivered("O-1", t_now - 3 * T_HOUR);
	t_must_open("O-1", CLAIM_UNWANTED, &c);
	cr_assert_eq(c.verdict, VERDICT_NO_REFUND);
	refuse(t_refund(S, c.id, "a", 1, NULL), AC_EINVAL, "amount_minor",
	       "a", "no refund");
	t_order_investigating("O-2");
	t_must_open("O-2", CLAIM_NOT_RECEIVED, &c);
	cr_assert_eq(c.verdict, VERDICT_PENDING);
	refuse(t_refund(S, c.id, "b", 1, NULL), AC_EINVAL, "amount_minor",
	       "b", "pending");
	cr_expect_eq(t_ledger_entries(c.id), 0);
}

Test(refunds, amounts_below_one_refused)
{
	struct t_case c;

	wrong_item("O-1", &c);
	refuse(t_refund(S, c.id, "a", 0, NULL), AC_EINVAL, "amount_minor",
	       "a", "zero");
	refuse(t_refund(S, c.id, "b", -5, NULL), AC_EINVAL, NULL, "b",
	       "negative");
	cr_expect_eq(t_ledger_entries(c.id), 0);
}

Test(refunds, cancel_pays_items_and_shipping)
{
	struct t_refund r;
	struct t_case c;

	t_order_new("O-1");
	t_must_open("O-1", CLAIM_CANCEL, &c);
	cr_assert_eq(c.verdict, VERDICT_FULL_REFUND);
	cr_assert_eq(c.refund_max_minor, T_PAID);
	refuse(t_refund(S, c.id, "a", T_PAID + 1, NULL), AC_EINVAL,
	       "amount_minor", "a", "one over items and shipping");
	cr_assert_eq(t_refund(S, c.id, "b", T_PAID, &r), 0, "%s", t_err.msg);
	t_get(c.id, &c);
	cr_expect_eq(c.status, CASE_STATUS_RESOLVED);
}

/* What was paid, when the order says, caps every case of it. */
Test(refunds, never_above_what_was_paid)
{
	struct t_case c;

	t_order_delivered_paid("O-1", t_now - 3 * T_HOUR, 30000);
	t_must_open("O-1", CLAIM_WRONG_ITEM, &c);
	cr_assert_eq(c.refund_max_minor, T_PRICE);
	refuse(t_refund(S, c.id, "a", 30001, NULL), AC_EINVAL, "amount_minor",
	       "a", "one over what was paid");
	cr_expect(strstr(t_err.msg, "payment") != NULL, "%s", t_err.msg);
	cr_expect_eq(t_refund(S, c.id, "b", 10000, NULL), 0);
	refuse(t_refund(S, c.id, "c", 20001, NULL), AC_EINVAL, "amount_minor",
	       "c", "one over what is left of the payment");
	cr_expect_eq(t_refund(S, c.id, "d", 20000, NULL), 0, "%s", t_err.msg);
	cr_expect_eq(t_ledger_refunded(c.id), 30000);
}

/* Two cases of one order share what was paid (53500): each within its own
 * decision, together within the payment. */
Test(refunds, parts_across_cases_of_one_order)
{
	struct t_case a, b;

	wrong_item("O-1", &a);
	t_must_open("O-1", CLAIM_BROKEN, &b);
	cr_assert_eq(b.verdict, VERDICT_FULL_REFUND);
	cr_assert_eq(b.refund_max_minor, T_PRICE);
	cr_assert_eq(t_refund(S, a.id, "a1", 50000, NULL), 0);
	refuse(t_refund(S, b.id, "b1", 3501, NULL), AC_EINVAL, "amount_minor",
	       "b1", "one over what is left of the order");
	cr_expect(strstr(t_err.msg, "payment") != NULL, "%s", t_err.msg);
	cr_assert_eq(t_refund(S, b.id, "b2", 3000, NULL), 0, "%s", t_err.msg);
	cr_assert_eq(t_refund(S, b.id, "b3", 500, NULL), 0, "%s", t_err.msg);
	/* the case a has 2000 of its own left, the order nothing */
	refuse(t_refund(S, a.id, "a2", 1, NULL), AC_EINVAL, "amount_minor",
	       "a2", "nothing left of the order");
	cr_expect_eq(t_ledger_refunded(a.id) + t_ledger_refunded(b.id),
		     T_PAID);
}

Test(refunds, refused_on_closed_and_resolved_cases)
{
	struct t_case c;

	wrong_item("O-1", &c);
	cr_assert_eq(t_transition(c.id, CASE_STATUS_CLOSED, "withdrawn"), 0);
	refuse(t_refund(S, c.id, "a", 100, NULL), AC_ESTATE, NULL, "a",
	       "closed");
	cr_expect_eq(t_ledger_entries(c.id), 0);
	cr_expect_eq(t_audit_count(c.id, "case.refund"), 0);

	wrong_item("O-2", &c);
	cr_assert_eq(t_refund(S, c.id, "b", 100, NULL), 0);
	cr_assert_eq(t_approve(c.id), 0);
	cr_assert_eq(t_transition(c.id, CASE_STATUS_RESOLVED, NULL), 0);
	refuse(t_refund(S, c.id, "c", 100, NULL), AC_ESTATE, NULL, "c",
	       "resolved");
	cr_expect_eq(t_ledger_entries(c.id), 1);
}

Test(refunds, same_key_same_body_pays_once)
{
	struct t_refund first, again;
	struct t_case c;

	wrong_item("O-1", &c);
	cr_assert_eq(t_refund(S, c.id, "k", 20000, &first), 0);
	t_now += T_SEC;
	cr_assert_eq(t_refund(S, c.id, "k", 20000, &again), 0, "%s",
		     t_err.msg);
	cr_expect(!first.replayed);
	cr_expect(again.replayed);
	cr_expect_eq(again.id, first.id);
	cr_expect_eq(again.refunded_total_minor, 20000);
	cr_expect_eq(t_ledger_entries(c.id), 1);
	cr_expect_eq(t_ledger_refunded(c.id), 20000);
	cr_expect_eq(t_audit_count(c.id, "case.refund"), 1);
	/* still the first answer after the case moved on */
	cr_assert_eq(t_refund(S, c.id, "k2", 32000, NULL), 0);
	cr_assert_eq(t_refund(S, c.id, "k", 20000, &again), 0);
	cr_expect(again.replayed);
	cr_expect_eq(again.refunded_total_minor, 20000);
	cr_expect_eq(t_ledger_entries(c.id), 2);
}

Test(refunds, same_key_other_body_conflicts)
{
	struct t_case c, d;

	wrong_item("O-1", &c);
	cr_assert_eq(t_refund(S, c.id, "k", 20000, NULL), 0);
	refuse(t_refund(S, c.id, "k", 20001, NULL), AC_ECONFLICT,
	       "Idempotency-Key", NULL, "another amount");
	/* the same body on another case is another request */
	wrong_item("O-2", &d);
	refuse(t_refund(S, d.id, "k", 20000, NULL), AC_ECONFLICT,
	       "Idempotency-Key", NULL, "another case");
	cr_expect_eq(t_ledger_entries(c.id), 1);
	cr_expect_eq(t_ledger_entries(d.id), 0);
	cr_expect_eq(t_audit_count(d.id, "case.refund"), 0);
}

Test(refunds, keys_are_per_scope)
{
	struct t_refund a, b;
	struct t_case c;

	wrong_item("O-1", &c);
	cr_assert_eq(t_refund("token:ann", c.id, "k", 1000, &a), 0);
	cr_assert_eq(t_refund("token:bob", c.id, "k", 1000, &b), 0, "%s",
		     t_err.msg);
	cr_expect(!b.replayed);
	cr_expect_neq(a.id, b.id);
	cr_expect_eq(b.refunded_total_minor, 2000);
	cr_expect_eq(t_ledger_entries(c.id), 2);
	cr_expect(t_idem_exists("token:ann", "k"));
	cr_expect(t_idem_exists("token:bob", "k"));
	cr_expect(!t_idem_exists("token:cyd", "k"));
}

/* A refused refund stores no key: the same key may then pay. */
Test(refunds, refused_refund_keeps_no_key)
{
	struct t_refund r;
	struct t_case c;

	wrong_item("O-1", &c);
	refuse(t_refund(S, c.id, "k", T_PRICE + 1, NULL), AC_EINVAL,
	       "amount_minor", "k", "over");
	cr_assert_eq(t_refund(S, c.id, "k", 100, &r), 0, "%s", t_err.msg);
	cr_expect(!r.replayed);
}

Test(refunds, key_required_and_bounded)
{
	char key[300];
	struct t_case c;

	wrong_item("O-1", &c);
	refuse(t_refund(S, c.id, "", 100, NULL), AC_EINVAL,
	       "Idempotency-Key", NULL, "empty key");
	refuse(t_refund(S, c.id, NULL, 100, NULL), AC_EINVAL,
	       "Idempotency-Key", NULL, "no key");
	memset(key, 'k', 256);
	key[256] = '\0';
	refuse(t_refund(S, c.id, key, 100, NULL), AC_EINVAL,
	       "Idempotency-Key", NULL, "a 256-byte key");
	key[255] = '\0';
	cr_expect_eq(t_refund(S, c.id, key, 100, NULL), 0, "%s", t_err.msg);
	cr_expect_eq(t_ledger_entries(c.id), 1);
}

/* Eight desks on their own connections at once, one key and one body:
 * one refund, seven replays of it. */
Test(refunds, concurrent_same_key)
{
	const char *keys[8];
	int64_t amounts[8];
	int rcs[8], replays = 0;
	bool replayed[8];
	struct t_case c;

	wrong_item("O-1", &c);
	for (int i = 0; i < 8; i++) {
		keys[i] = "same";
		amounts[i] = 30000;
	}
	t_refund_parallel(8, S, c.id, keys, amounts, rcs, replayed);
	for (int i = 0; i < 8; i++) {
		cr_expect_eq(rcs[i], 0, "refund %d: %s", i,
			     t_code_name(rcs[i]));
		replays += replayed[i];
	}
	cr_expect_eq(replays, 7);
	cr_expect_eq(t_ledger_entries(c.id), 1);
	cr_expect_eq(t_ledger_refunded(c.id), 30000);
}

/* Eight keys at once, each for 60% of the limit: exactly one is paid. */
Test(refunds, concurrent_keys_one_paid)
{
	static const char *const keys[8] = { "k0", "k1", "k2", "k3", "k4",
					     "k5", "k6", "k7" };
	int64_t amounts[8];
	int rcs[8], paid = 0;
	bool replayed[8];
	struct t_case c;

	wrong_item("O-1", &c);
	for (int i = 0; i < 8; i++)
		amounts[i] = T_PRICE * 6 / 10;
	t_refund_parallel(8, S, c.id, keys, amounts, rcs, replayed);
	for (int i = 0; i < 8; i++) {
		cr_expect(rcs[i] == 0 || rcs[i] == AC_EINVAL, "refund %d: %s",
			  i, t_code_name(rcs[i]));
		paid += rcs[i] == 0;
		cr_expect_eq(t_idem_exists(S, keys[i]), rcs[i] == 0);
	}
	cr_expect_eq(paid, 1);
	cr_expect_eq(t_ledger_entries(c.id), 1);
	cr_expect_eq(t_ledger_refunded(c.id), T_PRICE * 6 / 10);
}
