/* cmd_policy.c: `aftercare policy show|check|version [FILE]`, and the
 * versions a database keeps (issue 9): `policy activate FILE --db DB`
 * (what a replay of the history under FILE changes, then FILE made the
 * active policy) and `policy versions --db DB` (cli layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codec/codec.h"
#include "../core/instant.h"
#include "../desk/desk.h"
#include "../desk/replay.h"
#include "cli.h"

static void show(const struct policy *p)
{
	static const char *const kinds[] = { "ring", "necklace", "bracelet",
					     "earrings", "pendant", "other" };

	printf("policy %s\ncontent %s\n\n", p->version, p->content_version);
	printf("production starts   %lld h after the order\n",
	       (long long)(p->production_delay_us / 3600000000LL));
	printf("contact window      %lld h after delivery\n",
	       (long long)(p->contact_window_us / 3600000000LL));
	printf("warranty            %lld days from delivery\n",
	       (long long)(p->warranty_us / 86400000000LL));
	printf("partial refund cap  %lld.%02lld%% of the item's price\n",
	       (long long)(p->partial_cap_bp / 100),
	       (long long)(p->partial_cap_bp % 100));
	printf("response time       %lld h after a case is opened\n",
	       (long long)(p->response_time_us / 3600000000LL));
	printf("quote life          %lld days unless the quote says\n",
	       (long long)(p->quote_life_us / 86400000000LL));
	/* an agent may refund up to the amount; a currency not listed:
	 * only a manager */
	for (int i = 0; i < p->n_manager_refund_above; i++) {
		char m[64];

		money_format(m, sizeof m, p->manager_refund_above[i].currency,
			     p->manager_refund_above[i].amount_minor);
		printf("manager refunds     above %s\n", m);
	}
	if (p->n_manager_refund_above == 0)
		puts("manager refunds     every refund (no amounts listed)");
	for (int k = 0; k < KIND_COUNT; k++) {
		int64_t t = p->tolerance_milli[k];

		if (t < 0)
			printf("size tolerance      %-9s none\n", kinds[k]);
		else
			printf("size tolerance      %-9s %lld.%03lld\n",
			       kinds[k], (long long)(t / 1000),
			       (long long)(t % 1000));
	}
	for (int i = 0; i < CL_COUNT; i++) {
		const struct clause *c = &p->clauses[i];

		printf("\n%s  %.*s\n  %.*s\n",
		       clause_id_name((enum clause_id)i),
		       (int)c->title.n, c->title.p, (int)c->text.n, c->text.p);
	}
}

/* ---- policy activate / versions (issue 9) ---------------------------- */

static const char *db_arg(int argc, char **argv)
{
	for (int i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--db"))
			return argv[i + 1];
	return NULL;
}

static void print_time(int64_t at)
{
	char t[40];

	instant_format(at, t, sizeof t);
	fputs(t, stdout);
}

/* summary prints what the replay found, for a person: how many cases
 * change, each verdict transition, the refund allowances per currency. */
static void summary(const struct replay_report *r)
{
	printf("replay of the history under %s:\n", r->policy);
	printf("  %lld cases decided again, %lld would change", (long long)
	       r->cases, (long long)r->changed);
	if (r->overridden)
		printf(", %lld overridden by staff (kept)",
		       (long long)r->overridden);
	if (r->failed)
		printf(", %lld could not be decided again (first: %s)",
		       (long long)r->failed, r->failed_case);
	putchar('\n');
	for (int b = 0; b < REPLAY_VERDICTS; b++)
		for (int a = 0; a < REPLAY_VERDICTS; a++)
			if (a != b && r->verdicts[b][a])
				printf("  %-15s -> %-15s %lld\n",
				       verdict_name((enum verdict)b),
				       verdict_name((enum verdict)a),
				       (long long)r->verdicts[b][a]);
	for (int i = 0; i < r->n_money; i++) {
		const struct replay_money *m = &r->money[i];
		char bm[64], am[64];

		money_format(bm, sizeof bm, m->currency, m->before_minor);
		money_format(am, sizeof am, m->currency, m->after_minor);
		printf("  refunds allowed: %s before, %s after\n", bm, am);
	}
}

static int print_problems(const char *path,
			  const struct desk_policy_problems *pr)
{
	for (int i = 0; i < pr->n; i++) {
		const struct ac_err *e = &pr->e[i];

		if (e->field[0])
			fprintf(stderr, "%s:%d: %s: %s\n", path, e->line,
				e->field, e->msg);
		else
			fprintf(stderr, "%s:%d: %s\n", path, e->line, e->msg);
	}
	return 1;
}

static int activate(const char *path, const char *db)
{
	struct desk_policy_problems probs;
	struct desk_policy_activation act;
	struct replay_report *rep = NULL;
	struct replay_filter f = { 0 };
	struct policy_file *pf = NULL;
	struct cli_desk cd;
	struct ac_err err;
	int status = 1, rc = 0;
	const char *text;
	size_t n;

	ac_err_clear(&err);
	/* the check's messages, as `policy check` prints them */
	pf = cli_load_policy(path);
	if (!pf)
		return 1;
	text = policy_file_bytes(pf, &n);
	if (desk_policy_check(text, n, act.new_hash, &probs, &err)) {
		print_problems(path, &probs);
		goto out;
	}
	if ((rc = cli_desk_open(db, NULL, &cd)))
		goto out_pf;
	/* what it would change, before it changes anything */
	rep = malloc(sizeof *rep);
	if (!rep || replay_run(cd.store, policy_file_policy(pf), &f, NULL,
			       rep, &err)) {
		fprintf(stderr, "aftercare: replay: %s%s%s\n", err.field,
			err.field[0] ? ": " : "", err.msg);
		goto out_desk;
	}
	summary(rep);
	if (desk_policy_activate(cd.desk, "cli", text, n, NULL, &act, &probs,
				 &err)) {
		if (err.code == AC_EINVAL && probs.n)
			print_problems(path, &probs);
		else
			fprintf(stderr, "aftercare: activate: %s%s%s\n",
				err.field, err.field[0] ? ": " : "", err.msg);
		goto out_desk;
	}
	if (act.changed)
		printf("activated %s (was %s)\n", act.new_hash,
		       act.old_hash[0] ? act.old_hash : "none");
	else
		printf("%s is already the active policy\n", act.new_hash);
	status = 0;
out_desk:
	free(rep);
	cli_desk_close(&cd);
out_pf:
	if (rc)
		status = rc;
out:
	policy_file_free(pf);
	return status;
}

static int versions(const char *db)
{
	struct desk_policy_versions vs;
	struct cli_desk cd;
	struct ac_err err;
	int rc;

	ac_err_clear(&err);
	if ((rc = cli_desk_open(db, NULL, &cd)))
		return rc;
	/* a database none is active in gets the built-in one, as serve
	 * would record it */
	rc = desk_policy_sync(cd.desk, &err);
	if (!rc)
		rc = desk_policy_list(cd.desk, &vs, &err);
	if (rc) {
		fprintf(stderr, "aftercare: policy versions: %s%s%s\n",
			err.field, err.field[0] ? ": " : "", err.msg);
		cli_desk_close(&cd);
		return 1;
	}
	for (int i = 0; i < vs.n; i++) {
		const struct desk_policy_version *v = &vs.versions[i];

		printf("%.*s  %-6s  ", (int)v->hash.n, v->hash.p,
		       v->active ? "active" : "-");
		if (v->activated) {
			print_time(v->activated_at);
			printf("  %.*s", (int)v->activated_by.n,
			       v->activated_by.p);
		} else {
			fputs("never active", stdout);
		}
		putchar('\n');
	}
	cli_desk_close(&cd);
	return 0;
}

int cmd_policy(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";
	const char *path = argc > 2 ? argv[2] : NULL;
	struct policy_file *pf;

	if (!strcmp(verb, "activate") || !strcmp(verb, "versions")) {
		const char *db = db_arg(argc, argv);
		bool act = !strcmp(verb, "activate");

		if (act && path && !strcmp(path, "--db"))
			path = argc > 4 ? argv[4] : NULL;
		if (!db || (act && (!path || !strcmp(path, db)))) {
			fputs("usage: aftercare policy activate FILE --db DB\n"
			      "       aftercare policy versions --db DB\n",
			      stderr);
			return 2;
		}
		return act ? activate(path, db) : versions(db);
	}
	if (argc > 2 && !strcmp(argv[2], "--policy"))
		path = argc > 3 ? argv[3] : NULL;
	if (strcmp(verb, "show") && strcmp(verb, "check") &&
	    strcmp(verb, "version")) {
		fputs("usage: aftercare policy show|check|version [FILE]\n"
		      "       aftercare policy activate FILE --db DB\n"
		      "       aftercare policy versions --db DB\n", stderr);
		return 2;
	}
	if (!strcmp(verb, "check") && !path) {
		fputs("usage: aftercare policy check FILE\n", stderr);
		return 2;
	}
	pf = cli_load_policy(path);
	if (!pf)
		return 1;
	const struct policy *p = policy_file_policy(pf);

	if (!strcmp(verb, "show"))
		show(p);
	else if (!strcmp(verb, "check"))
		printf("%s: ok, %d clauses, version %s\n", path, CL_COUNT,
		       p->version);
	else
		printf("%s\ncontent %s\n", p->version, p->content_version);
	policy_file_free(pf);
	return 0;
}
