/* hooks.c: courier webhooks as facts (desk layer, issue 10.3). See
 * hooks.h: signatures, integrations and their secrets, parcels, and one
 * delivered event recorded, matched and applied in one transaction. */
#include "hooks.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desk_int.h"

static const char *const kind_names[] = { "aftership", "easypost",
					  "stripe" };

const char *hook_kind_name(enum hook_kind k)
{
	return kind_names[k];
}

int hook_kind_parse(const char *s, enum hook_kind *out)
{
	for (int i = 0; i < 3; i++)
		if (s && !strcmp(s, kind_names[i])) {
			*out = (enum hook_kind)i;
			return 0;
		}
	return AC_EINVAL;
}

/* ---- signatures --------------------------------------------------------- */

static void hmac(const char *secret, size_t secret_n, const char *pre,
		 size_t pre_n, const char *body, size_t n,
		 unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    secret_n);
	if (pre_n)
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)pre,
					      pre_n);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
}

/* same_hex: hex (len bytes) decodes to exactly mac, compared in
 * constant time. */
static bool same_hex(const char *hex, size_t len,
		     const unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	unsigned char got[crypto_auth_hmacsha256_BYTES];
	size_t got_n = 0;
	const char *end;

	if (len != 2 * sizeof got ||
	    sodium_hex2bin(got, sizeof got, hex, len, NULL, &got_n, &end) ||
	    got_n != sizeof got || end != hex + len)
		return false;
	return sodium_memcmp(got, mac, sizeof got) == 0;
}

/* stripe_check: "t=T,v1=HEX,v1=HEX,v0=..." (any order); one v1 must be
 * the HMAC of "T." and the body, and T close enough to now. */
static bool stripe_check(const char *secret, size_t secret_n,
			 const char *body, size_t n, const char *h,
			 int64_t now_s)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	const char *t = NULL, *p;
	size_t t_n = 0;
	bool ok = false;

	for (p = h; *p; ) {
		size_t len = strcspn(p, ",");

		if (len > 2 && !strncmp(p, "t=", 2)) {
			t = p + 2;
			t_n = len - 2;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (!t || t_n == 0 || t_n > 12)
		return false;
	int64_t ts = 0;

	for (size_t i = 0; i < t_n; i++) {
		if (!isdigit((unsigned char)t[i]))
			return false;
		ts = ts * 10 + (t[i] - '0');
	}
	if (ts < now_s - HOOK_STRIPE_TOLERANCE_S ||
	    ts > now_s + HOOK_STRIPE_TOLERANCE_S)
		return false;
	char pre[16];

	snprintf(pre, sizeof pre, "%.*s.", (int)t_n, t);
	hmac(secret, secret_n, pre, t_n + 1, body, n, mac);
	for (p = h; *p; ) {
		size_t len = strcspn(p, ",");

		/* every v1 is tried, so that the time taken does not say
		 * which one matched */
		if (len > 3 && !strncmp(p, "v1=", 3) &&
		    same_hex(p + 3, len - 3, mac))
			ok = true;
		p += len;
		if (*p == ',')
			p++;
	}
	return ok;
}

int hook_sig_check(enum hook_kind k, const char *secret, size_t secret_n,
		   const char *body, size_t n, const char *header,
		   int64_t now_s, struct ac_err *err)
{
	static const char ep[] = "hmac-sha256-hex=";
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	unsigned char got[crypto_auth_hmacsha256_BYTES + 4];
	size_t got_n = 0;
	const char *end;
	bool ok = false;

	if (!header || !*header)
		return ac_err_set(err, AC_EINVAL, "signature", "missing");
	switch (k) {
	case HOOK_AFTERSHIP:
		hmac(secret, secret_n, NULL, 0, body, n, mac);
		ok = !sodium_base642bin(got, sizeof got, header,
					strlen(header), NULL, &got_n, &end,
					sodium_base64_VARIANT_ORIGINAL) &&
		     *end == '\0' && got_n == sizeof mac &&
		     sodium_memcmp(got, mac, sizeof mac) == 0;
		break;
	case HOOK_EASYPOST:
		hmac(secret, secret_n, NULL, 0, body, n, mac);
		ok = !strncmp(header, ep, sizeof ep - 1) &&
		     same_hex(header + sizeof ep - 1,
			      strlen(header) - (sizeof ep - 1), mac);
		break;
	case HOOK_STRIPE:
		ok = stripe_check(secret, secret_n, body, n, header, now_s);
		break;
	}
	sodium_memzero(mac, sizeof mac);
	return ok ? 0 : ac_err_set(err, AC_EINVAL, "signature",
				   "does not match the body");
}

/* ---- integrations ----------------------------------------------------- */

int desk_hook_add(struct desk *d, const char *kind, const char *name,
		  const char *secret, char *secret_out, struct ac_err *err)
{
	char made[2 * 32 + 1];
	enum hook_kind k;
	int rc;

	if (hook_kind_parse(kind, &k))
		return ac_err_set(err, AC_EINVAL, "hook.kind", "not one of "
				  "aftership, easypost, stripe");
	if (!secret) {
		unsigned char raw[32];

		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(made, sizeof made, raw, sizeof raw);
		sodium_memzero(raw, sizeof raw);
		secret = made;
	}
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_put_hook(d->store, S(kind), S(name), S(secret),
				    desk_now(d), err);
	if (!rc)
		rc = desk_audit(d, "system", "hook.add", "hook", S(name), NULL,
				NULL, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (!rc && secret_out)
		snprintf(secret_out, HOOK_SECRET_MAX + 1, "%s", secret);
	sodium_memzero(made, sizeof made);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_hook_list(struct desk *d,
		   void (*each)(void *arg, const char *kind, const char *name,
				int64_t created_at),
		   void *arg, struct ac_err *err)
{
	struct store_hook_page *page = xcalloc(1, sizeof *page);
	int rc = store_list_hooks(d->store, page, err);

	for (int i = 0; !rc && i < page->n; i++) {
		char kind[16], name[65];
		const struct store_hook *h = &page->rows[i];

		snprintf(kind, sizeof kind, "%.*s", (int)h->kind.n, h->kind.p);
		snprintf(name, sizeof name, "%.*s", (int)h->name.n, h->name.p);
		each(arg, kind, name, h->created_at);
	}
	store_hook_page_release(page);
	free(page);
	return rc;
}

int desk_hook_verify(struct desk *d, enum hook_kind k, const char *name,
		     const char *body, size_t n, const char *header,
		     struct ac_err *err)
{
	struct store_hook h;
	int rc = store_get_hook(d->store, S(hook_kind_name(k)), S(name), &h,
				err);

	if (rc == AC_ENOTFOUND || rc == AC_EINVAL)  /* as a bad signature */
		rc = ac_err_set(err, AC_EINVAL, "signature",
				"does not match the body");
	if (!rc)
		rc = hook_sig_check(k, h.secret.p, h.secret.n, body, n,
				    header, desk_now(d) / AC_US_PER_S, err);
	if (h.mem.p)
		sodium_memzero(h.mem.p, h.mem.len);
	store_hook_release(&h);
	return rc;
}

int desk_hook_events(struct desk *d, const char *status, int limit,
		     void (*each)(void *arg, const struct desk_hook_seen *e),
		     void *arg, bool *more, struct ac_err *err)
{
	struct store_hook_event_page *page = xcalloc(1, sizeof *page);
	int rc = store_list_hook_events(d->store, S(status), limit, page,
					err);

	for (int i = 0; !rc && i < page->n; i++) {
		const struct store_hook_event *e = &page->rows[i];
		char f[9][256];
		const struct ac_str *src[9] = { &e->kind, &e->name,
			&e->event_id, &e->status, &e->carrier,
			&e->tracking_code, &e->tracking_kind, &e->order_id,
			&e->detail };

		for (int k = 0; k < 9; k++)
			snprintf(f[k], sizeof f[k], "%.*s", (int)src[k]->n,
				 src[k]->p ? src[k]->p : "");
		struct desk_hook_seen v = {
			f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8],
			e->at, e->received_at,
		};

		each(arg, &v);
	}
	if (more)
		*more = !rc && page->more;
	store_hook_event_page_release(page);
	free(page);
	return rc;
}

/* ---- parcels ---------------------------------------------------------- */

static int apply(struct desk *d, const char *actor, const char *order_id,
		 const struct hook_event *ev, const char *status, bool *stale,
		 struct ac_err *err);

/* known_kind: the mapped kind's own static name, NULL for another. */
static const char *known_kind(struct ac_str k)
{
	static const char *const kinds[] = { "delivered", "lost_confirmed",
		"customs_held", "customs_refused", "returned" };

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (k.n == strlen(kinds[i]) && !memcmp(k.p, kinds[i], k.n))
			return kinds[i];
	return NULL;
}

/* apply_unmatched applies, oldest first, the events that came for the
 * parcel before it was named, inside the caller's transaction. */
static int apply_unmatched(struct desk *d, const char *order_id,
			   const char *car, const char *code,
			   struct ac_err *err)
{
	struct store_hook_event_page *page = xcalloc(1, sizeof *page);
	int rc = 0;

	for (int round = 0; !rc && round < 100; round++) {
		bool more;

		rc = store_list_unmatched(d->store, S(car), S(code), page,
					  err);
		for (int i = 0; !rc && i < page->n; i++) {
			const struct store_hook_event *e = &page->rows[i];
			struct hook_event ev = { .tracking = true };
			const char *st = "ignored";
			char actor[96];
			bool stale = false;

			snprintf(actor, sizeof actor, "hook:%.*s/%.*s",
				 (int)e->kind.n, e->kind.p, (int)e->name.n,
				 e->name.p);
			snprintf(ev.id, sizeof ev.id, "%.*s",
				 (int)e->event_id.n, e->event_id.p);
			snprintf(ev.status, sizeof ev.status, "%.*s",
				 (int)e->detail.n, e->detail.p);
			ev.kind = known_kind(e->tracking_kind);
			ev.at = e->at;
			if (ev.kind) {
				rc = apply(d, actor, order_id, &ev, ev.status,
					   &stale, err);
				st = stale ? "stale" : "applied";
			}
			if (!rc)
				rc = store_match_hook_event(d->store, e->kind,
							    e->name,
							    e->event_id,
							    S(st),
							    S(order_id), err);
		}
		more = !rc && page->more;
		store_hook_event_page_release(page);
		if (!more)
			break;
	}
	free(page);
	return rc;
}

int hook_fold_carrier(const char *in, char *out, size_t cap,
		      struct ac_err *err)
{
	size_t k = 0;

	for (; in && *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (!isalnum(c) || c > 127)
			continue;
		if (k + 1 >= cap)
			return ac_err_set(err, AC_EINVAL, "carrier",
					  "longer than %zu letters", cap - 1);
		out[k++] = (char)tolower(c);
	}
	out[k] = '\0';
	return k ? 0 : ac_err_set(err, AC_EINVAL, "carrier",
				  "no letters or digits");
}

int hook_fold_code(const char *in, char *out, size_t cap, struct ac_err *err)
{
	size_t k = 0;

	for (; in && *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (isspace(c) || c < 32)
			continue;
		if (k + 1 >= cap)
			return ac_err_set(err, AC_EINVAL, "tracking_code",
					  "longer than %zu bytes", cap - 1);
		out[k++] = (char)toupper(c);
	}
	out[k] = '\0';
	return k ? 0 : ac_err_set(err, AC_EINVAL, "tracking_code", "empty");
}

int desk_put_parcel(struct desk *d, const char *actor, const char *order_id,
		    const char *carrier, const char *tracking_code,
		    struct ac_err *err)
{
	char car[65], code[129], owner[STORE_ID_MAX];
	struct store_order so = { 0 };
	int rc;

	if ((rc = hook_fold_carrier(carrier, car, sizeof car, err)) ||
	    (rc = hook_fold_code(tracking_code, code, sizeof code, err)))
		return rc;
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_get_order(d->store, S(order_id), &so, err);
	if (!rc && !so.shipped)
		rc = ac_err_set(err, AC_ESTATE, "order", "the order has not "
				"shipped: put its shipment first");
	store_order_release(&so);
	/* look first: on PostgreSQL a failed insert would end the
	 * transaction's savepoint, and the look-up after it with it */
	if (!rc) {
		rc = store_find_parcel(d->store, S(car), S(code), owner, err);
		if (!rc && strcmp(owner, order_id))
			rc = ac_err_set(err, AC_ECONFLICT, "tracking_code",
					"%s %s is order %s's parcel", car, code,
					owner);
		else if (rc == AC_ENOTFOUND) {
			ac_err_clear(err);
			rc = store_put_parcel(d->store, S(car), S(code),
					      S(order_id), desk_now(d), err);
			/* what the courier said before the parcel was
			 * named applies now */
			hold_reset(d);
			if (!rc)
				rc = apply_unmatched(d, order_id, car, code,
						     err);
		}
	}
	if (!rc)
		rc = desk_audit(d, actor, "parcel.put", "order", S(order_id),
				NULL, NULL, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	return rc ? desk_fail(d, rc) : 0;
}

/* ---- events ------------------------------------------------------------- */

/* latest_applied: the time of the order's newest tracking event of a
 * kind that is a state of the parcel (0: none). */
static int latest_applied(struct desk *d, const char *order_id,
			  int64_t *latest, struct ac_err *err)
{
	struct store_tracking_page *page = xcalloc(1, sizeof *page);
	int64_t after = 0;
	int rc = 0;

	*latest = 0;
	for (;;) {
		rc = store_list_tracking_events(d->store, S(order_id), after,
						STORE_PAGE_MAX, page, err);
		for (int i = 0; !rc && i < page->n; i++) {
			const struct store_tracking_event *e = &page->rows[i];
			struct shipment scratch = { 0 };
			char kind[64];

			snprintf(kind, sizeof kind, "%.*s", (int)e->kind.n,
				 e->kind.p);
			after = e->id;
			if ((desk_apply_event(kind, e->at, &scratch) ||
			     !strcmp(kind, "returned")) && e->at > *latest)
				*latest = e->at;
		}
		bool more = !rc && page->more;

		store_tracking_page_release(page);
		if (!more)
			break;
	}
	free(page);
	return rc;
}

/* apply puts the event on the order's tracking and, when it is not older
 * than the newest state already applied, on its shipment, deciding the
 * order's open cases again. *stale says which. */
static int apply(struct desk *d, const char *actor, const char *order_id,
		 const struct hook_event *ev, const char *status, bool *stale,
		 struct ac_err *err)
{
	struct store_order so = { 0 };
	int64_t latest = 0, ev_id = 0;
	char detail[400];
	struct shipment sh;
	bool changes = false;
	int rc = store_get_order(d->store, S(order_id), &so, err);

	if (!rc && !so.shipped)
		rc = ac_err_set(err, AC_ESTATE, "order", "the order has not "
				"shipped");
	if (!rc)
		rc = latest_applied(d, order_id, &latest, err);
	*stale = ev->at < latest;
	sh = so.shipment;
	if (!rc && !*stale)
		changes = desk_apply_event(ev->kind, ev->at, &sh) == 1;
	if (!rc && changes && sh.delivered && sh.delivered_at < sh.shipped_at)
		rc = ac_err_set(err, AC_EINVAL, "at",
				"a delivery before the shipment");
	snprintf(detail, sizeof detail, "%s %s%s%s", actor, status,
		 ev->detail[0] ? ": " : "", ev->detail);
	struct store_tracking_event te = {
		.order_id = S(order_id),
		.at = ev->at,
		.kind = S(ev->kind),
		.detail = S(detail),
	};

	if (!rc)
		rc = store_add_tracking_event(d->store, &te, &ev_id, err);
	if (!rc && changes)
		rc = store_put_shipment(d->store, S(order_id), &sh,
					desk_now(d), err);
	if (!rc && changes)
		rc = desk_redecide_order(d, actor, S(order_id), err);
	store_order_release(&so);
	return rc;
}

int desk_hook_event(struct desk *d, enum hook_kind k, const char *name,
		    const struct hook_event *ev, struct desk_hook_result *out,
		    struct ac_err *err)
{
	char actor[96], car[65] = "", code[129] = "";
	const char *status = "ignored";
	bool stale = false;
	int rc;

	memset(out, 0, sizeof *out);
	snprintf(actor, sizeof actor, "hook:%s/%s", hook_kind_name(k), name);
	out->kind = ev->kind;
	if (ev->tracking &&
	    ((rc = hook_fold_carrier(ev->carrier, car, sizeof car, err)) ||
	     (rc = hook_fold_code(ev->tracking_code, code, sizeof code,
				  err))))
		return rc;
	hold_reset(d);
	rc = desk_txn_begin(d, err);
	if (!rc && ev->tracking) {
		rc = store_find_parcel(d->store, S(car), S(code),
				       out->order_id, err);
		if (rc == AC_ENOTFOUND) {
			status = "unmatched";
			rc = 0;
		} else if (!rc && ev->kind) {
			rc = apply(d, actor, out->order_id, ev, ev->status,
				   &stale, err);
			status = stale ? "stale" : "applied";
		}
	}
	struct store_hook_event rec = {
		.kind = S(hook_kind_name(k)),
		.name = S(name),
		.event_id = S(ev->id),
		.status = S(status),
		.carrier = S(car),
		.tracking_code = S(code),
		.tracking_kind = S(ev->kind ? ev->kind : ""),
		.order_id = S(out->order_id),
		.detail = S(ev->status),
		.received_at = desk_now(d),
		.at = ev->at,
	};

	if (!rc)
		rc = store_put_hook_event(d->store, &rec, err);
	if (rc == AC_ECONFLICT) {       /* seen before: undo, change nothing */
		desk_fail(d, rc);
		memset(out, 0, sizeof *out);
		out->status = "duplicate";
		out->kind = ev->kind;
		return 0;
	}
	if (!rc && out->order_id[0])
		rc = desk_audit(d, actor, "tracking.hook", "order",
				S(out->order_id), NULL, NULL, err);
	if (!rc) {
		out->facts.redecided = hold_done(d, err);
		if (!out->facts.redecided)
			rc = AC_ELIMIT;
	}
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		return desk_fail(d, rc);
	out->status = status;
	out->facts.order_id = S(out->order_id);
	out->facts.n_redecided = (int)(d->h_rows.len /
				       ((sizeof(struct desk_case_line) + 7) &
					~(size_t)7));
	return 0;
}
