/* workflow.h: the case desk's workflow states (core).
 * A case's status, a repair quote's status and a ledger entry's kind,
 * each with its wire name (the name in JSON and in the store's columns).
 * Which moves between them are allowed is the desk's (src/desk); these are
 * only the values. No allocation; names are static strings. */
#ifndef AC_WORKFLOW_H
#define AC_WORKFLOW_H

#include <stddef.h>

enum case_status {
	CASE_STATUS_OPEN,
	CASE_STATUS_WAITING,
	CASE_STATUS_DECIDED,
	CASE_STATUS_RESOLVED,
	CASE_STATUS_CLOSED,
	CASE_STATUS_COUNT
};

/* A set of statuses for list filters: CASE_STATUS_BIT(CASE_STATUS_OPEN) | ..;
 * 0 means every status. */
#define CASE_STATUS_BIT(s) (1u << (s))

enum quote_status {
	QUOTE_STATUS_QUOTED,
	QUOTE_STATUS_ACCEPTED,
	QUOTE_STATUS_DECLINED,
	QUOTE_STATUS_EXPIRED,
	QUOTE_STATUS_REPAIRED,
	QUOTE_STATUS_SHIPPED_BACK,
	QUOTE_STATUS_COUNT
};

enum ledger_kind { LEDGER_REFUND, LEDGER_CHARGE };

/* case_status_name returns the wire name ("open"); NULL when out of
 * range. case_status_parse: 0 and *out on a known name, -1 otherwise. */
const char *case_status_name(enum case_status s);
int case_status_parse(const char *s, size_t n, enum case_status *out);
/* The same for repair quote statuses ("shipped_back"). */
const char *quote_status_name(enum quote_status s);
int quote_status_parse(const char *s, size_t n, enum quote_status *out);
/* The same for ledger kinds ("refund", "charge"). */
const char *ledger_kind_name(enum ledger_kind k);

#endif
