/* cmd_hook.c: `aftercare hook add aftership|easypost|stripe NAME --db DB`
 * and `aftercare hook list --db DB` (cli layer, issue 10.3).
 * add reads the integration's secret from the first line of standard
 * input; when standard input is a terminal or empty, it makes one (32
 * random bytes as hex) and prints it alone on the last line of standard
 * output, once. The secret is stored as given (an HMAC signature can
 * only be checked with it) and never printed again: list shows kinds and
 * names. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/instant.h"
#include "../desk/hooks.h"
#include "cli.h"

static int usage(void)
{
	fputs("usage: aftercare hook add aftership|easypost|stripe NAME "
	      "--db DB  (secret: first line of stdin, or made)\n"
	      "       aftercare hook list --db DB\n", stderr);
	return 2;
}

static void print_hook(void *arg, const char *kind, const char *name,
		       int64_t created_at)
{
	char at[40];

	(void)arg;
	instant_format(created_at, at, sizeof at);
	printf("%-10s %-24s %s\n", kind, name, at);
}

/* read_secret: the first line of stdin (without its end) into buf; 0
 * when stdin is a terminal or gives nothing. */
static size_t read_secret(char *buf, size_t cap)
{
	size_t n;

	if (isatty(STDIN_FILENO) || !fgets(buf, (int)cap, stdin))
		return 0;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return n;
}

int cmd_hook(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "", *db = NULL;
	const char *args[2] = { NULL, NULL };
	char secret[HOOK_SECRET_MAX + 2], stored[HOOK_SECRET_MAX + 1];
	struct cli_desk cd;
	struct ac_err err;
	int n_args = 0, status = 1;
	size_t n;

	if (strcmp(verb, "add") && strcmp(verb, "list"))
		return usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (argv[i][0] != '-' && n_args < 2)
			args[n_args++] = argv[i];
		else
			return usage();
	}
	if (!db || (!strcmp(verb, "add") ? n_args != 2 : n_args != 0))
		return usage();
	ac_err_clear(&err);
	if (cli_desk_open(db, NULL, &cd))
		return 1;
	if (!strcmp(verb, "list")) {
		status = desk_hook_list(cd.desk, print_hook, NULL, &err) ?
			 1 : 0;
		if (status)
			fprintf(stderr, "aftercare: hook list: %s\n", err.msg);
		goto out;
	}
	n = read_secret(secret, sizeof secret);
	if (desk_hook_add(cd.desk, args[0], args[1], n ? secret : NULL,
			  stored, &err)) {
		fprintf(stderr, "aftercare: hook %s %s: %s%s%s\n", args[0],
			args[1], err.field, err.field[0] ? ": " : "", err.msg);
		goto out;
	}
	if (n) {
		fprintf(stderr, "aftercare: %s integration '%s' added\n",
			args[0], args[1]);
	} else {
		fprintf(stderr, "aftercare: %s integration '%s' added; its "
			"secret is shown only once:\n", args[0], args[1]);
		printf("%s\n", stored);
	}
	status = fflush(stdout) ? 1 : 0;
out:
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(stored, sizeof stored);
	cli_desk_close(&cd);
	return status;
}
