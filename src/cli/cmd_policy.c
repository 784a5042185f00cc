/* cmd_policy.c: `aftercare policy show|check|version` (cli layer). */
#include <stdio.h>
#include <string.h>

#include "../codec/codec.h"
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

int cmd_policy(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";
	const char *path = argc > 2 ? argv[2] : NULL;
	struct policy_file *pf;

	if (argc > 2 && !strcmp(argv[2], "--policy"))
		path = argc > 3 ? argv[3] : NULL;
	if (strcmp(verb, "show") && strcmp(verb, "check") &&
	    strcmp(verb, "version")) {
		fputs("usage: aftercare policy show|check|version [FILE]\n",
		      stderr);
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
