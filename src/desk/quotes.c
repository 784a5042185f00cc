/* quotes.c: repair quotes for paid repairs (desk layer).
 * quoted -> accepted | declined | expired; accepted -> repaired ->
 * shipped_back. Accepting fixes the repair's charge on the case and books
 * it in the ledger. */
#include "desk_int.h"
#include "outbox.h"

#include <stdio.h>
#include <string.h>

/* view copies the quote into the desk's hold and points out at it. */
static void view(struct desk *d, struct store_quote *q,
		 struct desk_quote *out)
{
	store_quote_release(&d->v_q);
	d->v_q = *q;                    /* the hold owns its strings now */
	memset(q, 0, sizeof *q);
	q = &d->v_q;
	*out = (struct desk_quote){
		q->id, q->case_id, q->amount_minor, q->status, q->expires_at,
		q->created_at, q->updated_at,
	};
}

int desk_quote(struct desk *d, const char *actor, const char *case_id,
	       const struct desk_quote_req *req, struct desk_quote *out,
	       struct ac_err *err)
{
	struct store_decision sd = { 0 };
	struct store_case sc = { 0 };
	struct store_quote q = { 0 };
	int64_t amount = req->amount_minor, now = desk_now(d), id = 0;
	int64_t expires = req->has_expires_at ? req->expires_at :
			  now + d->policy->quote_life_us;
	int rc;

	if (amount < 0 || amount > AC_MONEY_MAX)
		return ac_err_set(err, AC_EINVAL, "amount_minor",
				  "not an amount from 0 to 2^53 - 1");
	if (expires <= now)
		return ac_err_set(err, AC_EINVAL, "expires_at",
				  "already past");
	rc = desk_txn_begin(d, err);
	/* the policy active as the transaction began (issue 9) */
	if (!rc && !req->has_expires_at)
		expires = now + d->policy->quote_life_us;
	if (!rc)
		rc = store_get_case(d->store, S(case_id), &sc, err);
	if (!rc)
		rc = store_get_current_decision(d->store, S(case_id), &sd, err);
	if (!rc && !(sd.verdict.n == 11 &&
		     !memcmp(sd.verdict.p, "paid_repair", 11)))
		rc = ac_err_set(err, AC_ESTATE, "decision", "only a paid "
				"repair is quoted (this case is %.*s)",
				(int)sd.verdict.n, sd.verdict.p);
	if (!rc && (sc.status == CASE_STATUS_RESOLVED ||
		    sc.status == CASE_STATUS_CLOSED))
		rc = ac_err_set(err, AC_ESTATE, "status", "the case is %s",
				case_status_name(sc.status));
	if (!rc) {
		struct store_quote nq = {
			.case_id = sc.id,
			.amount_minor = amount,
			.status = QUOTE_STATUS_QUOTED,
			.expires_at = expires,
			.created_at = now,
			.updated_at = now,
		};

		rc = store_put_quote(d->store, &nq, &id, err);
	}
	if (!rc && sc.status != CASE_STATUS_WAITING)
		rc = store_update_case_status(d->store, sc.id,
					      CASE_STATUS_WAITING, now, err);
	if (!rc) {
		struct record_field a[] = {
			RECORD_I("quote", id),
			RECORD_I("amount_minor", amount),
		};

		rc = desk_audit_rec(d, actor, "quote.create", "case", sc.id,
				    NULL, 0, a, 2, err);
	}
	/* the customer hears of the quote (issue 10) */
	if (!rc) {
		struct desk_mail_facts mf = {
			.order_id = sc.order_id,
			.has_amount = true,
			.amount_minor = amount,
			.expires_at = expires,
		};
		char key[24];

		snprintf(key, sizeof key, "%lld", (long long)id);
		rc = desk_outbox_mail(d, MAIL_REPAIR_QUOTE, sc.id, &mf, key,
				      err);
	}
	if (!rc)
		rc = store_get_quote(d->store, id, &q, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (!rc)
		view(d, &q, out);
	store_decision_release(&sd);
	store_case_release(&sc);
	store_quote_release(&q);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_quote_action(struct desk *d, const char *actor, const char *case_id,
		      enum quote_status to, struct desk_quote *out,
		      struct ac_err *err)
{
	struct store_quote q = { 0 };
	struct loaded l = { 0 };
	int64_t now = desk_now(d);
	int rc;

	if (to != QUOTE_STATUS_ACCEPTED && to != QUOTE_STATUS_DECLINED &&
	    to != QUOTE_STATUS_REPAIRED && to != QUOTE_STATUS_SHIPPED_BACK)
		return ac_err_set(err, AC_EINVAL, "action", "not one of "
				  "accept, decline, repaired, shipped_back");
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = desk_load_case(d, case_id, &l, err);
	if (!rc)
		rc = store_get_case_quote(d->store, S(case_id), &q, err);
	if (rc)
		goto out;
	/* nothing leaves closed; a resolved case does not go back */
	if (l.sc.status == CASE_STATUS_CLOSED ||
	    (l.sc.status == CASE_STATUS_RESOLVED &&
	     to == QUOTE_STATUS_ACCEPTED)) {
		rc = ac_err_set(err, AC_ESTATE, "status", "the case is %s",
				case_status_name(l.sc.status));
		goto out;
	}
	if (q.status == QUOTE_STATUS_QUOTED && q.expires_at < now &&
	    (to == QUOTE_STATUS_ACCEPTED || to == QUOTE_STATUS_DECLINED)) {
		/* record the expiry, then refuse */
		rc = store_update_quote(d->store, q.id, QUOTE_STATUS_EXPIRED,
					now, err);
		if (!rc)
			rc = desk_txn_commit(d, err);
		if (!rc)
			rc = ac_err_set(err, AC_ESTATE, "quote",
					"the quote expired; ask for a new one");
		goto out;
	}
	bool ok = (q.status == QUOTE_STATUS_QUOTED &&
		   (to == QUOTE_STATUS_ACCEPTED ||
		    to == QUOTE_STATUS_DECLINED)) ||
		  (q.status == QUOTE_STATUS_ACCEPTED &&
		   to == QUOTE_STATUS_REPAIRED) ||
		  (q.status == QUOTE_STATUS_REPAIRED &&
		   to == QUOTE_STATUS_SHIPPED_BACK);

	if (!ok) {
		rc = ac_err_set(err, AC_ESTATE, "quote", "a %s quote cannot "
				"be %s", quote_status_name(q.status),
				quote_status_name(to));
		goto out;
	}
	rc = store_update_quote(d->store, q.id, to, now, err);
	if (!rc && to == QUOTE_STATUS_ACCEPTED) {
		struct store_ledger_entry e = {
			.case_id = l.sc.id,
			.order_id = l.sc.order_id,
			.kind = LEDGER_CHARGE,
			.amount_minor = q.amount_minor,
			.currency = l.so.order.currency,
			.created_at = now,
			.actor = S(actor),
		};
		struct decision dec;

		if (q.amount_minor > 0)
			rc = store_add_ledger(d->store, &e, NULL, err);
		if (!rc)
			rc = desk_build_case(d, &l.so, l.sc.claim_json, err);
		if (!rc)
			rc = desk_decide_save(d, l.sc.id, l.sc.claim_json, &dec,
					      err);
		if (!rc)
			rc = store_update_case_status(d->store, l.sc.id,
						      CASE_STATUS_DECIDED,
						      now, err);
	}
	if (!rc && (to == QUOTE_STATUS_DECLINED ||
		    to == QUOTE_STATUS_SHIPPED_BACK))
		rc = store_update_case_status(d->store, l.sc.id,
					      CASE_STATUS_RESOLVED, now, err);
	if (!rc) {
		struct record_field a[] = {
			RECORD_I("quote", q.id),
			RECORD_S("status", S(quote_status_name(to))),
		};

		rc = desk_audit_rec(d, actor, "quote.update", "case", l.sc.id,
				    NULL, 0, a, 2, err);
	}
	if (!rc) {
		store_quote_release(&q);
		rc = store_get_case_quote(d->store, S(case_id), &q, err);
	}
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (!rc)
		view(d, &q, out);
out:
	store_quote_release(&q);
	loaded_release(&l);
	return rc ? desk_fail(d, rc) : 0;
}
