#!/usr/bin/env bash
# openapi-check.sh: validates the OpenAPI description a running server
# serves. Usage: tests/api/openapi-check.sh BIN
# Starts BIN serve on a scratch database (loopback, port 0), fetches
# GET /v1/openapi.json and checks it with openapi-check.js: a real
# validator from npm (@apidevtools/swagger-parser, installed from the
# committed package-lock.json into tests/api/node_modules when missing),
# path parameters and operation ids, and that it describes exactly the
# routes in the route tables of src/http/res_*.c. It must also be byte for
# byte web/openapi.json. Exit 1 on any error.
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: tests/api/openapi-check.sh BIN" >&2
	exit 2
fi
BIN=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/aftercare-openapi.XXXXXX")
SERVER_PID=

cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "openapi-check: $*" >&2
	exit 1
}

if [ ! -d "$HERE/node_modules/@apidevtools/swagger-parser" ]; then
	(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
		fail "cannot install the validator (npm ci in tests/api)"
fi

"$BIN" serve --db "$TMP/db.sqlite" --listen 127.0.0.1:0 \
	2>"$TMP/server.log" &
SERVER_PID=$!
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' \
		"$TMP/server.log" | head -n 1)
	[ -n "$PORT" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.1
done
[ -n "$PORT" ] || fail "the server did not start: $(cat "$TMP/server.log")"

curl -fsS -o "$TMP/openapi.json" "http://127.0.0.1:$PORT/v1/openapi.json" ||
	fail "GET /v1/openapi.json failed"
cmp -s "$TMP/openapi.json" "$ROOT/web/openapi.json" ||
	fail "the served description is not web/openapi.json (rebuild?)"

# The routes, from the tables: { "GET", "/v1/cases/{id}", handler, ... }
grep -ho '{ "[A-Z]*", "/[^"]*"' "$ROOT"/src/http/res_*.c |
	sed 's/{ "\([A-Z]*\)", "\([^"]*\)"/\1 \2/' >"$TMP/routes.txt"
[ -s "$TMP/routes.txt" ] || fail "no routes found in src/http/res_*.c"

node "$HERE/openapi-check.js" "$TMP/openapi.json" "$TMP/routes.txt"
