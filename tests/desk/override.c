/* override.c: staff overrides and re-decision by courier facts
 * (tests/desk). An override needs a written reason, shows its author,
 * may not allow more than was paid, and refunds then follow it; a courier
 * fact decides again the order's cases that are open, waiting or decided,
 * never resolved, closed or overridden ones. The fake clock and the
 * facts' times are put one microsecond before and at each boundary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

TestSuite(override, .init = t_setup, .fini = t_teardown);
TestSuite(redecide, .init = t_setup, .fini = t_teardown);

#define S "token:test"

static void unwanted(const char *order, struct t_case *c)
{
	t_order_delivered(order, t_now - 3 * T_HOUR);
	t_must_open(order, CLAIM_UNWANTED, c);
	cr_assert_eq(c->verdict, VERDICT_NO_REFUND);
}

/* refused: the code and field, and the case as it was */
static void refused(const char *id, int rc, int code, const char *field,
		    const struct t_snap *before, const char *what)
{
	struct t_snap after;

	cr_expect_eq(rc, code, "%s: want %s, got %s (%s)", what,
		     t_code_name(code), t_code_name(rc), t_err.msg);
	if (field)
		cr_expect_str_eq(t_err.field, field, "%s", what);
	t_snap(id, &after);
	cr_expect(t_snap_eq(before, &after), "%s: the case changed", what);
	cr_expect(!t_in_transaction(), "%s: a transaction left open", what);
}

Test(override, needs_a_reason)
{
	struct t_snap before;
	struct t_case c;

	unwanted("O-1", &c);
	t_now += T_SEC;
	t_snap(c.id, &before);
	refused(c.id, t_override("token:lead", c.id, VERDICT_PARTIAL_REFUND,
				 5000, NULL), AC_EINVAL, "reason", &before,
		"no reason");
	refused(c.id, t_override("token:lead", c.id, VERDICT_PARTIAL_REFUND,
				 5000, ""), AC_EINVAL, "reason", &before,
		"an empty reason");
	cr_expect_eq(t_audit_count(c.id, "case.override"), 0);
}

Test(override, shows_its_author_and_is_audited)
{
	struct t_case c;

	unwanted("O-1", &c);
	t_now += T_SEC;
	cr_assert_eq(t_override("token:lead", c.id, VERDICT_PARTIAL_REFUND,
				5000, "goodwill"), 0, "%s", t_err.msg);
	t_get(c.id, &c);
	cr_expect(c.overridden);
	cr_expect_str_eq(c.override_author, "token:lead");
	cr_expect_eq(c.verdict, VERDICT_PARTIAL_REFUND);
	cr_expect_eq(c.refund_max_minor, 5000);
	cr_expect_eq(c.status, CASE_STATUS_DECIDED);
	cr_expect_eq(t_audit_count(c.id, "case.override"), 1);
}

Test(override, refund_verdicts_need_their_limit)
{
	struct t_snap before;
	struct t_case c;

	unwanted("O-1", &c);
	t_now += T_SEC;
	t_snap(c.id, &before);
	refused(c.id, t_override("token:lead", c.id, VERDICT_FULL_REFUND, -1,
				 "x"), AC_EINVAL, "refund_max_minor", &before,
		"a refund verdict without a limit");
	refused(c.id, t_override("token:lead", c.id, VERDICT_FREE_REPAIR, 100,
				 "x"), AC_EINVAL, "refund_max_minor", &before,
		"a repair that refunds");
	cr_expect_eq(t_override("token:lead", c.id, VERDICT_FREE_REPAIR, 0,
				"x"), 0, "%s", t_err.msg);
}

/* Never more than was paid: the order's total, or its paid_minor. */
Test(override, limit_above_what_was_paid_refused)
{
	struct t_snap before;
	struct t_case c;

	unwanted("O-1", &c);
	t_now += T_SEC;
	t_snap(c.id, &before);
	refused(c.id, t_override("token:lead", c.id, VERDICT_FULL_REFUND,
				 T_PAID + 1, "x"), AC_EINVAL,
		"refund_max_minor", &before, "one over the order's total");
	cr_expect_eq(t_override("token:lead", c.id, VERDICT_FULL_REFUND,
				T_PAID, "x"), 0, "%s", t_err.msg);
	t_get(c.id, &c);
	cr_expect_eq(c.refund_max_minor, T_PAID);

	t_order_delivered_paid("O-2", t_now - 3 * T_HOUR, 30000);
	t_must_open("O-2", CLAIM_UNWANTED, &c);
	t_now += T_SEC;
	t_snap(c.id, &before);
	refused(c.id, t_override("token:lead", c.id, VERDICT_FULL_REFUND,
				 30001, "x"), AC_EINVAL, "refund_max_minor",
		&before, "one over paid_minor");
	cr_expect_eq(t_override("token:lead", c.id, VERDICT_FULL_REFUND,
				30000, "x"), 0, "%s", t_err.msg);
}

Test(override, refunds_follow_the_override)
{
	struct t_case c;

	/* up: a case with no refund gets one */
	unwanted("O-1", &c);
	cr_assert_eq(t_refund(S, c.id, "a", 1, NULL), AC_EINVAL);
	cr_assert_eq(t_override("token:lead", c.id, VERDICT_PARTIAL_REFUND,
				5000, "goodwill"), 0);
	cr_expect_eq(t_refund(S, c.id, "b", 5001, NULL), AC_EINVAL);
	cr_expect_eq(t_refund(S, c.id, "c", 5000, NULL), 0, "%s", t_err.msg);
	t_get(c.id, &c);
	cr_expect_eq(c.status, CASE_STATUS_RESOLVED);

	/* down: a full refund cut to 10000 */
	t_order_delivered("O-2", t_now - 3 * T_HOUR);
	t_must_open("O-2", CLAIM_WRONG_ITEM, &c);
	cr_assert_eq(t_override("token:lead", c.id, VERDICT_PARTIAL_REFUND,
				10000, "kept the ring"), 0);
	cr_expect_eq(t_refund(S, c.id, "d", 10001, NULL), AC_EINVAL);
	cr_expect_eq(t_refund(S, c.id, "e", 10000, NULL), 0, "%s", t_err.msg);

	/* below what was already refunded: nothing more */
	t_order_delivered("O-3", t_now - 3 * T_HOUR);
	t_must_open("O-3", CLAIM_WRONG_ITEM, &c);
	cr_assert_eq(t_refund(S, c.id, "f", 20000, NULL), 0);
	cr_assert_eq(t_override("token:lead", c.id, VERDICT_PARTIAL_REFUND,
				10000, "too generous"), 0);
	cr_expect_eq(t_refund(S, c.id, "g", 1, NULL), AC_EINVAL);

	/* to no refund: none */
	t_order_delivered("O-4", t_now - 3 * T_HOUR);
	t_must_open("O-4", CLAIM_WRONG_ITEM, &c);
	cr_assert_eq(t_override("token:lead", c.id, VERDICT_NO_REFUND, -1,
				"customer's choice"), 0, "%s", t_err.msg);
	cr_expect_eq(t_refund(S, c.id, "h", 1, NULL), AC_EINVAL);
	cr_expect_eq(t_ledger_entries(c.id), 0);
}

/* ---- re-decision ------------------------------------------------------ */

/* A lost parcel re-decides the open case, not the overridden, resolved
 * or closed ones of the same order. */
Test(redecide, skips_overridden_resolved_closed)
{
	struct t_snap b_ov, b_res, b_cl, a;
	struct t_case open, ov, res, cl;
	int n = -1;

	t_order_investigating("O-1");
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &open);
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &ov);
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &res);
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &cl);
	cr_assert_eq(open.verdict, VERDICT_PENDING);
	cr_assert_eq(open.status, CASE_STATUS_WAITING);
	cr_assert_eq(t_override("token:lead", ov.id, VERDICT_PARTIAL_REFUND,
				1000, "goodwill while it is found"), 0);
	t_force_status(res.id, CASE_STATUS_RESOLVED);
	cr_assert_eq(t_transition(cl.id, CASE_STATUS_CLOSED, "duplicate"), 0);
	t_now += T_SEC;
	t_snap(ov.id, &b_ov);
	t_snap(res.id, &b_res);
	t_snap(cl.id, &b_cl);
	cr_assert_eq(t_tracking("O-1", "lost_confirmed", t_now, &n), 0, "%s",
		     t_err.msg);
	cr_expect_eq(n, 1);
	t_get(open.id, &open);
	cr_expect_eq(open.verdict, VERDICT_FULL_REFUND);
	cr_expect_eq(open.refund_max_minor, T_PAID);
	cr_expect_eq(open.status, CASE_STATUS_OPEN);
	cr_expect_eq(t_audit_count(open.id, "case.redecide"), 1);
	t_snap(ov.id, &a);
	cr_expect(t_snap_eq(&b_ov, &a), "the overridden case was re-decided");
	t_get(ov.id, &ov);
	cr_expect_eq(ov.verdict, VERDICT_PARTIAL_REFUND);
	cr_expect_eq(ov.refund_max_minor, 1000);
	t_snap(res.id, &a);
	cr_expect(t_snap_eq(&b_res, &a), "the resolved case was re-decided");
	t_snap(cl.id, &a);
	cr_expect(t_snap_eq(&b_cl, &a), "the closed case was re-decided");
	/* refunds follow the new decision */
	cr_expect_eq(t_refund(S, open.id, "a", T_PAID, NULL), 0, "%s",
		     t_err.msg);
}

/* A new shipment re-decides too, with the same skips. */
Test(redecide, by_a_new_shipment)
{
	struct t_snap before, after;
	struct t_case lost, ov;
	int n = -1;

	t_order_investigating("O-1");
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &lost);
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &ov);
	cr_assert_eq(t_override("token:lead", ov.id, VERDICT_NO_REFUND, -1,
				"sent again"), 0);
	t_now += T_SEC;
	t_snap(ov.id, &before);
	cr_assert_eq(t_shipment("O-1", t_now - 10 * T_DAY, 0,
				"lost_confirmed", NULL, &n), 0, "%s",
		     t_err.msg);
	cr_expect_eq(n, 1);
	t_get(lost.id, &lost);
	cr_expect_eq(lost.verdict, VERDICT_FULL_REFUND);
	cr_expect_eq(lost.status, CASE_STATUS_OPEN);
	t_snap(ov.id, &after);
	cr_expect(t_snap_eq(&before, &after));
	cr_expect_eq(t_audit_count(lost.id, "case.redecide"), 1);
	/* an order unknown: nothing to re-decide */
	cr_expect_eq(t_shipment("O-NONE", t_now, 0, NULL, NULL, NULL),
		     AC_ENOTFOUND);
}

/* A verdict that changes opens the case again, or makes it wait when the
 * new verdict is pending: found lost, then under investigation again. */
Test(redecide, a_new_verdict_sets_the_status)
{
	struct t_case c;

	t_order_investigating("O-1");
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &c);
	cr_assert_eq(t_tracking("O-1", "lost_confirmed", t_now, NULL), 0);
	cr_assert_eq(t_approve(c.id), 0);
	t_get(c.id, &c);
	cr_assert_eq(c.status, CASE_STATUS_DECIDED);
	t_now += T_SEC;
	cr_assert_eq(t_tracking("O-1", "investigating", t_now, NULL), 0);
	t_get(c.id, &c);
	cr_expect_eq(c.verdict, VERDICT_PENDING);
	cr_expect_eq(c.status, CASE_STATUS_WAITING);
	t_now += T_SEC;
	cr_assert_eq(t_tracking("O-1", "lost_confirmed", t_now, NULL), 0);
	t_get(c.id, &c);
	cr_expect_eq(c.verdict, VERDICT_FULL_REFUND);
	cr_expect_eq(c.status, CASE_STATUS_OPEN);
}

/* A fact that changes nothing still re-decides, and a recorded-only
 * event (in_transit) re-decides nothing. */
Test(redecide, recorded_only_events)
{
	struct t_snap before, after;
	struct t_case c;
	int n = -1;

	t_order_investigating("O-1");
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &c);
	t_now += T_SEC;
	t_snap(c.id, &before);
	cr_assert_eq(t_tracking("O-1", "in_transit", t_now, &n), 0);
	cr_expect_eq(n, 0);
	t_snap(c.id, &after);
	cr_expect(t_snap_eq(&before, &after));
	cr_assert_eq(t_tracking("O-1", "investigating", t_now, &n), 0);
	cr_expect_eq(n, 1);
	t_get(c.id, &c);
	cr_expect_eq(c.verdict, VERDICT_PENDING);
	cr_expect_eq(c.status, CASE_STATUS_WAITING);
}

/* A delivery recorded later moves the 48-hour window: a claim made at T
 * is in time for a delivery at T - 48h exactly, and late for one a
 * microsecond earlier. The claim keeps its opening time however late the
 * fact arrives. */
static enum verdict damaged_then_delivered(const char *order,
					   int64_t before_claim)
{
	struct t_order o = {
		.id = order,
		.placed_at = t_now - 12 * T_DAY,
		.shipped = true,
		.shipped_at = t_now - 10 * T_DAY,
	};
	int64_t opened = t_now;
	struct t_case c;
	int n = -1;

	cr_assert_eq(t_order_create(&o), 0, "%s", t_err.msg);
	t_must_open(order, CLAIM_SCRATCH, &c);
	t_now += 3 * T_DAY;             /* the courier's news comes late */
	cr_assert_eq(t_tracking(order, "delivered", opened - before_claim,
				&n), 0, "%s", t_err.msg);
	cr_expect_eq(n, 1);
	t_get(c.id, &c);
	return c.verdict;
}

Test(redecide, contact_window_boundary)
{
	cr_expect_eq(damaged_then_delivered("O-1", 48 * T_HOUR),
		     VERDICT_PARTIAL_REFUND, "at 48 hours: in time");
	cr_expect_neq(damaged_then_delivered("O-2", 48 * T_HOUR + T_US),
		      VERDICT_PARTIAL_REFUND, "48 hours and 1us: late");
	cr_expect_eq(damaged_then_delivered("O-3", 48 * T_HOUR - T_US),
		     VERDICT_PARTIAL_REFUND, "48 hours less 1us: in time");
}

/* The clock opens the claim: a cancel a microsecond before the
 * production cut-off (24 hours after the order) gets everything back; at
 * the cut-off, nothing. */
Test(redecide, cancel_cutoff_by_the_clock)
{
	struct t_order o = { .id = "O-1", .placed_at = T0 };
	struct t_case c;

	cr_assert_eq(t_order_create(&o), 0);
	t_now = T0 + 24 * T_HOUR - T_US;
	t_must_open("O-1", CLAIM_CANCEL, &c);
	cr_expect_eq(c.verdict, VERDICT_FULL_REFUND);
	cr_expect(c.has_deadline);
	cr_expect_eq(c.deadline, T0 + 24 * T_HOUR);
	t_now = T0 + 24 * T_HOUR;
	t_must_open("O-1", CLAIM_CANCEL, &c);
	cr_expect_eq(c.verdict, VERDICT_NO_REFUND);
}
