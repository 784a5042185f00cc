/* states.c: the case state machine, as a table (tests/desk).
 * Every status a case can be in, times every action the desk offers on a
 * case: the move to each status, approve, override, refund, the repair
 * quote's actions and a re-decision by a courier fact. Each cell is a new
 * case put into the status behind the desk's back (through the store), the
 * clock moved a second, then the action: allowed, it gives the new status;
 * refused, it gives its code and nothing of the case changed in the store
 * (status, times, decision, ledger, audit, quote). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../src/desk/desk.h"
#include "support.h"

TestSuite(states, .init = t_setup, .fini = t_teardown);

enum action {
	TO_OPEN, TO_WAITING, TO_DECIDED, TO_RESOLVED, TO_CLOSED,
	TO_CLOSED_NO_REASON, APPROVE, OVERRIDE, REFUND_PART, REFUND_ALL,
	REDECIDE_SAME, REDECIDE_CHANGE,
	/* on a paid repair */
	QUOTE, QUOTE_ACCEPT, QUOTE_DECLINE, QUOTE_REPAIRED, QUOTE_SHIPPED_BACK,
	ACTION_COUNT
};

static const char *const action_name[ACTION_COUNT] = {
	"to open", "to waiting", "to decided", "to resolved",
	"to closed with a reason", "to closed without a reason", "approve",
	"override", "refund a part", "refund it all", "re-decide (same)",
	"re-decide (changed)", "quote", "accept the quote",
	"decline the quote", "repaired", "shipped back",
};

enum outcome { ALLOW, REFUSE, UNTOUCHED };

struct cell {
	enum outcome o;
	int code;                       /* REFUSE: the code */
	enum case_status to;            /* ALLOW: the new status */
};

#define OK(st) { ALLOW, 0, CASE_STATUS_##st }
#define NO { REFUSE, AC_ESTATE, CASE_STATUS_COUNT }
#define INVAL { REFUSE, AC_EINVAL, CASE_STATUS_COUNT }
#define SAME { UNTOUCHED, 0, CASE_STATUS_COUNT }

/* rows: actions; columns: open, waiting, decided, resolved, closed */
static const struct cell table[ACTION_COUNT][CASE_STATUS_COUNT] = {
	[TO_OPEN] = { NO, OK(OPEN), NO, NO, NO },
	[TO_WAITING] = { OK(WAITING), NO, OK(WAITING), NO, NO },
	[TO_DECIDED] = { OK(DECIDED), OK(DECIDED), NO, NO, NO },
	[TO_RESOLVED] = { NO, NO, OK(RESOLVED), NO, NO },
	[TO_CLOSED] = { OK(CLOSED), OK(CLOSED), OK(CLOSED), OK(CLOSED), NO },
	[TO_CLOSED_NO_REASON] = { INVAL, INVAL, INVAL, OK(CLOSED), NO },
	[APPROVE] = { OK(DECIDED), OK(DECIDED), OK(DECIDED), NO, NO },
	/* an override decides the case; a resolved case stays resolved */
	[OVERRIDE] = { OK(DECIDED), OK(DECIDED), OK(DECIDED), OK(RESOLVED),
		       NO },
	[REFUND_PART] = { OK(OPEN), OK(WAITING), OK(DECIDED), NO, NO },
	/* the whole allowance paid: resolved */
	[REFUND_ALL] = { OK(RESOLVED), OK(RESOLVED), OK(RESOLVED), NO, NO },
	/* a courier fact re-decides the cases not resolved or closed; a
	 * verdict that changes reopens the case (open, or waiting when
	 * pending), one that does not leaves its status */
	[REDECIDE_SAME] = { OK(OPEN), OK(WAITING), OK(DECIDED), SAME, SAME },
	[REDECIDE_CHANGE] = { OK(OPEN), OK(OPEN), OK(OPEN), SAME, SAME },
	/* a quote waits for the customer's answer */
	[QUOTE] = { OK(WAITING), OK(WAITING), OK(WAITING), NO, NO },
	/* accepting decides the case again (decided); nothing leaves closed
	 * and a resolved case does not go back to decided */
	[QUOTE_ACCEPT] = { OK(DECIDED), OK(DECIDED), OK(DECIDED), NO, NO },
	[QUOTE_DECLINE] = { OK(RESOLVED), OK(RESOLVED), OK(RESOLVED),
			    OK(RESOLVED), NO },
	[QUOTE_REPAIRED] = { OK(OPEN), OK(WAITING), OK(DECIDED), OK(RESOLVED),
			     NO },
	[QUOTE_SHIPPED_BACK] = { OK(RESOLVED), OK(RESOLVED), OK(RESOLVED),
				 OK(RESOLVED), NO },
};

static int64_t opened_at;

/* prepare makes the case the action needs and returns its order id. */
static void prepare(enum action a, enum case_status from, char order[32],
		    struct t_case *c)
{
	snprintf(order, 32, "O-%d-%d", (int)a, (int)from);
	opened_at = t_now;
	if (a < QUOTE) {
		/* a wrong item delivered 3 hours ago: full refund, 52000 */
		t_order_delivered(order, t_now - 3 * T_HOUR);
		t_must_open(order, CLAIM_WRONG_ITEM, c);
		cr_assert_eq(c->verdict, VERDICT_FULL_REFUND);
	} else {
		/* a month after delivery, the gold costs more: paid repair */
		t_order_delivered(order, t_now - 30 * T_DAY);
		t_must_open(order, CLAIM_PAID_REPAIR, c);
		cr_assert_eq(c->verdict, VERDICT_PAID_REPAIR);
		if (a != QUOTE)
			cr_assert_eq(t_quote(c->id, 4800, 0), 0, "quote: %s",
				     t_err.msg);
		if (a == QUOTE_REPAIRED || a == QUOTE_SHIPPED_BACK)
			cr_assert_eq(t_quote_action(c->id, "accept"), 0);
		if (a == QUOTE_SHIPPED_BACK)
			cr_assert_eq(t_quote_action(c->id, "repaired"), 0);
	}
	t_force_status(c->id, from);
	t_now += T_SEC;
}

static int act(enum action a, const char *order, const char *id)
{
	switch (a) {
	case TO_OPEN: return t_transition(id, CASE_STATUS_OPEN, NULL);
	case TO_WAITING: return t_transition(id, CASE_STATUS_WAITING, NULL);
	case TO_DECIDED: return t_transition(id, CASE_STATUS_DECIDED, NULL);
	case TO_RESOLVED: return t_transition(id, CASE_STATUS_RESOLVED, NULL);
	case TO_CLOSED:
		return t_transition(id, CASE_STATUS_CLOSED, "withdrawn");
	case TO_CLOSED_NO_REASON:
		return t_transition(id, CASE_STATUS_CLOSED, NULL);
	case APPROVE: return t_approve(id);
	case OVERRIDE:
		return t_override("token:lead", id, VERDICT_PARTIAL_REFUND,
				  10000, "goodwill");
	case REFUND_PART: return t_refund("token:test", id, id, 1000, NULL);
	case REFUND_ALL: return t_refund("token:test", id, id, T_PRICE, NULL);
	case REDECIDE_SAME:
		/* the courier investigates: nothing a wrong item rests on */
		return t_tracking(order, "investigating", t_now, NULL);
	case REDECIDE_CHANGE:
		/* delivered earlier than recorded: the claim came too late
		 * (no-refund.2) */
		return t_tracking(order, "delivered",
				  opened_at - 48 * T_HOUR - T_US, NULL);
	case QUOTE: return t_quote(id, 4800, 0);
	case QUOTE_ACCEPT: return t_quote_action(id, "accept");
	case QUOTE_DECLINE: return t_quote_action(id, "decline");
	case QUOTE_REPAIRED: return t_quote_action(id, "repaired");
	case QUOTE_SHIPPED_BACK: return t_quote_action(id, "shipped_back");
	case ACTION_COUNT: break;
	}
	return -1000;
}

static void run_row(enum action a)
{
	for (int s = 0; s < CASE_STATUS_COUNT; s++) {
		const struct cell *want = &table[a][s];
		const char *from = case_status_name((enum case_status)s);
		struct t_snap before, after;
		struct t_case c;
		char order[32];
		int rc;

		prepare(a, (enum case_status)s, order, &c);
		t_snap(c.id, &before);
		rc = act(a, order, c.id);
		t_snap(c.id, &after);
		cr_assert(!t_in_transaction(), "%s %s: a transaction was "
			  "left open", from, action_name[a]);
		switch (want->o) {
		case ALLOW:
			cr_expect_eq(rc, 0, "%s, %s: want allowed, got %s "
				     "(%s: %s)", from, action_name[a],
				     t_code_name(rc), t_err.field, t_err.msg);
			cr_expect_eq(after.status, want->to, "%s, %s: want "
				     "%s, got %s", from, action_name[a],
				     case_status_name(want->to),
				     case_status_name(after.status));
			if (a == APPROVE)
				cr_expect(after.has_approval, "%s, approve: "
					  "no approval recorded", from);
			if (a == REDECIDE_SAME || a == REDECIDE_CHANGE)
				cr_expect_gt(after.decision_id,
					     before.decision_id, "%s, %s: not "
					     "decided again", from,
					     action_name[a]);
			break;
		case REFUSE:
			cr_expect_eq(rc, want->code, "%s, %s: want %s, got "
				     "%s (%s: %s)", from, action_name[a],
				     t_code_name(want->code), t_code_name(rc),
				     t_err.field, t_err.msg);
			cr_expect(t_snap_eq(&before, &after), "%s, %s: "
				  "refused but the case changed", from,
				  action_name[a]);
			break;
		case UNTOUCHED:
			cr_expect_eq(rc, 0, "%s, %s: got %s (%s)", from,
				     action_name[a], t_code_name(rc),
				     t_err.msg);
			cr_expect(t_snap_eq(&before, &after), "%s, %s: the "
				  "case was decided again", from,
				  action_name[a]);
			break;
		}
	}
}

Test(states, to_open) { run_row(TO_OPEN); }
Test(states, to_waiting) { run_row(TO_WAITING); }
Test(states, to_decided) { run_row(TO_DECIDED); }
Test(states, to_resolved) { run_row(TO_RESOLVED); }
Test(states, to_closed) { run_row(TO_CLOSED); }
Test(states, to_closed_without_reason) { run_row(TO_CLOSED_NO_REASON); }
Test(states, approve) { run_row(APPROVE); }
Test(states, override) { run_row(OVERRIDE); }
Test(states, refund_part) { run_row(REFUND_PART); }
Test(states, refund_all) { run_row(REFUND_ALL); }
Test(states, redecide_same_verdict) { run_row(REDECIDE_SAME); }
Test(states, redecide_changed_verdict) { run_row(REDECIDE_CHANGE); }
Test(states, quote) { run_row(QUOTE); }
Test(states, quote_accept) { run_row(QUOTE_ACCEPT); }
Test(states, quote_decline) { run_row(QUOTE_DECLINE); }
Test(states, quote_repaired) { run_row(QUOTE_REPAIRED); }
Test(states, quote_shipped_back) { run_row(QUOTE_SHIPPED_BACK); }

/* A pending decision waits for facts: approving it is refused in every
 * status, and leaves the case as it was. */
Test(states, approve_pending_refused)
{
	for (int s = 0; s < CASE_STATUS_COUNT; s++) {
		struct t_snap before, after;
		struct t_case c;
		char order[32];
		int rc;

		snprintf(order, sizeof order, "O-P-%d", s);
		t_order_investigating(order);
		t_must_open(order, CLAIM_NOT_RECEIVED, &c);
		cr_assert_eq(c.verdict, VERDICT_PENDING);
		cr_assert_eq(c.status, CASE_STATUS_WAITING);
		t_force_status(c.id, (enum case_status)s);
		t_now += T_SEC;
		t_snap(c.id, &before);
		rc = t_approve(c.id);
		t_snap(c.id, &after);
		cr_expect_eq(rc, AC_ESTATE, "%s: got %s",
			     case_status_name((enum case_status)s),
			     t_code_name(rc));
		cr_expect(t_snap_eq(&before, &after));
	}
}

/* Opening: a decided verdict opens the case as open, a pending one as
 * waiting; an unknown case is AC_ENOTFOUND for every action. */
Test(states, opening_and_unknown_case)
{
	struct t_case c;

	t_order_delivered("O-1", t_now - 3 * T_HOUR);
	t_must_open("O-1", CLAIM_WRONG_ITEM, &c);
	cr_expect_eq(c.status, CASE_STATUS_OPEN);
	cr_expect_eq(t_audit_count(c.id, "case.open"), 1);
	t_order_investigating("O-2");
	t_must_open("O-2", CLAIM_NOT_RECEIVED, &c);
	cr_expect_eq(c.status, CASE_STATUS_WAITING);
	cr_expect_eq(t_open("O-NONE", CLAIM_CANCEL, NULL), AC_ENOTFOUND);
	cr_expect_eq(t_transition("C-999999", CASE_STATUS_CLOSED, "x"),
		     AC_ENOTFOUND);
	cr_expect_eq(t_approve("C-999999"), AC_ENOTFOUND);
	cr_expect_eq(t_override("token:lead", "C-999999", VERDICT_NO_REFUND,
				-1, "x"), AC_ENOTFOUND);
	cr_expect_eq(t_refund("token:test", "C-999999", "k", 1, NULL),
		     AC_ENOTFOUND);
	cr_expect(!t_idem_exists("token:test", "k"));
}

/* The repair quote's own states: quoted -> accepted | declined, accepted
 * -> repaired -> shipped_back; nothing else, and an expired quote is
 * refused (recorded as expired) one microsecond past expires_at, not at
 * it. */
Test(states, quote_machine)
{
	static const char *const actions[] = { "accept", "decline",
					       "repaired", "shipped_back" };
	/* the path to each quote status, then what each action gives */
	static const struct {
		const char *path[3];
		bool ok[4];
	} rows[] = {
		{ { NULL }, { true, true, false, false } },     /* quoted */
		{ { "accept" }, { false, false, true, false } },
		{ { "decline" }, { false, false, false, false } },
		{ { "accept", "repaired" }, { false, false, false, true } },
		{ { "accept", "repaired", "shipped_back" },
		  { false, false, false, false } },
	};

	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		for (int a = 0; a < 4; a++) {
			struct t_snap before, after;
			struct t_case c;
			char order[32];
			int rc;

			snprintf(order, sizeof order, "O-Q-%zu-%d", r, a);
			t_order_delivered(order, t_now - 30 * T_DAY);
			t_must_open(order, CLAIM_PAID_REPAIR, &c);
			cr_assert_eq(t_quote(c.id, 4800, 0), 0);
			for (int k = 0; k < 3 && rows[r].path[k]; k++)
				cr_assert_eq(t_quote_action(c.id,
							    rows[r].path[k]),
					     0);
			t_now += T_SEC;
			t_snap(c.id, &before);
			rc = t_quote_action(c.id, actions[a]);
			t_snap(c.id, &after);
			if (rows[r].ok[a]) {
				cr_expect_eq(rc, 0, "row %zu, %s: %s", r,
					     actions[a], t_err.msg);
			} else {
				cr_expect_eq(rc, AC_ESTATE, "row %zu, %s: "
					     "got %s", r, actions[a],
					     t_code_name(rc));
				cr_expect(t_snap_eq(&before, &after),
					  "row %zu, %s: changed", r,
					  actions[a]);
			}
		}
	}
}

Test(states, quote_expiry_boundary)
{
	struct t_case c;
	int64_t expires;

	t_order_delivered("O-E1", t_now - 30 * T_DAY);
	t_must_open("O-E1", CLAIM_PAID_REPAIR, &c);
	expires = t_now + T_DAY;
	cr_assert_eq(t_quote(c.id, 4800, expires), 0);
	t_now = expires;                /* at expires_at: still standing */
	cr_expect_eq(t_quote_action(c.id, "accept"), 0, "%s", t_err.msg);
	t_get(c.id, &c);
	cr_expect_eq(c.quote_status, QUOTE_STATUS_ACCEPTED);
	cr_expect_eq(c.charge_minor, 4800);

	t_order_delivered("O-E2", t_now - 30 * T_DAY);
	t_must_open("O-E2", CLAIM_PAID_REPAIR, &c);
	expires = t_now + T_DAY;
	cr_assert_eq(t_quote(c.id, 4800, expires), 0);
	t_now = expires + T_US;         /* one microsecond past: expired */
	cr_expect_eq(t_quote_action(c.id, "accept"), AC_ESTATE);
	t_get(c.id, &c);
	cr_expect_eq(c.quote_status, QUOTE_STATUS_EXPIRED);
	cr_expect_eq(t_quote_action(c.id, "decline"), AC_ESTATE);

	/* a quote that is already past is refused; the default life is the
	 * policy's 14 days */
	t_order_delivered("O-E3", t_now - 30 * T_DAY);
	t_must_open("O-E3", CLAIM_PAID_REPAIR, &c);
	cr_expect_eq(t_quote(c.id, 4800, t_now), AC_EINVAL);
	cr_assert_eq(t_quote(c.id, 4800, 0), 0);
	t_now += 14 * T_DAY;
	cr_expect_eq(t_quote_action(c.id, "accept"), 0, "%s", t_err.msg);

	/* only a paid repair is quoted */
	t_order_delivered("O-E4", t_now - 3 * T_HOUR);
	t_must_open("O-E4", CLAIM_WRONG_ITEM, &c);
	cr_expect_eq(t_quote(c.id, 4800, 0), AC_ESTATE);
}

/* ---- an opened case's answer ------------------------------------------ */

/* what a struct desk_case says, its strings copied out of the desk */
struct shown {
	struct desk_case dc;
	char id[64], order[64], order_in_decision[64], policy[80];
	char claim[1024];
};

static void copy_str(char *to, size_t cap, struct ac_str s)
{
	cr_assert_lt(s.n, cap);
	memcpy(to, s.p, s.n);
	to[s.n] = '\0';
}

static void show(const struct desk_case *dc, struct shown *out)
{
	memset(out, 0, sizeof *out);
	out->dc = *dc;
	copy_str(out->id, sizeof out->id, dc->id);
	copy_str(out->order, sizeof out->order, dc->order_id);
	copy_str(out->order_in_decision, sizeof out->order_in_decision,
		 dc->decision.order);
	copy_str(out->policy, sizeof out->policy,
		 (struct ac_str){ dc->decision.policy,
				  strlen(dc->decision.policy) });
	copy_str(out->claim, sizeof out->claim, dc->claim_json);
}

/* same_case: every field of the two answers, strings by their text */
static void same_case(const struct shown *a, const struct shown *b)
{
	const struct desk_case *x = &a->dc, *y = &b->dc;
	const struct decision *p = &x->decision, *q = &y->decision;

	cr_assert_str_eq(a->id, b->id);
	cr_assert_str_eq(a->order, b->order);
	cr_assert_str_eq(a->order_in_decision, b->order_in_decision, "%s",
			 a->id);
	cr_assert_str_eq(a->policy, b->policy);
	cr_assert_str_eq(a->claim, b->claim);
	cr_assert_eq(x->status, y->status, "%s", a->id);
	cr_assert_eq(x->claim_type, y->claim_type);
	cr_assert_eq(p->verdict, q->verdict, "%s", a->id);
	cr_assert_eq(p->n_clauses, q->n_clauses, "%s", a->id);
	for (int i = 0; i < p->n_clauses; i++)
		cr_assert_eq(p->clauses[i], q->clauses[i], "%s", a->id);
	cr_assert_eq(p->currency, q->currency);
	cr_assert_eq(p->refund_max_minor, q->refund_max_minor);
	cr_assert_eq(p->charge_minor, q->charge_minor);
	cr_assert_eq(p->n_remedies, q->n_remedies, "%s", a->id);
	for (int i = 0; i < p->n_remedies; i++) {
		cr_assert_eq(p->remedies[i].type, q->remedies[i].type);
		cr_assert_eq(p->remedies[i].cost_bearer,
			     q->remedies[i].cost_bearer);
		cr_assert_eq(p->remedies[i].amount_minor,
			     q->remedies[i].amount_minor);
	}
	cr_assert_eq(p->n_needs, q->n_needs, "%s", a->id);
	for (int i = 0; i < p->n_needs; i++)
		cr_assert_eq(p->needs[i], q->needs[i]);
	cr_assert_eq(p->has_deadline, q->has_deadline, "%s", a->id);
	cr_assert_eq(p->deadline, q->deadline);
	cr_assert_eq(x->decided_at, y->decided_at, "%s", a->id);
	cr_assert_eq(x->decision_overridden, y->decision_overridden);
	cr_assert_eq(x->policy, y->policy, "%s", a->id);
	cr_assert_eq(x->response_due, y->response_due, "%s", a->id);
	cr_assert_eq(x->refunded_total_minor, y->refunded_total_minor);
	cr_assert_eq(x->charged_total_minor, y->charged_total_minor);
	cr_assert_eq(x->has_override, y->has_override);
	cr_assert_eq(x->has_approval, y->has_approval);
	cr_assert_eq(x->has_quote, y->has_quote);
	cr_assert_eq(x->created_at, y->created_at, "%s", a->id);
	cr_assert_eq(x->updated_at, y->updated_at, "%s", a->id);
}

/* Opening a case answers from what it has just stored, without reading
 * the case back (cases.c: opened_case): the answer is what a read gives
 * afterwards, for each kind of verdict: refunds full and partial, none,
 * pending (waiting, with a deadline), a paid repair with its charge. */
Test(states, an_opened_case_answers_what_a_read_gives)
{
	static const struct {
		const char *order, *claim;
		int kind;   /* 0 new, 1 delivered 3 h ago, 2 a month ago,
			     * 3 investigating */
	} opens[] = {
		{ "A-1", CLAIM_CANCEL, 0 },
		{ "A-2", CLAIM_WRONG_ITEM, 1 },
		{ "A-3", CLAIM_SCRATCH, 1 },
		{ "A-4", CLAIM_BROKEN, 1 },
		{ "A-5", CLAIM_UNWANTED, 1 },
		{ "A-6", CLAIM_UNWANTED, 2 },
		{ "A-7", CLAIM_PAID_REPAIR, 2 },
		{ "A-8", CLAIM_NOT_RECEIVED, 3 },
		{ "A-9", CLAIM_BROKEN, 2 },
	};
	bool pending = false, charged = false;

	for (size_t i = 0; i < sizeof opens / sizeof *opens; i++) {
		struct desk_case dc;
		struct shown opened, read;
		int rc;

		switch (opens[i].kind) {
		case 0: t_order_new(opens[i].order); break;
		case 1: t_order_delivered(opens[i].order, t_now - 3 * T_HOUR);
			break;
		case 2: t_order_delivered(opens[i].order, t_now - 30 * T_DAY);
			break;
		default: t_order_investigating(opens[i].order);
		}
		rc = t_open_case(opens[i].order, opens[i].claim, &dc);
		cr_assert_eq(rc, 0, "%s: %s", opens[i].order, t_err.msg);
		show(&dc, &opened);
		t_now += T_SEC;
		rc = t_get_case(opened.id, &dc);
		cr_assert_eq(rc, 0, "%s: %s", opened.id, t_err.msg);
		show(&dc, &read);
		same_case(&opened, &read);
		pending |= opened.dc.decision.verdict == VERDICT_PENDING;
		charged |= opened.dc.decision.charge_minor > 0;
	}
	/* the table reaches a pending case and a charge */
	cr_assert(pending && charged);
}
