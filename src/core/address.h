/* address.h: postal addresses and their comparison (core).
 * Fields are borrowed slices. Two addresses are the same place when
 * line1, line2, city, region, postal_code and country are equal ignoring
 * case and spacing; the recipient's name is not part of the place. */
#ifndef AC_ADDRESS_H
#define AC_ADDRESS_H

#include <stdbool.h>

#include "str.h"

struct address {
	struct ac_str name, line1, line2, city, region, postal_code, country;
};

/* address_same_place: see the header comment. */
bool address_same_place(const struct address *a, const struct address *b);

#endif
