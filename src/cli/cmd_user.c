/* cmd_user.c: `aftercare user add NAME --role agent|manager --db PATH`
 * (cli layer). Reads the password from the first line of standard input
 * (without its line end, "\n" or "\r\n"), creates and migrates the
 * database when it is new, and adds the staff account with the password
 * hashed (Argon2id). The password is never echoed nor kept. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../desk/desk.h"
#include "cli.h"

#define USAGE "usage: aftercare user add NAME --role agent|manager " \
	"--db PATH\n  (the password is the first line of standard input)\n"

static int usage(void)
{
	fputs(USAGE, stderr);
	return 2;
}

/* read_password reads stdin's first line into pw (cap bytes with the
 * NUL); false when it is longer than DESK_PASSWORD_MAX. */
static bool read_password(char *pw, size_t cap)
{
	size_t n = 0;
	int c;

	while ((c = getchar()) != EOF && c != '\n') {
		if (n + 1 >= cap)
			return false;
		pw[n++] = (char)c;
	}
	if (c == '\n' && n && pw[n - 1] == '\r')
		n--;
	pw[n] = '\0';
	return true;
}

int cmd_user(int argc, char **argv)
{
	const char *name = NULL, *db = NULL, *role_s = NULL;
	char pw[DESK_PASSWORD_MAX + 2];
	enum staff_role role;
	struct cli_desk cd;
	struct ac_err err;
	int status = 1;

	if (argc < 2 || strcmp(argv[1], "add"))
		return usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--role") && i + 1 < argc)
			role_s = argv[++i];
		else if (argv[i][0] != '-' && !name)
			name = argv[i];
		else
			return usage();
	}
	if (!name || !db || !role_s)
		return usage();
	if (staff_role_parse(role_s, &role)) {
		fprintf(stderr, "aftercare: user %s: --role: '%s' is not "
			"agent or manager\n", name, role_s);
		return 2;
	}
	if (!read_password(pw, sizeof pw) ||
	    strlen(pw) < DESK_PASSWORD_MIN) {
		fprintf(stderr, "aftercare: user %s: password: the first line "
			"of standard input must be %d to %d bytes\n", name,
			DESK_PASSWORD_MIN, DESK_PASSWORD_MAX);
		sodium_memzero(pw, sizeof pw);
		return 2;
	}
	if (cli_desk_open(db, NULL, &cd)) {
		sodium_memzero(pw, sizeof pw);
		return 1;
	}
	ac_err_clear(&err);
	if (desk_user_add(cd.desk, "system", name, role, pw, &err)) {
		fprintf(stderr, "aftercare: user %s: %s%s%s\n", name,
			err.field, err.field[0] ? ": " : "", err.msg);
		goto out;
	}
	printf("added user %s (%s)\n", name, staff_role_name(role));
	status = fflush(stdout) ? 1 : 0;
out:
	sodium_memzero(pw, sizeof pw);
	cli_desk_close(&cd);
	return status;
}
