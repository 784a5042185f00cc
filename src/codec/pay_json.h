/* pay_json.h: the payment provider's JSON, read (codec layer, issue
 * 10.4). Stripe's refunds API is the model: the answer to POST
 * /v1/refunds (a Refund object, or {"error": {...}}) and the
 * refund.updated event its webhook posts.
 * Ownership: results hold copies in fixed buffers.
 * Failure: AC_ESYNTAX (not JSON) or AC_EINVAL naming the field. */
#ifndef AC_CODEC_PAY_JSON_H
#define AC_CODEC_PAY_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

/* A Refund ({"id", "status", "failure_reason"}) or an error ({"error":
 * {"message", "code", "type"}}: is_error, the words in reason). status:
 * "succeeded", "pending", "requires_action", "failed", "canceled". */
struct pay_refund {
	bool is_error;
	char id[128];
	char status[32];
	char reason[256];
};

int pay_refund_read(const char *body, size_t n, struct pay_refund *out,
		    struct ac_err *err);

/* A webhook event: {"id", "type", "data": {"object": Refund with
 * "metadata": {"ledger_entry"}}}. refund is filled when type starts with
 * "refund." or "charge.refund." and the object is a refund; ledger_id
 * is 0 when its metadata names none. */
struct pay_event {
	char id[201];
	char type[64];
	bool is_refund;
	struct pay_refund refund;
	int64_t ledger_id;
};

int pay_event_read(const char *body, size_t n, struct pay_event *out,
		   struct ac_err *err);

#endif
