/* workflow.c: the wire names of the workflow states (core). */
#include "workflow.h"

#include <string.h>

static const char *const case_status_names[CASE_STATUS_COUNT] = {
	"open", "waiting", "decided", "resolved", "closed",
};
static const char *const quote_status_names[QUOTE_STATUS_COUNT] = {
	"quoted", "accepted", "declined", "expired", "repaired",
	"shipped_back",
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int lookup(const char *const *names, int count, const char *s,
		  size_t n)
{
	for (int i = 0; i < count; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return i;
	return -1;
}

const char *case_status_name(enum case_status s)
{
	if ((int)s < 0 || s >= CASE_STATUS_COUNT)
		return NULL;
	return case_status_names[s];
}

int case_status_parse(const char *s, size_t n, enum case_status *out)
{
	int i = lookup(case_status_names, COUNT(case_status_names), s, n);

	if (i < 0)
		return -1;
	*out = (enum case_status)i;
	return 0;
}

const char *quote_status_name(enum quote_status s)
{
	if ((int)s < 0 || s >= QUOTE_STATUS_COUNT)
		return NULL;
	return quote_status_names[s];
}

int quote_status_parse(const char *s, size_t n, enum quote_status *out)
{
	int i = lookup(quote_status_names, COUNT(quote_status_names), s, n);

	if (i < 0)
		return -1;
	*out = (enum quote_status)i;
	return 0;
}

const char *ledger_kind_name(enum ledger_kind k)
{
	switch (k) {
	case LEDGER_REFUND:
		return "refund";
	case LEDGER_CHARGE:
		return "charge";
	}
	return NULL;
}
