/* cases.c: opening, reading, listing and working cases (desk layer).
 * A case is decided from the stored facts, never from a verdict a client
 * sends; staff approve the decision or override it with a reason. */
#include "desk_int.h"
#include "outbox.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"

static void opened_case(struct desk *d, struct ac_str id,
			const struct store_case *sc,
			const struct decision *dec, struct desk_case *out);

int desk_open_case(struct desk *d, const char *actor,
		   const struct desk_open *req, struct desk_case *out,
		   struct ac_err *err)
{
	struct store_order so = { 0 };
	struct ac_case *c = d->c;
	struct decision dec;
	char id[STORE_ID_MAX];
	char order_key[STORE_ID_MAX];
	int64_t now = desk_now(d);
	int rc;

	if (req->order_id.n == 0)
		return ac_err_set(err, AC_EINVAL, "order", "empty");
	if (req->order_id.n >= STORE_ID_MAX)
		return ac_err_set(err, AC_ENOTFOUND, "order", "no such order");
	snprintf(order_key, sizeof order_key, "%.*s", (int)req->order_id.n,
		 req->order_id.p);
	rc = store_get_order(d->store, S(order_key), &so, err);
	if (rc) {
		if (rc == AC_ENOTFOUND)
			ac_err_set(err, AC_ENOTFOUND, "order",
				   "no order %s", order_key);
		goto out;
	}
	c->order = so.order;
	c->shipped = so.shipped;
	c->shipment = so.shipment;
	c->claim = req->claim;
	if (!req->has_opened_at)
		c->claim.opened_at = now;
	rc = claim_check_order(&c->claim, &c->order, err);
	if (rc)
		goto out;
	buf_reset(&d->claim);
	if (claim_json_write(&c->claim, &d->claim)) {
		rc = ac_err_set(err, AC_ELIMIT, "claim", "too large to store");
		goto out;
	}

	struct store_case sc = {
		.order_id = S(order_key),
		.status = CASE_STATUS_OPEN,
		.claim_type = c->claim.type,
		.opened_at = c->claim.opened_at,
		.claim_json = { d->claim.p, d->claim.len },
		.created_at = now,
		.updated_at = now,
		.has_response_due = true,
	};

	rc = desk_txn_begin(d, err);
	/* the policy active as the transaction began (issue 9) */
	sc.response_due_at = now + d->policy->response_time_us;
	/* decided first, so that the case is stored once as it will stay:
	 * waiting when the decision is pending, with its verdict, clause
	 * and deadline (the report summaries count it once, in its groups,
	 * instead of counting it undecided and moving it) */
	if (!rc)
		rc = desk_decide(d, S(""), &dec, err);
	if (!rc) {
		sc.status = dec.verdict == VERDICT_PENDING ?
			    CASE_STATUS_WAITING : CASE_STATUS_OPEN;
		sc.has_decided = true;
		sc.verdict = S(verdict_name(dec.verdict));
		sc.clause = dec.n_clauses ?
			    S(clause_id_name(dec.clauses[0])) : S("");
		sc.has_deadline = dec.has_deadline;
		sc.deadline = dec.deadline;
		rc = store_put_case(d->store, &sc, id, err);
	}
	if (!rc)
		rc = desk_save_decision(d, S(id), sc.claim_json, &dec, err);
	if (!rc) {
		struct record_field after[] = {
			RECORD_S("status", S(case_status_name(
					 desk_status_for(dec.verdict)))),
			RECORD_S("verdict", S(verdict_name(dec.verdict))),
		};

		rc = desk_audit_rec(d, actor, "case.open", "case", S(id), NULL,
				    0, after, 2, err);
	}
	/* the customer hears of it once the case is stored (issue 10) */
	if (!rc) {
		struct desk_mail_facts mf = {
			.order_id = S(order_key),
			.verdict = verdict_name(dec.verdict),
		};

		rc = desk_outbox_mail(d, MAIL_CASE_OPENED, S(id), &mf, "",
				      err);
	}
	/* the answer is made before the commit (a call whose work is
	 * committed has succeeded), from what was stored */
	if (!rc)
		opened_case(d, S(id), &sc, &dec, out);
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		desk_fail(d, rc);
out:
	store_order_release(&so);
	return rc;
}

/* opened_case: the answer to an opening, from what desk_open_case has
 * just stored: the case as put (sc) and its decision (dec), decided at
 * the decision's clock, with nothing refunded, quoted, overridden or
 * approved yet. What desk_read_case would read back, without reading the
 * case again and parsing the decision it wrote (10 % of a case opened);
 * tests/desk/states.c (an_opened_case_answers_what_a_read_gives) compares
 * the two for every path of the policy it opens. */
static void opened_case(struct desk *d, struct ac_str id,
			const struct store_case *sc,
			const struct decision *dec, struct desk_case *out)
{
	snprintf(d->v_id, sizeof d->v_id, "%.*s", (int)id.n, id.p);
	snprintf(d->v_order, sizeof d->v_order, "%.*s", (int)sc->order_id.n,
		 sc->order_id.p);
	memset(out, 0, sizeof *out);
	out->id = S(d->v_id);
	out->order_id = S(d->v_order);
	out->status = sc->status;
	out->claim_type = sc->claim_type;
	out->claim_json = sc->claim_json;
	out->decision = *dec;
	out->decision.order = out->order_id;  /* dec's borrows the order */
	out->decided_at = d->c->now;
	out->policy = desk_policy_of(d, S(dec->policy));
	out->response_due = sc->response_due_at;
	out->created_at = sc->created_at;
	out->updated_at = sc->updated_at;
}

int desk_read_case(struct desk *d, struct ac_str case_id,
		   struct desk_case *out, struct ac_err *err)
{
	struct store_case_view *v = &d->v_cv;
	struct store_case *sc = &v->c;
	struct store_quote *q = &v->quote;
	struct decision_override ov;
	int rc;

	/* case_id may point into the result of the last call */
	snprintf(d->v_id, sizeof d->v_id, "%.*s", (int)case_id.n, case_id.p);
	store_case_view_release(v);
	memset(out, 0, sizeof *out);
	/* one statement: the case, its decision, sums and latest quote */
	rc = store_get_case_view(d->store, S(d->v_id), v, err);
	if (!rc)
		rc = decision_record_read(v->decision_json.p,
					  v->decision_json.n, &out->decision,
					  &ov, &d->v_mem, &d->v_arena, err);
	if (rc)
		return rc;
	out->has_quote = v->has_quote;
	out->id = sc->id;
	out->order_id = sc->order_id;
	out->status = sc->status;
	out->claim_type = sc->claim_type;
	out->claim_json = sc->claim_json;
	out->decided_at = v->decided_at;
	out->decision_overridden = ov.present;
	out->decision_override_reason = ov.reason;
	out->decision_override_author = ov.author;
	/* the clauses as the policy it was decided under words them */
	out->policy = desk_policy_of(d, S(out->decision.policy));
	/* as stored when the case opened (the due list reads the same) */
	out->response_due = sc->has_response_due ? sc->response_due_at :
			    sc->created_at + d->policy->response_time_us;
	out->refunded_total_minor = v->sum.refund_minor;
	out->charged_total_minor = v->sum.charge_minor;
	out->has_override = sc->has_override;
	if (sc->has_override &&
	    verdict_parse(sc->override_verdict.p, sc->override_verdict.n,
			  &out->override_verdict))
		rc = ac_err_set(err, AC_EIO, "case.override_verdict",
				"not a verdict in the store");
	out->override_reason = sc->override_reason;
	out->override_author = sc->override_author;
	out->overridden_at = sc->overridden_at;
	out->has_approval = sc->has_approval;
	out->approved_by = sc->approved_by;
	out->approved_at = sc->approved_at;
	if (out->has_quote)
		out->quote = (struct desk_quote){
			q->id, q->case_id, q->amount_minor, q->status,
			q->expires_at, q->created_at, q->updated_at,
		};
	out->created_at = sc->created_at;
	out->updated_at = sc->updated_at;
	return rc;
}

int desk_get_case(struct desk *d, const char *case_id, struct desk_case *out,
		  struct ac_err *err)
{
	return desk_read_case(d, S(case_id), out, err);
}

/* The longest customer e-mail a list looks for (RFC 5321's path). */
#define CUSTOMER_MAX 254

/* customer_key writes the e-mail as the store keeps it on a case: without
 * surrounding white space, in ASCII lower case. AC_EINVAL "customer" when
 * that is empty or longer than CUSTOMER_MAX. */
static int customer_key(const char *s, char out[CUSTOMER_MAX + 1],
			struct ac_err *err)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0)
		return ac_err_set(err, AC_EINVAL, "customer", "empty");
	if (n > CUSTOMER_MAX)
		return ac_err_set(err, AC_EINVAL, "customer", "longer than "
				  "%d bytes", CUSTOMER_MAX);
	for (size_t i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32)
						      : s[i];
	out[n] = '\0';
	return 0;
}

int desk_list_cases(struct desk *d, const struct desk_case_query *q,
		    struct desk_case_page *out, struct ac_err *err)
{
	struct store_case_page *page = desk_case_page(d);
	struct store_case_filter f = { .limit = q->limit ? q->limit : 50 };
	char customer[CUSTOMER_MAX + 1];
	enum clause_id cl;
	int rc = 0;

	if (f.limit < 1 || f.limit > STORE_PAGE_MAX)
		rc = ac_err_set(err, AC_EINVAL, "limit",
				"not a number from 1 to %d", STORE_PAGE_MAX);
	if (!rc && q->status) {
		enum case_status st;

		if (store_case_status_parse(q->status, strlen(q->status), &st))
			rc = ac_err_set(err, AC_EINVAL, "status",
					"not one of open, waiting, decided, "
					"resolved, closed");
		else
			f.status_mask = CASE_STATUS_BIT(st);
	}
	if (!rc && q->type) {
		if (claim_type_parse(q->type, strlen(q->type), &f.claim_type))
			rc = ac_err_set(err, AC_EINVAL, "type",
					"not a claim type");
		f.has_claim_type = true;
	}
	if (!rc && q->deadline_before) {
		if (instant_parse(q->deadline_before,
				  strlen(q->deadline_before),
				  &f.deadline_before))
			rc = ac_err_set(err, AC_EINVAL, "deadline_before",
					"not an RFC 3339 time with a zone");
		f.has_deadline_before = true;
	}
	if (!rc && q->clause) {
		if (clause_id_parse(q->clause, strlen(q->clause), &cl))
			rc = ac_err_set(err, AC_EINVAL, "clause",
					"not a clause id of the policy");
		else
			f.clause = S(clause_id_name(cl));
	}
	if (!rc && q->customer && !(rc = customer_key(q->customer, customer,
						      err)))
		f.customer = S(customer);
	f.order_id = S(q->order);
	f.after_id = S(q->after);
	if (!rc)
		rc = store_list_cases(d->store, &f, page, err);
	if (rc == AC_EINVAL && err && strcmp(err->field, "filter.after") == 0)
		ac_err_set(err, rc, "after", "no such case: %s", q->after);
	/* a combination refused: the query's own name for the filter */
	else if (rc == AC_EINVAL && err &&
		 strncmp(err->field, "filter.", 7) == 0)
		memmove(err->field, err->field + 7, strlen(err->field + 7) + 1);
	memset(out, 0, sizeof *out);
	if (rc)
		return rc;
	out->n = page->n;
	out->rows = desk_case_rows(d);
	if (page->more && page->n > 0)
		snprintf(out->next, sizeof out->next, "%.*s",
			 (int)page->rows[page->n - 1].id.n,
			 page->rows[page->n - 1].id.p);
	return 0;
}

int desk_case_counts(struct desk *d, int64_t counts[CASE_STATUS_COUNT],
		     struct ac_err *err)
{
	return store_case_counts(d->store, counts, err);
}

/* A /v1/deadlines cursor: the last case's due instant and place, as
 * "DUE:SEQ" (opaque to clients), so that a page seeks the due index. */
static bool parse_due_cursor(const char *s, struct store_due_filter *f)
{
	char *end;
	long long due, seq;

	errno = 0;
	due = strtoll(s, &end, 10);
	if (end == s || *end != ':' || errno)
		return false;
	s = end + 1;
	seq = strtoll(s, &end, 10);
	if (end == s || *end || errno || seq < 0 || !isdigit((unsigned char)*s))
		return false;
	f->has_after = true;
	f->after_due = due;
	f->after_seq = seq;
	return true;
}

int desk_deadlines(struct desk *d, const struct desk_deadline_query *q,
		   struct desk_due_page *out, struct ac_err *err)
{
	struct store_case_page *page;
	struct store_due_filter f = { .limit = q->limit ? q->limit : 50 };
	int64_t now = desk_now(d);
	int rc;

	if (q->within_s < 0 || q->within_s > 3650LL * 86400)
		return ac_err_set(err, AC_EINVAL, "within",
				  "not a number of seconds from 0 to 10 years");
	if (f.limit < 1 || f.limit > STORE_PAGE_MAX)
		return ac_err_set(err, AC_EINVAL, "limit",
				  "not a number from 1 to %d", STORE_PAGE_MAX);
	if (q->after && !parse_due_cursor(q->after, &f))
		return ac_err_set(err, AC_EINVAL, "after",
				  "not a cursor this list gave as next");
	f.before = now + q->within_s * AC_US_PER_S;
	page = desk_case_page(d);
	rc = store_list_due(d->store, &f, page, err);
	memset(out, 0, sizeof *out);
	if (rc)
		return rc;
	out->now = now;
	out->n = page->n;
	out->rows = desk_case_rows(d);
	if (page->more && page->n > 0)
		snprintf(out->next, sizeof out->next, "%lld:%lld",
			 (long long)page->rows[page->n - 1].due_at,
			 (long long)page->rows[page->n - 1].seq);
	return 0;
}

/* Which moves the case's states allow; a move to closed from anything but
 * resolved needs a reason. */
static bool allowed(enum case_status from, enum case_status to)
{
	switch (from) {
	case CASE_STATUS_OPEN:
		return to == CASE_STATUS_WAITING || to == CASE_STATUS_DECIDED ||
		       to == CASE_STATUS_CLOSED;
	case CASE_STATUS_WAITING:
		return to == CASE_STATUS_OPEN || to == CASE_STATUS_DECIDED ||
		       to == CASE_STATUS_CLOSED;
	case CASE_STATUS_DECIDED:
		return to == CASE_STATUS_WAITING ||
		       to == CASE_STATUS_RESOLVED || to == CASE_STATUS_CLOSED;
	case CASE_STATUS_RESOLVED:
		return to == CASE_STATUS_CLOSED;
	case CASE_STATUS_CLOSED:
	case CASE_STATUS_COUNT:
		break;
	}
	return false;
}

/* move changes the status in a transaction of its own, audited. */
static int move(struct desk *d, const char *actor, struct ac_str id,
		enum case_status from, enum case_status to, const char *action,
		struct ac_str reason, struct ac_err *err)
{
	struct ac_str none = { NULL, 0 };   /* left out of the record */
	struct record_field before[] = {
		RECORD_S("status", S(case_status_name(from))),
	}, after[] = {
		RECORD_S("status", S(case_status_name(to))),
		RECORD_S("reason", reason.n ? reason : none),
	};
	int rc = store_update_case_status(d->store, id, to, desk_now(d), err);

	if (!rc)
		rc = desk_audit_rec(d, actor, action, "case", id, before, 1,
				    after, 2, err);
	return rc;
}

int desk_transition(struct desk *d, const char *actor, const char *case_id,
		    const struct desk_move *req, struct desk_case *out,
		    struct ac_err *err)
{
	struct store_case sc = { 0 };
	enum case_status to = req->to;
	int rc;

	if (!case_status_name(to))
		return ac_err_set(err, AC_EINVAL, "to", "not one of open, "
				  "waiting, decided, resolved, closed");
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_get_case(d->store, S(case_id), &sc, err);
	if (!rc && !allowed(sc.status, to))
		rc = ac_err_set(err, AC_ESTATE, "to",
				"a %s case cannot move to %s",
				case_status_name(sc.status),
				case_status_name(to));
	if (!rc && to == CASE_STATUS_CLOSED &&
	    sc.status != CASE_STATUS_RESOLVED && req->reason.n == 0)
		rc = ac_err_set(err, AC_EINVAL, "reason", "closing a case "
				"that is not resolved needs a reason");
	if (!rc)
		rc = move(d, actor, sc.id, sc.status, to, "case.transition",
			  req->reason, err);
	if (!rc)
		rc = desk_read_case(d, S(case_id), out, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	store_case_release(&sc);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_approve(struct desk *d, const char *actor, const char *case_id,
		 struct desk_case *out, struct ac_err *err)
{
	struct store_case sc = { 0 };
	struct store_decision sd = { 0 };
	enum verdict v = VERDICT_PENDING;
	int rc;

	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_get_case(d->store, S(case_id), &sc, err);
	if (!rc)
		rc = store_get_current_decision(d->store, S(case_id), &sd, err);
	if (!rc && verdict_parse(sd.verdict.p, sd.verdict.n, &v))
		rc = ac_err_set(err, AC_EIO, "decision.verdict",
				"not a verdict in the store");
	if (!rc && v == VERDICT_PENDING)
		rc = ac_err_set(err, AC_ESTATE, "decision", "a pending "
				"decision cannot be approved: it waits for "
				"facts");
	if (!rc && sc.status != CASE_STATUS_OPEN &&
	    sc.status != CASE_STATUS_WAITING &&
	    sc.status != CASE_STATUS_DECIDED)
		rc = ac_err_set(err, AC_ESTATE, "status", "a %s case cannot "
				"be approved", case_status_name(sc.status));
	if (!rc)
		rc = store_update_case_approval(d->store, sc.id, S(actor),
						desk_now(d), err);
	if (!rc && sc.status != CASE_STATUS_DECIDED)
		rc = move(d, actor, sc.id, sc.status, CASE_STATUS_DECIDED,
			  "case.approve", (struct ac_str){ "", 0 }, err);
	else if (!rc)
		rc = desk_audit(d, actor, "case.approve", "case", sc.id, NULL,
				NULL, err);
	if (!rc)
		rc = desk_read_case(d, S(case_id), out, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	store_case_release(&sc);
	store_decision_release(&sd);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_override(struct desk *d, const char *actor, const char *case_id,
		  const struct desk_override *req, struct desk_case *out,
		  struct ac_err *err)
{
	enum verdict v = req->verdict;
	int64_t refund_max = req->has_refund_max ? req->refund_max_minor : 0;
	struct loaded l = { 0 };
	struct decision dec;
	int rc;

	if ((int)v < VERDICT_FULL_REFUND || v > VERDICT_PAID_REPAIR)
		return ac_err_set(err, AC_EINVAL, "verdict", "not a verdict");
	if (req->reason.n == 0)
		return ac_err_set(err, AC_EINVAL, "reason",
				  "an override needs a written reason");
	if (req->reason.n > 4095)
		return ac_err_set(err, AC_EINVAL, "reason",
				  "longer than 4095 bytes");
	bool refund = v == VERDICT_FULL_REFUND || v == VERDICT_PARTIAL_REFUND;

	if (refund && !req->has_refund_max)
		return ac_err_set(err, AC_EINVAL, "refund_max_minor",
				  "a refund verdict needs the most that may "
				  "be refunded");
	if (!refund && refund_max > 0)
		return ac_err_set(err, AC_EINVAL, "refund_max_minor",
				  "only a refund verdict refunds");
	/* the reason may live in the caller's reader: keep a copy */
	char reason_c[4096];

	snprintf(reason_c, sizeof reason_c, "%.*s", (int)req->reason.n,
		 req->reason.p);
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = desk_load_case(d, case_id, &l, err);
	if (!rc && (l.sc.status == CASE_STATUS_CLOSED))
		rc = ac_err_set(err, AC_ESTATE, "status",
				"a closed case cannot be overridden");
	if (!rc) {
		int64_t paid = desk_paid(&l.so);

		if (refund_max > paid)
			rc = ac_err_set(err, AC_EINVAL, "refund_max_minor",
					"more than was paid (%lld)",
					(long long)paid);
	}
	if (!rc)
		rc = desk_build_case(d, &l.so, l.sc.claim_json, err);
	if (!rc)
		rc = decide(d->policy, d->c, &dec, err);
	if (!rc) {
		/* the policy's clauses stay cited; verdict and amounts are
		 * the staff's, and the stored decision says who and why */
		struct decision_override ov = { true, S(reason_c), S(actor) };

		dec.verdict = v;
		dec.refund_max_minor = 0;
		dec.n_remedies = 0;
		dec.n_needs = 0;
		if (refund) {
			dec.remedies[dec.n_remedies++] = (struct remedy){
				v == VERDICT_FULL_REFUND ? REMEDY_FULL_REFUND :
							  REMEDY_PARTIAL_REFUND,
				BEARER_SHOP, refund_max };
			dec.refund_max_minor = refund_max;
		}
		buf_reset(&d->djson);
		if (decision_record_write(&dec, &ov, &d->djson))
			rc = ac_err_set(err, AC_ELIMIT, "reason",
					"too long to store");
	}
	if (!rc) {
		struct store_decision sd = {
			.case_id = l.sc.id,
			.decided_at = desk_now(d),
			.verdict = S(verdict_name(v)),
			.refund_max_minor = dec.refund_max_minor,
			.charge_minor = dec.charge_minor,
			.has_deadline = dec.has_deadline,
			.deadline = dec.deadline,
			.policy = S(dec.policy),
			.decision_json = { d->djson.p, d->djson.len },
			.facts_json = S("{}"),
		};

		rc = store_save_decision(d->store, &sd, NULL, err);
	}
	if (!rc)
		rc = store_update_case_override(d->store, l.sc.id,
						S(verdict_name(v)),
						S(reason_c), S(actor),
						desk_now(d), err);
	if (!rc && l.sc.status != CASE_STATUS_DECIDED &&
	    l.sc.status != CASE_STATUS_RESOLVED)
		rc = store_update_case_status(d->store, l.sc.id,
					      CASE_STATUS_DECIDED, desk_now(d),
					      err);
	if (!rc) {
		struct record_field after[] = {
			RECORD_S("verdict", S(verdict_name(v))),
			RECORD_I("refund_max_minor", refund_max),
			RECORD_S("reason", S(reason_c)),
		};

		rc = desk_audit_rec(d, actor, "case.override", "case",
				    l.sc.id, NULL, 0, after, 3, err);
	}
	/* the customer hears of the new decision (issue 10) */
	if (!rc) {
		struct desk_mail_facts mf = {
			.order_id = l.sc.order_id,
			.verdict = verdict_name(v),
		};
		char key[24];

		snprintf(key, sizeof key, "%lld", (long long)desk_now(d));
		rc = desk_outbox_mail(d, MAIL_DECISION_CHANGED, l.sc.id, &mf,
				      key, err);
	}
	if (!rc)
		rc = desk_read_case(d, S(case_id), out, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	loaded_release(&l);
	return rc ? desk_fail(d, rc) : 0;
}
