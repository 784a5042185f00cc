/* words.h: a decision and an order in plain words (codec layer), for the
 * customer portal, the staff console and `aftercare decide --explain`.
 *
 * Times are shown at a UTC offset (minutes east): "Tue 11 Feb, 09:30";
 * with the year when it is not now's year (at the same offset):
 * "Tue 11 Feb 2027, 09:30". Only where a claim and a boundary fall in the
 * same minute do the facts show both to the second (and its fraction):
 * "09:30:17.25".
 * Boundaries are worded as decide() treats them (words_boundary):
 *   "before X": a claim made at X itself is already decided otherwise
 *               (the production cut-off, placed_at + production delay,
 *               decided with <);
 *   "until X":  X itself is still within (the contact window,
 *               delivered_at + contact window; the warranty, delivered_at
 *               or shipped_at + warranty; both decided with <=).
 * A boundary not on a whole minute is shown as "until" its last whole
 * minute still within (earlier than the boundary by under a minute): the
 * words never promise an instant that decide() refuses, nor refuse one
 * they show.
 * Every duration comes from the policy's numbers ("24 hours", "365 days").
 * Amounts: money_format's "USD 120.00" (JPY: "JPY 5000"), integers only;
 * each remedy has its own amount, never a sum.
 * The words go into a cJSON object (the pages' model): strings, arrays
 * and objects only. Nothing here fails: cJSON's allocation is the
 * caller's (json_util's hooks die when memory runs out). */
#ifndef AC_WORDS_H
#define AC_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "../core/case.h"
#include "../core/decide.h"
#include "../core/policy.h"

/* words_when writes `at` as "Tue 11 Feb, 09:30" at the offset (see
 * above); now decides whether the year is shown. Cut short at cap. */
void words_when(char *out, size_t cap, int64_t at, int64_t now,
		int tz_offset_min);
/* words_boundary writes "before X" or "until X" (X as words_when writes
 * it) for a boundary at `at`: strict when decide() refuses a claim at
 * `at` itself (t < at is within), not strict when it still accepts it
 * (t <= at). Returns the word used ("before" or "until"). */
const char *words_boundary(char *out, size_t cap, int64_t at, bool strict,
			   int64_t now, int tz_offset_min);
/* words_relative: "4 hours from now", "3 days from now", "2 hours ago",
 * "less than a minute from now", "just now". Counts are whole units,
 * rounded down (minutes below an hour, hours below two days, then days). */
void words_relative(char *out, size_t cap, int64_t at, int64_t now);

/* words_decision sets on out:
 *   "headline"  "A full refund" (the verdict)
 *   "allows"    what the policy allows, with the amount: "The policy
 *               allows a full refund of everything you paid: USD 535.00."
 *   "clause"    {"id", "title", "text"}: the deciding clause
 *   "also"      [{"id", "title", "text"}]: the other clauses cited (absent
 *               when none)
 *   "facts"     ["Delivered on Sat 14 Feb, 16:20.", ...]: the facts that
 *               decided it, with their times and the policy's numbers
 *   "remedies"  [{"text", "who_pays", "amount"?, "line"}]: each a choice
 *               of its own; "amount" ("USD 520.00") only when it has one;
 *               "line" the whole of it as one sentence
 *   "next"      what happens next
 *   "deadline"  when the decision has one: {"text" (a sentence: "This
 *               answer holds for a claim made before Wed 11 Feb, 09:30"),
 *               "when" ("before Wed 11 Feb, 09:30": words_boundary),
 *               "word" ("before" or "until"), "relative" ("4 hours
 *               from now"), "at" (RFC 3339, UTC, exact)}
 * c is the case the decision was made from (its claim is read); now is
 * when the words are read (for "relative" and the year). */
void words_decision(cJSON *out, const struct policy *p,
		    const struct ac_case *c, const struct decision *d,
		    int64_t now, int tz_offset_min);

/* words_order sets on out:
 *   "state" [{"text", "done"}]: "Placed on …", "In production since …"
 *           (or "Production starts on …", done false), "Shipped on …",
 *           "Delivered on …", and the courier's or customs' news
 *   "can"   [{"text", "relative"?, "at"?, "word"?}]: what the customer can
 *           still do at now, each with its deadline where it has one:
 *           cancel free of charge (or change the order) before the
 *           cut-off; report damage or a wrong item until the contact
 *           window ends; a free repair under the warranty until it ends;
 *           and the open-ended ones (address change before shipment, a
 *           parcel that does not arrive, a paid repair after the
 *           warranty), without "relative".
 * An entry with a deadline is there exactly when decide() would still
 * answer a claim made at now that way. c's claim is not read. */
void words_order(cJSON *out, const struct policy *p, const struct ac_case *c,
		 int64_t now, int tz_offset_min);

#endif
