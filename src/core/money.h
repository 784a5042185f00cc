/* money.h: integer money in minor units with an ISO 4217 currency (core).
 * Amounts are int64 counts of the currency's minor unit, from 0 to
 * AC_MONEY_MAX (2^53 - 1, the largest integer JSON peers read exactly).
 * Nothing here allocates; strings are borrowed. */
#ifndef AC_MONEY_H
#define AC_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AC_MONEY_MAX INT64_C(9007199254740991)

struct currency {
	char code[4];   /* "USD" */
	int exponent;   /* digits after the decimal point: 0, 2 or 3 */
};

/* money_currency_find looks up an ISO 4217 code (exactly three upper-case
 * letters); returns NULL when the code is not in the table. */
const struct currency *money_currency_find(const char *code, size_t n);

/* money_add adds two non-negative amounts; returns false on overflow
 * past INT64_MAX (the sum is then left untouched). */
bool money_add(int64_t *sum, int64_t amount);

/* money_share returns floor(amount * bp / 10000) for 0 <= bp <= 10000,
 * exactly, without overflow. */
int64_t money_share(int64_t amount, int64_t bp);

/* money_format writes "USD 520.00" (the code, a space, the amount in major
 * units with the currency's exponent) into buf; returns the length that
 * snprintf would. */
int money_format(char *buf, size_t cap, const struct currency *c,
		 int64_t minor);

#endif
