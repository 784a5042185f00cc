/* main.c: `aftercare` and its command table (cli layer). */
#include <stdio.h>
#include <string.h>

#include "../codec/codec.h"
#include "../desk/desk.h"
#include "../store/store.h"
#include "cli.h"

static const struct cmd_entry commands[] = {
	{ "decide", "[--policy FILE] [--explain | --batch [--jobs N]]",
	  "decide one case (JSON on stdin), or JSON Lines with --batch",
	  cmd_decide },
	{ "policy", "show|check|version [FILE] | activate FILE --db DB | "
	  "versions --db DB",
	  "show, check or version a policy file; activate one on a database",
	  cmd_policy },
	{ "demo", "--db PATH [--cases]",
	  "add the demo shop's orders to a database", cmd_demo },
	{ "serve", "--db PATH --listen HOST:PORT [--policy FILE] "
	  "[--readers N] [--per-client N]",
	  "serve the case desk over HTTP", cmd_serve },
	{ "token", "add|revoke NAME --db PATH",
	  "add an API token and print it, or revoke it", cmd_token },
	{ "hook", "add aftership|easypost|stripe NAME --db DB | list --db DB",
	  "add a webhook integration (secret: stdin, or made and shown once)",
	  cmd_hook },
	{ "user", "add NAME --role agent|manager --db PATH",
	  "add a staff account (password: first line of stdin)", cmd_user },
	{ "backup", "--db DB --to FILE",
	  "copy a SQLite database while it serves (never overwrites)",
	  cmd_backup },
	{ "migrate", "--from DB --to DB",
	  "copy a shop's whole history into an empty database, verified",
	  cmd_migrate },
	{ "replay", "--db DB --policy FILE [--json] [--since TIME] "
	  "[--type TYPE] [--status S,..] [--jobs N] [--limit N] [--progress]",
	  "decide the stored cases again under FILE: what would change",
	  cmd_replay },
	{ "import", "shopify|woocommerce FILE --db DB [--format json|csv] "
	  "[--prefix P] [--batch N] [--progress]",
	  "import a shop's orders (Shopify JSON or CSV, WooCommerce JSON)",
	  cmd_import },
};

static void usage(FILE *f)
{
	fputs("usage: aftercare COMMAND [ARGS]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n           %s\n", commands[i].name,
			commands[i].usage, commands[i].summary);
}

struct policy_file *cli_load_policy(const char *path)
{
	struct ac_err errs[32];
	struct policy_file *pf;
	int n_errs;

	if (!path)
		return policy_file_default();
	pf = policy_file_load(path, errs, 32, &n_errs);
	if (pf)
		return pf;
	for (int i = 0; i < n_errs && i < 32; i++) {
		const struct ac_err *e = &errs[i];

		if (e->code == AC_EIO || e->code == AC_ELIMIT)
			fprintf(stderr, "aftercare: policy file %s: %s\n",
				e->field, e->msg);
		else if (e->field[0])
			fprintf(stderr, "%s:%d: %s: %s\n", path, e->line,
				e->field, e->msg);
		else
			fprintf(stderr, "%s:%d: %s\n", path, e->line, e->msg);
	}
	return NULL;
}

int cli_desk_open(const char *db, const char *policy_path,
		  struct cli_desk *out)
{
	struct desk_config dc = { 0 };
	struct ac_err err;

	memset(out, 0, sizeof *out);
	ac_err_clear(&err);
	out->pf = cli_load_policy(policy_path);
	if (!out->pf)
		return 2;
	if (store_open(db, &out->store, &err)) {
		fprintf(stderr, "aftercare: --db %s: %s%s%s\n", db, err.field,
			err.field[0] ? ": " : "", err.msg);
		goto fail;
	}
	dc.store = out->store;
	dc.policy = policy_file_policy(out->pf);
	/* recorded as a version where none is active (issue 9) */
	dc.policy_text = policy_file_bytes(out->pf, &dc.policy_text_n);
	dc.now = desk_clock_real;
	if (desk_new(&dc, &out->desk, &err)) {
		fprintf(stderr, "aftercare: desk: %s\n", err.msg);
		goto fail;
	}
	return 0;
fail:
	cli_desk_close(out);
	return 1;
}

void cli_desk_close(struct cli_desk *cd)
{
	desk_free(cd->desk);
	store_close(cd->store);
	policy_file_free(cd->pf);
	memset(cd, 0, sizeof *cd);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		const struct cmd_entry *c = &commands[i];

		if (strcmp(argv[1], c->name))
			continue;
		/* `aftercare COMMAND --help` anywhere among its arguments
		 * is a question, answered on stdout, exit 0 */
		for (int a = 2; a < argc; a++) {
			if (strcmp(argv[a], "--help") && strcmp(argv[a], "-h"))
				continue;
			printf("usage: aftercare %s %s\n  %s\n", c->name,
			       c->usage, c->summary);
			return 0;
		}
		return c->run(argc - 1, argv + 1);
	}
	fprintf(stderr, "aftercare: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
