/* accounts.c: staff accounts, sessions, customer look-ups, messages and
 * the manager's refund threshold (tests/desk). Five wrong passwords in a
 * row lock an account for 15 minutes and a success resets the count;
 * sessions end when signed out and expire after 12 h (staff) or 24 h
 * (customer); five failed look-ups per client or per order number within
 * 15 minutes refuse the next, with the wait; a closed case takes no
 * message. The fake clock is put one microsecond before and at each
 * boundary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

TestSuite(accounts, .init = t_setup, .fini = t_teardown);
TestSuite(sessions, .init = t_setup, .fini = t_teardown);
TestSuite(lookup, .init = t_setup, .fini = t_teardown);
TestSuite(messages, .init = t_setup, .fini = t_teardown);
TestSuite(manager_refund, .init = t_setup, .fini = t_teardown);

#define PW "correct horse 1"
#define EMAIL "ana@example.com"

static void must(int rc, const char *what)
{
	cr_assert_eq(rc, 0, "%s: %s: %s: %s", what, t_code_name(rc),
		     t_err.field, t_err.msg);
}

static void user(const char *name, const char *role)
{
	must(t_user_add(name, role, PW), "user add");
}

static void signin(const char *name, bool ok, const char *want,
		   struct t_session *s)
{
	must(t_signin(name, ok, s), "signin");
	cr_assert_str_eq(s->result, want, "signin %s (password %s)", name,
			 ok ? "right" : "wrong");
}

static void lookup(const char *order, const char *email, const char *client,
		   const char *want, struct t_session *s)
{
	must(t_lookup(order, email, client, 0, s), "lookup");
	cr_assert_str_eq(s->result, want, "lookup %s %s from %s", order,
			 email, client);
}

/* ---- accounts --------------------------------------------------------- */

Test(accounts, stores_an_argon2id_hash_never_the_password)
{
	char hash[256];
	struct t_check c;

	user("ana", "manager");
	t_user_hash("ana", hash, sizeof hash);
	cr_assert(!strncmp(hash, "$argon2id$", 10), "hash: %s", hash);
	cr_assert_null(strstr(hash, PW));
	must(t_check_password("ana", PW, &c), "check");
	cr_assert(c.known && c.ok && !c.locked);
	must(t_check_password("ana", PW "x", &c), "check");
	cr_assert(c.known && !c.ok);
	must(t_check_password("bob", PW, &c), "check");
	cr_assert(!c.known && !c.ok);
	must(t_check_password("Ana", PW, &c), "check");
	cr_assert(c.known && c.ok);
	cr_assert_eq(t_audit_count("ana", "user.add"), 1);
}

Test(accounts, refuses_bad_names_roles_passwords_and_taken_names)
{
	static const char *const bad_names[] = {
		"", "Ana", "ana li", "ana/", "é",
		"a123456789012345678901234567890123456789012345678901234567890"
		"1234",
	};

	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		cr_expect_eq(t_user_add(bad_names[i], "agent", PW), AC_EINVAL,
			     "name '%s'", bad_names[i]);
		cr_expect_str_eq(t_err.field, "name");
	}
	/* 64 bytes is the longest name */
	must(t_user_add("a12345678901234567890123456789012345678901234567890"
			"1234567890123", "agent", PW), "64-byte name");
	cr_expect_eq(t_user_add("bob", "owner", PW), AC_EINVAL);
	cr_expect_str_eq(t_err.field, "role");
	cr_expect_eq(t_user_add("bob", "agent", "123456789"), AC_EINVAL);
	cr_expect_str_eq(t_err.field, "password");
	must(t_user_add("bob", "agent", "1234567890"), "10-byte password");
	cr_expect_eq(t_user_add("bob", "manager", PW), AC_ECONFLICT);
	cr_expect_str_eq(t_err.field, "name");
	cr_expect(!t_in_transaction());
}

Test(accounts, five_wrong_passwords_lock_for_15_minutes)
{
	struct t_session s;
	struct t_check c;
	bool locked = false;

	user("ana", "agent");
	for (int i = 1; i < 5; i++) {
		signin("ana", false, "wrong", &s);
		cr_assert_eq(t_user_failures("ana", NULL), i);
	}
	t_now += T_SEC;
	signin("ana", false, "locked", &s);
	cr_assert_eq(s.locked_until, t_now + 15 * 60 * T_SEC);
	cr_assert_eq(t_user_failures("ana", &locked), 0);
	cr_assert(locked);
	int64_t until = s.locked_until;

	/* the right password does not open it; it is not looked at */
	signin("ana", true, "locked", &s);
	cr_assert_eq(s.locked_until, until);
	cr_assert_str_eq(s.token, "");
	must(t_check_password("ana", PW, &c), "check");
	cr_assert(c.known && c.locked && !c.ok);
	cr_assert_eq(c.locked_until, until);
	t_now = until - T_US;
	signin("ana", true, "locked", &s);
	t_now = until;
	must(t_check_password("ana", PW, &c), "check");
	cr_assert(c.ok && !c.locked);
	signin("ana", true, "ok", &s);
	cr_assert_eq(strlen(s.token), 64);
	cr_assert_eq(t_audit_count("ana", "signin_failed"), 7);
	cr_assert_eq(t_audit_count("ana", "signin"), 1);
}

Test(accounts, a_success_resets_the_count)
{
	struct t_session s;

	user("ana", "agent");
	for (int i = 0; i < 4; i++)
		signin("ana", false, "wrong", &s);
	signin("ana", true, "ok", &s);
	cr_assert_eq(t_user_failures("ana", NULL), 0);
	for (int i = 0; i < 4; i++)
		signin("ana", false, "wrong", &s);
	signin("ana", false, "locked", &s);
}

Test(accounts, after_a_lock_five_more_are_needed)
{
	struct t_session s;

	user("ana", "agent");
	for (int i = 0; i < 4; i++)
		signin("ana", false, "wrong", &s);
	signin("ana", false, "locked", &s);
	t_now = s.locked_until;
	for (int i = 0; i < 4; i++)
		signin("ana", false, "wrong", &s);
	signin("ana", false, "locked", &s);
}

Test(accounts, an_unknown_name_is_wrong_and_never_locked)
{
	struct t_session s;

	for (int i = 0; i < 8; i++)
		signin("nobody", true, "wrong", &s);
	signin("Not A Name", true, "wrong", &s);
	cr_assert_str_eq(s.token, "");
}

Test(accounts, the_list_shows_roles)
{
	struct t_session s;

	user("bo", "manager");
	user("al", "agent");
	signin("bo", true, "ok", &s);
	cr_assert(s.manager);
	cr_assert_str_eq(s.name, "bo");
	signin("al", true, "ok", &s);
	cr_assert(!s.manager);
	/* names are lower case: what is typed is folded */
	signin("AL", true, "ok", &s);
	cr_assert_str_eq(s.name, "al");
	cr_assert_eq(t_user_failures("al", NULL), 0);
	cr_assert_eq(t_user_failures("zed", NULL), -1);
}

/* ---- sessions --------------------------------------------------------- */

Test(sessions, a_staff_session_lasts_12_hours)
{
	struct t_session s, r;

	user("ana", "manager");
	signin("ana", true, "ok", &s);
	cr_assert_eq(s.expires_at, t_now + 12 * T_HOUR);
	cr_assert_eq(strlen(s.csrf), 64);
	cr_assert_str_neq(s.csrf, s.token);
	t_now = s.expires_at - T_US;
	must(t_staff_session(s.token, &r), "session");
	cr_assert_str_eq(r.name, "ana");
	cr_assert(r.manager);
	cr_assert_str_eq(r.csrf, s.csrf);
	t_now = s.expires_at;
	cr_assert_eq(t_staff_session(s.token, &r), AC_ENOTFOUND);
}

Test(sessions, ended_sessions_are_refused)
{
	struct t_session s, s2, r;

	user("ana", "agent");
	signin("ana", true, "ok", &s);
	signin("ana", true, "ok", &s2);
	cr_assert_str_neq(s.token, s2.token);
	must(t_session_end(s.token), "end");
	cr_assert_eq(t_staff_session(s.token, &r), AC_ENOTFOUND);
	cr_assert_eq(t_session_end(s.token), AC_ENOTFOUND);
	/* the other session of the same account goes on */
	must(t_staff_session(s2.token, &r), "other session");
	cr_assert_eq(t_audit_count("ana", "signout"), 1);
}

Test(sessions, unknown_tokens_and_the_other_kind_are_refused)
{
	struct t_session s, c, r;
	char other[65];

	user("ana", "agent");
	t_order_new("D-1");
	signin("ana", true, "ok", &s);
	lookup("D-1", EMAIL, "192.0.2.1", "ok", &c);
	cr_assert_eq(t_customer_session(s.token, &r), AC_ENOTFOUND);
	cr_assert_eq(t_staff_session(c.token, &r), AC_ENOTFOUND);
	memcpy(other, s.token, sizeof other);
	other[0] = other[0] == 'a' ? 'b' : 'a';
	cr_assert_eq(t_staff_session(other, &r), AC_ENOTFOUND);
	cr_assert_eq(t_staff_session("", &r), AC_ENOTFOUND);
	cr_assert_eq(t_staff_session(NULL, &r), AC_ENOTFOUND);
	/* the token stands for itself: its upper-case form is another */
	for (int i = 0; i < 64; i++)
		if (other[i] >= 'a' && other[i] <= 'f')
			other[i] = (char)(other[i] - 'a' + 'A');
	cr_assert_eq(t_staff_session(other, &r), AC_ENOTFOUND);
}

Test(sessions, a_customer_session_names_its_order_and_lasts_24_hours)
{
	struct t_session c, r;

	t_order_new("D-1");
	t_order_new("D-2");
	must(t_lookup("D-2", EMAIL, "192.0.2.1", 120, &c), "lookup");
	cr_assert_str_eq(c.result, "ok");
	cr_assert_str_eq(c.order_id, "D-2");
	cr_assert_eq(c.expires_at, t_now + 24 * T_HOUR);
	t_now = c.expires_at - T_US;
	must(t_customer_session(c.token, &r), "session");
	cr_assert_str_eq(r.order_id, "D-2");
	cr_assert_eq(r.tz_offset_min, 120);
	cr_assert_str_eq(r.csrf, c.csrf);
	t_now = c.expires_at;
	cr_assert_eq(t_customer_session(c.token, &r), AC_ENOTFOUND);
}

Test(sessions, a_customer_signs_out)
{
	struct t_session c, r;

	t_order_new("D-1");
	lookup("D-1", EMAIL, "192.0.2.1", "ok", &c);
	must(t_session_end(c.token), "end");
	cr_assert_eq(t_customer_session(c.token, &r), AC_ENOTFOUND);
	cr_assert_eq(t_audit_count("D-1", "signout"), 1);
}

/* ---- customer look-ups ------------------------------------------------ */

Test(lookup, the_email_is_compared_ignoring_case_and_spaces)
{
	struct t_session c;

	t_order_new("D-1");
	lookup(" D-1 ", "  ANA@Example.COM\t", "192.0.2.1", "ok", &c);
	cr_assert_str_eq(c.order_id, "D-1");
	lookup("D-1", "ana@example.co", "192.0.2.1", "not_found", &c);
	lookup("D-1", " ", "192.0.2.1", "not_found", &c);
	lookup("D-1", "bob@example.com", "192.0.2.1", "not_found", &c);
	lookup("D-9", EMAIL, "192.0.2.1", "not_found", &c);
	lookup("d-1", EMAIL, "192.0.2.1", "not_found", &c);
	cr_assert_str_eq(c.token, "");
	cr_assert_eq(t_audit_count("D-1", "lookup"), 1);
	cr_assert_eq(t_audit_count("D-1", "lookup_failed"), 3);
}

Test(lookup, five_failures_per_client_limit_it_for_15_minutes)
{
	struct t_session c;
	char order[16];

	t_order_new("D-1");
	for (int i = 0; i < 5; i++) {
		snprintf(order, sizeof order, "X-%d", i);
		lookup(order, EMAIL, "192.0.2.1", "not_found", &c);
		t_now += 60 * T_SEC;
	}
	/* even the right order and e-mail: the client waits */
	lookup("D-1", EMAIL, "192.0.2.1", "limited", &c);
	cr_assert_eq(c.retry_after_s, 15 * 60 - 5 * 60);
	cr_assert_str_eq(c.token, "");
	/* another client is not held up */
	lookup("D-1", EMAIL, "192.0.2.2", "ok", &c);
	/* the window opened at the first failure; one microsecond before
	 * its end the wait rounds up to a second */
	t_now = T0 + 15 * 60 * T_SEC - T_US;
	lookup("D-1", EMAIL, "192.0.2.1", "limited", &c);
	cr_assert_eq(c.retry_after_s, 1);
	t_now = T0 + 15 * 60 * T_SEC;
	lookup("D-1", EMAIL, "192.0.2.1", "ok", &c);
}

Test(lookup, four_failures_do_not_limit)
{
	struct t_session c;

	t_order_new("D-1");
	for (int i = 0; i < 4; i++)
		lookup("D-1", "x@example.com", "192.0.2.1", "not_found", &c);
	lookup("D-1", EMAIL, "192.0.2.1", "ok", &c);
}

Test(lookup, five_failures_per_order_limit_it_from_every_client)
{
	struct t_session c;
	char client[32];

	t_order_new("D-1");
	t_order_new("D-2");
	for (int i = 0; i < 5; i++) {
		snprintf(client, sizeof client, "198.51.100.%d", i);
		lookup("D-1", "guess@example.com", client, "not_found", &c);
	}
	t_now += 10 * 60 * T_SEC;
	lookup("D-1", EMAIL, "203.0.113.7", "limited", &c);
	cr_assert_eq(c.retry_after_s, 5 * 60);
	/* another order from that client goes through */
	lookup("D-2", EMAIL, "203.0.113.7", "ok", &c);
	t_now += 5 * 60 * T_SEC;
	lookup("D-1", EMAIL, "203.0.113.7", "ok", &c);
}

Test(lookup, a_new_window_opens_after_the_old_one_ends)
{
	struct t_session c;

	t_order_new("D-1");
	for (int i = 0; i < 4; i++)
		lookup("D-1", "x@example.com", "192.0.2.1", "not_found", &c);
	/* the old window's four failures count no more */
	t_now += 15 * 60 * T_SEC;
	for (int i = 0; i < 4; i++)
		lookup("D-1", "x@example.com", "192.0.2.1", "not_found", &c);
	lookup("D-1", EMAIL, "192.0.2.1", "ok", &c);
	lookup("D-1", "x@example.com", "192.0.2.1", "not_found", &c);
	lookup("D-1", EMAIL, "192.0.2.1", "limited", &c);
	cr_assert_eq(c.retry_after_s, 15 * 60);
}

Test(lookup, a_bad_offset_is_refused)
{
	struct t_session c;

	t_order_new("D-1");
	cr_assert_eq(t_lookup("D-1", EMAIL, "192.0.2.1", 1440, &c), AC_EINVAL);
	cr_assert_str_eq(t_err.field, "tz");
	must(t_lookup("D-1", EMAIL, "192.0.2.1", -1439, &c), "tz -1439");
	cr_assert_eq(c.tz_offset_min, -1439);
}

/* ---- messages --------------------------------------------------------- */

Test(messages, both_ways_oldest_first)
{
	struct t_case k;
	char body[64], author[64];
	bool staff = false;
	int n = -1;

	t_order_new("D-1");
	t_must_open("D-1", CLAIM_CANCEL, &k);
	must(t_messages(k.id, &n, NULL, 0, NULL, 0, NULL), "list");
	cr_assert_eq(n, 0);
	must(t_message("customer:D-1", k.id, false, "Where is it?", 12), "1");
	t_now += T_SEC;
	must(t_message("user:ana", k.id, true, "<b>On its way</b>", 17), "2");
	must(t_messages(k.id, &n, body, sizeof body, author, sizeof author,
			&staff), "list");
	cr_assert_eq(n, 2);
	cr_assert_str_eq(body, "<b>On its way</b>");
	cr_assert_str_eq(author, "user:ana");
	cr_assert(staff);
	cr_assert_eq(t_audit_count(k.id, "message.add"), 2);
}

Test(messages, one_to_8192_bytes)
{
	static char big[8193];
	struct t_case k;
	int n;

	memset(big, 'a', sizeof big);
	t_order_new("D-1");
	t_must_open("D-1", CLAIM_CANCEL, &k);
	cr_assert_eq(t_message("customer:D-1", k.id, false, "", 0), AC_EINVAL);
	cr_assert_str_eq(t_err.field, "message");
	cr_assert_eq(t_message("customer:D-1", k.id, false, big, 8193),
		     AC_EINVAL);
	cr_assert_str_eq(t_err.field, "message");
	cr_assert_eq(t_message("customer:D-1", k.id, false, "a\0b", 3),
		     AC_EINVAL);
	must(t_message("customer:D-1", k.id, false, big, 8192), "8192");
	must(t_messages(k.id, &n, NULL, 0, NULL, 0, NULL), "list");
	cr_assert_eq(n, 1);
}

Test(messages, a_closed_case_takes_none)
{
	struct t_case k;
	int n;

	t_order_new("D-1");
	t_must_open("D-1", CLAIM_CANCEL, &k);
	must(t_transition(k.id, CASE_STATUS_CLOSED, "duplicate"), "close");
	cr_assert_eq(t_message("customer:D-1", k.id, false, "hello", 5),
		     AC_ESTATE);
	cr_assert_eq(t_message("user:ana", k.id, true, "hello", 5),
		     AC_ESTATE);
	cr_assert(!t_in_transaction());
	must(t_messages(k.id, &n, NULL, 0, NULL, 0, NULL), "list");
	cr_assert_eq(n, 0);
	cr_assert_eq(t_audit_count(k.id, "message.add"), 0);
}

Test(messages, no_such_case)
{
	int n;

	cr_assert_eq(t_message("user:ana", "C-404", true, "hello", 5),
		     AC_ENOTFOUND);
	cr_assert_eq(t_messages("C-404", &n, NULL, 0, NULL, 0, NULL),
		     AC_ENOTFOUND);
}

/* ---- injected store faults: all or nothing ---------------------------- */

#define MAX_STEPS 200

/* fault_loop runs the call with n = 0, 1, .. store steps allowed until it
 * succeeds; after each failure, check() says nothing was kept. */
#define FAULT_LOOP(call, check)						\
	do {								\
		int n_, rc_, failed_ = 0;				\
		for (n_ = 0; n_ < MAX_STEPS; n_++) {			\
			t_fail_after(n_);				\
			rc_ = (call);					\
			t_fail_after(-1);				\
			cr_assert(!t_in_transaction(), "n=%d: left open", \
				  n_);					\
			if (rc_ == 0)					\
				break;					\
			failed_++;					\
			cr_expect_eq(rc_, AC_EIO, "n=%d: %s", n_,	\
				     t_code_name(rc_));			\
			check;						\
		}							\
		cr_assert_lt(n_, MAX_STEPS, "never succeeded");		\
		cr_expect_gt(failed_, 2, "too few faults injected");	\
	} while (0)

Test(accounts, a_failed_write_of_a_wrong_password_keeps_nothing)
{
	struct t_session s;

	user("ana", "agent");
	signin("ana", false, "wrong", &s);
	FAULT_LOOP(t_signin("ana", false, &s),
		   cr_assert(t_user_failures("ana", NULL) == 1 &&
			     t_audit_count("ana", "signin_failed") == 1));
	cr_assert_str_eq(s.result, "wrong");
	cr_assert_eq(t_user_failures("ana", NULL), 2);
	cr_assert_eq(t_audit_count("ana", "signin_failed"), 2);
}

Test(accounts, a_failed_sign_in_write_gives_no_session)
{
	struct t_session s, r;

	user("ana", "agent");
	signin("ana", false, "wrong", &s);
	FAULT_LOOP(t_signin("ana", true, &s),
		   cr_assert(t_user_failures("ana", NULL) == 1 &&
			     t_audit_count("ana", "signin") == 0 &&
			     s.token[0] == '\0' &&
			     !strcmp(s.result, "wrong")));
	cr_assert_str_eq(s.result, "ok");
	must(t_staff_session(s.token, &r), "session");
	cr_assert_eq(t_user_failures("ana", NULL), 0);
}

Test(lookup, a_failed_write_of_a_failure_keeps_nothing)
{
	struct t_session c;

	t_order_new("D-1");
	FAULT_LOOP(t_lookup("D-1", "x@example.com", "192.0.2.1", 0, &c),
		   cr_assert(t_lookup_failures("ip:192.0.2.1") == 0 &&
			     t_lookup_failures("order:D-1") == 0 &&
			     t_audit_count("D-1", "lookup_failed") == 0));
	cr_assert_str_eq(c.result, "not_found");
	cr_assert_eq(t_lookup_failures("ip:192.0.2.1"), 1);
	cr_assert_eq(t_lookup_failures("order:D-1"), 1);
}

Test(messages, a_failed_write_keeps_nothing)
{
	struct t_case k;
	int n;

	t_order_new("D-1");
	t_must_open("D-1", CLAIM_CANCEL, &k);
	FAULT_LOOP(t_message("customer:D-1", k.id, false, "hi", 2),
		   cr_assert(t_messages(k.id, &n, NULL, 0, NULL, 0, NULL) ==
			     0 && n == 0 &&
			     t_audit_count(k.id, "message.add") == 0));
	must(t_messages(k.id, &n, NULL, 0, NULL, 0, NULL), "list");
	cr_assert_eq(n, 1);
}

/* ---- the manager's threshold ------------------------------------------ */

Test(manager_refund, above_the_policy_amount_only)
{
	/* policy/shop.policy: USD 250.00, GBP 200.00, JPY 40000 */
	cr_assert(!t_needs_manager("USD", 25000));
	cr_assert(t_needs_manager("USD", 25001));
	cr_assert(!t_needs_manager("USD", 1));
	cr_assert(!t_needs_manager("GBP", 20000));
	cr_assert(t_needs_manager("GBP", 20001));
	cr_assert(!t_needs_manager("JPY", 40000));
	cr_assert(t_needs_manager("JPY", 40001));
	cr_assert(!t_needs_manager("CAD", 35000));
	cr_assert(t_needs_manager("CAD", 35001));
}

Test(manager_refund, an_unlisted_currency_needs_a_manager_above_0)
{
	cr_assert(t_needs_manager("CHF", 1));
	cr_assert(t_needs_manager("KWD", 1));
	cr_assert(!t_needs_manager("CHF", 0));
}
