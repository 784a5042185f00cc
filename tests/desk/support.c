/* support.c: the desk suite's fixture and wrappers (tests/desk).
 * The only file of the suite that knows how the desk takes its requests
 * and gives its answers: typed structs for cases, refunds and quotes
 * (claims are written as JSON here and read with the codec, as an edge
 * would), JSON text for orders and tracking; it reads the answers back
 * into the t_* records. Counts behind the desk go through
 * the store's own interface. With AC_TEST_PG_DSN set, each test runs on a
 * PostgreSQL schema of its own (tests/store/pgtest.h) instead of a SQLite
 * file. */
#include "support.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/codec/buf.h"
#include "../../src/codec/codec.h"
#include "../../src/core/instant.h"
#include "../../src/desk/desk.h"
#include "../../src/store/store.h"
#include "../store/pgtest.h"

int64_t t_now;
struct store *t_store;
struct ac_err t_err;

static struct desk *desk;
static struct case_reader *rd;
static struct policy_file *pf;
static char dir[64];
static char path[512];                  /* the file, or PostgreSQL's DSN */

static int64_t fake_clock(void *ctx)
{
	(void)ctx;
	return t_now;
}

void t_setup(void)
{
	struct desk_config cfg = { 0 };

	t_now = T0;
	if (pgtest_base()) {
		pgtest_schema_new(path, sizeof path);
	} else {
		snprintf(dir, sizeof dir, "%s", "/tmp/ac-desk-XXXXXX");
		cr_assert_not_null(mkdtemp(dir));
		snprintf(path, sizeof path, "%s/t.db", dir);
	}
	cr_assert_eq(store_open(path, &t_store, &t_err), 0, "open: %s: %s",
		     t_err.field, t_err.msg);
	pf = policy_file_default();
	cfg.store = t_store;
	cfg.policy = policy_file_policy(pf);
	cfg.now = fake_clock;
	cr_assert_eq(desk_new(&cfg, &desk, &t_err), 0, "desk: %s",
		     t_err.msg);
	rd = case_reader_new();
}

struct desk *t_desk(void)
{
	return desk;
}

const char *t_db(void)
{
	return path;
}

void t_teardown(void)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	char p[128];

	desk_free(desk);
	desk = NULL;
	store_close(t_store);
	t_store = NULL;
	policy_file_free(pf);
	pf = NULL;
	case_reader_free(rd);
	rd = NULL;
	if (pgtest_base()) {
		pgtest_schema_drop();
		return;
	}
	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		unlink(p);
	}
	rmdir(dir);
}

const char *t_code_name(int rc)
{
	switch (rc) {
	case 0: return "ok";
	case AC_EINVAL: return "AC_EINVAL";
	case AC_ESYNTAX: return "AC_ESYNTAX";
	case AC_ELIMIT: return "AC_ELIMIT";
	case AC_EIO: return "AC_EIO";
	case AC_ENOMEM: return "AC_ENOMEM";
	case AC_ENOTFOUND: return "AC_ENOTFOUND";
	case AC_ECONFLICT: return "AC_ECONFLICT";
	case AC_ESTATE: return "AC_ESTATE";
	}
	return "?";
}

/* ---- building requests, reading answers ------------------------------- */

static void add_time(struct buf *b, int64_t at)
{
	char t[48];
	size_t n = instant_format(at, t, sizeof t);

	buf_addc(b, '"');
	buf_add(b, t, n);
	buf_addc(b, '"');
}

static void read_case(const struct desk_case *dc, struct t_case *c)
{
	memset(c, 0, sizeof *c);
	cr_assert(dc->id.n > 0 && dc->id.n < sizeof c->id);
	snprintf(c->id, sizeof c->id, "%.*s", (int)dc->id.n, dc->id.p);
	c->status = dc->status;
	c->verdict = dc->decision.verdict;
	c->refund_max_minor = dc->decision.refund_max_minor;
	c->refunded_total_minor = dc->refunded_total_minor;
	c->charge_minor = dc->decision.charge_minor;
	c->has_deadline = dc->decision.has_deadline;
	c->deadline = dc->decision.deadline;
	c->overridden = dc->has_override;
	if (c->overridden)
		snprintf(c->override_author, sizeof c->override_author,
			 "%.*s", (int)dc->override_author.n,
			 dc->override_author.p);
	c->approved = dc->has_approval;
	c->has_quote = dc->has_quote;
	if (c->has_quote)
		c->quote_status = dc->quote.status;
	if (dc->decision.n_clauses > 0)
		snprintf(c->clause, sizeof c->clause, "%s",
			 clause_id_name(dc->decision.clauses[0]));
}

/* ---- orders ----------------------------------------------------------- */

static const char addr[] = "{\"name\": \"Ana Li\", \"line1\": \"5 Quay St\", "
	"\"city\": \"Auckland\", \"postal_code\": \"1010\", "
	"\"country\": \"NZ\"}";

int t_order_create(const struct t_order *o)
{
	static struct order_request req;
	struct buf b;
	int rc;

	buf_init(&b, 1u << 20);
	buf_addf(&b, "{\"id\": \"%s\", \"placed_at\": ", o->id);
	add_time(&b, o->placed_at);
	buf_addf(&b, ", \"currency\": \"USD\", \"shipping_minor\": %d, "
		 "\"address\": %s, \"items\": [{\"line\": 1, \"sku\": "
		 "\"R-14W-7\", \"kind\": \"ring\", \"style\": \"halo\", "
		 "\"shape\": \"oval\", \"material\": \"14k white gold\", "
		 "\"color\": \"white\", \"size\": \"7\", \"price_minor\": %d}]"
		 ", \"customer\": {\"name\": \"Ana Li\", \"email\": "
		 "\"%s\"}", T_SHIPPING, addr, T_PRICE,
		 o->email ? o->email : "ana@example.com");
	if (o->paid_minor)
		buf_addf(&b, ", \"paid_minor\": %lld",
			 (long long)o->paid_minor);
	if (o->shipped) {
		buf_adds(&b, ", \"shipment\": {\"shipped_at\": ");
		add_time(&b, o->shipped_at);
		buf_addf(&b, ", \"address\": %s, \"courier_finding\": \"%s\", "
			 "\"customs\": \"%s\"", addr,
			 o->finding ? o->finding : "none",
			 o->customs ? o->customs : "none");
		if (o->delivered_at) {
			buf_adds(&b, ", \"delivered_at\": ");
			add_time(&b, o->delivered_at);
		}
		buf_addc(&b, '}');
	}
	buf_addc(&b, '}');
	cr_assert_eq(buf_error(&b), 0);
	ac_err_clear(&t_err);
	rc = order_request_read(rd, b.p, b.len, &req, &t_err);
	if (!rc)
		rc = desk_create_order(desk, "token:test", &req, &t_err);
	buf_release(&b);
	return rc;
}

static void must_order(const struct t_order *o)
{
	int rc = t_order_create(o);

	cr_assert_eq(rc, 0, "order %s: %s: %s: %s", o->id, t_code_name(rc),
		     t_err.field, t_err.msg);
}

void t_order_new(const char *id)
{
	struct t_order o = { .id = id, .placed_at = t_now - 2 * T_HOUR };

	must_order(&o);
}

void t_order_delivered_paid(const char *id, int64_t delivered_at,
			    int64_t paid_minor)
{
	struct t_order o = {
		.id = id,
		.placed_at = delivered_at - 10 * T_DAY,
		.shipped = true,
		.shipped_at = delivered_at - 4 * T_DAY,
		.delivered_at = delivered_at,
		.customs = "cleared",
		.paid_minor = paid_minor,
	};

	must_order(&o);
}

void t_order_delivered(const char *id, int64_t delivered_at)
{
	t_order_delivered_paid(id, delivered_at, 0);
}

void t_order_investigating(const char *id)
{
	struct t_order o = {
		.id = id,
		.placed_at = t_now - 12 * T_DAY,
		.shipped = true,
		.shipped_at = t_now - 10 * T_DAY,
		.finding = "investigating",
	};

	must_order(&o);
}

/* ---- cases ------------------------------------------------------------ */

int t_open_case(const char *order_id, const char *claim,
		struct desk_case *dc)
{
	static struct desk_open req;
	struct buf b;
	int rc;

	buf_init(&b, 1u << 20);
	buf_addf(&b, "{\"order\": \"%s\", \"claim\": %s}", order_id, claim);
	ac_err_clear(&t_err);
	rc = claim_request_parse(rd, b.p, b.len, &req.order_id, &req.claim,
				 &req.has_opened_at, &t_err);
	if (!rc)
		rc = desk_open_case(desk, "token:test", &req, dc, &t_err);
	buf_release(&b);
	return rc;
}

int t_get_case(const char *case_id, struct desk_case *dc)
{
	ac_err_clear(&t_err);
	return desk_get_case(desk, case_id, dc, &t_err);
}

int t_open(const char *order_id, const char *claim, struct t_case *c)
{
	struct desk_case dc;
	int rc = t_open_case(order_id, claim, &dc);

	if (!rc && c)
		read_case(&dc, c);
	return rc;
}

void t_must_open(const char *order_id, const char *claim, struct t_case *c)
{
	int rc = t_open(order_id, claim, c);

	cr_assert_eq(rc, 0, "open on %s: %s: %s: %s", order_id,
		     t_code_name(rc), t_err.field, t_err.msg);
}

int t_get(const char *case_id, struct t_case *c)
{
	struct desk_case dc;
	int rc = t_get_case(case_id, &dc);

	if (!rc)
		read_case(&dc, c);
	return rc;
}

int t_transition(const char *case_id, enum case_status to,
		 const char *reason)
{
	struct desk_move req = { to, { reason ? reason : "",
				       reason ? strlen(reason) : 0 } };
	struct desk_case dc;

	ac_err_clear(&t_err);
	return desk_transition(desk, "token:test", case_id, &req, &dc,
			       &t_err);
}

int t_approve(const char *case_id)
{
	struct desk_case dc;

	ac_err_clear(&t_err);
	return desk_approve(desk, "token:test", case_id, &dc, &t_err);
}

int t_override(const char *actor, const char *case_id, enum verdict v,
	       int64_t refund_max_minor, const char *reason)
{
	struct desk_override req = {
		.verdict = v,
		.has_refund_max = refund_max_minor >= 0,
		.refund_max_minor = refund_max_minor >= 0 ? refund_max_minor :
							   0,
		.reason = { reason ? reason : "", reason ? strlen(reason) : 0 },
	};
	struct desk_case dc;

	ac_err_clear(&t_err);
	return desk_override(desk, actor, case_id, &req, &dc, &t_err);
}

int t_refund(const char *scope, const char *case_id, const char *key,
	     int64_t amount, struct t_refund *r)
{
	struct desk_refund_req req = { scope, key, amount };
	struct desk_refund res;
	int rc;

	ac_err_clear(&t_err);
	rc = desk_refund(desk, "token:test", case_id, &req, &res, &t_err);
	if (!rc && r) {
		r->id = res.id;
		r->amount_minor = res.amount_minor;
		r->refunded_total_minor = res.refunded_total_minor;
		r->replayed = res.replayed;
	}
	return rc;
}

struct par {
	pthread_barrier_t *go;
	const char *scope, *case_id, *key;
	int64_t amount;
	int rc;
	bool replayed;
};

static void *par_refund(void *arg)
{
	struct par *p = arg;
	struct desk_config cfg = { .policy = policy_file_policy(pf),
				   .now = fake_clock };
	struct store *s = NULL;
	struct desk *d = NULL;
	struct ac_err e;
	struct desk_refund_req req = { p->scope, p->key, p->amount };
	struct desk_refund res = { 0 };

	p->rc = store_open(path, &s, &e);
	cfg.store = s;
	if (!p->rc)
		p->rc = desk_new(&cfg, &d, &e);
	pthread_barrier_wait(p->go);
	if (!p->rc)
		p->rc = desk_refund(d, "token:test", p->case_id, &req, &res,
				    &e);
	p->replayed = res.replayed;
	desk_free(d);
	store_close(s);
	return NULL;
}

void t_refund_parallel(int n, const char *scope, const char *case_id,
		       const char *const keys[], const int64_t amounts[],
		       int rcs[], bool replayed[])
{
	pthread_barrier_t go;
	pthread_t th[16];
	struct par p[16];

	cr_assert(n > 0 && n <= 16);
	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		p[i] = (struct par){ &go, scope, case_id, keys[i], amounts[i],
				     0, false };
		cr_assert_eq(pthread_create(&th[i], NULL, par_refund, &p[i]),
			     0);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		rcs[i] = p[i].rc;
		replayed[i] = p[i].replayed;
	}
	pthread_barrier_destroy(&go);
}

int t_quote(const char *case_id, int64_t amount, int64_t expires_at)
{
	struct desk_quote_req req = { amount, expires_at != 0, expires_at };
	struct desk_quote res;

	ac_err_clear(&t_err);
	return desk_quote(desk, "token:test", case_id, &req, &res, &t_err);
}

int t_quote_action(const char *case_id, const char *action)
{
	static const struct {
		const char *name;
		enum quote_status to;
	} acts[] = {
		{ "accept", QUOTE_STATUS_ACCEPTED },
		{ "decline", QUOTE_STATUS_DECLINED },
		{ "repaired", QUOTE_STATUS_REPAIRED },
		{ "shipped_back", QUOTE_STATUS_SHIPPED_BACK },
	};
	struct desk_quote res;

	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		if (strcmp(action, acts[i].name))
			continue;
		ac_err_clear(&t_err);
		return desk_quote_action(desk, "token:test", case_id,
					 acts[i].to, &res, &t_err);
	}
	cr_assert_fail("no quote action %s", action);
	return AC_EINVAL;
}

int t_tracking(const char *order_id, const char *kind, int64_t at,
	       int *n_redecided)
{
	struct desk_tracking req = { at, { kind, strlen(kind) },
				     { "", 0 } };
	struct desk_facts f;
	int rc;

	ac_err_clear(&t_err);
	rc = desk_add_tracking(desk, "token:test", order_id, &req, &f,
			       &t_err);
	if (!rc && n_redecided)
		*n_redecided = f.n_redecided;
	return rc;
}

int t_batch_begin(void)
{
	ac_err_clear(&t_err);
	return desk_batch_begin(desk, &t_err);
}

int t_batch_commit(void)
{
	ac_err_clear(&t_err);
	return desk_batch_commit(desk, &t_err);
}

int t_shipment(const char *order_id, int64_t shipped_at,
	       int64_t delivered_at, const char *finding, const char *customs,
	       int *n_redecided)
{
	struct desk_facts f;
	struct shipment sh;
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	buf_adds(&b, "{\"shipped_at\": ");
	add_time(&b, shipped_at);
	buf_addf(&b, ", \"address\": %s, \"courier_finding\": \"%s\", "
		 "\"customs\": \"%s\"", addr, finding ? finding : "none",
		 customs ? customs : "none");
	if (delivered_at) {
		buf_adds(&b, ", \"delivered_at\": ");
		add_time(&b, delivered_at);
	}
	buf_addc(&b, '}');
	ac_err_clear(&t_err);
	rc = shipment_request_read(rd, b.p, b.len, &sh, &t_err);
	if (!rc)
		rc = desk_put_shipment(desk, "token:test", order_id, &sh, &f,
				       &t_err);
	buf_release(&b);
	if (!rc && n_redecided)
		*n_redecided = f.n_redecided;
	return rc;
}

/* ---- staff accounts, sessions, look-ups, messages --------------------- */

int t_user_add(const char *name, const char *role, const char *password)
{
	enum staff_role r = STAFF_AGENT;

	ac_err_clear(&t_err);
	if (staff_role_parse(role, &r))
		r = (enum staff_role)7;     /* a role the desk must refuse */
	return desk_user_add(desk, "user:boss", name, r, password, &t_err);
}

int t_check_password(const char *name, const char *password,
		     struct t_check *out)
{
	struct desk_password_check c;
	int rc;

	ac_err_clear(&t_err);
	rc = desk_user_check_password(desk, name, password, &c, &t_err);
	out->known = c.known;
	out->ok = c.ok;
	out->locked = c.locked;
	out->locked_until = c.locked_until;
	return rc;
}

static void read_staff(const struct desk_staff_session *s,
		       struct t_session *out)
{
	static const char *const results[] = {
		[SIGNIN_OK] = "ok", [SIGNIN_WRONG] = "wrong",
		[SIGNIN_LOCKED] = "locked",
	};

	memset(out, 0, sizeof *out);
	snprintf(out->result, sizeof out->result, "%s", results[s->result]);
	memcpy(out->token, s->token, sizeof out->token);
	memcpy(out->csrf, s->csrf, sizeof out->csrf);
	memcpy(out->name, s->name, sizeof out->name);
	out->manager = s->role == STAFF_MANAGER;
	out->expires_at = s->expires_at;
	out->locked_until = s->locked_until;
}

static void read_customer(const struct desk_customer_session *s,
			  struct t_session *out)
{
	static const char *const results[] = {
		[LOOKUP_OK] = "ok", [LOOKUP_NOT_FOUND] = "not_found",
		[LOOKUP_LIMITED] = "limited",
	};

	memset(out, 0, sizeof *out);
	snprintf(out->result, sizeof out->result, "%s", results[s->result]);
	memcpy(out->token, s->token, sizeof out->token);
	memcpy(out->csrf, s->csrf, sizeof out->csrf);
	memcpy(out->order_id, s->order_id, sizeof out->order_id);
	out->tz_offset_min = s->tz_offset_min;
	out->expires_at = s->expires_at;
	out->retry_after_s = s->retry_after_s;
}

int t_signin(const char *name, bool password_ok, struct t_session *out)
{
	struct desk_staff_session s;
	int rc;

	ac_err_clear(&t_err);
	rc = desk_user_signin(desk, name, password_ok, "192.0.2.9", &s,
			      &t_err);
	read_staff(&s, out);
	return rc;
}

int t_staff_session(const char *token, struct t_session *out)
{
	struct desk_staff_session s;
	int rc;

	ac_err_clear(&t_err);
	rc = desk_staff_session(desk, token, &s, &t_err);
	read_staff(&s, out);
	return rc;
}

int t_session_end(const char *token)
{
	ac_err_clear(&t_err);
	return desk_session_end(desk, token, &t_err);
}

int t_lookup(const char *order_id, const char *email, const char *client,
	     int tz_offset_min, struct t_session *out)
{
	struct desk_customer_session s;
	int rc;

	ac_err_clear(&t_err);
	rc = desk_customer_lookup(desk, order_id, email, client,
				  tz_offset_min, &s, &t_err);
	read_customer(&s, out);
	return rc;
}

int t_customer_session(const char *token, struct t_session *out)
{
	struct desk_customer_session s;
	int rc;

	ac_err_clear(&t_err);
	rc = desk_customer_session(desk, token, &s, &t_err);
	read_customer(&s, out);
	return rc;
}

int t_user_failures(const char *name, bool *locked)
{
	struct desk_users u;

	ac_err_clear(&t_err);
	cr_assert_eq(desk_user_list(desk, &u, &t_err), 0, "users: %s",
		     t_err.msg);
	for (int i = 0; i < u.n; i++) {
		if (u.users[i].name.n != strlen(name) ||
		    memcmp(u.users[i].name.p, name, u.users[i].name.n))
			continue;
		if (locked)
			*locked = u.users[i].locked;
		return u.users[i].failed_in_a_row;
	}
	return -1;
}

int t_lookup_failures(const char *key)
{
	struct store_lookup_failure f;
	struct ac_err e;

	cr_assert_eq(store_get_lookup_failures(t_store, store_str(key), &f,
					       &e), 0, "%s: %s", key, e.msg);
	return f.count;
}

void t_user_hash(const char *name, char *out, size_t cap)
{
	struct store_staff_user u;
	struct ac_err e;

	cr_assert_eq(store_get_staff_user(t_store, store_str(name), &u, &e), 0,
		     "user %s: %s", name, e.msg);
	snprintf(out, cap, "%.*s", (int)u.password_hash.n,
		 u.password_hash.p);
	store_staff_user_release(&u);
}

int t_message(const char *actor, const char *case_id, bool staff,
	      const char *body, size_t n)
{
	struct desk_message m;
	int rc;

	ac_err_clear(&t_err);
	rc = desk_add_message(desk, actor, case_id,
			      staff ? MSG_FROM_STAFF : MSG_FROM_CUSTOMER,
			      (struct ac_str){ body, n }, &m, &t_err);
	if (rc == 0)
		cr_assert(m.id > 0 && m.body.n == n &&
			  (n == 0 || !memcmp(m.body.p, body, n)) &&
			  m.created_at == t_now);
	return rc;
}

int t_messages(const char *case_id, int *n, char *last_body, size_t cap,
	       char *last_author, size_t acap, bool *last_staff)
{
	struct desk_messages ms;
	int rc;

	ac_err_clear(&t_err);
	rc = desk_list_messages(desk, case_id, &ms, &t_err);
	*n = rc ? 0 : ms.n;
	if (rc || ms.n == 0)
		return rc;
	const struct desk_message *m = &ms.messages[ms.n - 1];

	if (last_body)
		snprintf(last_body, cap, "%.*s", (int)m->body.n, m->body.p);
	if (last_author)
		snprintf(last_author, acap, "%.*s", (int)m->author.n,
			 m->author.p);
	if (last_staff)
		*last_staff = m->from == MSG_FROM_STAFF;
	return 0;
}

bool t_needs_manager(const char *currency, int64_t amount_minor)
{
	return desk_refund_needs_manager(policy_file_policy(pf),
					 money_currency_find(currency, 3),
					 amount_minor);
}

/* ---- the staff queue: lists, counts, evidence ------------------------- */

int t_list(const struct t_query *q, struct t_page *out)
{
	struct desk_case_query dq = {
		.status = q->status, .type = q->type, .order = q->order,
		.clause = q->clause, .customer = q->customer,
		.deadline_before = q->deadline_before, .after = q->after,
		.limit = q->limit,
	};
	struct desk_case_page page;
	int rc;

	memset(out, 0, sizeof *out);
	ac_err_clear(&t_err);
	rc = desk_list_cases(desk, &dq, &page, &t_err);
	if (rc)
		return rc;
	cr_assert_leq(page.n, 100);
	out->n = page.n;
	for (int i = 0; i < page.n; i++) {
		const struct desk_case_row *r = &page.rows[i];

		snprintf(out->ids[i], sizeof out->ids[i], "%.*s",
			 (int)r->id.n, r->id.p);
		if (r->has_clause)
			snprintf(out->clause[i], sizeof out->clause[i], "%s",
				 clause_id_name(r->clause));
		out->status[i] = r->status;
	}
	snprintf(out->next, sizeof out->next, "%s", page.next);
	return 0;
}

int t_list_all(struct t_query q, char ids[][128], int cap)
{
	struct t_page *p = calloc(1, sizeof *p);
	char after[128] = "";
	int n = 0;

	cr_assert_not_null(p);
	for (;;) {
		q.after = after[0] ? after : NULL;
		if (t_list(&q, p)) {
			n = -1;
			break;
		}
		for (int i = 0; i < p->n && n < cap; i++)
			memcpy(ids[n++], p->ids[i], 128);
		if (!p->next[0])
			break;
		cr_assert_gt(p->n, 0, "a next after an empty page");
		memcpy(after, p->next, sizeof after);
	}
	free(p);
	return n;
}

int t_counts(int64_t counts[CASE_STATUS_COUNT])
{
	ac_err_clear(&t_err);
	return desk_case_counts(desk, counts, &t_err);
}

int t_evidence(const char *case_id, const char *type, int salt,
	       char *sha_out)
{
	static const char png[] = "\x89PNG\r\n\x1a\n", jpeg[] = "\xff\xd8\xff";
	char bytes[64], ct[32];
	struct desk_evidence ev;
	size_t n;
	int rc;

	if (strcmp(type, "png") == 0) {
		n = (size_t)snprintf(bytes, sizeof bytes, "%s%d", png, salt);
	} else if (strcmp(type, "jpeg") == 0) {
		n = (size_t)snprintf(bytes, sizeof bytes, "%s%d", jpeg, salt);
	} else {
		/* the RIFF size holds NULs: copied, not printed */
		memcpy(bytes, "RIFF\x10\0\0\0WEBPVP8 ", 16);
		n = 16 + (size_t)snprintf(bytes + 16, sizeof bytes - 16, "%d",
					  salt);
	}
	snprintf(ct, sizeof ct, "image/%s", type);
	ac_err_clear(&t_err);
	rc = desk_add_evidence(desk, "token:test", case_id, ct, bytes, n, &ev,
			       &t_err);
	if (!rc && sha_out)
		memcpy(sha_out, ev.sha256, 65);
	return rc;
}

int t_evidences(const char *case_id, struct t_evidence_list *out)
{
	struct desk_evidences l;
	int rc;

	memset(out, 0, sizeof *out);
	ac_err_clear(&t_err);
	rc = desk_list_evidence(desk, case_id, &l, &t_err);
	if (rc)
		return rc;
	cr_assert_leq(l.n, 100);
	out->n = l.n;
	out->more = l.more;
	for (int i = 0; i < l.n; i++) {
		const struct desk_evidence *e = &l.evidences[i];

		memcpy(out->sha256[i], e->sha256, 65);
		snprintf(out->type[i], sizeof out->type[i], "%.*s",
			 (int)e->content_type.n, e->content_type.p);
		out->size[i] = e->size;
		out->created_at[i] = e->created_at;
		out->has_data[i] = e->data.n > 0;
	}
	return 0;
}

/* ---- behind the desk -------------------------------------------------- */

static struct store_ledger_sum ledger(const char *case_id)
{
	struct store_ledger_sum sum = { 0 };
	struct ac_err e;

	cr_assert_eq(store_sum_ledger_case(t_store, store_str(case_id), &sum,
					   &e), 0, "ledger: %s", e.msg);
	return sum;
}

int t_ledger_entries(const char *case_id)
{
	return ledger(case_id).n_entries;
}

int64_t t_ledger_refunded(const char *case_id)
{
	return ledger(case_id).refund_minor;
}

bool t_idem_exists(const char *scope, const char *key)
{
	struct store_idem i = { 0 };
	struct ac_err e;
	int rc = store_get_idempotency(t_store, store_str(scope),
				       store_str(key), &i, &e);

	store_idem_release(&i);
	cr_assert(rc == 0 || rc == AC_ENOTFOUND, "idempotency: %s", e.msg);
	return rc == 0;
}

int t_audit_count(const char *entity_id, const char *action)
{
	struct store_audit_page *page = calloc(1, sizeof *page);
	struct store_audit_filter f = {
		.entity_id = store_str(entity_id),
		.limit = STORE_PAGE_MAX,
	};
	struct ac_err e;
	int n = 0;

	cr_assert_not_null(page);
	for (;;) {
		cr_assert_eq(store_list_audit(t_store, &f, page, &e), 0,
			     "audit: %s", e.msg);
		for (int i = 0; i < page->n; i++) {
			const struct store_audit *a = &page->rows[i];

			if (!action || (a->action.n == strlen(action) &&
					!memcmp(a->action.p, action,
						a->action.n)))
				n++;
			f.since_id = a->id;
		}
		bool more = page->more && page->n > 0;

		store_audit_page_release(page);
		if (!more)
			break;
	}
	free(page);
	return n;
}

int t_case_count(const char *order_id)
{
	struct store_case_page *page = calloc(1, sizeof *page);
	struct store_case_filter f = {
		.order_id = store_str(order_id),
		.limit = STORE_PAGE_MAX,
	};
	struct ac_err e;
	int n;

	cr_assert_not_null(page);
	cr_assert_eq(store_list_cases(t_store, &f, page, &e), 0, "cases: %s",
		     e.msg);
	n = page->n;
	store_case_page_release(page);
	free(page);
	return n;
}

int64_t t_status_count(enum case_status st)
{
	struct store_case_page *page = calloc(1, sizeof *page);
	struct store_case_filter f = {
		.status_mask = CASE_STATUS_BIT(st),
		.limit = STORE_PAGE_MAX,
	};
	char after[STORE_ID_MAX] = "";
	struct ac_err e;
	int64_t n = 0;

	cr_assert_not_null(page);
	for (;;) {
		f.after_id = store_str(after);
		cr_assert_eq(store_list_cases(t_store, &f, page, &e), 0,
			     "cases: %s", e.msg);
		n += page->n;
		if (page->n)
			snprintf(after, sizeof after, "%.*s",
				 (int)page->rows[page->n - 1].id.n,
				 page->rows[page->n - 1].id.p);
		bool more = page->more;

		store_case_page_release(page);
		if (!more)
			break;
	}
	free(page);
	return n;
}

void t_snap(const char *case_id, struct t_snap *s)
{
	struct store_case sc = { 0 };
	struct store_decision sd = { 0 };
	struct store_quote q = { 0 };
	struct ac_err e;
	int rc;

	memset(s, 0, sizeof *s);
	cr_assert_eq(store_get_case(t_store, store_str(case_id), &sc, &e), 0,
		     "case %s: %s", case_id, e.msg);
	s->status = sc.status;
	s->updated_at = sc.updated_at;
	s->has_override = sc.has_override;
	s->has_approval = sc.has_approval;
	store_case_release(&sc);
	rc = store_get_current_decision(t_store, store_str(case_id), &sd, &e);
	cr_assert(rc == 0 || rc == AC_ENOTFOUND, "decision: %s", e.msg);
	s->decision_id = rc == 0 ? sd.id : 0;
	store_decision_release(&sd);
	s->ledger = t_ledger_entries(case_id);
	s->audit = t_audit_count(case_id, NULL);
	rc = store_get_case_quote(t_store, store_str(case_id), &q, &e);
	cr_assert(rc == 0 || rc == AC_ENOTFOUND, "quote: %s", e.msg);
	s->has_quote = rc == 0;
	if (rc == 0) {
		s->quote_status = q.status;
		s->quote_updated_at = q.updated_at;
	}
	store_quote_release(&q);
}

bool t_snap_eq(const struct t_snap *a, const struct t_snap *b)
{
	return a->status == b->status && a->updated_at == b->updated_at &&
	       a->has_override == b->has_override &&
	       a->has_approval == b->has_approval &&
	       a->decision_id == b->decision_id && a->ledger == b->ledger &&
	       a->audit == b->audit && a->has_quote == b->has_quote &&
	       a->quote_status == b->quote_status &&
	       a->quote_updated_at == b->quote_updated_at;
}

void t_force_status(const char *case_id, enum case_status st)
{
	struct ac_err e;

	cr_assert_eq(store_update_case_status(t_store, store_str(case_id), st,
					      t_now, &e), 0, "status: %s",
		     e.msg);
}

void t_fail_after(int n)
{
	store_test_fail_after(t_store, n);
}

bool t_in_transaction(void)
{
	return store_in_transaction(t_store);
}
