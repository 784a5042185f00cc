/* bench_decide.c: decide() in process, one core (bench).
 * Reads a JSON Lines sample (argv[1]), parses every line once into its own
 * heap-allocated struct ac_case (one case_reader per case, since a case
 * borrows its strings from its reader), loads the shop's default policy,
 * then times full decisions cycling through the sample: decide() alone,
 * decide() + decision_json_write(), and the batch path from the text:
 * case_reader_read() + decide() + decision_json_write() (one reader). Wall time is CLOCK_MONOTONIC, CPU
 * time CLOCK_THREAD_CPUTIME_ID; each figure is the median of REPS runs.
 *
 *   bench_decide SAMPLE.jsonl [DECISIONS] [REPS]   (defaults 1000000, 5)
 *
 * Output: "key value" lines (decide_per_s, decide_cpu_per_s,
 * decide_json_per_s, read_decide_json_per_s, read_ns, ...) that bench/run.sh reads, and a checksum that
 * keeps the compiler from dropping the work. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/codec/codec.h"
#include "../src/core/decide.h"

#define MAX_REPS 15

struct sample {
	struct case_reader **readers;
	struct ac_case **cases;
	char **lines;           /* the text of each case */
	size_t *lens;
	size_t n;
	size_t cap;
};

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* sample_load reads path line by line; a line that does not parse is
 * reported and skipped. Returns the number of cases kept. */
static size_t sample_load(struct sample *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t linecap = 0;
	ssize_t len;
	long lineno = 0;
	int bad = 0;

	if (!f) {
		fprintf(stderr, "bench_decide: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((len = getline(&line, &linecap, f)) >= 0) {
		struct ac_err err;
		struct case_reader *rd;
		struct ac_case *c;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		rd = case_reader_new();
		c = xmalloc(sizeof(*c));
		ac_err_clear(&err);
		if (case_reader_read(rd, line, (size_t)len, c, &err) != 0) {
			if (bad++ < 5)
				fprintf(stderr, "bench_decide: %s:%ld: %s: %s\n",
					path, lineno, err.field, err.msg);
			free(c);
			case_reader_free(rd);
			continue;
		}
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 1024;
			s->readers = xrealloc(s->readers,
					      s->cap * sizeof(*s->readers));
			s->cases = xrealloc(s->cases, s->cap * sizeof(*s->cases));
			s->lines = xrealloc(s->lines, s->cap * sizeof(*s->lines));
			s->lens = xrealloc(s->lens, s->cap * sizeof(*s->lens));
		}
		s->lines[s->n] = xstrndup(line, (size_t)len);
		s->lens[s->n] = (size_t)len;
		s->readers[s->n] = rd;
		s->cases[s->n] = c;
		s->n++;
	}
	free(line);
	fclose(f);
	if (bad)
		fprintf(stderr, "bench_decide: %d of %ld lines skipped\n", bad,
			lineno);
	return s->n;
}

struct run {
	double wall_s, cpu_s;
	int64_t sum;
	int failed;
};

/* time_decide makes n full decisions cycling through the sample; with
 * out != NULL each decision is also written as JSON. */
static struct run time_decide(const struct policy *p, const struct sample *s,
			      long n, struct buf *out)
{
	struct run r = { 0, 0, 0, 0 };
	struct decision d;
	struct ac_err err;
	size_t j = 0;
	double w0 = now_s(CLOCK_MONOTONIC);
	double c0 = now_s(CLOCK_THREAD_CPUTIME_ID);

	for (long i = 0; i < n; i++) {
		if (decide(p, s->cases[j], &d, &err) != 0)
			r.failed++;
		r.sum += d.refund_max_minor + d.charge_minor + d.n_clauses +
			 d.n_remedies + (d.has_deadline ? 1 : 0);
		if (out) {
			buf_reset(out);
			if (decision_json_write(&d, out) != 0)
				r.failed++;
			r.sum += (int64_t)out->len;
		}
		if (++j == s->n)
			j = 0;
	}
	r.wall_s = now_s(CLOCK_MONOTONIC) - w0;
	r.cpu_s = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	return r;
}

/* time_read makes n decisions from the text, as `decide --batch` does:
 * read the case, decide, write the decision. */
static struct run time_read(const struct policy *p, const struct sample *s,
			    long n, struct case_reader *rd, struct buf *out)
{
	struct run r = { 0, 0, 0, 0 };
	struct ac_case *c = xmalloc(sizeof(*c));
	struct decision d;
	struct ac_err err;
	size_t j = 0;
	double w0 = now_s(CLOCK_MONOTONIC);
	double c0 = now_s(CLOCK_THREAD_CPUTIME_ID);

	for (long i = 0; i < n; i++) {
		buf_reset(out);
		if (case_reader_read(rd, s->lines[j], s->lens[j], c, &err) ||
		    decide(p, c, &d, &err) || decision_json_write(&d, out))
			r.failed++;
		r.sum += (int64_t)out->len;
		if (++j == s->n)
			j = 0;
	}
	r.wall_s = now_s(CLOCK_MONOTONIC) - w0;
	r.cpu_s = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
	free(c);
	return r;
}

int main(int argc, char **argv)
{
	struct sample s = { NULL, NULL, NULL, NULL, 0, 0 };
	struct case_reader *rd = case_reader_new();
	struct policy_file *pf;
	const struct policy *p;
	struct buf out;
	long n = 1000000;
	int reps = 5;
	double wall[MAX_REPS], cpu[MAX_REPS], jwall[MAX_REPS];
	double rwall[MAX_REPS];
	long rn;
	int64_t sum = 0;
	int failed = 0;

	if (argc < 2 || argc > 4) {
		fprintf(stderr,
			"usage: bench_decide SAMPLE.jsonl [DECISIONS] [REPS]\n");
		return 2;
	}
	if (argc > 2)
		n = strtol(argv[2], NULL, 10);
	if (argc > 3)
		reps = (int)strtol(argv[3], NULL, 10);
	if (n <= 0 || reps <= 0 || reps > MAX_REPS) {
		fprintf(stderr, "bench_decide: bad DECISIONS or REPS (1..%d)\n",
			MAX_REPS);
		return 2;
	}
	if (sample_load(&s, argv[1]) == 0) {
		fprintf(stderr, "bench_decide: no case in %s\n", argv[1]);
		return 2;
	}
	pf = policy_file_default();
	p = policy_file_policy(pf);
	buf_init(&out, 1u << 20);

	/* warm up: caches, branch predictors, page faults */
	sum += time_decide(p, &s, (long)s.n * 2, NULL).sum;
	sum += time_decide(p, &s, (long)s.n, &out).sum;
	sum += time_read(p, &s, (long)s.n, rd, &out).sum;
	rn = n / 10 > 0 ? n / 10 : 1;   /* reading costs about 10 decisions */

	for (int k = 0; k < reps; k++) {
		struct run r = time_decide(p, &s, n, NULL);
		struct run rj = time_decide(p, &s, n, &out);
		struct run rr = time_read(p, &s, rn, rd, &out);

		wall[k] = r.wall_s;
		cpu[k] = r.cpu_s;
		jwall[k] = rj.wall_s;
		rwall[k] = rr.wall_s;
		sum += r.sum + rj.sum + rr.sum;
		failed += r.failed + rj.failed + rr.failed;
	}
	if (failed)
		fprintf(stderr, "bench_decide: %d decisions failed\n", failed);

	printf("cases %zu\n", s.n);
	printf("decisions %ld\n", n);
	printf("reps %d\n", reps);
	printf("decide_per_s %.0f\n", (double)n / median(wall, reps));
	printf("decide_cpu_per_s %.0f\n", (double)n / median(cpu, reps));
	printf("decide_ns %.1f\n", median(wall, reps) * 1e9 / (double)n);
	printf("decide_json_per_s %.0f\n", (double)n / median(jwall, reps));
	printf("read_decide_json_per_s %.0f\n",
	       (double)rn / median(rwall, reps));
	printf("read_ns %.1f\n", median(rwall, reps) * 1e9 / (double)rn);
	printf("failed %d\n", failed);
	printf("checksum %lld\n", (long long)sum);

	buf_release(&out);
	case_reader_free(rd);
	for (size_t i = 0; i < s.n; i++) {
		free(s.lines[i]);
		free(s.cases[i]);
		case_reader_free(s.readers[i]);
	}
	free(s.cases);
	free(s.lines);
	free(s.lens);
	free(s.readers);
	/* pf is the built-in policy: left to the codec, not freed here */
	return failed ? 1 : 0;
}
