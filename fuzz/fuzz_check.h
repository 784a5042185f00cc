/* fuzz_check.h: what the libFuzzer harnesses share (fuzz): CHECK, which
 * names a broken invariant on stderr and calls abort() so that libFuzzer
 * keeps the input. */
#ifndef AC_FUZZ_CHECK_H
#define AC_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			fprintf(stderr, "invariant broken: %s (%s:%d)\n", \
				#cond, __FILE__, __LINE__);               \
			abort();                                          \
		}                                                         \
	} while (0)

#endif
