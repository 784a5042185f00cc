/* hook_json.h: the couriers' tracking webhooks read into one typed event
 * (codec layer). AfterShip's tracking webhook and EasyPost's Event
 * (tracker.updated) are each read into a struct hook_event, and their
 * statuses mapped onto aftercare's tracking kinds (the table is in
 * hook_json.c and docs/API.md, "Courier webhooks").
 * Ownership: the event holds copies in fixed buffers; nothing to free.
 * Failure: AC_ESYNTAX (not JSON) or AC_EINVAL naming the field
 * ("event_id", "msg.tracking_number", "result.carrier"). */
#ifndef AC_CODEC_HOOK_JSON_H
#define AC_CODEC_HOOK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

#define HOOK_BODY_MAX (1u << 20)

struct hook_event {
	bool tracking;                  /* false: another event type, to
					 * acknowledge and drop */
	char id[201];                   /* the provider's event id */
	char carrier[65];               /* as sent ("ups", "USPS") */
	char tracking_code[129];        /* as sent */
	char status[96];                /* the provider's status, as sent
					 * ("Exception_013", "failure/lost") */
	const char *kind;               /* aftercare's tracking kind, or
					 * NULL when the status maps to none */
	int64_t at;                     /* the event's own time (us UTC) */
	char detail[256];               /* the courier's words, cut */
};

/* hook_aftership_read reads AfterShip's tracking webhook:
 * {"event": "tracking_update", "event_id", "msg": {"slug",
 * "tracking_number", "tag", "subtag", "updated_at", "checkpoints":
 * [{"checkpoint_time", "message", ...}]}, "ts"}. The time is the last
 * checkpoint's (when it has a zone), else msg.updated_at, else ts. */
int hook_aftership_read(const char *body, size_t n, struct hook_event *out,
			struct ac_err *err);

/* hook_easypost_read reads EasyPost's Event: {"id", "description":
 * "tracker.updated", "created_at", "result": {"carrier",
 * "tracking_code", "status", "status_detail", "updated_at",
 * "tracking_details": [{"datetime", "message", ...}]}}. The time is the
 * last tracking detail's, else result.updated_at, else created_at. */
int hook_easypost_read(const char *body, size_t n, struct hook_event *out,
		       struct ac_err *err);

/* The status maps (pure): aftercare's kind ("delivered",
 * "lost_confirmed", "customs_held", "customs_refused", "returned"), or
 * NULL for a status that changes no fact. message may be NULL. */
const char *hook_aftership_kind(const char *tag, const char *subtag);
const char *hook_easypost_kind(const char *status, const char *detail,
			       const char *message);

#endif
