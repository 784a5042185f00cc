/* hook_json.c: AfterShip's and EasyPost's tracking webhooks read into a
 * struct hook_event, their statuses mapped onto aftercare's tracking
 * kinds (codec layer). See hook_json.h. */
#include "hook_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/instant.h"
#include "json_util.h"

/* ---- the status maps ---------------------------------------------------- */

/* AfterShip: the tag says the stage, the subtag the reason
 * (https://www.aftership.com/docs/tracking/enum/delivery-sub-statuses). */
const char *hook_aftership_kind(const char *tag, const char *subtag)
{
	static const struct {
		const char *subtag, *kind;
	} map[] = {
		{ "Exception_013", "lost_confirmed" },   /* shipment lost */
		{ "Exception_004", "customs_held" },     /* customs clearance */
		{ "Exception_006", "customs_held" },     /* held for payment
							  * (duties) */
		{ "Exception_003", "customs_refused" },  /* recipient refused */
		{ "Exception_010", "returned" },         /* returning */
		{ "Exception_011", "returned" },         /* returned */
	};

	if (tag && !strcmp(tag, "Delivered"))
		return "delivered";
	for (size_t i = 0; subtag && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(subtag, map[i].subtag))
			return map[i].kind;
	return NULL;
}

/* says: the text holds the word, in any case (ASCII). */
static bool says(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (; *text; text++)
		if (!strncasecmp(text, word, n))
			return true;
	return false;
}

/* EasyPost: status and status_detail of a Tracker
 * (https://docs.easypost.com/docs/trackers). EasyPost has no customs
 * status of its own: "held" is customs only when the courier's message
 * says so. */
const char *hook_easypost_kind(const char *status, const char *detail,
			       const char *message)
{
	if (status && !strcmp(status, "delivered"))
		return "delivered";
	if (detail && !strcmp(detail, "lost"))
		return "lost_confirmed";
	if (detail && !strcmp(detail, "refused"))
		return "customs_refused";
	if (detail && !strcmp(detail, "held") && message &&
	    says(message, "customs"))
		return "customs_held";
	if ((status && !strcmp(status, "return_to_sender")) ||
	    (detail && !strcmp(detail, "return")))
		return "returned";
	return NULL;
}

/* ---- reading ------------------------------------------------------------ */

static const cJSON *get(const cJSON *o, const char *key)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = get(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* need copies a required string member into dst (cap bytes). */
static int need(const cJSON *o, const char *key, const char *field,
		char *dst, size_t cap, struct ac_err *err)
{
	const char *s = str(o, key);

	if (!s || !*s)
		return ac_err_set(err, AC_EINVAL, field, "missing or not a "
				  "string");
	if (strlen(s) >= cap)
		return ac_err_set(err, AC_EINVAL, field, "longer than %zu "
				  "bytes", cap - 1);
	snprintf(dst, cap, "%s", s);
	return 0;
}

static bool time_of(const char *s, int64_t *at)
{
	return s && instant_parse(s, strlen(s), at) == 0;
}

/* last_of: the last element of an array member, or NULL. */
static const cJSON *last_of(const cJSON *o, const char *key)
{
	const cJSON *a = get(o, key);
	int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : 0;

	return n ? cJSON_GetArrayItem(a, n - 1) : NULL;
}

static int parse(const char *body, size_t n, cJSON **root,
		 struct ac_err *err)
{
	int rc = json_parse(body, n, HOOK_BODY_MAX, "event", root, err);

	if (!rc && !cJSON_IsObject(*root))
		rc = ac_err_set(err, AC_EINVAL, "", "not a JSON object");
	return rc;
}

int hook_aftership_read(const char *body, size_t n, struct hook_event *out,
			struct ac_err *err)
{
	cJSON *root = NULL;
	const cJSON *msg, *cp, *ts;
	const char *event, *tag, *subtag, *words;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = parse(body, n, &root, err)))
		goto out;
	if ((rc = need(root, "event_id", "event_id", out->id,
		       sizeof out->id, err)))
		goto out;
	event = str(root, "event");
	if (!event || strcmp(event, "tracking_update"))
		goto out;                       /* acknowledged, dropped */
	out->tracking = true;
	msg = get(root, "msg");
	if (!cJSON_IsObject(msg)) {
		rc = ac_err_set(err, AC_EINVAL, "msg", "missing or not an "
				"object");
		goto out;
	}
	if ((rc = need(msg, "slug", "msg.slug", out->carrier,
		       sizeof out->carrier, err)) ||
	    (rc = need(msg, "tracking_number", "msg.tracking_number",
		       out->tracking_code, sizeof out->tracking_code, err)))
		goto out;
	tag = str(msg, "tag");
	subtag = str(msg, "subtag");
	cp = last_of(msg, "checkpoints");
	words = str(cp, "message");
	snprintf(out->status, sizeof out->status, "%s", subtag ? subtag :
		 tag ? tag : "");
	snprintf(out->detail, sizeof out->detail, "%s", words ? words : "");
	out->kind = hook_aftership_kind(tag, subtag);
	ts = get(root, "ts");
	if (!time_of(str(cp, "checkpoint_time"), &out->at) &&
	    !time_of(str(msg, "updated_at"), &out->at)) {
		if (!cJSON_IsNumber(ts) || ts->valuedouble < 0 ||
		    ts->valuedouble > 253402300799.0) {
			rc = ac_err_set(err, AC_EINVAL, "ts", "no time: "
					"neither a checkpoint's, "
					"msg.updated_at nor ts");
			goto out;
		}
		out->at = (int64_t)ts->valuedouble * AC_US_PER_S;
	}
out:
	cJSON_Delete(root);
	return rc;
}

int hook_easypost_read(const char *body, size_t n, struct hook_event *out,
		       struct ac_err *err)
{
	cJSON *root = NULL;
	const cJSON *res, *td;
	const char *desc, *status, *detail, *words;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = parse(body, n, &root, err)))
		goto out;
	if ((rc = need(root, "id", "id", out->id, sizeof out->id, err)))
		goto out;
	desc = str(root, "description");
	if (!desc || strcmp(desc, "tracker.updated"))
		goto out;                       /* acknowledged, dropped */
	out->tracking = true;
	res = get(root, "result");
	if (!cJSON_IsObject(res)) {
		rc = ac_err_set(err, AC_EINVAL, "result", "missing or not "
				"an object");
		goto out;
	}
	if ((rc = need(res, "carrier", "result.carrier", out->carrier,
		       sizeof out->carrier, err)) ||
	    (rc = need(res, "tracking_code", "result.tracking_code",
		       out->tracking_code, sizeof out->tracking_code, err)))
		goto out;
	status = str(res, "status");
	detail = str(res, "status_detail");
	td = last_of(res, "tracking_details");
	words = str(td, "message");
	snprintf(out->status, sizeof out->status, "%s/%s",
		 status ? status : "", detail ? detail : "");
	snprintf(out->detail, sizeof out->detail, "%s", words ? words : "");
	out->kind = hook_easypost_kind(status, detail, words);
	if (!time_of(str(td, "datetime"), &out->at) &&
	    !time_of(str(res, "updated_at"), &out->at) &&
	    !time_of(str(root, "created_at"), &out->at))
		rc = ac_err_set(err, AC_EINVAL, "result.updated_at",
				"no time: neither a tracking detail's, "
				"result.updated_at nor created_at");
out:
	cJSON_Delete(root);
	return rc;
}
