#!/bin/bash
# concurrency.sh: requests at once against a real `aftercare serve` on
# loopback. A write that takes seconds (an import of 35,000 orders, run by
# the writer in one group commit) must not hold up reads: /healthz, a case
# read and POST /v1/decide are answered while it runs, and a read sees
# only what was committed. HEAD runs as the read it is.
# Usage: tests/api/concurrency.sh BIN   ("N passed, M failed"; exit 1 if any)
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BIN" >&2
	exit 2
fi
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/../.." && pwd)
T=$(mktemp -d) || exit 2
SPID=
IPID=
cleanup() {
	[ -n "$IPID" ] && kill "$IPID" 2>/dev/null
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT

# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"

serve_demo conc --readers 2
AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H "Content-Type: application/json")

# A case to read, made before the slow write.
code=$(curl -s -o "$T/case.json" -w '%{http_code}' "$U/v1/cases" "${AUTH[@]}" \
	"${JSON[@]}" -d '{"order":"D-1001","claim":{"type":"cancel"}}')
check open-case "POST /v1/cases answered $code" [ "$code" = 201 ]
CASE=$(jq -r .id "$T/case.json")

# HEAD is the read of its GET route: no body, the same status.
code=$(curl -s -I -o /dev/null -w '%{http_code}' "$U/v1/cases/$CASE" "${AUTH[@]}")
check head-is-read "HEAD /v1/cases/$CASE answered $code" [ "$code" = 200 ]

# The slow write: 35,000 orders in one request (about 15 MiB), or
# CONC_ORDERS (make test-san: fewer, as the sanitizers slow the writer
# tenfold and more).
ORDERS=${CONC_ORDERS:-35000}
LAST=I-$((ORDERS - 1))
awk -v n="$ORDERS" 'BEGIN {
	a = "{\"name\":\"Ana Li\",\"line1\":\"5 Quay St\",\"city\":\"Auckland\"," \
	    "\"postal_code\":\"1010\",\"country\":\"NZ\"}"
	for (i = 0; i < n; i++)
		printf "{\"id\":\"I-%d\",\"placed_at\":\"2026-05-04T08:00:00Z\"," \
		       "\"currency\":\"USD\",\"shipping_minor\":1500,\"address\":%s," \
		       "\"items\":[{\"line\":1,\"sku\":\"R-14W-7\",\"kind\":\"ring\"," \
		       "\"style\":\"halo\",\"shape\":\"oval\",\"material\":" \
		       "\"14k white gold\",\"color\":\"white\",\"size\":\"7\"," \
		       "\"price_minor\":52000}],\"customer\":{\"name\":\"A B\"," \
		       "\"email\":\"a@example.com\"}}\n", i, a
}' >"$T/import.jsonl"
curl -s -o "$T/import.out" -w '%{http_code}' "$U/v1/orders/import" "${AUTH[@]}" \
	-H 'Content-Type: application/x-ndjson' --data-binary @"$T/import.jsonl" \
	>"$T/import.code" &
IPID=$!
# Wait until the writer holds it: the body is in (the orders appear only
# at its commit, so the sign is that the upload has finished: curl's
# request is sent in well under this).
sleep 0.3

EXAMPLE=$(jq -c . "$ROOT/examples/wrong-item.json")
reads=0
read_fail=
# Each round's four reads go from one curl, on one connection: a curl
# started for each read took most of the import's time on a fast machine
# (the import ended within 0.6 s, before the sixteenth read).
for i in $(seq 4); do
	codes=$(curl -s -o /dev/null -w '%{http_code}' "$U/healthz" \
		--next -s -o "$T/read.json" -w ' %{http_code}' \
		"$U/v1/cases/$CASE" "${AUTH[@]}" \
		--next -s -o /dev/null -w ' %{http_code}' "$U/v1/decide" \
		"${JSON[@]}" -d "$EXAMPLE" \
		--next -s -o /dev/null -w ' %{http_code}' \
		"$U/v1/orders/$LAST" "${AUTH[@]}")
	# the last: nothing of the import is visible before its commit
	read -r c1 c2 c3 c4 <<<"$codes"
	if [ "$c1$c2$c3$c4" = 200200200404 ]; then
		reads=$((reads + 1))
	else
		read_fail="round $i: healthz $c1, case $c2, decide $c3, order $c4"
	fi
done
still=0
kill -0 "$IPID" 2>/dev/null && still=1
check reads-answered "$read_fail" [ "$reads" = 4 ]
check reads-not-held-by-write "the import had ended before 16 reads were \
answered: reads waited for the writer" [ "$still" = 1 ]
wait "$IPID"
IPID=
check import-done "import answered $(cat "$T/import.code")" \
	[ "$(cat "$T/import.code")" = 200 ]
check import-count "import: $(head -c 200 "$T/import.out")" \
	[ "$(jq -r .created "$T/import.out")" = "$ORDERS" ]
# once answered, the write is committed and every reader sees it
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/orders/$LAST" "${AUTH[@]}")
check import-visible "GET /v1/orders/$LAST after the import: $code" [ "$code" = 200 ]

# Many requests at once, on 16 connections at a time (the event loops,
# one a CPU, each take some): every one answered, and the log holds one
# whole line for each, none lost or torn between loops.
before=$(grep -c ' path=/v1/decide ' "$T/serve.err")
# (16 curls of 25 requests each, on a connection each: a curl a request
# took 10 s more under the sanitizers)
seq 1 400 | xargs -P 16 -n 25 sh -c 'u=$1; shift; set -- $(for i; do
	printf -- "-o /dev/null %s/v1/decide " "$u"; done)
	curl -s -w "%{http_code}\n" -H "Content-Type: application/json" \
		--data-binary @"$0" "$@"' \
	"$ROOT/examples/wrong-item.json" "$U" >"$T/many.codes"
check many-answered "400 decides, 16 at a time: $(sort "$T/many.codes" |
	uniq -c | tr -s ' \n' ' ')" \
	[ "$(grep -c '^200$' "$T/many.codes")" = 400 ]
for _ in $(seq 100); do       # the log's thread writes within milliseconds
	n=$(($(grep -c ' path=/v1/decide ' "$T/serve.err") - before))
	[ "$n" -ge 400 ] && break
	sleep 0.02
done
check many-logged "log lines for the 400 decides: $n" [ "$n" = 400 ]
line='ts=[0-9T:.-]+Z method=[A-Z]+ path=[^ ]+ status=[0-9]+ us=[0-9]+'
line+=' bytes=[0-9]+ actor=[^ ]+( end=[a-z_]+)?'
line+='|[a-z][a-z ]*: .*|listening on .*'  # the lines at start
torn=$(grep -v -E "^($line)$" "$T/serve.err" | head -n 3)
check log-lines-whole "log lines torn or run together: ${torn:-none}" \
	[ -z "$torn" ]

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
