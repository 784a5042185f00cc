/* import_shopify.c: Shopify's orders, from its Admin REST order JSON and
 * from its orders CSV export, onto aftercare's (codec layer). Field by
 * field in docs/IMPORT.md. */
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"

/* Payment not (yet) taken: nothing to refund, paid_minor 0. */
/* json_refunds adds the order's refunds (refunds[].transactions[] of
 * kind refund that succeeded) to im->refunded_minor. */
static int json_refunds(const cJSON *o, struct imp *im, struct ac_err *err)
{
	const cJSON *r, *t;
	int i = 0;

	cJSON_ArrayForEach(r, jarr(cJSON_GetObjectItemCaseSensitive(
			o, "refunds"))) {
		int j = 0;

		cJSON_ArrayForEach(t, jarr(cJSON_GetObjectItemCaseSensitive(
				r, "transactions"))) {
			struct ac_str kind, status;
			char path[64];
			int64_t v;

			snprintf(path, sizeof path,
				 "refunds[%d].transactions[%d]", i, j++);
			if (jstr(t, "kind", path, &kind, err) ||
			    jstr(t, "status", path, &status, err))
				return AC_EINVAL;
			if (!imp_is(kind, "refund") ||
			    (imp_trim(status).n && !imp_is(status, "success")))
				continue;
			if (jmoney(t, "amount", path, im->cur, NULL, &v, err) ||
			    imp_refunded(im, v, path, err))
				return AC_EINVAL;
		}
		i++;
	}
	return 0;
}

static bool unpaid_status(struct ac_str s)
{
	static const char *const unpaid[] = { "pending", "authorized",
					      "voided", "expired", NULL };

	s = imp_trim(s);
	for (int i = 0; unpaid[i]; i++)
		if (s.n == strlen(unpaid[i]) &&
		    !strncmp(s.p, unpaid[i], s.n))
			return true;
	return false;
}

static bool str_is(struct ac_str s, const char *lit)
{
	s = imp_trim(s);
	return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

/* ---- JSON ------------------------------------------------------------ */

static int map_address(const cJSON *a, const char *path, struct imp *im,
		       struct ac_err *err)
{
	struct ac_str first, last, name, prov, prov_code, country, code;
	struct imp_addr *x = &im->addr;

	if (jstr(a, "name", path, &name, err) ||
	    jstr(a, "first_name", path, &first, err) ||
	    jstr(a, "last_name", path, &last, err) ||
	    jstr(a, "address1", path, &x->line1, err) ||
	    jstr(a, "address2", path, &x->line2, err) ||
	    jstr(a, "city", path, &x->city, err) ||
	    jstr(a, "zip", path, &x->zip, err) ||
	    jstr(a, "province", path, &prov, err) ||
	    jstr(a, "province_code", path, &prov_code, err) ||
	    jstr(a, "country", path, &country, err) ||
	    jstr(a, "country_code", path, &code, err))
		return AC_EINVAL;
	x->name = imp_trim(name).n ? name : imp_join(im, first, " ", last);
	x->region = imp_trim(prov_code).n ? prov_code : prov;
	x->country = imp_trim(code).n ? code : country;
	im->has_addr = true;
	return 0;
}

static int map_line_item(const cJSON *li, const char *path, struct imp *im,
			 struct ac_err *err)
{
	struct imp_item it = { 0 };
	struct ac_str title, variant;
	const cJSON *props, *p;
	int64_t qty, price;

	if (!cJSON_IsObject(li))
		return ac_err_set(err, AC_EINVAL, path, "not an object");
	if (jstr(li, "sku", path, &it.sku, err) ||
	    jstr(li, "title", path, &title, err) ||
	    jstr(li, "variant_title", path, &variant, err) ||
	    jint(li, "quantity", path, 1, AC_MAX_ITEMS, &qty, err) ||
	    jmoney(li, "price", path, im->cur, NULL, &price, err))
		return AC_EINVAL;
	if (!title.n && jstr(li, "name", path, &title, err))
		return AC_EINVAL;
	props = cJSON_GetObjectItemCaseSensitive(li, "properties");
	cJSON_ArrayForEach(p, jarr(props)) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(p, "name");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "value");

		if (cJSON_IsString(n) && cJSON_IsString(v))
			imp_item_prop(&it, (struct ac_str){ n->valuestring,
				      strlen(n->valuestring) },
				      (struct ac_str){ v->valuestring,
				      strlen(v->valuestring) });
	}
	return imp_add_item(im, &it, title, variant, qty, price, false, path,
			    err);
}

static int map_fulfillments(const cJSON *o, struct imp *im,
			    struct import_order *out, struct ac_err *err)
{
	const cJSON *fs = cJSON_GetObjectItemCaseSensitive(o, "fulfillments");
	const cJSON *f;
	int i = 0;

	cJSON_ArrayForEach(f, jarr(fs)) {
		struct ac_str status, sstatus, at, upd, company, number;
		int64_t shipped_at, updated_at;
		char path[48];

		snprintf(path, sizeof path, "fulfillments[%d]", i++);
		if (jstr(f, "status", path, &status, err) ||
		    jstr(f, "shipment_status", path, &sstatus, err) ||
		    jstr(f, "created_at", path, &at, err) ||
		    jstr(f, "updated_at", path, &upd, err) ||
		    jstr(f, "tracking_company", path, &company, err) ||
		    jstr(f, "tracking_number", path, &number, err))
			return AC_EINVAL;
		if (str_is(status, "cancelled") || str_is(status, "error") ||
		    str_is(status, "failure"))
			continue;
		char fld[64];

		snprintf(fld, sizeof fld, "%s.created_at", path);
		if (imp_time(at, false, &shipped_at, fld, err))
			return AC_EINVAL;
		updated_at = shipped_at;
		snprintf(fld, sizeof fld, "%s.updated_at", path);
		if (upd.n && imp_time(upd, false, &updated_at, fld, err))
			return AC_EINVAL;
		if (!im->shipped || shipped_at < im->shipped_at)
			im->shipped_at = shipped_at;
		im->shipped = true;
		if (str_is(sstatus, "delivered")) {
			if (!im->delivered || updated_at > im->delivered_at)
				im->delivered_at = updated_at;
			im->delivered = true;
		}
		if (!number.n) {   /* tracking_numbers: [...] */
			const cJSON *ns = cJSON_GetObjectItemCaseSensitive(
				f, "tracking_numbers");
			const cJSON *n0 = cJSON_IsArray(ns) ? ns->child : NULL;

			if (cJSON_IsString(n0)) {
				number.p = n0->valuestring;
				number.n = strlen(n0->valuestring);
			}
		}
		imp_add_tracking(out, shipped_at, company, number, sstatus);
	}
	if (im->delivered && im->delivered_at < im->shipped_at)
		im->delivered_at = im->shipped_at;
	return 0;
}

int shopify_json_map(const cJSON *o, struct imp *im, struct import_order *out,
		     struct ac_err *err)
{
	const cJSON *cust = cJSON_GetObjectItemCaseSensitive(o, "customer");
	const cJSON *ship, *set;
	struct ac_str cur, created, fin;

	if (!cJSON_IsObject(cust))
		cust = NULL;
	if (jstr(o, "name", "", &im->id, err))
		return AC_EINVAL;
	if (!imp_trim(im->id).n) {
		char t[32];

		if (jid(o, "order_number", t, sizeof t) &&
		    jid(o, "id", t, sizeof t))
			return ac_err_set(err, AC_EINVAL, "name", "missing "
					  "(and no order_number or id)");
		im->id = imp_join(im, (struct ac_str){ t, strlen(t) }, "",
				  (struct ac_str){ NULL, 0 });
	}
	if (jstr(o, "email", "", &im->email, err))
		return AC_EINVAL;
	if (!imp_trim(im->email).n &&
	    jstr(o, "contact_email", "", &im->email, err))
		return AC_EINVAL;
	if (!imp_trim(im->email).n &&
	    jstr(cust, "email", "customer", &im->email, err))
		return AC_EINVAL;
	if (jstr(o, "currency", "", &cur, err) ||
	    imp_currency(cur, &im->cur, "currency", err) ||
	    jstr(o, "created_at", "", &created, err) ||
	    imp_time(created, false, &im->placed_at, "created_at", err) ||
	    jmoney(o, "total_price", "", im->cur, NULL, &im->total_minor,
		   err) ||
	    jstr(o, "financial_status", "", &fin, err))
		return AC_EINVAL;
	im->paid = !unpaid_status(fin);
	if (json_refunds(o, im, err))
		return AC_EINVAL;
	if (imp_is(fin, "refunded") && !im->refunded_minor)
		im->refunded_minor = im->total_minor;
	/* shipping: the total the customer paid for it, else the lines' */
	set = cJSON_GetObjectItemCaseSensitive(o, "total_shipping_price_set");
	set = set ? cJSON_GetObjectItemCaseSensitive(set, "shop_money") : NULL;
	if (set) {
		if (jmoney(set, "amount", "total_shipping_price_set.shop_money",
			   im->cur, NULL, &im->shipping_minor, err))
			return AC_EINVAL;
	} else {
		const cJSON *sl = cJSON_GetObjectItemCaseSensitive(
			o, "shipping_lines"), *l;
		int k = 0;

		cJSON_ArrayForEach(l, jarr(sl)) {
			char path[40];
			int64_t v;

			snprintf(path, sizeof path, "shipping_lines[%d]", k++);
			if (jmoney(l, "price", path, im->cur, NULL, &v, err))
				return AC_EINVAL;
			if (!money_add(&im->shipping_minor, v) ||
			    im->shipping_minor > AC_MONEY_MAX)
				return ac_err_set(err, AC_EINVAL, path,
						  "shipping above "
						  "9007199254740991");
		}
	}
	ship = cJSON_GetObjectItemCaseSensitive(o, "shipping_address");
	if (cJSON_IsObject(ship)) {
		if (map_address(ship, "shipping_address", im, err))
			return AC_EINVAL;
	} else {
		ship = cJSON_GetObjectItemCaseSensitive(o, "billing_address");
		if (cJSON_IsObject(ship) &&
		    map_address(ship, "billing_address", im, err))
			return AC_EINVAL;
	}
	if (imp_json_name(im, cust, "customer", err) ||
	    imp_json_items(im, o, map_line_item, err) ||
	    map_fulfillments(o, im, out, err))
		return AC_EINVAL;
	static const struct imp_names names = {
		"email", "shipping_address", "shipping_address.country_code",
		"shipping_address.address1", "line_items"
	};
	return imp_check(im, &names, err);
}

/* ---- CSV ------------------------------------------------------------- */

enum col {
	C_NAME, C_EMAIL, C_FIN, C_FUL_STATUS, C_FUL_AT, C_CURRENCY,
	C_SHIPPING, C_TOTAL, C_CREATED, C_QTY, C_LI_NAME, C_LI_PRICE,
	C_LI_SKU, C_S_NAME, C_S_ADDR1, C_S_ADDR2, C_S_CITY, C_S_ZIP,
	C_S_PROVINCE, C_S_COUNTRY, C_B_NAME, C_B_ADDR1, C_B_ADDR2, C_B_CITY,
	C_B_ZIP, C_B_PROVINCE, C_B_COUNTRY, C_ID, C_REFUNDED, C_COUNT
};

static const struct {
	const char *name;
	bool required;
} cols[C_COUNT] = {
	[C_NAME] = { "Name", true },
	[C_EMAIL] = { "Email", true },
	[C_FIN] = { "Financial Status", false },
	[C_FUL_STATUS] = { "Fulfillment Status", false },
	[C_FUL_AT] = { "Fulfilled at", false },
	[C_CURRENCY] = { "Currency", true },
	[C_SHIPPING] = { "Shipping", false },
	[C_TOTAL] = { "Total", true },
	[C_CREATED] = { "Created at", true },
	[C_QTY] = { "Lineitem quantity", true },
	[C_LI_NAME] = { "Lineitem name", true },
	[C_LI_PRICE] = { "Lineitem price", true },
	[C_LI_SKU] = { "Lineitem sku", true },
	[C_S_NAME] = { "Shipping Name", false },
	[C_S_ADDR1] = { "Shipping Address1", false },
	[C_S_ADDR2] = { "Shipping Address2", false },
	[C_S_CITY] = { "Shipping City", false },
	[C_S_ZIP] = { "Shipping Zip", false },
	[C_S_PROVINCE] = { "Shipping Province", false },
	[C_S_COUNTRY] = { "Shipping Country", false },
	[C_B_NAME] = { "Billing Name", false },
	[C_B_ADDR1] = { "Billing Address1", false },
	[C_B_ADDR2] = { "Billing Address2", false },
	[C_B_CITY] = { "Billing City", false },
	[C_B_ZIP] = { "Billing Zip", false },
	[C_B_PROVINCE] = { "Billing Province", false },
	[C_B_COUNTRY] = { "Billing Country", false },
	[C_ID] = { "Id", false },
	[C_REFUNDED] = { "Refunded Amount", false },
};

struct shopify_csv {
	struct csv_reader *csv;
	int col[C_COUNT];               /* the column's index, -1: none */
	int rc;                         /* the pending record's csv_next */
	struct ac_err pending_err;
	struct csv_record rec;          /* the record read ahead */
	int n_head;                     /* the header's names */
	struct ac_str head[CSV_MAX_FIELDS];
};

static struct ac_str field(const struct shopify_csv *sc,
			   const struct csv_record *r, enum col c)
{
	int i = sc->col[c];

	if (i < 0 || i >= r->n)
		return (struct ac_str){ "", 0 };
	return imp_trim(r->fields[i]);
}

/* read_ahead reads the next record that is not an empty line. */
static void read_ahead(struct shopify_csv *sc)
{
	do {
		ac_err_clear(&sc->pending_err);
		sc->rc = csv_next(sc->csv, &sc->rec, &sc->pending_err);
	} while (sc->rc == 1 && sc->rec.n == 1 && sc->rec.fields[0].n == 0);
}

int shopify_csv_new(struct csv_reader *csv, struct shopify_csv **out,
		    struct ac_err *err)
{
	struct shopify_csv *sc = xcalloc(1, sizeof *sc);
	int rc;

	*out = NULL;
	sc->csv = csv;
	rc = csv_next(csv, &sc->rec, err);
	if (rc != 1) {
		free(sc);
		if (rc == 0)
			return ac_err_set(err, AC_EINVAL, "", "empty: no "
					  "header line");
		return rc;
	}
	sc->n_head = sc->rec.n;
	memcpy(sc->head, sc->rec.fields,
	       sizeof sc->head[0] * (size_t)sc->n_head);
	for (int c = 0; c < C_COUNT; c++) {
		sc->col[c] = -1;
		for (int i = 0; i < sc->rec.n; i++) {
			struct ac_str h = imp_trim(sc->rec.fields[i]);

			if (h.n == strlen(cols[c].name) &&
			    !memcmp(h.p, cols[c].name, h.n)) {
				sc->col[c] = i;
				break;
			}
		}
		if (sc->col[c] < 0 && cols[c].required) {
			free(sc);
			ac_err_set(err, AC_EINVAL, cols[c].name,
				   "no such column in the header: not "
				   "Shopify's orders export");
			err->line = 1;
			return AC_EINVAL;
		}
	}
	read_ahead(sc);
	*out = sc;
	return 0;
}

/* check_row: every field of the row is UTF-8 text (the JSON an order
 * becomes must be). */
static int check_row(const struct shopify_csv *sc,
		     const struct csv_record *r, struct ac_err *err)
{
	for (int i = 0; i < r->n; i++) {
		char col[64];

		if (imp_utf8(r->fields[i].p, r->fields[i].n))
			continue;
		if (i < sc->n_head)
			snprintf(col, sizeof col, "%.*s", (int)sc->head[i].n,
				 sc->head[i].p);
		else
			snprintf(col, sizeof col, "field %d", i + 1);
		return ac_err_set(err, AC_EINVAL, col, "not UTF-8 text "
				  "(export the file as UTF-8)");
	}
	return 0;
}

static int row_item(struct shopify_csv *sc, const struct csv_record *r,
		    struct imp *im, struct ac_err *err)
{
	struct imp_item it = { 0 };
	struct ac_str name = field(sc, r, C_LI_NAME), variant = { "", 0 };
	struct ac_str qs = field(sc, r, C_QTY);
	int64_t qty = 0, price;

	if (check_row(sc, r, err))
		return AC_EINVAL;
	for (size_t i = 0; i < qs.n; i++) {
		if (qs.p[i] < '0' || qs.p[i] > '9' || qty > AC_MAX_ITEMS)
			return ac_err_set(err, AC_EINVAL, "Lineitem quantity",
					  "not a whole number from 1 to %d",
					  AC_MAX_ITEMS);
		qty = qty * 10 + (qs.p[i] - '0');
	}
	if (qty < 1 || qty > AC_MAX_ITEMS)
		return ac_err_set(err, AC_EINVAL, "Lineitem quantity",
				  "not a whole number from 1 to %d",
				  AC_MAX_ITEMS);
	struct ac_str ps = field(sc, r, C_LI_PRICE);

	if (import_money_parse(ps.p, ps.n, im->cur, &price, "Lineitem price",
			       err))
		return AC_EINVAL;
	it.sku = field(sc, r, C_LI_SKU);
	/* "Halo Ring - 7 / 14k White Gold": the variant after " - " */
	for (size_t i = name.n; i >= 3; i--) {
		if (!memcmp(name.p + i - 3, " - ", 3)) {
			variant = (struct ac_str){ name.p + i,
						   name.n - i };
			break;
		}
	}
	return imp_add_item(im, &it, name, variant, qty, price, false,
			    "Lineitem", err);
}

static void csv_addr(struct shopify_csv *sc, const struct csv_record *r,
		     struct imp *im, bool billing)
{
	struct imp_addr *a = &im->addr;
	int o = billing ? C_B_NAME - C_S_NAME : 0;

	a->name = field(sc, r, C_S_NAME + o);
	a->line1 = field(sc, r, C_S_ADDR1 + o);
	a->line2 = field(sc, r, C_S_ADDR2 + o);
	a->city = field(sc, r, C_S_CITY + o);
	a->zip = field(sc, r, C_S_ZIP + o);
	if (a->zip.n && a->zip.p[0] == '\'') {  /* Shopify keeps zeros so */
		a->zip.p++;
		a->zip.n--;
	}
	a->region = field(sc, r, C_S_PROVINCE + o);
	a->country = field(sc, r, C_S_COUNTRY + o);
	im->has_addr = a->line1.n > 0;
}

/* fail_rest: an order that failed still owns its following rows; they
 * are skipped with it. */
static void skip_rows(struct shopify_csv *sc, struct ac_str name)
{
	while (sc->rc == 1) {
		struct ac_str n = field(sc, &sc->rec, C_NAME);

		if (n.n && (n.n != name.n || memcmp(n.p, name.p, n.n)))
			break;
		read_ahead(sc);
	}
}

int shopify_csv_next(struct shopify_csv *sc, struct imp *im,
		     struct import_order *out, struct ac_err *err)
{
	const struct csv_record *r = &sc->rec;
	struct ac_str name, s;
	long first;
	int rc;

	if (sc->rc == 0)
		return 0;
	if (sc->rc < 0) {
		*err = sc->pending_err;
		if (sc->rec.n < sc->n_head)  /* the column the row broke in */
			snprintf(err->field, sizeof err->field, "%.*s",
				 (int)sc->head[sc->rec.n].n,
				 sc->head[sc->rec.n].p);
		out->line = err->line;
		snprintf(out->where, sizeof out->where, "%ld", out->line);
		read_ahead(sc);
		return err->code ? err->code : AC_ESYNTAX;
	}
	first = r->line;
	out->line = first;
	name = field(sc, r, C_NAME);
	if (!name.n) {
		rc = ac_err_set(err, AC_EINVAL, "Name", "empty: a row of no "
				"order");
		goto fail;
	}
	im->id = name;
	if (!field(sc, r, C_CURRENCY).n && !field(sc, r, C_CREATED).n &&
	    !field(sc, r, C_TOTAL).n) {
		rc = ac_err_set(err, AC_EINVAL, "Name", "a line item row of "
				"%.*s apart from the order's first row (an "
				"order's rows must be together)",
				(int)(name.n > 40 ? 40 : name.n), name.p);
		goto fail;
	}
	im->email = field(sc, r, C_EMAIL);
	if ((rc = imp_currency(field(sc, r, C_CURRENCY), &im->cur,
			       "Currency", err)) ||
	    (rc = imp_time(field(sc, r, C_CREATED), false, &im->placed_at,
			   "Created at", err)))
		goto fail;
	s = field(sc, r, C_TOTAL);
	if ((rc = import_money_parse(s.p, s.n, im->cur, &im->total_minor,
				     "Total", err)))
		goto fail;
	s = field(sc, r, C_SHIPPING);
	if (s.n && (rc = import_money_parse(s.p, s.n, im->cur,
					    &im->shipping_minor, "Shipping",
					    err)))
		goto fail;
	im->paid = !unpaid_status(field(sc, r, C_FIN));
	s = field(sc, r, C_REFUNDED);
	if (s.n && (rc = import_money_parse(s.p, s.n, im->cur,
					    &im->refunded_minor,
					    "Refunded Amount", err)))
		goto fail;
	if (imp_is(field(sc, r, C_FIN), "refunded") && !im->refunded_minor)
		im->refunded_minor = im->total_minor;
	csv_addr(sc, r, im, false);
	if (!im->has_addr)
		csv_addr(sc, r, im, true);
	im->cust_name = field(sc, r, C_B_NAME);
	if (!im->cust_name.n)
		im->cust_name = field(sc, r, C_S_NAME);
	s = field(sc, r, C_FUL_AT);
	if (s.n) {
		if ((rc = imp_time(s, false, &im->shipped_at, "Fulfilled at",
				   err)))
			goto fail;
		im->shipped = true;
	}
	/* the order's rows: its first and each that follows with the same
	 * Name (or none) */
	for (;;) {
		out->line = r->line;
		if ((rc = row_item(sc, r, im, err)))
			goto fail;
		read_ahead(sc);
		if (sc->rc != 1)   /* the end, or a broken row: its own */
			break;
		s = field(sc, r, C_NAME);
		if (s.n && (s.n != name.n || memcmp(s.p, name.p, s.n)))
			break;
	}
	out->line = first;
	snprintf(out->where, sizeof out->where, "%ld", first);
	static const struct imp_names names = {
		"Email", "Shipping Address1", "Shipping Country",
		"Shipping Address1", "Lineitem name"
	};
	rc = imp_check(im, &names, err);
	if (rc)
		goto fail_checked;
	return 1;
fail:
	snprintf(out->where, sizeof out->where, "%ld", out->line);
	read_ahead(sc);
	skip_rows(sc, name);
fail_checked:
	snprintf(out->where, sizeof out->where, "%ld", out->line);
	err->line = (int)out->line;
	return rc;
}

void shopify_csv_free(struct shopify_csv *sc)
{
	free(sc);
}
