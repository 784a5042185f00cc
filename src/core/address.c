/* address.c: is this the same place? (core layer) */
#include "address.h"

bool address_same_place(const struct address *a, const struct address *b)
{
	return ac_str_eq_nospace_fold(a->line1, b->line1) &&
	       ac_str_eq_nospace_fold(a->line2, b->line2) &&
	       ac_str_eq_nospace_fold(a->city, b->city) &&
	       ac_str_eq_nospace_fold(a->region, b->region) &&
	       ac_str_eq_nospace_fold(a->postal_code, b->postal_code) &&
	       ac_str_eq_nospace_fold(a->country, b->country);
}
