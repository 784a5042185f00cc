/* view.h: the pages' models from the desk's answers (web layer).
 * A desk answer lasts until the desk's next call, so a page that needs an
 * order and then its cases copies the order's facts first (view_facts,
 * in the request's arena) and builds each model member from them. The
 * words (what a decision means, what the customer can still do and until
 * when) come from codec/words.c, the same as `aftercare decide
 * --explain`; times are shown at the reader's UTC offset. */
#ifndef AC_VIEW_H
#define AC_VIEW_H

#include <cjson/cJSON.h>

#include "../core/case.h"
#include "../desk/desk.h"
#include "web.h"

struct case_reader;

/* An order's facts, copied out of a desk answer into an arena. */
struct view_facts {
	struct order order;
	bool shipped;
	struct shipment shipment;
	const char *customer_name, *customer_email;
	int64_t paid_minor, refunded_total_minor;
	int n_cases;
	char (*case_ids)[HTTP_ID_MAX];
};

/* view_facts_copy copies o (and its cases' ids) into the arena. */
void view_facts_copy(struct arena *a, const struct desk_order *o,
		     struct view_facts *out);

/* view_order sets the order's members of m: "order" {id, placed,
 * currency, total, items [{line, name, certificate, price}], shipped?,
 * delivered?, address, customer}, "state" (its words) and "can" (what
 * can still be done, each with its deadline). */
void view_order(cJSON *m, const struct policy *p, const struct view_facts *f,
		int64_t now, int tz_offset_min);

/* view_case sets "case" on m: {id, status, status_words, claim_words,
 * opened, decision: the words of codec/words.c (headline, clause with
 * title and text, facts, remedies, next, deadline), refunded, quote?}.
 * The claim is read back from the case's stored JSON with rd against
 * f's order. */
void view_case(cJSON *m, const struct policy *p, const struct view_facts *f,
	       const struct desk_case *c, struct case_reader *rd, int64_t now,
	       int tz_offset_min);

/* view_case_line: the members a list shows for a case: id, status words,
 * claim words, the verdict's words and the deciding clause's title. */
void view_case_line(cJSON *o, const struct desk_case *c);

/* view_photos sets "photos" [{url, type}] on m: the case's photos, with
 * URLs under prefix ("/console" or "/order"); nothing when they cannot
 * be read. */
void view_photos(struct http_req *q, cJSON *m, const char *prefix,
		 const char *case_id);

/* view_messages sets "messages" [{from, author, when, body,
 * from_customer}] on m, oldest first: for the customer's page (staff false:
 * "You" / "The shop", times at the customer's offset) or for staff
 * ("Customer" / "Shop", UTC with its label). Nothing when they cannot be
 * read. */
void view_messages(struct http_req *q, cJSON *m, const char *case_id,
		   bool staff);

/* view_photo answers r with the photo q->params[1] of case q->params[0]
 * (the caller has checked who may see the case). */
void view_photo(struct http_req *q, struct http_resp *r);

#endif
