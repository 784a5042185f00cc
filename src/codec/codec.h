/* codec.h: JSON to case, decision to JSON and text, the policy file
 * (codec layer). The JSON library's values never leave this layer: callers
 * see struct ac_case, struct decision and struct policy only.
 * Ownership: a case read by a case_reader borrows its strings from that
 * reader until its next read or case_reader_free. A struct policy_file owns
 * the policy and every string in it. */
#ifndef AC_CODEC_H
#define AC_CODEC_H

#include <stddef.h>

#include "../core/case.h"
#include "../core/decide.h"
#include "../core/err.h"
#include "../core/policy.h"
#include "buf.h"

struct json_arena;

/* The largest case document accepted, in bytes (a named limit). */
#define AC_CASE_MAX_BYTES (1u << 20)

struct case_reader;

struct case_reader *case_reader_new(void);
void case_reader_free(struct case_reader *rd);

/* case_reader_read parses one case from buf[0..n) (need not be
 * NUL-terminated) into *c. Returns 0, or AC_ESYNTAX (not JSON; err->field
 * is "") or AC_EINVAL / AC_ELIMIT with err naming the field path. */
int case_reader_read(struct case_reader *rd, const char *buf, size_t n,
		     struct ac_case *c, struct ac_err *err);

/* decision_json_write appends the decision as one JSON object (no newline)
 * to out. Returns 0 or AC_ELIMIT. */
int decision_json_write(const struct decision *d, struct buf *out);

/* Who overrode a decision and why, as the stored decision carries it
 * (CONTRACT's decision plus "override": {"reason", "author"}). */
struct decision_override {
	bool present;
	struct ac_str reason, author;
};

/* decision_record_write appends the decision as decision_json_write does,
 * with the override's member when ov (may be NULL) is present: the
 * decision as the store keeps it. Returns 0 or AC_ELIMIT. */
int decision_record_write(const struct decision *d,
			  const struct decision_override *ov, struct buf *out);

/* decision_record_read reads a stored decision back (what
 * decision_record_write wrote) into *d and *ov; its strings (order,
 * policy, the override's reason and author) are copied into mem (reset
 * first) and borrowed from it until its next use. The parsed document's
 * nodes are taken from arena when there is one (reset here; NULL: the
 * heap, node by node). AC_ESYNTAX when the text is not JSON, AC_EINVAL
 * naming the member that is not a decision's. */
int decision_record_read(const char *json, size_t n, struct decision *d,
			 struct decision_override *ov, struct buf *mem,
			 struct json_arena *arena, struct ac_err *err);

/* error_json_write appends {"line": N, "error": {"field", "message"}}. */
int error_json_write(long line, const struct ac_err *err, struct buf *out);

/* decision_explain appends a plain-language explanation for a person. */
int decision_explain(const struct policy *p, const struct ac_case *c,
		     const struct decision *d, struct buf *out);

/* ---- the case desk's request bodies and stored facts ---------------- */

/* POST /v1/orders: the case's order object plus "customer" and, optional,
 * "shipment" and "paid_minor". Strings are borrowed from the reader. */
struct order_request {
	bool shipped;
	struct shipment shipment;
	struct ac_str customer_name, customer_email;
	bool has_paid;
	int64_t paid_minor;
	struct order order;           /* last: it holds the items array */
};

/* order_request_read reads an order request; errors name the field as in
 * a case ("order.items[0].price_minor", "customer.email"). */
int order_request_read(struct case_reader *rd, const char *buf, size_t n,
		       struct order_request *out, struct ac_err *err);

/* shipment_request_read reads a shipment object. */
int shipment_request_read(struct case_reader *rd, const char *buf, size_t n,
			  struct shipment *out, struct ac_err *err);

/* claim_request_read reads {"order": id, "claim": {...}} and gives the
 * order's id (borrowed from rd); the claim is checked by
 * claim_request_claim once the caller has put the order in c->order. */
int claim_request_read(struct case_reader *rd, const char *buf, size_t n,
		       struct ac_str *order_id, struct ac_err *err);

/* claim_request_parse reads {"order": id, "claim": {...}} into *order_id
 * and *cl (strings borrowed from rd) without the order: the claim's
 * lines are checked against it by claim_check_order (core/case.h).
 * *has_opened_at is false when claim.opened_at is absent (cl->opened_at
 * is then 0). Errors name the field as claim_request_read does. */
int claim_request_parse(struct case_reader *rd, const char *buf, size_t n,
			struct ac_str *order_id, struct claim *cl,
			bool *has_opened_at, struct ac_err *err);

/* claim_json_write appends the claim as CONTRACT.md spells it (the
 * members it has, in the contract's order): the claim as it is stored. */
int claim_json_write(const struct claim *cl, struct buf *out);

/* claim_request_claim checks the claim read by claim_request_read against
 * c->order, fills c->claim (opened_at defaults to default_opened_at) and
 * appends the claim as it is to be stored (JSON, with opened_at). */
int claim_request_claim(struct case_reader *rd, struct ac_case *c,
			int64_t default_opened_at, struct buf *claim_json,
			struct ac_err *err);

/* A small request body: one JSON object of named fields, each a string,
 * an amount (0 .. 2^53 - 1) or an RFC 3339 time. */
enum body_type { BODY_STR, BODY_MONEY, BODY_TIME };

struct body_field {
	const char *name;
	enum body_type type;
	bool required;
	struct ac_str *str;       /* BODY_STR: borrowed from the reader */
	int64_t *num;             /* BODY_MONEY, BODY_TIME (microseconds) */
	bool *present;            /* may be NULL */
};

/* body_read reads the fields of a small body; errors name the field. */
int body_read(struct case_reader *rd, const char *buf, size_t n,
	      const struct body_field *fields, int count, struct ac_err *err);

/* claim_json_read reads a stored claim into c->claim against c->order. */
int claim_json_read(struct case_reader *rd, const char *buf, size_t n,
		    struct ac_case *c, struct ac_err *err);

/* order_json_write, shipment_json_write: the objects as CONTRACT.md has
 * them. facts_json_write appends the members "order" and, when shipped,
 * "shipment" (no braces), so that a caller can add the claim and close
 * the case. */
int order_json_write(const struct order *o, struct buf *out);
int shipment_json_write(const struct shipment *s, struct buf *out);
int facts_json_write(const struct order *o, bool shipped,
		     const struct shipment *s, struct buf *out);

/* case_facts_write appends the facts a decision was made from, as the
 * store keeps them: {"order", "shipment"?, "claim": claim_json (as
 * stored), "now"}. Returns 0 or AC_ELIMIT. */
int case_facts_write(const struct ac_case *c, struct ac_str claim_json,
		     struct buf *out);

/* A flat record (an audit event's before or after): members written in
 * order, a string member left out when its p is NULL. */
enum record_type { RECORD_STR, RECORD_INT };

struct record_field {
	const char *name;
	enum record_type type;
	struct ac_str str;
	int64_t num;
};

#define RECORD_S(n, s) { (n), RECORD_STR, (s), 0 }
#define RECORD_I(n, v) { (n), RECORD_INT, { NULL, 0 }, (v) }

/* record_json_write appends {"name": value, ...}. Returns 0 or
 * AC_ELIMIT. */
int record_json_write(const struct record_field *f, int n, struct buf *out);

/* json_str_write appends s[0..n) as a JSON string literal, escaped. */
int json_str_write(struct buf *out, const char *s, size_t n);

struct policy_file;

/* policy_file_load reads and checks the policy file at path. On failure
 * returns NULL and fills errs[0..*n_errs) (at most cap problems, each
 * with its line and key in field). */
struct policy_file *policy_file_load(const char *path, struct ac_err *errs,
				     int cap, int *n_errs);
/* policy_file_parse: the same from bytes in memory (copied). */
struct policy_file *policy_file_parse(const char *bytes, size_t n,
				      struct ac_err *errs, int cap,
				      int *n_errs);
/* policy_file_default returns a new copy of the shop's own policy, built
 * into the program, for the caller to policy_file_free; it cannot fail
 * (the unit tests and every scenario load it). */
struct policy_file *policy_file_default(void);
const struct policy *policy_file_policy(const struct policy_file *pf);
/* policy_file_bytes returns the file's bytes as read. */
const char *policy_file_bytes(const struct policy_file *pf, size_t *n);
void policy_file_free(struct policy_file *pf);

#endif
