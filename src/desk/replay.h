/* replay.h: deciding the stored cases again under another policy (desk).
 * `aftercare replay` and the console's policy page share this engine: it
 * reads every case with its current decision through the store (both
 * backends), decides the stored facts again at the stored instant under
 * the new policy and reports what would change. It writes nothing.
 *
 * Streaming: one reader thread reads the store in chunks, N threads
 * decide, and the calling thread takes the chunks back in case id order,
 * aggregates them and calls the hooks; a fixed ring of chunks keeps
 * memory flat whatever the size of the history.
 *
 * Ownership: every argument is borrowed for the length of the call. The
 * report is a fixed-size value the caller owns (nothing to release). A
 * struct replay_case handed to a hook borrows everything it points to
 * until the hook returns.
 *
 * Failure: replay_run returns 0, or a negative AC_E* code with err filled:
 * AC_EIO (the store failed; err names the table), AC_ELIMIT (a named
 * limit: more currencies or a money total than the report holds), or the
 * non-zero value a hook returned to stop (err then says "stopped"). A
 * case whose stored facts cannot be read or decided again is not an
 * error: it is counted in report->failed (the first one is named). The
 * report holds what was counted until the failure.
 */
#ifndef AC_REPLAY_H
#define AC_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/case.h"
#include "../core/decide.h"
#include "../core/err.h"
#include "../core/policy.h"
#include "../core/str.h"
#include "../core/workflow.h"

struct store;

#define REPLAY_VERDICTS (VERDICT_PAID_REPAIR + 1)
#define REPLAY_NO_CLAUSE CL_COUNT          /* a decision citing none */
#define REPLAY_CLAUSES (CL_COUNT + 1)
#define REPLAY_CURRENCIES_MAX 32           /* currencies in one report */
#define REPLAY_POLICIES_MAX 64             /* policy hashes counted apart */
#define REPLAY_JOBS_MAX 16

/* Which cases: all when zeroed. */
struct replay_filter {
	bool has_since;               /* only cases opened at or after */
	int64_t since;                /* microseconds since the epoch */
	bool has_claim_type;
	enum claim_type claim_type;
	unsigned status_mask;         /* CASE_STATUS_BIT()s; 0: any */
	int jobs;                     /* deciding threads, 1 ..
					 REPLAY_JOBS_MAX; 0: every core */
};

/* One case whose decision would change, as a hook sees it. before is the
 * stored decision (before_json as stored, byte for byte); after is what
 * `aftercare decide --policy FILE` gives on the stored facts (after_json
 * is exactly what it prints, without the newline). */
struct replay_case {
	struct ac_str id;
	enum case_status status;
	enum claim_type claim_type;
	int64_t opened_at;
	int64_t decided_at;           /* the stored decision's instant */
	struct ac_str policy;         /* the stored decision's policy hash */
	const struct decision *before, *after;
	struct ac_str before_json, after_json;
};

/* Called in the caller's thread, in case id order. A hook may be NULL. */
struct replay_hooks {
	void *arg;
	/* now and then while cases are decided: done so far of about
	 * total (counted when the run starts; done may pass it) */
	void (*progress)(void *arg, int64_t done, int64_t total);
	/* each case that changes; a non-zero return stops the run */
	int (*changed)(void *arg, const struct replay_case *c);
};

/* The refund allowances (refund_max_minor) of one currency, before and
 * after, in total and by the deciding clause (the decision's first;
 * [REPLAY_NO_CLAUSE] for a decision that cites none). */
struct replay_money {
	const struct currency *currency;
	int64_t before_minor, after_minor;
	int64_t clause_before_minor[REPLAY_CLAUSES];
	int64_t clause_after_minor[REPLAY_CLAUSES];
};

struct replay_policy_count {
	char hash[72];                /* "sha256:..." as stored */
	int64_t cases;
};

struct replay_report {
	char policy[72];              /* the replayed policy's version */
	int64_t cases;                /* cases decided again */
	int64_t changed;              /* of those, decided otherwise */
	/* current decision overridden by staff: kept, not decided again */
	int64_t overridden;
	int64_t failed;               /* stored facts that would not decide */
	char failed_case[128];        /* the first of them, and why */
	struct ac_err failed_err;
	/* every case decided again, by [before][after] */
	int64_t verdicts[REPLAY_VERDICTS][REPLAY_VERDICTS];
	int64_t clauses[REPLAY_CLAUSES][REPLAY_CLAUSES];
	int n_money;                  /* in order of first appearance */
	struct replay_money money[REPLAY_CURRENCIES_MAX];
	/* the policies the stored decisions were made under (overridden
	 * ones too), in order of first appearance; past the first
	 * REPLAY_POLICIES_MAX, cases counted in policies_other */
	int n_policies;
	struct replay_policy_count policies[REPLAY_POLICIES_MAX];
	int64_t policies_other;
};

/* replay_run decides every case that f lets through again under p and
 * fills *out (cleared first). Needs s to itself for the length of the
 * call (one reader). See the top of this file for how it fails. */
int replay_run(struct store *s, const struct policy *p,
	       const struct replay_filter *f, const struct replay_hooks *h,
	       struct replay_report *out, struct ac_err *err);

/* ---- the pieces replay_run is made of, for tests -------------------- */

/* replay_report_init clears r for a run under the policy version. */
void replay_report_init(struct replay_report *r, const char *version);

/* replay_changed: whether after differs from before in what a policy
 * decides: verdict, clauses, currency, refund allowance, charge,
 * remedies, needs or deadline (the policy version is not compared). A
 * repair quote accepted on the case (before: paid_repair with no
 * repair_quote need) is applied to after first, as the desk applies it
 * (warranty.3: "charge 0 until quoted"): a paid repair's charge is the
 * facts' (a material's cost rise) or the quote's, never the policy's. */
bool replay_changed(const struct decision *before,
		    const struct decision *after);

/* replay_report_count adds the stored decision's policy (before_policy)
 * to r's count of policies. */
void replay_report_count(struct replay_report *r, struct ac_str policy);

/* replay_report_add adds one case decided again to r: its transitions
 * and money (changed says whether it counts as changed). AC_ELIMIT (r
 * unchanged) when a currency would be the REPLAY_CURRENCIES_MAX + 1th or
 * a total would pass INT64_MAX. */
int replay_report_add(struct replay_report *r, const struct decision *before,
		      const struct decision *after, bool changed,
		      struct ac_err *err);

/* replay_clause: the deciding clause of d (REPLAY_NO_CLAUSE for none). */
int replay_clause(const struct decision *d);

#endif
