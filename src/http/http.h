/* http.h: the case desk over HTTP (http layer).
 * The first part is what the cli needs: start the server on a desk, stop
 * it. The second part is shared by the layer's own files: the request and
 * response every handler sees, the route tables (one per res_*.c),
 * problem answers and the per-request arena. Nothing here exposes
 * libmicrohttpd: only server.c talks to it, so routes and handlers can be
 * tested and fuzzed without a socket.
 * Ownership: the config's desk and policy are borrowed and outlive the
 * server. Everything a handler gets from a request (and allocates from its
 * arena) lives until the response has been sent. */
#ifndef AC_HTTP_H
#define AC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../codec/buf.h"
#include "../core/err.h"
#include "../core/policy.h"

struct ac_case;
struct case_reader;
struct desk;

/* ---- the server --------------------------------------------------------- */

/* A desk of its own, on a store connection of its own, for one of the
 * server's threads: made by open_desk at start, freed by close_desk at
 * stop (both called from the thread that starts or stops the server). */
typedef int (*http_open_desk)(void *ctx, struct desk **out,
			      struct ac_err *err);
typedef void (*http_close_desk)(void *ctx, struct desk *d);

struct http_config {
	const char *listen;             /* "HOST:PORT"; port 0: any free one */
	struct desk *desk;              /* borrowed; the writer's own */
	const struct policy *policy;    /* borrowed; for POST /v1/decide */
	int readers;                    /* reader threads; 0: one per core,
					 * at least 2 */
	http_open_desk open_desk;       /* the readers' and the loops' */
	http_close_desk close_desk;
	void *desk_ctx;
	unsigned per_client;            /* connections from one address at
					 * once; 0: GUARD_PER_CLIENT_DEFAULT */
};

struct http_server;

/* http_server_start binds the address and serves. An event loop a CPU
 * (reading requests, checking tokens, sending answers, running the
 * bounded routes); one writer runs every write route, many at a time in
 * one group commit, and answers them only after it; `readers` threads run
 * the reads (each in a read transaction of its own desk) and the routes
 * without a store. *out
 * is a new handle for http_server_stop. Fails with AC_EINVAL (a bad
 * listen address or config) or AC_EIO (the address cannot be bound, a
 * desk cannot be opened), err saying which. */
int http_server_start(const struct http_config *cfg, struct http_server **out,
		      struct ac_err *err);

/* http_server_url returns "http://HOST:PORT" with the port really bound. */
const char *http_server_url(const struct http_server *s);

/* http_server_stop stops accepting connections, lets the requests in
 * flight finish (waiting at most grace_ms), stops the threads, closes the
 * desks it opened and frees the handle (NULL is fine). */
void http_server_stop(struct http_server *s, int grace_ms);

/* ---- inside the layer: arena --------------------------------------------- */

struct arena_chunk;

/* A request's arena: chunks of memory handed out in order and freed all
 * at once by arena_release. A zeroed struct is an empty arena. */
struct arena {
	struct arena_chunk *head;
};

/* arena_release frees everything allocated from the arena; it is empty
 * (and usable) again afterwards. */
void arena_release(struct arena *a);

/* arena_alloc returns n bytes (aligned for any type) that live as long as
 * the arena; never fails (out of memory dies). */
void *arena_alloc(struct arena *a, size_t n);
/* arena_strndup copies n bytes of s and a NUL into the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* ---- inside the layer: requests and responses ---------------------------- */

/* What a route's body must be (its media types and its size limit). */
enum http_body {
	HTTP_BODY_NONE,                 /* none expected; JSON tolerated */
	HTTP_BODY_JSON,                 /* application/json, 1 MiB */
	HTTP_BODY_JSONL,                /* x-ndjson or jsonl: 16 MiB */
	HTTP_BODY_IMAGE,                /* image/jpeg|png|webp: evidence max */
	HTTP_BODY_FORM,                 /* a page's form: urlencoded, 64 KiB */
	HTTP_BODY_UPLOAD                /* a form with files: multipart or
					 * urlencoded, HTTP_UPLOAD_MAX */
};

#define HTTP_JSON_MAX (1u << 20)
#define HTTP_JSONL_MAX (16u << 20)
#define HTTP_RESP_MAX (64u << 20)       /* a response body, at most */
#define HTTP_ID_MAX 128                 /* a longer path segment: 404 */
#define HTTP_MAX_PARAMS 3               /* {..} segments in a pattern */
#define HTTP_FORM_MAX (64u << 10)
#define HTTP_UPLOAD_FILES 5             /* files in one form, at most */
#define HTTP_UPLOAD_MAX (HTTP_UPLOAD_FILES * (8u << 20) + (64u << 10))
#define HTTP_FORM_FIELDS 256            /* fields in one form, at most */

/* http_body_limit is the largest body a route of that kind accepts. */
size_t http_body_limit(enum http_body kind);

/* The serve context: what every handler may call. */
struct http_ctx {
	struct desk *desk;
	const struct policy *policy;
	struct case_reader *reader;     /* POST /v1/decide, reused */
	struct ac_case *decide_case;    /* POST /v1/decide, reused */
};

/* One field of a form (a page's POST), in the order sent. value is
 * NUL-terminated (and may hold NULs: len says); a file has its filename
 * and content type (both "" for a plain field). */
struct http_field {
	const char *name, *value, *filename, *content_type;
	size_t len;
};

/* Who a page's session says the client is (see enum http_auth); all NULL
 * and false without one. Strings live in the request's arena. */
struct http_session {
	const char *token;              /* the cookie's, for signing out */
	const char *csrf;               /* every form must send it back */
	const char *user;               /* staff: the user name */
	bool manager;                   /* staff: the manager role */
	const char *order_id;           /* a customer: the order */
	int tz_offset_min;              /* a customer: minutes east of UTC */
};

struct http_req {
	struct arena *arena;
	struct http_ctx *ctx;
	const char *method;             /* as sent; HEAD routes as GET */
	const char *path;               /* percent-decoded, no query */
	const char *params[HTTP_MAX_PARAMS];  /* the {..} segments, in order */
	const char *body;               /* never NULL; NUL-terminated */
	size_t body_len;
	const char *media_type;         /* lower case, no parameters; "" */
	const char *token_name;         /* NULL until authenticated */
	const char *actor;              /* "token:NAME", "user:NAME",
					 * "customer:ORDER"; NULL likewise */
	struct http_session session;    /* the pages' routes */
	const struct http_field *fields;  /* a form's, once read */
	int n_fields;
	void *before;                   /* what a route's `before` left for
					 * its handler (arena memory) */
	void *conn;                     /* server.c's connection */
};

/* http_req_header returns a request header's value, or NULL. */
const char *http_req_header(const struct http_req *q, const char *name);
/* http_req_query returns a query argument (percent-decoded), or NULL
 * when it is absent or empty. */
const char *http_req_query(const struct http_req *q, const char *name);
/* http_req_cookie returns a cookie's value, or NULL. */
const char *http_req_cookie(const struct http_req *q, const char *name);
/* http_req_client returns the client's address ("127.0.0.1", "::1"),
 * in the arena; "-" when it cannot be told. */
const char *http_req_client(struct http_req *q);
/* http_form returns a form field's first value (NUL-terminated), or NULL
 * when the form has no such field. http_form_n counts a field's values;
 * http_form_at gives the i-th (NULL past the last). */
const char *http_form(const struct http_req *q, const char *name);
int http_form_n(const struct http_req *q, const char *name);
const struct http_field *http_form_at(const struct http_req *q,
				      const char *name, int i);

#define HTTP_MAX_HEADERS 10

struct http_resp {
	int status;                     /* 0 until a handler answers */
	const char *content_type;       /* static or from the arena */
	struct buf body;                /* capped at HTTP_RESP_MAX */
	int n_headers;
	struct {
		const char *name, *value;  /* static or from the arena */
	} headers[HTTP_MAX_HEADERS];
};

/* http_resp_header adds a header (both strings borrowed until sent). */
void http_resp_header(struct http_resp *r, const char *name,
		      const char *value);

/* http_query_int reads the integer query argument name, in [min, max]
 * (def when absent); false, with r answered 422 naming it, otherwise. */
bool http_query_int(const struct http_req *q, struct http_resp *r,
		    const char *name, int64_t min, int64_t max, int64_t def,
		    int64_t *out);

/* http_reply answers a desk call: on rc == 0 the status ok_status with
 * what the call appended to r->body as JSON, else the problem err says. */
void http_reply(struct http_resp *r, int rc, const struct ac_err *err,
		int ok_status);

/* ---- inside the layer: problems (RFC 9457) ------------------------------- */

/* http_status_for maps an AC_E* code to the HTTP status (see desk.h). */
int http_status_for(int code);

/* http_problem answers status with an application/problem+json body:
 * {"type", "title", "status", "detail", "field"?}; field may be NULL or "".
 * The body written so far is dropped. */
void http_problem(struct http_resp *r, int status, const char *field,
		  const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* http_problem_err answers the problem an ac_err describes. */
void http_problem_err(struct http_resp *r, const struct ac_err *err);

/* http_json_str appends s as a JSON string (quotes and escapes). */
int http_json_str(struct buf *b, const char *s);

/* ---- inside the layer: routes ------------------------------------------- */

typedef void (*http_handler)(struct http_req *q, struct http_resp *r);

/* Who may call a route. The server checks it before reading the body.
 * The session kinds are the pages': a session cookie names the client,
 * and every POST must carry the session's CSRF token in its form's
 * `csrf` field (403 otherwise, checked by the server before the
 * handler runs). Without a live session a page route is answered 303,
 * to the portal's look-up (`/`) or to the console's sign-in
 * (`/console`). */
enum http_auth {
	HTTP_AUTH_NONE,                 /* anyone */
	HTTP_AUTH_TOKEN,                /* Authorization: Bearer TOKEN */
	HTTP_AUTH_CUSTOMER,             /* cookie ac_order: one order */
	HTTP_AUTH_STAFF,                /* cookie ac_staff: a staff user */
	HTTP_AUTH_STAFF_OPT             /* the staff session when there is
					 * one; none is not refused */
};

/* The pages' cookies. */
#define HTTP_COOKIE_CUSTOMER "ac_order"
#define HTTP_COOKIE_STAFF "ac_staff"

/* What a route does to the store; the server acts on it, never a guess:
 *   NONE   no store at all (the OpenAPI text): any reader thread
 *   READ   reads in one read transaction on a reader's own connection
 *   WRITE  runs on the one writer, in its group commit, and is answered
 *          only after that commit
 *   PING   a health check: answered at once by its event loop itself on
 *          its own connection, so that no queue of slow work can delay
 *          it; its handler must be bounded and never wait for a lock
 *   QUICK       as NONE, and its work is bounded by its body (decide)
 *   QUICK_READ  reads one thing by its key (a case) in one statement,
 *               outside any transaction (desk_read_one): that statement's
 *               snapshot is its read transaction
 * The event loops (one a CPU, server.c) answer the QUICK routes
 * themselves: a hand-off to a reader would cost two thread switches and
 * buy no core. A QUICK_READ only on a store in this process's files
 * (SQLite's snapshot: no network wait), a QUICK only with a body of at
 * most HTTP_QUICK_BODY bytes; the others go to a reader. */
enum http_txn {
	HTTP_TXN_NONE,
	HTTP_TXN_READ,
	HTTP_TXN_WRITE,
	HTTP_TXN_PING,
	HTTP_TXN_QUICK,
	HTTP_TXN_QUICK_READ
};
#define HTTP_QUICK_BODY (16u << 10)

struct route {
	const char *method;             /* "GET", "POST", "PUT" */
	const char *pattern;            /* "/v1/cases/{id}/notes" */
	http_handler handle;
	enum http_auth auth;
	enum http_txn txn;
	enum http_body body;
	/* A WRITE route's slow work that needs no write lock (a password's
	 * hash): run first on a reader, in a read transaction, leaving what
	 * it found in q->before; when it answers r the request ends there,
	 * otherwise `handle` then runs on the writer. NULL: none. */
	http_handler before;
};

struct route_table {
	const struct route *routes;
	size_t n;
};

/* One table per resource file. */
extern const struct route_table res_health_routes;
extern const struct route_table res_decide_routes;
extern const struct route_table res_orders_routes;
extern const struct route_table res_cases_routes;
extern const struct route_table res_refunds_routes;
extern const struct route_table res_quotes_routes;
extern const struct route_table res_notes_routes;
extern const struct route_table res_evidence_routes;
extern const struct route_table res_audit_routes;
extern const struct route_table res_metrics_routes;
extern const struct route_table res_outbox_routes;
extern const struct route_table res_hooks_routes;       /* issue 10.3 */
extern const struct route_table res_payments_routes;    /* issue 10.4 */
extern const struct route_table web_pay_routes;         /* issue 10.4 */
extern const struct route_table res_reports_routes;     /* issue 9.3 */
extern const struct route_table web_dashboard_routes;   /* issue 9.3 */
extern const struct route_table web_asset_routes;     /* src/web */
extern const struct route_table web_portal_routes;
extern const struct route_table web_console_routes;
extern const struct route_table web_outbox_routes;      /* issue 10 */

enum route_result {
	ROUTE_FOUND,
	ROUTE_NOT_FOUND,                /* no pattern matches the path */
	ROUTE_BAD_METHOD                /* patterns match, methods do not */
};

/* route_match finds the route for method and path. On ROUTE_FOUND *out is
 * the route and params[] the {..} segments (copied into the arena). On
 * ROUTE_BAD_METHOD allow (allow_n bytes) lists the methods the path takes,
 * "GET, HEAD, POST". HEAD matches GET routes. A pattern's literal segments
 * win over {..} segments; a segment longer than HTTP_ID_MAX - 1 bytes or
 * empty never matches {..}. */
enum route_result route_match(struct arena *a, const char *method,
			      const char *path, const struct route **out,
			      const char *params[HTTP_MAX_PARAMS],
			      char *allow, size_t allow_n);

/* Every route of every table, numbered from 0 in table order:
 * route_count routes; route_at(i) is NULL out of range; route_index is
 * -1 for NULL or a route of no table. */
int route_count(void);
const struct route *route_at(int i);
int route_index(const struct route *rt);

/* ---- inside the layer: metrics (res_metrics.c) -------------------------- */

/* metrics_init notes the process start time (the first call wins). */
void metrics_init(void);
/* metrics_observe counts one answered request: its route (NULL: none
 * matched), status and latency in microseconds; a 503 on a route that
 * uses the store also counts as a database error. Lock-free (relaxed
 * atomics): called by the event loops for every request. */
void metrics_observe(const struct route *rt, int status, int64_t us);

/* ---- inside the layer: authentication ------------------------------------ */

/* auth_check reads `Authorization: Bearer TOKEN` and asks the desk; on
 * success sets q->token_name and q->actor and returns 0; otherwise answers
 * r (401 with WWW-Authenticate, or 503 when the store fails) and returns
 * the AC_E* code. */
int auth_check(struct http_req *q, struct http_resp *r);

/* auth_session reads the session cookie of the route's kind and asks the
 * desk; a live one fills q->session and q->actor. Without one it answers
 * r 303 (to `/` or `/console`) and returns AC_ENOTFOUND, except for
 * HTTP_AUTH_STAFF_OPT (0, q->session empty); 503 when the store fails. */
int auth_session(struct http_req *q, struct http_resp *r, enum http_auth kind);

/* auth_csrf: 0 when the form's `csrf` field is the session's token;
 * otherwise r answered 403 and AC_EINVAL. */
int auth_csrf(struct http_req *q, struct http_resp *r);

/* ---- inside the layer: the guard against hostile clients (server.c) ----- */

struct guard;
struct MHD_Connection;
struct MHD_OptionItem;

#define GUARD_HEADER_DEADLINE_S 10      /* request line and headers */
#define GUARD_HEADERS_MAX (8u << 10)    /* their bytes, at most */
#define GUARD_PER_CLIENT_DEFAULT 128u   /* connections from one address */

/* guard_new raises the soft limit on open files to the hard one, sizes
 * the connection limits from it (per_client 0: the default) and starts
 * the thread that closes connections which have not sent a whole request
 * head within GUARD_HEADER_DEADLINE_S of waiting for one. *out is freed
 * by guard_free, after the daemon has stopped. AC_EIO when the thread
 * cannot start. */
int guard_new(unsigned per_client, struct guard **out, struct ac_err *err);
void guard_free(struct guard *g);

/* guard_options: libmicrohttpd options for MHD_OPTION_ARRAY (the limits,
 * and the callbacks that track each connection); owned by the guard. */
struct MHD_OptionItem *guard_options(struct guard *g);

/* guard_request runs on a request's first call, before any of its body:
 * 0 when the request may go on; otherwise r holds the answer (a problem
 * with Connection: close: 400 for a NUL in the path or the query, or an
 * ambiguous length; 431 for headers over GUARD_HEADERS_MAX; 501 for
 * a transfer coding other than chunked), to be sent at once, its body
 * unread, and the status is returned. */
int guard_request(struct guard *g, struct MHD_Connection *c,
		  struct http_resp *r);

/* guard_request_done: the connection's request is over (answered or
 * not); its wait for the next one begins. */
void guard_request_done(struct guard *g, struct MHD_Connection *c);

/* ---- inside the layer: the built-in OpenAPI description ------------------ */

extern const char ac_openapi_json[];
extern const char ac_openapi_json_end[];

#endif
