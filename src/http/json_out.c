/* json_out.c: the desk's typed requests and results as JSON (http layer).
 * See json_out.h. */
#include "json_out.h"

void http_answer(struct http_resp *r, int rc, const struct ac_err *err,
		 int ok_status)
{
	if (!rc && buf_error(&r->body)) {
		http_problem(r, 500, "response", "the answer is larger than "
			     "its %u-byte limit", HTTP_RESP_MAX);
		return;
	}
	http_reply(r, rc, err, ok_status);
}
