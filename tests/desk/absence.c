/* absence.c: a store that fails is not a row that is absent (tests/desk).
 * Under every injected fault, reading a quoted case either fails or shows
 * its quote; a refund whose key was used either fails or gives the first
 * refund again, never pays twice; re-deciding a paid repair either fails
 * or keeps the accepted quote's charge. Before issue 6 each of the three
 * read a store error as "none" and went on. */
#include <criterion/criterion.h>

#include "support.h"

TestSuite(absence, .init = t_setup, .fini = t_teardown);

#define S "token:test"
#define MAX_STEPS 400

/* a paid repair (warranty.2, the material cost rose) quoted at 9000 */
static void quoted(const char *order, struct t_case *c)
{
	t_order_delivered(order, t_now - 100 * T_DAY);
	t_must_open(order, CLAIM_PAID_REPAIR, c);
	cr_assert_eq(c->verdict, VERDICT_PAID_REPAIR);
	cr_assert_eq(t_quote(c->id, 9000, 0), 0, "%s", t_err.msg);
}

Test(absence, a_quote_read_under_faults_is_shown_or_the_read_fails)
{
	struct t_case c;
	int n, failed = 0;

	quoted("O-1", &c);
	for (n = 0; n < MAX_STEPS; n++) {
		int rc;

		t_fail_after(n);
		rc = t_get(c.id, &c);
		t_fail_after(-1);
		if (rc) {
			cr_assert_eq(rc, AC_EIO, "n=%d: %s", n,
				     t_code_name(rc));
			failed++;
			continue;
		}
		cr_assert(c.has_quote, "n=%d: the quote read as absent", n);
		break;
	}
	cr_assert_lt(n, MAX_STEPS);
	/* the read is one statement: the first fault reaches it */
	cr_assert_geq(failed, 1, "no injected fault reached the read");
}

Test(absence, a_used_key_under_faults_never_pays_twice)
{
	struct t_refund first = { 0 }, again = { 0 };
	struct t_case c;
	int n;

	t_order_delivered("O-2", t_now - 3 * T_HOUR);
	t_must_open("O-2", CLAIM_WRONG_ITEM, &c);
	cr_assert_eq(t_refund(S, c.id, "k", 20000, &first), 0);
	for (n = 0; n < MAX_STEPS; n++) {
		int rc;

		t_fail_after(n);
		rc = t_refund(S, c.id, "k", 20000, &again);
		t_fail_after(-1);
		cr_assert_eq(t_ledger_entries(c.id), 1, "n=%d: paid twice",
			     n);
		if (rc) {
			cr_assert_eq(rc, AC_EIO, "n=%d: %s: %s", n,
				     t_code_name(rc), t_err.msg);
			continue;
		}
		cr_assert(again.replayed, "n=%d", n);
		cr_assert_eq(again.id, first.id);
		cr_assert_eq(again.refunded_total_minor, 20000);
		break;
	}
	cr_assert_lt(n, MAX_STEPS);
}

Test(absence, a_redecision_under_faults_keeps_the_accepted_charge)
{
	struct t_case c;
	int n, redecided = 0;

	quoted("O-3", &c);
	cr_assert_eq(t_quote_action(c.id, "accept"), 0, "%s", t_err.msg);
	for (n = 0; n < MAX_STEPS; n++) {
		int rc;

		t_now += T_SEC;
		t_fail_after(n);
		rc = t_shipment("O-3", t_now - 104 * T_DAY,
				t_now - 100 * T_DAY, NULL, NULL, &redecided);
		t_fail_after(-1);
		cr_assert_eq(t_get(c.id, &c), 0);
		cr_assert_eq(c.charge_minor, 9000, "n=%d: the quote's charge "
			     "was lost", n);
		if (rc == 0)
			break;
		cr_assert_eq(rc, AC_EIO, "n=%d: %s", n, t_code_name(rc));
	}
	cr_assert_lt(n, MAX_STEPS);
	cr_assert_eq(redecided, 1);
}
