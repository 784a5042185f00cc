/* replay.c: the stored cases decided again under another policy (desk).
 * A pipeline over a fixed ring of chunks: a reader thread streams the
 * cases with their current decisions out of the store into chunks, worker
 * threads decide each chunk's stored facts under the new policy, and the
 * calling thread takes the chunks back in order, adds them to the report
 * and calls the hooks. Nothing is written. */
#define _GNU_SOURCE  /* memmem */
#include "replay.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../codec/codec.h"
#include "../store/store.h"

#define CHUNK_ROWS 256                 /* cases per chunk, at most */
#define CHUNK_BYTES (1u << 20)         /* stored bytes per chunk, about */
#define STOPPED 1                      /* the reader's callback: stop */

/* ---- the report's arithmetic ------------------------------------------ */

void replay_report_init(struct replay_report *r, const char *version)
{
	memset(r, 0, sizeof *r);
	snprintf(r->policy, sizeof r->policy, "%s", version ? version : "");
}

int replay_clause(const struct decision *d)
{
	return d->n_clauses > 0 ? (int)d->clauses[0] : REPLAY_NO_CLAUSE;
}

static bool has_need(const struct decision *d, enum need n)
{
	for (int i = 0; i < d->n_needs; i++)
		if (d->needs[i] == n)
			return true;
	return false;
}

static bool same_currency(const struct decision *a,
			  const struct decision *b)
{
	return a->currency == b->currency ||
	       !strcmp(a->currency->code, b->currency->code);
}

/* with_quote: after as the desk would store it once the quote before
 * shows was accepted (desk.c's apply_quote; warranty.3) */
static void with_quote(struct decision *a, const struct decision *before)
{
	int k = 0;

	a->charge_minor = before->charge_minor;
	for (int i = 0; i < a->n_needs; i++)
		if (a->needs[i] != NEED_REPAIR_QUOTE)
			a->needs[k++] = a->needs[i];
	a->n_needs = k;
	for (int i = 0; i < a->n_remedies; i++)
		if (a->remedies[i].type == REMEDY_REPAIR)
			a->remedies[i].amount_minor = before->charge_minor;
}

bool replay_changed(const struct decision *before,
		    const struct decision *after)
{
	struct decision a = *after;
	const struct decision *b = before;

	/* a paid repair's charge is the facts' (a material's cost rise) or
	 * the quote's, never the policy's: one the stored decision no
	 * longer waits for is taken as the quote the desk applied */
	if (b->verdict == VERDICT_PAID_REPAIR &&
	    a.verdict == VERDICT_PAID_REPAIR &&
	    !has_need(b, NEED_REPAIR_QUOTE))
		with_quote(&a, b);
	if (a.verdict != b->verdict || !same_currency(&a, b) ||
	    a.refund_max_minor != b->refund_max_minor ||
	    a.charge_minor != b->charge_minor ||
	    a.n_clauses != b->n_clauses || a.n_remedies != b->n_remedies ||
	    a.n_needs != b->n_needs || a.has_deadline != b->has_deadline ||
	    (a.has_deadline && a.deadline != b->deadline))
		return true;
	for (int i = 0; i < a.n_clauses; i++)
		if (a.clauses[i] != b->clauses[i])
			return true;
	for (int i = 0; i < a.n_needs; i++)
		if (a.needs[i] != b->needs[i])
			return true;
	for (int i = 0; i < a.n_remedies; i++) {
		const struct remedy *x = &a.remedies[i], *y = &b->remedies[i];

		if (x->type != y->type || x->cost_bearer != y->cost_bearer ||
		    x->amount_minor != y->amount_minor)
			return true;
	}
	return false;
}

void replay_report_count(struct replay_report *r, struct ac_str policy)
{
	for (int i = 0; i < r->n_policies; i++) {
		const char *h = r->policies[i].hash;

		if (strlen(h) == policy.n && !memcmp(h, policy.p, policy.n)) {
			r->policies[i].cases++;
			return;
		}
	}
	if (r->n_policies == REPLAY_POLICIES_MAX ||
	    policy.n >= sizeof r->policies[0].hash) {
		r->policies_other++;
		return;
	}
	struct replay_policy_count *pc = &r->policies[r->n_policies++];

	memcpy(pc->hash, policy.p, policy.n);
	pc->hash[policy.n] = '\0';
	pc->cases = 1;
}

/* money_slot: the index of c's entry in r (added when *n_money allows),
 * or -1 when the report holds REPLAY_CURRENCIES_MAX already */
static int money_slot(struct replay_report *r, int *n_money,
		      const struct currency *c)
{
	for (int i = 0; i < r->n_money; i++)   /* the entries kept so far */
		if (r->money[i].currency == c ||
		    !strcmp(r->money[i].currency->code, c->code))
			return i;
	if (*n_money == REPLAY_CURRENCIES_MAX)
		return -1;
	return (*n_money)++;
}

int replay_report_add(struct replay_report *r, const struct decision *before,
		      const struct decision *after, bool changed,
		      struct ac_err *err)
{
	int n_money = r->n_money;
	int bi = money_slot(r, &n_money, before->currency);
	int ai = bi < 0 ? -1 : same_currency(before, after) ? bi :
		 money_slot(r, &n_money, after->currency);
	int cb = replay_clause(before), ca = replay_clause(after);

	if (bi < 0 || ai < 0)
		return ac_err_set(err, AC_ELIMIT, "currency", "more than %d "
				  "currencies in one replay",
				  REPLAY_CURRENCIES_MAX);
	/* work on copies: r stays as it was if a total would overflow */
	struct replay_money mb = r->money[bi], ma;

	if (bi >= r->n_money) {
		memset(&mb, 0, sizeof mb);
		mb.currency = before->currency;
	}
	bool ok = money_add(&mb.before_minor, before->refund_max_minor) &&
		  money_add(&mb.clause_before_minor[cb],
			    before->refund_max_minor);

	if (ai == bi) {
		ma = mb;
	} else {
		ma = r->money[ai];
		if (ai >= r->n_money) {
			memset(&ma, 0, sizeof ma);
			ma.currency = after->currency;
		}
	}
	ok = ok && money_add(&ma.after_minor, after->refund_max_minor) &&
	     money_add(&ma.clause_after_minor[ca], after->refund_max_minor);
	if (!ok)
		return ac_err_set(err, AC_ELIMIT, "refund_max_minor",
				  "a replay's money total passes %lld",
				  (long long)INT64_MAX);
	if (ai != bi)
		r->money[bi] = mb;
	r->money[ai] = ma;
	r->n_money = n_money;
	r->cases++;
	if (changed)
		r->changed++;
	r->verdicts[before->verdict][after->verdict]++;
	r->clauses[cb][ca]++;
	return 0;
}

/* ---- the pipeline ----------------------------------------------------- */

enum outcome { OUT_SAME, OUT_CHANGED, OUT_OVERRIDDEN, OUT_FAILED };

/* One case as read (offsets into the chunk's bytes) and what became of
 * it. */
struct row {
	size_t id, id_n, pol, pol_n, dj, dj_n, facts, facts_n;
	enum case_status status;
	enum claim_type claim_type;
	int64_t opened_at, decided_at;
	enum outcome out;
	struct decision before, after;
	size_t aj, aj_n;                  /* after_json in the chunk's out */
	struct ac_err err;                /* OUT_FAILED: why */
};

enum chunk_state { CH_FREE, CH_FILLED, CH_BUSY, CH_DONE };

struct chunk {
	enum chunk_state state;
	long seq;
	int n;
	struct row rows[CHUNK_ROWS];
	char *bytes;
	size_t len, alloc;
	struct buf out;
};

struct run {
	const struct policy *policy;
	struct store *store;
	struct store_replay_filter sf;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int n_chunks;
	struct chunk *chunks;
	long next_fill, next_work, next_emit;
	bool eof;                         /* the reader is done */
	bool stop;                        /* the caller stops the run */
	struct chunk *cur;                /* the reader's, being filled */
	int read_rc;
	struct ac_err read_err;
};

static void add_bytes(struct chunk *ch, struct ac_str s, size_t *off,
		      size_t *n)
{
	if (ch->len + s.n + 1 > ch->alloc) {
		while (ch->len + s.n + 1 > ch->alloc)
			ch->alloc = ch->alloc ? ch->alloc * 2 : CHUNK_BYTES;
		ch->bytes = xrealloc(ch->bytes, ch->alloc);
	}
	*off = ch->len;
	*n = s.n;
	memcpy(ch->bytes + ch->len, s.p, s.n);
	ch->len += s.n;
	ch->bytes[ch->len++] = '\0';
}

/* publish hands the reader's chunk to the workers (mu held) */
static void publish(struct run *rn)
{
	struct chunk *ch = rn->cur;

	rn->cur = NULL;
	if (!ch)
		return;
	ch->seq = rn->next_fill++;
	ch->state = CH_FILLED;
	pthread_cond_broadcast(&rn->cv);
}

/* take_free waits for the chunk the reader fills next (mu held); NULL
 * when the run stops */
static struct chunk *take_free(struct run *rn)
{
	struct chunk *ch = &rn->chunks[rn->next_fill % rn->n_chunks];

	while (ch->state != CH_FREE && !rn->stop)
		pthread_cond_wait(&rn->cv, &rn->mu);
	if (rn->stop)
		return NULL;
	ch->n = 0;
	ch->len = 0;
	return ch;
}

static int on_row(void *arg, const struct store_replay_row *r)
{
	struct run *rn = arg;
	struct chunk *ch = rn->cur;

	if (!ch) {
		pthread_mutex_lock(&rn->mu);
		ch = rn->cur = take_free(rn);
		pthread_mutex_unlock(&rn->mu);
		if (!ch)
			return STOPPED;
	}
	struct row *w = &ch->rows[ch->n++];

	add_bytes(ch, r->case_id, &w->id, &w->id_n);
	add_bytes(ch, r->policy, &w->pol, &w->pol_n);
	add_bytes(ch, r->decision_json, &w->dj, &w->dj_n);
	add_bytes(ch, r->facts_json, &w->facts, &w->facts_n);
	w->status = r->status;
	w->claim_type = r->claim_type;
	w->opened_at = r->opened_at;
	w->decided_at = r->decided_at;
	if (ch->n == CHUNK_ROWS || ch->len >= CHUNK_BYTES) {
		pthread_mutex_lock(&rn->mu);
		publish(rn);
		pthread_mutex_unlock(&rn->mu);
	}
	return 0;
}

static void *reader(void *arg)
{
	struct run *rn = arg;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	rc = store_read_replay(rn->store, &rn->sf, on_row, rn, &err);
	pthread_mutex_lock(&rn->mu);
	if (rc && rc != STOPPED) {
		rn->read_rc = rc;
		rn->read_err = err;
	}
	if (rn->cur && rn->cur->n > 0 && !rn->stop)
		publish(rn);
	rn->eof = true;
	pthread_cond_broadcast(&rn->cv);
	pthread_mutex_unlock(&rn->mu);
	return NULL;
}

/* policy_at: where the member "policy" starts in a decision as
 * decision_json_write writes it (its last member, so the last match; a
 * string value cannot hold an unescaped quote), or n when it has none
 * or anything follows its value */
static size_t policy_at(const char *s, size_t n)
{
	static const char key[] = ",\"policy\":\"";
	const size_t k = sizeof key - 1;

	size_t q;

	if (n < k + 2 || s[n - 1] != '}' || s[n - 2] != '"')
		return n;
	for (q = n - 3; q >= k && s[q] != '"'; q--)  /* the value's start */
		;
	return q >= k && !memcmp(s + q - k + 1, key, k) ? q - k + 1 : n;
}

/* same_text: before and after are the same text but for the policy's
 * version: then they decide the same in everything */
static bool same_text(const char *b, size_t bn, const char *a, size_t an)
{
	size_t pb = policy_at(b, bn), pa = policy_at(a, an);

	return pb < bn && pb == pa && !memcmp(a, b, pa);
}

static void work_row(struct run *rn, struct chunk *ch, struct row *w,
		     struct case_reader *rd, struct ac_case *c,
		     struct buf *mem)
{
	const char *dj = ch->bytes + w->dj;
	struct decision_override ov;
	struct ac_err *err = &w->err;
	int rc = 0;

	ac_err_clear(err);
	/* an override's facts are none: known by its member (read below) */
	bool maybe_override = memmem(dj, w->dj_n, "\"override\"", 10);

	if (!maybe_override)
		rc = case_reader_read(rd, ch->bytes + w->facts, w->facts_n, c,
				      err);
	if (!maybe_override && !rc)
		rc = decide(rn->policy, c, &w->after, err);
	w->aj = ch->out.len;
	if (!maybe_override && !rc &&
	    decision_json_write(&w->after, &ch->out))
		rc = ac_err_set(err, AC_ELIMIT, "decision", "larger than its "
				"buffer");
	w->aj_n = ch->out.len - w->aj;
	if (!maybe_override && !rc &&
	    same_text(dj, w->dj_n, ch->out.p + w->aj, w->aj_n)) {
		/* the common case: the same decision; no need to read the
		 * stored one */
		w->before = w->after;
		w->out = OUT_SAME;
		ch->out.len = w->aj;
		goto out;
	}
	/* decided otherwise, an override, or a quote the desk applied:
	 * read the stored decision */
	if (!rc)
		rc = decision_record_read(dj, w->dj_n, &w->before, &ov, mem,
					  NULL, err);
	if (!rc && ov.present) {
		w->out = OUT_OVERRIDDEN;
		goto out;
	}
	if (!rc && maybe_override)
		rc = ac_err_set(err, AC_EINVAL, "override", "not an override");
	if (rc) {
		w->out = OUT_FAILED;
		goto out;
	}
	w->out = replay_changed(&w->before, &w->after) ? OUT_CHANGED :
							 OUT_SAME;
	if (w->out != OUT_CHANGED)
		ch->out.len = w->aj;
out:
	/* the strings borrow from mem and rd: the emitter sets them again */
	w->before.order = w->after.order = (struct ac_str){ "", 0 };
	w->before.policy = w->after.policy = NULL;
}

static void *worker(void *arg)
{
	struct run *rn = arg;
	struct case_reader *rd = case_reader_new();
	struct ac_case *c = xmalloc(sizeof *c);
	struct buf mem;

	buf_init(&mem, 1u << 20);
	pthread_mutex_lock(&rn->mu);
	for (;;) {
		struct chunk *ch = &rn->chunks[rn->next_work % rn->n_chunks];

		while (!rn->stop &&
		       !(ch->state == CH_FILLED && ch->seq == rn->next_work) &&
		       !(rn->eof && rn->next_work == rn->next_fill)) {
			pthread_cond_wait(&rn->cv, &rn->mu);
			ch = &rn->chunks[rn->next_work % rn->n_chunks];
		}
		if (rn->stop || !(ch->state == CH_FILLED &&
				  ch->seq == rn->next_work))
			break;
		ch->state = CH_BUSY;
		rn->next_work++;
		pthread_mutex_unlock(&rn->mu);
		buf_reset(&ch->out);
		for (int i = 0; i < ch->n; i++)
			work_row(rn, ch, &ch->rows[i], rd, c, &mem);
		pthread_mutex_lock(&rn->mu);
		ch->state = CH_DONE;
		pthread_cond_broadcast(&rn->cv);
	}
	pthread_mutex_unlock(&rn->mu);
	buf_release(&mem);
	free(c);
	case_reader_free(rd);
	return NULL;
}

static struct ac_str at(const struct chunk *ch, size_t off, size_t n)
{
	return (struct ac_str){ ch->bytes + off, n };
}

/* emit adds one decided chunk to the report and calls the hooks */
static int emit(struct run *rn, struct chunk *ch, struct buf *mem,
		const struct replay_hooks *h, struct replay_report *out,
		struct ac_err *err)
{
	for (int i = 0; i < ch->n; i++) {
		struct row *w = &ch->rows[i];
		int rc;

		replay_report_count(out, at(ch, w->pol, w->pol_n));
		if (w->out == OUT_OVERRIDDEN) {
			out->overridden++;
			continue;
		}
		if (w->out == OUT_FAILED) {
			if (out->failed++ == 0) {
				snprintf(out->failed_case,
					 sizeof out->failed_case, "%s",
					 ch->bytes + w->id);
				out->failed_err = w->err;
			}
			continue;
		}
		rc = replay_report_add(out, &w->before, &w->after,
				       w->out == OUT_CHANGED, err);
		if (rc)
			return rc;
		if (w->out != OUT_CHANGED || !h || !h->changed)
			continue;
		/* the before's strings again, and the after's */
		struct decision_override ov;
		struct ac_err e2;

		if (decision_record_read(ch->bytes + w->dj, w->dj_n,
					 &w->before, &ov, mem, NULL, &e2))
			continue;       /* read once already */
		w->after.order = w->before.order;
		w->after.policy = rn->policy->version;

		struct replay_case rcase = {
			.id = at(ch, w->id, w->id_n),
			.status = w->status,
			.claim_type = w->claim_type,
			.opened_at = w->opened_at,
			.decided_at = w->decided_at,
			.policy = at(ch, w->pol, w->pol_n),
			.before = &w->before,
			.after = &w->after,
			.before_json = at(ch, w->dj, w->dj_n),
			.after_json = { ch->out.p + w->aj, w->aj_n },
		};

		rc = h->changed(h->arg, &rcase);
		if (rc) {
			ac_err_set(err, rc < 0 ? rc : AC_ESTATE, "",
				   "stopped");
			return rc;
		}
	}
	return 0;
}

int replay_run(struct store *s, const struct policy *p,
	       const struct replay_filter *f, const struct replay_hooks *h,
	       struct replay_report *out, struct ac_err *err)
{
	static const struct replay_filter all = { 0 };
	struct run rn = { .policy = p, .store = s };
	pthread_t rd, workers[REPLAY_JOBS_MAX];
	int jobs, n_workers = 0, rc = 0;
	int64_t total = 0, done = 0;
	struct buf mem;
	bool have_reader = false;

	replay_report_init(out, p->version);
	ac_err_clear(err);
	if (!f)
		f = &all;
	jobs = f->jobs;
	if (jobs <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		jobs = n < 1 ? 1 : n > REPLAY_JOBS_MAX ? REPLAY_JOBS_MAX :
							 (int)n;
	}
	if (jobs > REPLAY_JOBS_MAX)
		return ac_err_set(err, AC_EINVAL, "jobs", "more than %d",
				  REPLAY_JOBS_MAX);
	rn.sf = (struct store_replay_filter){
		.has_since = f->has_since, .since = f->since,
		.has_claim_type = f->has_claim_type,
		.claim_type = f->claim_type, .status_mask = f->status_mask,
	};
	if (h && h->progress) {
		rc = store_count_replay(s, &rn.sf, &total, err);
		if (rc)
			return rc;
		h->progress(h->arg, 0, total);
	}
	rn.n_chunks = 2 * jobs + 2;
	rn.chunks = xcalloc((size_t)rn.n_chunks, sizeof *rn.chunks);
	for (int i = 0; i < rn.n_chunks; i++)
		buf_init(&rn.chunks[i].out, (size_t)64 << 20);
	buf_init(&mem, 1u << 20);
	pthread_mutex_init(&rn.mu, NULL);
	pthread_cond_init(&rn.cv, NULL);
	for (; n_workers < jobs; n_workers++)
		if (pthread_create(&workers[n_workers], NULL, worker, &rn))
			die("cannot start a replay thread");
	if (pthread_create(&rd, NULL, reader, &rn))
		die("cannot start the replay reader");
	have_reader = true;

	pthread_mutex_lock(&rn.mu);
	for (;;) {
		struct chunk *ch = &rn.chunks[rn.next_emit % rn.n_chunks];

		while (!(ch->state == CH_DONE && ch->seq == rn.next_emit) &&
		       !(rn.eof && rn.next_emit == rn.next_fill))
			pthread_cond_wait(&rn.cv, &rn.mu);
		if (!(ch->state == CH_DONE && ch->seq == rn.next_emit))
			break;
		pthread_mutex_unlock(&rn.mu);
		rc = emit(&rn, ch, &mem, h, out, err);
		done += ch->n;
		if (!rc && h && h->progress)
			h->progress(h->arg, done, total);
		pthread_mutex_lock(&rn.mu);
		ch->state = CH_FREE;
		rn.next_emit++;
		if (rc)
			rn.stop = true;
		pthread_cond_broadcast(&rn.cv);
		if (rc)
			break;
	}
	pthread_mutex_unlock(&rn.mu);
	if (have_reader)
		pthread_join(rd, NULL);
	pthread_mutex_lock(&rn.mu);
	rn.stop = true;                  /* the workers, if still waiting */
	pthread_cond_broadcast(&rn.cv);
	pthread_mutex_unlock(&rn.mu);
	for (int i = 0; i < n_workers; i++)
		pthread_join(workers[i], NULL);
	if (!rc && rn.read_rc) {
		rc = rn.read_rc;
		*err = rn.read_err;
	}
	for (int i = 0; i < rn.n_chunks; i++) {
		free(rn.chunks[i].bytes);
		buf_release(&rn.chunks[i].out);
	}
	free(rn.chunks);
	buf_release(&mem);
	pthread_cond_destroy(&rn.cv);
	pthread_mutex_destroy(&rn.mu);
	return rc;
}
