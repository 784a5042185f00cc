#!/usr/bin/env bash
# run.sh: the pages end to end in headless Chromium (issue 7).
# Usage: tests/web/run.sh [BIN]   (BIN defaults to $AFTERCARE_BIN, then
# build/aftercare). Builds nothing. Makes a fresh demo database under a
# temporary folder (`aftercare demo`: the orders D-1001.. and the staff
# `manager` and `agent`), an API token, starts `BIN serve` on a free
# loopback port (read from its "listening on" line), runs every
# tests/web/*.test.js with node's test runner against it, stops the
# server, and exits 1 on any failure. Needs node, Debian's chromium
# (/usr/bin/chromium, or $CHROMIUM) and tests/web/node_modules
# (playwright-core and axe-core: `scripts/deps.sh web` installs all three).
# A failing step saves a screenshot and the page's HTML under the
# temporary folder, which is then kept and its path printed.
# WEB_SCREENSHOTS=1 also writes docs/screenshots/*.png (make screenshots);
# WEB_TESTS="cancel csrf" runs tests/web/cancel.test.js and csrf.test.js only.
set -u

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:-${AFTERCARE_BIN:-$HERE/../../build/aftercare}}
if [ ! -x "$BIN" ]; then
	echo "usage: tests/web/run.sh BIN (no program at '$BIN')" >&2
	exit 2
fi
BIN=$(realpath -- "$BIN")
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM
command -v node >/dev/null ||
	{ echo "tests/web: no node (scripts/deps.sh web)" >&2; exit 2; }
[ -x "$CHROMIUM" ] ||
	{ echo "tests/web: no $CHROMIUM (scripts/deps.sh web)" >&2; exit 2; }
if [ ! -d "$HERE/node_modules/playwright-core" ] ||
   [ ! -d "$HERE/node_modules/axe-core" ]; then
	(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
		{ echo "tests/web: npm ci failed" >&2; exit 2; }
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/aftercare-web.XXXXXX") || exit 2
SPID=
status=1
# shellcheck disable=SC2317  # run by the trap
cleanup() {
	if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then
		kill -TERM "$SPID" 2>/dev/null
		wait "$SPID" 2>/dev/null
	fi
	if [ "$status" = 0 ]; then
		rm -rf -- "$T"
	else
		echo "tests/web: the server's log, and each failing page's" \
			"screenshot and HTML, are kept in $T" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DB=$T/web.db
if ! "$BIN" demo --db "$DB" >"$T/demo.out" 2>&1; then
	echo "tests/web: aftercare demo failed: $(cat "$T/demo.out")" >&2
	exit 1
fi
# The demo adds the staff accounts; an older one did not.
if ! grep -q '^staff sign-in: agent' "$T/demo.out"; then
	printf '%s\n' manager-demo-1 |
		"$BIN" user add manager --role manager --db "$DB" \
		>/dev/null 2>&1
	printf '%s\n' agent-demo-1 |
		"$BIN" user add agent --role agent --db "$DB" >/dev/null 2>&1
fi
TOKEN=$("$BIN" token add web --db "$DB" 2>/dev/null | tail -n 1)
[ -n "$TOKEN" ] || { echo "tests/web: aftercare token add failed" >&2; exit 1; }

"$BIN" serve --db "$DB" --listen 127.0.0.1:0 2>"$T/serve.err" &
SPID=$!
U=
for _ in $(seq 200); do
	U=$(sed -n 's|^listening on ||p' "$T/serve.err")
	[ -n "$U" ] && break
	kill -0 "$SPID" 2>/dev/null || break
	sleep 0.05
done
if [ -z "$U" ]; then
	echo "tests/web: serve did not start: $(cat "$T/serve.err")" >&2
	exit 1
fi

# Two files at a time, each with a browser of its own: they share the
# server, each on orders and cases of its own (throttle.test.js starts a
# server of its own). The whole run is bounded (a hung browser ends it).
files=("$HERE"/*.test.js)
if [ -n "${WEB_TESTS:-}" ]; then       # WEB_TESTS="cancel csrf": only those
	files=()
	for t in $WEB_TESTS; do files+=("$HERE/$t.test.js"); done
fi
AC_URL=$U AC_TOKEN=$TOKEN AC_BIN=$BIN AC_OUT=$T \
	timeout -k 5 300 node --test --test-concurrency=2 "${files[@]}"
status=$?
[ "$status" = 124 ] && echo "tests/web: stopped after 300 s" >&2
exit "$status"
