/* tests/store/hooks.c: the webhook and payment tables (0009) through the
 * store (Criterion), on SQLite or, with AC_TEST_PG_DSN, PostgreSQL:
 * integrations are unique per kind and name and a list never carries a
 * secret; an event id is taken once per integration; a tracking code
 * names one order; a refund's payment moves from pending to an end and
 * a late answer never moves it back (only a forced retry does). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/store/store.h"
#include "pgtest.h"

#define T0 INT64_C(1777881600000000)

static char path[512];
static struct store *s;
static struct ac_err err;

static void setup(void)
{
	pgtest_db_new("hooks", path, sizeof path);
	cr_assert_eq(store_open(path, &s, &err), 0, "open: %s", err.msg);
}

static void teardown(void)
{
	store_close(s);
	pgtest_db_drop(path);
}

TestSuite(hooks, .init = setup, .fini = teardown);

#define OK(x) cr_assert_eq((x), 0, "%s: %s: %s", #x, err.field, err.msg)
#define S store_str

static bool is(struct ac_str a, const char *z)
{
	return a.n == strlen(z) && !memcmp(a.p, z, a.n);
}

/* an order shipped, a case on it and a refund of 1000: the entry's id */
static int64_t refund_setup(void)
{
	static const struct address a = {
		.name = AC_STR_LIT("Ana"), .line1 = AC_STR_LIT("1 St"),
		.city = AC_STR_LIT("X"), .postal_code = AC_STR_LIT("1"),
		.country = AC_STR_LIT("NZ"),
	};
	struct store_order o = { 0 };
	struct store_case c = { 0 };
	char id[STORE_ID_MAX];
	int64_t ledger_id = 0;

	o.order.id = S("O-1");
	o.order.placed_at = T0;
	o.order.currency = money_currency_find("USD", 3);
	o.order.address = a;
	o.order.n_items = 1;
	o.order.items[0] = (struct item){ .line = 1, .sku = AC_STR_LIT("R"),
		.kind = KIND_RING, .style = AC_STR_LIT("s"),
		.shape = AC_STR_LIT("s"), .material = AC_STR_LIT("m"),
		.color = AC_STR_LIT("c"), .price_minor = 5000 };
	o.customer_name = S("Ana");
	o.customer_email = S("a@example.com");
	o.created_at = T0;
	o.shipped = true;
	o.shipment.shipped_at = T0 + 1;
	o.shipment.address = a;
	OK(store_put_order(s, &o, &err));
	c.id = S("K-1");
	c.order_id = S("O-1");
	c.status = CASE_STATUS_OPEN;
	c.claim_type = CLAIM_NOT_RECEIVED;
	c.opened_at = T0 + 2;
	c.claim_json = S("{\"type\": \"not_received\"}");
	c.created_at = c.updated_at = T0 + 2;
	OK(store_put_case(s, &c, id, &err));
	struct store_ledger_entry e = {
		.case_id = S("K-1"), .order_id = S("O-1"),
		.kind = LEDGER_REFUND, .amount_minor = 1000,
		.currency = money_currency_find("USD", 3), .created_at = T0 + 3,
		.actor = S("token:t"), .idempotency_key = S("k"),
	};
	OK(store_add_ledger(s, &e, &ledger_id, &err));
	return ledger_id;
}

Test(hooks, integrations_are_unique_and_listed_without_secrets)
{
	struct store_hook h;
	struct store_hook_page *pg = calloc(1, sizeof *pg);

	OK(store_put_hook(s, S("aftership"), S("shop"),
			  S("secret-0123456789abcdef"), T0, &err));
	OK(store_put_hook(s, S("easypost"), S("shop"),
			  S("other-secret-0123456789"), T0, &err));
	cr_assert_eq(store_put_hook(s, S("aftership"), S("shop"),
				    S("secret-0123456789abcdef"), T0, &err),
		     AC_ECONFLICT);
	cr_assert_eq(store_put_hook(s, S("fedex"), S("shop"),
				    S("secret-0123456789abcdef"), T0, &err),
		     AC_EINVAL);
	cr_assert_eq(store_put_hook(s, S("easypost"), S("Shop"),
				    S("secret-0123456789abcdef"), T0, &err),
		     AC_EINVAL);
	cr_assert_eq(store_put_hook(s, S("stripe"), S("x"), S("short"), T0,
				    &err), AC_EINVAL);
	OK(store_get_hook(s, S("aftership"), S("shop"), &h, &err));
	cr_assert(is(h.secret, "secret-0123456789abcdef"));
	store_hook_release(&h);
	cr_assert_eq(store_get_hook(s, S("stripe"), S("shop"), &h, &err),
		     AC_ENOTFOUND);
	OK(store_list_hooks(s, pg, &err));
	cr_assert_eq(pg->n, 2);
	cr_assert(is(pg->rows[0].kind, "aftership"));
	cr_assert(is(pg->rows[1].kind, "easypost"));
	cr_assert_eq(pg->rows[0].secret.n, 0);
	cr_assert_eq(pg->rows[1].secret.n, 0);
	store_hook_page_release(pg);
	free(pg);
}

Test(hooks, an_event_id_is_taken_once_per_integration)
{
	struct store_hook_event e = {
		.kind = S("aftership"), .name = S("shop"),
		.event_id = S("ev-1"), .status = S("unmatched"),
		.carrier = S("ups"), .tracking_code = S("1Z"),
		.tracking_kind = S("delivered"), .order_id = S(""),
		.detail = S("Delivered_001"), .received_at = T0, .at = T0,
	};

	OK(store_put_hook(s, S("aftership"), S("shop"),
			  S("secret-0123456789abcdef"), T0, &err));
	OK(store_put_hook(s, S("aftership"), S("other"),
			  S("secret-0123456789abcdef"), T0, &err));
	OK(store_put_hook_event(s, &e, &err));
	cr_assert_eq(store_put_hook_event(s, &e, &err), AC_ECONFLICT);
	e.name = S("other");            /* another integration's own ids */
	OK(store_put_hook_event(s, &e, &err));
	e.status = S("done");
	e.event_id = S("ev-2");
	cr_assert_neq(store_put_hook_event(s, &e, &err), 0);
}

Test(hooks, a_tracking_code_names_one_order)
{
	char order[STORE_ID_MAX];

	refund_setup();
	OK(store_put_parcel(s, S("ups"), S("1Z9"), S("O-1"), T0, &err));
	cr_assert_eq(store_put_parcel(s, S("ups"), S("1Z9"), S("O-1"), T0,
				      &err), AC_ECONFLICT);
	OK(store_find_parcel(s, S("ups"), S("1Z9"), order, &err));
	cr_assert_str_eq(order, "O-1");
	cr_assert_eq(store_find_parcel(s, S("usps"), S("1Z9"), order, &err),
		     AC_ENOTFOUND);
	cr_assert_neq(store_put_parcel(s, S("UPS"), S("2"), S("O-1"), T0,
				       &err), 0);       /* not folded */
	cr_assert_neq(store_put_parcel(s, S("ups"), S("3"), S("O-9"), T0,
				       &err), 0);       /* no such order */
}

Test(hooks, a_payment_that_ended_never_moves_back)
{
	struct store_refund_pay r;
	char intent[256];
	int changed = -1;
	int64_t e = refund_setup();

	cr_assert_eq(store_get_payment_intent(s, S("O-1"), intent, &err),
		     AC_ENOTFOUND);
	OK(store_put_payment_intent(s, S("O-1"), S("pi_1"), T0, &err));
	OK(store_put_payment_intent(s, S("O-1"), S("pi_2"), T0, &err));
	OK(store_get_payment_intent(s, S("O-1"), intent, &err));
	cr_assert_str_eq(intent, "pi_2");

	OK(store_put_refund_pay(s, e, S("K-1"), 7, T0, &err));
	cr_assert_eq(store_put_refund_pay(s, e, S("K-1"), 7, T0, &err),
		     AC_ECONFLICT);
	OK(store_get_refund_pay(s, e, &r, &err));
	cr_assert(is(r.status, "pending"));
	cr_assert_eq(r.amount_minor, 1000);
	cr_assert(is(r.currency, "USD") && is(r.order_id, "O-1"));
	cr_assert_eq(r.outbox_id, 7);
	store_refund_pay_release(&r);

	OK(store_set_refund_pay(s, e, S("pending"), S("re_1"), S("try 1"), 0,
				T0 + 1, false, &changed, &err));
	cr_assert_eq(changed, 1);
	OK(store_set_refund_pay(s, e, S("succeeded"), S(""), S(""), 0,
				T0 + 2, false, &changed, &err));
	cr_assert_eq(changed, 1);
	/* a late failure, or a late pending: nothing moves */
	OK(store_set_refund_pay(s, e, S("failed"), S("re_9"), S("late"), 0,
				T0 + 3, false, &changed, &err));
	cr_assert_eq(changed, 0);
	OK(store_set_refund_pay(s, e, S("pending"), S(""), S(""), 0, T0 + 4,
				false, &changed, &err));
	cr_assert_eq(changed, 0);
	OK(store_get_refund_pay(s, e, &r, &err));
	cr_assert(is(r.status, "succeeded"), "%.*s", (int)r.status.n,
		  r.status.p);
	cr_assert(is(r.provider_id, "re_1"));
	store_refund_pay_release(&r);
	/* only a forced change (staff's retry) moves an ended one, and
	 * takes its new outbox row */
	OK(store_set_refund_pay(s, e, S("pending"), S(""), S(""), 9, T0 + 5,
				true, &changed, &err));
	cr_assert_eq(changed, 1);
	OK(store_get_refund_pay(s, e, &r, &err));
	cr_assert(is(r.status, "pending"));
	cr_assert_eq(r.outbox_id, 9);
	store_refund_pay_release(&r);
	cr_assert_eq(store_set_refund_pay(s, e, S("paid"), S(""), S(""), 0,
					  T0, false, &changed, &err),
		     AC_EINVAL);
	struct store_refund_pay_page *pg = calloc(1, sizeof *pg);

	OK(store_list_refund_pays(s, S("K-1"), pg, &err));
	cr_assert_eq(pg->n, 1);
	cr_assert_eq(pg->rows[0].ledger_id, e);
	store_refund_pay_page_release(pg);
	free(pg);
}
