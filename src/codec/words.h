/* words.h: a decision and an order in plain words (codec layer), for the
 * customer portal, the staff console and `aftercare decide --explain`.
 * Times are shown at a UTC offset (minutes east): "Tue 11 Feb, 09:30",
 * with the year when it is not now's. Boundaries are worded as decide()
 * treats them: "before X" when a claim made at X itself is already
 * decided otherwise (the production cut-off), "until X" when X itself is
 * still within (the contact window, the warranty). Amounts: "USD 120.00".
 * The words go into a cJSON object (the pages' model). */
#ifndef AC_WORDS_H
#define AC_WORDS_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../core/case.h"
#include "../core/decide.h"
#include "../core/policy.h"

/* words_when: "Tue 11 Feb, 09:30" at the offset; the year is added when
 * it differs from now's. */
void words_when(char *out, size_t cap, int64_t at, int64_t now,
		int tz_offset_min);
/* words_relative: "4 hours from now", "in 3 days", "2 hours ago". */
void words_relative(char *out, size_t cap, int64_t at, int64_t now);

/* words_decision sets on out: "headline" ("A full refund"), "allows"
 * (what the policy allows, with the amount), "clause" {id, title, text},
 * "facts" [sentences: the facts that decided it, with their times],
 * "remedies" [{text, who_pays, amount?}] (each its own choice, never a
 * sum), "next" (what happens next) and, when the decision has one,
 * "deadline" {text ("until …" / "before …"), relative, at (RFC 3339)}.
 * c is the case the decision was made from (its claim's opened_at is
 * when); now is when it is read. */
void words_decision(cJSON *out, const struct policy *p,
		    const struct ac_case *c, const struct decision *d,
		    int64_t now, int tz_offset_min);

/* words_order sets on out: "state" [{text, done}] (placed, in
 * production since, shipped, delivered) and "can" [{text, relative}]:
 * what the customer can still do and until when, from the policy's
 * numbers (cancel free of charge before the cut-off, report damage or a
 * wrong item until the contact window ends, the warranty until it ends).
 * c's claim is not read. */
void words_order(cJSON *out, const struct policy *p, const struct ac_case *c,
		 int64_t now, int tz_offset_min);

#endif
