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
int cmd_demo(int argc, char **argv);

/* cli_load_policy loads FILE, or the built-in policy when path is NULL;
 * on failure prints every problem as "FILE:LINE: KEY: message" on stderr
 * and returns NULL. */
struct policy_file *cli_load_policy(const char *path);

#endif
