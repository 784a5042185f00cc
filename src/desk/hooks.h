/* hooks.h: the webhooks of couriers (and, for refunds, the payment
 * provider) as facts for the desk (desk layer, issue 10.3).
 * An integration is a provider kind and a name; its secret signs every
 * delivery. A delivery is checked (hook_sig_check), then recorded once
 * per event id (a second delivery of an id changes nothing), matched to
 * its order by carrier and tracking code, and applied as a tracking
 * event, re-deciding the order's open cases, unless an event of the
 * order already applied is newer (then it is kept as history only).
 * Ownership: arguments are borrowed; results are the caller's structs.
 * Failure: 0 or an AC_E* code with err naming the field. */
#ifndef AC_DESK_HOOKS_H
#define AC_DESK_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "../codec/hook_json.h"
#include "desk.h"

enum hook_kind { HOOK_AFTERSHIP, HOOK_EASYPOST, HOOK_STRIPE };

/* "aftership", "easypost", "stripe" */
const char *hook_kind_name(enum hook_kind k);
/* hook_kind_parse: 0, or AC_EINVAL for another name */
int hook_kind_parse(const char *s, enum hook_kind *out);

/* Stripe's tolerance between its signature's t= and the clock. */
#define HOOK_STRIPE_TOLERANCE_S 300
#define HOOK_SECRET_MAX 256

/* hook_sig_check: 0 when header is body's signature under the secret as
 * the kind's provider makes it, compared in constant time:
 *   aftership  aftership-hmac-sha256: base64 HMAC-SHA256(secret, body)
 *   easypost   X-Hmac-Signature: "hmac-sha256-hex=" hex HMAC
 *   stripe     Stripe-Signature: "t=T,v1=hex HMAC(secret, T.body)",
 *              T within HOOK_STRIPE_TOLERANCE_S of now_s
 * Otherwise AC_EINVAL (header NULL: "missing"; field "signature"). */
int hook_sig_check(enum hook_kind k, const char *secret, size_t secret_n,
		   const char *body, size_t n, const char *header,
		   int64_t now_s, struct ac_err *err);

/* desk_hook_add stores an integration. secret NULL: a new one (32
 * random bytes, 64 hex digits) is made; either way the secret stored is
 * copied to secret_out (HOOK_SECRET_MAX + 1 bytes, may be NULL).
 * AC_ECONFLICT when the integration exists; AC_EINVAL for a bad kind,
 * name (1-64 of a-z 0-9 . _ -) or secret (16-256 bytes). */
int desk_hook_add(struct desk *d, const char *kind, const char *name,
		  const char *secret, char *secret_out, struct ac_err *err);

/* desk_hook_list calls each(arg, kind, name, created_at) for every
 * integration, by kind and name (never the secrets). */
int desk_hook_list(struct desk *d,
		   void (*each)(void *arg, const char *kind, const char *name,
				int64_t created_at),
		   void *arg, struct ac_err *err);

/* desk_hook_verify reads the integration's secret and checks the
 * signature (hook_sig_check, the desk's clock for Stripe's). An unknown
 * integration fails like a bad signature (AC_EINVAL), so that a caller
 * learns nothing of which names exist; AC_EIO when the store fails. */
int desk_hook_verify(struct desk *d, enum hook_kind k, const char *name,
		     const char *body, size_t n, const char *header,
		     struct ac_err *err);

/* What a tracking event did. status: "applied" (the facts changed and
 * the order's open cases were decided again), "stale" (older than an
 * event already applied: kept on the order's tracking only),
 * "unmatched" (no parcel has that carrier and code: kept for staff),
 * "ignored" (no tracking kind, or not a tracking event), "duplicate"
 * (its id was seen: nothing changed). */
struct desk_hook_result {
	const char *status;
	const char *kind;               /* the mapped kind; NULL: none */
	char order_id[128];             /* "" when unmatched */
	struct desk_facts facts;        /* the cases decided again; borrows
					 * from the desk until its next call */
};

/* desk_hook_event records and applies one delivered event, all in one
 * transaction (a group commit's savepoint). AC_EINVAL when its delivery
 * would come before the shipment. */
int desk_hook_event(struct desk *d, enum hook_kind k, const char *name,
		    const struct hook_event *ev, struct desk_hook_result *out,
		    struct ac_err *err);

/* One event as kept, for staff (strings borrowed for the callback). */
struct desk_hook_seen {
	const char *kind, *name, *event_id, *status;
	const char *carrier, *tracking_code, *tracking_kind, *order_id;
	const char *detail;
	int64_t at, received_at;
};

/* desk_hook_events calls each(arg, e) for the events of that status
 * ("unmatched", "applied", "stale", "ignored"), the latest received
 * first, at most limit (1..100); *more (may be NULL) says whether others
 * follow. AC_EINVAL naming "status". */
int desk_hook_events(struct desk *d, const char *status, int limit,
		     void (*each)(void *arg, const struct desk_hook_seen *e),
		     void *arg, bool *more, struct ac_err *err);

/* desk_put_parcel names the order's parcel: carrier (folded to lower-case
 * letters and digits: "Royal Mail" and "royal-mail" are "royalmail") and
 * tracking code (spaces dropped, upper case). The order must have
 * shipped (AC_ESTATE); the same parcel again is fine; a parcel of
 * another order is AC_ECONFLICT. Events kept "unmatched" for the parcel
 * (they came before it was named) are applied then, oldest first, in
 * the same transaction, as if they came now: each "applied" or "stale"
 * ("ignored" without a kind), the order's open cases decided again. */
int desk_put_parcel(struct desk *d, const char *actor, const char *order_id,
		    const char *carrier, const char *tracking_code,
		    struct ac_err *err);

/* The folds desk_put_parcel and the webhooks use (out: cap bytes);
 * AC_EINVAL naming field when nothing is left or it does not fit. */
int hook_fold_carrier(const char *in, char *out, size_t cap,
		      struct ac_err *err);
int hook_fold_code(const char *in, char *out, size_t cap, struct ac_err *err);

#endif
