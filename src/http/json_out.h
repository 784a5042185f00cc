/* json_out.h: the desk's typed requests and results as JSON (http layer).
 * The one place where the API's JSON bodies are read into the desk's
 * request structs and its result structs are written out, byte for byte
 * as web/openapi.json and docs/API.md describe them. Writers append to a
 * struct buf whose first error sticks (buf.h); http_answer checks it once,
 * so a truncated answer is never sent as a success. Readers borrow their
 * strings from the case reader until its next read. */
#ifndef AC_HTTP_JSON_OUT_H
#define AC_HTTP_JSON_OUT_H

#include "../desk/desk.h"
#include "http.h"

/* http_answer answers a desk call as http_reply does, but a body whose
 * writing failed (buf_error) is a 500 problem naming the response, never
 * ok_status. */
void http_answer(struct http_resp *r, int rc, const struct ac_err *err,
		 int ok_status);

#endif
