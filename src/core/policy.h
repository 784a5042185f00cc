/* policy.h: the policy model (core).
 * A struct policy holds every number the decisions depend on and the text
 * of every clause. The clause ids are fixed by the code (each branch of
 * decide() names one); their titles and texts come from the policy file.
 * Strings are borrowed from whoever loaded the policy (codec/policy_file). */
#ifndef AC_POLICY_H
#define AC_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "item.h"
#include "str.h"

enum clause_id {
	CL_NO_REFUND_1,
	CL_NO_REFUND_2,
	CL_NO_REFUND_3,
	CL_NO_REFUND_4,
	CL_NO_REFUND_5,
	CL_NO_REFUND_6,
	CL_REFUND_1,
	CL_REFUND_2,
	CL_REFUND_3,
	CL_WARRANTY_1,
	CL_WARRANTY_2,
	CL_WARRANTY_3,
	CL_COUNT
};

/* clause_id_name returns the id as cited ("no-refund.1"). */
const char *clause_id_name(enum clause_id id);

/* clause_id_parse: 0 and *out when s names a clause, -1 otherwise. */
int clause_id_parse(const char *s, size_t n, enum clause_id *out);

struct clause {
	struct ac_str title;
	struct ac_str text;
	int line;                  /* where it starts in the policy file */
};

struct policy {
	int64_t production_delay_us;   /* no-refund.1: order to production start */
	int64_t contact_window_us;     /* no-refund.2: delivery to last contact */
	int64_t warranty_us;           /* warranty.2: from delivery (or shipment) */
	int64_t partial_cap_bp;        /* no-refund.3: cap in basis points of price */
	int64_t tolerance_milli[KIND_COUNT]; /* no-refund.3; < 0: kind has none */
	struct clause clauses[CL_COUNT];
	char version[72];              /* "sha256:" + hex of the file's bytes */
	char content_version[72];      /* "sha256:" + hex of the canonical content */
};

#endif
