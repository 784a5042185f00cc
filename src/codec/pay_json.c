/* pay_json.c: the payment provider's answers and events read (codec
 * layer). See pay_json.h. */
#include "pay_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"

#define PAY_BODY_MAX (1u << 20)

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void copy(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

/* refund_from fills r from a Refund object or an error answer. */
static int refund_from(const cJSON *o, struct pay_refund *r,
		       struct ac_err *err)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");

	memset(r, 0, sizeof *r);
	if (cJSON_IsObject(e)) {
		const char *code = str(e, "code"), *msg = str(e, "message");

		r->is_error = true;
		snprintf(r->reason, sizeof r->reason, "%s%s%s",
			 code ? code : "", code && msg ? ": " : "",
			 msg ? msg : "");
		return 0;
	}
	const char *id = str(o, "id"), *status = str(o, "status");

	if (!id || !*id || !status || !*status)
		return ac_err_set(err, AC_EINVAL, id && *id ? "status" : "id",
				  "missing, empty or not a string");
	copy(r->id, sizeof r->id, str(o, "id"));
	copy(r->status, sizeof r->status, str(o, "status"));
	copy(r->reason, sizeof r->reason, str(o, "failure_reason"));
	return 0;
}

int pay_refund_read(const char *body, size_t n, struct pay_refund *out,
		    struct ac_err *err)
{
	cJSON *root = NULL;
	int rc = json_parse(body, n, PAY_BODY_MAX, "answer", &root, err);

	memset(out, 0, sizeof *out);
	if (!rc && !cJSON_IsObject(root))
		rc = ac_err_set(err, AC_EINVAL, "", "not a JSON object");
	if (!rc)
		rc = refund_from(root, out, err);
	cJSON_Delete(root);
	return rc;
}

int pay_event_read(const char *body, size_t n, struct pay_event *out,
		   struct ac_err *err)
{
	cJSON *root = NULL;
	const cJSON *data, *obj, *meta;
	const char *type, *le;
	int rc = json_parse(body, n, PAY_BODY_MAX, "event", &root, err);

	memset(out, 0, sizeof *out);
	if (!rc && !cJSON_IsObject(root))
		rc = ac_err_set(err, AC_EINVAL, "", "not a JSON object");
	if (rc)
		goto out;
	if (!str(root, "id") || !*str(root, "id") ||
	    strlen(str(root, "id")) >= sizeof out->id) {
		rc = ac_err_set(err, AC_EINVAL, "id", "missing, or not a "
				"string of 1 to 200 bytes");
		goto out;
	}
	copy(out->id, sizeof out->id, str(root, "id"));
	type = str(root, "type");
	copy(out->type, sizeof out->type, type);
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	obj = data ? cJSON_GetObjectItemCaseSensitive(data, "object") : NULL;
	if (!type || (strncmp(type, "refund.", 7) &&
		      strncmp(type, "charge.refund.", 14)) ||
	    !cJSON_IsObject(obj) || !str(obj, "object") ||
	    strcmp(str(obj, "object"), "refund"))
		goto out;                       /* not a refund's event */
	out->is_refund = true;
	if ((rc = refund_from(obj, &out->refund, err)))
		goto out;
	meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	le = str(meta, "ledger_entry");
	if (le) {
		char *end;
		long long v = strtoll(le, &end, 10);

		if (*le && !*end && v > 0)
			out->ledger_id = v;
	}
out:
	cJSON_Delete(root);
	return rc;
}
