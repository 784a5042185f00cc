/* res_health.c: GET /healthz and GET /v1/openapi.json (http layer).
 * Neither needs a token: the first is for load balancers and process
 * supervisors, the second describes every route (web/openapi.json, built
 * into the program by openapi.S). */
#include "../desk/desk.h"
#include "http.h"

static void get_healthz(struct http_req *q, struct http_resp *r)
{
	struct ac_err err;

	ac_err_clear(&err);
	if (desk_health(q->ctx->desk, &err)) {
		http_problem(r, 503, NULL, "the store is not healthy: %s",
			     err.msg[0] ? err.msg : "unknown error");
		return;
	}
	r->status = 200;
	r->content_type = "application/json";
	buf_adds(&r->body, "{\"status\": \"ok\"}\n");
}

static void get_openapi(struct http_req *q, struct http_resp *r)
{
	(void)q;
	r->status = 200;
	r->content_type = "application/json";
	buf_add(&r->body, ac_openapi_json,
		(size_t)(ac_openapi_json_end - ac_openapi_json));
	http_resp_header(r, "Cache-Control", "public, max-age=300");
}

static const struct route routes[] = {
	{ "GET", "/healthz", get_healthz,
	  HTTP_AUTH_NONE, HTTP_TXN_PING, HTTP_BODY_NONE, NULL },
	{ "GET", "/v1/openapi.json", get_openapi,
	  HTTP_AUTH_NONE, HTTP_TXN_NONE, HTTP_BODY_NONE, NULL },
};

const struct route_table res_health_routes = {
	routes, sizeof routes / sizeof routes[0]
};
