/* ledger.c: refunds through the ledger, exactly once (desk layer).
 * A refund is checked and written inside one write transaction (BEGIN
 * IMMEDIATE on SQLite), so two concurrent requests cannot both pay: the
 * second sees the first's entry in its sums. The idempotency record is
 * written in the same transaction as the entry it answers for. */
#include "desk_int.h"
#include "outbox.h"
#include "pay.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The request's fingerprint: the case and the amount. */
static void request_hash(const char *case_id, int64_t amount, char hex[65])
{
	crypto_generichash_state st;
	unsigned char h[32];
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", (long long)amount);

	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)case_id,
				  strlen(case_id) + 1);
	crypto_generichash_update(&st, (const unsigned char *)num,
				  (size_t)n);
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(hex, 65, h, sizeof h);
}

/* replay gives the refund an idempotency record stands for: the ledger
 * entry it made (with that entry's currency) and the total then. A record
 * kept before the store's migration 0003 whose result could not be read
 * has no entry: the key is answered as used, never as a new request. */
static int replay(struct desk *d, const char *case_id, int64_t amount,
		  const struct store_idem *idem, struct desk_refund *out,
		  struct ac_err *err)
{
	if (idem->ledger_id == 0)
		return ac_err_set(err, AC_ECONFLICT, "Idempotency-Key",
				  "this key was used before an upgrade and "
				  "its result cannot be given again");
	snprintf(d->v_id, sizeof d->v_id, "%s", case_id);
	out->id = idem->ledger_id;
	out->case_id = S(d->v_id);
	out->amount_minor = amount;
	out->currency = idem->currency;
	out->refunded_total_minor = idem->refunded_total_minor;
	out->replayed = true;
	return 0;
}

int desk_refund(struct desk *d, const char *actor, const char *case_id,
		const struct desk_refund_req *req, struct desk_refund *out,
		struct ac_err *err)
{
	struct store_idem idem = { 0 };
	struct store_decision sd = { 0 };
	struct store_ledger_sum case_sum = { 0 }, order_sum = { 0 };
	struct loaded l = { 0 };
	const char *idem_key = req->idem_key, *scope = req->scope;
	int64_t amount = req->amount_minor, ledger_id = 0;
	char hash[65];
	int rc;

	memset(out, 0, sizeof *out);
	if (!idem_key || !*idem_key)
		return ac_err_set(err, AC_EINVAL, "Idempotency-Key",
				  "a refund needs an Idempotency-Key header");
	if (strlen(idem_key) > 255)
		return ac_err_set(err, AC_EINVAL, "Idempotency-Key",
				  "longer than 255 bytes");
	request_hash(case_id, amount, hash);

	rc = desk_txn_begin(d, err);
	if (rc)
		return rc;
	rc = store_get_idempotency(d->store, S(scope), S(idem_key), &idem,
				   err);
	if (rc && rc != AC_ENOTFOUND)   /* the store failed: not "unseen" */
		return desk_fail(d, rc);
	if (rc == 0) {
		/* seen before: the first answer again, or a conflict */
		if (strlen(hash) == idem.request_hash.n &&
		    !memcmp(hash, idem.request_hash.p, idem.request_hash.n))
			rc = replay(d, case_id, amount, &idem, out, err);
		else
			rc = ac_err_set(err, AC_ECONFLICT, "Idempotency-Key",
					"this key was used with another "
					"request");
		store_idem_release(&idem);
		desk_fail(d, 0);
		return rc;
	}
	ac_err_clear(err);              /* AC_ENOTFOUND: a new key */
	rc = 0;
	if (amount < 1)
		rc = ac_err_set(err, AC_EINVAL, "amount_minor",
				"a refund is at least 1");
	if (!rc)
		rc = desk_load_case(d, case_id, &l, err);
	if (!rc && (l.sc.status == CASE_STATUS_CLOSED ||
		    l.sc.status == CASE_STATUS_RESOLVED))
		rc = ac_err_set(err, AC_ESTATE, "status", "the case is %s",
				store_case_status_name(l.sc.status));
	if (!rc)
		rc = store_get_current_decision(d->store, S(case_id), &sd, err);
	if (!rc)
		rc = store_sum_ledger_case(d->store, S(case_id), &case_sum,
					   err);
	if (!rc)
		rc = store_sum_ledger_order(d->store, l.sc.order_id,
					    &order_sum, err);
	if (!rc) {
		int64_t case_left = sd.refund_max_minor - case_sum.refund_minor;
		int64_t paid_left = desk_paid(&l.so) - order_sum.refund_minor;

		if (sd.refund_max_minor == 0)
			rc = ac_err_set(err, AC_EINVAL, "amount_minor",
					"the decision (%.*s) allows no refund",
					(int)sd.verdict.n, sd.verdict.p);
		else if (amount > case_left)
			rc = ac_err_set(err, AC_EINVAL, "amount_minor",
					"above what the decision allows: %lld "
					"left of %lld",
					(long long)(case_left > 0 ? case_left :
						    0),
					(long long)sd.refund_max_minor);
		else if (amount > paid_left)
			rc = ac_err_set(err, AC_EINVAL, "amount_minor",
					"above what is left of the payment: "
					"%lld", (long long)(paid_left > 0 ?
							    paid_left : 0));
	}
	if (!rc) {
		struct store_ledger_entry e = {
			.case_id = l.sc.id,
			.order_id = l.sc.order_id,
			.kind = LEDGER_REFUND,
			.amount_minor = amount,
			.currency = l.so.order.currency,
			.created_at = desk_now(d),
			.actor = S(actor),
			.idempotency_key = S(idem_key),
		};

		rc = store_add_ledger(d->store, &e, &ledger_id, err);
	}
	if (!rc) {
		int64_t total = case_sum.refund_minor + amount;
		/* what the desk needs to give the same refund again */
		struct store_idem r = {
			.scope = S(scope),
			.key = S(idem_key),
			.request_hash = S(hash),
			.ledger_id = ledger_id,
			.refunded_total_minor = total,
			.created_at = desk_now(d),
		};

		rc = store_put_idempotency(d->store, &r, err);
		if (!rc) {
			snprintf(d->v_id, sizeof d->v_id, "%s", case_id);
			out->id = ledger_id;
			out->case_id = S(d->v_id);
			out->amount_minor = amount;
			out->currency = l.so.order.currency;
			out->refunded_total_minor = total;
		}
		struct record_field a[] = {
			RECORD_I("id", ledger_id),
			RECORD_S("case", l.sc.id),
			RECORD_I("amount_minor", amount),
			RECORD_S("currency", S(l.so.order.currency->code)),
			RECORD_I("refunded_total_minor", total),
		};

		if (!rc)
			rc = desk_audit_rec(d, actor, "case.refund", "case",
					    l.sc.id, NULL, 0, a, 5, err);
		/* the customer hears of the refund (issue 10) */
		if (!rc) {
			struct desk_mail_facts mf = {
				.order_id = l.sc.order_id,
				.has_amount = true,
				.amount_minor = amount,
				.currency = l.so.order.currency->code,
			};
			char key[24];

			snprintf(key, sizeof key, "%lld", (long long)ledger_id);
			rc = desk_outbox_mail(d, MAIL_REFUND_MADE, l.sc.id,
					      &mf, key, err);
		}
		/* the payment provider pays it back (issue 10.4) */
		if (!rc)
			rc = desk_pay_refund_added(d, l.sc.id, l.sc.order_id,
						   ledger_id, amount,
						   l.so.order.currency->code,
						   err);
		/* the whole allowance paid: the case is resolved */
		if (!rc && total == sd.refund_max_minor &&
		    l.sc.status != CASE_STATUS_RESOLVED)
			rc = store_update_case_status(d->store, l.sc.id,
						      CASE_STATUS_RESOLVED,
						      desk_now(d), err);
	}
	if (!rc)
		rc = desk_txn_commit(d, err);
	store_decision_release(&sd);
	loaded_release(&l);
	return rc ? desk_fail(d, rc) : 0;
}
