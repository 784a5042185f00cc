/* cli.h: the sub-commands of `aftercare` (cli layer).
 * Each sub-command lives in its own cmd_*.c file and has one line in the
 * table in main.c. A command returns the process exit status. */
#ifndef AC_CLI_H
#define AC_CLI_H

struct policy_file;

struct cmd_entry {
	const char *name;
	const char *usage;     /* one line, after "aftercare NAME " */
	const char *summary;
	int (*run)(int argc, char **argv);
};

int cmd_decide(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_import(int argc, char **argv);

struct store;
struct desk;

/* What a command that uses the desk holds: the policy, the store, the
 * desk over them. */
struct cli_desk {
	struct policy_file *pf;
	struct store *store;
	struct desk *desk;
};

/* cli_desk_open loads the policy (FILE, or the built-in one when
 * policy_path is NULL), opens (creating and migrating) the database at db
 * and makes a desk on the wall clock. On failure it prints the problem on
 * stderr, releases what it had, and returns an exit status: 2 for a bad
 * policy file, 1 when the database or the desk cannot be had. */
int cli_desk_open(const char *db, const char *policy_path,
		  struct cli_desk *out);
/* cli_desk_close releases what cli_desk_open made (safe after a failure). */
void cli_desk_close(struct cli_desk *cd);

/* cli_load_policy loads FILE, or the built-in policy when path is NULL;
 * on failure prints every problem as "FILE:LINE: KEY: message" on stderr
 * and returns NULL. */
struct policy_file *cli_load_policy(const char *path);

#endif
