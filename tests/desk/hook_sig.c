/* tests/desk/hook_sig.c: the webhook signature check (Criterion), with
 * signatures made by openssl for the same secret and body: each
 * provider's right signature passes; another secret, another body, a
 * truncated, padded or re-encoded signature, a missing header and a
 * Stripe time outside its five minutes all fail. Pure: no desk needed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../src/desk/hooks.h"

#define SECRET "test-secret-0123456789"
#define BODY "{\"event_id\":\"e1\"}"
#define AS_SIG "EoSU7DdYAuOQlmzak5Kz6T3GmZlYX5byc4MTOpSpejM="
#define EP_HEX "128494ec375802e390966cda9392b3e9" \
	"3dc69999585f96f27383133a94a97a33"
#define ST_SECRET "whsec_test-secret-0123456789"
#define ST_T 1700000000
#define ST_HEX "8d1f6f058c1c8d098c7e4d1f9aaddea8" \
	"d2251f83340850137a515bc689db4905"

static int chk(enum hook_kind k, const char *secret, const char *body,
	       const char *header, int64_t now_s)
{
	struct ac_err err;

	ac_err_clear(&err);
	return hook_sig_check(k, secret, strlen(secret), body, strlen(body),
			      header, now_s, &err);
}

Test(hook_sig, aftership)
{
	cr_assert_eq(chk(HOOK_AFTERSHIP, SECRET, BODY, AS_SIG, 0), 0);
	cr_assert_eq(chk(HOOK_AFTERSHIP, "other-secret-0123456", BODY, AS_SIG,
			 0), AC_EINVAL);
	cr_assert_eq(chk(HOOK_AFTERSHIP, SECRET, "{\"event_id\":\"e2\"}",
			 AS_SIG, 0), AC_EINVAL);
	cr_assert_eq(chk(HOOK_AFTERSHIP, SECRET, BODY,
			 "EoSU7DdYAuOQlmzak5Kz6T3GmZlYX5byc4MTOpSpej", 0),
		     AC_EINVAL);
	cr_assert_eq(chk(HOOK_AFTERSHIP, SECRET, BODY, AS_SIG "x", 0),
		     AC_EINVAL);
	cr_assert_eq(chk(HOOK_AFTERSHIP, SECRET, BODY, EP_HEX, 0), AC_EINVAL);
	cr_assert_eq(chk(HOOK_AFTERSHIP, SECRET, BODY, "", 0), AC_EINVAL);
	cr_assert_eq(chk(HOOK_AFTERSHIP, SECRET, BODY, NULL, 0), AC_EINVAL);
}

Test(hook_sig, easypost)
{
	cr_assert_eq(chk(HOOK_EASYPOST, SECRET, BODY,
			 "hmac-sha256-hex=" EP_HEX, 0), 0);
	cr_assert_eq(chk(HOOK_EASYPOST, SECRET, BODY, EP_HEX, 0), AC_EINVAL);
	cr_assert_eq(chk(HOOK_EASYPOST, SECRET, "{}",
			 "hmac-sha256-hex=" EP_HEX, 0), AC_EINVAL);
	cr_assert_eq(chk(HOOK_EASYPOST, SECRET, BODY,
			 "hmac-sha256-hex=" EP_HEX "00", 0), AC_EINVAL);
	cr_assert_eq(chk(HOOK_EASYPOST, SECRET, BODY,
			 "hmac-sha256-hex=" AS_SIG, 0), AC_EINVAL);
	cr_assert_eq(chk(HOOK_EASYPOST, "other-secret-0123456", BODY,
			 "hmac-sha256-hex=" EP_HEX, 0), AC_EINVAL);
}

Test(hook_sig, stripe)
{
	char h[256];

	snprintf(h, sizeof h, "t=%d,v1=%s", ST_T, ST_HEX);
	cr_assert_eq(chk(HOOK_STRIPE, ST_SECRET, BODY, h, ST_T), 0);
	/* within the tolerance either way, not beyond it */
	cr_assert_eq(chk(HOOK_STRIPE, ST_SECRET, BODY, h, ST_T + 300), 0);
	cr_assert_eq(chk(HOOK_STRIPE, ST_SECRET, BODY, h, ST_T - 300), 0);
	cr_assert_eq(chk(HOOK_STRIPE, ST_SECRET, BODY, h, ST_T + 301),
		     AC_EINVAL);
	cr_assert_eq(chk(HOOK_STRIPE, ST_SECRET, BODY, h, ST_T - 301),
		     AC_EINVAL);
	/* any v1 may match (a secret being rolled); v0 is not looked at */
	snprintf(h, sizeof h, "t=%d,v1=%064d,v0=%s,v1=%s", ST_T, 0, ST_HEX,
		 ST_HEX);
	cr_assert_eq(chk(HOOK_STRIPE, ST_SECRET, BODY, h, ST_T), 0);
	snprintf(h, sizeof h, "t=%d,v0=%s", ST_T, ST_HEX);
	cr_assert_eq(chk(HOOK_STRIPE, ST_SECRET, BODY, h, ST_T), AC_EINVAL);
	/* the time is part of what is signed */
	snprintf(h, sizeof h, "t=%d,v1=%s", ST_T + 1, ST_HEX);
	cr_assert_eq(chk(HOOK_STRIPE, ST_SECRET, BODY, h, ST_T), AC_EINVAL);
	snprintf(h, sizeof h, "v1=%s", ST_HEX);
	cr_assert_eq(chk(HOOK_STRIPE, ST_SECRET, BODY, h, ST_T), AC_EINVAL);
}

Test(hook_sig, folds)
{
	char out[65];
	struct ac_err err;

	cr_assert_eq(hook_fold_carrier("Royal Mail", out, sizeof out, &err), 0);
	cr_assert_str_eq(out, "royalmail");
	cr_assert_eq(hook_fold_carrier("royal-mail", out, sizeof out, &err), 0);
	cr_assert_str_eq(out, "royalmail");
	cr_assert_eq(hook_fold_carrier("--", out, sizeof out, &err), AC_EINVAL);
	cr_assert_eq(hook_fold_code(" 1z 999\t", out, sizeof out, &err), 0);
	cr_assert_str_eq(out, "1Z999");
	cr_assert_eq(hook_fold_code("  ", out, sizeof out, &err), AC_EINVAL);
}
