/* accounts.c: staff accounts, sign-in with lock-out, sessions, customer
 * look-ups with rate limits, and who may refund how much (desk layer).
 * Passwords are hashed with Argon2id (libsodium's crypto_pwhash_str);
 * a session's token is 32 random bytes shown once as hex, of which the
 * store keeps the SHA-256 only. Every time is the desk's clock. */
#include "desk_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/instant.h"

/* Checked against when the name is unknown, so that an unknown name costs
 * the same hash as a known one (no one's password: 24 random bytes). */
static const char dummy_hash[] =
	"$argon2id$v=19$m=65536,t=2,p=1$gpExdERLbiAGoRbgCUtOuQ$"
	"ofG0vY18Fui4KXqOuYxb0w7GmEnfEd5EMNuddK5o3Ec";

const char *staff_role_name(enum staff_role r)
{
	return r == STAFF_MANAGER ? "manager" : "agent";
}

int staff_role_parse(const char *s, enum staff_role *out)
{
	if (s && !strcmp(s, "agent"))
		*out = STAFF_AGENT;
	else if (s && !strcmp(s, "manager"))
		*out = STAFF_MANAGER;
	else
		return AC_EINVAL;
	return 0;
}

/* role_of reads a stored role (the store keeps one of the two). */
static enum staff_role role_of(struct ac_str s)
{
	return s.n == 7 && !memcmp(s.p, "manager", 7) ? STAFF_MANAGER
						       : STAFF_AGENT;
}

static bool name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > DESK_USER_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* signin_name: the name as typed, ASCII upper case folded (names are
 * lower case, so "Ana" signs in as "ana"); false when no account can
 * have it. */
static bool signin_name(const char *typed, char out[DESK_USER_NAME_MAX + 1])
{
	size_t n = typed ? strlen(typed) : 0;

	if (n == 0 || n > DESK_USER_NAME_MAX)
		return false;
	for (size_t i = 0; i <= n; i++)
		out[i] = typed[i] >= 'A' && typed[i] <= 'Z'
			 ? (char)(typed[i] - 'A' + 'a') : typed[i];
	return name_ok(out);
}

/* actor_for writes "user:NAME" or "customer:ORDER". */
static void actor_for(char *out, size_t cap, const char *kind,
		      struct ac_str id)
{
	snprintf(out, cap, "%s:%.*s", kind, (int)id.n, id.p);
}

/* ---- accounts ---------------------------------------------------------- */

int desk_user_add(struct desk *d, const char *actor, const char *name,
		  enum staff_role role, const char *password,
		  struct ac_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	size_t n = password ? strlen(password) : 0;
	int rc;

	if (!name_ok(name))
		return ac_err_set(err, AC_EINVAL, "name", "1 to %d bytes of "
				  "a-z, 0-9, '.', '_' and '-'",
				  DESK_USER_NAME_MAX);
	if (role != STAFF_AGENT && role != STAFF_MANAGER)
		return ac_err_set(err, AC_EINVAL, "role",
				  "agent or manager");
	if (n < DESK_PASSWORD_MIN || n > DESK_PASSWORD_MAX)
		return ac_err_set(err, AC_EINVAL, "password",
				  "%d to %d bytes", DESK_PASSWORD_MIN,
				  DESK_PASSWORD_MAX);
	/* the slow part, before the write lock is taken */
	if (crypto_pwhash_str_alg(hash, password, n,
				  crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13))
		return ac_err_set(err, AC_ENOMEM, "password",
				  "not enough memory to hash it");

	struct store_staff_user u = {
		.name = S(name),
		.role = S(staff_role_name(role)),
		.password_hash = S(hash),
		.created_at = desk_now(d),
	};
	struct record_field a[] = {
		RECORD_S("role", S(staff_role_name(role))),
	};

	rc = desk_txn_begin(d, err);
	if (!rc && (rc = store_put_staff_user(d->store, &u, err)) ==
		   AC_ECONFLICT)
		ac_err_set(err, rc, "name", "a user named %s exists", name);
	if (!rc)
		rc = desk_audit_rec(d, actor, "user.add", "user", S(name),
				    NULL, 0, a, 1, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	sodium_memzero(hash, sizeof hash);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_user_list(struct desk *d, struct desk_users *out,
		   struct ac_err *err)
{
	struct store_staff_user_page *page = xcalloc(1, sizeof *page);
	int64_t now = desk_now(d);
	char after[DESK_USER_NAME_MAX + 1] = "";
	int rc = 0, k = 0;

	memset(out, 0, sizeof *out);
	hold_reset(d);
	for (;;) {
		rc = store_list_staff_users(d->store, S(after), STORE_PAGE_MAX,
					    page, err);
		for (int i = 0; !rc && i < page->n; i++, k++) {
			const struct store_staff_user *u = &page->rows[i];
			struct desk_user *v = hold_row(d, sizeof *v);

			v->role = role_of(u->role);
			v->failed_in_a_row = u->failed_in_a_row;
			v->locked = u->has_lock && u->locked_until > now;
			v->locked_until = u->has_lock ? u->locked_until : 0;
			v->created_at = u->created_at;
			hold_str(d, v, &v->name, u->name);
			snprintf(after, sizeof after, "%.*s", (int)u->name.n,
				 u->name.p);
		}
		bool more = !rc && page->more;

		store_staff_user_page_release(page);
		if (!more)
			break;
	}
	if (!rc) {
		out->users = hold_done(d, err);
		if (!out->users)
			rc = AC_ELIMIT;
		out->n = k;
	}
	free(page);
	return rc;
}

int desk_user_check_password(struct desk *d, const char *name,
			     const char *password,
			     struct desk_password_check *out,
			     struct ac_err *err)
{
	struct store_staff_user u = { 0 };
	size_t n = password ? strlen(password) : 0;
	char folded[DESK_USER_NAME_MAX + 1];
	int rc = AC_ENOTFOUND;

	memset(out, 0, sizeof *out);
	if (signin_name(name, folded))
		rc = store_get_staff_user(d->store, S(folded), &u, err);
	if (rc && rc != AC_ENOTFOUND)
		return rc;
	ac_err_clear(err);
	out->known = rc == 0;
	if (out->known) {
		out->role = role_of(u.role);
		out->locked = u.has_lock && u.locked_until > desk_now(d);
		out->locked_until = out->locked ? u.locked_until : 0;
	}
	/* a locked account's password is not looked at; an unknown name
	 * costs the same hash as a known one */
	if (!out->locked && n <= DESK_PASSWORD_MAX) {
		const char *h = out->known ? u.password_hash.p : dummy_hash;
		bool ok = crypto_pwhash_str_verify(h, password ? password : "",
						   n) == 0;

		out->ok = out->known && ok;
	}
	store_staff_user_release(&u);
	return 0;
}

/* ---- sessions --------------------------------------------------------- */

static void sha256_hex(const char *s, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(hex, 65, h, sizeof h);
}

static void random_hex(char hex[65])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, 65, raw, sizeof raw);
	sodium_memzero(raw, sizeof raw);
}

/* token_ok: the form every token the desk gives has (64 lower-case hex
 * digits); anything else is unknown without asking the store. */
static bool token_ok(const char *t)
{
	size_t i;

	if (!t)
		return false;
	for (i = 0; t[i]; i++)
		if (i == 64 || !((t[i] >= '0' && t[i] <= '9') ||
				 (t[i] >= 'a' && t[i] <= 'f')))
			return false;
	return i == 64;
}

/* session_new stores a new session of the kind for user or order (the
 * other is empty) and writes its token and CSRF token. */
static int session_new(struct desk *d, const char *kind, struct ac_str user,
		       struct ac_str order, int tz, int64_t ttl_s,
		       char token[65], char csrf[65], int64_t *expires_at,
		       struct ac_err *err)
{
	int64_t now = desk_now(d);
	char hash[65];

	random_hex(token);
	random_hex(csrf);
	sha256_hex(token, hash);
	*expires_at = now + ttl_s * AC_US_PER_S;

	struct store_session x = {
		.hash = S(hash),
		.kind = S(kind),
		.user_name = user,
		.order_id = order,
		.csrf = S(csrf),
		.tz_offset_min = tz,
		.created_at = now,
		.expires_at = *expires_at,
	};
	int rc = store_put_session(d->store, &x, err);

	/* sessions past their end are of no use: each new one clears them
	 * (an index range: costs what it deletes) */
	if (!rc)
		rc = store_purge_sessions(d->store, now, NULL, err);
	return rc;
}

/* session_get reads the live session of the kind the token stands for:
 * AC_ENOTFOUND when unknown, of the other kind, ended or expired. */
static int session_get(struct desk *d, const char *token, const char *kind,
		       struct store_session *x, struct ac_err *err)
{
	char hash[65];
	int rc;

	memset(x, 0, sizeof *x);
	if (!token_ok(token))
		return ac_err_set(err, AC_ENOTFOUND, "session",
				  "unknown session");
	sha256_hex(token, hash);
	rc = store_get_session(d->store, S(hash), x, err);
	if (rc)
		return rc;
	if ((kind && (x->kind.n != strlen(kind) ||
		      memcmp(x->kind.p, kind, x->kind.n))) ||
	    x->ended || x->expires_at <= desk_now(d)) {
		store_session_release(x);
		return ac_err_set(err, AC_ENOTFOUND, "session",
				  "unknown, ended or expired session");
	}
	return 0;
}

int desk_user_signin(struct desk *d, const char *typed, bool password_ok,
		     const char *client, struct desk_staff_session *out,
		     struct ac_err *err)
{
	char name[DESK_USER_NAME_MAX + 1];
	struct store_staff_user u = { 0 };
	int64_t now = desk_now(d), lock_until = 0;
	const char *action = "signin_failed", *why;
	char actor[DESK_USER_NAME_MAX + 8];
	int rc, failed = 0;

	memset(out, 0, sizeof *out);
	out->result = SIGNIN_WRONG;
	if (!signin_name(typed, name))
		return 0;                 /* no such account can exist */
	snprintf(actor, sizeof actor, "user:%s", name);
	if ((rc = desk_txn_begin(d, err)))
		return desk_fail(d, rc);
	rc = store_get_staff_user(d->store, S(name), &u, err);
	if (rc == AC_ENOTFOUND) {
		rc = 0;
		ac_err_clear(err);
		why = "unknown user";
	} else if (rc) {
		goto fail;
	} else if (u.has_lock && u.locked_until > now) {
		/* locked: the password is not looked at nor counted */
		out->result = SIGNIN_LOCKED;
		out->locked_until = u.locked_until;
		why = "locked";
	} else if (password_ok) {
		out->result = SIGNIN_OK;
		action = "signin";
		why = "";
		rc = store_update_staff_login(d->store, S(name), 0, false, 0,
					      err);
		if (!rc)
			rc = session_new(d, "staff", S(name), S(NULL), 0,
					 DESK_STAFF_SESSION_S, out->token,
					 out->csrf, &out->expires_at, err);
		snprintf(out->name, sizeof out->name, "%s", name);
		out->role = role_of(u.role);
	} else {
		/* the DESK_LOCK_AFTER-th wrong password in a row locks the
		 * account; the count starts again after the lock */
		failed = u.failed_in_a_row + 1;
		why = "wrong password";
		if (failed >= DESK_LOCK_AFTER) {
			lock_until = now + DESK_LOCK_S * AC_US_PER_S;
			out->result = SIGNIN_LOCKED;
			out->locked_until = lock_until;
			why = "wrong password, locked";
		}
		rc = store_update_staff_login(d->store, S(name),
					      lock_until ? 0 : failed,
					      lock_until != 0, lock_until,
					      err);
	}
	if (rc)
		goto fail;

	struct record_field a[] = {
		RECORD_S("client", S(client)),
		RECORD_S("reason", S(why)),
		RECORD_I("failed_in_a_row", failed),
		RECORD_I("locked_until", out->locked_until),
	};

	rc = desk_audit_rec(d, actor, action, "user", S(name), NULL, 0, a,
			    out->result == SIGNIN_OK ? 1 : 4, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		goto fail;
	store_staff_user_release(&u);
	return 0;
fail:
	store_staff_user_release(&u);
	memset(out, 0, sizeof *out);
	out->result = SIGNIN_WRONG;
	return desk_fail(d, rc);
}

int desk_staff_session(struct desk *d, const char *token,
		       struct desk_staff_session *out, struct ac_err *err)
{
	struct store_session x;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = session_get(d, token, "staff", &x, err)))
		return rc;
	out->result = SIGNIN_OK;
	memcpy(out->token, token, 65);
	snprintf(out->csrf, sizeof out->csrf, "%.*s", (int)x.csrf.n,
		 x.csrf.p);
	snprintf(out->name, sizeof out->name, "%.*s", (int)x.user_name.n,
		 x.user_name.p);
	out->role = role_of(x.role);
	out->expires_at = x.expires_at;
	store_session_release(&x);
	return 0;
}

int desk_session_end(struct desk *d, const char *token, struct ac_err *err)
{
	struct store_session x;
	char actor[160];
	bool staff;
	int rc;

	if ((rc = session_get(d, token, NULL, &x, err)))
		return rc;
	staff = x.user_name.n > 0;
	actor_for(actor, sizeof actor, staff ? "user" : "customer",
		  staff ? x.user_name : x.order_id);
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_end_session(d->store, x.hash, desk_now(d), err);
	if (!rc)
		rc = desk_audit(d, actor, "signout", staff ? "user" : "order",
				staff ? x.user_name : x.order_id, NULL, NULL,
				err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	store_session_release(&x);
	return rc ? desk_fail(d, rc) : 0;
}

/* ---- customer look-ups ------------------------------------------------ */

/* limited_for: how long (microseconds) the key still refuses look-ups;
 * 0 when it allows one. */
static int limited_for(struct desk *d, const char *key, int64_t now,
		       int64_t *wait, struct ac_err *err)
{
	struct store_lookup_failure f;
	int64_t end;
	int rc = store_get_lookup_failures(d->store, S(key), &f, err);

	*wait = 0;
	if (rc)
		return rc;
	end = f.window_start + DESK_LOOKUP_WINDOW_S * AC_US_PER_S;
	if (f.count >= DESK_LOOKUP_LIMIT && end > now)
		*wait = end - now;
	return 0;
}

int desk_customer_lookup(struct desk *d, const char *order_id,
			 const char *email, const char *client,
			 int tz_offset_min, struct desk_customer_session *out,
			 struct ac_err *err)
{
	struct store_order so = { 0 };
	int64_t now = desk_now(d), wait_c = 0, wait_o = 0;
	struct ac_str id = S(order_id), mail = S(email);
	char ckey[224], okey[STORE_ID_MAX + 8], actor[STORE_ID_MAX + 16];
	bool has_okey;
	int rc;

	memset(out, 0, sizeof *out);
	out->result = LOOKUP_NOT_FOUND;
	if (tz_offset_min < -1439 || tz_offset_min > 1439)
		return ac_err_set(err, AC_EINVAL, "tz", "not an offset from "
				  "-1439 to 1439 minutes east of UTC");
	while (id.n && (*id.p == ' ' || *id.p == '\t')) {
		id.p++;
		id.n--;
	}
	while (id.n && (id.p[id.n - 1] == ' ' || id.p[id.n - 1] == '\t'))
		id.n--;
	/* an order number no order can have counts against the client */
	has_okey = id.n > 0 && id.n < STORE_ID_MAX &&
		   !memchr(id.p, '\0', id.n);
	snprintf(ckey, sizeof ckey, "ip:%.200s", client ? client : "");
	snprintf(okey, sizeof okey, "order:%.*s", has_okey ? (int)id.n : 0,
		 id.p);
	if ((rc = desk_txn_begin(d, err)))
		return desk_fail(d, rc);
	/* over the limit on either key: refused, whatever was typed */
	if ((rc = limited_for(d, ckey, now, &wait_c, err)) ||
	    (has_okey && (rc = limited_for(d, okey, now, &wait_o, err))))
		goto fail;
	if (wait_c || wait_o) {
		int64_t wait = wait_c > wait_o ? wait_c : wait_o;

		out->result = LOOKUP_LIMITED;
		out->retry_after_s = (wait + AC_US_PER_S - 1) / AC_US_PER_S;
		if ((rc = desk_txn_commit(d, err)))
			goto fail;
		return 0;
	}
	rc = has_okey ? store_get_order(d->store, id, &so, err)
		      : AC_ENOTFOUND;
	if (rc && rc != AC_ENOTFOUND)
		goto fail;
	/* an order kept without an e-mail is found by none */
	if (rc == 0 && ac_str_eq_fold(so.customer_email, mail) &&
	    !ac_str_eq_fold(mail, S(""))) {
		out->result = LOOKUP_OK;
		snprintf(out->order_id, sizeof out->order_id, "%.*s",
			 (int)id.n, id.p);
		out->tz_offset_min = tz_offset_min;
		actor_for(actor, sizeof actor, "customer", id);
		rc = session_new(d, "customer", S(NULL), id, tz_offset_min,
				 DESK_CUSTOMER_SESSION_S, out->token,
				 out->csrf, &out->expires_at, err);
		if (!rc)
			rc = desk_audit(d, actor, "lookup", "order", id, NULL,
					NULL, err);
	} else {
		struct record_field a[] = {
			RECORD_S("client", S(client)),
		};

		ac_err_clear(err);
		snprintf(actor, sizeof actor, "client:%.100s",
			 client && *client ? client : "unknown");
		rc = store_add_lookup_failure(d->store, S(ckey), now,
					      DESK_LOOKUP_WINDOW_S *
					      AC_US_PER_S, NULL, err);
		if (!rc && has_okey)
			rc = store_add_lookup_failure(d->store, S(okey), now,
						      DESK_LOOKUP_WINDOW_S *
						      AC_US_PER_S, NULL, err);
		/* windows that have run out count nothing any more */
		if (!rc)
			rc = store_purge_lookup_failures(
				d->store,
				now - DESK_LOOKUP_WINDOW_S * AC_US_PER_S,
				NULL, err);
		if (!rc)
			rc = desk_audit_rec(d, actor, "lookup_failed", "order",
					    has_okey ? id : S(NULL), NULL, 0,
					    a, 1, err);
	}
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		goto fail;
	store_order_release(&so);
	return 0;
fail:
	store_order_release(&so);
	memset(out, 0, sizeof *out);
	out->result = LOOKUP_NOT_FOUND;
	return desk_fail(d, rc);
}

int desk_customer_session(struct desk *d, const char *token,
			  struct desk_customer_session *out,
			  struct ac_err *err)
{
	struct store_session x;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = session_get(d, token, "customer", &x, err)))
		return rc;
	out->result = LOOKUP_OK;
	memcpy(out->token, token, 65);
	snprintf(out->csrf, sizeof out->csrf, "%.*s", (int)x.csrf.n,
		 x.csrf.p);
	snprintf(out->order_id, sizeof out->order_id, "%.*s",
		 (int)x.order_id.n, x.order_id.p);
	out->tz_offset_min = x.tz_offset_min;
	out->expires_at = x.expires_at;
	store_session_release(&x);
	return 0;
}

/* ---- refunds and roles ------------------------------------------------ */

bool desk_refund_needs_manager(const struct policy *p,
			       const struct currency *c, int64_t amount_minor)
{
	for (int i = 0; c && i < p->n_manager_refund_above; i++)
		if (!strcmp(p->manager_refund_above[i].currency->code,
			    c->code))
			return amount_minor >
			       p->manager_refund_above[i].amount_minor;
	return amount_minor > 0;
}
