/* policy.c: clause ids (core layer). */
#include "policy.h"

#include <string.h>

static const char *const clause_names[CL_COUNT] = {
	"no-refund.1", "no-refund.2", "no-refund.3", "no-refund.4",
	"no-refund.5", "no-refund.6", "refund.1",    "refund.2",
	"refund.3",    "warranty.1",  "warranty.2",  "warranty.3",
};

const char *clause_id_name(enum clause_id id)
{
	return clause_names[id];
}

int clause_id_parse(const char *s, size_t n, enum clause_id *out)
{
	for (int i = 0; i < CL_COUNT; i++) {
		if (strlen(clause_names[i]) == n &&
		    memcmp(clause_names[i], s, n) == 0) {
			*out = (enum clause_id)i;
			return 0;
		}
	}
	return -1;
}
