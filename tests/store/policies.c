/* tests/store/policies.c: the policy versions table (0006) through the
 * store (Criterion), on SQLite or, with AC_TEST_PG_DSN, PostgreSQL: a
 * text is kept byte for byte under its hash and a second put of the hash
 * changes nothing; at most one version is active and activating moves
 * it atomically; an unknown hash cannot be activated; the database
 * itself refuses a second active row and a malformed hash. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/store/store.h"
#include "pgtest.h"

#define T0 INT64_C(1777881600000000)

static char path[512];
static struct store *s;
static struct ac_err err;

static void setup(void)
{
	pgtest_db_new("policies", path, sizeof path);
	cr_assert_eq(store_open(path, &s, &err), 0, "open: %s", err.msg);
}

static void teardown(void)
{
	store_close(s);
	pgtest_db_drop(path);
}

TestSuite(policies, .init = setup, .fini = teardown);

#define OK(x) cr_assert_eq((x), 0, "%s: %s: %s", #x, err.field, err.msg)
#define S store_str

/* a hash of 64 hex digits made of one digit */
static const char *hash_of(char digit)
{
	static char h[8][80];
	static int k;
	char *out = h[k++ % 8];

	memcpy(out, "sha256:", 7);
	memset(out + 7, digit, 64);
	out[71] = '\0';
	return out;
}

static const char *active(void)
{
	static char h[STORE_POLICY_HASH_MAX];
	int rc = store_active_policy(s, h, &err);

	return rc == AC_ENOTFOUND ? "" : rc ? "(error)" : h;
}

Test(policies, a_text_is_kept_once_under_its_hash)
{
	struct store_policy p = { 0 };
	const char *a = hash_of('a');

	OK(store_put_policy(s, S(a), S("contact_window = 48h\n"), T0, &err));
	/* the hash again with another text: nothing changes */
	OK(store_put_policy(s, S(a), S("other"), T0 + 1, &err));
	OK(store_get_policy(s, S(a), &p, &err));
	cr_assert_str_eq(p.body.p, "contact_window = 48h\n");
	cr_assert_eq(p.created_at, T0);
	cr_assert_not(p.active);
	cr_assert_not(p.activated);
	store_policy_release(&p);
	cr_assert_str_eq(active(), "", "none is active yet");
	cr_assert_eq(store_get_policy(s, S(hash_of('b')), &p, &err),
		     AC_ENOTFOUND);
	cr_assert_str_eq(err.field, "policy.hash");
}

Test(policies, one_is_active_and_activating_moves_it)
{
	struct store_policy_page pg = { 0 };
	const char *a = hash_of('a'), *b = hash_of('b');

	OK(store_put_policy(s, S(a), S("a"), T0, &err));
	OK(store_put_policy(s, S(b), S("b"), T0 + 1, &err));
	OK(store_activate_policy(s, S(a), T0 + 2, S("system"), &err));
	cr_assert_str_eq(active(), a);
	OK(store_activate_policy(s, S(b), T0 + 3, S("user:boss"), &err));
	cr_assert_str_eq(active(), b);
	OK(store_list_policies(s, 10, &pg, &err));
	cr_assert_eq(pg.n, 2);
	/* the latest created first, without their text */
	cr_assert_str_eq(pg.rows[0].hash.p, b);
	cr_assert(pg.rows[0].active);
	cr_assert_str_eq(pg.rows[0].activated_by.p, "user:boss");
	cr_assert_eq(pg.rows[0].activated_at, T0 + 3);
	cr_assert_eq(pg.rows[0].body.n, 0);
	cr_assert_str_eq(pg.rows[1].hash.p, a);
	cr_assert_not(pg.rows[1].active);
	cr_assert(pg.rows[1].activated, "it was active once");
	cr_assert_eq(pg.rows[1].activated_at, T0 + 2);
	store_policy_page_release(&pg);
}

Test(policies, an_unknown_hash_is_not_activated_and_nothing_moves)
{
	const char *a = hash_of('a');

	OK(store_put_policy(s, S(a), S("a"), T0, &err));
	OK(store_activate_policy(s, S(a), T0, S("system"), &err));
	cr_assert_eq(store_activate_policy(s, S(hash_of('c')), T0 + 1,
					   S("x"), &err), AC_ENOTFOUND);
	cr_assert_str_eq(active(), a, "the active one stayed active");
	/* inside a transaction the failed call is undone alone */
	OK(store_begin(s, &err));
	cr_assert_eq(store_activate_policy(s, S(hash_of('c')), T0 + 1,
					   S("x"), &err), AC_ENOTFOUND);
	cr_assert_str_eq(active(), a);
	OK(store_commit(s, &err));
	cr_assert_str_eq(active(), a);
}

Test(policies, malformed_hashes_and_empty_texts_are_refused)
{
	cr_assert_eq(store_put_policy(s, S("sha256:xyz"), S("a"), T0, &err),
		     AC_EINVAL);
	cr_assert_str_eq(err.field, "policy.hash");
	cr_assert_eq(store_put_policy(s, S(hash_of('A')), S("a"), T0, &err),
		     AC_EINVAL, "upper-case hex");
	cr_assert_eq(store_put_policy(s, S(hash_of('a')), S(""), T0, &err),
		     AC_EINVAL);
	cr_assert_str_eq(err.field, "policy.body");
	cr_assert_eq(store_activate_policy(s, S(hash_of('a')), T0, S(""),
					   &err), AC_EINVAL);
}

Test(policies, a_fault_at_any_step_of_activating_leaves_the_active_one)
{
	const char *a = hash_of('a'), *b = hash_of('b');
	int n, rc = -1;

	OK(store_put_policy(s, S(a), S("a"), T0, &err));
	OK(store_put_policy(s, S(b), S("b"), T0, &err));
	OK(store_activate_policy(s, S(a), T0, S("system"), &err));
	/* fail the n-th statement step of the call, n = 0, 1, ..: until
	 * the call succeeds, each failure leaves a active, never none */
	for (n = 0; n < 20 && rc != 0; n++) {
		store_test_fail_after(s, n);
		rc = store_activate_policy(s, S(b), T0 + 1, S("x"), &err);
		store_test_fail_after(s, -1);
		if (rc) {
			cr_assert_eq(rc, AC_EIO, "step %d: %s", n, err.msg);
			cr_assert_str_eq(active(), a, "after a fault at %d", n);
		}
	}
	cr_assert_eq(rc, 0);
	cr_assert_geq(n, 3, "the call has at least two steps to fail");
	cr_assert_str_eq(active(), b);
}
