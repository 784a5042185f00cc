/* instant.h: instants as int64 microseconds since the Unix epoch, UTC (core).
 * Zones exist only at the edges: instant_parse reads RFC 3339 with a zone,
 * instant_format writes RFC 3339 in UTC ("Z"). */
#ifndef AC_INSTANT_H
#define AC_INSTANT_H

#include <stddef.h>
#include <stdint.h>

#define AC_US_PER_S INT64_C(1000000)

/* instant_parse reads an RFC 3339 date-time with a zone ("Z" or +hh:mm),
 * with optional fractional seconds (up to 6 digits kept, more ignored).
 * Returns 0 and sets *out, or -1 when s is not such a time. */
int instant_parse(const char *s, size_t n, int64_t *out);

/* instant_format writes the instant as RFC 3339 UTC into buf (at least 32
 * bytes): "2026-05-14T16:20:00Z", with a fraction only when there is one.
 * Returns the length written. */
size_t instant_format(int64_t us, char *buf, size_t cap);

/* instant_civil breaks an instant into UTC calendar fields. */
void instant_civil(int64_t us, int *year, int *month, int *day, int *hour,
		   int *minute, int *second);

#endif
