/* case.h: the case model (core).
 * A case is the facts of one order, its shipment and one claim, as
 * CONTRACT.md describes them. Arrays have fixed capacities so that a case
 * lives on the stack; strings are borrowed slices into the parsed input. */
#ifndef AC_CASE_H
#define AC_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "address.h"
#include "err.h"
#include "item.h"
#include "money.h"
#include "str.h"

#define AC_MAX_ITEMS 64
#define AC_MAX_DEFECTS 8

enum courier_finding {
	COURIER_NONE,
	COURIER_INVESTIGATING,
	COURIER_LOST_CONFIRMED,
	COURIER_DELIVERED_PROVEN
};

enum customs_state {
	CUSTOMS_NONE,
	CUSTOMS_HELD,
	CUSTOMS_CLEARED,
	CUSTOMS_REFUSED_BY_CUSTOMER
};

enum claim_type {
	CLAIM_CANCEL,
	CLAIM_NOT_RECEIVED,
	CLAIM_DAMAGED,
	CLAIM_WRONG_ITEM,
	CLAIM_UNWANTED,
	CLAIM_WRONG_ADDRESS,
	CLAIM_CUSTOMS,
	CLAIM_REPAIR
};

enum defect {
	DEFECT_SCRATCH,
	DEFECT_PACKAGING,
	DEFECT_SIZE,
	DEFECT_STONE_LOOSE,
	DEFECT_BROKEN,
	DEFECT_CLASP,
	DEFECT_TARNISH,
	DEFECT_OTHER,
	DEFECT_COUNT
};

struct order {
	struct ac_str id;
	int64_t placed_at;
	const struct currency *currency;
	int64_t shipping_minor;
	struct address address;
	int n_items;
	struct item items[AC_MAX_ITEMS];
};

struct shipment {
	int64_t shipped_at;
	struct address address;
	bool delivered;
	int64_t delivered_at;
	enum courier_finding courier_finding;
	enum customs_state customs;
};

/* The arrays come last in struct order and struct claim, so that a reader
 * can clear the rest without touching their capacity. */
struct claim {
	enum claim_type type;
	int64_t opened_at;
	unsigned defects;                 /* bit set of 1u << enum defect */
	bool has_correct_address;
	struct address correct_address;
	int64_t material_cost_rise_minor;
	int n_lines;                      /* 0: the whole order */
	int n_received;
	int lines[AC_MAX_ITEMS];
	struct received received[AC_MAX_ITEMS];
};

struct ac_case {
	int64_t now;                      /* defaults to claim.opened_at */
	struct order order;
	bool shipped;
	struct shipment shipment;
	struct claim claim;
};

/* claim_concerns: the claim is about this line (all lines when the claim
 * names none). */
bool claim_concerns(const struct claim *cl, int line);

/* order_total_minor: the items' prices plus the shipping paid. At most
 * 65 x (2^53 - 1), so it cannot overflow. */
int64_t order_total_minor(const struct order *o);

/* claim_check_order checks that every line the claim names (in lines
 * and received) is a line of the order: AC_EINVAL naming the entry
 * ("claim.lines[1]", "claim.received[0].line") otherwise. */
int claim_check_order(const struct claim *cl, const struct order *o,
		      struct ac_err *err);

/* Wire names, for codecs and messages. */
const char *claim_type_name(enum claim_type t);
int claim_type_parse(const char *s, size_t n, enum claim_type *out);
const char *defect_name(enum defect d);
int defect_parse(const char *s, size_t n, enum defect *out);
const char *courier_finding_name(enum courier_finding f);
int courier_finding_parse(const char *s, size_t n, enum courier_finding *out);
const char *customs_name(enum customs_state c);
int customs_parse(const char *s, size_t n, enum customs_state *out);

#endif
