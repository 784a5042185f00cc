/* tests/codec/pay_json.c: the payment provider's answers and events read
 * (Criterion): a Refund and an error answer; a refund event with its
 * ledger entry from the metadata; events of other types, or metadata
 * that names no entry, are not taken for one; bodies without an id are
 * refused by field. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/codec/pay_json.h"

#define READ(b, out) pay_refund_read((b), strlen(b), (out), &err)

Test(pay_json, refund_and_error_answers)
{
	struct pay_refund r;
	struct ac_err err;

	cr_assert_eq(READ("{\"id\":\"re_1\",\"object\":\"refund\",\"status\":"
			  "\"succeeded\",\"amount\":100}", &r), 0);
	cr_assert(!r.is_error);
	cr_assert_str_eq(r.id, "re_1");
	cr_assert_str_eq(r.status, "succeeded");
	cr_assert_eq(READ("{\"id\":\"re_2\",\"status\":\"failed\","
			  "\"failure_reason\":\"expired_or_canceled_card\"}",
			  &r), 0);
	cr_assert_str_eq(r.reason, "expired_or_canceled_card");
	cr_assert_eq(READ("{\"error\":{\"type\":\"card_error\",\"code\":"
			  "\"card_declined\",\"message\":\"declined\"}}", &r),
		     0);
	cr_assert(r.is_error);
	cr_assert_str_eq(r.reason, "card_declined: declined");
	cr_assert_eq(READ("{\"status\":\"succeeded\"}", &r), AC_EINVAL);
	cr_assert_str_eq(err.field, "id");
	cr_assert_eq(READ("{\"id\":\"re_3\"}", &r), AC_EINVAL);
	cr_assert_str_eq(err.field, "status");
	cr_assert_eq(READ("<html>", &r), AC_ESYNTAX);
}

#define EV(type, object, meta) \
	"{\"id\":\"evt_1\",\"type\":\"" type "\",\"data\":{\"object\":{" \
	"\"id\":\"re_1\",\"object\":\"" object "\",\"status\":\"failed\"," \
	"\"failure_reason\":\"lost_or_stolen_card\",\"metadata\":" meta "}}}"

Test(pay_json, events)
{
	static const char ok[] = EV("refund.updated", "refund",
				    "{\"ledger_entry\":\"42\","
				    "\"case\":\"C-1\"}");
	static const char charge[] = EV("charge.refund.updated", "refund",
					"{\"ledger_entry\":\"7\"}");
	static const char other[] = EV("charge.succeeded", "charge", "{}");
	static const char bad_entry[] = EV("refund.updated", "refund",
					   "{\"ledger_entry\":\"4x\"}");
	struct pay_event ev;
	struct ac_err err;

	cr_assert_eq(pay_event_read(ok, strlen(ok), &ev, &err), 0);
	cr_assert_str_eq(ev.id, "evt_1");
	cr_assert(ev.is_refund);
	cr_assert_eq(ev.ledger_id, 42);
	cr_assert_str_eq(ev.refund.status, "failed");
	cr_assert_str_eq(ev.refund.reason, "lost_or_stolen_card");
	cr_assert_eq(pay_event_read(charge, strlen(charge), &ev, &err), 0);
	cr_assert(ev.is_refund && ev.ledger_id == 7);
	cr_assert_eq(pay_event_read(other, strlen(other), &ev, &err), 0);
	cr_assert(!ev.is_refund);
	cr_assert_str_eq(ev.type, "charge.succeeded");
	cr_assert_eq(pay_event_read(bad_entry, strlen(bad_entry), &ev, &err),
		     0);
	cr_assert(ev.is_refund && ev.ledger_id == 0);
	cr_assert_eq(pay_event_read("{\"type\":\"refund.updated\"}", 25, &ev,
				    &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "id");
}
