/* queue.c: what the staff queue reads (tests/desk): the case list by
 * deciding clause and by customer e-mail, alone and with the other
 * filters, paged; the combinations refused rather than read at length;
 * the counts per status against a count row by row, through opens,
 * moves, failed calls and failed batches; a case's photos. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

TestSuite(queue, .init = t_setup, .fini = t_teardown);

#define N_MAX 64

/* The cases made by make_cases, as t_get reads them, in opening order. */
static struct t_case made[N_MAX];
static int n_made;

static const char *const email_of[] = {
	"ana@example.com", "Bo.Chen@Example.COM", "cy@example.org",
};

/* order_for makes order i with customer e-mail email_of[i % 3]: delivered
 * 3 hours ago, or (every fourth) shipped and the courier investigating. */
static void order_for(int i, char id[16])
{
	struct t_order o = { .email = email_of[i % 3] };

	snprintf(id, 16, "O-%d", i);
	o.id = id;
	if (i % 4 == 3) {
		o.placed_at = t_now - 12 * T_DAY;
		o.shipped = true;
		o.shipped_at = t_now - 10 * T_DAY;
		o.finding = "investigating";
	} else {
		o.placed_at = t_now - 10 * T_DAY;
		o.shipped = true;
		o.shipped_at = t_now - 4 * T_DAY;
		o.delivered_at = t_now - 3 * T_HOUR;
		o.customs = "cleared";
	}
	cr_assert_eq(t_order_create(&o), 0, "order %s: %s: %s", id,
		     t_err.field, t_err.msg);
}

/* type_of: the claim type make_cases gave case i */
static const char *type_of(int i)
{
	static const char *const types[] = {
		"wrong_item", "damaged", "damaged", "unwanted",
	};

	return i % 4 == 3 ? "not_received" : types[(i / 4) % 4];
}

/* make_cases opens n cases on n orders (each claim type the order
 * allows, so that several clauses decide them), a minute apart, and moves
 * some on. */
static void make_cases(int n)
{
	static const char *const claims[] = {
		CLAIM_WRONG_ITEM, CLAIM_SCRATCH, CLAIM_BROKEN, CLAIM_UNWANTED,
	};

	cr_assert_leq(n, N_MAX);
	for (int i = 0; i < n; i++) {
		char id[16];

		order_for(i, id);
		t_must_open(id, i % 4 == 3 ? CLAIM_NOT_RECEIVED
					   : claims[(i / 4) % 4], &made[i]);
		if (i % 5 == 1 && made[i].verdict != VERDICT_PENDING)
			cr_assert_eq(t_approve(made[i].id), 0, "%s",
				     t_err.msg);
		cr_assert_eq(t_get(made[i].id, &made[i]), 0);
		t_now += 60 * T_SEC;
	}
	n_made = n;
}

/* expect_list: the list q gives, paged by 2, is exactly the made cases
 * that keep() says, in opening order. */
static void expect_list(struct t_query q,
			bool (*keep)(const struct t_case *c, const void *arg),
			const void *arg, const char *what)
{
	static char got[N_MAX][128];
	int n, k = 0;

	q.limit = 2;
	n = t_list_all(q, got, N_MAX);
	cr_assert_geq(n, 0, "%s: %s: %s", what, t_err.field, t_err.msg);
	for (int i = 0; i < n_made; i++) {
		if (!keep(&made[i], arg))
			continue;
		cr_assert_lt(k, n, "%s: %s is missing", what, made[i].id);
		cr_assert_str_eq(got[k], made[i].id, "%s: row %d", what, k);
		k++;
	}
	cr_assert_eq(n, k, "%s: %d rows, %d expected", what, n, k);
}

static bool by_clause(const struct t_case *c, const void *arg)
{
	return strcmp(c->clause, arg) == 0;
}

static bool by_clause_decided(const struct t_case *c, const void *arg)
{
	return by_clause(c, arg) && c->status == CASE_STATUS_DECIDED;
}

static bool by_email(const struct t_case *c, const void *arg)
{
	int i = (int)(c - made);

	return strcmp(email_of[i % 3], arg) == 0;
}

static bool by_email_waiting(const struct t_case *c, const void *arg)
{
	return by_email(c, arg) && c->status == CASE_STATUS_WAITING;
}

static bool nothing(const struct t_case *c, const void *arg)
{
	(void)c;
	(void)arg;
	return false;
}

/* Each clause that decides a case lists exactly its cases, in the order
 * they were opened, over pages; with a status, those of that status; the
 * rows say their clause. */
Test(queue, by_clause_alone_and_with_a_status)
{
	const char *seen[N_MAX];
	int n_seen = 0;

	make_cases(24);
	for (int i = 0; i < n_made; i++) {
		bool dup = false;

		cr_assert(made[i].clause[0], "%s has no clause", made[i].id);
		for (int j = 0; j < n_seen; j++)
			dup |= strcmp(seen[j], made[i].clause) == 0;
		if (!dup)
			seen[n_seen++] = made[i].clause;
	}
	cr_assert_geq(n_seen, 3, "the cases are decided by %d clauses only",
		      n_seen);
	for (int j = 0; j < n_seen; j++) {
		struct t_query q = { .clause = seen[j] };
		struct t_page p;

		expect_list(q, by_clause, seen[j], seen[j]);
		q.status = "decided";
		expect_list(q, by_clause_decided, seen[j], seen[j]);
		cr_assert_eq(t_list(&(struct t_query){ .clause = seen[j] },
				    &p), 0);
		for (int i = 0; i < p.n; i++)
			cr_assert_str_eq(p.clause[i], seen[j]);
	}
	/* a clause that decides nothing here lists nothing */
	expect_list((struct t_query){ .clause = "warranty.3" }, nothing, NULL,
		    "warranty.3");
}

/* A new decision moves the case to its new clause at once: a wrong item
 * (refund.1) is decided again when the shipment says it was delivered
 * long before the claim (no-refund.2). */
Test(queue, a_new_decision_moves_the_clause)
{
	char before[24], ids[4][128];
	struct t_case c;

	make_cases(4);
	c = made[0];
	snprintf(before, sizeof before, "%s", c.clause);
	cr_assert_eq(t_list_all((struct t_query){ .clause = before }, ids, 4),
		     1 + !strcmp(made[1].clause, before) +
		     !strcmp(made[2].clause, before));
	cr_assert_eq(t_shipment("O-0", t_now - 20 * T_DAY,
				t_now - 15 * T_DAY, NULL, "cleared", NULL),
		     0, "%s", t_err.msg);
	cr_assert_eq(t_get(c.id, &c), 0);
	cr_assert_str_neq(c.clause, before, "the decision did not change");
	cr_assert_eq(t_list_all((struct t_query){ .clause = before }, ids, 4),
		     !strcmp(made[1].clause, before) +
		     !strcmp(made[2].clause, before));
	cr_assert_eq(t_list_all((struct t_query){ .clause = c.clause }, ids,
				4), 1);
	cr_assert_str_eq(ids[0], c.id);
}

/* A customer's cases, whatever the case and the white space of the
 * e-mail asked for; with a status, a type, an order or a clause too. */
Test(queue, by_customer_with_the_other_filters)
{
	make_cases(24);
	expect_list((struct t_query){ .customer = "ana@example.com" },
		    by_email, email_of[0], "ana");
	expect_list((struct t_query){ .customer = " bo.chen@example.com\t" },
		    by_email, email_of[1], "bo, folded and trimmed");
	expect_list((struct t_query){ .customer = "CY@EXAMPLE.ORG" },
		    by_email, email_of[2], "cy, upper case");
	expect_list((struct t_query){ .customer = "ana@example" }, nothing,
		    NULL, "a prefix is not the e-mail");
	expect_list((struct t_query){ .customer = "Bo.Chen@Example.COM",
				      .status = "waiting" },
		    by_email_waiting, email_of[1], "bo, waiting");

	/* with a type, an order and a clause (read among her cases) */
	char ids[N_MAX][128];
	int n = t_list_all((struct t_query){ .customer = email_of[0],
					     .type = "not_received" },
			   ids, N_MAX), k = 0;

	for (int i = 0; i < n_made; i++)
		k += i % 3 == 0 && i % 4 == 3;
	cr_assert_eq(n, k);
	cr_assert_eq(t_list_all((struct t_query){ .customer = email_of[0],
						  .order = "O-3" }, ids,
				N_MAX), 1);
	cr_assert_str_eq(ids[0], made[3].id);
	cr_assert_eq(t_list_all((struct t_query){ .customer = email_of[1],
						  .order = "O-3" }, ids,
				N_MAX), 0);
	k = 0;
	for (int i = 0; i < n_made; i++)
		k += i % 3 == 0 && !strcmp(type_of(i), "wrong_item") &&
		     !strcmp(made[i].clause, made[0].clause);
	cr_assert_geq(k, 2);
	cr_assert_eq(t_list_all((struct t_query){ .customer = email_of[0],
						  .clause = made[0].clause,
						  .type = "wrong_item" }, ids,
				N_MAX), k);
	cr_assert_str_eq(ids[0], made[0].id);
	/* an order with a clause: the order's cases of that clause */
	cr_assert_eq(t_list_all((struct t_query){ .order = "O-5",
						  .clause = made[5].clause },
				ids, N_MAX), 1);
	cr_assert_eq(t_list_all((struct t_query){ .order = "O-5",
						  .clause = "warranty.3",
						  .type = "damaged" },
				ids, N_MAX), 0);
}

static void expect_refused(struct t_query q, const char *field)
{
	struct t_page p;
	int rc = t_list(&q, &p);

	cr_assert_eq(rc, AC_EINVAL, "%s: %s", field, t_code_name(rc));
	cr_assert_str_eq(t_err.field, field, "%s", t_err.msg);
}

/* What would read beyond one order, customer or clause is refused, named;
 * so are a clause the policy has not and an empty e-mail. */
Test(queue, refused_combinations_and_values)
{
	make_cases(4);
	expect_refused((struct t_query){ .clause = "refund.1",
					 .type = "damaged" }, "type");
	expect_refused((struct t_query){ .clause = "refund.1",
					 .status = "open",
					 .type = "damaged" }, "type");
	expect_refused((struct t_query){ .clause = "refund.1",
			.deadline_before = "2030-01-01T00:00:00Z" },
		       "deadline_before");
	expect_refused((struct t_query){ .customer = "ana@example.com",
			.deadline_before = "2030-01-01T00:00:00Z" },
		       "deadline_before");
	expect_refused((struct t_query){ .order = "O-1",
			.clause = "refund.1",
			.deadline_before = "2030-01-01T00:00:00Z" },
		       "deadline_before");
	expect_refused((struct t_query){ .clause = "refund.9" }, "clause");
	expect_refused((struct t_query){ .clause = "" }, "clause");
	expect_refused((struct t_query){ .clause = "Refund.1" }, "clause");
	expect_refused((struct t_query){ .customer = " \t" }, "customer");
	expect_refused((struct t_query){ .clause = "refund.1",
					 .status = "stuck" }, "status");
	/* the cursor of a list by clause is a case id like the others */
	expect_refused((struct t_query){ .clause = "refund.1",
					 .after = "C-nope" }, "after");
}

static void expect_counts(const char *when)
{
	int64_t c[CASE_STATUS_COUNT];

	cr_assert_eq(t_counts(c), 0, "%s: %s", when, t_err.msg);
	for (int s = 0; s < CASE_STATUS_COUNT; s++)
		cr_assert_eq(c[s], t_status_count((enum case_status)s),
			     "%s: status %d: %lld counted, %lld listed", when,
			     s, (long long)c[s],
			     (long long)t_status_count((enum case_status)s));
}

/* The counts per status are the rows per status after every open and
 * move, and after calls and batches that failed at each store step. */
Test(queue, counts_follow_every_write)
{
	int64_t c[CASE_STATUS_COUNT];
	int n;

	cr_assert_eq(t_counts(c), 0);
	for (int s = 0; s < CASE_STATUS_COUNT; s++)
		cr_assert_eq(c[s], 0);
	make_cases(12);
	expect_counts("opened");
	cr_assert_eq(t_transition(made[0].id, CASE_STATUS_CLOSED, "dup"), 0);
	cr_assert_eq(t_transition(made[2].id, CASE_STATUS_WAITING, NULL), 0,
		     "%s", t_err.msg);
	cr_assert_eq(t_transition(made[2].id, CASE_STATUS_DECIDED, NULL), 0,
		     "%s", t_err.msg);
	t_force_status(made[4].id, CASE_STATUS_RESOLVED);
	t_force_status(made[4].id, CASE_STATUS_RESOLVED);   /* no move */
	expect_counts("moved");
	/* a move refused changes nothing */
	cr_assert_eq(t_transition(made[0].id, CASE_STATUS_OPEN, NULL),
		     AC_ESTATE);
	expect_counts("refused");

	for (n = 0; n < 200; n++) {
		char id[16];
		int ro, rt, rcommit;

		snprintf(id, sizeof id, "B-%d", n);
		cr_assert_eq(t_order_create(&(struct t_order){
			.id = id, .placed_at = t_now - 2 * T_HOUR }), 0);
		cr_assert_eq(t_batch_begin(), 0, "%s", t_err.msg);
		t_fail_after(n);
		ro = t_open(id, CLAIM_CANCEL, NULL);
		rt = t_transition(made[6 + n % 6].id, CASE_STATUS_CLOSED,
				  "batch");
		rcommit = t_batch_commit();
		t_fail_after(-1);
		cr_assert(!t_in_transaction(), "n=%d", n);
		expect_counts(rcommit ? "a failed batch" : "a batch");
		if (!rcommit && ro == 0 && (rt == 0 || rt == AC_ESTATE))
			break;
	}
	cr_assert_lt(n, 200);
}

/* A case's photos, oldest first (added at one instant: as added), without
 * their bytes; none for a case without; no such case is not found. */
Test(queue, evidence_listed_oldest_first)
{
	struct t_evidence_list l;
	char sha[3][65];

	make_cases(2);
	cr_assert_eq(t_evidences(made[0].id, &l), 0, "%s", t_err.msg);
	cr_assert_eq(l.n, 0);
	cr_assert_eq(t_evidence(made[0].id, "png", 1, sha[0]), 0, "%s",
		     t_err.msg);
	t_now += T_SEC;
	cr_assert_eq(t_evidence(made[0].id, "webp", 2, sha[1]), 0, "%s",
		     t_err.msg);
	cr_assert_eq(t_evidence(made[0].id, "jpeg", 3, sha[2]), 0, "%s",
		     t_err.msg);
	/* the same bytes again: still one photo */
	cr_assert_eq(t_evidence(made[0].id, "png", 1, NULL), 0);
	cr_assert_eq(t_evidence(made[1].id, "jpeg", 9, NULL), 0);
	cr_assert_eq(t_evidences(made[0].id, &l), 0, "%s", t_err.msg);
	cr_assert_eq(l.n, 3);
	cr_assert(!l.more);
	for (int i = 0; i < 3; i++) {
		cr_assert_str_eq(l.sha256[i], sha[i], "row %d", i);
		cr_assert(!l.has_data[i]);
	}
	cr_assert_str_eq(l.type[0], "image/png");
	cr_assert_str_eq(l.type[1], "image/webp");
	cr_assert_str_eq(l.type[2], "image/jpeg");
	cr_assert_eq(l.size[0], 9);             /* 8 magic bytes and "1" */
	cr_assert_eq(l.size[1], 17);
	cr_assert_eq(l.created_at[0], t_now - T_SEC);
	cr_assert_eq(l.created_at[1], t_now);
	cr_assert_eq(l.created_at[2], t_now);
	cr_assert_eq(t_evidences("C-999999", &l), AC_ENOTFOUND);
}
