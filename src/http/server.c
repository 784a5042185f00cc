/* server.c: the HTTP server on libmicrohttpd (http layer).
 * Threads, each with a desk (and so a store connection) of its own:
 *   the loops   libmicrohttpd's epoll loops, one a CPU (its thread pool,
 *               each loop with the connections it accepted): read
 *               requests, route them, check tokens (before any body is
 *               read), send answers; they run the health ping's handler
 *               and the QUICK routes' (http.h) themselves
 *   the writer  runs the routes that declare HTTP_TXN_WRITE: it takes
 *               every write waiting, runs them in one store transaction
 *               (each all-or-nothing in a savepoint of its own), commits
 *               once (one fsync for them all) and only then lets their
 *               answers go: group commit
 *   readers     run HTTP_TXN_READ routes, each in a read transaction of
 *               its own desk (WAL: a snapshot of what was committed,
 *               never waiting for the writer), and HTTP_TXN_NONE routes
 *   the log     writes the lines the loops leave, as many as are waiting
 *               in one write
 * A request is answered on the access handler's last call: the first
 * sets up its state (route, token, media type, size limit), the middle
 * ones gather the body into a capped buffer, the last suspends the
 * connection and hands the request to a thread; that thread fills in the
 * answer and resumes the connection, and its loop queues the response.
 * A request's state, arena included, is freed when libmicrohttpd reports
 * it complete, which is also when it is logged. */
#define _GNU_SOURCE             /* sched_getaffinity, CPU_COUNT */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../codec/codec.h"
#include "../desk/desk.h"
#include "http.h"

/* A body over its limit is read on (and dropped) this far past the limit,
 * to answer 413 properly; beyond that the connection is closed. */
#define DISCARD_MAX (16u << 20)
#define CONNECTION_TIMEOUT_S 30u
/* libmicrohttpd's per-connection pool (request line, headers, buffers),
 * cleared on every request: 16 KiB instead of its 32 KiB holds any
 * request we take and measured 10-16 % more requests a second. */
#define CONN_POOL_BYTES (16u << 10)

#define READERS_MAX 64
#define LOOPS_MAX 32
/* Log lines waiting past this make the loops wait for the log's thread
 * (stderr slower than the requests) rather than drop lines. */
#define LOG_HIGH (512u << 10)
/* Woken by a first line, the log's thread lets the lines gather this
 * long before it writes them: waking it for every line, measured on one
 * CPU, cost a third of the requests a second. */
#define LOG_GATHER_NS (2 * 1000 * 1000)

struct request;

/* Requests waiting for a thread, first in first out. */
struct jobq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct request *head, *tail;
	bool stop;                      /* drain what is left, then end;
					 * take no more */
};

/* A thread that runs handlers, with its desk and its context. */
struct worker {
	struct http_server *srv;
	pthread_t thread;
	bool running;
	struct http_ctx ctx;
};

struct http_server {
	struct MHD_Daemon *daemon;
	struct guard *guard;            /* limits, deadline, framing */
	struct http_ctx *loops;         /* a context for each loop: token
					 * checks, pings, QUICK routes */
	int n_loops;
	atomic_int loops_taken;         /* by the loops' threads, in turn */
	struct sockaddr_storage addr;
	char url[320];
	atomic_int in_flight;           /* requests begun, not yet complete */
	struct jobq reads, writes;
	struct worker writer;
	struct worker *readers;
	int n_readers;
	http_open_desk open_desk;
	http_close_desk close_desk;
	void *desk_ctx;
	bool quick_read_inline;         /* the loops answer QUICK_READ (a
					 * store in this process's files) */
	/* the log: lines the loops add under log_mu, which the log's
	 * thread takes and writes out */
	pthread_mutex_t log_mu;
	pthread_cond_t log_cv;          /* lines to write, or stop */
	pthread_cond_t log_drained;     /* under LOG_HIGH again */
	pthread_t log_thread;
	bool log_running, log_stop;
	struct buf log;
	time_t log_sec;                 /* the second log_ts shows */
	char log_ts[32];
};

/* ---- per-request state ---------------------------------------------- */

struct request {
	struct http_server *srv;
	struct request *next;           /* in a jobq */
	struct arena arena;
	struct http_req q;
	struct http_resp r;
	const struct route *route;
	struct buf body;
	size_t seen;                    /* body bytes received */
	bool answered;                  /* r holds the answer already */
	bool too_big;
	bool declared_too_big;          /* Content-Length over the limit */
	bool queued;
	bool before_done;               /* route->before ran: to the writer */
	int64_t start_us;
	size_t sent_bytes;
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *http_req_header(const struct http_req *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

const char *http_req_query(const struct http_req *q, const char *name)
{
	const char *v = MHD_lookup_connection_value(q->conn,
						    MHD_GET_ARGUMENT_KIND,
						    name);

	return v && v[0] ? v : NULL;
}

const char *http_req_cookie(const struct http_req *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_COOKIE_KIND, name);
}

const char *http_req_client(struct http_req *q)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		q->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char host[NI_MAXHOST];
	socklen_t len;

	if (!ci || !ci->client_addr)
		return "-";
	len = ci->client_addr->sa_family == AF_INET6 ?
	      sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo(ci->client_addr, len, host, sizeof host, NULL, 0,
			NI_NUMERICHOST))
		return "-";
	return arena_strndup(q->arena, host, strlen(host));
}

/* ---- forms ------------------------------------------------------------ */

/* The fields being read by libmicrohttpd's post processor: each value
 * grows in a buf until the next field begins. */
struct form_reader {
	struct http_req *q;
	struct http_field *fields;
	int n, files;
	struct buf cur;
	bool over;                      /* too many fields or files */
	const char *why;
};

static void form_flush(struct form_reader *fr)
{
	struct http_field *f;

	if (fr->n == 0)
		return;
	f = &fr->fields[fr->n - 1];
	f->len = fr->cur.len;
	f->value = arena_strndup(fr->q->arena, fr->cur.p ? fr->cur.p : "",
				 fr->cur.len);
	buf_reset(&fr->cur);
}

static enum MHD_Result form_field(void *cls, enum MHD_ValueKind kind,
				  const char *key, const char *filename,
				  const char *content_type,
				  const char *transfer_encoding,
				  const char *data, uint64_t off, size_t size)
{
	struct form_reader *fr = cls;
	struct http_field *f = fr->n ? &fr->fields[fr->n - 1] : NULL;

	(void)kind;
	(void)transfer_encoding;
	if (!key)
		return MHD_YES;
	if (!f || off == 0 || strcmp(f->name, key)) {
		form_flush(fr);
		if (fr->n == HTTP_FORM_FIELDS) {
			fr->over = true;
			fr->why = "the form has too many fields";
			return MHD_NO;
		}
		f = &fr->fields[fr->n++];
		f->name = arena_strndup(fr->q->arena, key, strlen(key));
		f->filename = arena_strndup(fr->q->arena, filename ?
					    filename : "", filename ?
					    strlen(filename) : 0);
		f->content_type = arena_strndup(fr->q->arena, content_type ?
						content_type : "",
						content_type ?
						strlen(content_type) : 0);
		if (filename && ++fr->files > HTTP_UPLOAD_FILES) {
			fr->over = true;
			fr->why = "the form has too many files";
			return MHD_NO;
		}
	}
	if (size && buf_add(&fr->cur, data, size)) {
		fr->over = true;
		fr->why = "a field of the form is too long";
		return MHD_NO;
	}
	return MHD_YES;
}

/* read_form parses the request's body as its form (urlencoded, or
 * multipart when the route takes files) into q->fields; false, with r
 * answered 400, when it cannot. */
static bool read_form(struct request *rq)
{
	struct http_req *q = &rq->q;
	struct form_reader fr = { .q = q };
	struct MHD_PostProcessor *pp;
	bool ok;

	if (!q->body_len)
		return true;
	fr.fields = arena_alloc(q->arena, HTTP_FORM_FIELDS *
				sizeof *fr.fields);
	buf_init(&fr.cur, rq->route->body == HTTP_BODY_UPLOAD ?
		 (8u << 20) : HTTP_FORM_MAX);
	pp = MHD_create_post_processor(q->conn, 32u << 10, form_field, &fr);
	if (!pp) {
		http_problem(&rq->r, 400, "Content-Type", "the form cannot "
			     "be read: it must be application/x-www-form-"
			     "urlencoded%s", rq->route->body ==
			     HTTP_BODY_UPLOAD ? " or multipart/form-data "
			     "with a boundary" : "");
		buf_release(&fr.cur);
		return false;
	}
	ok = MHD_post_process(pp, q->body, q->body_len) == MHD_YES;
	if (MHD_destroy_post_processor(pp) != MHD_YES)
		ok = false;
	form_flush(&fr);
	buf_release(&fr.cur);
	if (!ok || fr.over) {
		http_problem(&rq->r, fr.over ? 413 : 400, NULL, "%s",
			     fr.over ? fr.why : "the form is not well formed");
		return false;
	}
	q->fields = fr.fields;
	q->n_fields = fr.n;
	return true;
}

const struct http_field *http_form_at(const struct http_req *q,
				      const char *name, int i)
{
	for (int k = 0; k < q->n_fields; k++)
		if (!strcmp(q->fields[k].name, name) && i-- == 0)
			return &q->fields[k];
	return NULL;
}

const char *http_form(const struct http_req *q, const char *name)
{
	const struct http_field *f = http_form_at(q, name, 0);

	return f ? f->value : NULL;
}

int http_form_n(const struct http_req *q, const char *name)
{
	int n = 0;

	for (int k = 0; k < q->n_fields; k++)
		n += !strcmp(q->fields[k].name, name);
	return n;
}

bool http_query_int(const struct http_req *q, struct http_resp *r,
		    const char *name, int64_t min, int64_t max, int64_t def,
		    int64_t *out)
{
	const char *v = http_req_query(q, name);
	char *end;
	long long n;

	*out = def;
	if (!v)
		return true;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end || v[0] == ' ' || v[0] == '+' ||
	    n < min || n > max) {
		struct ac_err err;

		ac_err_set(&err, AC_EINVAL, name, "not an integer from %lld "
			   "to %lld", (long long)min, (long long)max);
		http_problem_err(r, &err);
		return false;
	}
	*out = n;
	return true;
}

/* media_type: the Content-Type's type/subtype in lower case, and whether
 * its charset (if any) is UTF-8. */
static const char *media_type(struct arena *a, const char *ct, bool *utf8)
{
	const char *semi, *cs;
	size_t n;
	char *m;

	*utf8 = true;
	if (!ct)
		return "";
	while (*ct == ' ' || *ct == '\t')
		ct++;
	semi = strchr(ct, ';');
	n = semi ? (size_t)(semi - ct) : strlen(ct);
	while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	m = arena_strndup(a, ct, n);
	for (char *p = m; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	for (cs = semi; cs; cs = strchr(cs + 1, ';')) {
		const char *v = cs + 1;

		while (*v == ' ' || *v == '\t')
			v++;
		if (strncasecmp(v, "charset=", 8))
			continue;
		v += 8;
		if (*v == '"')
			v++;
		*utf8 = !strncasecmp(v, "utf-8", 5) &&
			strchr("\"; \t", v[5]);
	}
	return m;
}

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static const char *const json_types[] = { "application/json", NULL };
static const char *const jsonl_types[] = { "application/x-ndjson",
					   "application/jsonl", NULL };
static const char *const image_types[] = { "image/jpeg", "image/png",
					   "image/webp", NULL };
static const char *const form_types[] = {
	"application/x-www-form-urlencoded", NULL };
static const char *const upload_types[] = {
	"application/x-www-form-urlencoded", "multipart/form-data", NULL };

/* check_media answers 415 when a body is sent with a type the route does
 * not take. */
static bool check_media(struct request *rq, bool has_body, bool utf8)
{
	const char *mt = rq->q.media_type;
	enum http_body kind = rq->route->body;

	if (!has_body || (strcmp(rq->q.method, "POST") &&
			  strcmp(rq->q.method, "PUT")))
		return true;
	switch (kind) {
	case HTTP_BODY_NONE:
	case HTTP_BODY_JSON:
		if (one_of(mt, json_types) && utf8)
			return true;
		http_problem(&rq->r, 415, "Content-Type", "the body must be "
			     "Content-Type: application/json (UTF-8), not "
			     "'%s'", mt);
		break;
	case HTTP_BODY_JSONL:
		if (one_of(mt, jsonl_types) && utf8)
			return true;
		http_problem(&rq->r, 415, "Content-Type", "the body must be "
			     "JSON Lines: Content-Type: application/x-ndjson "
			     "or application/jsonl, not '%s'", mt);
		break;
	case HTTP_BODY_IMAGE:
		if (one_of(mt, image_types))
			return true;
		http_problem(&rq->r, 415, "Content-Type", "evidence must be "
			     "image/jpeg, image/png or image/webp, not '%s'",
			     mt);
		break;
	case HTTP_BODY_FORM:
	case HTTP_BODY_UPLOAD:
		if (one_of(mt, kind == HTTP_BODY_FORM ? form_types :
			   upload_types))
			return true;
		http_problem(&rq->r, 415, "Content-Type", "this page takes a "
			     "form (%s), not '%s'", kind == HTTP_BODY_FORM ?
			     "application/x-www-form-urlencoded" :
			     "multipart/form-data", mt);
		break;
	}
	http_resp_header(&rq->r, "Accept-Post", kind == HTTP_BODY_IMAGE ?
			 "image/jpeg, image/png, image/webp" :
			 kind == HTTP_BODY_JSONL ?
			 "application/x-ndjson, application/jsonl" :
			 kind == HTTP_BODY_FORM ?
			 "application/x-www-form-urlencoded" :
			 kind == HTTP_BODY_UPLOAD ?
			 "multipart/form-data, "
			 "application/x-www-form-urlencoded" :
			 "application/json");
	return false;
}

static void too_large(struct request *rq, size_t limit)
{
	http_problem(&rq->r, 413, NULL, "the body is over the %zu-byte "
		     "limit of this route", limit);
}

/* prepare runs on the first call, before any of the body: it routes the
 * request and checks what the headers alone can tell. Any answer found
 * here waits in rq->r for the last call. */
static void prepare(struct request *rq, const char *cl_header,
		    bool chunked, const char *ct_header)
{
	char allow[64];
	enum route_result rr;
	bool utf8, has_body;
	unsigned long long cl = 0;
	size_t limit;

	if (cl_header) {
		char *end;

		errno = 0;
		cl = strtoull(cl_header, &end, 10);
		if (errno || end == cl_header)
			cl = 0;
	}
	rq->declared_too_big = cl > rq->body.cap;   /* the default limit */
	rr = route_match(&rq->arena, rq->q.method, rq->q.path, &rq->route,
			 rq->q.params, allow, sizeof allow);
	if (rr == ROUTE_NOT_FOUND) {
		http_problem(&rq->r, 404, NULL, "no route for %s %s",
			     rq->q.method, rq->q.path);
		goto answered;
	}
	if (rr == ROUTE_BAD_METHOD) {
		const char *a = arena_strndup(&rq->arena, allow,
					      strlen(allow));

		if (!strcmp(rq->q.method, "OPTIONS")) {
			rq->r.status = 204;
			rq->r.content_type = NULL;
		} else {
			http_problem(&rq->r, 405, NULL, "%s does not take %s;"
				     " it takes %s", rq->q.path,
				     rq->q.method, allow);
		}
		http_resp_header(&rq->r, "Allow", a);
		goto answered;
	}
	limit = http_body_limit(rq->route->body);
	buf_init(&rq->body, limit);
	rq->declared_too_big = cl > limit;
	if (rq->route->auth == HTTP_AUTH_TOKEN && auth_check(&rq->q, &rq->r))
		goto answered;
	if (rq->route->auth >= HTTP_AUTH_CUSTOMER &&
	    auth_session(&rq->q, &rq->r, rq->route->auth))
		goto answered;
	has_body = cl > 0 || chunked;
	rq->q.media_type = media_type(&rq->arena, ct_header, &utf8);
	if (!check_media(rq, has_body, utf8))
		goto answered;
	if (rq->declared_too_big) {
		too_large(rq, limit);
		goto answered;
	}
	return;
answered:
	rq->answered = true;
}

/* handle runs the route's handler on the whole body, on a worker: its
 * `before` part when it has one and has not run it yet. A page's form
 * is read first, and a POST of a session's page must carry the
 * session's CSRF token. */
static void handle(struct request *rq, struct http_ctx *ctx)
{
	const struct route *rt = rq->route;
	bool before = rt->before && !rq->before_done;

	rq->q.ctx = ctx;
	rq->q.body = rq->body.p ? rq->body.p : "";
	rq->q.body_len = rq->body.len;
	if ((rt->body == HTTP_BODY_FORM || rt->body == HTTP_BODY_UPLOAD) &&
	    !rq->q.fields && !read_form(rq))
		return;
	if (rt->auth >= HTTP_AUTH_CUSTOMER && rq->q.session.token &&
	    !strcmp(rq->q.method, "POST") && auth_csrf(&rq->q, &rq->r))
		return;
	if (before) {
		rt->before(&rq->q, &rq->r);
		rq->before_done = true;
		return;
	}
	rt->handle(&rq->q, &rq->r);
	if (rq->r.status == 0)
		http_problem(&rq->r, 500, NULL, "the handler gave no answer");
}

/* ---- the workers' queues ---------------------------------------------- */

static void jobq_init(struct jobq *jq)
{
	pthread_mutex_init(&jq->mu, NULL);
	pthread_cond_init(&jq->cv, NULL);
	jq->head = jq->tail = NULL;
	jq->stop = false;
}

static void jobq_destroy(struct jobq *jq)
{
	pthread_mutex_destroy(&jq->mu);
	pthread_cond_destroy(&jq->cv);
}

/* jobq_push: false when the queue is stopped (the server is stopping:
 * nobody would take it) */
static bool jobq_push(struct jobq *jq, struct request *rq)
{
	rq->next = NULL;
	pthread_mutex_lock(&jq->mu);
	if (jq->stop) {
		pthread_mutex_unlock(&jq->mu);
		return false;
	}
	if (jq->tail)
		jq->tail->next = rq;
	else
		jq->head = rq;
	jq->tail = rq;
	pthread_cond_signal(&jq->cv);
	pthread_mutex_unlock(&jq->mu);
	return true;
}

/* jobq_take waits for work: one request, or every one waiting when all
 * is true; NULL once the queue is stopped and empty. */
static struct request *jobq_take(struct jobq *jq, bool all)
{
	struct request *rq;

	pthread_mutex_lock(&jq->mu);
	while (!jq->head && !jq->stop)
		pthread_cond_wait(&jq->cv, &jq->mu);
	rq = jq->head;
	if (rq && all) {
		jq->head = jq->tail = NULL;
	} else if (rq) {
		jq->head = rq->next;
		if (!jq->head)
			jq->tail = NULL;
		rq->next = NULL;
	}
	pthread_mutex_unlock(&jq->mu);
	return rq;
}

static void jobq_stop(struct jobq *jq)
{
	pthread_mutex_lock(&jq->mu);
	jq->stop = true;
	pthread_cond_broadcast(&jq->cv);
	pthread_mutex_unlock(&jq->mu);
}

/* is_read: the route reads in a read transaction of its own (a
 * QUICK_READ reads in one statement, without one: desk_read_one) */
static bool is_read(const struct route *rt)
{
	return rt->txn == HTTP_TXN_READ;
}

/* read_quick readies a QUICK_READ (no transaction to end): 1 when the
 * route is one */
static bool read_quick(const struct request *rq, struct desk *desk)
{
	if (rq->route->txn != HTTP_TXN_QUICK_READ || rq->route->before)
		return false;
	desk_read_one(desk);
	return true;
}

/* stopping answers a request that came in after the workers stopped */
static void stopping(struct request *rq)
{
	buf_reset(&rq->r.body);
	rq->r.n_headers = 0;
	http_problem(&rq->r, 503, NULL, "the server is stopping");
	http_resp_header(&rq->r, "Connection", "close");
}

/* read_loop is a reader: one request at a time, reads in a snapshot. */
static void *read_loop(void *arg)
{
	struct worker *w = arg;
	struct request *rq;

	while ((rq = jobq_take(&w->srv->reads, false))) {
		struct ac_err err;
		bool txn = is_read(rq->route);

		ac_err_clear(&err);
		txn = txn || rq->route->before;
		if (read_quick(rq, w->ctx.desk))
			txn = false;
		if (txn && desk_read_begin(w->ctx.desk, &err)) {
			http_problem_err(&rq->r, &err);
		} else {
			handle(rq, &w->ctx);
			if (txn)
				desk_read_end(w->ctx.desk);
		}
		/* a write's `before` done: now the write itself */
		if (rq->before_done && rq->r.status == 0) {
			if (jobq_push(&w->srv->writes, rq))
				continue;
			stopping(rq);
		}
		MHD_resume_connection(rq->q.conn);
	}
	return NULL;
}

/* write_loop is the writer: every write waiting, in one group commit.
 * When the commit fails none of the batch's writes was kept, so every
 * one of them is answered 503 instead of what its handler said. */
static void *write_loop(void *arg)
{
	struct worker *w = arg;
	struct desk *desk = w->ctx.desk;
	struct request *batch, *rq, *next;

	while ((batch = jobq_take(&w->srv->writes, true))) {
		struct ac_err err;
		int rc;

		ac_err_clear(&err);
		rc = desk_batch_begin(desk, &err);
		for (rq = batch; rq; rq = rq->next) {
			if (rc)
				http_problem_err(&rq->r, &err);
			else
				handle(rq, &w->ctx);
		}
		if (!rc && (rc = desk_batch_commit(desk, &err))) {
			/* 503 store, or store-in-doubt when the commit's
			 * outcome is unknown (AC_EINDOUBT) */
			struct ac_err e = err;

			e.code = err.code == AC_EINDOUBT ? AC_EINDOUBT : AC_EIO;
			e.field[0] = '\0';     /* no field of the request's */
			snprintf(e.msg, sizeof e.msg, "the store could not "
				 "commit: %s", err.msg);
			for (rq = batch; rq; rq = rq->next) {
				buf_reset(&rq->r.body);
				rq->r.n_headers = 0;
				http_problem_err(&rq->r, &e);
			}
		}
		for (rq = batch; rq; rq = next) {
			next = rq->next;        /* rq is the loop's again */
			MHD_resume_connection(rq->q.conn);
		}
	}
	return NULL;
}

static enum MHD_Result queue(struct request *rq, struct MHD_Connection *c)
{
	struct http_resp *r = &rq->r;
	struct MHD_Response *resp;
	bool cache_set = false;
	enum MHD_Result ok;

	if (r->body.len) {
		resp = MHD_create_response_from_buffer_with_free_callback(
			r->body.len, r->body.p, free);
		rq->sent_bytes = r->body.len;
		buf_init(&r->body, HTTP_RESP_MAX);  /* MHD frees the bytes */
	} else {
		resp = MHD_create_response_from_buffer(0, (void *)"",
						       MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	if (r->content_type)
		MHD_add_response_header(resp, "Content-Type",
					r->content_type);
	for (int i = 0; i < r->n_headers; i++) {
		MHD_add_response_header(resp, r->headers[i].name,
					r->headers[i].value);
		if (!strcasecmp(r->headers[i].name, "Cache-Control"))
			cache_set = true;
	}
	if (!cache_set)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	ok = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	rq->queued = ok == MHD_YES;
	return ok;
}

/* answer_here: whether the loop answers this request itself (see
 * HTTP_TXN_QUICK in http.h) rather than handing it to a reader. */
static bool answer_here(const struct http_server *srv,
			const struct request *rq)
{
	switch (rq->route->txn) {
	case HTTP_TXN_QUICK:
		return rq->body.len <= HTTP_QUICK_BODY;
	case HTTP_TXN_QUICK_READ:
		return srv->quick_read_inline;
	default:
		return false;
	}
}

/* The context of the loop this thread runs, taken on its first request
 * (each of libmicrohttpd's threads runs one loop of one server). */
static _Thread_local struct {
	const struct http_server *srv;
	struct http_ctx *ctx;
} this_loop;

static struct http_ctx *loop_ctx(struct http_server *srv)
{
	if (this_loop.srv != srv) {
		int i = atomic_fetch_add(&srv->loops_taken, 1);

		/* never more threads than loops: libmicrohttpd starts as
		 * many as it was asked for */
		if (i >= srv->n_loops)
			abort();
		this_loop.srv = srv;
		this_loop.ctx = &srv->loops[i];
	}
	return this_loop.ctx;
}

/* answer_in_loop runs a request's handler on its loop */
static void answer_in_loop(struct request *rq, struct http_ctx *ctx)
{
	struct ac_err err;

	ac_err_clear(&err);
	if (rq->route->txn == HTTP_TXN_PING || read_quick(rq, ctx->desk) ||
	    !is_read(rq->route)) {
		handle(rq, ctx);
	} else if (desk_read_begin(ctx->desk, &err)) {
		http_problem_err(&rq->r, &err);
	} else {
		handle(rq, ctx);
		desk_read_end(ctx->desk);
	}
}

/* to_worker suspends the connection and hands its request to the writer
 * or a reader, which will answer it and resume the connection (the loop
 * then calls on_request again and the answer goes) */
static void to_worker(struct http_server *srv, struct request *rq)
{
	MHD_suspend_connection(rq->q.conn);
	if (!jobq_push(rq->route->txn == HTTP_TXN_WRITE &&
		       !rq->route->before ? &srv->writes : &srv->reads, rq)) {
		stopping(rq);
		MHD_resume_connection(rq->q.conn);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (!rq) {                              /* first call: headers */
		const char *te;

		rq = xcalloc(1, sizeof *rq);
		rq->srv = srv;
		rq->start_us = mono_us();
		rq->q.arena = &rq->arena;
		rq->q.ctx = loop_ctx(srv);
		rq->q.conn = c;
		rq->q.method = arena_strndup(&rq->arena, method,
					     strlen(method));
		rq->q.path = arena_strndup(&rq->arena, url, strlen(url));
		rq->q.body = "";
		rq->q.media_type = "";
		buf_init(&rq->r.body, HTTP_RESP_MAX);
		buf_init(&rq->body, HTTP_JSON_MAX);
		*con_cls = rq;
		atomic_fetch_add(&srv->in_flight, 1);
		/* the guard's refusals (framing, NUL, header size) go at
		 * once and close the connection, the body unread */
		if (guard_request(srv->guard, c, &rq->r)) {
			rq->answered = true;
			return queue(rq, c);
		}
		te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 "Transfer-Encoding");
		prepare(rq, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							"Content-Length"),
			te != NULL,     /* the guard let only chunked in */
			MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    "Content-Type"));
		/* An answer to a request whose declared body is over the
		 * limit, or whose body is chunked (of unknown length: a 401
		 * reads none of it), goes at once, before the body is read
		 * (the connection then closes); any other waits for the
		 * body. */
		if (rq->answered && (rq->declared_too_big || te))
			return queue(rq, c);
		return MHD_YES;
	}
	if (*data_size) {                       /* middle calls: the body */
		size_t n = *data_size;

		*data_size = 0;
		rq->seen += n;
		if (rq->answered || rq->too_big)
			return rq->seen > rq->body.cap + DISCARD_MAX ?
			       MHD_NO : MHD_YES;
		if (buf_add(&rq->body, data, n)) {
			rq->too_big = true;
			buf_release(&rq->body);
		}
		return MHD_YES;
	}
	if (rq->queued)                         /* answered early */
		return MHD_YES;
	if (!rq->answered) {                    /* last call: answer */
		rq->answered = true;
		if (rq->too_big) {
			too_large(rq, rq->body.cap);
		} else if (rq->route->txn == HTTP_TXN_PING ||
			   answer_here(srv, rq)) {
			answer_in_loop(rq, loop_ctx(srv));
		} else {
			to_worker(srv, rq);
			return MHD_YES;
		}
	}
	return queue(rq, c);
}

/* log_loop is the log's thread: it writes out whatever lines are
 * waiting (gathered for LOG_GATHER_NS), in one write, until asked to
 * stop with none left. The loops go on adding lines meanwhile, to the
 * other buffer. */
static void *log_loop(void *arg)
{
	struct http_server *srv = arg;
	struct buf out;

	buf_init(&out, srv->log.cap);
	pthread_mutex_lock(&srv->log_mu);
	for (;;) {
		struct buf full;

		while (!srv->log.len && !srv->log_stop)
			pthread_cond_wait(&srv->log_cv, &srv->log_mu);
		if (!srv->log.len)
			break;                  /* stopped, all written */
		if (!srv->log_stop) {
			struct timespec ts = { 0, LOG_GATHER_NS };

			pthread_mutex_unlock(&srv->log_mu);
			nanosleep(&ts, NULL);
			pthread_mutex_lock(&srv->log_mu);
		}
		full = srv->log;
		srv->log = out;
		pthread_cond_broadcast(&srv->log_drained);
		pthread_mutex_unlock(&srv->log_mu);
		fwrite(full.p, 1, full.len, stderr);
		fflush(stderr);
		buf_reset(&full);
		out = full;
		pthread_mutex_lock(&srv->log_mu);
	}
	pthread_mutex_unlock(&srv->log_mu);
	buf_release(&out);
	return NULL;
}

/* log_path writes the path with spaces, quotes, controls and non-ASCII
 * bytes as %XX, so that the log line stays one token per field. */
static void log_path(struct buf *b, const char *p)
{
	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '%' ||
		    ch == '\\')
			buf_addf(b, "%%%02X", ch);
		else
			buf_addc(b, (char)ch);
	}
}

static const char *term_name(enum MHD_RequestTerminationCode toe)
{
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK: return NULL;
	case MHD_REQUEST_TERMINATED_WITH_ERROR: return "error";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "timeout";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "shutdown";
	case MHD_REQUEST_TERMINATED_READ_ERROR: return "read_error";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client_abort";
	}
	return "other";
}

static void on_completed(void *cls, struct MHD_Connection *c,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct request *rq = *con_cls;
	struct buf *line = &srv->log;
	int64_t at = now_us();
	time_t secs = (time_t)(at / 1000000);
	const char *term = term_name(toe);

	guard_request_done(srv->guard, c);
	if (!rq)
		return;
	*con_cls = NULL;
	if (rq->queued && rq->r.status)
		metrics_observe(rq->route, rq->r.status,
				mono_us() - rq->start_us);
	pthread_mutex_lock(&srv->log_mu);
	while (line->len > LOG_HIGH && srv->log_running)
		pthread_cond_wait(&srv->log_drained, &srv->log_mu);
	if (!line->len)
		pthread_cond_signal(&srv->log_cv);
	if (secs != srv->log_sec) {     /* formatted once a second */
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(srv->log_ts, sizeof srv->log_ts,
			 "%Y-%m-%dT%H:%M:%S", &tm);
		srv->log_sec = secs;
	}
	buf_addf(line, "ts=%s.%03dZ method=", srv->log_ts,
		 (int)(at % 1000000 / 1000));
	log_path(line, rq->q.method);
	buf_adds(line, " path=");
	log_path(line, rq->q.path);
	buf_addf(line, " status=%d us=%lld bytes=%zu actor=",
		 rq->queued ? rq->r.status : 0,
		 (long long)(mono_us() - rq->start_us), rq->sent_bytes);
	log_path(line, rq->q.actor ? rq->q.actor : "-");
	if (term)
		buf_addf(line, " end=%s", term);
	buf_addc(line, '\n');
	pthread_mutex_unlock(&srv->log_mu);

	buf_release(&rq->body);
	buf_release(&rq->r.body);
	arena_release(&rq->arena);
	free(rq);
	atomic_fetch_sub(&srv->in_flight, 1);
}

/* libmicrohttpd's messages: at most LOG_BURST a second, so that a flood
 * of refused connections does not become a flood of log lines; how many
 * were dropped is said with the next one let through. */
#define LOG_BURST 10

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static int64_t window_us;
	static unsigned in_window, dropped;
	unsigned was_dropped = 0;
	int64_t now = mono_us();
	char msg[512];
	size_t n;

	(void)cls;
	pthread_mutex_lock(&mu);
	if (now - window_us >= 1000000) {
		window_us = now;
		in_window = 0;
	}
	if (++in_window > LOG_BURST) {
		dropped++;
		pthread_mutex_unlock(&mu);
		return;
	}
	was_dropped = dropped;
	dropped = 0;
	pthread_mutex_unlock(&mu);
	if (was_dropped)
		fprintf(stderr, "aftercare: http: (%u more messages "
			"dropped)\n", was_dropped);
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	fprintf(stderr, "aftercare: http: %s\n", msg);
}

/* ---- start and stop --------------------------------------------------- */

/* parse_listen splits "HOST:PORT" ("[::1]:8080" for IPv6) and resolves
 * it into srv->addr. */
static int parse_listen(struct http_server *srv, const char *listen,
			char *host, size_t host_n, unsigned *port,
			struct ac_err *err)
{
	const char *colon = strrchr(listen, ':'), *h = listen;
	size_t hn;
	char *end;
	unsigned long p;
	struct addrinfo hints, *res = NULL;
	char portstr[8];
	int rc;

	if (!colon || colon == listen)
		return ac_err_set(err, AC_EINVAL, "--listen", "'%s' is not "
				  "HOST:PORT", listen);
	hn = (size_t)(colon - listen);
	if (h[0] == '[') {
		if (hn < 3 || h[hn - 1] != ']')
			return ac_err_set(err, AC_EINVAL, "--listen", "'%s' "
					  "is not [IPv6]:PORT", listen);
		h++;
		hn -= 2;
	}
	if (hn >= host_n)
		return ac_err_set(err, AC_EINVAL, "--listen", "the host is "
				  "too long");
	memcpy(host, h, hn);
	host[hn] = '\0';
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p > 65535)
		return ac_err_set(err, AC_EINVAL, "--listen", "'%s' is not a "
				  "port number", colon + 1);
	*port = (unsigned)p;
	snprintf(portstr, sizeof portstr, "%lu", p);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc || !res)
		return ac_err_set(err, AC_EINVAL, "--listen", "cannot resolve "
				  "'%s': %s", host, gai_strerror(rc));
	memcpy(&srv->addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* check_free tells, before anything starts, whether the address can be
 * bound: a port another program holds is the commonest first failure,
 * and libmicrohttpd alone says only that it could not listen. */
static int check_free(const struct http_server *srv, const char *listen,
		      struct ac_err *err)
{
	int fd = socket(srv->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, rc = 0, e;
	socklen_t len = srv->addr.ss_family == AF_INET6 ?
			sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in);

	if (fd < 0)
		return 0;               /* libmicrohttpd will say */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)&srv->addr, len)) {
		e = errno;
		if (e == EADDRINUSE)
			rc = ac_err_set(err, AC_EIO, "--listen", "%s is "
					"already in use by another program: "
					"choose another port", listen);
		else if (e == EACCES)
			rc = ac_err_set(err, AC_EIO, "--listen", "%s: not "
					"allowed to listen there (ports below "
					"1024 need privileges)", listen);
		else if (e == EADDRNOTAVAIL)
			rc = ac_err_set(err, AC_EIO, "--listen", "%s: no "
					"such address on this machine",
					listen);
	}
	close(fd);
	return rc;
}

/* ctx_open gives a thread its context: a desk of its own (or the one
 * given) and the decide route's reusable case. */
static int ctx_open(struct http_server *srv, struct http_ctx *ctx,
		    struct desk *given, const struct policy *policy,
		    struct ac_err *err)
{
	int rc;

	ctx->policy = policy;
	ctx->reader = case_reader_new();
	ctx->decide_case = xmalloc(sizeof *ctx->decide_case);
	if (given) {
		ctx->desk = given;
		return 0;
	}
	rc = srv->open_desk(srv->desk_ctx, &ctx->desk, err);
	if (rc)
		ctx->desk = NULL;
	return rc;
}

static void ctx_close(struct http_server *srv, struct http_ctx *ctx,
		      bool own)
{
	if (ctx->reader)
		case_reader_free(ctx->reader);
	free(ctx->decide_case);
	if (own && ctx->desk)
		srv->close_desk(srv->desk_ctx, ctx->desk);
	memset(ctx, 0, sizeof *ctx);
}

/* loops_for: one loop for each CPU this process may run on (taskset, a
 * container's cpuset), LOOPS_MAX at most. */
static int loops_for(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof set, &set))
		n = sysconf(_SC_NPROCESSORS_ONLN);
	else
		n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > LOOPS_MAX ? LOOPS_MAX : (int)n;
}

/* readers_for: the number asked for, else one per core and at least 2,
 * so that a slow read never holds up every other. */
static int readers_for(int asked)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (asked > 0)
		return asked > READERS_MAX ? READERS_MAX : asked;
	if (cores < 2)
		return 2;
	return cores > READERS_MAX ? READERS_MAX : (int)cores;
}

/* log_start starts the log's thread */
static int log_start(struct http_server *srv, struct ac_err *err)
{
	if (pthread_create(&srv->log_thread, NULL, log_loop, srv))
		return ac_err_set(err, AC_EIO, "--listen", "cannot start "
				  "the log's thread");
	srv->log_running = true;
	return 0;
}

/* log_end writes out the lines left and ends the log's thread */
static void log_end(struct http_server *srv)
{
	if (srv->log_running) {
		pthread_mutex_lock(&srv->log_mu);
		srv->log_stop = true;
		pthread_cond_signal(&srv->log_cv);
		pthread_mutex_unlock(&srv->log_mu);
		pthread_join(srv->log_thread, NULL);
		srv->log_running = false;
	}
	if (srv->log.len)               /* no thread ever took them */
		fwrite(srv->log.p, 1, srv->log.len, stderr);
	buf_release(&srv->log);
}

/* teardown ends the workers (after they have answered and resumed every
 * request they hold: libmicrohttpd must not stop with a connection
 * suspended; a request that comes later is answered 503 by its loop),
 * stops the daemon, then the log, and frees everything; safe on a server
 * started only in part. */
static void teardown(struct http_server *srv)
{
	jobq_stop(&srv->reads);
	jobq_stop(&srv->writes);
	if (srv->writer.running)
		pthread_join(srv->writer.thread, NULL);
	for (int i = 0; i < srv->n_readers; i++)
		if (srv->readers[i].running)
			pthread_join(srv->readers[i].thread, NULL);
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	guard_free(srv->guard);         /* after the daemon's callbacks */
	log_end(srv);
	ctx_close(srv, &srv->writer.ctx, false);
	for (int i = 0; i < srv->n_readers; i++)
		ctx_close(srv, &srv->readers[i].ctx, true);
	for (int i = 0; i < srv->n_loops; i++)
		ctx_close(srv, &srv->loops[i], true);
	free(srv->loops);
	free(srv->readers);
	jobq_destroy(&srv->reads);
	jobq_destroy(&srv->writes);
	pthread_mutex_destroy(&srv->log_mu);
	pthread_cond_destroy(&srv->log_cv);
	pthread_cond_destroy(&srv->log_drained);
	free(srv);
}

/* start_workers opens the desks and starts the writer and the readers,
 * and opens the loops' desks. */
static int start_workers(struct http_server *srv,
			 const struct http_config *cfg, struct ac_err *err)
{
	int rc;

	if ((rc = ctx_open(srv, &srv->writer.ctx, cfg->desk, cfg->policy,
			   err)))
		return rc;
	srv->n_loops = loops_for();
	srv->loops = xcalloc((size_t)srv->n_loops, sizeof *srv->loops);
	for (int i = 0; i < srv->n_loops; i++)
		if ((rc = ctx_open(srv, &srv->loops[i], NULL, cfg->policy,
				   err)))
			return rc;
	srv->writer.srv = srv;
	if (pthread_create(&srv->writer.thread, NULL, write_loop,
			   &srv->writer))
		return ac_err_set(err, AC_EIO, "--listen", "cannot start "
				  "the writer's thread");
	srv->writer.running = true;
	srv->n_readers = readers_for(cfg->readers);
	srv->readers = xcalloc((size_t)srv->n_readers,
			       sizeof *srv->readers);
	for (int i = 0; i < srv->n_readers; i++) {
		struct worker *w = &srv->readers[i];

		w->srv = srv;
		if ((rc = ctx_open(srv, &w->ctx, NULL, cfg->policy, err)))
			return rc;
		if (pthread_create(&w->thread, NULL, read_loop, w))
			return ac_err_set(err, AC_EIO, "--listen", "cannot "
					  "start a reader's thread");
		w->running = true;
	}
	return 0;
}

int http_server_start(const struct http_config *cfg, struct http_server **out,
		      struct ac_err *err)
{
	struct http_server *srv = xcalloc(1, sizeof *srv);
	const union MHD_DaemonInfo *info;
	char host[256];
	unsigned port = 0, flags;
	bool v6;
	int rc;

	*out = NULL;
	metrics_init();
	jobq_init(&srv->reads);
	jobq_init(&srv->writes);
	atomic_init(&srv->in_flight, 0);
	atomic_init(&srv->loops_taken, 0);
	pthread_mutex_init(&srv->log_mu, NULL);
	pthread_cond_init(&srv->log_cv, NULL);
	pthread_cond_init(&srv->log_drained, NULL);
	buf_init(&srv->log, 1u << 20);
	if (!cfg->desk || !cfg->open_desk || !cfg->close_desk) {
		rc = ac_err_set(err, AC_EINVAL, "desk", "the server needs a "
				"desk and a way to open more");
		goto fail;
	}
	srv->open_desk = cfg->open_desk;
	srv->close_desk = cfg->close_desk;
	srv->desk_ctx = cfg->desk_ctx;
	rc = parse_listen(srv, cfg->listen, host, sizeof host, &port, err);
	if (rc)
		goto fail;
	v6 = srv->addr.ss_family == AF_INET6;
	/* a store that cannot be written is said at start (desk_health
	 * names the file), not at the first write */
	if ((rc = check_free(srv, cfg->listen, err)) ||
	    (rc = desk_health(cfg->desk, err)) ||
	    (rc = start_workers(srv, cfg, err)) ||
	    (rc = guard_new(cfg->per_client, &srv->guard, err)) ||
	    (rc = log_start(srv, err)))
		goto fail;
	srv->quick_read_inline = desk_is_local(cfg->desk);
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
		MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
		(v6 ? MHD_USE_IPv6 : 0);
	srv->daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,  /* first */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&srv->addr,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_ARRAY, guard_options(srv->guard),
		MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_POOL_BYTES,
		/* a pool of one is no pool: the daemon's own thread */
		MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)(srv->n_loops > 1 ? srv->n_loops : 0),
		MHD_OPTION_END);
	if (!srv->daemon) {
		rc = ac_err_set(err, AC_EIO, "--listen", "cannot listen on "
				"%s", cfg->listen);
		goto fail;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (info && info->port)
		port = info->port;
	snprintf(srv->url, sizeof srv->url, v6 ? "http://[%s]:%u" :
		 "http://%s:%u", host, port);
	*out = srv;
	return 0;
fail:
	teardown(srv);
	return rc;
}

const char *http_server_url(const struct http_server *s)
{
	return s->url;
}

/* http_server_stop: no new connection is taken; the requests in flight
 * have grace_ms to end (keep-alive connections between requests do not
 * wait), then the server stops. */
void http_server_stop(struct http_server *s, int grace_ms)
{
	int64_t until;

	if (!s)
		return;
	until = mono_us() + (int64_t)grace_ms * 1000;
	if (s->daemon) {
		MHD_socket fd = MHD_quiesce_daemon(s->daemon);

		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	while (atomic_load(&s->in_flight) > 0 && mono_us() < until) {
		struct timespec ts = { 0, 2 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	teardown(s);
}
