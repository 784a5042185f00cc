/* tests/codec/import_map.c: unit tests for the line item rules of the
 * shop import (src/codec/import.c through import_int.h, Criterion): a
 * line's total split into exact piece prices (money), one item per
 * piece, kinds from titles and properties, sizes from properties and
 * variants, and the limits; what is left to refund of an order the shop
 * has refunded in part (money). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/codec/import_int.h"

#define S(lit) ((struct ac_str){ (lit), sizeof(lit) - 1 })

static struct imp *new_imp(void)
{
	struct imp *im = calloc(1, sizeof *im);

	imp_reset(im);
	return im;
}

static int add(struct imp *im, const char *kind, const char *size,
	       const char *title, const char *variant, int64_t qty,
	       int64_t price, bool is_total, struct ac_err *err)
{
	struct imp_item it = { 0 };

	it.sku = S("SKU-1");
	if (kind)
		it.kind = (struct ac_str){ kind, strlen(kind) };
	if (size)
		it.size = (struct ac_str){ size, strlen(size) };
	ac_err_clear(err);
	return imp_add_item(im, &it, (struct ac_str){ title, strlen(title) },
			    (struct ac_str){ variant, strlen(variant) }, qty,
			    price, is_total, "line_items[0]", err);
}

static bool str_is(struct ac_str s, const char *want)
{
	return s.n == strlen(want) && !memcmp(s.p, want, s.n);
}

Test(import_map, a_total_split_exactly_into_piece_prices)
{
	static const struct {
		int64_t total, qty;
	} cases[] = {
		{ 10000, 3 }, { 1, 3 }, { 0, 2 }, { 10001, 7 }, { 64, 64 },
		{ INT64_C(9007199254740991), 64 }, { 5, 1 },
	};
	struct ac_err err;

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct imp *im = new_imp();
		int64_t sum = 0, lo = INT64_MAX, hi = 0;

		cr_assert_eq(add(im, "pendant", NULL, "x", "", cases[c].qty,
				 cases[c].total, true, &err), 0, "%s",
			     err.msg);
		cr_assert_eq(im->n_items, cases[c].qty);
		for (int i = 0; i < im->n_items; i++) {
			int64_t p = im->items[i].price_minor;

			sum += p;
			lo = p < lo ? p : lo;
			hi = p > hi ? p : hi;
			/* the larger prices come first */
			if (i)
				cr_assert_leq(p, im->items[i - 1].price_minor);
		}
		cr_assert_eq(sum, cases[c].total, "%lld split into %lld",
			     (long long)cases[c].total,
			     (long long)cases[c].qty);
		cr_assert_leq(hi - lo, 1, "prices differ by at most 1");
		free(im);
	}
}

Test(import_map, woo_three_for_a_hundred)
{
	struct imp *im = new_imp();
	struct ac_err err;

	cr_assert_eq(add(im, NULL, "17.5", "Woo Bangle", "", 3, 10000, true,
			 &err), 0, "%s", err.msg);
	cr_assert_eq(im->items[0].price_minor, 3334);
	cr_assert_eq(im->items[1].price_minor, 3333);
	cr_assert_eq(im->items[2].price_minor, 3333);
	free(im);
}

Test(import_map, a_unit_price_for_every_piece)
{
	struct imp *im = new_imp();
	struct ac_err err;

	cr_assert_eq(add(im, NULL, NULL, "Rope Chain Necklace", "45 / Silver",
			 2, 12000, false, &err), 0, "%s", err.msg);
	cr_assert_eq(im->n_items, 2);
	cr_assert_eq(im->items[0].price_minor, 12000);
	cr_assert_eq(im->items[1].price_minor, 12000);
	cr_assert(str_is(im->items[1].size, "45"));
	free(im);
}

Test(import_map, at_most_64_pieces_an_order)
{
	struct imp *im = new_imp();
	struct ac_err err;

	cr_assert_eq(add(im, "pendant", NULL, "x", "", 60, 100, false, &err),
		     0);
	cr_assert_eq(add(im, "pendant", NULL, "x", "", 5, 100, false, &err),
		     AC_ELIMIT);
	cr_assert_str_eq(err.field, "line_items[0]");
	cr_assert_eq(im->n_items, 60, "nothing added by the refused line");
	cr_assert_eq(add(im, "pendant", NULL, "x", "", 4, 100, false, &err),
		     0);
	free(im);
}

Test(import_map, kinds_from_titles_and_properties)
{
	static const struct {
		const char *kind, *title, *want;
	} cases[] = {
		{ NULL, "Pearl Stud Earrings", "earrings" },
		{ NULL, "Single Earring", "earrings" },
		{ NULL, "Gold Studs", "earrings" },
		{ NULL, "Solitaire Pendant", "pendant" },
		{ NULL, "Charm", "other" },
		{ NULL, "Ringo Star Charm", "other" }, /* words, not parts */
		{ "Pendant", "Halo Ring", "pendant" },   /* the property wins */
		{ "EARRINGS", "x", "earrings" },
		{ NULL, "", "other" },
	};
	struct ac_err err;

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct imp *im = new_imp();

		cr_assert_eq(add(im, cases[c].kind, NULL, cases[c].title, "", 1,
				 100, false, &err), 0, "%s: %s",
			     cases[c].title, err.msg);
		cr_assert(str_is(im->items[0].kind, cases[c].want),
			  "%s: %.*s, not %s", cases[c].title,
			  (int)im->items[0].kind.n, im->items[0].kind.p,
			  cases[c].want);
		free(im);
	}
}

Test(import_map, an_unknown_kind_is_refused)
{
	struct imp *im = new_imp();
	struct ac_err err;

	cr_assert_eq(add(im, "brooch", NULL, "x", "", 1, 100, false, &err),
		     AC_EINVAL);
	cr_assert(strstr(err.msg, "brooch"), "%s", err.msg);
	free(im);
}

Test(import_map, sizes_as_shops_write_them)
{
	static const struct {
		const char *size, *variant, *want;
	} cases[] = {
		{ "7", "", "7" },
		{ "Size 7.25", "", "7.25" },
		{ "Ring size: 6", "", "6" },
		{ NULL, "7 / 14k White Gold", "7" },
		{ NULL, "14k White Gold / US 6.5", "6.5" },
		{ NULL, "Size 8", "8" },
	};
	struct ac_err err;

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct imp *im = new_imp();

		cr_assert_eq(add(im, NULL, cases[c].size, "Halo Ring",
				 cases[c].variant, 1, 100, false, &err), 0,
			     "%s %s: %s", cases[c].size, cases[c].variant,
			     err.msg);
		cr_assert(str_is(im->items[0].size, cases[c].want),
			  "%.*s, not %s", (int)im->items[0].size.n,
			  im->items[0].size.p, cases[c].want);
		free(im);
	}
}

Test(import_map, a_ring_without_a_size)
{
	static const char *const variants[] = { "", "14k White Gold",
						"Large", "7 US" };
	struct ac_err err;

	for (size_t c = 0; c < sizeof variants / sizeof variants[0]; c++) {
		struct imp *im = new_imp();

		cr_assert_eq(add(im, NULL, NULL, "Halo Ring", variants[c], 1,
				 100, false, &err), AC_EINVAL, "%s",
			     variants[c]);
		cr_assert(strstr(err.msg, "a ring needs a size"), "%s",
			  err.msg);
		free(im);
	}
	struct imp *im = new_imp();

	cr_assert_eq(add(im, NULL, "Large", "Halo Ring", "", 1, 100, false,
			 &err), AC_EINVAL);
	cr_assert(strstr(err.msg, "not a decimal size"), "%s", err.msg);
	free(im);
}

Test(import_map, a_line_without_a_sku_takes_its_title)
{
	struct imp *im = new_imp();
	struct imp_item it = { 0 };
	struct ac_err err;

	cr_assert_eq(imp_add_item(im, &it, S(" Charm Pendant "), S(""), 1,
				  100, false, "line_items[0]", &err), 0);
	cr_assert(str_is(im->items[0].sku, "Charm Pendant"));
	free(im);
}

/* ---- refunds the shop made ---------------------------------------------- */

Test(import_map, paid_is_the_total_less_the_shops_refunds)
{
	static const struct {
		bool paid;
		int64_t total, refunded, want;
	} cases[] = {
		{ true, 53500, 0, 53500 },
		{ true, 53500, 13500, 40000 },
		{ true, 53500, 53499, 1 },
		{ true, 53500, 53500, 0 },
		{ true, 53500, 60000, 0 },      /* never below 0 */
		{ false, 53500, 0, 0 },         /* not taken: nothing */
		{ false, 53500, 100, 0 },
		{ true, 0, 0, 0 },
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct imp *im = new_imp();

		im->paid = cases[c].paid;
		im->total_minor = cases[c].total;
		im->refunded_minor = cases[c].refunded;
		cr_assert_eq(imp_paid_minor(im), cases[c].want, "case %zu", c);
		free(im);
	}
}

Test(import_map, refunds_add_up_to_the_money_limit)
{
	struct imp *im = new_imp();
	struct ac_err err;

	ac_err_clear(&err);
	cr_assert_eq(imp_refunded(im, 10000, "refunds[0]", &err), 0);
	cr_assert_eq(imp_refunded(im, 3500, "refunds[1]", &err), 0);
	cr_assert_eq(im->refunded_minor, 13500);
	cr_assert_eq(imp_refunded(im, INT64_C(9007199254740991) - 13500,
				  "refunds[2]", &err), 0);
	cr_assert_neq(imp_refunded(im, 1, "refunds[3]", &err), 0);
	cr_assert_str_eq(err.field, "refunds[3]");
	free(im);
}

/* Shopify: only refund transactions that succeeded count; an order
 * refunded without amounts is refunded in full. */
static int64_t shopify_paid(const char *json, struct ac_err *err)
{
	cJSON *o = cJSON_Parse(json);
	struct imp *im = new_imp();
	struct import_order out;
	int64_t paid = -1;

	cr_assert(o, "test JSON: %s", json);
	memset(&out, 0, sizeof out);
	ac_err_clear(err);
	if (shopify_json_map(o, im, &out, err) == 0)
		paid = imp_paid_minor(im);
	cJSON_Delete(o);
	free(im);
	return paid;
}

#define SHOPIFY_ORDER(fin, refunds) \
	"{\"name\":\"#9\",\"email\":\"a@example.com\"," \
	"\"currency\":\"USD\",\"created_at\":\"2026-05-04T08:00:00Z\"," \
	"\"total_price\":\"535.00\",\"financial_status\":\"" fin "\"," \
	"\"shipping_address\":{\"name\":\"A B\",\"address1\":\"1 St\"," \
	"\"city\":\"X\",\"zip\":\"1\",\"country_code\":\"NZ\"}," \
	"\"line_items\":[{\"title\":\"Pendant\",\"sku\":\"P\"," \
	"\"quantity\":1,\"price\":\"520.00\"}]" refunds "}"

Test(import_map, shopify_refund_transactions)
{
	struct ac_err err;

	cr_assert_eq(shopify_paid(SHOPIFY_ORDER("paid", ""), &err), 53500,
		     "%s", err.msg);
	cr_assert_eq(shopify_paid(SHOPIFY_ORDER("partially_refunded",
		",\"refunds\":[{\"transactions\":[{\"kind\":\"refund\","
		"\"status\":\"success\",\"amount\":\"100.00\"},"
		"{\"kind\":\"refund\",\"status\":\"failure\","
		"\"amount\":\"50.00\"},{\"kind\":\"sale\","
		"\"status\":\"success\",\"amount\":\"9.00\"}]}]"), &err),
		     43500, "%s", err.msg);
	cr_assert_eq(shopify_paid(SHOPIFY_ORDER("refunded", ""), &err), 0,
		     "%s", err.msg);
	cr_assert_eq(shopify_paid(SHOPIFY_ORDER("pending", ""), &err), 0,
		     "%s", err.msg);
	cr_assert_eq(shopify_paid(SHOPIFY_ORDER("partially_refunded",
		",\"refunds\":[{\"transactions\":[{\"kind\":\"refund\","
		"\"status\":\"success\",\"amount\":\"1.001\"}]}]"), &err),
		     -1);
	cr_assert_str_eq(err.field, "refunds[0].transactions[0].amount");
}
