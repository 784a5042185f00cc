/* cmd_token.c: `aftercare token add|revoke NAME --db PATH` (cli layer).
 * add creates and migrates the database when it is new, stores a new API
 * token for NAME (hashed: the token itself is shown once, here) and
 * prints the token alone on the last line of standard output. revoke
 * revokes every live token of that name. */
#include <stdio.h>
#include <string.h>

#include "../codec/codec.h"
#include "../desk/desk.h"
#include "../store/store.h"
#include "cli.h"

static int usage(void)
{
	fputs("usage: aftercare token add|revoke NAME --db PATH\n", stderr);
	return 2;
}

int cmd_token(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "", *name = NULL, *db = NULL;
	struct cli_desk cd;
	struct ac_err err;
	char token[80];
	int status = 1;

	if (strcmp(verb, "add") && strcmp(verb, "revoke"))
		return usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return usage();
	}
	if (!name || !db)
		return usage();

	ac_err_clear(&err);
	if (cli_desk_open(db, NULL, &cd))
		return 1;
	if (!strcmp(verb, "revoke")) {
		int n = 0;

		if (desk_token_revoke(cd.desk, name, &n, &err))
			fprintf(stderr, "aftercare: token %s: %s\n", name,
				err.msg);
		else
			printf("revoked %d token%s named %s\n", n,
			       n == 1 ? "" : "s", name);
		cli_desk_close(&cd);
		return n > 0 ? 0 : 1;
	}
	if (desk_token_add(cd.desk, name, token, &err)) {
		fprintf(stderr, "aftercare: token %s: %s%s%s\n", name,
			err.field, err.field[0] ? ": " : "", err.msg);
		goto out;
	}
	token[sizeof token - 1] = '\0';
	fprintf(stderr, "aftercare: token '%s' added; it is shown only "
		"once:\n", name);
	printf("%s\n", token);
	status = fflush(stdout) ? 1 : 0;
out:
	cli_desk_close(&cd);
	return status;
}
