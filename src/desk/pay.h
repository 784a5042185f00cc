/* pay.h: ledger refunds paid back through the payment provider (desk
 * layer, issue 10.4). When an order names the provider's payment (its
 * payment intent), every refund the ledger records for it writes, in the
 * same transaction, an outbox row of kind "refund" and a payment record
 * (pending). The refund handler (src/pay) sends it and reports what the
 * provider said; the provider's refund.updated webhook reports too. A
 * payment ends succeeded or failed (with the provider's reason) and a
 * late or repeated answer never moves it back; staff retry a failed one
 * (the same Idempotency-Key, so the provider never pays it twice).
 * Ownership: arguments are borrowed; results are the caller's structs.
 * Failure: 0 or an AC_E* code with err naming the field. */
#ifndef AC_DESK_PAY_H
#define AC_DESK_PAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "desk.h"

#define PAY_KIND "refund"               /* the outbox kind */

/* desk_pay_set_intent names the provider's payment the order was paid
 * with (1-255 bytes of printable ASCII); refunds recorded from now on
 * are sent there. AC_ENOTFOUND for no such order. */
int desk_pay_set_intent(struct desk *d, const char *actor,
			const char *order_id, const char *intent,
			struct ac_err *err);

/* A refund as sent to the provider. status: "pending", "succeeded",
 * "failed". */
struct desk_pay {
	int64_t ledger_id;
	char case_id[128], order_id[128];
	char status[16];
	char provider_id[128];
	char reason[256];
	char payment_intent[256];
	int64_t amount_minor;
	char currency[4];
	int64_t outbox_id;
	int64_t updated_at;
};

/* desk_pay_get fills *out for the ledger entry (the payment intent
 * included). AC_ENOTFOUND when it was never sent to the provider. */
int desk_pay_get(struct desk *d, int64_t ledger_id, struct desk_pay *out,
		 struct ac_err *err);

/* desk_pay_list calls each(arg, p) for the case's refunds sent to the
 * provider, in ledger order. */
int desk_pay_list(struct desk *d, const char *case_id,
		  void (*each)(void *arg, const struct desk_pay *p),
		  void *arg, struct ac_err *err);

/* desk_pay_result records what the provider said of the refund (status
 * "pending", "succeeded" or "failed"; provider_id and reason may be ""),
 * in a transaction of its own, audited as actor. A refund that already
 * ended is left as it is (*changed 0, may be NULL). */
int desk_pay_result(struct desk *d, const char *actor, int64_t ledger_id,
		    const char *status, const char *provider_id,
		    const char *reason, int *changed, struct ac_err *err);

/* desk_pay_reopen: staff retried the outbox row outbox_id by hand (the
 * outbox's dead letters): when it is the failed refund's own row, the
 * refund is pending again (1), to be sent with the same key; otherwise
 * it is left as it is (0). Audited. */
int desk_pay_reopen(struct desk *d, const char *actor, int64_t ledger_id,
		    int64_t outbox_id, int *reopened, struct ac_err *err);

/* desk_pay_retry sends a failed refund of the case again: its outbox row
 * pending at once, its payment pending, one transaction. AC_ENOTFOUND
 * (ledger_entry) when the case has no such refund sent; AC_ESTATE
 * unless it failed. */
int desk_pay_retry(struct desk *d, const char *actor, const char *case_id,
		   int64_t ledger_id, struct ac_err *err);

struct pay_event;

/* desk_pay_event applies the provider's webhook event (pay_json.h) of
 * integration stripe/NAME in one transaction: recorded once by its id
 * (*status "duplicate" for a second delivery, nothing changed), a
 * refund's status recorded on its ledger entry ("applied"; "stale" when
 * that refund had already ended; "unmatched" when no refund sent has that
 * ledger entry; "ignored" for other events). *ledger_id (may be NULL)
 * the entry it touched. */
int desk_pay_event(struct desk *d, const char *name,
		   const struct pay_event *ev, const char **status,
		   int64_t *ledger_id, struct ac_err *err);

/* desk_pay_refund_added: the ledger's part (ledger.c), inside the
 * refund's transaction: when the order names a payment intent, the
 * outbox row and the pending payment; otherwise nothing. */
int desk_pay_refund_added(struct desk *d, struct ac_str case_id,
			  struct ac_str order_id, int64_t ledger_id,
			  int64_t amount_minor, const char *currency,
			  struct ac_err *err);

#endif
