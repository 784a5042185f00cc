/* tests/codec/hook_json.c: the couriers' webhooks read and mapped
 * (Criterion): each provider status aftercare acts on maps to its kind
 * and nothing else does; the event's id, parcel and own time come out of
 * each provider's body, with the fallbacks for the time; a body without
 * its id or parcel is refused by field; another event type is read as
 * "not tracking" rather than refused. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/codec/hook_json.h"
#include "../../src/core/instant.h"

static int64_t at(const char *s)
{
	int64_t t = 0;

	cr_assert_eq(instant_parse(s, strlen(s), &t), 0, "%s", s);
	return t;
}

#define KIND(x, want) \
	do { \
		const char *k_ = (x); \
		if (want) \
			cr_assert(k_ && !strcmp(k_, want ? want : ""), \
				  "%s: %s, want %s", #x, k_ ? k_ : "NULL", \
				  want ? want : "NULL"); \
		else \
			cr_assert_null(k_, "%s: %s, want NULL", #x, k_); \
	} while (0)

Test(hook_map, aftership_statuses)
{
	KIND(hook_aftership_kind("Delivered", "Delivered_001"), "delivered");
	KIND(hook_aftership_kind("Delivered", NULL), "delivered");
	KIND(hook_aftership_kind("Exception", "Exception_013"),
	     "lost_confirmed");
	KIND(hook_aftership_kind("Exception", "Exception_004"),
	     "customs_held");
	KIND(hook_aftership_kind("Exception", "Exception_006"),
	     "customs_held");
	KIND(hook_aftership_kind("Exception", "Exception_003"),
	     "customs_refused");
	KIND(hook_aftership_kind("Exception", "Exception_010"), "returned");
	KIND(hook_aftership_kind("Exception", "Exception_011"), "returned");
	KIND(hook_aftership_kind("Exception", "Exception_012"), NULL);
	KIND(hook_aftership_kind("InTransit", "InTransit_007"), NULL);
	KIND(hook_aftership_kind("OutForDelivery", NULL), NULL);
	KIND(hook_aftership_kind(NULL, NULL), NULL);
}

Test(hook_map, easypost_statuses)
{
	KIND(hook_easypost_kind("delivered", "arrived_at_destination", NULL),
	     "delivered");
	KIND(hook_easypost_kind("failure", "lost", NULL), "lost_confirmed");
	KIND(hook_easypost_kind("failure", "refused", "x"), "customs_refused");
	KIND(hook_easypost_kind("in_transit", "held", "Held by CUSTOMS"),
	     "customs_held");
	KIND(hook_easypost_kind("in_transit", "held", "held at the depot"),
	     NULL);
	KIND(hook_easypost_kind("in_transit", "held", NULL), NULL);
	KIND(hook_easypost_kind("return_to_sender", "return", NULL),
	     "returned");
	KIND(hook_easypost_kind("in_transit", "return", NULL), "returned");
	KIND(hook_easypost_kind("in_transit", "departed_facility", NULL),
	     NULL);
	KIND(hook_easypost_kind("out_for_delivery", NULL, NULL), NULL);
}

#define AS_LOST \
	"{\"event\":\"tracking_update\",\"event_id\":\"ev-1\",\"msg\":{" \
	"\"slug\":\"ups\",\"tracking_number\":\"1Z9\",\"tag\":\"Exception\"," \
	"\"subtag\":\"Exception_013\",\"updated_at\":" \
	"\"2026-05-09T00:00:00+00:00\",\"checkpoints\":[{\"checkpoint_time\":" \
	"\"2026-05-07T10:00:00+02:00\",\"message\":\"first\"},{" \
	"\"checkpoint_time\":\"2026-05-08T10:00:00+02:00\",\"message\":" \
	"\"parcel lost\"}]},\"ts\":1}"

Test(hook_read, aftership_lost)
{
	struct hook_event ev;
	struct ac_err err;

	ac_err_clear(&err);
	cr_assert_eq(hook_aftership_read(AS_LOST, strlen(AS_LOST), &ev, &err),
		     0, "%s: %s", err.field, err.msg);
	cr_assert(ev.tracking);
	cr_assert_str_eq(ev.id, "ev-1");
	cr_assert_str_eq(ev.carrier, "ups");
	cr_assert_str_eq(ev.tracking_code, "1Z9");
	cr_assert_str_eq(ev.status, "Exception_013");
	cr_assert_str_eq(ev.kind, "lost_confirmed");
	cr_assert_str_eq(ev.detail, "parcel lost");
	/* the last checkpoint's own time, zone and all */
	cr_assert_eq(ev.at, at("2026-05-08T08:00:00Z"));
}

Test(hook_read, aftership_time_falls_back)
{
	static const char local[] =
		"{\"event\":\"tracking_update\",\"event_id\":\"e\",\"msg\":{"
		"\"slug\":\"ups\",\"tracking_number\":\"1\",\"tag\":"
		"\"Delivered\",\"updated_at\":\"2026-05-09T00:00:00Z\","
		"\"checkpoints\":[{\"checkpoint_time\":"
		"\"2026-05-08T10:00:00\"}]}}";
	static const char ts[] =
		"{\"event\":\"tracking_update\",\"event_id\":\"e\",\"msg\":{"
		"\"slug\":\"ups\",\"tracking_number\":\"1\",\"tag\":"
		"\"Delivered\"},\"ts\":1778198400}";
	struct hook_event ev;
	struct ac_err err;

	/* a checkpoint time without a zone is no instant: updated_at */
	cr_assert_eq(hook_aftership_read(local, strlen(local), &ev, &err), 0);
	cr_assert_eq(ev.at, at("2026-05-09T00:00:00Z"));
	cr_assert_eq(hook_aftership_read(ts, strlen(ts), &ev, &err), 0);
	cr_assert_eq(ev.at, at("2026-05-08T00:00:00Z"));
}

Test(hook_read, aftership_refusals_name_the_field)
{
	static const char *const bodies[][2] = {
		{ "{\"event\":\"tracking_update\",\"msg\":{}}", "event_id" },
		{ "{\"event\":\"tracking_update\",\"event_id\":\"e\"}", "msg" },
		{ "{\"event\":\"tracking_update\",\"event_id\":\"e\",\"msg\":"
		  "{\"tracking_number\":\"1\"}}", "msg.slug" },
		{ "{\"event\":\"tracking_update\",\"event_id\":\"e\",\"msg\":"
		  "{\"slug\":\"ups\"}}", "msg.tracking_number" },
		{ "{\"event\":\"tracking_update\",\"event_id\":\"e\",\"msg\":"
		  "{\"slug\":\"ups\",\"tracking_number\":\"1\"}}", "ts" },
	};
	struct hook_event ev;
	struct ac_err err;

	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		ac_err_clear(&err);
		cr_assert_eq(hook_aftership_read(bodies[i][0],
						 strlen(bodies[i][0]), &ev,
						 &err), AC_EINVAL, "%zu", i);
		cr_assert_str_eq(err.field, bodies[i][1]);
	}
	cr_assert_eq(hook_aftership_read("[1", 2, &ev, &err), AC_ESYNTAX);
}

Test(hook_read, another_event_type_is_not_tracking)
{
	static const char edd[] =
		"{\"event\":\"edd_revise\",\"event_id\":\"e9\",\"msg\":{}}";
	static const char ep[] =
		"{\"id\":\"evt_9\",\"description\":\"batch.updated\"}";
	struct hook_event ev;
	struct ac_err err;

	cr_assert_eq(hook_aftership_read(edd, strlen(edd), &ev, &err), 0);
	cr_assert(!ev.tracking);
	cr_assert_str_eq(ev.id, "e9");
	cr_assert_eq(hook_easypost_read(ep, strlen(ep), &ev, &err), 0);
	cr_assert(!ev.tracking);
	cr_assert_str_eq(ev.id, "evt_9");
}

#define EP_HELD \
	"{\"id\":\"evt_1\",\"object\":\"Event\",\"description\":" \
	"\"tracker.updated\",\"created_at\":\"2026-05-10T00:00:00Z\"," \
	"\"result\":{\"tracking_code\":\"EZ1\",\"carrier\":\"USPS\"," \
	"\"status\":\"in_transit\",\"status_detail\":\"held\"," \
	"\"updated_at\":\"2026-05-09T12:00:00Z\",\"tracking_details\":[{" \
	"\"datetime\":\"2026-05-09T08:00:00Z\",\"message\":" \
	"\"Held at customs\"}]}}"

Test(hook_read, easypost_held_at_customs)
{
	struct hook_event ev;
	struct ac_err err;

	ac_err_clear(&err);
	cr_assert_eq(hook_easypost_read(EP_HELD, strlen(EP_HELD), &ev, &err),
		     0, "%s: %s", err.field, err.msg);
	cr_assert(ev.tracking);
	cr_assert_str_eq(ev.id, "evt_1");
	cr_assert_str_eq(ev.carrier, "USPS");
	cr_assert_str_eq(ev.tracking_code, "EZ1");
	cr_assert_str_eq(ev.status, "in_transit/held");
	cr_assert_str_eq(ev.kind, "customs_held");
	cr_assert_eq(ev.at, at("2026-05-09T08:00:00Z"));
}

Test(hook_read, easypost_refusals_name_the_field)
{
	static const char *const bodies[][2] = {
		{ "{\"description\":\"tracker.updated\"}", "id" },
		{ "{\"id\":\"e\",\"description\":\"tracker.updated\"}",
		  "result" },
		{ "{\"id\":\"e\",\"description\":\"tracker.updated\","
		  "\"result\":{\"tracking_code\":\"1\"}}", "result.carrier" },
		{ "{\"id\":\"e\",\"description\":\"tracker.updated\","
		  "\"result\":{\"carrier\":\"USPS\"}}",
		  "result.tracking_code" },
		{ "{\"id\":\"e\",\"description\":\"tracker.updated\","
		  "\"result\":{\"carrier\":\"USPS\",\"tracking_code\":\"1\"}}",
		  "result.updated_at" },
	};
	struct hook_event ev;
	struct ac_err err;

	for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		ac_err_clear(&err);
		cr_assert_eq(hook_easypost_read(bodies[i][0],
						strlen(bodies[i][0]), &ev,
						&err), AC_EINVAL, "%zu", i);
		cr_assert_str_eq(err.field, bodies[i][1]);
	}
}
