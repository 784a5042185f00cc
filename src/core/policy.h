/* policy.h: the policy model (core).
 * A struct policy holds every number the decisions depend on, the case
 * desk's own two (the shop's response time, a repair quote's life), and
 * the text of every clause. The clause ids are fixed by the code (each
 * branch of decide() names one); their titles and texts come from the
 * policy file.
 * Strings are borrowed from whoever loaded the policy (codec/policy_file). */
#ifndef AC_POLICY_H
#define AC_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "item.h"
#include "money.h"
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

/* The most amounts a per-currency list of the policy file holds. */
#define POLICY_AMOUNTS_MAX 32

struct clause {
	struct ac_str title;
	struct ac_str text;
	int line;                  /* where it starts in the policy file */
};

struct policy {
	/* no-refund.1: from the order to the start of production */
	int64_t production_delay_us;
	/* no-refund.2: from delivery to the last moment to contact us */
	int64_t contact_window_us;
	/* warranty.2: from delivery (or shipment) */
	int64_t warranty_us;
	/* no-refund.3: the cap, in basis points of an item's price */
	int64_t partial_cap_bp;
	/* no-refund.3: per kind, in thousandths; < 0: the kind has none */
	int64_t tolerance_milli[KIND_COUNT];
	/* the desk: the shop answers a case within this of its opening */
	int64_t response_time_us;
	/* the desk: a repair quote stands this long unless it says */
	int64_t quote_life_us;
	/* the desk: a refund above the amount in its currency needs a
	 * manager (policy key manager_refund_above; a currency not listed:
	 * any refund does) */
	int n_manager_refund_above;
	struct policy_amount {
		const struct currency *currency;  /* money.h's table */
		int64_t amount_minor;
	} manager_refund_above[POLICY_AMOUNTS_MAX];
	struct clause clauses[CL_COUNT];
	/* "sha256:" + hex of the file's bytes, and of its canonical content */
	char version[72];
	char content_version[72];
};

#endif
