/* decide.h: the decision and decide() (core).
 * decide() is a pure function of (policy, case): no I/O, no clock, no
 * globals, no allocation. The caller owns the struct decision it fills;
 * its arrays have fixed capacities that every path of decide() respects. */
#ifndef AC_DECIDE_H
#define AC_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "case.h"
#include "err.h"
#include "policy.h"

enum verdict {
	VERDICT_FULL_REFUND,
	VERDICT_PARTIAL_REFUND,
	VERDICT_NO_REFUND,
	VERDICT_PENDING,
	VERDICT_FREE_REPAIR,
	VERDICT_PAID_REPAIR
};

enum remedy_type {
	REMEDY_FULL_REFUND,
	REMEDY_PARTIAL_REFUND,
	REMEDY_REMAKE,
	REMEDY_REPAIR,
	REMEDY_ADDRESS_CHANGE,
	REMEDY_CUSTOMS_DOCUMENTS,
	REMEDY_COURIER_INVESTIGATION
};

enum bearer { BEARER_SHOP, BEARER_CUSTOMER };

enum need {
	NEED_COURIER_INVESTIGATION,
	NEED_CUSTOMS_CLEARANCE,
	NEED_REPAIR_QUOTE,
	NEED_SHIPMENT
};

struct remedy {
	enum remedy_type type;
	enum bearer cost_bearer;
	int64_t amount_minor;
};

#define AC_MAX_CLAUSES 4
#define AC_MAX_REMEDIES 4
#define AC_MAX_NEEDS 2

struct decision {
	struct ac_str order;             /* borrowed from the case */
	enum verdict verdict;
	int n_clauses;
	enum clause_id clauses[AC_MAX_CLAUSES];  /* the first decides */
	const struct currency *currency;
	int64_t refund_max_minor;
	int64_t charge_minor;
	int n_remedies;
	struct remedy remedies[AC_MAX_REMEDIES];
	int n_needs;
	enum need needs[AC_MAX_NEEDS];
	bool has_deadline;
	int64_t deadline;
	const char *policy;              /* borrowed: policy->version */
};

/* decide fills d with the decision for c under p. The case must be valid
 * as the codec checks it (lines exist, received lines are in the claim).
 * Returns 0, or AC_EINVAL with err naming the field when the facts
 * contradict each other in a way the codec cannot see alone. */
int decide(const struct policy *p, const struct ac_case *c,
	   struct decision *d, struct ac_err *err);

const char *verdict_name(enum verdict v);
/* verdict_parse: 0 and *out when s[0..n) is a verdict's wire name, -1
 * otherwise. */
int verdict_parse(const char *s, size_t n, enum verdict *out);
const char *remedy_type_name(enum remedy_type t);
const char *bearer_name(enum bearer b);
const char *need_name(enum need n);

#endif
