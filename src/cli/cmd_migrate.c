/* cmd_migrate.c: `aftercare migrate --from DB --to DB`, a shop's whole
 * history copied table by table (store_tables) from one database into an
 * empty one of either backend, ids and case numbers kept. The source is
 * read in one snapshot; the target commits every COMMIT_ROWS rows
 * (PostgreSQL's counter rows make one huge transaction slow, see
 * docs/STORE.md). At the end the rows per table and the ledger totals per
 * currency and kind are compared on both sides: exit 1 naming what
 * differs, 2 for a usage error or a refused target. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../store/store.h"
#include "cli.h"

#define COMMIT_ROWS 1000
#define MAX_TOTALS 64

struct total {
	char currency[4];
	char kind[8];
	int64_t sum;
};

struct copy {
	struct store *to;
	const struct store_table *t;
	int64_t done, all, in_tx;
	bool tty;
	struct timespec last;
	struct ac_err err;
};

struct totals {
	struct total t[MAX_TOTALS];
	int n;
};

static double since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void progress(struct copy *c, bool force)
{
	if (!c->tty || (!force && since(&c->last) < 0.2))
		return;
	clock_gettime(CLOCK_MONOTONIC, &c->last);
	fprintf(stderr, "\r%-16s %" PRId64 " / %" PRId64 " rows (%d%%)   ",
		c->t->name, c->done, c->all,
		c->all ? (int)(c->done * 100 / c->all) : 100);
}

static int copy_row(void *arg, const struct store_value *v)
{
	struct copy *c = arg;
	int rc;

	if (!c->in_tx && (rc = store_begin(c->to, &c->err)))
		return rc;
	if ((rc = store_insert_row(c->to, c->t, v, &c->err)))
		return rc;
	c->done++;
	if (++c->in_tx >= COMMIT_ROWS) {
		c->in_tx = 0;
		if ((rc = store_commit(c->to, &c->err)))
			return rc;
	}
	progress(c, false);
	return 0;
}

/* Ledger columns: 3 kind, 4 amount_minor, 5 currency. */
static int add_total(void *arg, const struct store_value *v)
{
	struct totals *s = arg;
	int i;

	for (i = 0; i < s->n; i++)
		if (!strncmp(s->t[i].currency, v[5].p, 3) &&
		    strlen(s->t[i].kind) == v[3].n &&
		    !strncmp(s->t[i].kind, v[3].p, v[3].n))
			break;
	if (i == s->n) {
		if (s->n == MAX_TOTALS || v[3].n >= sizeof s->t[i].kind)
			return AC_EINVAL;
		memset(&s->t[i], 0, sizeof s->t[i]);
		memcpy(s->t[i].currency, v[5].p, 3);
		memcpy(s->t[i].kind, v[3].p, v[3].n);
		s->n++;
	}
	s->t[i].sum += v[4].i;
	return 0;
}

static const struct store_table *ledger_table(void)
{
	int n;
	const struct store_table *t = store_tables(&n);

	for (int i = 0; i < n; i++)
		if (!strcmp(t[i].name, "ledger"))
			return &t[i];
	return NULL;
}

static int totals_of(struct store *s, struct totals *out, struct ac_err *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = store_begin_read(s, err)))
		return rc;
	rc = store_read_rows(s, ledger_table(), add_total, out, err);
	store_rollback(s, NULL);
	return rc;
}

static void fail(const char *what, const struct ac_err *err)
{
	fprintf(stderr, "aftercare: migrate: %s: %s%s%s\n", what, err->field,
		err->field[0] ? ": " : "", err->msg);
}

/* verify: counts per table and ledger totals on both sides; the number
 * of differences, each named on stderr. */
static int verify(struct store *from, struct store *to, int64_t *rows)
{
	const struct store_table *t;
	struct totals a, b;
	struct ac_err err;
	int n, bad = 0;

	t = store_tables(&n);
	for (int i = 0; i < n; i++) {
		int64_t x, y;

		if (store_count_rows(from, &t[i], &x, &err) ||
		    store_count_rows(to, &t[i], &y, &err)) {
			fail(t[i].name, &err);
			return 1;
		}
		if (x != y) {
			fprintf(stderr, "aftercare: migrate: %s: %" PRId64
				" rows in the source, %" PRId64 " in the "
				"target\n", t[i].name, x, y);
			bad++;
		}
		*rows += y;
	}
	if (totals_of(from, &a, &err) || totals_of(to, &b, &err)) {
		fail("ledger", &err);
		return 1;
	}
	for (int i = 0; i < a.n; i++) {
		int64_t other = 0;

		for (int j = 0; j < b.n; j++)
			if (!strcmp(a.t[i].currency, b.t[j].currency) &&
			    !strcmp(a.t[i].kind, b.t[j].kind))
				other = b.t[j].sum;
		if (other != a.t[i].sum) {
			fprintf(stderr, "aftercare: migrate: ledger %s %s: "
				"%" PRId64 " in the source, %" PRId64
				" in the target\n", a.t[i].kind,
				a.t[i].currency, a.t[i].sum, other);
			bad++;
		}
		printf("ledger %s %s: %" PRId64 " minor units\n",
		       a.t[i].kind, a.t[i].currency, a.t[i].sum);
	}
	if (a.n != b.n) {
		fprintf(stderr, "aftercare: migrate: ledger: %d currency and "
			"kind totals in the source, %d in the target\n", a.n,
			b.n);
		bad++;
	}
	return bad;
}

int cmd_migrate(int argc, char **argv)
{
	const char *from_dsn = NULL, *to_dsn = NULL;
	struct store *from = NULL, *to = NULL;
	const struct store_table *t;
	struct timespec start;
	struct ac_err err;
	int64_t total = 0, rows = 0;
	int n, rc = 2;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from_dsn = argv[++i];
		else if (!strcmp(argv[i], "--to") && i + 1 < argc)
			to_dsn = argv[++i];
		else {
			fprintf(stderr, "aftercare: migrate: unknown argument "
				"'%s'\nusage: aftercare migrate --from DB "
				"--to DB\n", argv[i]);
			return 2;
		}
	}
	if (!from_dsn || !to_dsn) {
		fprintf(stderr, "aftercare: migrate: --from and --to are "
			"required\nusage: aftercare migrate --from DB --to "
			"DB\n");
		return 2;
	}
	if (!strcmp(from_dsn, to_dsn)) {
		fprintf(stderr, "aftercare: migrate: --from and --to are the "
			"same database\n");
		return 2;
	}
	if (store_open(from_dsn, &from, &err)) {
		fail("--from", &err);
		return 2;
	}
	if (store_open(to_dsn, &to, &err)) {
		fail("--to", &err);
		goto out;
	}
	t = store_tables(&n);
	for (int i = 0; i < n; i++) {
		int64_t k;

		if (store_count_rows(to, &t[i], &k, &err)) {
			fail("--to", &err);
			goto out;
		}
		if (k) {
			fprintf(stderr, "aftercare: migrate: --to: the target "
				"is not empty (%s has %" PRId64 " rows); "
				"migrate copies into a new database only\n",
				t[i].name, k);
			goto out;
		}
	}
	rc = 1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (store_begin_read(from, &err)) {
		fail("--from", &err);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct copy c = { .to = to, .t = &t[i],
				  .tty = isatty(STDERR_FILENO) };

		if (store_count_rows(from, &t[i], &c.all, &err)) {
			fail(t[i].name, &err);
			goto out;
		}
		if (store_read_rows(from, &t[i], copy_row, &c, &err)) {
			fail(t[i].name, c.err.msg[0] ? &c.err : &err);
			if (store_in_transaction(to))
				store_rollback(to, NULL);
			goto out;
		}
		if ((c.in_tx && store_commit(to, &c.err)) ||
		    store_copy_done(to, &t[i], &c.err)) {
			fail(t[i].name, &c.err);
			goto out;
		}
		progress(&c, true);
		total += c.done;
	}
	store_rollback(from, NULL);
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	if (verify(from, to, &rows))
		goto out;
	printf("migrated %" PRId64 " rows in %d tables in %.1f s; counts "
	       "and ledger totals match\n", total, n, since(&start));
	rc = 0;
out:
	store_close(to);
	store_close(from);
	return rc;
}
