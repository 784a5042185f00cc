/* case.c: wire names of the case model's enumerations (core layer). */
#include "case.h"

#include <stdio.h>
#include <string.h>

static int lookup(const char *const *names, int count, const char *s,
		  size_t n)
{
	for (int i = 0; i < count; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return i;
	return -1;
}

static const char *const claim_names[] = {
	"cancel", "not_received", "damaged", "wrong_item",
	"unwanted", "wrong_address", "customs", "repair",
};
static const char *const defect_names[DEFECT_COUNT] = {
	"scratch", "packaging", "size", "stone_loose",
	"broken", "clasp", "tarnish", "other",
};
static const char *const courier_names[] = {
	"none", "investigating", "lost_confirmed", "delivered_proven",
};
static const char *const customs_names[] = {
	"none", "held", "cleared", "refused_by_customer",
};

bool claim_concerns(const struct claim *cl, int line)
{
	if (cl->n_lines == 0)
		return true;
	for (int i = 0; i < cl->n_lines; i++)
		if (cl->lines[i] == line)
			return true;
	return false;
}

int64_t order_total_minor(const struct order *o)
{
	int64_t sum = o->shipping_minor;

	for (int i = 0; i < o->n_items; i++)
		sum += o->items[i].price_minor;
	return sum;
}

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *claim_type_name(enum claim_type t)
{
	return claim_names[t];
}

int claim_type_parse(const char *s, size_t n, enum claim_type *out)
{
	int i = lookup(claim_names, COUNT(claim_names), s, n);

	if (i >= 0)
		*out = (enum claim_type)i;
	return i < 0 ? -1 : 0;
}

const char *defect_name(enum defect d)
{
	return defect_names[d];
}

int defect_parse(const char *s, size_t n, enum defect *out)
{
	int i = lookup(defect_names, COUNT(defect_names), s, n);

	if (i >= 0)
		*out = (enum defect)i;
	return i < 0 ? -1 : 0;
}

const char *courier_finding_name(enum courier_finding f)
{
	return courier_names[f];
}

int courier_finding_parse(const char *s, size_t n, enum courier_finding *out)
{
	int i = lookup(courier_names, COUNT(courier_names), s, n);

	if (i >= 0)
		*out = (enum courier_finding)i;
	return i < 0 ? -1 : 0;
}

const char *customs_name(enum customs_state c)
{
	return customs_names[c];
}

int customs_parse(const char *s, size_t n, enum customs_state *out)
{
	int i = lookup(customs_names, COUNT(customs_names), s, n);

	if (i >= 0)
		*out = (enum customs_state)i;
	return i < 0 ? -1 : 0;
}

static bool order_has_line(const struct order *o, int line)
{
	for (int i = 0; i < o->n_items; i++)
		if (o->items[i].line == line)
			return true;
	return false;
}

int claim_check_order(const struct claim *cl, const struct order *o,
		      struct ac_err *err)
{
	char f[48];

	for (int i = 0; i < cl->n_lines; i++) {
		if (order_has_line(o, cl->lines[i]))
			continue;
		snprintf(f, sizeof f, "claim.lines[%d]", i);
		return ac_err_set(err, AC_EINVAL, f, "no line %d on the order",
				  cl->lines[i]);
	}
	for (int i = 0; i < cl->n_received; i++) {
		if (order_has_line(o, cl->received[i].line))
			continue;
		snprintf(f, sizeof f, "claim.received[%d].line", i);
		return ac_err_set(err, AC_EINVAL, f,
				  "no such line on the order");
	}
	return 0;
}
