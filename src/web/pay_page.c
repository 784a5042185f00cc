/* pay_page.c: the refunds sent to the payment provider on the console's
 * case page, and staff's retry of a failed one (src/web, issue 10.4).
 *   POST /console/cases/{id}/payments/{entry}/retry   303 to the case */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/money.h"
#include "../desk/pay.h"
#include "web.h"

static const char *status_words(const char *status)
{
	if (!strcmp(status, "succeeded"))
		return "Paid back";
	if (!strcmp(status, "failed"))
		return "Failed";
	return "Waiting for the payment provider";
}

static void add_pay(void *arg, const struct desk_pay *p)
{
	cJSON *arr = arg, *o = cJSON_CreateObject();
	const struct currency *c = money_currency_find(p->currency, 3);
	char amount[48], entry[24], when[64];

	if (!c || money_format(amount, sizeof amount, c, p->amount_minor) < 0)
		snprintf(amount, sizeof amount, "%" PRId64 " %s",
			 p->amount_minor, p->currency);
	snprintf(entry, sizeof entry, "%" PRId64, p->ledger_id);
	web_when(when, sizeof when, p->updated_at, 0, true);
	web_set_str(o, "entry", entry);
	web_set_str(o, "amount", amount);
	web_set_str(o, "status", status_words(p->status));
	web_set_str(o, "reason", p->reason[0] ? p->reason : NULL);
	web_set_str(o, "when", when);
	cJSON_AddBoolToObject(o, "failed", !strcmp(p->status, "failed"));
	cJSON_AddItemToArray(arr, o);
}

void web_pay_model(struct http_req *q, cJSON *m, const char *case_id)
{
	cJSON *arr = cJSON_AddArrayToObject(m, "payments");
	struct ac_err err;

	ac_err_clear(&err);
	desk_pay_list(q->ctx->desk, case_id, add_pay, arr, &err);
}

static void post_retry(struct http_req *q, struct http_resp *r)
{
	char *end, to[300];
	long long entry = strtoll(q->params[1], &end, 10);
	struct ac_err err;

	ac_err_clear(&err);
	if (*end || entry <= 0)
		ac_err_set(&err, AC_ENOTFOUND, "ledger_entry", "not a ledger "
			   "entry");
	if (err.code || desk_pay_retry(q->ctx->desk, q->actor, q->params[0],
				       entry, &err)) {
		web_desk_error(q, r, &err);
		return;
	}
	snprintf(to, sizeof to, "/console/cases/%s?done=refund-retried",
		 q->params[0]);
	web_see_other(r, arena_strndup(q->arena, to, strlen(to)));
}

static const struct route routes[] = {
	{ "POST", "/console/cases/{id}/payments/{entry}/retry", post_retry,
	  HTTP_AUTH_STAFF, HTTP_TXN_WRITE, HTTP_BODY_FORM, NULL },
};

const struct route_table web_pay_routes = {
	routes, sizeof routes / sizeof routes[0]
};
