/* pay.h: refunds sent to the payment provider (pay layer, issue 10.4).
 * Stripe's refunds API is the model: a form POST to {url}/v1/refunds
 * with payment_intent, amount, metadata[case] and metadata[ledger_entry],
 * `Authorization: Bearer KEY` and an Idempotency-Key derived from the
 * ledger entry (pay_idempotency_key), so that a repeat (a retry after a
 * timeout, a worker that died after sending) is the same refund to the
 * provider, never a second one.
 * The service is an outbox (src/desk/outbox.h) of its own with the one
 * kind "refund", on desks that cmd_serve opens; it sits beside the HTTP
 * server and may use the desk and the codec.
 * Ownership: the config's strings are copied; the service is freed by
 * pay_stop. Failure: 0 or an AC_E* code with err naming the option. */
#ifndef AC_PAY_PAY_H
#define AC_PAY_PAY_H

#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

struct desk;

struct pay_config {
	const char *url;                /* the provider's base URL */
	const char *key_file;           /* its first line is the key */
	int timeout_s;                  /* one request, at most; 0: 10 */
	int max_attempts;               /* then the refund has failed;
					 * 0: the outbox's default */
	int64_t base_us;                /* the first retry's wait; 0:
					 * the outbox's default */
	int (*open_desk)(void *ctx, struct desk **out, struct ac_err *err);
	void (*close_desk)(void *ctx, struct desk *d);
	void *desk_ctx;
};

struct pay_service;

/* pay_start reads the key, checks the URL (http:// or https://) and
 * starts the refund workers. AC_EINVAL naming "--pay-url" or
 * "--pay-key-file"; AC_EIO when a worker cannot start. */
int pay_start(const struct pay_config *cfg, struct pay_service **out,
	      struct ac_err *err);

/* pay_stop lets the sends in flight end, stops the workers and frees the
 * service (NULL is fine). */
void pay_stop(struct pay_service *ps);

/* pay_idempotency_key writes the key for the ledger entry of the case:
 * "aftercare-CASE-LEDGER" (at most n bytes, NUL-terminated). */
void pay_idempotency_key(char *out, size_t n, const char *case_id,
			 int64_t ledger_id);

#endif
