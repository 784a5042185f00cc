/* outbox.c: the outbox and its workers (desk layer).
 * Rows are added in the change's transaction (desk_outbox_add and the
 * mail events), claimed by workers that hand them to a handler per kind,
 * and finished in a statement of their own (see outbox.h for the
 * at-least-once window and why a repeat is recognisable). */
#include "outbox.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "desk_int.h"

/* ---- adding, in the change's transaction ------------------------------ */

int desk_outbox_add(struct desk *d, const struct desk_outbox_msg *m,
		    int64_t *id, struct ac_err *err)
{
	int64_t now = desk_now(d);
	struct store_outbox row = {
		.kind = S(m->kind),
		.case_id = m->case_id,
		.ref = m->ref,
		.dedupe = m->dedupe,
		.payload_json = m->payload_json,
		.next_at = m->not_before > now ? m->not_before : now,
		.created_at = now,
	};

	if (!store_in_transaction(d->store))
		return ac_err_set(err, AC_ESTATE, "outbox", "a message is "
				  "added in the transaction of its change");
	return store_outbox_add(d->store, &row, id, err);
}

static const char *const mail_events[MAIL_EVENT_COUNT] = {
	"case_opened", "decision_changed", "refund_made", "repair_quote",
	"deadline_near",
};

const char *desk_mail_event_name(enum desk_mail_event e)
{
	if ((int)e < 0 || e >= MAIL_EVENT_COUNT)
		return NULL;
	return mail_events[e];
}

int desk_mail_event_parse(const char *s, size_t n, enum desk_mail_event *out)
{
	for (int i = 0; i < MAIL_EVENT_COUNT; i++)
		if (strlen(mail_events[i]) == n &&
		    !memcmp(mail_events[i], s, n)) {
			*out = (enum desk_mail_event)i;
			return 0;
		}
	return AC_EINVAL;
}

int desk_outbox_mail(struct desk *d, enum desk_mail_event ev,
		     struct ac_str case_id, const struct desk_mail_facts *f,
		     const char *key, struct ac_err *err)
{
	struct record_field r[8];
	char dedupe[STORE_OUTBOX_KEY_MAX + 1];
	struct buf payload;
	int n = 0, rc;

	if (!desk_mail_event_name(ev))
		return ac_err_set(err, AC_EINVAL, "outbox.event",
				  "not a mail event");
	r[n++] = (struct record_field)RECORD_S("event",
					       S(desk_mail_event_name(ev)));
	r[n++] = (struct record_field)RECORD_S("case_id", case_id);
	r[n++] = (struct record_field)RECORD_S("order_id", f->order_id);
	if (f->verdict)
		r[n++] = (struct record_field)RECORD_S("verdict",
						       S(f->verdict));
	if (f->has_amount) {
		r[n++] = (struct record_field)RECORD_I("amount_minor",
						       f->amount_minor);
		r[n++] = (struct record_field)RECORD_S("currency",
						       S(f->currency));
	}
	if (f->expires_at)
		r[n++] = (struct record_field)RECORD_I("expires_at",
						       f->expires_at);
	if (f->deadline)
		r[n++] = (struct record_field)RECORD_I("deadline",
						       f->deadline);
	snprintf(dedupe, sizeof dedupe, "mail:%s:%.*s%s%s",
		 desk_mail_event_name(ev), (int)case_id.n, case_id.p,
		 key && *key ? ":" : "", key ? key : "");
	buf_init(&payload, STORE_OUTBOX_PAYLOAD_MAX);
	if (record_json_write(r, n, &payload) || buf_error(&payload)) {
		rc = ac_err_set(err, AC_ELIMIT, "outbox.payload_json",
				"larger than %u bytes",
				STORE_OUTBOX_PAYLOAD_MAX);
	} else {
		struct desk_outbox_msg m = {
			.kind = "mail",
			.case_id = case_id,
			.dedupe = S(dedupe),
			.payload_json = { payload.p, payload.len },
		};

		rc = desk_outbox_add(d, &m, NULL, err);
	}
	buf_release(&payload);
	return rc;
}

int desk_outbox_deadlines(struct desk *d, int64_t within_s, int *added,
			  struct ac_err *err)
{
	int64_t now = desk_now(d), until = now + within_s * AC_US_PER_S;
	struct store_due_filter f = { .before = until, .limit = 100 };
	struct store_case_page *page = xcalloc(1, sizeof *page);
	int rc = 0, count = 0;

	/* at most ten pages a call: the next tick takes the rest */
	for (int pages = 0; pages < 10 && !rc; pages++) {
		rc = store_list_due(d->store, &f, page, err);
		if (rc)
			break;
		rc = desk_txn_begin(d, err);
		for (int i = 0; i < page->n && !rc; i++) {
			struct store_case_row *row = &page->rows[i];
			char key[32];
			struct desk_mail_facts mf = {
				.order_id = row->order_id,
				.deadline = row->deadline,
			};

			if (!row->has_deadline || row->deadline <= now ||
			    row->deadline > until)
				continue;
			/* opened when it was near already: the opening's
			 * mail said so */
			if (row->created_at >=
			    row->deadline - within_s * AC_US_PER_S)
				continue;
			snprintf(key, sizeof key, "%" PRId64, row->deadline);
			rc = desk_outbox_mail(d, MAIL_DEADLINE_NEAR, row->id,
					      &mf, key, err);
			if (!rc)
				count++;
		}
		if (!rc)
			rc = desk_txn_commit(d, err);
		if (rc) {
			desk_fail(d, rc);
			break;
		}
		if (!page->more || page->n == 0)
			break;
		f.has_after = true;
		f.after_due = page->rows[page->n - 1].due_at;
		f.after_seq = page->rows[page->n - 1].seq;
		store_case_page_release(page);
		memset(page, 0, sizeof *page);
	}
	store_case_page_release(page);
	free(page);
	if (added)
		*added = count;
	return rc;
}

/* ---- staff ------------------------------------------------------------ */

static void item_of(struct desk_outbox_item *v, const struct store_outbox *r)
{
	*v = (struct desk_outbox_item){
		.id = r->id, .kind = r->kind, .case_id = r->case_id,
		.ref = r->ref, .dedupe = r->dedupe,
		.payload_json = r->payload_json,
		.status = store_outbox_status_name(r->status),
		.attempts = r->attempts, .next_at = r->next_at,
		.last_error = r->last_error, .created_at = r->created_at,
		.has_sent = r->has_sent, .sent_at = r->sent_at,
	};
}

int desk_outbox_list(struct desk *d, const char *status, const char *case_id,
		     int64_t after_id, int limit, struct desk_outbox_list *out,
		     struct ac_err *err)
{
	struct store_outbox_filter f = { .after_id = after_id };
	struct store_outbox_page *page;
	int rc;

	memset(out, 0, sizeof *out);
	if (limit == 0)
		limit = 50;
	if (limit < 1 || limit > DESK_OUTBOX_PAGE_MAX)
		return ac_err_set(err, AC_EINVAL, "limit",
				  "not a number from 1 to %d",
				  DESK_OUTBOX_PAGE_MAX);
	if (status) {
		if (store_outbox_status_parse(status, strlen(status),
					      &f.status))
			return ac_err_set(err, AC_EINVAL, "status", "not one "
					  "of pending, sending, sent, dead, "
					  "failed");
		f.has_status = true;
	}
	if (!status && !case_id)
		return ac_err_set(err, AC_EINVAL, "status",
				  "give a status or a case");
	f.case_id = S(case_id);
	f.limit = limit;
	page = xcalloc(1, sizeof *page);
	out->impl = page;
	rc = store_list_outbox(d->store, &f, page, err);
	if (rc)
		return rc;
	out->n = page->n;
	out->more = page->more;
	for (int i = 0; i < page->n; i++)
		item_of(&out->rows[i], &page->rows[i]);
	return 0;
}

void desk_outbox_list_release(struct desk_outbox_list *l)
{
	if (l->impl) {
		store_outbox_page_release(l->impl);
		free(l->impl);
	}
	memset(l, 0, sizeof *l);
}

int desk_outbox_retry(struct desk *d, const char *actor, int64_t id,
		      struct ac_err *err)
{
	char ids[24];
	int rc;

	snprintf(ids, sizeof ids, "%" PRId64, id);
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_outbox_retry(d->store, id, desk_now(d), err);
	if (rc == AC_ENOTFOUND)
		ac_err_set(err, rc, "id", "no such message: %s", ids);
	if (!rc)
		rc = desk_audit(d, actor, "outbox.retry", "outbox", S(ids),
				NULL, NULL, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_outbox_depth(struct desk *d, struct desk_outbox_depth *out,
		      struct ac_err *err)
{
	struct store_outbox_depth sd;
	int rc;

	_Static_assert(sizeof out->kinds / sizeof out->kinds[0] ==
		       STORE_OUTBOX_DEPTH_MAX, "a depth per kind");
	memset(out, 0, sizeof *out);
	rc = store_outbox_depth(d->store, &sd, err);
	if (rc)
		return rc;
	out->n = sd.n;
	for (int i = 0; i < sd.n; i++) {
		memcpy(out->kinds[i].kind, sd.kinds[i].kind,
		       sizeof out->kinds[i].kind);
		out->kinds[i].pending = sd.kinds[i].pending;
		out->kinds[i].sending = sd.kinds[i].sending;
		out->kinds[i].dead = sd.kinds[i].dead;
		out->kinds[i].failed = sd.kinds[i].failed;
	}
	return 0;
}

int desk_bounce_put(struct desk *d, struct ac_str case_id,
		    struct ac_str address, struct ac_str reason,
		    struct ac_err *err)
{
	struct store_bounce b = {
		.case_id = case_id, .address = address, .reason = reason,
		.at = desk_now(d),
	};
	struct record_field after[] = {
		RECORD_S("address", address),
		RECORD_S("reason", reason),
	};
	int rc;

	if (reason.n > 1024)
		b.reason.n = 1024;
	rc = desk_txn_begin(d, err);
	if (!rc)
		rc = store_put_bounce(d->store, &b, err);
	if (!rc)
		rc = desk_audit_rec(d, "system", "mail.bounce", "case",
				    case_id, NULL, 0, after, 2, err);
	if (!rc)
		rc = desk_txn_commit(d, err);
	return rc ? desk_fail(d, rc) : 0;
}

int desk_bounce_get(struct desk *d, const char *case_id,
		    struct desk_bounce *out, struct ac_err *err)
{
	struct store_bounce b = { 0 };
	int rc;

	memset(out, 0, sizeof *out);
	rc = store_get_bounce(d->store, S(case_id), &b, err);
	if (rc == AC_ENOTFOUND) {
		ac_err_clear(err);
		return 0;
	}
	if (!rc) {
		out->bounced = true;
		snprintf(out->address, sizeof out->address, "%.*s",
			 (int)b.address.n, b.address.p);
		snprintf(out->reason, sizeof out->reason, "%.*s",
			 (int)b.reason.n, b.reason.p);
		out->at = b.at;
	}
	store_bounce_release(&b);
	return rc;
}

/* ---- the workers ------------------------------------------------------- */

struct worker {
	struct outbox *ob;
	struct desk *d;
	pthread_t th;
	int index;
	bool running;
};

struct outbox {
	struct outbox_config cfg;
	struct outbox_kind kinds[OUTBOX_KINDS_MAX];
	int n_kinds;
	struct worker *w;
	int n_w;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	unsigned kicks;
	/* SQLite has one writer: the workers take turns at their writes
	 * here, where a waiter wakes at once, instead of in SQLite's busy
	 * handler, which sleeps 1, 2, 5, 10 .. ms between looks */
	pthread_mutex_t write_mu;
};

/* ob_write_begin/end bracket a worker's write on a SQLite store. */
static bool ob_write_begin(struct outbox *ob, struct desk *d)
{
	if (strcmp(store_backend_name(d->store), "sqlite"))
		return false;
	pthread_mutex_lock(&ob->write_mu);
	return true;
}

static void ob_write_end(struct outbox *ob, bool locked)
{
	if (locked)
		pthread_mutex_unlock(&ob->write_mu);
}

int64_t outbox_backoff_us(int attempt, int64_t base_us, int64_t cap_us,
			  uint32_t rnd)
{
	int64_t d = base_us, half;

	if (base_us <= 0 || cap_us <= 0)
		return 0;
	for (int i = 1; i < attempt && d < cap_us; i++)
		d = d > cap_us / 2 ? cap_us : d * 2;
	if (d > cap_us)
		d = cap_us;
	half = d / 2;
	return half + (int64_t)(rnd % (uint64_t)(d - half + 1));
}

void outbox_message_id(char *out, size_t n, int64_t id, struct ac_str dedupe,
		       const char *domain)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof h + 1];

	crypto_hash_sha256(h, (const unsigned char *)dedupe.p, dedupe.n);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(out, n, "<aftercare.%" PRId64 ".%.16s@%s>", id, hex,
		 domain && *domain ? domain : "aftercare.invalid");
}

int outbox_new(const struct outbox_config *cfg, struct outbox **out,
	       struct ac_err *err)
{
	struct outbox *ob;

	if (cfg->workers < 0 || cfg->workers > 64)
		return ac_err_set(err, AC_EINVAL, "workers",
				  "not a number from 1 to 64");
	if (cfg->max_attempts < 0 || cfg->batch < 0 || cfg->base_us < 0 ||
	    cfg->cap_us < 0 || cfg->lease_us < 0 || cfg->poll_us < 0 ||
	    cfg->tick_us < 0)
		return ac_err_set(err, AC_EINVAL, "outbox",
				  "a negative setting");
	if (sodium_init() < 0)
		return ac_err_set(err, AC_EIO, "outbox",
				  "libsodium failed to initialise");
	ob = xcalloc(1, sizeof *ob);
	ob->cfg = *cfg;
	if (!ob->cfg.workers)
		ob->cfg.workers = OUTBOX_WORKERS;
	if (!ob->cfg.max_attempts)
		ob->cfg.max_attempts = OUTBOX_ATTEMPTS;
	if (!ob->cfg.base_us)
		ob->cfg.base_us = OUTBOX_BASE_US;
	if (!ob->cfg.cap_us)
		ob->cfg.cap_us = OUTBOX_CAP_US;
	if (!ob->cfg.lease_us)
		ob->cfg.lease_us = OUTBOX_LEASE_US;
	if (!ob->cfg.poll_us)
		ob->cfg.poll_us = OUTBOX_POLL_US;
	if (!ob->cfg.tick_us)
		ob->cfg.tick_us = OUTBOX_TICK_US;
	if (!ob->cfg.batch)
		ob->cfg.batch = OUTBOX_BATCH;
	pthread_mutex_init(&ob->mu, NULL);
	pthread_cond_init(&ob->cv, NULL);
	pthread_mutex_init(&ob->write_mu, NULL);
	*out = ob;
	return 0;
}

int outbox_register(struct outbox *ob, const struct outbox_kind *k,
		    struct ac_err *err)
{
	size_t n = k->kind ? strlen(k->kind) : 0;

	if (n == 0 || n > STORE_OUTBOX_KIND_MAX ||
	    strspn(k->kind, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		return ac_err_set(err, AC_EINVAL, "kind",
				  "not 1 to 32 bytes of a-z, 0-9 and _");
	if (!k->send)
		return ac_err_set(err, AC_EINVAL, "kind", "%s: no send",
				  k->kind);
	for (int i = 0; i < ob->n_kinds; i++)
		if (!strcmp(ob->kinds[i].kind, k->kind))
			return ac_err_set(err, AC_EINVAL, "kind",
					  "%s: registered already", k->kind);
	if (ob->n_kinds == OUTBOX_KINDS_MAX)
		return ac_err_set(err, AC_ELIMIT, "kind", "more than %d kinds",
				  OUTBOX_KINDS_MAX);
	ob->kinds[ob->n_kinds++] = *k;
	return 0;
}

/* finish records what the handler said of a claimed row, inside the
 * caller's transaction (a failed record is undone alone). */
static void finish(struct outbox *ob, struct desk *d,
		   const struct store_outbox *row, enum outbox_result r,
		   const char *why, int64_t now)
{
	enum store_outbox_status to = STORE_OUTBOX_SENT;
	int64_t next = now;
	char msg[STORE_OUTBOX_ERROR_MAX];
	struct ac_err err;
	int rc;

	snprintf(msg, sizeof msg, "%s", why && *why ? why : "no reason given");
	switch (r) {
	case OUTBOX_SENT:
		msg[0] = '\0';
		break;
	case OUTBOX_RETRY:
		if (row->attempts >= ob->cfg.max_attempts) {
			to = STORE_OUTBOX_DEAD;
			snprintf(msg, sizeof msg, "gave up after %d attempts: "
				 "%s", row->attempts, why && *why ? why :
				 "no reason given");
			break;
		}
		to = STORE_OUTBOX_PENDING;
		next = now + outbox_backoff_us(row->attempts, ob->cfg.base_us,
					       ob->cfg.cap_us,
					       randombytes_random());
		break;
	case OUTBOX_DEAD:
		to = STORE_OUTBOX_DEAD;
		break;
	case OUTBOX_FAILED:
		to = STORE_OUTBOX_FAILED;
		break;
	}
	ac_err_clear(&err);
	rc = store_outbox_finish(d->store, row->id, row->attempts, to, next,
				 S(msg), now, &err);
	if (rc)     /* the lease ran out, or the database: sent again later */
		fprintf(stderr, "aftercare: outbox: %.*s %" PRId64 ": cannot "
			"record it %s: %s: %s\n", (int)row->kind.n,
			row->kind.p, row->id, store_outbox_status_name(to),
			err.field, err.msg);
	else if (to == STORE_OUTBOX_DEAD || to == STORE_OUTBOX_FAILED)
		fprintf(stderr, "aftercare: outbox: %.*s %" PRId64 " %s: %s\n",
			(int)row->kind.n, row->kind.p, row->id,
			store_outbox_status_name(to), msg);
}

/* finish_page records what came of a claimed page's rows in one
 * transaction: one commit (one fsync) for the page rather than one a row.
 * A commit that fails leaves the rows leased: they are sent again when
 * the lease runs out, as after a crash (outbox.h's window, a page wide). */
static void finish_page(struct outbox *ob, struct desk *d,
			const struct store_outbox_page *page,
			const enum outbox_result *res, char (*why)[512])
{
	int64_t now = desk_now(d);
	bool locked = ob_write_begin(ob, d);
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = store_begin(d->store, &err);
	for (int i = 0; i < page->n && !rc; i++)
		finish(ob, d, &page->rows[i], res[i], why[i], now);
	if (!rc && (rc = store_commit(d->store, &err)))
		store_rollback(d->store, NULL);
	ob_write_end(ob, locked);
	if (rc)
		fprintf(stderr, "aftercare: outbox: cannot record %d sent "
			"rows (sent again when their lease runs out): %s: "
			"%s\n", page->n, err.field, err.msg);
}

int outbox_run_once(struct outbox *ob, struct desk *d, int *handled,
		    struct ac_err *err)
{
	struct store_outbox_page *page = xcalloc(1, sizeof *page);
	int rc = 0, count = 0;

	for (int k = 0; k < ob->n_kinds && !rc; k++) {
		const struct outbox_kind *kind = &ob->kinds[k];
		int64_t now = desk_now(d);
		bool locked = ob_write_begin(ob, d);
		enum outbox_result *res;
		char (*why)[512];

		rc = store_outbox_claim(d->store, S(kind->kind), now,
					now + ob->cfg.lease_us, ob->cfg.batch,
					page, err);
		ob_write_end(ob, locked);
		res = xcalloc((size_t)page->n + 1, sizeof *res);
		why = xcalloc((size_t)page->n + 1, sizeof *why);
		for (int i = 0; i < page->n && !rc; i++) {
			const struct store_outbox *row = &page->rows[i];
			struct outbox_item it = {
				.id = row->id, .kind = kind->kind,
				.case_id = row->case_id, .ref = row->ref,
				.dedupe = row->dedupe,
				.payload_json = row->payload_json,
				.attempt = row->attempts,
				.created_at = row->created_at,
			};

			res[i] = kind->send(kind->ctx, d, &it, why[i],
					    sizeof why[i]);
			count++;
		}
		if (!rc && page->n)
			finish_page(ob, d, page, res, why);
		free(res);
		free(why);
		store_outbox_page_release(page);
		memset(page, 0, sizeof *page);
	}
	free(page);
	if (handled)
		*handled = count;
	return rc;
}

/* wait_idle sleeps until poll_us have passed, a kick or a stop. */
static void wait_idle(struct outbox *ob, unsigned *seen)
{
	struct timespec ts;
	int64_t ns;

	pthread_mutex_lock(&ob->mu);
	if (!ob->stop && *seen == ob->kicks) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ns = ts.tv_nsec + (ob->cfg.poll_us % 1000000) * 1000;
		ts.tv_sec += (time_t)(ob->cfg.poll_us / 1000000 +
				      ns / 1000000000);
		ts.tv_nsec = (long)(ns % 1000000000);
		pthread_cond_timedwait(&ob->cv, &ob->mu, &ts);
	}
	*seen = ob->kicks;
	pthread_mutex_unlock(&ob->mu);
}

static bool stopping(struct outbox *ob)
{
	bool s;

	pthread_mutex_lock(&ob->mu);
	s = ob->stop;
	pthread_mutex_unlock(&ob->mu);
	return s;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct outbox *ob = w->ob;
	int64_t next_tick = 0;
	unsigned seen = 0;
	bool failing = false;

	while (!stopping(ob)) {
		struct ac_err err;
		int n = 0, rc;

		if (w->index == 0 && desk_now(w->d) >= next_tick) {
			for (int k = 0; k < ob->n_kinds; k++)
				if (ob->kinds[k].tick)
					ob->kinds[k].tick(ob->kinds[k].ctx,
							  w->d);
			next_tick = desk_now(w->d) + ob->cfg.tick_us;
		}
		ac_err_clear(&err);
		rc = outbox_run_once(ob, w->d, &n, &err);
		if (rc && !failing)
			fprintf(stderr, "aftercare: outbox: %s: %s (trying "
				"again)\n", err.field, err.msg);
		failing = rc != 0;
		if (rc || n == 0)
			wait_idle(ob, &seen);
	}
	for (int k = 0; k < ob->n_kinds; k++)
		if (ob->kinds[k].thread_done)
			ob->kinds[k].thread_done(ob->kinds[k].ctx);
	return NULL;
}

int outbox_start(struct outbox *ob, struct ac_err *err)
{
	int rc = 0;

	if (ob->w)
		return ac_err_set(err, AC_ESTATE, "outbox", "started already");
	ob->w = xcalloc((size_t)ob->cfg.workers, sizeof *ob->w);
	ob->n_w = ob->cfg.workers;
	ob->stop = false;
	for (int i = 0; i < ob->n_w && !rc; i++) {
		struct worker *w = &ob->w[i];

		w->ob = ob;
		w->index = i;
		rc = ob->cfg.open_desk(ob->cfg.desk_ctx, &w->d, err);
		if (!rc && pthread_create(&w->th, NULL, work, w))
			rc = ac_err_set(err, AC_EIO, "outbox",
					"cannot start a worker thread");
		w->running = rc == 0;
	}
	if (rc)
		outbox_stop(ob);
	return rc;
}

void outbox_kick(struct outbox *ob)
{
	if (!ob)
		return;
	pthread_mutex_lock(&ob->mu);
	ob->kicks++;
	pthread_cond_broadcast(&ob->cv);
	pthread_mutex_unlock(&ob->mu);
}

void outbox_stop(struct outbox *ob)
{
	if (!ob || !ob->w)
		return;
	pthread_mutex_lock(&ob->mu);
	ob->stop = true;
	pthread_cond_broadcast(&ob->cv);
	pthread_mutex_unlock(&ob->mu);
	for (int i = 0; i < ob->n_w; i++) {
		struct worker *w = &ob->w[i];

		if (w->running)
			pthread_join(w->th, NULL);
		if (w->d)
			ob->cfg.close_desk(ob->cfg.desk_ctx, w->d);
	}
	free(ob->w);
	ob->w = NULL;
	ob->n_w = 0;
}

void outbox_free(struct outbox *ob)
{
	if (!ob)
		return;
	outbox_stop(ob);
	pthread_mutex_destroy(&ob->mu);
	pthread_cond_destroy(&ob->cv);
	pthread_mutex_destroy(&ob->write_mu);
	free(ob);
}
