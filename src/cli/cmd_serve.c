/* cmd_serve.c: `aftercare serve` (cli layer).
 * Opens the store (created and migrated when new), loads the policy,
 * makes the desk on the wall clock and serves it over HTTP until SIGTERM
 * or SIGINT; then stops accepting, lets the requests in flight finish,
 * closes the desk and the store and exits 0. The signals are blocked in
 * every thread and taken here with sigwait, so no handler runs inside a
 * desk call. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codec/codec.h"
#include "../desk/desk.h"
#include "../desk/outbox.h"
#include "../mail/mail.h"
#include "../http/http.h"
#include "../pay/pay.h"
#include "../store/store.h"
#include "cli.h"

#define GRACE_MS 10000  /* the longest a stop waits for requests */
#define DESKS_MAX 80    /* the server's threads, at most */

static int usage(FILE *to, int status)
{
	fputs("usage: aftercare serve --db PATH --listen HOST:PORT "
	      "[--policy FILE] [--readers N] [--per-client N]\n"
	      "  --readers N     threads for reads (default: one per core, "
	      "at least 2)\n"
	      "  --per-client N  connections one client address may hold "
	      "(default 128;\n"
	      "                  raise it behind a proxy, where every "
	      "client has its address)\n"
	      "  --smtp URL      mail customers through this SMTP server "
	      "(smtp://HOST:PORT;\n"
	      "                  smtp://USER:PASS@HOST:PORT logs in over "
	      "STARTTLS; smtps://..)\n"
	      "  --mail-from ADDRESS  the sender of that mail (with --smtp)\n"
	      "  --smtp-ca FILE  CA bundle (PEM) that signs the SMTP "
	      "server's certificate\n"
	      "  --public-url URL  the portal's address, for the link in "
	      "each mail\n"
	      "  --outbox-workers N  threads sending from the outbox "
	      "(default 2)\n"
	      "  --pay-url URL --pay-key-file FILE   send ledger refunds to "
	      "the payment\n"
	      "                  provider (Stripe's refunds API; the key: "
	      "FILE's first line)\n"
	      "  --pay-timeout S --pay-attempts N --pay-backoff-ms MS\n",
	      to);
	return status;
}

/* The server's other threads each get a desk on a store connection of
 * their own, over the same database and policy. */
struct desks {
	const char *db;
	const struct policy *policy;
	struct {
		struct desk *desk;
		struct store *store;
	} open[DESKS_MAX];
};

static int open_desk(void *ctx, struct desk **out, struct ac_err *err)
{
	struct desks *ds = ctx;
	struct desk_config dc = { 0 };
	struct store *st;
	int rc, slot = -1;

	for (int i = 0; i < DESKS_MAX && slot < 0; i++)
		if (!ds->open[i].desk)
			slot = i;
	if (slot < 0)
		return ac_err_set(err, AC_ELIMIT, "--readers", "more than "
				  "%d threads", DESKS_MAX);
	if ((rc = store_open(ds->db, &st, err)))
		return rc;
	dc.store = st;
	dc.policy = ds->policy;
	dc.now = desk_clock_real;
	if ((rc = desk_new(&dc, out, err))) {
		store_close(st);
		return rc;
	}
	ds->open[slot].desk = *out;
	ds->open[slot].store = st;
	return 0;
}

static void close_desk(void *ctx, struct desk *d)
{
	struct desks *ds = ctx;

	for (int i = 0; i < DESKS_MAX; i++) {
		if (ds->open[i].desk != d)
			continue;
		desk_free(d);
		store_close(ds->open[i].store);
		ds->open[i].desk = NULL;
		ds->open[i].store = NULL;
	}
}

/* start_policy (issue 9): the database's active policy is the one the
 * desk decides by. --policy FILE is kept and made active at start when
 * another is; without it the built-in policy is kept and made active
 * only in a database where none is. 0, or 1 with the problem printed. */
static int start_policy(struct cli_desk *cd, const char *path)
{
	struct desk_policy_activation act;
	struct ac_err err;
	const char *text;
	size_t n;
	int rc;

	ac_err_clear(&err);
	if (!path) {
		rc = desk_policy_sync(cd->desk, &err);
	} else {
		text = policy_file_bytes(cd->pf, &n);
		rc = desk_policy_activate(cd->desk, "system:serve", text, n,
					  NULL, &act, NULL, &err);
		if (!rc && act.changed)
			fprintf(stderr, "aftercare: --policy %s: %s is now the "
				"active policy (it was %s)\n", path,
				act.new_hash, act.old_hash[0] ? act.old_hash :
				"none");
	}
	if (rc)
		fprintf(stderr, "aftercare: policy: %s%s%s\n", err.field,
			err.field[0] ? ": " : "", err.msg);
	return rc ? 1 : 0;
}

/* atoi_bounded: 1 .. max, or -1. */
static int atoi_bounded(const char *s, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 1 || n > max)
		return -1;
	return (int)n;
}

int cmd_serve(int argc, char **argv)
{
	const char *db = NULL, *listen = NULL, *policy_path = NULL;
	static struct desks ds;
	int per_client = 0;
	struct cli_desk cd;
	struct http_server *srv = NULL;
	struct http_config hc = { 0 };
	struct mail_config mc = { 0 };
	struct mail *mail = NULL;
	struct outbox_config oc = { 0 };
	struct outbox *ob = NULL;
	struct pay_config pc = { 0 };   /* issue 10.4 */
	struct pay_service *pay = NULL;
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
		else if (!strcmp(argv[i], "--readers") && i + 1 < argc)
			hc.readers = atoi_bounded(argv[++i], 64);
		else if (!strcmp(argv[i], "--per-client") && i + 1 < argc)
			per_client = atoi_bounded(argv[++i], 65536);
		else if (!strcmp(argv[i], "--pay-url") && i + 1 < argc)
			pc.url = argv[++i];
		else if (!strcmp(argv[i], "--pay-key-file") && i + 1 < argc)
			pc.key_file = argv[++i];
		else if (!strcmp(argv[i], "--pay-timeout") && i + 1 < argc)
			pc.timeout_s = atoi_bounded(argv[++i], 60);
		else if (!strcmp(argv[i], "--pay-attempts") && i + 1 < argc)
			pc.max_attempts = atoi_bounded(argv[++i], 100);
		else if (!strcmp(argv[i], "--pay-backoff-ms") && i + 1 < argc)
			pc.base_us = 1000LL * atoi_bounded(argv[++i], 600000);
		else if (!strcmp(argv[i], "--smtp") && i + 1 < argc)
			mc.smtp_url = argv[++i];
		else if (!strcmp(argv[i], "--mail-from") && i + 1 < argc)
			mc.from = argv[++i];
		else if (!strcmp(argv[i], "--smtp-ca") && i + 1 < argc)
			mc.ca_file = argv[++i];
		else if (!strcmp(argv[i], "--public-url") && i + 1 < argc)
			mc.public_url = argv[++i];
		else if (!strcmp(argv[i], "--outbox-workers") && i + 1 < argc)
			oc.workers = atoi_bounded(argv[++i], 64);
		else
			return usage(stderr, 2);
	}
	if (!db || !listen || !pc.url != !pc.key_file)
		return usage(stderr, 2);
	if (pc.timeout_s < 0 || pc.max_attempts < 0 || pc.base_us < 0) {
		fprintf(stderr, "aftercare: --pay-timeout (1-60), "
			"--pay-attempts (1-100), --pay-backoff-ms (1-600000): "
			"out of range\n");
		return 2;
	}
	if (oc.workers < 0) {
		fprintf(stderr, "aftercare: --outbox-workers: not a number "
			"from 1 to 64\n");
		return 2;
	}
	if (!mc.smtp_url != !mc.from) {
		fprintf(stderr, "aftercare: --smtp and --mail-from go "
			"together\n");
		return 2;
	}
	if (mc.ca_file && !mc.smtp_url) {
		fprintf(stderr, "aftercare: --smtp-ca goes with --smtp\n");
		return 2;
	}
	ac_err_clear(&err);
	if (mc.smtp_url && mail_new(&mc, &mail, &err)) {
		fprintf(stderr, "aftercare: %s: %s\n", err.field, err.msg);
		return 2;
	}
	if (per_client < 0) {
		fprintf(stderr, "aftercare: --per-client: not a number from "
			"1 to 65536\n");
		return 2;
	}
	hc.per_client = (unsigned)per_client;
	if (hc.readers < 0) {
		fprintf(stderr, "aftercare: --readers: not a number from 1 "
			"to 64\n");
		return 2;
	}

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
	if (start_policy(&cd, policy_path))
		goto out;
	hc.listen = listen;
	hc.desk = cd.desk;
	hc.policy = policy_file_policy(cd.pf);
	ds.db = db;
	ds.policy = hc.policy;
	hc.open_desk = open_desk;
	hc.close_desk = close_desk;
	hc.desk_ctx = &ds;
	if (http_server_start(&hc, &srv, &err)) {
		fprintf(stderr, "aftercare: %s: %s\n", err.field, err.msg);
		if (!strcmp(err.field, "--listen"))
			fputs("aftercare: serve on another address with "
			      "--listen HOST:PORT (make run: LISTEN=127.0.0.1:"
			      "8081 make run)\n", stderr);
		goto out;
	}
	if (pc.url) {                   /* refunds to the provider */
		pc.open_desk = open_desk;
		pc.close_desk = close_desk;
		pc.desk_ctx = &ds;
		if (pay_start(&pc, &pay, &err)) {
			fprintf(stderr, "aftercare: %s: %s\n", err.field,
				err.msg);
			goto out;
		}
	}
	/* The outbox's workers (issue 10): customer mail with --smtp (a
	 * server without it leaves mail rows to one that has it); other
	 * kinds register their handler here too. */
	oc.open_desk = open_desk;
	oc.close_desk = close_desk;
	oc.desk_ctx = &ds;
	if (outbox_new(&oc, &ob, &err) == 0 && mail) {
		struct outbox_kind k;

		mail_kind(mail, &k);
		outbox_register(ob, &k, &err);
	}
	if (err.code || outbox_start(ob, &err)) {
		fprintf(stderr, "aftercare: outbox: %s: %s\n", err.field,
			err.msg);
		goto out;
	}
	if (mail) {
		const char *at = strrchr(mc.smtp_url, '@');

		fprintf(stderr, "mail: to customers through %s%s, from %s\n",
			at ? "the server at " : "", at ? at + 1 : mc.smtp_url,
			mc.from);
	} else {
		fputs("mail: off (no --smtp): customer mail waits in the "
		      "outbox\n", stderr);
	}
	/* last: scripts take this line as "ready", everything said */
	fprintf(stderr, "listening on %s\n", http_server_url(srv));
	fflush(stderr);
	while (sigwait(&stop, &sig))
		;
	fprintf(stderr, "aftercare: %s: stopping\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	http_server_stop(srv, GRACE_MS);
	srv = NULL;
	outbox_stop(ob);
	pay_stop(pay);
	pay = NULL;
	fputs("aftercare: stopped\n", stderr);
	status = 0;
out:
	pay_stop(pay);
	http_server_stop(srv, 0);
	outbox_free(ob);
	mail_free(mail);
	cli_desk_close(&cd);
	return status;
}
