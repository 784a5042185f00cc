/* reports.c: the owner's reports (tests/desk, issue 9.3). Cases opened
 * over several weeks are refunded, approved, overridden and decided
 * again; every report is then checked against sums this file computes
 * itself from the rows the store holds (cases, decisions, ledger,
 * orders, read whole through store_read_rows on either backend), never
 * from the summaries. The summaries' own rules (a clause change moves
 * money already refunded, a rollback undoes the summary with the write)
 * and the median, week and bucket arithmetic have tests of their own. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/instant.h"
#include "../../src/desk/reports.h"
#include "../../src/store/store.h"
#include "support.h"

static void fini(void);

TestSuite(reports, .init = t_setup, .fini = fini);

#define S "token:test"
#define MAXR 256

/* ---- what the store holds, read row by row ---------------------------- */

struct c_row {
	char id[32], order[32], type[24], clause[32], status[16];
	char verdict[24], override[24], approved[64];
	int64_t opened_at, deadline, response_due_at;
	bool has_deadline, has_due;
};
struct l_row {
	char case_id[32], kind[8], currency[4];
	int64_t amount, created_at, id;
};
struct d_row {
	char case_id[32], verdict[24];
	int64_t id, decided_at;
};
struct o_row {
	char id[32], currency[4], email[64], addr[160];
};

static struct c_row cs[MAXR];
static struct l_row ls[MAXR];
static struct d_row ds[MAXR];
static struct o_row os[MAXR];
static int ncs, nls, nds, nos;

static const struct store_table *table(const char *name)
{
	int n;
	const struct store_table *t = store_tables(&n);

	for (int i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	cr_assert_fail("no table %s", name);
	return NULL;
}

static int col(const struct store_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i], name))
			return i;
	cr_assert_fail("no column %s.%s", t->name, name);
	return -1;
}

static void text(char *out, size_t cap, const struct store_value *v)
{
	snprintf(out, cap, "%.*s", v->kind == SV_TEXT ? (int)v->n : 0,
		 v->kind == SV_TEXT ? v->p : "");
}

static const struct store_table *t_cases, *t_ledger, *t_dec, *t_orders;

static int read_case(void *arg, const struct store_value *v)
{
	const struct store_table *t = t_cases;
	struct c_row *c = &cs[ncs++];

	(void)arg;
	cr_assert_lt(ncs, MAXR);
	text(c->id, sizeof c->id, &v[col(t, "id")]);
	text(c->order, sizeof c->order, &v[col(t, "order_id")]);
	text(c->type, sizeof c->type, &v[col(t, "claim_type")]);
	text(c->clause, sizeof c->clause, &v[col(t, "clause")]);
	text(c->status, sizeof c->status, &v[col(t, "status")]);
	text(c->verdict, sizeof c->verdict, &v[col(t, "verdict")]);
	text(c->override, sizeof c->override,
	     &v[col(t, "override_verdict")]);
	text(c->approved, sizeof c->approved, &v[col(t, "approved_by")]);
	c->opened_at = v[col(t, "opened_at")].i;
	c->has_deadline = v[col(t, "deadline")].kind == SV_INT;
	c->deadline = v[col(t, "deadline")].i;
	c->has_due = v[col(t, "response_due_at")].kind == SV_INT;
	c->response_due_at = v[col(t, "response_due_at")].i;
	return 0;
}

static int read_ledger(void *arg, const struct store_value *v)
{
	const struct store_table *t = t_ledger;
	struct l_row *l = &ls[nls++];

	(void)arg;
	cr_assert_lt(nls, MAXR);
	text(l->case_id, sizeof l->case_id, &v[col(t, "case_id")]);
	text(l->kind, sizeof l->kind, &v[col(t, "kind")]);
	text(l->currency, sizeof l->currency, &v[col(t, "currency")]);
	l->amount = v[col(t, "amount_minor")].i;
	l->created_at = v[col(t, "created_at")].i;
	l->id = v[col(t, "id")].i;
	return 0;
}

static int read_decision(void *arg, const struct store_value *v)
{
	const struct store_table *t = t_dec;
	struct d_row *d = &ds[nds++];

	(void)arg;
	cr_assert_lt(nds, MAXR);
	text(d->case_id, sizeof d->case_id, &v[col(t, "case_id")]);
	text(d->verdict, sizeof d->verdict, &v[col(t, "verdict")]);
	d->id = v[col(t, "id")].i;
	d->decided_at = v[col(t, "decided_at")].i;
	return 0;
}

static int read_order(void *arg, const struct store_value *v)
{
	const struct store_table *t = t_orders;
	struct o_row *o = &os[nos++];
	char l1[64], l2[64], pc[16], cc[8];

	(void)arg;
	cr_assert_lt(nos, MAXR);
	text(o->id, sizeof o->id, &v[col(t, "id")]);
	text(o->currency, sizeof o->currency, &v[col(t, "currency")]);
	text(o->email, sizeof o->email, &v[col(t, "customer_email")]);
	text(l1, sizeof l1, &v[col(t, "addr_line1")]);
	text(l2, sizeof l2, &v[col(t, "addr_line2")]);
	text(pc, sizeof pc, &v[col(t, "addr_postal_code")]);
	text(cc, sizeof cc, &v[col(t, "addr_country")]);
	snprintf(o->addr, sizeof o->addr, "%s%s%s | %s | %s", l1,
		 l2[0] ? " " : "", l2, pc, cc);
	return 0;
}

static void load(void)
{
	struct ac_err err;

	ncs = nls = nds = nos = 0;
	t_cases = table("cases");
	t_ledger = table("ledger");
	t_dec = table("decisions");
	t_orders = table("orders");
	cr_assert_eq(store_read_rows(t_store, t_cases, read_case, NULL,
				     &err), 0, "%s", err.msg);
	cr_assert_eq(store_read_rows(t_store, t_ledger, read_ledger, NULL,
				     &err), 0, "%s", err.msg);
	cr_assert_eq(store_read_rows(t_store, t_dec, read_decision, NULL,
				     &err), 0, "%s", err.msg);
	cr_assert_eq(store_read_rows(t_store, t_orders, read_order, NULL,
				     &err), 0, "%s", err.msg);
}

static const struct c_row *case_of(const char *id)
{
	for (int i = 0; i < ncs; i++)
		if (!strcmp(cs[i].id, id))
			return &cs[i];
	cr_assert_fail("no case %s", id);
	return NULL;
}

static const struct o_row *order_of(const char *id)
{
	for (int i = 0; i < nos; i++)
		if (!strcmp(os[i].id, id))
			return &os[i];
	cr_assert_fail("no order %s", id);
	return NULL;
}

/* monday: the week of an instant, by the calendar (instant_civil and a
 * day count from a known Monday), not by the store's formula */
static int64_t monday(int64_t at)
{
	/* 2026-05-04 (T0's day, T0 being 08:00) was a Monday */
	const int64_t base = T0 - 8 * T_HOUR;
	int64_t days = (at - base) / T_DAY - ((at - base) % T_DAY < 0);
	int64_t wk = days / 7 - (days % 7 < 0);

	return base + wk * 7 * T_DAY;
}

/* ---- running the reports ---------------------------------------------- */

static struct desk_report rep;

static void fini(void)
{
	desk_report_release(&rep);
	t_teardown();
}

static void run(const char *name, const struct desk_report_args *a)
{
	struct desk_report_args none = { 0 };
	struct ac_err err;

	desk_report_release(&rep);
	cr_assert_eq(desk_report(t_desk(), name, a ? a : &none, &rep, &err),
		     0, "%s: %s: %s", name, err.field, err.msg);
}

static int cidx(const char *name)
{
	for (int c = 0; c < rep.ncols; c++)
		if (!strcmp(rep.cols[c].name, name))
			return c;
	cr_assert_fail("%s has no column %s", rep.name, name);
	return -1;
}

static const struct desk_report_val *at(int r, const char *c)
{
	return &rep.vals[(size_t)r * (size_t)rep.ncols + (size_t)cidx(c)];
}

/* find: the row whose text column kc is key (and currency cur), -1 */
static int find(const char *kc, const char *key, const char *cur)
{
	for (int r = 0; r < rep.nrows; r++)
		if (!strcmp(at(r, kc)->s, key) &&
		    (!cur || !strcmp(at(r, "currency")->s, cur)))
			return r;
	return -1;
}

static int64_t fig(const char *name, bool *has)
{
	for (int i = 0; i < rep.nfig; i++)
		if (!strcmp(rep.fig[i].name, name)) {
			if (has)
				*has = rep.fig[i].has;
			return rep.fig[i].v;
		}
	cr_assert_fail("%s has no figure %s", rep.name, name);
	return 0;
}

/* ---- a shop with history ---------------------------------------------- */

static char ids[16][128];
static int nids;

static void open_case(const char *order, const char *claim)
{
	struct t_case c;

	t_must_open(order, claim, &c);
	snprintf(ids[nids++], sizeof ids[0], "%s", c.id);
}

/* Three weeks: cancels refunded in parts, wrong items, a pending
 * not_received decided later by the courier (with a different email),
 * an approval, an override. */
static void history(void)
{
	struct t_order inv = { 0 };

	nids = 0;
	/* week 1 */
	t_order_new("O-1");
	open_case("O-1", CLAIM_CANCEL);                   /* 0 */
	cr_assert_eq(t_refund(S, ids[0], "k1", 20000, NULL), 0, "%s",
		     t_err.msg);
	t_now += 3 * T_HOUR;
	cr_assert_eq(t_refund(S, ids[0], "k2", 3500, NULL), 0, "%s",
		     t_err.msg);
	t_order_delivered("O-2", t_now - 3 * T_HOUR);
	open_case("O-2", CLAIM_WRONG_ITEM);               /* 1 */
	cr_assert_eq(t_approve(ids[1]), 0, "%s", t_err.msg);
	/* week 2 */
	t_now += 8 * T_DAY;
	inv.id = "O-3";
	inv.placed_at = t_now - 20 * T_DAY;
	inv.shipped = true;
	inv.shipped_at = t_now - 10 * T_DAY;
	inv.finding = "investigating";
	inv.email = "  Bo@Example.COM ";
	cr_assert_eq(t_order_create(&inv), 0, "%s", t_err.msg);
	open_case("O-3", CLAIM_NOT_RECEIVED);             /* 2: pending */
	inv.id = "O-4";
	cr_assert_eq(t_order_create(&inv), 0, "%s", t_err.msg);
	open_case("O-4", CLAIM_NOT_RECEIVED);             /* 3: pending */
	t_order_delivered("O-5", t_now - 2 * T_HOUR);
	open_case("O-5", CLAIM_SCRATCH);                  /* 4 */
	cr_assert_eq(t_override("user:boss", ids[4], VERDICT_PARTIAL_REFUND,
				5000, "goodwill"), 0, "%s", t_err.msg);
	cr_assert_eq(t_refund(S, ids[4], "k3", 5000, NULL), 0, "%s",
		     t_err.msg);
	/* week 3: the courier confirms O-3 lost, two days on */
	t_now += 9 * T_DAY;
	cr_assert_eq(t_tracking("O-3", "lost_confirmed", t_now - T_HOUR,
				NULL), 0, "%s", t_err.msg);
	cr_assert_eq(t_refund(S, ids[2], "k4", 1234, NULL), 0, "%s",
		     t_err.msg);
	t_order_new("O-6");
	open_case("O-6", CLAIM_CANCEL);                   /* 5 */
}

/* ---- the tests --------------------------------------------------------- */

Test(reports, weeks_match_the_ledger_and_the_cases)
{
	history();
	load();
	run("weeks", NULL);
	/* every week with a case or a refund has one row, and no other */
	int seen = 0;

	for (int r = 0; r < rep.nrows; r++) {
		int64_t w = at(r, "week")->i, cases = 0, refunds = 0, sum = 0;
		const char *cur = at(r, "currency")->s;

		cr_expect_eq(w, monday(w), "a week starts on a Monday");
		for (int i = 0; i < ncs; i++)
			if (monday(cs[i].opened_at) == w &&
			    !strcmp(order_of(cs[i].order)->currency, cur))
				cases++;
		for (int i = 0; i < nls; i++)
			if (!strcmp(ls[i].kind, "refund") &&
			    monday(ls[i].created_at) == w &&
			    !strcmp(ls[i].currency, cur)) {
				refunds++;
				sum += ls[i].amount;
			}
		cr_expect_eq(at(r, "cases")->i, cases, "cases in row %d", r);
		cr_expect_eq(at(r, "refunds")->i, refunds, "refunds, row %d",
			     r);
		cr_expect_eq(at(r, "refunded_minor")->i, sum,
			     "money in row %d", r);
		seen += (int)cases;
	}
	cr_expect_eq(seen, ncs, "every case is in one week");
	cr_expect_eq(rep.nrows, 3, "three weeks");
	int64_t total = 0, want = 0;

	for (int r = 0; r < rep.nrows; r++)
		total += at(r, "refunded_minor")->i;
	for (int i = 0; i < nls; i++)
		if (!strcmp(ls[i].kind, "refund"))
			want += ls[i].amount;
	cr_expect_eq(total, want);
	cr_expect_eq(want, 20000 + 3500 + 5000 + 1234);
}

Test(reports, from_and_to_pick_whole_weeks)
{
	struct desk_report_args a = { 0 };

	history();
	load();
	/* the second week only: a Wednesday to the Friday after */
	a.has_from = a.has_to = true;
	a.from_at = monday(T0) + 9 * T_DAY;
	a.to_at = a.from_at + 2 * T_DAY;
	run("weeks", &a);
	cr_assert_eq(rep.nrows, 1);
	cr_expect_eq(at(0, "week")->i, monday(T0) + 7 * T_DAY);
	cr_expect_eq(at(0, "cases")->i, 3);
	cr_expect_eq(at(0, "refunded_minor")->i, 5000);
	/* to before from is refused by name */
	struct ac_err err;

	a.to_at = a.from_at - 1;
	desk_report_release(&rep);
	cr_expect_eq(desk_report(t_desk(), "weeks", &a, &rep, &err),
		     AC_EINVAL);
	cr_expect_str_eq(err.field, "to");
	memset(&a, 0, sizeof a);
	cr_expect_eq(desk_report(t_desk(), "nope", &a, &rep, &err),
		     AC_ENOTFOUND);
	cr_expect_str_eq(err.field, "report");
}

/* by_key: the report's rows against the cases grouped by their column
 * key (the clause "" is "(none)"), money by the refunds on them */
static void by_key(const char *report, const char *keycol,
		   const char *(*key)(const struct c_row *))
{
	int64_t tc = 0, tm = 0, want = 0;

	for (int j = 0; j < nls; j++)
		if (!strcmp(ls[j].kind, "refund"))
			want += ls[j].amount;
	run(report, NULL);
	for (int r = 0; r < rep.nrows; r++) {
		const char *k = at(r, keycol)->s;
		int64_t cases = 0, sum = 0, n = 0;

		for (int i = 0; i < ncs; i++) {
			const char *ck = key(&cs[i]);

			if (strcmp(ck[0] ? ck : "(none)", k))
				continue;
			cases++;
			for (int j = 0; j < nls; j++)
				if (!strcmp(ls[j].case_id, cs[i].id) &&
				    !strcmp(ls[j].kind, "refund")) {
					n++;
					sum += ls[j].amount;
				}
		}
		cr_expect_eq(at(r, "cases")->i, cases, "%s %s: cases",
			     report, k);
		cr_expect_eq(at(r, "refunds")->i, n, "%s %s: refunds",
			     report, k);
		cr_expect_eq(at(r, "refunded_minor")->i, sum, "%s %s: money",
			     report, k);
		tc += cases;
		tm += sum;
	}
	cr_expect_eq(tc, ncs, "%s: every case under one key", report);
	cr_expect_eq(tm, want, "%s: every refund", report);
}

static const char *clause_of(const struct c_row *c)
{
	return c->clause;
}

static const char *type_of(const struct c_row *c)
{
	return c->type;
}

Test(reports, clauses_and_types_follow_the_current_decision)
{
	history();
	load();
	by_key("clauses", "clause", clause_of);
	by_key("types", "type", type_of);
	/* the not_received case decided again by the courier: its refund
	 * sits under its new clause, not the one it was opened with */
	const struct c_row *c = case_of(ids[2]);

	cr_assert(c->clause[0]);
	run("clauses", NULL);
	int r = find("clause", c->clause, "USD");

	cr_assert_geq(r, 0);
	cr_expect_geq(at(r, "refunded_minor")->i, 1234);
}

Test(reports, a_refund_before_a_new_decision_moves_with_the_case)
{
	struct t_case c;

	/* a wrong item refunded, then the decision changes (an override
	 * saves a decision of its own) */
	t_order_delivered("O-9", t_now - 3 * T_HOUR);
	t_must_open("O-9", CLAIM_WRONG_ITEM, &c);
	char was[24];

	snprintf(was, sizeof was, "%s", c.clause);
	cr_assert_eq(t_refund(S, c.id, "m1", 777, NULL), 0, "%s", t_err.msg);
	run("clauses", NULL);
	cr_assert_eq(at(find("clause", was, NULL), "refunded_minor")->i, 777);
	cr_assert_eq(t_override("user:boss", c.id, VERDICT_PARTIAL_REFUND,
				1000, "goodwill"), 0, "%s", t_err.msg);
	t_get(c.id, &c);
	load();
	by_key("clauses", "clause", clause_of);
	run("automation", NULL);
	cr_expect_eq(at(find("how", "staff", NULL), "cases")->i, 1);
	cr_expect_eq(at(find("how", "auto", NULL), "cases")->i, 0);
}

Test(reports, refunds_move_when_the_facts_change_the_clause)
{
	struct t_case c;
	char was[24];
	int n = 0;

	/* a wrong item refunded in part; then the courier's facts say it
	 * was delivered long ago: decided again, under another clause,
	 * which takes the refund with it */
	t_order_delivered("O-8", t_now - 3 * T_HOUR);
	t_must_open("O-8", CLAIM_WRONG_ITEM, &c);
	snprintf(was, sizeof was, "%s", c.clause);
	cr_assert_eq(t_refund(S, c.id, "f1", 900, NULL), 0, "%s", t_err.msg);
	t_now += 8 * T_DAY;
	cr_assert_eq(t_refund(S, c.id, "f2", 100, NULL), 0, "%s", t_err.msg);
	cr_assert_eq(t_shipment("O-8", t_now - 200 * T_DAY,
				t_now - 190 * T_DAY, NULL, NULL, &n), 0, "%s",
		     t_err.msg);
	t_get(c.id, &c);
	cr_assert_str_neq(c.clause, was, "the clause did not change");
	run("clauses", NULL);
	cr_expect_eq(find("clause", was, NULL), -1, "%s kept a row", was);
	int r = find("clause", c.clause[0] ? c.clause : "(none)", NULL);

	cr_assert_geq(r, 0);
	cr_expect_eq(at(r, "cases")->i, 1);
	cr_expect_eq(at(r, "refunds")->i, 2);
	cr_expect_eq(at(r, "refunded_minor")->i, 1000);
	load();
	by_key("clauses", "clause", clause_of);
	/* week by week: the two refunds' weeks each moved */
	struct desk_report_args a = { 0 };

	a.has_from = a.has_to = true;
	a.from_at = a.to_at = t_now;
	run("clauses", &a);
	r = find("clause", c.clause[0] ? c.clause : "(none)", NULL);
	cr_assert_geq(r, 0);
	cr_expect_eq(at(r, "refunded_minor")->i, 100, "this week's refund");
}

Test(reports, the_share_decided_without_staff)
{
	int64_t autos = 0, staff = 0, undecided = 0;
	bool has;

	history();
	load();
	run("automation", NULL);
	for (int i = 0; i < ncs; i++) {
		const struct c_row *c = &cs[i];

		if (c->override[0] || c->approved[0])
			staff++;
		else if (!c->verdict[0] || !strcmp(c->verdict, "pending"))
			undecided++;
		else
			autos++;
	}
	cr_expect_eq(at(find("how", "auto", NULL), "cases")->i, autos);
	cr_expect_eq(at(find("how", "staff", NULL), "cases")->i, staff);
	cr_expect_eq(at(find("how", "undecided", NULL), "cases")->i,
		     undecided);
	cr_expect_eq(staff, 2, "one approval, one override");
	cr_expect_eq(undecided, 1, "O-4 still waits for the courier");
	cr_expect_eq(fig("decided", NULL), autos + staff);
	cr_expect_eq(fig("without_staff", NULL), autos);
	cr_expect_eq(fig("without_staff_permille", &has),
		     (autos * 2000 + autos + staff) / (2 * (autos + staff)));
	cr_expect(has);
}

/* bucket: the histogram's bucket of a duration, by the bounds */
static int bucket(int64_t us)
{
	for (int b = 0; b < STORE_REPORT_BUCKETS - 1; b++)
		if (us <= store_report_bucket_s[b] * T_SEC)
			return b;
	return STORE_REPORT_BUCKETS - 1;
}

Test(reports, durations_from_the_first_decision_and_refund)
{
	int64_t dec[STORE_REPORT_BUCKETS] = { 0 }, ref[STORE_REPORT_BUCKETS] =
		{ 0 };

	history();
	load();
	for (int i = 0; i < ncs; i++) {
		const struct c_row *c = &cs[i];
		int64_t first = -1, fid = 0, lid = 0, lat = -1;

		for (int j = 0; j < nds; j++)
			if (!strcmp(ds[j].case_id, c->id) &&
			    strcmp(ds[j].verdict, "pending") &&
			    (first < 0 || ds[j].id < fid)) {
				first = ds[j].decided_at;
				fid = ds[j].id;
			}
		for (int j = 0; j < nls; j++)
			if (!strcmp(ls[j].case_id, c->id) &&
			    !strcmp(ls[j].kind, "refund") &&
			    (lat < 0 || ls[j].id < lid)) {
				lat = ls[j].created_at;
				lid = ls[j].id;
			}
		if (first >= 0)
			dec[bucket(first - c->opened_at)]++;
		if (lat >= 0)
			ref[bucket(lat - c->opened_at)]++;
	}
	run("durations", NULL);
	cr_assert_eq(rep.nrows, STORE_REPORT_BUCKETS);
	for (int b = 0; b < STORE_REPORT_BUCKETS; b++) {
		cr_expect_eq(at(b, "decisions")->i, dec[b], "bucket %d", b);
		cr_expect_eq(at(b, "refunds")->i, ref[b], "bucket %d", b);
	}
	/* O-3 waited 9 days for its decision (the courier) */
	cr_expect_eq(dec[bucket(9 * T_DAY)], 1);
	int64_t m;
	bool has;

	cr_expect_eq(desk_report_median(dec, STORE_REPORT_BUCKETS, &m), true);
	cr_expect_eq(fig("median_decision_s", &has), m);
	cr_expect(has);
}

Test(reports, overdue_counts_the_due_index)
{
	int64_t want[3] = { 0 };

	history();
	/* a case closed and one resolved leave the count: their due goes */
	t_force_status(ids[3], CASE_STATUS_CLOSED);
	t_force_status(ids[5], CASE_STATUS_RESOLVED);
	t_now += 30 * T_DAY;
	load();
	for (int i = 0; i < ncs; i++) {
		const struct c_row *c = &cs[i];
		int64_t due;

		if (!strcmp(c->status, "resolved") ||
		    !strcmp(c->status, "closed"))
			continue;
		if (c->has_deadline && c->has_due)
			due = c->deadline < c->response_due_at ? c->deadline
				: c->response_due_at;
		else if (c->has_deadline)
			due = c->deadline;
		else if (c->has_due)
			due = c->response_due_at;
		else
			continue;
		if (due >= t_now)
			continue;
		want[due >= t_now - T_DAY ? 0 : due >= t_now - 7 * T_DAY ? 1
		     : 2]++;
	}
	run("overdue", NULL);
	cr_expect_eq(at(0, "cases")->i, want[0]);
	cr_expect_eq(at(1, "cases")->i, want[1]);
	cr_expect_eq(at(2, "cases")->i, want[2]);
	cr_expect_eq(fig("overdue", NULL), want[0] + want[1] + want[2]);
	cr_expect_gt(want[2], 0, "30 days on, some are late");
	/* and at an instant inside a due day (its day from the index) */
	for (int i = 0; i < ncs; i++) {
		int64_t at = cs[i].response_due_at + T_SEC, n = 0, got;
		struct ac_err err;

		if (!cs[i].has_due)
			continue;
		for (int j = 0; j < ncs; j++) {
			const struct c_row *c = &cs[j];
			int64_t due = c->has_deadline && (!c->has_due ||
				      c->deadline < c->response_due_at)
				      ? c->deadline : c->response_due_at;

			if (strcmp(c->status, "resolved") &&
			    strcmp(c->status, "closed") &&
			    (c->has_deadline || c->has_due) && due < at)
				n++;
		}
		cr_assert_eq(store_count_due_before(t_store, at, &got, &err),
			     0, "%s", err.msg);
		cr_expect_eq(got, n, "due before %s's due + 1 s", cs[i].id);
	}
}

Test(reports, repeat_claimants_by_email_and_address)
{
	struct desk_report_args a = { 0 };

	history();
	/* a third not_received claim from bo */
	struct t_order inv = { .id = "O-7", .shipped = true,
			       .finding = "investigating",
			       .email = "bo@example.com" };

	inv.placed_at = t_now - 20 * T_DAY;
	inv.shipped_at = t_now - 10 * T_DAY;
	cr_assert_eq(t_order_create(&inv), 0, "%s", t_err.msg);
	open_case("O-7", CLAIM_NOT_RECEIVED);
	load();
	run("claimants", NULL);
	/* by e-mail, folded: bo has three, ana one damaged (a scratch) */
	int r = find("key", "bo@example.com", NULL);

	cr_assert_geq(r, 0);
	cr_expect_eq(at(r, "claims")->i, 3);
	cr_expect_eq(at(r, "not_received")->i, 3);
	cr_expect_eq(find("key", "ana@example.com", NULL), -1,
		     "one claim is not a repeat");
	/* by address: every order of the fixture goes to one address */
	int64_t n = 0;
	const char *addr = order_of("O-1")->addr;

	for (int i = 0; i < ncs; i++)
		if (!strcmp(cs[i].type, "not_received") ||
		    !strcmp(cs[i].type, "damaged"))
			n++;
	char low[160];

	snprintf(low, sizeof low, "%s", addr);
	for (char *p = low; *p && *p != '|'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	r = find("key", low, NULL);
	cr_assert_geq(r, 0, "no row for %s", low);
	cr_expect_eq(at(r, "claims")->i, n);
	cr_expect_eq(fig("emails", NULL), 1);
	cr_expect_eq(fig("addresses", NULL), 1);
	/* at least four: bo's three are not enough */
	a.min_claims = 4;
	run("claimants", &a);
	cr_expect_eq(find("key", "bo@example.com", NULL), -1);
	cr_expect_eq(fig("emails", NULL), 0);
}

Test(reports, a_rolled_back_write_leaves_the_summaries_alone)
{
	struct t_case c;

	t_order_new("O-1");
	t_must_open("O-1", CLAIM_CANCEL, &c);
	run("weeks", NULL);
	int64_t before = at(0, "refunded_minor")->i;

	/* the refund's transaction fails at its last statement: nothing of
	 * it stays, in the ledger or in the summaries */
	int n, rc = -1;

	for (n = 0; n < 200 && rc; n++) {
		t_fail_after(n);
		rc = t_refund(S, c.id, "r", 100, NULL);
		t_fail_after(-1);
		if (rc == 0)
			break;
		run("weeks", NULL);
		cr_expect_eq(at(0, "refunded_minor")->i, before,
			     "failure after %d statements", n);
		cr_expect_eq(t_ledger_refunded(c.id), before);
	}
	cr_assert_eq(rc, 0, "the refund never went through");
	cr_assert_gt(n, 2, "no failure was injected");
	run("weeks", NULL);
	cr_expect_eq(at(0, "refunded_minor")->i, before + 100);
}

/* ---- the arithmetic ---------------------------------------------------- */

Test(reports, median_is_interpolated_in_its_bucket)
{
	int64_t h[STORE_REPORT_BUCKETS] = { 0 }, s;

	cr_expect(!desk_report_median(h, STORE_REPORT_BUCKETS, &s));
	h[0] = 1;
	cr_assert(desk_report_median(h, STORE_REPORT_BUCKETS, &s));
	cr_expect_eq(s, 3600, "one case in (0, 1 h]: its top");
	h[0] = 0;
	h[5] = 4;                     /* (12 h, 1 d] */
	cr_assert(desk_report_median(h, STORE_REPORT_BUCKETS, &s));
	cr_expect_eq(s, 43200 + 43200 * 2 / 4, "the 2nd of 4: half way");
	h[0] = 3;                     /* 3 below, 4 in (12 h, 1 d]: 7 */
	cr_assert(desk_report_median(h, STORE_REPORT_BUCKETS, &s));
	cr_expect_eq(s, 43200 + 43200 * 1 / 4, "the 4th of 7");
	memset(h, 0, sizeof h);
	h[STORE_REPORT_BUCKETS - 1] = 2;
	cr_assert(desk_report_median(h, STORE_REPORT_BUCKETS, &s));
	cr_expect_eq(s, 5184000, "the open bucket: its lower bound");
}

Test(reports, iso_weeks)
{
	static const struct {
		const char *at, *monday, *label;
	} w[] = {
		{ "2026-01-01T12:00:00Z", "2025-12-29T00:00:00Z", "2026-W01" },
		{ "2021-01-03T23:59:59Z", "2020-12-28T00:00:00Z", "2020-W53" },
		{ "2026-05-04T00:00:00Z", "2026-05-04T00:00:00Z", "2026-W19" },
		{ "2026-05-03T23:59:59.999999Z", "2026-04-27T00:00:00Z",
		  "2026-W18" },
		{ "1969-12-31T00:00:00Z", "1969-12-29T00:00:00Z", "1970-W01" },
		{ "2024-12-30T08:00:00Z", "2024-12-30T00:00:00Z", "2025-W01" },
	};

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		int64_t a, m;
		char label[16];

		cr_assert_eq(instant_parse(w[i].at, strlen(w[i].at), &a), 0);
		cr_assert_eq(instant_parse(w[i].monday, strlen(w[i].monday),
					   &m), 0);
		cr_expect_eq(store_report_week(a), m, "%s", w[i].at);
		desk_week_label(m, label, sizeof label);
		cr_expect_str_eq(label, w[i].label, "%s", w[i].at);
	}
}
