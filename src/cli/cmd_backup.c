/* cmd_backup.c: `aftercare backup --db DB --to FILE` (cli layer).
 * A consistent copy of a SQLite database into a new FILE while a server
 * may be writing to it (store_backup: SQLite's online backup, checked
 * with PRAGMA integrity_check). FILE must not exist. PostgreSQL is
 * refused with a pointer to pg_dump. Exit 0 on success, 1 on failure,
 * 2 on bad usage. */
#include <stdio.h>
#include <string.h>

#include "../store/store.h"
#include "cli.h"

static int usage(void)
{
	fputs("usage: aftercare backup --db DB --to FILE\n", stderr);
	return 2;
}

int cmd_backup(int argc, char **argv)
{
	const char *db = NULL, *to = NULL;
	struct ac_err err;
	int pages = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--to") && i + 1 < argc)
			to = argv[++i];
		else
			return usage();
	}
	if (!db || !to)
		return usage();
	if (store_backup(db, to, &pages, &err)) {
		fprintf(stderr, "aftercare: backup: %s%s%s\n", err.field,
			err.field[0] ? ": " : "", err.msg);
		return 1;
	}
	printf("backed up %s to %s: %d pages, integrity_check ok\n", db, to,
	       pages);
	return 0;
}
