/* fuzz_hooks.c: libFuzzer harness for the webhook and payment readers
 * (fuzz; hook_json.c, pay_json.c). The first byte picks the reader
 * (AfterShip, EasyPost, the provider's answer, its event); the rest is
 * the body. Whatever it is, a reader either succeeds with every string
 * NUL-terminated inside its buffer (a tracking event with an id, a
 * carrier and a code; a mapped kind one of aftercare's) or fails with
 * AC_ESYNTAX or AC_EINVAL and a message. A broken invariant calls
 * abort() so that libFuzzer keeps the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/codec/hook_json.h"
#include "../src/codec/pay_json.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(a) CHECK(memchr((a), '\0', sizeof(a)) != NULL)

static bool known(const char *k)
{
	static const char *const kinds[] = { "delivered", "lost_confirmed",
		"customs_held", "customs_refused", "returned" };

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (k == kinds[i] || !strcmp(k, kinds[i]))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hook_event ev;
	struct pay_refund r;
	struct pay_event pe;
	struct ac_err err;
	const char *body = (const char *)data + 1;
	int rc;

	if (size < 1)
		return 0;
	ac_err_clear(&err);
	switch (data[0] & 3) {
	case 0:
	case 1:
		rc = (data[0] & 3) == 0 ?
			hook_aftership_read(body, size - 1, &ev, &err) :
			hook_easypost_read(body, size - 1, &ev, &err);
		if (rc)
			break;
		TERMINATED(ev.id);
		TERMINATED(ev.carrier);
		TERMINATED(ev.tracking_code);
		TERMINATED(ev.status);
		TERMINATED(ev.detail);
		CHECK(ev.id[0]);
		if (ev.tracking)
			CHECK(ev.carrier[0] && ev.tracking_code[0]);
		CHECK(!ev.kind || known(ev.kind));
		break;
	case 2:
		rc = pay_refund_read(body, size - 1, &r, &err);
		if (rc)
			break;
		TERMINATED(r.id);
		TERMINATED(r.status);
		TERMINATED(r.reason);
		CHECK(r.is_error || (r.id[0] && r.status[0]));
		break;
	default:
		rc = pay_event_read(body, size - 1, &pe, &err);
		if (rc)
			break;
		TERMINATED(pe.id);
		TERMINATED(pe.type);
		CHECK(pe.id[0]);
		CHECK(pe.ledger_id >= 0);
		break;
	}
	if (rc)
		CHECK((rc == AC_ESYNTAX || rc == AC_EINVAL ||
		       rc == AC_ELIMIT) && err.msg[0]);
	return 0;
}
