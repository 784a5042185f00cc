/* import_woo.c: WooCommerce's orders, from its REST order JSON
 * (GET /wp-json/wc/v3/orders), onto aftercare's (codec layer). Field by
 * field in docs/IMPORT.md. */
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"

/* refunds adds the order's refunds (refunds[].total, which WooCommerce
 * writes negative: "-10.00") to im->refunded_minor. */
static int refunds(const cJSON *o, struct imp *im, struct ac_err *err)
{
	const cJSON *r;
	int i = 0;

	cJSON_ArrayForEach(r, jarr(cJSON_GetObjectItemCaseSensitive(
			o, "refunds"))) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "total");
		const char *p;
		char path[40];
		int64_t v;

		snprintf(path, sizeof path, "refunds[%d].total", i++);
		if (!cJSON_IsString(t))
			return ac_err_set(err, AC_EINVAL, path, "not a "
					  "decimal string");
		p = t->valuestring;
		if (*p == '-')
			p++;
		if (import_money_parse(p, strlen(p), im->cur, &v, path,
				       err) ||
		    imp_refunded(im, v, path, err))
			return AC_EINVAL;
	}
	return 0;
}

/* addr reads a WooCommerce address (billing or shipping) into im. */
static int addr(const cJSON *a, const char *path, struct imp *im,
		struct ac_err *err)
{
	struct ac_str first, last;
	struct imp_addr *x = &im->addr;

	if (jstr(a, "first_name", path, &first, err) ||
	    jstr(a, "last_name", path, &last, err) ||
	    jstr(a, "address_1", path, &x->line1, err) ||
	    jstr(a, "address_2", path, &x->line2, err) ||
	    jstr(a, "city", path, &x->city, err) ||
	    jstr(a, "state", path, &x->region, err) ||
	    jstr(a, "postcode", path, &x->zip, err) ||
	    jstr(a, "country", path, &x->country, err))
		return AC_EINVAL;
	x->name = imp_join(im, first, " ", last);
	im->has_addr = imp_trim(x->line1).n > 0;
	return 0;
}

/* meta_str: a meta entry's value as text (display_value when there is
 * one, as WooCommerce shows it), or an empty slice. */
static struct ac_str meta_str(const cJSON *m, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);

	if (cJSON_IsString(v))
		return (struct ac_str){ v->valuestring,
					strlen(v->valuestring) };
	return (struct ac_str){ "", 0 };
}

static int line_item(const cJSON *li, const char *path, struct imp *im,
		     struct ac_err *err)
{
	struct imp_item it = { 0 };
	struct ac_str title;
	const cJSON *meta, *m;
	int64_t qty, total;

	if (!cJSON_IsObject(li))
		return ac_err_set(err, AC_EINVAL, path, "not an object");
	if (jstr(li, "name", path, &title, err) ||
	    jstr(li, "sku", path, &it.sku, err) ||
	    jint(li, "quantity", path, 1, AC_MAX_ITEMS, &qty, err) ||
	    jmoney(li, "total", path, im->cur, NULL, &total, err))
		return AC_EINVAL;
	meta = cJSON_GetObjectItemCaseSensitive(li, "meta_data");
	cJSON_ArrayForEach(m, jarr(meta)) {
		struct ac_str v = meta_str(m, "display_value");

		if (!v.n)
			v = meta_str(m, "value");
		imp_item_prop(&it, meta_str(m, "key"), v);
	}
	return imp_add_item(im, &it, title, (struct ac_str){ "", 0 }, qty,
			    total, true, path, err);
}

/* tracking: the Shipment Tracking extension's order meta
 * "_wc_shipment_tracking_items": [{tracking_provider, tracking_number,
 * date_shipped (Unix seconds)}]. */
static int tracking(const cJSON *o, struct imp *im, struct import_order *out,
		    struct ac_err *err)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(o, "meta_data");
	const cJSON *m;

	cJSON_ArrayForEach(m, jarr(meta)) {
		const cJSON *items, *t;
		int i = 0;

		if (!imp_is(meta_str(m, "key"), "_wc_shipment_tracking_items"))
			continue;
		items = cJSON_GetObjectItemCaseSensitive(m, "value");
		cJSON_ArrayForEach(t, jarr(items)) {
			char path[64], secs[24];
			struct ac_str carrier;
			int64_t s, at;
			char *end;

			carrier = meta_str(t, "tracking_provider");
			snprintf(path, sizeof path, "meta_data._wc_shipment_"
				 "tracking_items[%d].date_shipped", i++);
			if (!carrier.n)
				carrier = meta_str(t, "custom_tracking_"
						   "provider");
			if (jid(t, "date_shipped", secs, sizeof secs))
				return ac_err_set(err, AC_EINVAL, path,
						  "not Unix seconds");
			s = strtoll(secs, &end, 10);
			if (*end || s < 0 || s > INT64_C(253402300799))
				return ac_err_set(err, AC_EINVAL, path,
						  "not Unix seconds");
			at = s * AC_US_PER_S;
			if (!im->shipped || at < im->shipped_at)
				im->shipped_at = at;
			im->shipped = true;
			imp_add_tracking(out, at, carrier,
					 meta_str(t, "tracking_number"),
					 (struct ac_str){ "", 0 });
		}
	}
	return 0;
}

int woo_json_map(const cJSON *o, struct imp *im, struct import_order *out,
		 struct ac_err *err)
{
	const cJSON *billing = cJSON_GetObjectItemCaseSensitive(o, "billing");
	const cJSON *shipping = cJSON_GetObjectItemCaseSensitive(o,
								 "shipping");
	struct ac_str cur, created, status, paid_at, done_at;
	char t[32];

	if (!jid(o, "number", t, sizeof t) || !jid(o, "id", t, sizeof t))
		im->id = imp_join(im, (struct ac_str){ t, strlen(t) }, "",
				  (struct ac_str){ NULL, 0 });
	else
		return ac_err_set(err, AC_EINVAL, "number",
				  "missing (and no id)");
	if (!cJSON_IsObject(billing))
		billing = NULL;
	if (!cJSON_IsObject(shipping))
		shipping = NULL;
	if (jstr(billing, "email", "billing", &im->email, err) ||
	    jstr(o, "currency", "", &cur, err) ||
	    imp_currency(cur, &im->cur, "currency", err) ||
	    jstr(o, "date_created_gmt", "", &created, err) ||
	    imp_time(created, true, &im->placed_at, "date_created_gmt",
		     err) ||
	    jmoney(o, "total", "", im->cur, NULL, &im->total_minor, err) ||
	    jmoney(o, "shipping_total", "", im->cur, &(bool){ 0 },
		   &im->shipping_minor, err) ||
	    jstr(o, "status", "", &status, err) ||
	    jstr(o, "date_paid_gmt", "", &paid_at, err) ||
	    jstr(o, "date_completed_gmt", "", &done_at, err))
		return AC_EINVAL;
	im->paid = imp_trim(paid_at).n > 0 || imp_is(status, "processing") ||
		   imp_is(status, "completed") || imp_is(status, "refunded");
	if (refunds(o, im, err))
		return AC_EINVAL;
	if (imp_is(status, "refunded") && !im->refunded_minor)
		im->refunded_minor = im->total_minor;
	if (shipping && addr(shipping, "shipping", im, err))
		return AC_EINVAL;
	if (!im->has_addr && billing && addr(billing, "billing", im, err))
		return AC_EINVAL;
	if (imp_json_name(im, billing, "billing", err) ||
	    imp_json_items(im, o, line_item, err) ||
	    tracking(o, im, out, err))
		return AC_EINVAL;
	/* completed without a tracking date: shipped when completed */
	if (!im->shipped && imp_is(status, "completed") &&
	    imp_trim(done_at).n) {
		if (imp_time(done_at, true, &im->shipped_at,
			     "date_completed_gmt", err))
			return AC_EINVAL;
		im->shipped = true;
	}
	static const struct imp_names names = {
		"billing.email", "shipping", "shipping.country",
		"shipping.address_1", "line_items"
	};
	return imp_check(im, &names, err);
}
