/* policies.c: the policy's versions in the database (tests/desk, issue 9).
 * Activation keeps the text, makes it active and audits it; a text that
 * fails the check is refused with its messages and changes nothing; a
 * case decided before keeps its decision and the version it names, while
 * a new case and a re-decision use the active one; a desk on another
 * connection to the same database decides by what one desk activated. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/codec/codec.h"
#include "../../src/desk/desk.h"
#include "../../src/store/store.h"
#include "support.h"

TestSuite(policies, .init = t_setup, .fini = t_teardown);

/* The built-in policy with its contact window (48h) made `window`. */
static char *with_window(const char *window, size_t *n)
{
	struct policy_file *pf = policy_file_default();
	size_t len;
	const char *b = policy_file_bytes(pf, &len);
	const char *at = strstr(b, "contact_window = 48h");
	char *out;

	cr_assert_not_null(at, "the built-in policy has a 48h window");
	out = malloc(len + 32);
	*n = (size_t)snprintf(out, len + 32, "%.*scontact_window = %s%s",
			      (int)(at - b), b, window,
			      at + strlen("contact_window = 48h"));
	policy_file_free(pf);
	return out;
}

static const char *builtin_hash(void)
{
	static char h[80];
	struct policy_file *pf = policy_file_default();

	snprintf(h, sizeof h, "%s", policy_file_policy(pf)->version);
	policy_file_free(pf);
	return h;
}

/* the hash of the current decision of the case */
static void decision_policy(const char *case_id, char out[80])
{
	struct desk_case c;

	cr_assert_eq(desk_get_case(t_desk(), case_id, &c, &t_err), 0, "%s",
		     t_err.msg);
	snprintf(out, 80, "%s", c.decision.policy);
}

static void activate(const char *text, size_t n, const char *actor,
		     struct desk_policy_activation *act)
{
	struct desk_policy_problems pr;

	cr_assert_eq(desk_policy_activate(t_desk(), actor, text, n, NULL, act,
					  &pr, &t_err), 0, "activate: %s: %s",
		     t_err.field, t_err.msg);
}

static int versions(const char **active)
{
	struct desk_policy_versions vs;
	static char h[80];

	cr_assert_eq(desk_policy_list(t_desk(), &vs, &t_err), 0);
	*active = "";
	for (int i = 0; i < vs.n; i++)
		if (vs.versions[i].active) {
			snprintf(h, sizeof h, "%.*s",
				 (int)vs.versions[i].hash.n,
				 vs.versions[i].hash.p);
			*active = h;
		}
	return vs.n;
}

Test(policies, a_new_database_records_the_desks_own_policy_as_active)
{
	const char *active;

	cr_assert_eq(desk_policy_sync(t_desk(), &t_err), 0, "%s", t_err.msg);
	cr_assert_eq(versions(&active), 1);
	cr_assert_str_eq(active, builtin_hash());
	cr_assert_eq(t_audit_count(builtin_hash(), "policy.activate"), 1);
	/* again: nothing more */
	cr_assert_eq(desk_policy_sync(t_desk(), &t_err), 0);
	cr_assert_eq(versions(&active), 1);
	cr_assert_eq(t_audit_count(builtin_hash(), "policy.activate"), 1);
}

Test(policies, activation_keeps_the_text_activates_and_audits)
{
	struct desk_policy_activation act;
	struct desk_policy_version v;
	const char *active;
	size_t n;
	char *text = with_window("168h", &n);

	t_order_new("A-1");                 /* the first write records */
	activate(text, n, "user:boss", &act);
	cr_assert(act.changed);
	cr_assert_str_eq(act.old_hash, builtin_hash());
	cr_assert_str_neq(act.new_hash, builtin_hash());
	cr_assert_eq(versions(&active), 2);
	cr_assert_str_eq(active, act.new_hash);
	cr_assert_eq(t_audit_count(act.new_hash, "policy.activate"), 1);
	cr_assert_eq(desk_policy_get(t_desk(), NULL, &v, &t_err), 0);
	cr_assert_eq(v.text.n, n);
	cr_assert_eq(memcmp(v.text.p, text, n), 0, "the text byte for byte");
	cr_assert_str_eq(v.activated_by.p, "user:boss");
	cr_assert(v.active && v.activated);
	cr_assert_eq(desk_policy(t_desk())->contact_window_us, 168 * T_HOUR);
	/* the active one again: nothing changes, nothing is audited */
	activate(text, n, "user:boss", &act);
	cr_assert_not(act.changed);
	cr_assert_eq(t_audit_count(act.new_hash, "policy.activate"), 1);
	/* the one before again: active, audited once more */
	free(text);
	text = with_window("48h", &n);
	activate(text, n, "user:boss", &act);
	cr_assert(act.changed);
	cr_assert_eq(versions(&active), 2);
	cr_assert_str_eq(active, builtin_hash());
	cr_assert_eq(t_audit_count(builtin_hash(), "policy.activate"), 2);
	free(text);
}

Test(policies, a_policy_that_fails_the_check_is_refused_with_its_messages)
{
	static const char bad[] = "contact_window = 72x\n";
	struct desk_policy_activation act;
	struct desk_policy_problems pr;
	const char *active;
	char hash[DESK_POLICY_HASH_MAX];

	t_order_new("A-1");
	cr_assert_eq(desk_policy_activate(t_desk(), "user:boss", bad,
					  strlen(bad), NULL, &act, &pr,
					  &t_err), AC_EINVAL);
	cr_assert_geq(pr.n, 2);
	cr_assert_eq(pr.e[0].line, 1);
	cr_assert_str_eq(pr.e[0].field, "contact_window");
	cr_assert(strstr(pr.e[0].msg, "not a duration"), "%s", pr.e[0].msg);
	cr_assert_eq(versions(&active), 1, "nothing kept");
	cr_assert_str_eq(active, builtin_hash());
	/* the check alone says the same and stores nothing */
	cr_assert_eq(desk_policy_check(bad, strlen(bad), hash, &pr, &t_err),
		     AC_EINVAL);
	cr_assert_str_eq(pr.e[0].field, "contact_window");
	cr_assert_str_eq(hash, "");
	/* not text at all */
	cr_assert_eq(desk_policy_activate(t_desk(), "user:boss", "a\0b", 3,
					  NULL, &act, &pr, &t_err), AC_EINVAL);
	cr_assert_eq(desk_policy_activate(t_desk(), "user:boss", "\xff\xfe",
					  2, NULL, &act, &pr, &t_err),
		     AC_EINVAL);
	cr_assert_eq(versions(&active), 1);
}

Test(policies, the_previewed_text_is_the_one_activated)
{
	struct desk_policy_activation act;
	struct desk_policy_problems pr;
	const char *active;
	size_t n;
	char *text = with_window("168h", &n);

	cr_assert_eq(desk_policy_activate(t_desk(), "user:boss", text, n,
					  builtin_hash(), &act, &pr, &t_err),
		     AC_ECONFLICT);
	cr_assert_str_eq(t_err.field, "policy.hash");
	cr_assert_leq(versions(&active), 1);
	free(text);
}

Test(policies, old_cases_keep_theirs_new_ones_and_redecisions_use_active)
{
	struct desk_policy_activation act;
	struct t_case old, new_case, again;
	char h_old[80], h_new[80], h[80];
	size_t n;
	char *text = with_window("168h", &n);

	/* delivered 4 days ago: past 48 hours, within 168 */
	t_order_delivered("A-1", t_now - 4 * T_DAY);
	t_order_delivered("A-2", t_now - 4 * T_DAY);
	t_must_open("A-1", CLAIM_SCRATCH, &old);
	cr_assert_neq(old.verdict, VERDICT_PARTIAL_REFUND);
	decision_policy(old.id, h_old);
	cr_assert_str_eq(h_old, builtin_hash());

	t_now += T_HOUR;
	activate(text, n, "user:boss", &act);
	/* the case decided before keeps its decision and its version */
	cr_assert_eq(t_get(old.id, &again), 0);
	cr_assert_eq(again.verdict, old.verdict);
	decision_policy(old.id, h);
	cr_assert_str_eq(h, builtin_hash());

	/* a new case: the active policy (the window is 7 days now) */
	t_must_open("A-2", CLAIM_SCRATCH, &new_case);
	cr_assert_eq(new_case.verdict, VERDICT_PARTIAL_REFUND);
	cr_assert_eq(new_case.refund_max_minor, 10400);
	decision_policy(new_case.id, h_new);
	cr_assert_str_eq(h_new, act.new_hash);

	/* a re-decision of the old one (its shipment again): the active
	 * policy too */
	cr_assert_eq(t_shipment("A-1", t_now - 5 * T_DAY - T_HOUR,
				t_now - 4 * T_DAY - T_HOUR, NULL, NULL, NULL),
		     0, "%s", t_err.msg);
	cr_assert_eq(t_get(old.id, &again), 0);
	cr_assert_eq(again.verdict, VERDICT_PARTIAL_REFUND);
	decision_policy(old.id, h);
	cr_assert_str_eq(h, act.new_hash);
	free(text);
}

Test(policies, a_desk_on_another_connection_decides_by_what_one_activated)
{
	struct desk_policy_activation act;
	struct desk_policy_problems pr;
	struct desk_config cfg = { 0 };
	struct policy_file *pf = policy_file_default();
	struct store *s2;
	struct desk *d2;
	struct t_case c;
	char h[80];
	size_t n;
	char *text = with_window("168h", &n);

	/* this desk has decided by the built-in policy */
	t_order_delivered("A-1", t_now - 4 * T_DAY);
	t_must_open("A-1", CLAIM_SCRATCH, &c);
	cr_assert_neq(c.verdict, VERDICT_PARTIAL_REFUND);

	/* another desk, as another server would have it, activates */
	cr_assert_eq(store_open(t_db(), &s2, &t_err), 0, "%s", t_err.msg);
	cfg.store = s2;
	cfg.policy = policy_file_policy(pf);
	cfg.now = desk_clock_real;
	cr_assert_eq(desk_new(&cfg, &d2, &t_err), 0);
	cr_assert_eq(desk_policy_activate(d2, "cli", text, n, NULL, &act, &pr,
					  &t_err), 0, "%s", t_err.msg);
	desk_free(d2);
	store_close(s2);
	policy_file_free(pf);

	/* this desk's next write decides by it, without a restart */
	t_order_delivered("A-2", t_now - 4 * T_DAY);
	t_must_open("A-2", CLAIM_SCRATCH, &c);
	cr_assert_eq(c.verdict, VERDICT_PARTIAL_REFUND);
	decision_policy(c.id, h);
	cr_assert_str_eq(h, act.new_hash);
	cr_assert_eq(desk_policy(t_desk())->contact_window_us, 168 * T_HOUR);
	free(text);
}
