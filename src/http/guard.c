/* guard.c: the server's defences against hostile clients (http layer).
 * libmicrohttpd gives every connection as long as it likes to send its
 * request line and headers (its timeout is for silence, and a client
 * that sends one byte a second is never silent), takes 1,020 connections
 * at most and any number from one address. The guard, which server.c
 * starts with the daemon and consults on every request's first call:
 *   limits   the connections from one address, and in all (as many as
 *            the file limit allows: its soft limit is raised to the hard
 *            one at start)
 *   deadline a connection waiting for a request (new, or idle after one)
 *            must have sent the request line and every header within
 *            GUARD_HEADER_DEADLINE_S; a thread of the guard closes one
 *            that has not (408 when its request line was in), so slow
 *            and idle connections cannot pile up; the body phase keeps
 *            libmicrohttpd's idle timeout, so a long upload still works
 *   framing  both Content-Length and Transfer-Encoding, Content-Length
 *            twice with different values, a NUL (%00) in the path or the
 *            query: 400; a transfer coding other than chunked: 501;
 *            headers over GUARD_HEADERS_MAX: 431; each answered before
 *            any of the body is read, and the connection closed, so that
 *            no request hidden in a body can run.
 * Threads: the callbacks run on the server's loops (a connection's all on
 * the loop that accepted it), the waiting list under the guard's lock;
 * the deadline's thread only takes connections off that list (under the
 * lock) and writes to and shuts down their sockets, which stay open until
 * libmicrohttpd has told the guard they are closed. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "http.h"

/* Descriptors kept for what is not a connection: the listening socket,
 * the loops' epoll sets and signals, the store's files (a database, its WAL
 * and shared memory for each thread's desk), the log. */
#define FD_RESERVE 512u
/* Connections at most, whatever the file limit: each holds a 16 KiB
 * pool. */
#define CONNECTIONS_MAX 65536u

struct guard_conn {
	struct guard_conn *prev, *next;     /* the waiting list */
	int64_t since_us;                   /* waiting for a request since */
	int fd;
	bool waiting;                       /* on the list */
	bool line_seen;                     /* its request line is in */
	bool expired;                       /* shut down by the deadline */
	char nul_at[40];                    /* "" or where %00 was: "path"
					     * or the query parameter */
};

struct guard {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool running, stop;
	struct guard_conn *head, *tail;     /* waiting, oldest first */
	unsigned conn_limit, per_client;
	unsigned long expired;              /* since the last log line */
	char timeout_resp[768];             /* the 408, whole */
	size_t timeout_len;
	struct MHD_OptionItem opts[5];
};

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- the waiting list (under mu) -------------------------------------- */

static void list_remove(struct guard *g, struct guard_conn *gc)
{
	if (!gc->waiting)
		return;
	if (gc->prev)
		gc->prev->next = gc->next;
	else
		g->head = gc->next;
	if (gc->next)
		gc->next->prev = gc->prev;
	else
		g->tail = gc->prev;
	gc->prev = gc->next = NULL;
	gc->waiting = false;
}

/* list_append puts gc last: it begins to wait now, after every other. */
static void list_append(struct guard *g, struct guard_conn *gc)
{
	list_remove(g, gc);
	gc->since_us = mono_us();
	gc->line_seen = false;
	gc->nul_at[0] = '\0';
	if (gc->expired)
		return;
	gc->prev = g->tail;
	gc->next = NULL;
	if (g->tail)
		g->tail->next = gc;
	else
		g->head = gc;
	g->tail = gc;
	gc->waiting = true;
}

/* ---- the deadline's thread -------------------------------------------- */

/* expire ends a connection that missed the deadline: a 408 when it had
 * begun a request, then shutdown(), which libmicrohttpd sees as the
 * client's end and closes (and tells the guard). Never blocks. */
static void expire(struct guard *g, struct guard_conn *gc)
{
	list_remove(g, gc);
	gc->expired = true;
	g->expired++;
	if (gc->line_seen &&
	    send(gc->fd, g->timeout_resp, g->timeout_len,
		 MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		errno = 0;              /* it is closed all the same */
	shutdown(gc->fd, SHUT_RDWR);
}

static void *deadline_loop(void *arg)
{
	struct guard *g = arg;
	int64_t last_log = 0;

	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		int64_t now = mono_us(), wake;
		struct timespec ts;

		while (g->head && now - g->head->since_us >=
		       (int64_t)GUARD_HEADER_DEADLINE_S * 1000000)
			expire(g, g->head);
		if (g->expired && now - last_log >= 1000000) {
			fprintf(stderr, "aftercare: http: closed %lu "
				"connection%s that sent no whole request "
				"head within %d s\n", g->expired,
				g->expired == 1 ? "" : "s",
				GUARD_HEADER_DEADLINE_S);
			g->expired = 0;
			last_log = now;
		}
		/* the oldest's deadline, but at least every second (a new
		 * connection's is later than the head's) */
		wake = now + 1000000;
		if (g->head && g->head->since_us +
		    (int64_t)GUARD_HEADER_DEADLINE_S * 1000000 < wake)
			wake = g->head->since_us +
			       (int64_t)GUARD_HEADER_DEADLINE_S * 1000000;
		ts.tv_sec = (time_t)(wake / 1000000);
		ts.tv_nsec = (long)(wake % 1000000) * 1000;
		pthread_cond_timedwait(&g->cv, &g->mu, &ts);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* ---- libmicrohttpd's callbacks (on the loops) -------------------------- */

static struct guard_conn *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct guard *g = cls;
	struct guard_conn *gc = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
			c, MHD_CONNECTION_INFO_CONNECTION_FD);

		gc = xcalloc(1, sizeof *gc);
		gc->fd = ci ? ci->connect_fd : -1;
		*socket_context = gc;
		if (gc->fd < 0)
			return;         /* never on the list: nothing to cut */
		pthread_mutex_lock(&g->mu);
		list_append(g, gc);
		pthread_mutex_unlock(&g->mu);
		return;
	}
	if (!gc)
		return;
	pthread_mutex_lock(&g->mu);
	list_remove(g, gc);
	pthread_mutex_unlock(&g->mu);
	free(gc);
	*socket_context = NULL;
}

/* find_nul finds "%00" in the raw URI and names where it is: "path", or
 * the query parameter (its name as sent, cut to fit). */
static bool find_nul(const char *uri, char *where, size_t n)
{
	const char *q = strchr(uri, '?');
	const char *p = strstr(uri, "%00");
	const char *name, *end;

	if (!p)
		return false;
	if (!q || p < q) {
		snprintf(where, n, "path");
		return true;
	}
	for (name = p; name > q + 1 && name[-1] != '&'; name--)
		;
	end = name;
	while (end < p && *end != '=')
		end++;
	snprintf(where, n, "%.*s", (int)(end - name), name);
	if (!where[0])
		snprintf(where, n, "query");
	return true;
}

/* on_uri runs when a request line is in: the request has begun, and the
 * raw URI still shows what percent-decoding will hide (a %00 cuts the
 * decoded path and query values short). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct guard *g = cls;
	struct guard_conn *gc = conn_of(c);

	if (gc) {
		pthread_mutex_lock(&g->mu);
		gc->line_seen = true;
		pthread_mutex_unlock(&g->mu);
		if (!find_nul(uri, gc->nul_at, sizeof gc->nul_at))
			gc->nul_at[0] = '\0';
	}
	return NULL;                    /* server.c's first call sets it */
}

/* ---- a request's head ------------------------------------------------- */

struct framing {
	int lengths;                    /* Content-Length fields */
	bool lengths_differ;
	const char *length;             /* the first one's value */
	int codings;                    /* Transfer-Encoding fields */
	bool unknown_coding;            /* one is not just "chunked" */
	const char *coding;
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind,
				   const char *key, size_t key_size,
				   const char *value, size_t value_size)
{
	struct framing *f = cls;

	(void)kind;
	(void)key_size;
	(void)value_size;
	if (!key || !value)
		return MHD_YES;
	if (!strcasecmp(key, "Content-Length")) {
		if (f->lengths++ && strcmp(f->length, value))
			f->lengths_differ = true;
		if (f->lengths == 1)
			f->length = value;
	} else if (!strcasecmp(key, "Transfer-Encoding")) {
		f->codings++;
		if (strcasecmp(value, "chunked")) {
			f->unknown_coding = true;
			f->coding = value;
		}
	}
	return MHD_YES;
}

/* refuse answers r and asks for the connection to be closed after it. */
static int refuse(struct http_resp *r, int status)
{
	http_resp_header(r, "Connection", "close");
	return status;
}

int guard_request(struct guard *g, struct MHD_Connection *c,
		  struct http_resp *r)
{
	struct guard_conn *gc = conn_of(c);
	const union MHD_ConnectionInfo *ci;
	struct framing f;
	char nul_at[sizeof gc->nul_at] = "";

	if (gc) {
		pthread_mutex_lock(&g->mu);
		list_remove(g, gc);     /* the head is in: no deadline now */
		pthread_mutex_unlock(&g->mu);
		memcpy(nul_at, gc->nul_at, sizeof nul_at);
	}
	if (nul_at[0]) {
		http_problem(r, 400, nul_at, "the %s holds a NUL character "
			     "(%%00)", strcmp(nul_at, "path") ?
			     "query parameter" : "path");
		return refuse(r, 400);
	}
	ci = MHD_get_connection_info(c,
				     MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	if (ci && ci->header_size > GUARD_HEADERS_MAX) {
		http_problem(r, 431, NULL, "the request line and headers "
			     "are %zu bytes, over the %u-byte limit",
			     ci->header_size, GUARD_HEADERS_MAX);
		return refuse(r, 431);
	}
	memset(&f, 0, sizeof f);
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_header, &f);
	if (f.lengths && f.codings) {
		http_problem(r, 400, "Transfer-Encoding", "both "
			     "Content-Length and Transfer-Encoding: the "
			     "body's length is ambiguous");
		return refuse(r, 400);
	}
	if (f.lengths_differ) {
		http_problem(r, 400, "Content-Length", "Content-Length "
			     "given twice with different values");
		return refuse(r, 400);
	}
	if (f.unknown_coding || f.codings > 1) {
		http_problem(r, 501, "Transfer-Encoding", "transfer coding "
			     "'%s' is not supported: send the body with "
			     "Content-Length or Transfer-Encoding: chunked",
			     f.coding ? f.coding : "chunked, chunked");
		return refuse(r, 501);
	}
	return 0;
}

void guard_request_done(struct guard *g, struct MHD_Connection *c)
{
	struct guard_conn *gc = conn_of(c);

	if (!gc || gc->fd < 0)
		return;
	pthread_mutex_lock(&g->mu);
	list_append(g, gc);             /* waiting for the next request */
	pthread_mutex_unlock(&g->mu);
}

/* ---- start and stop --------------------------------------------------- */

/* file_limit raises the soft limit on open files to the hard one and
 * returns it. */
static rlim_t file_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit want = rl;

		want.rlim_cur = rl.rlim_max == RLIM_INFINITY ?
				CONNECTIONS_MAX + FD_RESERVE : rl.rlim_max;
		if (!setrlimit(RLIMIT_NOFILE, &want))
			rl.rlim_cur = want.rlim_cur;
	}
	return rl.rlim_cur;
}

/* timeout_response writes the 408 the deadline's thread sends. */
static void timeout_response(struct guard *g)
{
	struct http_resp r;
	int n;

	memset(&r, 0, sizeof r);
	buf_init(&r.body, sizeof g->timeout_resp / 2);
	http_problem(&r, 408, NULL, "the request line and headers must "
		     "arrive within %d s", GUARD_HEADER_DEADLINE_S);
	n = snprintf(g->timeout_resp, sizeof g->timeout_resp,
		     "HTTP/1.1 408 Request Timeout\r\n"
		     "Content-Type: application/problem+json\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n"
		     "Cache-Control: no-store\r\n\r\n%.*s", r.body.len,
		     (int)r.body.len, r.body.p ? r.body.p : "");
	g->timeout_len = n > 0 && (size_t)n < sizeof g->timeout_resp ?
			 (size_t)n : 0;
	buf_release(&r.body);
}

int guard_new(unsigned per_client, struct guard **out, struct ac_err *err)
{
	struct guard *g = xcalloc(1, sizeof *g);
	pthread_condattr_t ca;
	rlim_t files = file_limit();
	size_t i = 0;

	*out = NULL;
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	g->conn_limit = files > 2 * FD_RESERVE ?
			(unsigned)(files - FD_RESERVE > CONNECTIONS_MAX ?
				   CONNECTIONS_MAX : files - FD_RESERVE) :
			(unsigned)(files / 2);
	g->per_client = per_client ? per_client : GUARD_PER_CLIENT_DEFAULT;
	if (g->per_client > g->conn_limit)
		g->per_client = g->conn_limit;
	timeout_response(g);
	g->opts[i++] = (struct MHD_OptionItem){
		MHD_OPTION_CONNECTION_LIMIT, (intptr_t)g->conn_limit, NULL };
	g->opts[i++] = (struct MHD_OptionItem){
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)g->per_client,
		NULL };
	g->opts[i++] = (struct MHD_OptionItem){
		MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, g };
	g->opts[i++] = (struct MHD_OptionItem){
		MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, g };
	g->opts[i] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
	if (pthread_create(&g->thread, NULL, deadline_loop, g)) {
		guard_free(g);
		return ac_err_set(err, AC_EIO, "--listen", "cannot start the "
				  "header deadline's thread");
	}
	g->running = true;
	*out = g;
	return 0;
}

struct MHD_OptionItem *guard_options(struct guard *g)
{
	return g->opts;
}

void guard_free(struct guard *g)
{
	if (!g)
		return;
	if (g->running) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_signal(&g->cv);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
	}
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	free(g);
}
