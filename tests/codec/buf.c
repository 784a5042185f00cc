/* tests/codec/buf.c: unit tests for src/codec/buf.c (Criterion). An append
 * past the cap fails and the failure sticks, as in sqlite3_str: later
 * appends that would fit fail too and append nothing, until buf_reset. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../src/codec/buf.h"
#include "../../src/core/err.h"

Test(buf, appends_within_the_cap)
{
	struct buf b;

	buf_init(&b, 8);
	cr_assert_eq(buf_adds(&b, "abcd"), 0);
	cr_assert_eq(buf_addf(&b, "%d", 1234), 0);
	cr_assert_eq(b.len, 8);
	cr_assert_str_eq(buf_cstr(&b), "abcd1234");
	cr_assert_eq(buf_error(&b), 0);
	buf_release(&b);
}

Test(buf, the_first_error_sticks)
{
	struct buf b;

	buf_init(&b, 8);
	cr_assert_eq(buf_adds(&b, "abcdef"), 0);
	cr_assert_eq(buf_adds(&b, "ghi"), AC_ELIMIT);       /* 9 > 8 */
	cr_assert_eq(buf_error(&b), AC_ELIMIT);
	/* one byte would fit, but the answer is already truncated */
	cr_assert_eq(buf_addc(&b, 'x'), AC_ELIMIT);
	cr_assert_eq(buf_addf(&b, "%c", 'y'), AC_ELIMIT);
	cr_assert_eq(buf_add(&b, "z", 1), AC_ELIMIT);
	cr_assert_eq(b.len, 6);
	cr_assert_str_eq(buf_cstr(&b), "abcdef");
	cr_assert_eq(buf_error(&b), AC_ELIMIT);
	buf_release(&b);
}

Test(buf, a_long_formatted_append_past_the_cap_sticks)
{
	struct buf b;

	buf_init(&b, 300);
	cr_assert_eq(buf_addf(&b, "%400s", "x"), AC_ELIMIT);
	cr_assert_eq(b.len, 0);
	cr_assert_eq(buf_adds(&b, "a"), AC_ELIMIT);
	buf_release(&b);
}

Test(buf, reset_clears_the_error)
{
	struct buf b;

	buf_init(&b, 4);
	cr_assert_eq(buf_adds(&b, "abcde"), AC_ELIMIT);
	buf_reset(&b);
	cr_assert_eq(buf_error(&b), 0);
	cr_assert_eq(buf_adds(&b, "abcd"), 0);
	cr_assert_str_eq(buf_cstr(&b), "abcd");
	buf_release(&b);
}
