/* policies.c: the policy's versions (desk layer, issue 9).
 * The database keeps every policy the desk decides under (store's
 * `policies`), one of them active. A write transaction starts by looking
 * up the active hash and decides with that policy; parsed policies are
 * kept for the life of the process in one list shared by every desk
 * (a mutex guards it; an entry is never freed, so a pointer handed out
 * stays good), so a new text is parsed once, whichever desk meets it. */
#include "desk_int.h"
#include "replay.h"

/* a kept text, at most (the store's CHECK) */
#define STORE_POLICY_BODY_MAX (1u << 20)

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the process's parsed policies ------------------------------------ */

struct cached {
	struct policy_file *pf;
	struct cached *next;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct cached *cache_head;

/* cache_find: the parsed policy of that hash, or NULL. */
static const struct policy *cache_find(const char *hash)
{
	const struct policy *p = NULL;

	pthread_mutex_lock(&cache_mu);
	for (struct cached *c = cache_head; c && !p; c = c->next)
		if (!strcmp(policy_file_policy(c->pf)->version, hash))
			p = policy_file_policy(c->pf);
	pthread_mutex_unlock(&cache_mu);
	return p;
}

/* cache_take keeps pf (taking it) unless its hash is kept already (then
 * pf is freed); returns the kept one. */
static struct policy_file *cache_take(struct policy_file *pf)
{
	const char *v = policy_file_policy(pf)->version;
	struct cached *c;

	pthread_mutex_lock(&cache_mu);
	for (c = cache_head; c; c = c->next)
		if (!strcmp(policy_file_policy(c->pf)->version, v))
			break;
	if (!c) {
		c = xmalloc(sizeof *c);
		c->pf = pf;
		c->next = cache_head;
		cache_head = c;
		pf = NULL;
	}
	pthread_mutex_unlock(&cache_mu);
	policy_file_free(pf);
	return c->pf;
}

/* builtin_text: the built-in policy's bytes when p is it (kept in the
 * cache for the process's life), else NULL. */
static const char *builtin_text(const struct policy *p, size_t *n)
{
	struct policy_file *pf = policy_file_default();

	if (strcmp(policy_file_policy(pf)->version, p->version)) {
		policy_file_free(pf);
		return NULL;
	}
	return policy_file_bytes(cache_take(pf), n);
}

/* ---- checking a text -------------------------------------------------- */

static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		unsigned c = s[i];

		if (c < 0x80)
			k = 0;
		else if (c >= 0xc2 && c <= 0xdf)
			k = 1;
		else if ((c >> 4) == 0xe)
			k = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3;
		else
			return false;
		if (k > n - i - 1)
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

/* parse checks and parses a text; the parsed file is the caller's. */
static struct policy_file *parse(const char *text, size_t n,
				 struct desk_policy_problems *probs,
				 struct ac_err *err)
{
	struct desk_policy_problems mine;
	struct policy_file *pf;

	if (!probs)
		probs = &mine;
	probs->n = 0;
	if (n > STORE_POLICY_BODY_MAX) {
		ac_err_set(&probs->e[0], AC_ELIMIT, "policy", "larger than "
			   "%u bytes", STORE_POLICY_BODY_MAX);
		probs->n = 1;
		*err = probs->e[0];
		return NULL;
	}
	if (n == 0 || memchr(text, '\0', n) ||
	    !utf8_ok((const unsigned char *)text, n)) {
		ac_err_set(&probs->e[0], AC_EINVAL, "policy", n ?
			   "not UTF-8 text (or holds a NUL byte)" :
			   "the text is empty");
		probs->n = 1;
		*err = probs->e[0];
		return NULL;
	}
	pf = policy_file_parse(text, n, probs->e, DESK_POLICY_PROBLEMS,
			       &probs->n);
	if (!pf) {
		if (probs->n < 1) {
			ac_err_set(&probs->e[0], AC_EINVAL, "policy",
				   "not a policy");
			probs->n = 1;
		}
		if (probs->n > DESK_POLICY_PROBLEMS)
			probs->n = DESK_POLICY_PROBLEMS;
		*err = probs->e[0];
		if (err->code != AC_ELIMIT)
			err->code = AC_EINVAL;
	}
	return pf;
}

int desk_policy_check(const char *text, size_t n,
		      char hash_out[DESK_POLICY_HASH_MAX],
		      struct desk_policy_problems *probs, struct ac_err *err)
{
	struct policy_file *pf = parse(text, n, probs, err);

	hash_out[0] = '\0';
	if (!pf)
		return err->code;
	snprintf(hash_out, DESK_POLICY_HASH_MAX, "%s",
		 policy_file_policy(pf)->version);
	policy_file_free(pf);
	return 0;
}

/* ---- the active policy ------------------------------------------------ */

const struct policy *desk_policy(struct desk *d)
{
	return d->policy;
}

const struct policy *desk_policy_by_hash(struct desk *d, const char *hash,
					 struct ac_err *err)
{
	const struct policy *p;
	struct store_policy sp = { 0 };
	struct policy_file *pf;

	if (!strcmp(d->policy->version, hash))
		return d->policy;
	if (!strcmp(d->base->version, hash))
		return d->base;
	if ((p = cache_find(hash)))
		return p;
	if (store_get_policy(d->store, S(hash), &sp, err))
		return NULL;
	pf = parse(sp.body.p, sp.body.n, NULL, err);
	store_policy_release(&sp);
	if (!pf) {
		char why[sizeof err->msg];

		snprintf(why, sizeof why, "%s", err->msg);
		ac_err_set(err, AC_EINVAL, "policy", "the kept policy %.20s "
			   "does not parse: %s", hash, why);
		return NULL;
	}
	if (strcmp(policy_file_policy(pf)->version, hash)) {
		policy_file_free(pf);
		ac_err_set(err, AC_EIO, "policy", "the kept text of %.20s "
			   "has another hash", hash);
		return NULL;
	}
	return policy_file_policy(cache_take(pf));
}

/* record_base keeps the desk's own policy and makes it active (a
 * database none is active in), audited. In the caller's transaction. */
static int record_base(struct desk *d, struct ac_err *err)
{
	const char *text = d->base_text;
	size_t n = d->base_text_n;
	struct ac_str h = S(d->base->version);
	int rc;

	if (!text)
		text = builtin_text(d->base, &n);
	if (!text)      /* a policy without its file: decide, keep nothing */
		return 0;
	if ((rc = store_put_policy(d->store, h, (struct ac_str){ text, n },
				   desk_now(d), err)) ||
	    (rc = store_activate_policy(d->store, h, desk_now(d),
					S("system"), err)))
		return rc;
	struct record_field after[] = { RECORD_S("policy", h) };

	return desk_audit_rec(d, "system", "policy.activate", "policy", h,
			      NULL, 0, after, 1, err);
}

int desk_policy_txn(struct desk *d, struct ac_err *err)
{
	char hash[STORE_POLICY_HASH_MAX];
	const struct policy *p;
	int rc = store_active_policy(d->store, hash, err);

	if (rc == AC_ENOTFOUND) {
		ac_err_clear(err);
		d->policy = d->base;
		return record_base(d, err);
	}
	if (rc)
		return rc;
	if (!strcmp(hash, d->policy->version))
		return 0;
	if (!(p = desk_policy_by_hash(d, hash, err)))
		return err->code ? err->code : AC_EIO;
	d->policy = p;
	return 0;
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void desk_policy_read(struct desk *d)
{
	char hash[STORE_POLICY_HASH_MAX];
	const struct policy *p;
	struct ac_err err;
	int64_t now = mono_us();

	if (d->policy_seen && now - d->policy_seen < 1000000)
		return;
	d->policy_seen = now;
	/* a read only follows: a failure leaves the policy in use */
	if (store_active_policy(d->store, hash, &err) == 0 &&
	    strcmp(hash, d->policy->version) &&
	    (p = desk_policy_by_hash(d, hash, &err)))
		d->policy = p;
}

int desk_policy_sync(struct desk *d, struct ac_err *err)
{
	int rc = desk_txn_begin(d, err);

	if (!rc)
		rc = desk_txn_commit(d, err);
	return rc ? desk_fail(d, rc) : 0;
}

/* desk_policy_of: the policy a stored decision names, when it is kept,
 * else the one in use (a decision made before versions were kept). */
const struct policy *desk_policy_of(struct desk *d, struct ac_str hash)
{
	char h[STORE_POLICY_HASH_MAX];
	const struct policy *p;
	struct ac_err err;

	if (hash.n != STORE_POLICY_HASH_MAX - 1)
		return d->policy;
	memcpy(h, hash.p, hash.n);
	h[hash.n] = '\0';
	p = desk_policy_by_hash(d, h, &err);
	return p ? p : d->policy;
}

int desk_policy_activate(struct desk *d, const char *actor, const char *text,
			 size_t n, const char *expect_hash,
			 struct desk_policy_activation *out,
			 struct desk_policy_problems *probs, struct ac_err *err)
{
	struct policy_file *pf;
	const struct policy *p;
	char old[STORE_POLICY_HASH_MAX];
	int rc;

	memset(out, 0, sizeof *out);
	if (!(pf = parse(text, n, probs, err)))
		return err->code;
	p = policy_file_policy(cache_take(pf));
	snprintf(out->new_hash, sizeof out->new_hash, "%s", p->version);
	if (expect_hash && strcmp(expect_hash, p->version))
		return ac_err_set(err, AC_ECONFLICT, "policy.hash",
				  "the text is not the one previewed "
				  "(%.20s, not %.20s)", p->version,
				  expect_hash);
	if ((rc = desk_txn_begin(d, err)))
		return rc;
	/* desk_txn_begin looked the active one up (and recorded the
	 * desk's own if none was) */
	rc = store_active_policy(d->store, old, err);
	if (rc == AC_ENOTFOUND) {       /* a policy kept without its text */
		ac_err_clear(err);
		old[0] = '\0';
		rc = 0;
	}
	snprintf(out->old_hash, sizeof out->old_hash, "%s", old);
	if (!rc && !strcmp(old, p->version)) {
		rc = desk_txn_commit(d, err);
		return rc ? desk_fail(d, rc) : 0;
	}
	if (!rc)
		rc = store_put_policy(d->store, S(p->version),
				      (struct ac_str){ text, n }, desk_now(d),
				      err);
	if (!rc)
		rc = store_activate_policy(d->store, S(p->version),
					   desk_now(d), S(actor), err);
	if (!rc) {
		struct record_field before[] = { RECORD_S("policy", S(old)) },
				    after[] = {
					RECORD_S("policy", S(p->version)) };

		rc = desk_audit_rec(d, actor, "policy.activate", "policy",
				    S(p->version), before, old[0] ? 1 : 0,
				    after, 1, err);
	}
	if (!rc)
		rc = desk_txn_commit(d, err);
	if (rc)
		return desk_fail(d, rc);
	d->policy = p;
	out->changed = true;
	return 0;
}

int desk_policy_preview(struct desk *d, const char *text, size_t n,
			const struct replay_filter *f,
			const struct replay_hooks *h,
			struct replay_report *out,
			char hash_out[DESK_POLICY_HASH_MAX],
			struct desk_policy_problems *probs, struct ac_err *err)
{
	static const struct replay_filter all;
	struct policy_file *pf = parse(text, n, probs, err);
	int rc;

	hash_out[0] = '\0';
	if (!pf)
		return err->code;
	snprintf(hash_out, DESK_POLICY_HASH_MAX, "%s",
		 policy_file_policy(pf)->version);
	rc = replay_run(d->store, policy_file_policy(pf), f ? f : &all, h,
			out, err);
	policy_file_free(pf);
	return rc;
}

/* ---- listing ---------------------------------------------------------- */

static void version_of(const struct store_policy *sp,
		       struct desk_policy_version *v)
{
	*v = (struct desk_policy_version){
		.hash = sp->hash, .text = sp->body,
		.activated_by = sp->activated_by,
		.created_at = sp->created_at,
		.activated = sp->activated, .active = sp->active,
		.activated_at = sp->activated_at,
	};
}

int desk_policy_get(struct desk *d, const char *hash,
		    struct desk_policy_version *out, struct ac_err *err)
{
	char active[STORE_POLICY_HASH_MAX];
	int rc;

	memset(out, 0, sizeof *out);
	if (!hash) {
		if ((rc = store_active_policy(d->store, active, err)))
			return rc;
		hash = active;
	}
	store_policy_release(&d->v_pol);
	memset(&d->v_pol, 0, sizeof d->v_pol);
	if ((rc = store_get_policy(d->store, S(hash), &d->v_pol, err)))
		return rc;
	version_of(&d->v_pol, out);
	return 0;
}

int desk_policy_list(struct desk *d, struct desk_policy_versions *out,
		     struct ac_err *err)
{
	int rc;

	out->n = 0;
	out->versions = d->v_versions;
	if (!d->v_pols)
		d->v_pols = xcalloc(1, sizeof *d->v_pols);
	store_policy_page_release(d->v_pols);
	memset(d->v_pols, 0, sizeof *d->v_pols);
	if ((rc = store_list_policies(d->store, DESK_PAGE_MAX, d->v_pols,
				      err)))
		return rc;
	for (int i = 0; i < d->v_pols->n && i < DESK_PAGE_MAX; i++)
		version_of(&d->v_pols->rows[i], &d->v_versions[i]);
	out->n = d->v_pols->n;
	return 0;
}

void desk_policy_release(struct desk *d)
{
	store_policy_release(&d->v_pol);
	if (d->v_pols)
		store_policy_page_release(d->v_pols);
	free(d->v_pols);
	d->v_pols = NULL;
}
