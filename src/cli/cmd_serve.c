/* cmd_serve.c: `aftercare serve` (cli layer).
 * Opens the store (created and migrated when new), loads the policy,
 * makes the desk on the wall clock and serves it over HTTP until SIGTERM
 * or SIGINT; then stops accepting, lets the requests in flight finish,
 * closes the desk and the store and exits 0. The signals are blocked in
 * every thread and taken here with sigwait, so no handler runs inside a
 * desk call. */
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../codec/codec.h"
#include "../desk/desk.h"
#include "../http/http.h"
#include "../store/store.h"
#include "cli.h"

#define GRACE_MS 10000  /* the longest a stop waits for requests */

static int usage(void)
{
	fputs("usage: aftercare serve --db PATH --listen HOST:PORT "
	      "[--policy FILE]\n", stderr);
	return 2;
}

int cmd_serve(int argc, char **argv)
{
	const char *db = NULL, *listen = NULL, *policy_path = NULL;
	struct cli_desk cd;
	struct http_server *srv = NULL;
	struct http_config hc = { 0 };
	struct ac_err err;
	sigset_t stop;
	int sig = 0, status = 1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen = argv[++i];
		else if (!strcmp(argv[i], "--policy") && i + 1 < argc)
			policy_path = argv[++i];
		else
			return usage();
	}
	if (!db || !listen)
		return usage();

	/* Before any thread starts, so that every thread inherits it. A
	 * shell starts background jobs with SIGINT ignored: undo that, or
	 * sigwait would never see it. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	/* Keep freed memory instead of giving it back after every request:
	 * trimming the server thread's heap and faulting it in again cost
	 * more than the rest of a request (perf, bench/serve.sh). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	signal(SIGPIPE, SIG_IGN);

	ac_err_clear(&err);
	status = cli_desk_open(db, policy_path, &cd);
	if (status)
		return status;
	status = 1;
	hc.listen = listen;
	hc.desk = cd.desk;
	hc.policy = policy_file_policy(cd.pf);
	if (http_server_start(&hc, &srv, &err)) {
		fprintf(stderr, "aftercare: %s: %s\n", err.field, err.msg);
		goto out;
	}
	fprintf(stderr, "listening on %s\n", http_server_url(srv));
	fflush(stderr);
	while (sigwait(&stop, &sig))
		;
	fprintf(stderr, "aftercare: %s: stopping\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_server_stop(srv, GRACE_MS);
	srv = NULL;
	fputs("aftercare: stopped\n", stderr);
	status = 0;
out:
	http_server_stop(srv, 0);
	cli_desk_close(&cd);
	return status;
}
