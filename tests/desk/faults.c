/* faults.c: injected store faults (tests/desk).
 * store_test_fail_after(n) lets n statement steps run and fails the next
 * one. Each loop runs a desk call with n = 0, 1, 2, ... until it
 * succeeds; after every failed attempt it checks that the call left all
 * of its writes or none (for a refund: the ledger entry, the idempotency
 * record and the audit event), that no transaction stays open, and at the
 * end that the retry that succeeds does its work exactly once. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

TestSuite(faults, .init = t_setup, .fini = t_teardown);

#define S "token:test"
#define MAX_STEPS 400           /* more than any call here takes */

/* A refund's three records, counted behind the desk. */
struct trio {
	int ledger, idem, audit;
};

static struct trio trio(const char *case_id, const char *key)
{
	struct trio t = {
		t_ledger_entries(case_id),
		t_idem_exists(S, key),
		t_audit_count(case_id, "case.refund"),
	};

	return t;
}

static void wrong_item(const char *order, struct t_case *c)
{
	t_order_delivered(order, t_now - 3 * T_HOUR);
	t_must_open(order, CLAIM_WRONG_ITEM, c);
}

Test(faults, refund_all_or_nothing)
{
	struct t_refund r = { 0 };
	struct t_case c;
	int n, failed = 0;

	wrong_item("O-1", &c);
	for (n = 0; n < MAX_STEPS; n++) {
		struct trio t;
		int rc;

		t_now += T_SEC;
		t_fail_after(n);
		rc = t_refund(S, c.id, "k", 20000, &r);
		t_fail_after(-1);
		cr_assert(!t_in_transaction(), "n=%d: a transaction was left "
			  "open", n);
		t = trio(c.id, "k");
		if (rc == 0)
			break;
		failed++;
		cr_expect_eq(rc, AC_EIO, "n=%d: %s (%s: %s)", n,
			     t_code_name(rc), t_err.field, t_err.msg);
		cr_assert(t.ledger == 0 && t.idem == 0 && t.audit == 0,
			  "n=%d: a failed refund left ledger %d, key %d, "
			  "audit %d", n, t.ledger, t.idem, t.audit);
	}
	cr_assert_lt(n, MAX_STEPS, "the refund never succeeded");
	cr_expect_gt(failed, 3, "the loop injected too few faults");
	cr_expect(!r.replayed, "the first success was a replay");
	cr_expect_eq(r.refunded_total_minor, 20000);
	struct trio t = trio(c.id, "k");

	cr_expect(t.ledger == 1 && t.idem == 1 && t.audit == 1,
		  "ledger %d, key %d, audit %d", t.ledger, t.idem, t.audit);
	/* the client's own retry now replays it */
	cr_assert_eq(t_refund(S, c.id, "k", 20000, &r), 0);
	cr_expect(r.replayed);
	cr_expect_eq(t_ledger_entries(c.id), 1);
	cr_expect_eq(t_ledger_refunded(c.id), 20000);
}

/* A repeat of a paid refund under faults: each attempt fails with the
 * store's error or replays the first answer; a store error is never read
 * as a key not seen, so nothing is paid twice. */
Test(faults, replay_under_faults)
{
	struct t_refund r;
	struct t_case c;
	int n, replays = 0;

	wrong_item("O-1", &c);
	cr_assert_eq(t_refund(S, c.id, "k", 20000, NULL), 0);
	for (n = 0; n < 40; n++) {
		int rc;

		t_fail_after(n);
		rc = t_refund(S, c.id, "k", 20000, &r);
		t_fail_after(-1);
		cr_assert(!t_in_transaction(), "n=%d", n);
		cr_assert(rc == AC_EIO || (rc == 0 && r.replayed),
			  "n=%d: %s (%s: %s)", n, t_code_name(rc),
			  t_err.field, t_err.msg);
		replays += rc == 0;
		cr_assert_eq(t_ledger_entries(c.id), 1, "n=%d", n);
		cr_assert_eq(t_audit_count(c.id, "case.refund"), 1, "n=%d",
			     n);
	}
	cr_expect_gt(replays, 30);
}

/* The refund that pays the whole allowance also resolves the case: the
 * status goes with the payment or not at all. */
Test(faults, refund_resolving_all_or_nothing)
{
	struct t_case c;
	int n;

	wrong_item("O-1", &c);
	for (n = 0; n < MAX_STEPS; n++) {
		struct t_case now;
		int rc;

		t_fail_after(n);
		rc = t_refund(S, c.id, "all", T_PRICE, NULL);
		t_fail_after(-1);
		t_get(c.id, &now);
		if (rc == 0) {
			cr_expect_eq(now.status, CASE_STATUS_RESOLVED);
			break;
		}
		cr_assert_eq(now.status, CASE_STATUS_OPEN, "n=%d", n);
		cr_assert_eq(t_ledger_entries(c.id), 0, "n=%d", n);
	}
	cr_assert_lt(n, MAX_STEPS);
	cr_expect_eq(t_ledger_refunded(c.id), T_PRICE);
}

/* In a group commit a failed refund undoes only itself: the next call of
 * the same batch pays, and the batch commits it. */
Test(faults, refund_in_a_batch)
{
	struct t_case c;
	int n;

	wrong_item("O-1", &c);
	for (n = 0; n < MAX_STEPS; n++) {
		char key[32];
		struct trio t;
		int rc;

		snprintf(key, sizeof key, "b-%d", n);
		cr_assert_eq(t_batch_begin(), 0, "%s", t_err.msg);
		t_fail_after(n);
		rc = t_refund(S, c.id, key, 100, NULL);
		t_fail_after(-1);
		t = trio(c.id, key);
		if (rc == 0) {
			cr_assert_eq(t_batch_commit(), 0);
			break;
		}
		/* the n refunds of the earlier rounds, not this one */
		cr_assert(t.idem == 0 && t.ledger == n && t.audit == n,
			  "n=%d: ledger %d, key %d, audit %d (%s: %s)", n,
			  t.ledger, t.idem, t.audit, t_err.field, t_err.msg);
		/* the batch goes on: another refund in it pays */
		snprintf(key, sizeof key, "ok-%d", n);
		cr_assert_eq(t_refund(S, c.id, key, 1, NULL), 0,
			     "n=%d: the batch cannot go on: %s", n, t_err.msg);
		cr_assert_eq(t_batch_commit(), 0, "n=%d: %s", n, t_err.msg);
		cr_assert(t_idem_exists(S, key));
		cr_assert_eq(t_ledger_entries(c.id), n + 1);
	}
	cr_assert_lt(n, MAX_STEPS);
	cr_expect_eq(t_ledger_entries(c.id), n + 1);
	cr_expect_eq(t_audit_count(c.id, "case.refund"), n + 1);
}

/* A whole batch under one fault anywhere, its commit included: a call
 * that failed left nothing; when the commit fails, no call of the batch
 * left anything; otherwise every call that succeeded is stored. */
Test(faults, batch_commit_all_or_nothing)
{
	struct t_case c;
	int n;

	wrong_item("O-1", &c);
	for (n = 0; n < MAX_STEPS; n++) {
		char ka[32], kb[32];
		int ra, rb, rcommit;
		struct trio a, b;

		snprintf(ka, sizeof ka, "a-%d", n);
		snprintf(kb, sizeof kb, "b-%d", n);
		int before = t_ledger_entries(c.id);

		cr_assert_eq(t_batch_begin(), 0, "%s", t_err.msg);
		t_fail_after(n);
		ra = t_refund(S, c.id, ka, 10, NULL);
		rb = t_refund(S, c.id, kb, 20, NULL);
		rcommit = t_batch_commit();
		t_fail_after(-1);
		cr_assert(!t_in_transaction(), "n=%d", n);
		a = trio(c.id, ka);
		b = trio(c.id, kb);
		if (rcommit) {
			cr_assert(!a.idem && !b.idem, "n=%d: a failed batch "
				  "kept a key", n);
			cr_assert_eq(t_ledger_entries(c.id), before, "n=%d",
				     n);
			continue;
		}
		cr_assert_eq(a.idem, ra == 0, "n=%d: a: rc %s, key %d", n,
			     t_code_name(ra), a.idem);
		cr_assert_eq(b.idem, rb == 0, "n=%d: b: rc %s, key %d", n,
			     t_code_name(rb), b.idem);
		cr_assert_eq(t_ledger_entries(c.id),
			     before + (ra == 0) + (rb == 0), "n=%d", n);
		cr_assert_eq(t_audit_count(c.id, "case.refund"),
			     t_ledger_entries(c.id), "n=%d", n);
		if (ra == 0 && rb == 0)
			break;
	}
	cr_assert_lt(n, MAX_STEPS);
}

Test(faults, open_case_all_or_nothing)
{
	struct t_case c;
	int n;

	t_order_delivered("O-1", t_now - 3 * T_HOUR);
	for (n = 0; n < MAX_STEPS; n++) {
		int rc;

		t_fail_after(n);
		rc = t_open("O-1", CLAIM_WRONG_ITEM, &c);
		t_fail_after(-1);
		cr_assert(!t_in_transaction(), "n=%d", n);
		if (rc == 0)
			break;
		cr_assert_eq(t_case_count("O-1"), 0, "n=%d: a case was kept "
			     "(%s: %s: %s)", n, t_code_name(rc), t_err.field,
			     t_err.msg);
		cr_assert_eq(t_audit_count(NULL, "case.open"), 0, "n=%d", n);
	}
	cr_assert_lt(n, MAX_STEPS);
	cr_expect_eq(t_case_count("O-1"), 1);
	cr_expect_eq(t_audit_count(c.id, "case.open"), 1);
	cr_expect_eq(c.verdict, VERDICT_FULL_REFUND);
	struct t_snap s;

	t_snap(c.id, &s);
	cr_expect_gt(s.decision_id, 0);
}

/* case_number: the number in a case id the store picked (C-000042). */
static long case_number(const char *id)
{
	cr_assert_eq(strncmp(id, "C-", 2), 0, "%s", id);
	return strtol(id + 2, NULL, 10);
}

/* Three cases opened in one group commit, the second failing at each
 * store step in turn: the other two are stored, numbered one after the
 * other (the failed one took no number), each with its own decision,
 * read back as it was answered. On PostgreSQL a case after the batch's
 * first goes out with its request's other writes, its number and its
 * decision's id settled beforehand (postgres.c, put_case_next). */
Test(faults, cases_opened_in_a_batch)
{
	int n;

	t_order_delivered("O-1", t_now - 3 * T_HOUR);
	for (n = 0; n < MAX_STEPS; n++) {
		struct t_case a, b, c, got;
		int rb;

		cr_assert_eq(t_batch_begin(), 0, "%s", t_err.msg);
		cr_assert_eq(t_open("O-1", CLAIM_UNWANTED, &a), 0, "%s",
			     t_err.msg);
		t_fail_after(n);
		rb = t_open("O-1", CLAIM_BROKEN, &b);
		t_fail_after(-1);
		cr_assert_eq(t_open("O-1", CLAIM_WRONG_ITEM, &c), 0,
			     "n=%d: the batch cannot go on: %s", n, t_err.msg);
		cr_assert_eq(t_batch_commit(), 0, "n=%d: %s", n, t_err.msg);
		cr_assert_neq(a.verdict, c.verdict);
		/* the store's own form, C- and six digits at least */
		cr_assert_eq(strlen(c.id), strlen("C-000001"), "%s", c.id);
		cr_assert_eq(case_number(c.id),
			     case_number(a.id) + (rb == 0 ? 2 : 1),
			     "n=%d: %s then %s (%s)", n, a.id, c.id,
			     rb ? "failed" : b.id);
		cr_assert_eq(t_get(a.id, &got), 0, "n=%d %s", n, a.id);
		cr_assert_eq(got.verdict, a.verdict, "n=%d %s", n, a.id);
		cr_assert_eq(t_get(c.id, &got), 0, "n=%d %s", n, c.id);
		cr_assert_eq(got.verdict, c.verdict, "n=%d %s", n, c.id);
		cr_assert_eq(got.refund_max_minor, c.refund_max_minor);
		cr_assert_eq(t_audit_count(c.id, "case.open"), 1);
		if (rb == 0) {
			cr_assert_eq(case_number(b.id), case_number(a.id) + 1);
			cr_assert_eq(t_get(b.id, &got), 0, "%s", b.id);
			cr_assert_eq(got.verdict, b.verdict);
			break;
		}
	}
	cr_assert_lt(n, MAX_STEPS);
	cr_expect_eq(t_case_count("O-1"), 2 * n + 3);
}

Test(faults, override_all_or_nothing)
{
	struct t_snap before, after;
	struct t_case c;
	int n;

	wrong_item("O-1", &c);
	t_now += T_SEC;
	t_snap(c.id, &before);
	for (n = 0; n < MAX_STEPS; n++) {
		int rc;

		t_fail_after(n);
		rc = t_override("token:lead", c.id, VERDICT_PARTIAL_REFUND,
				10000, "kept the ring");
		t_fail_after(-1);
		cr_assert(!t_in_transaction(), "n=%d", n);
		if (rc == 0)
			break;
		t_snap(c.id, &after);
		cr_assert(t_snap_eq(&before, &after), "n=%d: a failed "
			  "override changed the case", n);
	}
	cr_assert_lt(n, MAX_STEPS);
	t_get(c.id, &c);
	cr_expect(c.overridden);
	cr_expect_eq(c.refund_max_minor, 10000);
	cr_expect_eq(t_audit_count(c.id, "case.override"), 1);
	cr_expect_eq(t_refund(S, c.id, "k", 10001, NULL), AC_EINVAL);
}

/* A courier fact: the event, the new facts and every re-decision, or
 * nothing. */
Test(faults, tracking_all_or_nothing)
{
	struct t_snap before, after;
	struct t_case c;
	int n, k = -1;

	t_order_investigating("O-1");
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &c);
	t_now += T_SEC;
	t_snap(c.id, &before);
	for (n = 0; n < MAX_STEPS; n++) {
		int rc;

		t_fail_after(n);
		rc = t_tracking("O-1", "lost_confirmed", t_now, &k);
		t_fail_after(-1);
		cr_assert(!t_in_transaction(), "n=%d", n);
		if (rc == 0)
			break;
		t_snap(c.id, &after);
		cr_assert(t_snap_eq(&before, &after), "n=%d: the case "
			  "changed", n);
		cr_assert_eq(t_audit_count("O-1", NULL), 1, "n=%d: the "
			     "event was kept", n);
	}
	cr_assert_lt(n, MAX_STEPS);
	cr_expect_eq(k, 1);
	t_get(c.id, &c);
	cr_expect_eq(c.verdict, VERDICT_FULL_REFUND);
	cr_expect_eq(t_audit_count(c.id, "case.redecide"), 1);
}

/* Accepting a quote: the quote, the charge in the ledger, the new
 * decision and the status, or nothing. */
Test(faults, quote_accept_all_or_nothing)
{
	struct t_snap before, after;
	struct t_case c;
	int n;

	t_order_delivered("O-1", t_now - 30 * T_DAY);
	t_must_open("O-1", CLAIM_PAID_REPAIR, &c);
	cr_assert_eq(t_quote(c.id, 4800, 0), 0);
	t_now += T_SEC;
	t_snap(c.id, &before);
	for (n = 0; n < MAX_STEPS; n++) {
		int rc;

		t_fail_after(n);
		rc = t_quote_action(c.id, "accept");
		t_fail_after(-1);
		cr_assert(!t_in_transaction(), "n=%d", n);
		if (rc == 0)
			break;
		t_snap(c.id, &after);
		cr_assert(t_snap_eq(&before, &after), "n=%d: the case "
			  "changed", n);
	}
	cr_assert_lt(n, MAX_STEPS);
	t_get(c.id, &c);
	cr_expect_eq(c.quote_status, QUOTE_STATUS_ACCEPTED);
	cr_expect_eq(c.charge_minor, 4800);
	cr_expect_eq(c.status, CASE_STATUS_DECIDED);
	cr_expect_eq(t_ledger_entries(c.id), 1);
}

Test(faults, transition_all_or_nothing)
{
	struct t_snap before, after;
	struct t_case c;
	int n;

	wrong_item("O-1", &c);
	t_now += T_SEC;
	t_snap(c.id, &before);
	for (n = 0; n < MAX_STEPS; n++) {
		int rc;

		t_fail_after(n);
		rc = t_transition(c.id, CASE_STATUS_CLOSED, "withdrawn");
		t_fail_after(-1);
		cr_assert(!t_in_transaction(), "n=%d", n);
		if (rc == 0)
			break;
		t_snap(c.id, &after);
		cr_assert(t_snap_eq(&before, &after), "n=%d", n);
	}
	cr_assert_lt(n, MAX_STEPS);
	t_get(c.id, &c);
	cr_expect_eq(c.status, CASE_STATUS_CLOSED);
	cr_expect_eq(t_audit_count(c.id, "case.transition"), 1);
}
