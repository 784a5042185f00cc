/* fuzz_route.c: libFuzzer harness for the HTTP router (fuzz).
 * The input is "METHOD\nPATH" (anything goes). The router must never
 * crash, and what it answers must hold together: a found route has the
 * method asked (HEAD for GET), its {..} parameters are non-empty segments
 * of the path, and a path that exists under another method lists the
 * methods it takes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = { 0 };
	const struct route *rt = NULL;
	const char *params[HTTP_MAX_PARAMS];
	char allow[64], method[16], *path;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t mn = nl ? (size_t)(nl - data) : 0;
	enum route_result rr;

	if (!nl || mn >= sizeof method || size - mn - 1 > 4096)
		return 0;
	memcpy(method, data, mn);
	method[mn] = '\0';
	if (strlen(method) != mn)
		return 0;                     /* a NUL inside: not a method */
	path = malloc(size - mn);
	memcpy(path, nl + 1, size - mn - 1);
	path[size - mn - 1] = '\0';

	rr = route_match(&a, method, path, &rt, params, allow, sizeof allow);
	switch (rr) {
	case ROUTE_FOUND:
		if (!rt || (strcmp(rt->method, method) &&
			    !(!strcmp(method, "HEAD") &&
			      !strcmp(rt->method, "GET"))))
			abort();
		for (int k = 0; k < HTTP_MAX_PARAMS; k++) {
			if (!params[k])
				continue;
			if (!params[k][0] || strchr(params[k], '/') ||
			    !strstr(path, params[k]))
				abort();
		}
		break;
	case ROUTE_BAD_METHOD:
		if (rt || !allow[0])
			abort();
		break;
	case ROUTE_NOT_FOUND:
		if (rt)
			abort();
		break;
	}
	arena_release(&a);
	free(path);
	return 0;
}
