/* fuzz_policy_file.c: libFuzzer harness for the policy file parser (fuzz).
 * Any bytes go through policy_file_parse. A policy that loads must have
 * all 12 clauses with a title and a text, non-negative numbers and the
 * SHA-256 of the bytes as its version; one that does not must say why,
 * within the error cap. A broken invariant calls abort(). */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/codec/codec.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ERRS 8

static void sha256_version(const void *p, size_t n, char out[72])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[crypto_hash_sha256_BYTES];
	size_t i;

	crypto_hash_sha256(h, p, n);
	memcpy(out, "sha256:", 7);
	for (i = 0; i < sizeof h; i++) {
		out[7 + 2 * i] = hex[h[i] >> 4];
		out[7 + 2 * i + 1] = hex[h[i] & 15];
	}
	out[7 + 64] = '\0';
}

static volatile unsigned sink;

static void touch(struct ac_str s)
{
	unsigned h = 0;
	size_t i;

	for (i = 0; i < s.n; i++)
		h = h * 31 + (unsigned char)s.p[i];
	sink = h;
}

static int count_lines(const uint8_t *data, size_t size)
{
	int n = 1;
	size_t i;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static void check_policy(const struct policy_file *pf, const uint8_t *data,
			 size_t size)
{
	const struct policy *p = policy_file_policy(pf);
	const char *bytes;
	size_t n = 0;
	char want[72];
	int lines = count_lines(data, size);
	int i;

	CHECK(p != NULL);
	CHECK(p->production_delay_us >= 0);
	CHECK(p->contact_window_us >= 0);
	CHECK(p->warranty_us >= 0);
	CHECK(p->partial_cap_bp >= 0 && p->partial_cap_bp <= 10000);
	for (i = 0; i < CL_COUNT; i++) {
		const struct clause *c = &p->clauses[i];

		CHECK(c->title.p != NULL && c->title.n > 0);
		CHECK(c->text.p != NULL && c->text.n > 0);
		CHECK(c->line >= 1 && c->line <= lines);
		/* The slices must be readable (ASan checks the bytes). */
		touch(c->title);
		touch(c->text);
	}

	bytes = policy_file_bytes(pf, &n);
	CHECK(n == size);
	CHECK(size == 0 || memcmp(bytes, data, size) == 0);
	sha256_version(data, size, want);
	CHECK(strcmp(p->version, want) == 0);
	CHECK(strncmp(p->content_version, "sha256:", 7) == 0);
	CHECK(strlen(p->content_version) == 7 + 64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ac_err errs[MAX_ERRS + 1];
	struct policy_file *pf;
	int n_errs = -1;
	int lines = count_lines(data, size);
	int i;

	memset(errs, 0, sizeof errs);
	errs[MAX_ERRS].code = 12345; /* a canary past the cap */
	pf = policy_file_parse((const char *)data, size, errs, MAX_ERRS,
			       &n_errs);
	CHECK(errs[MAX_ERRS].code == 12345);
	if (pf) {
		check_policy(pf, data, size);

		/* The bytes it kept parse again to the same policy. */
		{
			size_t n = 0;
			const char *b = policy_file_bytes(pf, &n);
			struct policy_file *pf2 = policy_file_parse(
				b, n, errs, MAX_ERRS, &n_errs);

			CHECK(pf2 != NULL);
			CHECK(strcmp(policy_file_policy(pf2)->content_version,
				     policy_file_policy(pf)->content_version) ==
			      0);
			policy_file_free(pf2);
		}
		policy_file_free(pf);
		return 0;
	}
	/* *n_errs may count problems past the cap (tests/codec/policy_file.c
	 * holds it to codec.h); only the first MAX_ERRS are filled. */
	CHECK(n_errs >= 1);
	for (i = 0; i < n_errs && i < MAX_ERRS; i++) {
		CHECK(errs[i].code < 0);
		CHECK(errs[i].msg[0] != '\0');
		CHECK(memchr(errs[i].msg, '\0', sizeof errs[i].msg) != NULL);
		CHECK(memchr(errs[i].field, '\0', sizeof errs[i].field) !=
		      NULL);
		CHECK(errs[i].line >= 0 && errs[i].line <= lines);
	}
	return 0;
}
