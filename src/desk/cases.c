/* cases.c: opening, reading, listing and working cases (desk layer).
 * A case is decided from the stored facts, never from a verdict a client
 * sends; staff approve the decision or override it with a reason. */
#include "desk_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"

int desk_open_case(struct desk *d, const char *actor, const char *body,
		   size_t n, struct buf *out, struct ac_err *err)
{
	struct store_order so = { 0 };
	struct ac_str order_id;
	struct decision dec;
	char id[STORE_ID_MAX];
	char order_key[STORE_ID_MAX];
	int64_t now = desk_now(d);
	int rc;

	rc = claim_request_read(d->rd, body, n, &order_id, err);
	if (rc)
		return rc;
	if (order_id.n >= STORE_ID_MAX)
		return ac_err_set(err, AC_ENOTFOUND, "order", "no such order");
	snprintf(order_key, sizeof order_key, "%.*s", (int)order_id.n,
		 order_id.p);
	rc = store_get_order(d->store, S(order_key), &so, err);
	if (rc) {
		if (rc == AC_ENOTFOUND)
			ac_err_set(err, AC_ENOTFOUND, "order",
				   "no order %s", order_key);
		goto out;
	}
	d->c->order = so.order;
	d->c->shipped = so.shipped;
	d->c->shipment = so.shipment;
	buf_reset(&d->claim);
	rc = claim_request_claim(d->rd, d->c, now, &d->claim, err);
	if (rc)
		goto out;

	struct store_case sc = {
		.order_id = S(order_key),
		.status = CASE_STATUS_OPEN,
		.claim_type = d->c->claim.type,
		.opened_at = d->c->claim.opened_at,
		.claim_json = { d->claim.p, d->claim.len },
		.created_at = now,
		.updated_at = now,
	};

	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_put_case(d->store, &sc, id, err);
	if (!rc)
		rc = desk_decide_save(d, S(id), sc.claim_json, &dec, err);
	if (!rc && dec.verdict == VERDICT_PENDING)
		rc = store_update_case_status(d->store, S(id),
					      CASE_STATUS_WAITING, now, err);
	if (!rc) {
		char after[96];

		snprintf(after, sizeof after,
			 "{\"status\":\"%s\",\"verdict\":\"%s\"}",
			 store_case_status_name(desk_status_for(dec.verdict)),
			 verdict_name(dec.verdict));
		rc = desk_audit(d, actor, "case.open", "case", S(id), NULL,
				after, err);
	}
	/* the answer is read before the commit: a call whose work is
	 * committed has succeeded */
	if (!rc)
		rc = desk_get_case(d, id, out, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc) {
		desk_fail(d, rc);
		goto out;
	}
	store_order_release(&so);
	return 0;
out:
	store_order_release(&so);
	return rc;
}

int desk_get_case(struct desk *d, const char *case_id, struct buf *out,
		  struct ac_err *err)
{
	struct store_case sc = { 0 };
	struct store_decision sd = { 0 };
	struct store_quote q = { 0 };
	struct store_ledger_sum sum = { 0 };
	enum clause_id ids[8];
	int n_ids = 0, rc;
	bool has_quote;

	rc = store_get_case(d->store, S(case_id), &sc, err);
	if (!rc)
		rc = store_get_current_decision(d->store, S(case_id), &sd, err);
	if (!rc)
		rc = store_sum_ledger_case(d->store, S(case_id), &sum, err);
	if (rc)
		goto out;
	rc = store_get_case_quote(d->store, S(case_id), &q, err);
	has_quote = rc == 0;
	if (rc == AC_ENOTFOUND) {       /* no quote: not an error */
		ac_err_clear(err);
		rc = 0;
	}
	if (rc)
		goto out;
	decision_json_clauses(sd.decision_json.p, sd.decision_json.n, ids, 8,
			      &n_ids);

	buf_adds(out, "{\"id\":");
	desk_str(out, sc.id);
	buf_addf(out, ",\"status\":\"%s\",\"order\":",
		 store_case_status_name(sc.status));
	desk_str(out, sc.order_id);
	buf_addf(out, ",\"type\":\"%s\",\"claim\":",
		 claim_type_name(sc.claim_type));
	buf_add(out, sc.claim_json.p, sc.claim_json.n);
	buf_adds(out, ",\"decision\":");
	buf_add(out, sd.decision_json.p, sd.decision_json.n);
	buf_adds(out, ",\"decided_at\":");
	desk_time(out, sd.decided_at);
	buf_adds(out, ",\"clauses\":[");
	for (int i = 0; i < n_ids; i++) {
		const struct clause *cl = &d->policy->clauses[ids[i]];

		buf_addf(out, "%s{\"id\":\"%s\",\"title\":", i ? "," : "",
			 clause_id_name(ids[i]));
		desk_str(out, cl->title);
		buf_adds(out, ",\"text\":");
		desk_str(out, cl->text);
		buf_addc(out, '}');
	}
	buf_adds(out, "],\"deadline\":");
	if (sd.has_deadline)
		desk_time(out, sd.deadline);
	else
		buf_adds(out, "null");
	buf_adds(out, ",\"response_due\":");
	desk_time(out, sc.created_at + d->policy->response_time_us);
	buf_addf(out, ",\"refund_max_minor\":%lld,\"refunded_total_minor\":%lld"
		 ",\"charged_total_minor\":%lld,\"override\":",
		 (long long)sd.refund_max_minor, (long long)sum.refund_minor,
		 (long long)sum.charge_minor);
	if (sc.has_override) {
		buf_adds(out, "{\"verdict\":");
		desk_str(out, sc.override_verdict);
		buf_adds(out, ",\"reason\":");
		desk_str(out, sc.override_reason);
		buf_adds(out, ",\"author\":");
		desk_str(out, sc.override_author);
		buf_adds(out, ",\"at\":");
		desk_time(out, sc.overridden_at);
		buf_addc(out, '}');
	} else {
		buf_adds(out, "null");
	}
	buf_adds(out, ",\"approval\":");
	if (sc.has_approval) {
		buf_adds(out, "{\"by\":");
		desk_str(out, sc.approved_by);
		buf_adds(out, ",\"at\":");
		desk_time(out, sc.approved_at);
		buf_addc(out, '}');
	} else {
		buf_adds(out, "null");
	}
	buf_adds(out, ",\"quote\":");
	if (has_quote) {
		buf_addf(out, "{\"id\":%lld,\"amount_minor\":%lld,\"status\":"
			 "\"%s\",\"expires_at\":", (long long)q.id,
			 (long long)q.amount_minor,
			 store_quote_status_name(q.status));
		desk_time(out, q.expires_at);
		buf_addc(out, '}');
	} else {
		buf_adds(out, "null");
	}
	buf_adds(out, ",\"created_at\":");
	desk_time(out, sc.created_at);
	buf_adds(out, ",\"updated_at\":");
	desk_time(out, sc.updated_at);
	buf_addc(out, '}');
out:
	store_case_release(&sc);
	store_decision_release(&sd);
	store_quote_release(&q);
	return rc;
}

static int row_json(struct buf *out, const struct store_case_row *r)
{
	buf_adds(out, "{\"id\":");
	desk_str(out, r->id);
	buf_adds(out, ",\"order\":");
	desk_str(out, r->order_id);
	buf_addf(out, ",\"status\":\"%s\",\"type\":\"%s\",\"opened_at\":",
		 store_case_status_name(r->status),
		 claim_type_name(r->claim_type));
	desk_time(out, r->opened_at);
	buf_adds(out, ",\"verdict\":");
	if (r->has_decision)
		desk_str(out, r->verdict);
	else
		buf_adds(out, "null");
	buf_adds(out, ",\"deadline\":");
	if (r->has_deadline)
		desk_time(out, r->deadline);
	else
		buf_adds(out, "null");
	return buf_addc(out, '}');
}

int desk_list_cases(struct desk *d, const struct desk_case_query *q,
		    struct buf *out, struct ac_err *err)
{
	struct store_case_page *page = xcalloc(1, sizeof *page);
	struct store_case_filter f = { .limit = q->limit ? q->limit : 50 };
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
	f.order_id = S(q->order);
	f.after_id = S(q->after);
	if (!rc)
		rc = store_list_cases(d->store, &f, page, err);
	if (!rc) {
		buf_adds(out, "{\"cases\":[");
		for (int i = 0; i < page->n; i++) {
			if (i)
				buf_addc(out, ',');
			row_json(out, &page->rows[i]);
		}
		buf_adds(out, "],\"next\":");
		if (page->more && page->n > 0)
			desk_str(out, page->rows[page->n - 1].id);
		else
			buf_adds(out, "null");
		buf_addc(out, '}');
	}
	store_case_page_release(page);
	free(page);
	return rc;
}

int desk_deadlines(struct desk *d, int64_t within_s, struct buf *out,
		   struct ac_err *err)
{
	struct store_case_page *page = xcalloc(1, sizeof *page);
	struct store_case_filter f = {
		.status_mask = CASE_STATUS_BIT(CASE_STATUS_OPEN) |
			       CASE_STATUS_BIT(CASE_STATUS_WAITING) |
			       CASE_STATUS_BIT(CASE_STATUS_DECIDED),
		.limit = STORE_PAGE_MAX,
	};
	char after[STORE_ID_MAX] = "";
	int64_t now = desk_now(d), horizon;
	int rc, k = 0;

	if (within_s < 0 || within_s > 3650LL * 86400)
		return ac_err_set(err, AC_EINVAL, "within",
				  "not a number of seconds from 0 to 10 years");
	horizon = now + within_s * AC_US_PER_S;
	buf_adds(out, "{\"now\":");
	desk_time(out, now);
	buf_adds(out, ",\"cases\":[");
	for (;;) {
		f.after_id = S(after);
		rc = store_list_cases(d->store, &f, page, err);
		if (rc)
			break;
		for (int i = 0; i < page->n; i++) {
			const struct store_case_row *r = &page->rows[i];
			int64_t due = r->created_at +
				      d->policy->response_time_us;
			bool near = due <= horizon ||
				    (r->has_deadline && r->deadline <= horizon);
			bool overdue = due < now ||
				       (r->has_deadline && r->deadline < now);

			if (!near)
				continue;
			buf_adds(out, k++ ? ",{\"id\":" : "{\"id\":");
			desk_str(out, r->id);
			buf_addf(out, ",\"status\":\"%s\",\"deadline\":",
				 store_case_status_name(r->status));
			if (r->has_deadline)
				desk_time(out, r->deadline);
			else
				buf_adds(out, "null");
			buf_adds(out, ",\"response_due\":");
			desk_time(out, due);
			buf_addf(out, ",\"overdue\":%s}",
				 overdue ? "true" : "false");
		}
		if (!page->more || page->n == 0)
			break;
		snprintf(after, sizeof after, "%.*s",
			 (int)page->rows[page->n - 1].id.n,
			 page->rows[page->n - 1].id.p);
		store_case_page_release(page);
	}
	buf_adds(out, "]}");
	store_case_page_release(page);
	free(page);
	return rc;
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
	char before[64], after[64];
	struct buf a;
	int rc;

	buf_init(&a, 1u << 20);
	snprintf(before, sizeof before, "{\"status\":\"%s\"}",
		 store_case_status_name(from));
	snprintf(after, sizeof after, "\"status\":\"%s\"",
		 store_case_status_name(to));
	buf_addc(&a, '{');
	buf_adds(&a, after);
	if (reason.n) {
		buf_adds(&a, ",\"reason\":");
		desk_str(&a, reason);
	}
	buf_addc(&a, '}');
	rc = buf_error(&a) ? ac_err_set(err, AC_ELIMIT, "reason",
					"too long to audit") : 0;
	if (!rc)
		rc = store_update_case_status(d->store, id, to, desk_now(d),
					      err);
	if (!rc)
		rc = desk_audit(d, actor, action, "case", id, before,
				buf_cstr(&a), err);
	buf_release(&a);
	return rc;
}

int desk_transition(struct desk *d, const char *actor, const char *case_id,
		    const char *body, size_t n, struct buf *out,
		    struct ac_err *err)
{
	struct store_case sc = { 0 };
	struct ac_str to_s, reason = { "", 0 };
	struct body_field fields[] = {
		{ "to", BODY_STR, true, &to_s, NULL, NULL },
		{ "reason", BODY_STR, false, &reason, NULL, NULL },
	};
	enum case_status to;
	int rc;

	rc = body_read(d->rd, body, n, fields, 2, err);
	if (rc)
		return rc;
	if (store_case_status_parse(to_s.p, to_s.n, &to))
		return ac_err_set(err, AC_EINVAL, "to", "not one of open, "
				  "waiting, decided, resolved, closed");
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_get_case(d->store, S(case_id), &sc, err);
	if (!rc && !allowed(sc.status, to))
		rc = ac_err_set(err, AC_ESTATE, "to",
				"a %s case cannot move to %s",
				store_case_status_name(sc.status),
				store_case_status_name(to));
	if (!rc && to == CASE_STATUS_CLOSED &&
	    sc.status != CASE_STATUS_RESOLVED && reason.n == 0)
		rc = ac_err_set(err, AC_EINVAL, "reason", "closing a case "
				"that is not resolved needs a reason");
	if (!rc)
		rc = move(d, actor, sc.id, sc.status, to, "case.transition",
			  reason, err);
	if (!rc)
		rc = desk_get_case(d, case_id, out, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	store_case_release(&sc);
	if (rc)
		return desk_fail(d, rc);
	return 0;
}

int desk_approve(struct desk *d, const char *actor, const char *case_id,
		 struct buf *out, struct ac_err *err)
{
	struct store_case sc = { 0 };
	struct store_decision sd = { 0 };
	int rc;

	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_get_case(d->store, S(case_id), &sc, err);
	if (!rc)
		rc = store_get_current_decision(d->store, S(case_id), &sd, err);
	if (!rc && sd.verdict.n == 7 && !memcmp(sd.verdict.p, "pending", 7))
		rc = ac_err_set(err, AC_ESTATE, "decision", "a pending "
				"decision cannot be approved: it waits for "
				"facts");
	if (!rc && sc.status != CASE_STATUS_OPEN &&
	    sc.status != CASE_STATUS_WAITING &&
	    sc.status != CASE_STATUS_DECIDED)
		rc = ac_err_set(err, AC_ESTATE, "status", "a %s case cannot "
				"be approved",
				store_case_status_name(sc.status));
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
		rc = desk_get_case(d, case_id, out, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	store_case_release(&sc);
	store_decision_release(&sd);
	if (rc)
		return desk_fail(d, rc);
	return 0;
}

static int parse_verdict(struct ac_str s, enum verdict *out)
{
	for (int v = VERDICT_FULL_REFUND; v <= VERDICT_PAID_REPAIR; v++) {
		const char *name = verdict_name((enum verdict)v);

		if (strlen(name) == s.n && !memcmp(name, s.p, s.n)) {
			*out = (enum verdict)v;
			return 0;
		}
	}
	return -1;
}

int desk_override(struct desk *d, const char *actor, const char *case_id,
		  const char *body, size_t n, struct buf *out,
		  struct ac_err *err)
{
	struct ac_str verdict_s, reason;
	int64_t refund_max = 0;
	bool has_max;
	struct body_field fields[] = {
		{ "verdict", BODY_STR, true, &verdict_s, NULL, NULL },
		{ "refund_max_minor", BODY_MONEY, false, NULL, &refund_max,
		  &has_max },
		{ "reason", BODY_STR, true, &reason, NULL, NULL },
	};
	struct loaded l = { 0 };
	struct decision dec;
	enum verdict v;
	int rc;

	rc = body_read(d->rd, body, n, fields, 3, err);
	if (rc)
		return rc;
	if (parse_verdict(verdict_s, &v))
		return ac_err_set(err, AC_EINVAL, "verdict", "not a verdict");
	if (reason.n == 0)
		return ac_err_set(err, AC_EINVAL, "reason",
				  "an override needs a written reason");
	bool refund = v == VERDICT_FULL_REFUND || v == VERDICT_PARTIAL_REFUND;

	if (refund && !has_max)
		return ac_err_set(err, AC_EINVAL, "refund_max_minor",
				  "a refund verdict needs the most that may "
				  "be refunded");
	if (!refund && has_max && refund_max > 0)
		return ac_err_set(err, AC_EINVAL, "refund_max_minor",
				  "only a refund verdict refunds");
	/* the reason and verdict live in d->rd; keep copies past reading */
	char reason_c[4096], verdict_c[32];

	snprintf(reason_c, sizeof reason_c, "%.*s", (int)reason.n, reason.p);
	snprintf(verdict_c, sizeof verdict_c, "%s", verdict_name(v));
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
		 * the staff's */
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
		decision_json_write(&dec, &d->djson);
		/* add who overrode it, and why, to the stored decision */
		d->djson.len--;
		buf_adds(&d->djson, ",\"override\":{\"reason\":");
		json_str_write(&d->djson, reason_c, strlen(reason_c));
		buf_adds(&d->djson, ",\"author\":");
		desk_cstr(&d->djson, actor);
		buf_adds(&d->djson, "}}");

		struct store_decision sd = {
			.case_id = l.sc.id,
			.decided_at = desk_now(d),
			.verdict = S(verdict_c),
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
		rc = store_update_case_override(d->store, l.sc.id, S(verdict_c),
						S(reason_c), S(actor),
						desk_now(d), err);
	if (!rc && l.sc.status != CASE_STATUS_DECIDED &&
	    l.sc.status != CASE_STATUS_RESOLVED)
		rc = store_update_case_status(d->store, l.sc.id,
					      CASE_STATUS_DECIDED, desk_now(d),
					      err);
	if (!rc) {
		struct buf a;

		buf_init(&a, 1u << 20);
		buf_addf(&a, "{\"verdict\":\"%s\",\"refund_max_minor\":%lld,"
			 "\"reason\":", verdict_c, (long long)refund_max);
		json_str_write(&a, reason_c, strlen(reason_c));
		buf_addc(&a, '}');
		rc = buf_error(&a) ? ac_err_set(err, AC_ELIMIT, "reason",
						"too long to audit") : 0;
		if (!rc)
			rc = desk_audit(d, actor, "case.override", "case",
					l.sc.id, NULL, buf_cstr(&a), err);
		buf_release(&a);
	}
	if (!rc)
		rc = desk_get_case(d, case_id, out, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	loaded_release(&l);
	if (rc)
		return desk_fail(d, rc);
	return 0;
}
