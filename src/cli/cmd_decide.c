/* cmd_decide.c: `aftercare decide`, single, --explain and --batch (cli).
 * Batch mode is a pipeline: this thread reads standard input in chunks of
 * whole lines, worker threads parse, decide and write each chunk, and a
 * writer thread puts the chunks out in input order. A fixed ring of chunk
 * slots keeps memory flat however long the input. */
#define _GNU_SOURCE  /* memrchr */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../codec/codec.h"
#include "cli.h"

#define CHUNK_BYTES (4u << 20)            /* input bytes per chunk, about */
#define LINE_MAX_BYTES AC_CASE_MAX_BYTES  /* longer lines are refused */
#define MAX_JOBS 16

/* ---- single case --------------------------------------------------- */

static int read_all(int fd, struct buf *b, struct ac_err *err)
{
	char chunk[65536];

	for (;;) {
		ssize_t got = read(fd, chunk, sizeof chunk);

		if (got == 0)
			return 0;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return ac_err_set(err, AC_EIO, "", "cannot read "
					  "standard input: %s",
					  strerror(errno));
		}
		if (buf_add(b, chunk, (size_t)got))
			return ac_err_set(err, AC_ELIMIT, "", "case exceeds "
					  "the %u-byte limit",
					  AC_CASE_MAX_BYTES);
	}
}

static void print_err(const struct ac_err *err)
{
	if (err->field[0])
		fprintf(stderr, "%s: %s\n", err->field, err->msg);
	else
		fprintf(stderr, "%s\n", err->msg);
}

static int decide_one(const struct policy *p, bool explain)
{
	struct case_reader *rd = case_reader_new();
	struct ac_case *c = xmalloc(sizeof *c);
	struct decision d;
	struct ac_err err;
	struct buf in, out;
	int status = 2;

	ac_err_clear(&err);
	buf_init(&in, AC_CASE_MAX_BYTES);
	buf_init(&out, 1u << 20);
	if (read_all(0, &in, &err) ||
	    case_reader_read(rd, in.p ? in.p : "", in.len, c, &err) ||
	    decide(p, c, &d, &err)) {
		print_err(&err);
		goto out;
	}
	if (explain ? decision_explain(p, c, &d, &out) :
		      decision_json_write(&d, &out) || buf_addc(&out, '\n')) {
		fprintf(stderr, "decision larger than its buffer\n");
		goto out;
	}
	if (fwrite(out.p, 1, out.len, stdout) != out.len || fflush(stdout)) {
		fprintf(stderr, "aftercare: cannot write standard output: "
			"%s\n", strerror(errno));
		status = 3;
		goto out;
	}
	status = 0;
out:
	buf_release(&in);
	buf_release(&out);
	free(c);
	case_reader_free(rd);
	return status;
}

/* ---- batch ----------------------------------------------------------- */

struct entry {
	size_t off, len;
	long line;
	bool too_long;
};

enum slot_state { SLOT_FREE, SLOT_FILLED, SLOT_BUSY, SLOT_DONE };

struct slot {
	enum slot_state state;
	long seq;
	char *in;
	size_t in_len, in_alloc;
	struct entry *ents;
	size_t n_ents, ents_alloc;
	struct buf out;
	long failed;         /* lines that yielded an error */
};

#define N_SLOTS 6

struct batch {
	const struct policy *policy;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot slots[N_SLOTS];
	long next_fill, next_work, next_write;
	bool eof;            /* the reader has filled its last slot */
	bool write_failed;
	int write_errno;
	long lines_done, failed;
	unsigned long long bytes_done;
};

static void add_entry(struct slot *s, struct entry e)
{
	if (s->n_ents == s->ents_alloc) {
		s->ents_alloc = s->ents_alloc ? s->ents_alloc * 2 : 4096;
		s->ents = xrealloc(s->ents, s->ents_alloc * sizeof *s->ents);
	}
	s->ents[s->n_ents++] = e;
}

static void work_slot(struct batch *b, struct slot *s,
		      struct case_reader *rd, struct ac_case *c)
{
	struct decision d;
	struct ac_err err;

	buf_reset(&s->out);
	s->failed = 0;
	for (size_t i = 0; i < s->n_ents; i++) {
		const struct entry *e = &s->ents[i];
		int rc;

		ac_err_clear(&err);
		if (e->too_long)
			rc = ac_err_set(&err, AC_ELIMIT, "", "line exceeds the "
					"%u-byte limit", LINE_MAX_BYTES);
		else if (e->len == 0)
			rc = ac_err_set(&err, AC_ESYNTAX, "", "not JSON: the "
					"line is empty");
		else
			rc = case_reader_read(rd, s->in + e->off, e->len, c,
					      &err);
		if (!rc)
			rc = decide(b->policy, c, &d, &err);
		if (!rc)
			rc = decision_json_write(&d, &s->out);
		if (rc) {
			s->failed++;
			error_json_write(e->line, &err, &s->out);
		}
		buf_addc(&s->out, '\n');
	}
}

static void *worker(void *arg)
{
	struct batch *b = arg;
	struct case_reader *rd = case_reader_new();
	struct ac_case *c = xmalloc(sizeof *c);

	pthread_mutex_lock(&b->mu);
	for (;;) {
		struct slot *s = &b->slots[b->next_work % N_SLOTS];

		while (!(s->state == SLOT_FILLED && s->seq == b->next_work) &&
		       !(b->eof && b->next_work == b->next_fill) &&
		       !b->write_failed) {
			pthread_cond_wait(&b->cv, &b->mu);
			s = &b->slots[b->next_work % N_SLOTS];
		}
		if (b->write_failed || (b->eof && b->next_work == b->next_fill))
			break;
		s->state = SLOT_BUSY;
		b->next_work++;
		pthread_mutex_unlock(&b->mu);
		work_slot(b, s, rd, c);
		pthread_mutex_lock(&b->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&b->cv);
	}
	pthread_mutex_unlock(&b->mu);
	free(c);
	case_reader_free(rd);
	return NULL;
}

static bool write_all(int fd, const char *p, size_t n, int *errnum)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			*errnum = errno;
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *writer(void *arg)
{
	struct batch *b = arg;
	bool progress = isatty(2);
	double start = seconds_now(), last = start;

	pthread_mutex_lock(&b->mu);
	for (;;) {
		struct slot *s = &b->slots[b->next_write % N_SLOTS];

		while (!(s->state == SLOT_DONE && s->seq == b->next_write) &&
		       !(b->eof && b->next_write == b->next_fill))
			pthread_cond_wait(&b->cv, &b->mu);
		if (s->state != SLOT_DONE || s->seq != b->next_write)
			break;
		pthread_mutex_unlock(&b->mu);
		bool ok = write_all(1, s->out.p, s->out.len, &b->write_errno);
		pthread_mutex_lock(&b->mu);
		b->lines_done += (long)s->n_ents;
		b->failed += s->failed;
		b->bytes_done += s->in_len;
		s->state = SLOT_FREE;
		b->next_write++;
		if (!ok)
			b->write_failed = true;
		pthread_cond_broadcast(&b->cv);
		if (!ok)
			break;
		if (progress && seconds_now() - last >= 0.5) {
			double t = seconds_now() - start;

			last = seconds_now();
			fprintf(stderr, "\rdecide --batch: %ld lines, %.0f MB, "
				"%.0f MB/s, %ld failed   ", b->lines_done,
				(double)b->bytes_done / 1e6,
				(double)b->bytes_done / 1e6 / t, b->failed);
		}
	}
	if (progress && b->lines_done > 0)
		fprintf(stderr, "\rdecide --batch: %ld lines, %.0f MB, %ld "
			"failed%20s\n", b->lines_done,
			(double)b->bytes_done / 1e6, b->failed, "");
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* The reader's state between chunks: bytes read but not yet in a chunk. */
struct reader {
	char *stage;
	size_t len, alloc;
	bool eof, skipping;  /* skipping: inside a line that is too long */
	long line;           /* lines handed out so far */
	int err;
};

/* fill reads until the stage holds a whole chunk of lines, or EOF. */
static void fill(struct reader *r)
{
	while (!r->eof && r->len < CHUNK_BYTES) {
		ssize_t got = read(0, r->stage + r->len, r->alloc - r->len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got < 0)
				r->err = errno;
			r->eof = true;
			break;
		}
		r->len += (size_t)got;
	}
}

/* cut moves the complete lines of the stage into slot s (swapping
 * buffers) and keeps the partial last line in the stage. */
static void cut(struct reader *r, struct slot *s)
{
	size_t end = r->len, start = 0;
	char *nl;

	s->n_ents = 0;
	if (!r->eof) {
		nl = memrchr(r->stage, '\n', r->len);
		end = nl ? (size_t)(nl - r->stage) + 1 : 0;
	}
	/* swap: the slot takes the stage, the stage takes the slot's old
	 * buffer with the leftover bytes copied to its front */
	char *old = s->in;
	size_t old_alloc = s->in_alloc;

	if (!old || old_alloc < r->alloc) {
		free(old);
		old = xmalloc(r->alloc);
		old_alloc = r->alloc;
	}
	s->in = r->stage;
	s->in_alloc = r->alloc;
	s->in_len = end;
	memcpy(old, r->stage + end, r->len - end);
	r->stage = old;
	r->alloc = old_alloc;
	r->len -= end;

	while (start < end) {
		char *p = s->in + start;
		size_t rest = end - start;
		char *q = memchr(p, '\n', rest);
		size_t len = q ? (size_t)(q - p) : rest;
		size_t next = start + len + (q ? 1 : 0);

		if (r->skipping) {
			/* the tail of a too-long line: already reported */
			r->skipping = false;
			start = next;
			continue;
		}
		if (len > 0 && p[len - 1] == '\r')
			len--;
		r->line++;
		add_entry(s, (struct entry){ start, len, r->line,
					     len > LINE_MAX_BYTES });
		start = next;
	}
	/* a partial line that alone is longer than the limit: report it now
	 * and drop its bytes until its newline */
	if (r->len > LINE_MAX_BYTES && !r->skipping) {
		r->line++;
		add_entry(s, (struct entry){ 0, 0, r->line, true });
		r->skipping = true;
	}
	if (r->skipping)
		r->len = 0;
}

static int decide_batch(const struct policy *p, int jobs)
{
	struct batch *b = xcalloc(1, sizeof *b);
	struct reader r = { .alloc = CHUNK_BYTES + LINE_MAX_BYTES + 1 };
	pthread_t workers[MAX_JOBS], wr;
	int status;

	b->policy = p;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	for (int i = 0; i < N_SLOTS; i++)
		buf_init(&b->slots[i].out, (size_t)1 << 40);
	r.stage = xmalloc(r.alloc);
	for (int i = 0; i < jobs; i++)
		if (pthread_create(&workers[i], NULL, worker, b))
			die("cannot start a worker thread");
	if (pthread_create(&wr, NULL, writer, b))
		die("cannot start the writer thread");

	for (;;) {
		fill(&r);
		pthread_mutex_lock(&b->mu);
		struct slot *s = &b->slots[b->next_fill % N_SLOTS];

		while (s->state != SLOT_FREE && !b->write_failed)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->write_failed) {
			pthread_mutex_unlock(&b->mu);
			break;
		}
		pthread_mutex_unlock(&b->mu);
		cut(&r, s);
		pthread_mutex_lock(&b->mu);
		bool last = r.eof && r.len == 0;

		if (s->n_ents > 0) {
			s->seq = b->next_fill++;
			s->state = SLOT_FILLED;
		}
		if (last)
			b->eof = true;
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
		if (last)
			break;
	}
	pthread_mutex_lock(&b->mu);
	b->eof = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	for (int i = 0; i < jobs; i++)
		pthread_join(workers[i], NULL);
	pthread_join(wr, NULL);

	if (b->write_failed) {
		fprintf(stderr, "aftercare: cannot write standard output: %s\n",
			strerror(b->write_errno));
		status = 3;
	} else if (r.err) {
		fprintf(stderr, "aftercare: cannot read standard input: %s\n",
			strerror(r.err));
		status = 3;
	} else {
		status = b->failed ? 1 : 0;
	}
	for (int i = 0; i < N_SLOTS; i++) {
		free(b->slots[i].in);
		free(b->slots[i].ents);
		buf_release(&b->slots[i].out);
	}
	free(r.stage);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
	return status;
}

int cmd_decide(int argc, char **argv)
{
	const char *policy_path = NULL;
	bool explain = false, batch = false;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	struct policy_file *pf;
	int status;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--policy") && i + 1 < argc) {
			policy_path = argv[++i];
		} else if (!strcmp(argv[i], "--explain")) {
			explain = true;
		} else if (!strcmp(argv[i], "--batch")) {
			batch = true;
		} else if (!strcmp(argv[i], "--jobs") && i + 1 < argc) {
			char *end;

			jobs = strtol(argv[++i], &end, 10);
			if (*end || jobs < 1 || jobs > MAX_JOBS) {
				fprintf(stderr, "--jobs: not a number from 1 "
					"to %d\n", MAX_JOBS);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: aftercare decide [--policy "
				"FILE] [--explain | --batch [--jobs N]]\n");
			return 2;
		}
	}
	if (explain && batch) {
		fprintf(stderr, "--explain and --batch cannot be combined\n");
		return 2;
	}
	if (jobs < 1)
		jobs = 1;
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	pf = cli_load_policy(policy_path);
	if (!pf)
		return 2;
	status = batch ? decide_batch(policy_file_policy(pf), (int)jobs) :
			 decide_one(policy_file_policy(pf), explain);
	policy_file_free(pf);
	return status;
}
