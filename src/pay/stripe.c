/* stripe.c: the "refund" outbox kind, a Stripe-like refunds API over
 * libcurl (pay layer, issue 10.4). See pay.h. What the provider answers
 * becomes the refund's payment status through the desk:
 *   2xx succeeded                    succeeded; the row is sent
 *   2xx pending / requires_action    pending (its webhook ends it); sent
 *   2xx failed / canceled, other 4xx failed with its reason; row failed
 *   5xx, 409, 429, timeout, no answer  retried (same key); at the last
 *                                    attempt failed; the row is dead */
#include "pay.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../codec/buf.h"
#include "../codec/pay_json.h"
#include "../desk/outbox.h"
#include "../desk/pay.h"

#define ANSWER_MAX (64u << 10)
#define ACTOR "system:pay"

struct pay_service {
	char url[512];
	char key[256];
	long timeout_ms;
	int max_attempts;
	struct outbox *ob;
};

void pay_idempotency_key(char *out, size_t n, const char *case_id,
			 int64_t ledger_id)
{
	snprintf(out, n, "aftercare-%s-%" PRId64, case_id, ledger_id);
}

static size_t collect(char *p, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;

	buf_add(b, p, size * nmemb);
	return buf_error(b) ? 0 : size * nmemb;
}

/* form_add appends "&name=value", the value percent-encoded. */
static void form_add(CURL *c, struct buf *f, const char *name,
		     const char *value)
{
	char *v = curl_easy_escape(c, value, 0);

	buf_addf(f, "%s%s=%s", f->len ? "&" : "", name, v ? v : "");
	curl_free(v);
}

/* post sends the refund; *status is the HTTP status (0: no answer, why
 * says). */
static void post(struct pay_service *ps, const struct desk_pay *p,
		 struct buf *answer, long *status, char *why, size_t why_n)
{
	char url[600], amount[24], ledger[24], key[200], auth[300];
	char idem[240], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = NULL;
	struct buf form;
	CURL *c = curl_easy_init();
	CURLcode cc;

	*status = 0;
	if (!c) {
		snprintf(why, why_n, "libcurl: cannot start");
		return;
	}
	snprintf(url, sizeof url, "%s/v1/refunds", ps->url);
	snprintf(amount, sizeof amount, "%" PRId64, p->amount_minor);
	snprintf(ledger, sizeof ledger, "%" PRId64, p->ledger_id);
	pay_idempotency_key(key, sizeof key, p->case_id, p->ledger_id);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", ps->key);
	snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
	buf_init(&form, 4096);
	form_add(c, &form, "payment_intent", p->payment_intent);
	form_add(c, &form, "amount", amount);
	form_add(c, &form, "metadata[case]", p->case_id);
	form_add(c, &form, "metadata[ledger_entry]", ledger);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, idem);
	h = curl_slist_append(h, "Content-Type: "
			      "application/x-www-form-urlencoded");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, form.p ? form.p : "");
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)form.len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ps->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 ps->timeout_ms < 5000 ? ps->timeout_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else
		snprintf(why, why_n, "%s", errbuf[0] ? errbuf :
			 curl_easy_strerror(cc));
	curl_slist_free_all(h);
	buf_release(&form);
	curl_easy_cleanup(c);
}

/* give_up: a retryable failure at the last attempt fails the refund. */
static enum outbox_result retry(struct pay_service *ps, struct desk *d,
				const struct outbox_item *it,
				int64_t ledger_id, char *why, size_t why_n)
{
	char reason[300];
	struct ac_err err;
	bool last = it->attempt >= ps->max_attempts;

	snprintf(reason, sizeof reason, "%s after attempt %d: %s",
		 last ? "failed" : "retrying", it->attempt, why);
	ac_err_clear(&err);
	desk_pay_result(d, ACTOR, ledger_id, last ? "failed" : "pending", "",
			reason, NULL, &err);
	(void)why_n;
	return last ? OUTBOX_DEAD : OUTBOX_RETRY;
}

static enum outbox_result send_refund(void *ctx, struct desk *d,
				      const struct outbox_item *it,
				      char *why, size_t why_n)
{
	struct pay_service *ps = ctx;
	struct pay_refund ans;
	struct desk_pay p;
	struct ac_err err;
	struct buf answer;
	int64_t ledger_id = 0;
	long status;
	char *end;
	int rc;

	ac_err_clear(&err);
	if (it->ref.n && it->ref.n < 24) {
		char ref[24];

		memcpy(ref, it->ref.p, it->ref.n);
		ref[it->ref.n] = '\0';
		ledger_id = strtoll(ref, &end, 10);
		if (*end)
			ledger_id = 0;
	}
	if (ledger_id <= 0) {
		snprintf(why, why_n, "ref: not a ledger entry");
		return OUTBOX_DEAD;
	}
	rc = desk_pay_get(d, ledger_id, &p, &err);
	if (rc == AC_ENOTFOUND) {
		snprintf(why, why_n, "%s: %s", err.field, err.msg);
		return OUTBOX_DEAD;
	}
	if (rc) {
		snprintf(why, why_n, "store: %s", err.msg);
		return OUTBOX_RETRY;
	}
	if (!strcmp(p.status, "failed") && p.outbox_id == it->id) {
		/* its own row, retried by hand from the dead letters: the
		 * refund is pending again, sent with the same key */
		int reopened = 0;

		if (desk_pay_reopen(d, ACTOR, ledger_id, it->id, &reopened,
				    &err)) {
			snprintf(why, why_n, "store: %s", err.msg);
			return OUTBOX_RETRY;
		}
		if (reopened)
			snprintf(p.status, sizeof p.status, "pending");
	}
	if (strcmp(p.status, "pending"))
		return OUTBOX_SENT;     /* ended already (its webhook) */
	buf_init(&answer, ANSWER_MAX);
	post(ps, &p, &answer, &status, why, why_n);
	if (status == 0 || status >= 500 || status == 409 || status == 429) {
		if (status)
			snprintf(why, why_n, "the provider answered %ld",
				 status);
		buf_release(&answer);
		return retry(ps, d, it, ledger_id, why, why_n);
	}
	rc = pay_refund_read(answer.p ? answer.p : "", answer.len, &ans, &err);
	buf_release(&answer);
	if (rc) {
		snprintf(why, why_n, "the provider's answer (%ld): %s%s%s",
			 status, err.field, err.field[0] ? ": " : "",
			 err.msg);
		return retry(ps, d, it, ledger_id, why, why_n);
	}
	const char *to = "failed";
	enum outbox_result res = OUTBOX_FAILED;

	if (status < 300 && !ans.is_error) {
		if (!strcmp(ans.status, "succeeded")) {
			to = "succeeded";
			res = OUTBOX_SENT;
		} else if (!strcmp(ans.status, "pending") ||
			   !strcmp(ans.status, "requires_action")) {
			to = "pending";
			res = OUTBOX_SENT;
		}
	}
	if (res == OUTBOX_FAILED && !ans.reason[0])
		snprintf(ans.reason, sizeof ans.reason, "the provider "
			 "answered %ld%s%s", status, ans.status[0] ? ": " : "",
			 ans.status);
	ac_err_clear(&err);
	if (desk_pay_result(d, ACTOR, ledger_id, to, ans.id,
			    res == OUTBOX_FAILED ? ans.reason : "", NULL,
			    &err)) {
		/* the answer is not kept: ask again (the same key gives the
		 * same refund) */
		snprintf(why, why_n, "store: %s", err.msg);
		return OUTBOX_RETRY;
	}
	if (res == OUTBOX_FAILED)
		snprintf(why, why_n, "%s", ans.reason);
	return res;
}

static int read_key(const char *path, char *key, size_t cap,
		    struct ac_err *err)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	size_t n;

	if (!f)
		return ac_err_set(err, AC_EINVAL, "--pay-key-file",
				  "cannot be read");
	if (!fgets(key, (int)cap, f))
		key[0] = '\0';
	fclose(f);
	n = strcspn(key, "\r\n");
	key[n] = '\0';
	if (n == 0 || n + 1 >= cap)
		return ac_err_set(err, AC_EINVAL, "--pay-key-file",
				  "its first line must be the key (1 to %zu "
				  "bytes)", cap - 2);
	return 0;
}

int pay_start(const struct pay_config *cfg, struct pay_service **out,
	      struct ac_err *err)
{
	struct pay_service *ps = calloc(1, sizeof *ps);
	struct outbox_config oc = {
		.open_desk = cfg->open_desk,
		.close_desk = cfg->close_desk,
		.desk_ctx = cfg->desk_ctx,
		.workers = 2,
		.max_attempts = cfg->max_attempts,
		.base_us = cfg->base_us,
		/* a send must end within its lease */
		.lease_us = (cfg->timeout_s ? cfg->timeout_s : 10) * 3000000LL,
	};
	struct outbox_kind k = {
		.kind = PAY_KIND,
		.send = send_refund,
	};
	size_t n;
	int rc;

	*out = NULL;
	if (!ps)
		return ac_err_set(err, AC_ENOMEM, "pay", "out of memory");
	n = cfg->url ? strlen(cfg->url) : 0;
	if ((strncmp(cfg->url ? cfg->url : "", "http://", 7) &&
	     strncmp(cfg->url ? cfg->url : "", "https://", 8)) ||
	    n >= sizeof ps->url) {
		free(ps);
		return ac_err_set(err, AC_EINVAL, "--pay-url", "an http:// or "
				  "https:// URL of at most %zu bytes",
				  sizeof ps->url - 1);
	}
	snprintf(ps->url, sizeof ps->url, "%.*s", (int)(n && cfg->url[n - 1]
		 == '/' ? n - 1 : n), cfg->url);
	if ((rc = read_key(cfg->key_file, ps->key, sizeof ps->key, err))) {
		free(ps);
		return rc;
	}
	ps->timeout_ms = 1000L * (cfg->timeout_s ? cfg->timeout_s : 10);
	ps->max_attempts = cfg->max_attempts ? cfg->max_attempts :
			   OUTBOX_ATTEMPTS;
	k.ctx = ps;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = outbox_new(&oc, &ps->ob, err);
	if (!rc)
		rc = outbox_register(ps->ob, &k, err);
	if (!rc)
		rc = outbox_start(ps->ob, err);
	if (rc) {
		pay_stop(ps);
		return rc;
	}
	*out = ps;
	return 0;
}

void pay_stop(struct pay_service *ps)
{
	if (!ps)
		return;
	outbox_free(ps->ob);
	memset(ps->key, 0, sizeof ps->key);
	free(ps);
}
