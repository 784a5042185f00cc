#!/bin/bash
# hostile.sh: a hostile client against a real `aftercare serve` on
# loopback: request smuggling, NUL characters, problem+json for every
# error, the header deadline, a flood of slow and idle connections from
# many loopback addresses, the limit per client address. The checks are
# in hostile.js (node, raw sockets); this script makes the database, a
# token and a case, and starts and stops the server.
# Usage: tests/api/hostile.sh BIN   ("N passed, M failed"; exit 1 if any)
# The flood needs about 3,600 descriptors on each side; with a lower hard
# limit on open files it is made smaller (and says so).
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BIN" >&2
	exit 2
fi
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d) || exit 2
SPID=
# shellcheck disable=SC2317  # run by the trap
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT
# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"

ulimit -n "$(ulimit -Hn)" 2>/dev/null
SLOW=1500
IDLE=2000
hard=$(ulimit -n)
if [ "$hard" != unlimited ] && [ "$hard" -lt 4608 ]; then
	SLOW=$(( (hard - 1024) * 3 / 7 ))
	IDLE=$(( (hard - 1024) * 4 / 7 ))
	echo "note: open files limited to $hard: the flood is $SLOW slow" \
		"and $IDLE idle connections" >&2
fi

DB=$T/h.db
"$BIN" demo --db "$DB" >/dev/null 2>&1 || { echo "demo failed" >&2; exit 1; }
TOKEN=$("$BIN" token add hostile --db "$DB" 2>/dev/null | tail -n 1)
# A database that cannot be written: serve says so at start, naming it.
"$BIN" serve --db "file:$DB?mode=ro" --listen 127.0.0.1:0 \
	>/dev/null 2>"$T/ro.err" &
ROPID=$!
sleep 2 & wait -n "$ROPID" $!
if kill -0 "$ROPID" 2>/dev/null; then
	kill "$ROPID"
	RO_RESULT="serve started on it"
elif grep -q "$DB cannot be written" "$T/ro.err"; then
	RO_RESULT=ok
else
	RO_RESULT="serve said: $(head -c 300 "$T/ro.err")"
fi
export RO_RESULT

serve_start "$DB"
CASE=$(curl -s "$U/v1/cases" -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' \
	-d '{"order":"D-1001","claim":{"type":"cancel"}}' | jq -r .id)
if [ -z "$CASE" ] || [ "$CASE" = null ]; then
	echo "no case to read" >&2
	exit 1
fi

node "$HERE/hostile.js" "$U" "$TOKEN" "$CASE" "$SLOW" "$IDLE"
rc=$?
if ! kill -0 "$SPID" 2>/dev/null; then
	echo "FAIL the server died: $(tail -n 5 "$T/serve.err")"
	rc=1
fi
exit $rc
