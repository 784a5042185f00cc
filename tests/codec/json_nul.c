/* tests/codec/json_nul.c: unit tests for NUL characters in JSON strings
 * (Criterion). The JSON library hands out C strings, so a "\u0000" would
 * cut a string short ("14k white gold\u0000 x" read as "14k white gold"):
 * every reader refuses it, naming the field, and a NUL in a key likewise;
 * what only looks like one ("\\u0000", "\u0001") still reads. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../src/codec/codec.h"

/* The case of CONTRACT.md's worked example, with one hole (%s) for a
 * claim member and one for an item member, so that each test can put a
 * string where it wants. */
static const char tmpl[] =
	"{\"order\": {\"id\": \"A-1001\", \"placed_at\": "
	"\"2026-05-04T08:00:00Z\", \"currency\": \"USD\", \"shipping_minor\": "
	"1500, \"address\": {\"name\": \"Ana Li\", \"line1\": \"5 Quay St\", "
	"\"city\": \"Auckland\", \"postal_code\": \"1010\", \"country\": "
	"\"NZ\"}, \"items\": [{\"line\": 1, \"sku\": \"R\", \"kind\": "
	"\"ring\", \"style\": \"halo\", \"shape\": \"oval\", %s, "
	"\"color\": \"white\", \"size\": \"7\", "
	"\"price_minor\": 52000}]}, \"shipment\": {\"shipped_at\": "
	"\"2026-05-07T03:00:00Z\", \"address\": {\"name\": \"Ana Li\", "
	"\"line1\": \"5 Quay St\", \"city\": \"Auckland\", \"postal_code\": "
	"\"1010\", \"country\": \"NZ\"}, \"delivered_at\": "
	"\"2026-05-12T16:20:00Z\"}, \"claim\": {\"type\": \"wrong_item\", "
	"\"opened_at\": \"2026-05-13T09:05:00Z\", \"lines\": [1], "
	"\"received\": [{\"line\": 1, %s}]}}";

static const char item_ok[] = "\"material\": \"14k white gold\"";
static const char recv_ok[] = "\"material\": \"sterling silver\"";

static struct ac_case c;
static char doc[4096];
static struct case_reader *reader;      /* c borrows from it */

static void free_reader(void)
{
	case_reader_free(reader);
	reader = NULL;
}

TestSuite(json_nul, .fini = free_reader);

/* read_case fills doc from the template and reads it into c; n is its
 * length (a raw 0 byte may be inside). */
static int read_case(const char *item, const char *recv, size_t *n,
		     struct ac_err *err)
{
	int w = snprintf(doc, sizeof doc, tmpl, item, recv);

	cr_assert(w > 0 && (size_t)w < sizeof doc);
	*n = (size_t)w;
	ac_err_clear(err);
	if (!reader)
		reader = case_reader_new();
	return case_reader_read(reader, doc, *n, &c, err);
}

static int read_len(const char *item, const char *recv, struct ac_err *err)
{
	size_t n;

	return read_case(item, recv, &n, err);
}

Test(json_nul, the_template_reads)
{
	struct ac_err err;

	cr_assert_eq(read_len(item_ok, recv_ok, &err), 0, "%s: %s",
		     err.field, err.msg);
	cr_assert_str_eq(c.claim.received[0].material.p, "sterling silver");
}

Test(json_nul, an_escaped_nul_is_refused_by_field)
{
	struct ac_err err;

	cr_assert_eq(read_len(item_ok, "\"material\": \"14k white gold"
			      "\\u0000 x\"", &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "claim.received[0].material");
	cr_assert_str_eq(err.msg, "contains a NUL character");
}

Test(json_nul, in_an_item_and_in_the_order_id)
{
	struct ac_err err;
	struct case_reader *rd = case_reader_new();
	const char *id = strstr(tmpl, "A-1001");
	char buf[4096];
	int w;

	cr_assert_eq(read_len("\"material\": \"\\u0000\"", recv_ok, &err),
		     AC_EINVAL);
	cr_assert_str_eq(err.field, "order.items[0].material");
	/* order "N-1\u0000hidden" must not become order N-1 */
	w = snprintf(buf, sizeof buf, "%.*sN-1\\u0000hidden%s",
		     (int)(id - tmpl), tmpl, id + strlen("A-1001"));
	cr_assert(w > 0 && (size_t)w < sizeof buf);
	snprintf(doc, sizeof doc, buf, item_ok, recv_ok);
	cr_assert_eq(case_reader_read(rd, doc, strlen(doc), &c, &err),
		     AC_EINVAL);
	cr_assert_str_eq(err.field, "order.id");
	case_reader_free(rd);
}

Test(json_nul, a_raw_zero_byte_in_a_string_is_refused)
{
	struct ac_err err;
	struct case_reader *rd = case_reader_new();
	size_t n;
	char *z;

	/* the template's "sterling silver" with its space made a 0 byte */
	cr_assert_eq(read_case(item_ok, recv_ok, &n, &err), 0);
	z = strstr(doc, "sterling silver") + strlen("sterling");
	*z = '\0';
	cr_assert_eq(case_reader_read(rd, doc, n, &c, &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "claim.received[0].material");
	case_reader_free(rd);
}

Test(json_nul, in_a_key_is_refused)
{
	struct ac_err err;

	cr_assert_eq(read_len(item_ok, "\"material\\u0000x\": \"gold\"",
			      &err), AC_EINVAL);
	cr_assert_str_eq(err.field, "claim.received[0].material");
	cr_assert_str_eq(err.msg, "the key contains a NUL character");
}

Test(json_nul, in_an_unknown_member_too)
{
	struct ac_err err;

	cr_assert_eq(read_len(item_ok, "\"material\": \"gold\", \"x\": "
			      "[\"a\", {\"b\": \"\\u0000\"}]", &err),
		     AC_EINVAL);
	cr_assert_str_eq(err.field, "claim.received[0].x[1].b");
}

Test(json_nul, what_only_looks_like_one_reads)
{
	struct ac_err err;
	size_t n;

	/* a backslash, then the text u0000 */
	cr_assert_eq(read_len(item_ok, "\"material\": \"a\\\\u0000\"", &err),
		     0, "%s: %s", err.field, err.msg);
	cr_assert_str_eq(c.claim.received[0].material.p, "a\\u0000");
	cr_assert_eq(read_len(item_ok, "\"material\": \"\\u0001\\u00001\"",
			      &err), AC_EINVAL);
	cr_assert_eq(read_len(item_ok, "\"material\": \"\\u0001\"", &err), 0);
	/* a 0 byte after the document is no part of it */
	cr_assert_eq(read_case(item_ok, recv_ok, &n, &err), 0);
	{
		struct case_reader *rd = case_reader_new();

		cr_assert_eq(case_reader_read(rd, doc, n + 1, &c, &err), 0,
			     "%s: %s", err.field, err.msg);
		case_reader_free(rd);
	}
}

Test(json_nul, not_json_stays_a_syntax_error)
{
	struct ac_err err;
	struct case_reader *rd = case_reader_new();
	static const char bad[] = "{\"a\": \"\\u0000\"";

	cr_assert_eq(case_reader_read(rd, bad, strlen(bad), &c, &err),
		     AC_ESYNTAX);
	case_reader_free(rd);
}

Test(json_nul, a_note_body_is_refused)
{
	struct ac_err err;
	struct case_reader *rd = case_reader_new();
	static const char note[] = "{\"body\": \"call back\\u0000 never\"}";
	struct ac_str body;
	const struct body_field f[] = {
		{ "body", BODY_STR, true, &body, NULL, NULL },
	};

	ac_err_clear(&err);
	cr_assert_eq(body_read(rd, note, strlen(note), f, 1, &err),
		     AC_EINVAL);
	cr_assert_str_eq(err.field, "body");
	case_reader_free(rd);
}
