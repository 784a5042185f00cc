/* outbox.c: the outbox's rules (tests/desk): a message is written in the
 * transaction of its change and rolled back with it, once per dedupe
 * key; workers claim what is due, retry with backoff, dead-letter, and
 * staff retry by hand; a lease that runs out is claimed again with the
 * same Message-ID. The outbox runs on a desk of its own over the suite's
 * store, on the suite's fake clock. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../src/codec/codec.h"
#include "../../src/desk/desk.h"
#include "../../src/desk/outbox.h"
#include "../../src/store/store.h"
#include "support.h"

static struct desk *od;                 /* the outbox's desk */
static struct policy_file *opf;
static struct outbox *ob;

/* the test handler: answers what `answer` says and counts its calls */
static enum outbox_result answer;
static int calls;
static int last_attempt;
static char last_dedupe[256];

static int64_t clock_now(void *ctx)
{
	(void)ctx;
	return t_now;
}

static enum outbox_result send_test(void *ctx, struct desk *d,
				    const struct outbox_item *it, char *why,
				    size_t why_n)
{
	(void)ctx;
	(void)d;
	calls++;
	last_attempt = it->attempt;
	snprintf(last_dedupe, sizeof last_dedupe, "%.*s", (int)it->dedupe.n,
		 it->dedupe.p);
	snprintf(why, why_n, "the test says %d", (int)answer);
	return answer;
}

static void setup(void)
{
	struct desk_config cfg = { 0 };
	struct outbox_config oc = { 0 };
	struct outbox_kind k = { .kind = "test", .send = send_test };

	t_setup();
	opf = policy_file_default();
	cfg.store = t_store;
	cfg.policy = policy_file_policy(opf);
	cfg.now = clock_now;
	cr_assert_eq(desk_new(&cfg, &od, &t_err), 0);
	oc.max_attempts = 3;
	cr_assert_eq(outbox_new(&oc, &ob, &t_err), 0);
	cr_assert_eq(outbox_register(ob, &k, &t_err), 0);
	answer = OUTBOX_SENT;
	calls = 0;
}

static void teardown(void)
{
	outbox_free(ob);
	desk_free(od);
	policy_file_free(opf);
	t_teardown();
}

TestSuite(outbox, .init = setup, .fini = teardown);

/* add: one "test" row with the key, in a transaction of the store's */
static int add(const char *key, const char *case_id, bool commit)
{
	struct desk_outbox_msg m = {
		.kind = "test",
		.case_id = store_str(case_id),
		.dedupe = store_str(key),
		.payload_json = store_str("{\"n\": 1}"),
	};
	int64_t id = -1;
	int rc;

	cr_assert_eq(store_begin(t_store, &t_err), 0);
	rc = desk_outbox_add(od, &m, &id, &t_err);
	if (commit)
		cr_assert_eq(store_commit(t_store, &t_err), 0);
	else
		store_rollback(t_store, NULL);
	return rc ? rc : (int)id;
}

/* rows: how many rows have that status */
static int rows(const char *status)
{
	struct desk_outbox_list l;
	int n;

	cr_assert_eq(desk_outbox_list(od, status, NULL, 0, 100, &l, &t_err),
		     0, "%s", t_err.msg);
	n = l.n;
	desk_outbox_list_release(&l);
	return n;
}

/* row: the one row (id) as staff see it, copied */
struct row {
	char status[16], error[256];
	int attempts;
	int64_t next_at;
};

static struct row row_of(int64_t id)
{
	static const char *const st[] = { "pending", "sending", "sent",
					  "dead", "failed" };
	struct desk_outbox_list l;
	struct row r = { 0 };

	for (size_t k = 0; k < sizeof st / sizeof st[0]; k++) {
		cr_assert_eq(desk_outbox_list(od, st[k], NULL, 0, 100, &l,
					      &t_err), 0);
		for (int i = 0; i < l.n; i++)
			if (l.rows[i].id == id) {
				snprintf(r.status, sizeof r.status, "%s",
					 l.rows[i].status);
				snprintf(r.error, sizeof r.error, "%.*s",
					 (int)l.rows[i].last_error.n,
					 l.rows[i].last_error.p);
				r.attempts = l.rows[i].attempts;
				r.next_at = l.rows[i].next_at;
			}
		desk_outbox_list_release(&l);
	}
	return r;
}

static int run(void)
{
	int n = -1;

	cr_assert_eq(outbox_run_once(ob, od, &n, &t_err), 0, "%s: %s",
		     t_err.field, t_err.msg);
	return n;
}

Test(outbox, added_with_its_transaction_and_undone_with_it)
{
	cr_assert_gt(add("k1", NULL, true), 0);
	cr_assert_gt(add("k2", NULL, false), 0);
	/* the second was rolled back: one row only */
	cr_assert_eq(rows("pending"), 1);
	cr_assert_eq(run(), 1);
	cr_assert_str_eq(last_dedupe, "k1");
}

Test(outbox, a_dedupe_key_adds_once)
{
	cr_assert_gt(add("same", NULL, true), 0);
	cr_assert_eq(add("same", NULL, true), 0, "the key again adds nothing");
	cr_assert_eq(rows("pending"), 1);
}

Test(outbox, refused_outside_a_transaction)
{
	struct desk_outbox_msg m = {
		.kind = "test", .dedupe = store_str("x"),
		.payload_json = store_str("{}"),
	};

	cr_assert_eq(desk_outbox_add(od, &m, NULL, &t_err), AC_ESTATE);
	cr_assert_eq(rows("pending"), 0);
}

Test(outbox, bad_rows_are_refused_by_name)
{
	struct desk_outbox_msg m = {
		.kind = "Mail!", .dedupe = store_str("x"),
		.payload_json = store_str("{}"),
	};

	cr_assert_eq(store_begin(t_store, &t_err), 0);
	cr_assert_eq(desk_outbox_add(od, &m, NULL, &t_err), AC_EINVAL);
	cr_assert_str_eq(t_err.field, "outbox.kind");
	m.kind = "test";
	m.payload_json = store_str("{not json");
	cr_assert_eq(desk_outbox_add(od, &m, NULL, &t_err), AC_EINVAL);
	cr_assert_str_eq(t_err.field, "outbox.payload_json");
	m.payload_json = store_str("{}");
	m.case_id = store_str("C-404");
	cr_assert_eq(desk_outbox_add(od, &m, NULL, &t_err), AC_ENOTFOUND);
	store_rollback(t_store, NULL);
}

Test(outbox, sent_once)
{
	int64_t id = add("once", NULL, true);

	cr_assert_eq(run(), 1);
	cr_assert_eq(calls, 1);
	cr_assert_str_eq(row_of(id).status, "sent");
	cr_assert_eq(run(), 0, "a sent row is never claimed again");
	t_now += 365 * T_DAY;
	cr_assert_eq(run(), 0);
	cr_assert_eq(calls, 1);
}

Test(outbox, backoff_doubles_with_jitter_up_to_the_cap)
{
	int64_t base = 2 * T_SEC, cap = 900 * T_SEC;

	for (int a = 1; a <= 12; a++) {
		int64_t d = base << (a - 1) < cap ? base << (a - 1) : cap;

		cr_assert_eq(outbox_backoff_us(a, base, cap, 0), d / 2,
			     "attempt %d: at least half", a);
		cr_assert_eq(outbox_backoff_us(a, base, cap, UINT32_MAX) <= d,
			     true, "attempt %d: at most d", a);
		for (uint32_t r = 0; r < 2000; r += 97) {
			int64_t w = outbox_backoff_us(a, base, cap, r * 7919u);

			cr_assert(w >= d / 2 && w <= d, "attempt %d: %lld",
				  a, (long long)w);
		}
	}
	cr_assert_eq(outbox_backoff_us(1, base, cap, 1), T_SEC + 1);
	cr_assert_eq(outbox_backoff_us(60, base, cap, 0), cap / 2,
		     "no overflow far out");
	cr_assert_eq(outbox_backoff_us(1000, INT64_MAX / 4, INT64_MAX / 2, 0),
		     INT64_MAX / 4);
}

Test(outbox, retried_with_backoff_then_dead)
{
	int64_t id = add("flaky", NULL, true);
	struct row r;

	answer = OUTBOX_RETRY;
	cr_assert_eq(run(), 1);
	r = row_of(id);
	cr_assert_str_eq(r.status, "pending");
	cr_assert_eq(r.attempts, 1);
	cr_assert(r.next_at >= t_now + T_SEC && r.next_at <= t_now + 2 * T_SEC,
		  "the first retry 1 to 2 s later");
	cr_assert_str_eq(r.error, "the test says 1");
	cr_assert_eq(run(), 0, "not before its time");
	t_now = r.next_at;
	cr_assert_eq(run(), 1);
	r = row_of(id);
	cr_assert_eq(r.attempts, 2);
	cr_assert(r.next_at >= t_now + 2 * T_SEC &&
		  r.next_at <= t_now + 4 * T_SEC, "then 2 to 4 s");
	t_now = r.next_at;
	cr_assert_eq(run(), 1);
	r = row_of(id);
	cr_assert_str_eq(r.status, "dead", "three attempts: dead");
	cr_assert_str_eq(r.error, "gave up after 3 attempts: the test says 1");
	t_now += T_DAY;
	cr_assert_eq(run(), 0, "a dead letter stays");
	cr_assert_eq(calls, 3);
	cr_assert_eq(last_attempt, 3);
}

Test(outbox, refused_for_good_is_dead_at_once_and_retried_by_hand)
{
	int64_t id = add("bounce", NULL, true);
	struct desk_outbox_list l;

	answer = OUTBOX_DEAD;
	cr_assert_eq(run(), 1);
	cr_assert_str_eq(row_of(id).status, "dead");
	cr_assert_eq(rows("dead"), 1);
	cr_assert_eq(desk_outbox_retry(od, "user:ana", id + 1000, &t_err),
		     AC_ENOTFOUND);
	answer = OUTBOX_SENT;
	cr_assert_eq(desk_outbox_retry(od, "user:ana", id, &t_err), 0, "%s",
		     t_err.msg);
	cr_assert_str_eq(row_of(id).status, "pending");
	cr_assert_eq(row_of(id).attempts, 0, "attempts counted again");
	cr_assert_eq(desk_outbox_retry(od, "user:ana", id, &t_err),
		     AC_ESTATE, "only a dead or failed row");
	cr_assert_eq(run(), 1);
	cr_assert_str_eq(row_of(id).status, "sent");
	cr_assert_eq(last_attempt, 1);
	/* the retry is in the audit log */
	cr_assert_eq(desk_outbox_list(od, "dead", NULL, 0, 10, &l, &t_err), 0);
	cr_assert_eq(l.n, 0);
	desk_outbox_list_release(&l);
}

Test(outbox, failed_is_final_until_retried)
{
	int64_t id = add("declined", NULL, true);

	answer = OUTBOX_FAILED;
	cr_assert_eq(run(), 1);
	cr_assert_str_eq(row_of(id).status, "failed");
	t_now += T_DAY;
	cr_assert_eq(run(), 0);
	cr_assert_eq(desk_outbox_retry(od, "user:ana", id, &t_err), 0);
	cr_assert_str_eq(row_of(id).status, "pending");
}

Test(outbox, a_lease_run_out_is_claimed_again_with_the_same_message_id)
{
	struct store_outbox_page p = { 0 };
	char mid1[128], mid2[128];
	int64_t id = add("crash", NULL, true);

	/* a worker claims the row and dies before it records the send */
	cr_assert_eq(store_outbox_claim(t_store, store_str("test"), t_now,
					t_now + OUTBOX_LEASE_US, 8, &p,
					&t_err), 0);
	cr_assert_eq(p.n, 1);
	outbox_message_id(mid1, sizeof mid1, id, p.rows[0].dedupe,
			  "shop.example");
	store_outbox_page_release(&p);
	cr_assert_str_eq(row_of(id).status, "sending");
	t_now += OUTBOX_LEASE_US - T_SEC;
	cr_assert_eq(run(), 0, "leased: no one else takes it");
	t_now += 2 * T_SEC;
	cr_assert_eq(run(), 1, "the lease ran out: claimed again");
	cr_assert_eq(last_attempt, 2);
	outbox_message_id(mid2, sizeof mid2, id, store_str(last_dedupe),
			  "shop.example");
	cr_assert_str_eq(mid1, mid2);
	cr_assert_eq(strncmp(mid1, "<aftercare.", 11), 0);
	cr_assert_not_null(strstr(mid1, "@shop.example>"));
	/* the late worker's record of its claim is refused */
	cr_assert_eq(store_outbox_finish(t_store, id, 1, STORE_OUTBOX_SENT, 0,
					 store_str(""), t_now, &t_err),
		     AC_ESTATE);
}

Test(outbox, depth_counts_per_kind)
{
	struct desk_outbox_depth dp;

	add("a", NULL, true);
	add("b", NULL, true);
	answer = OUTBOX_DEAD;
	cr_assert_eq(outbox_run_once(ob, od, NULL, &t_err), 0);
	add("c", NULL, true);
	cr_assert_eq(desk_outbox_depth(od, &dp, &t_err), 0);
	cr_assert_eq(dp.n, 1);
	cr_assert_str_eq(dp.kinds[0].kind, "test");
	cr_assert_eq(dp.kinds[0].pending, 1);
	cr_assert_eq(dp.kinds[0].dead, 2);
}

/* mail_rows: the case's "mail" rows; *payloads gets their payloads one
 * after another (may be NULL) */
static int mail_rows(const char *case_id, char *payloads, size_t cap)
{
	struct desk_outbox_list l;
	int n = 0;

	if (payloads)
		payloads[0] = '\0';
	cr_assert_eq(desk_outbox_list(od, NULL, case_id, 0, 100, &l, &t_err),
		     0, "%s", t_err.msg);
	for (int i = 0; i < l.n; i++) {
		if (l.rows[i].kind.n != 4 ||
		    memcmp(l.rows[i].kind.p, "mail", 4))
			continue;
		n++;
		if (payloads) {
			size_t k = strlen(payloads);

			snprintf(payloads + k, cap - k, "%.*s\n",
				 (int)l.rows[i].payload_json.n,
				 l.rows[i].payload_json.p);
		}
	}
	desk_outbox_list_release(&l);
	return n;
}

/* Opening a case under injected faults: the case and its mail together,
 * or neither. */
Test(outbox, a_case_and_its_mail_are_one_transaction)
{
	struct t_case c;
	char p[4096];
	int n;

	t_order_delivered("O-1", t_now - 3 * T_HOUR);
	for (n = 0; n < 200; n++) {
		int rc;

		t_fail_after(n);
		rc = t_open("O-1", CLAIM_WRONG_ITEM, &c);
		t_fail_after(-1);
		if (rc == 0)
			break;
		cr_assert_eq(rows("pending"), 0, "n=%d: mail without its case",
			     n);
	}
	cr_assert_lt(n, 200);
	cr_assert_eq(mail_rows(c.id, p, sizeof p), 1);
	cr_assert_not_null(strstr(p, "\"event\":\"case_opened\""), "%s", p);
	cr_assert_not_null(strstr(p, "\"order_id\":\"O-1\""), "%s", p);
	cr_assert_not_null(strstr(p, "\"verdict\":\"full_refund\""), "%s", p);
}

Test(outbox, each_event_writes_one_mail)
{
	struct t_case c, r;
	char p[4096];

	t_order_delivered("O-1", t_now - 3 * T_HOUR);
	t_must_open("O-1", CLAIM_WRONG_ITEM, &c);
	cr_assert_eq(t_refund("token:t", c.id, "k1", 1000, NULL), 0);
	cr_assert_eq(t_refund("token:t", c.id, "k1", 1000, NULL), 0,
		     "replayed");
	cr_assert_eq(mail_rows(c.id, p, sizeof p), 2, "%s", p);
	cr_assert_not_null(strstr(p, "\"event\":\"refund_made\""), "%s", p);
	cr_assert_not_null(strstr(p, "\"amount_minor\":1000,"
				  "\"currency\":\"USD\""), "%s", p);
	t_now += T_SEC;
	cr_assert_eq(t_override("user:ana", c.id, VERDICT_NO_REFUND, -1,
				"the customer kept it"), 0, "%s", t_err.msg);
	cr_assert_eq(mail_rows(c.id, p, sizeof p), 3);
	cr_assert_not_null(strstr(p, "\"event\":\"decision_changed\","
				  "\"case_id\":"), "%s", p);
	cr_assert_not_null(strstr(p, "\"verdict\":\"no_refund\""), "%s", p);

	t_order_delivered("O-2", t_now - 30 * T_DAY);
	t_must_open("O-2", CLAIM_PAID_REPAIR, &r);
	cr_assert_eq(t_quote(r.id, 4800, 0), 0, "%s", t_err.msg);
	cr_assert_eq(mail_rows(r.id, p, sizeof p), 2);
	cr_assert_not_null(strstr(p, "\"event\":\"repair_quote\""), "%s", p);
	cr_assert_not_null(strstr(p, "\"amount_minor\":4800"), "%s", p);
}

Test(outbox, a_refused_refund_writes_no_mail)
{
	struct t_case c;

	t_order_delivered("O-1", t_now - 3 * T_HOUR);
	t_must_open("O-1", CLAIM_WRONG_ITEM, &c);
	cr_assert_eq(t_refund("token:t", c.id, "k1", T_PAID * 10, NULL),
		     AC_EINVAL);
	cr_assert_eq(mail_rows(c.id, NULL, 0), 1, "the opening's only");
}

Test(outbox, a_decision_the_facts_change_is_told)
{
	struct t_case c;
	char p[4096];
	int n = 0;

	t_order_investigating("O-1");
	t_must_open("O-1", CLAIM_NOT_RECEIVED, &c);
	cr_assert_eq(c.verdict, VERDICT_PENDING);
	t_now += T_HOUR;
	cr_assert_eq(t_tracking("O-1", "lost_confirmed", t_now, &n), 0, "%s",
		     t_err.msg);
	cr_assert_eq(n, 1);
	cr_assert_eq(mail_rows(c.id, p, sizeof p), 2, "%s", p);
	cr_assert_not_null(strstr(p, "\"event\":\"decision_changed\""), "%s",
			   p);
	/* the same fact again changes nothing: no mail */
	t_now += T_HOUR;
	cr_assert_eq(t_tracking("O-1", "lost_confirmed", t_now, NULL), 0);
	cr_assert_eq(mail_rows(c.id, NULL, 0), 2);
}

Test(outbox, deadlines_near_are_told_once)
{
	struct t_case c;
	int added = -1;

	t_order_new("O-1");
	t_must_open("O-1", CLAIM_CANCEL, &c);
	cr_assert(c.has_deadline, "a cancel has a deadline");
	cr_assert_eq(desk_outbox_deadlines(od, 1, &added, &t_err), 0);
	cr_assert_eq(added, 0, "not within a second");
	t_now = c.deadline - T_HOUR;
	cr_assert_eq(desk_outbox_deadlines(od, 2 * 3600, &added, &t_err), 0,
		     "%s", t_err.msg);
	cr_assert_eq(added, 1);
	cr_assert_eq(desk_outbox_deadlines(od, 2 * 3600, &added, &t_err), 0);
	cr_assert_eq(mail_rows(c.id, NULL, 0), 2, "told once");
}

Test(outbox, a_case_opened_near_its_deadline_is_not_told_again)
{
	struct t_case c;
	int added = -1;

	t_order_new("O-1");
	t_must_open("O-1", CLAIM_CANCEL, &c);
	cr_assert(c.has_deadline);
	/* a window wider than the time the case had when it opened */
	cr_assert_eq(desk_outbox_deadlines(od, (int64_t)(c.deadline - t_now) /
					   T_SEC + 3600, &added, &t_err), 0);
	cr_assert_eq(added, 0);
	cr_assert_eq(mail_rows(c.id, NULL, 0), 1);
}
