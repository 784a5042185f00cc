/* cmd_replay.c: `aftercare replay --db DB --policy FILE [--json]` (cli).
 * Every stored case decided again under FILE, at the instant and on the
 * facts of its current decision, by the desk's replay engine (replay.h);
 * the report for a person, or as one JSON object whose "changed" array
 * streams out as the cases come (memory stays flat). Writes nothing.
 * Exit 0, 1 when the store fails or stored facts would not decide, 2 for
 * a usage error or a policy file that does not check. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../codec/codec.h"
#include "../core/instant.h"
#include "../desk/replay.h"
#include "../store/store.h"
#include "cli.h"

#define LIST_DEFAULT 20           /* changed cases a person sees */

struct out {
	bool json, progress;
	int limit;                    /* changed cases listed (person) */
	int64_t listed;
	struct buf list;              /* the person's lines, bounded */
	struct buf line;              /* one JSON item */
	bool write_failed;
	struct timespec start, last;
};

static double since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void on_progress(void *arg, int64_t done, int64_t total)
{
	struct out *o = arg;
	double t;

	if (!o->progress || (done && since(&o->last) < 0.2))
		return;
	clock_gettime(CLOCK_MONOTONIC, &o->last);
	t = since(&o->start);
	fprintf(stderr, "\rreplay: %" PRId64 " / %" PRId64 " cases (%d%%), "
		"%.0f cases/s   ", done, total,
		total ? (int)(done * 100 / (total > done ? total : done)) : 100,
		t > 0 ? (double)done / t : 0.0);
}

/* fmt_money: "USD 12.50" or "-USD 12.50" into buf */
static const char *fmt_money(char *buf, size_t n, const struct currency *c,
			     int64_t minor)
{
	if (minor < 0) {
		buf[0] = '-';
		money_format(buf + 1, n - 1, c, -minor);
	} else {
		money_format(buf, n, c, minor);
	}
	return buf;
}

static const char *clause_name(int c)
{
	return c == REPLAY_NO_CLAUSE ? "(none)" :
				       clause_id_name((enum clause_id)c);
}

static int on_changed(void *arg, const struct replay_case *c)
{
	struct out *o = arg;

	if (o->json) {
		struct buf *b = &o->line;

		buf_reset(b);
		buf_adds(b, o->listed ? ",\n{\"case\":" : "\n{\"case\":");
		json_str_write(b, c->id.p, c->id.n);
		buf_adds(b, ",\"before\":");
		buf_add(b, c->before_json.p, c->before_json.n);
		buf_adds(b, ",\"after\":");
		buf_add(b, c->after_json.p, c->after_json.n);
		if (buf_addc(b, '}') ||
		    fwrite(b->p, 1, b->len, stdout) != b->len) {
			o->write_failed = true;
			return AC_EIO;
		}
		o->listed++;
		return 0;
	}
	if (o->listed++ >= o->limit)
		return 0;
	char before[48], after[48];

	buf_addf(&o->list, "  %-14.*s %s -> %s, %s -> %s, %s -> %s\n",
		 (int)c->id.n, c->id.p, verdict_name(c->before->verdict),
		 verdict_name(c->after->verdict),
		 clause_name(replay_clause(c->before)),
		 clause_name(replay_clause(c->after)),
		 fmt_money(before, sizeof before, c->before->currency,
			   c->before->refund_max_minor),
		 fmt_money(after, sizeof after, c->after->currency,
			   c->after->refund_max_minor));
	return 0;
}

/* ---- the report ------------------------------------------------------- */

static void json_tail(const struct replay_report *r, struct buf *b)
{
	bool first = true;

	buf_addf(b, "\n],\"policy\":\"%s\",\"cases\":%" PRId64
		 ",\"changed_cases\":%" PRId64 ",\"overridden\":%" PRId64
		 ",\"failed\":%" PRId64, r->policy, r->cases, r->changed,
		 r->overridden, r->failed);
	if (r->failed) {
		buf_adds(b, ",\"first_failed\":{\"case\":");
		json_str_write(b, r->failed_case, strlen(r->failed_case));
		buf_adds(b, ",\"field\":");
		json_str_write(b, r->failed_err.field,
			       strlen(r->failed_err.field));
		buf_adds(b, ",\"message\":");
		json_str_write(b, r->failed_err.msg, strlen(r->failed_err.msg));
		buf_addc(b, '}');
	}
	buf_adds(b, ",\"transitions\":{\"verdicts\":[");
	for (int i = 0; i < REPLAY_VERDICTS; i++)
		for (int j = 0; j < REPLAY_VERDICTS; j++) {
			if (i == j || !r->verdicts[i][j])
				continue;
			buf_addf(b, "%s{\"before\":\"%s\",\"after\":\"%s\","
				 "\"cases\":%" PRId64 "}", first ? "" : ",",
				 verdict_name((enum verdict)i),
				 verdict_name((enum verdict)j),
				 r->verdicts[i][j]);
			first = false;
		}
	buf_adds(b, "],\"clauses\":[");
	first = true;
	for (int i = 0; i < REPLAY_CLAUSES; i++)
		for (int j = 0; j < REPLAY_CLAUSES; j++) {
			if (i == j || !r->clauses[i][j])
				continue;
			buf_addf(b, "%s{\"before\":", first ? "" : ",");
			buf_adds(b, i == REPLAY_NO_CLAUSE ? "null" : "\"");
			if (i != REPLAY_NO_CLAUSE)
				buf_addf(b, "%s\"", clause_name(i));
			buf_adds(b, ",\"after\":");
			buf_adds(b, j == REPLAY_NO_CLAUSE ? "null" : "\"");
			if (j != REPLAY_NO_CLAUSE)
				buf_addf(b, "%s\"", clause_name(j));
			buf_addf(b, ",\"cases\":%" PRId64 "}",
				 r->clauses[i][j]);
			first = false;
		}
	buf_adds(b, "]},\"money\":[");
	for (int i = 0; i < r->n_money; i++) {
		const struct replay_money *m = &r->money[i];

		buf_addf(b, "%s{\"currency\":\"%s\",\"before_minor\":%" PRId64
			 ",\"after_minor\":%" PRId64 ",\"clauses\":[",
			 i ? "," : "", m->currency->code, m->before_minor,
			 m->after_minor);
		first = true;
		for (int c = 0; c < REPLAY_CLAUSES; c++) {
			if (!m->clause_before_minor[c] &&
			    !m->clause_after_minor[c])
				continue;
			buf_addf(b, "%s{\"clause\":", first ? "" : ",");
			if (c == REPLAY_NO_CLAUSE)
				buf_adds(b, "null");
			else
				buf_addf(b, "\"%s\"", clause_name(c));
			buf_addf(b, ",\"before_minor\":%" PRId64
				 ",\"after_minor\":%" PRId64 "}",
				 m->clause_before_minor[c],
				 m->clause_after_minor[c]);
			first = false;
		}
		buf_adds(b, "]}");
	}
	buf_adds(b, "],\"policies\":[");
	for (int i = 0; i < r->n_policies; i++) {
		buf_adds(b, i ? ",{\"policy\":" : "{\"policy\":");
		json_str_write(b, r->policies[i].hash,
			       strlen(r->policies[i].hash));
		buf_addf(b, ",\"cases\":%" PRId64 "}", r->policies[i].cases);
	}
	buf_addf(b, "],\"policies_other\":%" PRId64 "}\n", r->policies_other);
}

static void money_row(struct buf *b, const char *label,
		      const struct currency *c, int64_t before, int64_t after)
{
	char x[48], y[48], z[48];

	buf_addf(b, "  %-14s %20s %20s %20s\n", label,
		 fmt_money(x, sizeof x, c, before),
		 fmt_money(y, sizeof y, c, after),
		 fmt_money(z, sizeof z, c, after - before));
}

static void person(const struct replay_report *r, const struct out *o,
		   struct buf *b)
{
	int64_t all = r->cases + r->overridden + r->failed;
	bool any = false;

	buf_addf(b, "replay under %s\n", r->policy);
	buf_addf(b, "cases: %" PRId64 " decided again", r->cases);
	if (r->overridden)
		buf_addf(b, ", %" PRId64 " overridden by staff (kept, not "
			 "decided again)", r->overridden);
	if (r->failed)
		buf_addf(b, ", %" PRId64 " failed", r->failed);
	buf_addf(b, "\nchanged: %" PRId64 " of %" PRId64 "\n", r->changed,
		 r->cases);
	(void)all;
	buf_adds(b, "\nverdicts (before -> after)\n");
	for (int i = 0; i < REPLAY_VERDICTS; i++)
		for (int j = 0; j < REPLAY_VERDICTS; j++)
			if (i != j && r->verdicts[i][j]) {
				char t[64];

				snprintf(t, sizeof t, "%s -> %s",
					 verdict_name((enum verdict)i),
					 verdict_name((enum verdict)j));
				buf_addf(b, "  %-36s %10" PRId64 "\n", t,
					 r->verdicts[i][j]);
				any = true;
			}
	if (!any)
		buf_adds(b, "  (none)\n");
	any = false;
	buf_adds(b, "deciding clause (before -> after)\n");
	for (int i = 0; i < REPLAY_CLAUSES; i++)
		for (int j = 0; j < REPLAY_CLAUSES; j++)
			if (i != j && r->clauses[i][j]) {
				char t[64];

				snprintf(t, sizeof t, "%s -> %s",
					 clause_name(i), clause_name(j));
				buf_addf(b, "  %-36s %10" PRId64 "\n", t,
					 r->clauses[i][j]);
				any = true;
			}
	if (!any)
		buf_adds(b, "  (none)\n");
	buf_addf(b, "\nrefund allowances %20s %20s %20s\n", "before", "after",
		 "change");
	for (int i = 0; i < r->n_money; i++) {
		const struct replay_money *m = &r->money[i];

		money_row(b, m->currency->code, m->currency, m->before_minor,
			  m->after_minor);
		for (int c = 0; c < REPLAY_CLAUSES; c++)
			if (m->clause_before_minor[c] ||
			    m->clause_after_minor[c]) {
				char t[24];

				snprintf(t, sizeof t, "  %s", clause_name(c));
				money_row(b, t, m->currency,
					  m->clause_before_minor[c],
					  m->clause_after_minor[c]);
			}
	}
	buf_adds(b, "\nstored decisions made under\n");
	for (int i = 0; i < r->n_policies; i++)
		buf_addf(b, "  %-72s %10" PRId64 "\n", r->policies[i].hash,
			 r->policies[i].cases);
	if (r->policies_other)
		buf_addf(b, "  %-72s %10" PRId64 "\n", "(other policies)",
			 r->policies_other);
	if (r->changed) {
		buf_adds(b, "\nchanged cases (verdict, deciding clause, "
			 "refund allowance)\n");
		buf_add(b, o->list.p, o->list.len);
		if (r->changed > o->limit)
			buf_addf(b, "  and %" PRId64 " more\n",
				 r->changed - o->limit);
	}
	if (r->failed)
		buf_addf(b, "\nfailed: case %s: %s%s%s\n", r->failed_case,
			 r->failed_err.field, r->failed_err.field[0] ? ": " :
			 "", r->failed_err.msg);
}

/* ---- arguments -------------------------------------------------------- */

static int usage(void)
{
	fputs("usage: aftercare replay --db DB --policy FILE [--json] "
	      "[--since TIME] [--type TYPE] [--status S[,S..]] [--jobs N] "
	      "[--limit N] [--progress]\n", stderr);
	return 2;
}

static int bad(const char *flag, const char *value, const char *what)
{
	fprintf(stderr, "aftercare replay: %s: '%s' %s\n", flag, value, what);
	return 2;
}

static int parse_status(const char *v, unsigned *mask)
{
	const char *p = v;

	while (*p) {
		size_t n = strcspn(p, ",");
		enum case_status s;

		if (case_status_parse(p, n, &s))
			return -1;
		*mask |= CASE_STATUS_BIT(s);
		p += n;
		if (*p == ',')
			p++;
	}
	return *mask ? 0 : -1;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	return errno || !*v || *end || *out < lo || *out > hi ? -1 : 0;
}

int cmd_replay(int argc, char **argv)
{
	const char *db = NULL, *policy_path = NULL;
	struct replay_filter f = { 0 };
	struct out o = { .limit = LIST_DEFAULT, .progress = isatty(2) };
	struct replay_report *r = NULL;
	struct policy_file *pf = NULL;
	struct store *s = NULL;
	struct ac_err err;
	struct buf tail;
	int status = 1, rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long n;

		if (!strcmp(a, "--json")) {
			o.json = true;
			continue;
		}
		if (!strcmp(a, "--progress")) {
			o.progress = true;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--db")) {
			db = v;
		} else if (!strcmp(a, "--policy")) {
			policy_path = v;
		} else if (!strcmp(a, "--since")) {
			if (instant_parse(v, strlen(v), &f.since))
				return bad(a, v, "is not an RFC 3339 time "
					   "(2026-01-31T00:00:00Z)");
			f.has_since = true;
		} else if (!strcmp(a, "--type")) {
			if (claim_type_parse(v, strlen(v), &f.claim_type))
				return bad(a, v, "is not a claim type (cancel, "
					   "not_received, damaged, wrong_item, "
					   "unwanted, wrong_address, customs, "
					   "repair)");
			f.has_claim_type = true;
		} else if (!strcmp(a, "--status")) {
			if (parse_status(v, &f.status_mask))
				return bad(a, v, "is not a list of case "
					   "statuses (open, waiting, decided, "
					   "resolved, closed)");
		} else if (!strcmp(a, "--jobs")) {
			if (parse_int(v, 1, REPLAY_JOBS_MAX, &n))
				return bad(a, v, "is not a number from 1 to "
					   "16");
			f.jobs = (int)n;
		} else if (!strcmp(a, "--limit")) {
			if (parse_int(v, 0, 1000000, &n))
				return bad(a, v, "is not a number from 0 to "
					   "1000000");
			o.limit = (int)n;
		} else {
			return usage();
		}
	}
	if (!db || !policy_path) {
		fprintf(stderr, "aftercare replay: %s is required\n",
			!db ? "--db" : "--policy");
		return usage();
	}
	pf = cli_load_policy(policy_path);
	if (!pf)
		return 2;
	/* a path that is not there is a mistake, not a new shop */
	if (strncmp(db, "postgres", 8) && strncmp(db, "file:", 5) &&
	    access(db, R_OK)) {
		fprintf(stderr, "aftercare replay: --db %s: %s\n", db,
			strerror(errno));
		policy_file_free(pf);
		return 2;
	}
	ac_err_clear(&err);
	if (store_open(db, &s, &err)) {
		fprintf(stderr, "aftercare replay: --db %s: %s%s%s\n", db,
			err.field, err.field[0] ? ": " : "", err.msg);
		policy_file_free(pf);
		return 1;
	}
	buf_init(&o.list, 256u << 20);
	buf_init(&o.line, 4u << 20);
	buf_init(&tail, 1u << 20);
	r = xmalloc(sizeof *r);
	clock_gettime(CLOCK_MONOTONIC, &o.start);
	o.last = o.start;
	if (o.json)
		fputs("{\"changed\":[", stdout);

	struct replay_hooks h = { &o, on_progress, on_changed };

	rc = replay_run(s, policy_file_policy(pf), &f, &h, r, &err);
	if (o.progress) {
		double t = since(&o.start);
		int64_t done = r->cases + r->overridden + r->failed;

		fprintf(stderr, "\rreplay: %" PRId64 " cases in %.1f s, "
			"%.0f cases/s%20s\n", done, t,
			t > 0 ? (double)done / t : 0.0, "");
	}
	if (rc) {
		if (o.write_failed)
			fprintf(stderr, "aftercare replay: cannot write "
				"standard output\n");
		else
			fprintf(stderr, "aftercare replay: %s%s%s\n",
				err.field, err.field[0] ? ": " : "", err.msg);
		goto out;
	}
	if (o.json)
		json_tail(r, &tail);
	else
		person(r, &o, &tail);
	if (fwrite(tail.p, 1, tail.len, stdout) != tail.len ||
	    fflush(stdout)) {
		fprintf(stderr, "aftercare replay: cannot write standard "
			"output: %s\n", strerror(errno));
		goto out;
	}
	if (r->failed) {
		fprintf(stderr, "aftercare replay: %" PRId64 " case(s) would "
			"not decide; the first, %s: %s%s%s\n", r->failed,
			r->failed_case, r->failed_err.field,
			r->failed_err.field[0] ? ": " : "",
			r->failed_err.msg);
		goto out;
	}
	status = 0;
out:
	free(r);
	buf_release(&o.list);
	buf_release(&o.line);
	buf_release(&tail);
	store_close(s);
	policy_file_free(pf);
	return status;
}
