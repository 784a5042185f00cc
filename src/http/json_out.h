/* json_out.h: the desk's typed requests and results as JSON (http layer).
 * The one place where the API's JSON bodies are read into the desk's
 * request structs and its result structs are written out, byte for byte
 * as web/openapi.json and docs/API.md describe them. Writers append to a
 * struct buf whose first error sticks (buf.h); http_answer checks it once,
 * so a truncated answer is never sent as a success. Readers borrow their
 * strings from the case reader until its next read, and fail as the
 * codec does: AC_ESYNTAX (not JSON), AC_EINVAL naming the field. */
#ifndef AC_HTTP_JSON_OUT_H
#define AC_HTTP_JSON_OUT_H

#include "../codec/codec.h"
#include "../desk/desk.h"
#include "http.h"

/* http_answer answers a desk call as http_reply does, but a body whose
 * writing failed (buf_error) is a 500 problem naming the response, never
 * ok_status. */
void http_answer(struct http_resp *r, int rc, const struct ac_err *err,
		 int ok_status);

/* ---- requests ------------------------------------------------------- */

/* {"order": id, "claim": claim} */
int json_read_open(struct case_reader *rd, const char *body, size_t n,
		   struct desk_open *out, struct ac_err *err);
/* {"to": status, "reason"?} */
int json_read_move(struct case_reader *rd, const char *body, size_t n,
		   struct desk_move *out, struct ac_err *err);
/* {"verdict", "refund_max_minor"?, "reason"} */
int json_read_override(struct case_reader *rd, const char *body, size_t n,
		       struct desk_override *out, struct ac_err *err);
/* {"amount_minor"}: the amount only (the key and scope are headers) */
int json_read_refund(struct case_reader *rd, const char *body, size_t n,
		     struct desk_refund_req *out, struct ac_err *err);
/* {"amount_minor", "expires_at"?} */
int json_read_quote(struct case_reader *rd, const char *body, size_t n,
		    struct desk_quote_req *out, struct ac_err *err);

/* {"at", "kind", "detail"?} */
int json_read_tracking(struct case_reader *rd, const char *body, size_t n,
		       struct desk_tracking *out, struct ac_err *err);

/* {"body": text}: a note's text */
int json_read_note(struct case_reader *rd, const char *body, size_t n,
		   struct ac_str *text, struct ac_err *err);

/* ---- results ---------------------------------------------------------- */

/* json_write_time writes an instant as a JSON string in RFC 3339 UTC
 * ("2026-05-14T16:20:00Z", a fraction only when there is one). */
void json_write_time(struct buf *b, int64_t at);

/* The case: {"id", "status", "order", "type", "claim", "decision",
 * "decided_at", "clauses": [{"id", "title", "text"}], "deadline",
 * "response_due", "refund_max_minor", "refunded_total_minor",
 * "charged_total_minor", "override", "approval", "quote", "created_at",
 * "updated_at"}. */
void json_write_case(const struct desk_case *c, struct buf *out);
/* {"id", "case", "amount_minor", "currency", "refunded_total_minor"} */
void json_write_refund(const struct desk_refund *r, struct buf *out);
/* {"id", "case", "amount_minor", "status", "expires_at", "created_at",
 * "updated_at"} */
void json_write_quote(const struct desk_quote *q, struct buf *out);

/* {"id", "order", "shipment", "customer": {"name", "email"}, "currency",
 * "paid_minor", "refunded_total_minor", "charged_total_minor", "cases":
 * [{"id", "status", "type", "verdict"}]} */
void json_write_order(const struct desk_order *o, struct buf *out);
/* {"id"?, "order", "redecided": [{"id", "verdict", "status"}]} */
void json_write_facts(const struct desk_facts *f, struct buf *out);
/* {"order", "events": [{"id", "at", "kind", "detail"}]} */
void json_write_events(const struct desk_events *e, struct buf *out);
/* {"id", "case", "author", "body", "created_at"} */
void json_write_note(const struct desk_note *nt, struct buf *out);
/* {"notes": [{"id", "author", "body", "created_at"}]} */
void json_write_notes(const struct desk_notes *ns, struct buf *out);

/* The lists: {"cases": [...], "next": id or null}; {"now", "cases":
 * [{"id", "status", "deadline", "response_due", "due", "overdue"}...],
 * "next": cursor or null}; {"events": [...], "next": id or null}. */
void json_write_case_page(const struct desk_case_page *p, struct buf *out);
void json_write_due_page(const struct desk_due_page *p, struct buf *out);
void json_write_audit_page(const struct desk_audit_page *p,
			   struct buf *out);
/* {"sha256", "content_type", "size"} */
void json_write_evidence(const struct desk_evidence *e, struct buf *out);

#endif
