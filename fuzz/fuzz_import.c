/* fuzz_import.c: libFuzzer harness for the shop import readers (fuzz).
 * The first byte picks the source (bit 0: Shopify or WooCommerce) and
 * the format (bits 1-2: by content, JSON, CSV); the rest is the file.
 * Every order read is walked to the end; each one mapped must be JSON
 * that the order request reader takes or refuses with a named field,
 * and each one refused must say where it is. A broken invariant calls
 * abort() so that libFuzzer keeps the input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/codec/codec.h"
#include "../src/codec/import.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct case_reader *rd;
static struct order_request *req;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum import_format fmts[] = { IMPORT_AUTO, IMPORT_JSON,
						   IMPORT_CSV, IMPORT_AUTO };
	struct import_reader *r = NULL;
	struct import_order o;
	struct ac_err err;
	char *buf;
	int rc, n = 0;

	if (size < 1)
		return 0;
	if (!rd) {
		rd = case_reader_new();
		req = malloc(sizeof *req);
	}
	/* the reader rewrites its buffer: a copy of the input */
	buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	ac_err_clear(&err);
	rc = import_reader_new(data[0] & 1 ? IMPORT_WOOCOMMERCE :
			       IMPORT_SHOPIFY, fmts[(data[0] >> 1) & 3],
			       "fuzz", buf, size - 1,
			       data[0] & 8 ? "P-" : NULL, &r, &err);
	if (rc) {
		CHECK(rc < 0 && r == NULL && err.msg[0]);
		free(buf);
		return 0;
	}
	import_order_init(&o);
	while ((rc = import_reader_next(r, &o, &err)) != 0) {
		CHECK(++n <= 1 << 20);
		CHECK(o.where[0]);
		if (rc < 0) {
			CHECK(err.msg[0]);
			continue;
		}
		CHECK(rc == 1 && o.id[0] && o.json.len > 0);
		CHECK(o.n_tracking >= 0 &&
		      o.n_tracking <= IMPORT_MAX_TRACKING);
		ac_err_clear(&err);
		rc = order_request_read(rd, o.json.p, o.json.len, req, &err);
		/* never "not JSON": whatever the shop wrote, escaped */
		CHECK(rc != AC_ESYNTAX);
		if (!rc) {
			CHECK(req->order.id.n == strlen(o.id) &&
			      !memcmp(req->order.id.p, o.id, req->order.id.n));
			CHECK(req->order.n_items >= 1);
		} else {
			CHECK(err.field[0] || err.msg[0]);
		}
	}
	import_order_release(&o);
	import_reader_free(r);
	free(buf);
	return 0;
}
