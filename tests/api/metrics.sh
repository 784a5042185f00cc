#!/bin/bash
# metrics.sh: GET /metrics over HTTP. 401 without a token; after N case
# openings, M case reads and K 404s the request counters and the
# histogram counts of those routes move by exactly that much; the cases
# gauge follows; every line is a comment or `name{labels} value`.
# Usage: tests/api/metrics.sh BIN    (exit 1 if any check failed)
set -u
[ $# -eq 1 ] || { echo "usage: $0 BIN" >&2; exit 2; }
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d) || exit 2
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf -- "$T"' EXIT
# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"

serve_demo metrics
AUTH="Authorization: Bearer $TOKEN"

code=$(curl -s -o "$T/noauth" -w '%{http_code}' "$U/metrics")
check "GET /metrics without a token is 401" "$code" test "$code" = 401
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer x' \
	"$U/metrics")
check "and with a wrong token 401" "$code" test "$code" = 401

scrape() { curl -s -H "$AUTH" -o "$1" -w '%{http_code} %{content_type}' \
	"$U/metrics"; }
# val FILE SERIES: the value of the line that starts with SERIES (0: none)
val() { awk -v s="$2" 'index($0, s) == 1 { v = $NF } END { print v + 0 }' "$1"; }

out=$(scrape "$T/m0")
check "GET /metrics with a token is 200 text/plain" "$out" \
	test "${out%% *}" = 200 -a "$(echo "$out" | grep -c 'text/plain')" = 1

N=7 M=5 K=3
ids=()
for ((i = 0; i < N; i++)); do
	id=$(curl -s -H "$AUTH" -H 'Content-Type: application/json' \
		"$U/v1/cases" \
		-d '{"order":"D-1003","claim":{"type":"not_received"}}' |
		sed -n 's/.*"id": *"\(C-[0-9]*\)".*/\1/p')
	ids+=("$id")
done
for ((i = 0; i < M; i++)); do
	curl -s -o /dev/null -H "$AUTH" "$U/v1/cases/${ids[0]}"
done
for ((i = 0; i < K; i++)); do
	curl -s -o /dev/null -H "$AUTH" "$U/no/such/route"
done
scrape "$T/m1" >/dev/null

post='aftercare_http_requests_total{method="POST",route="/v1/cases",class="2xx"}'
get='aftercare_http_requests_total{method="GET",route="/v1/cases/{id}",class="2xx"}'
nf='aftercare_http_requests_total{method="",route="unmatched",class="4xx"}'
pc='aftercare_http_request_duration_seconds_count{method="POST",route="/v1/cases"}'
pinf='aftercare_http_request_duration_seconds_bucket{method="POST",route="/v1/cases",le="+Inf"}'
gc='aftercare_http_request_duration_seconds_count{method="GET",route="/v1/cases/{id}"}'
for s in "$post:$N" "$get:$M" "$nf:$K" "$pc:$N" "$pinf:$N" "$gc:$M"; do
	series=${s%:*} want=${s##*:}
	d=$(($(val "$T/m1" "$series") - $(val "$T/m0" "$series")))
	check "$series moved by $want" "moved by $d" test "$d" = "$want"
done
mc='aftercare_http_requests_total{method="GET",route="/metrics",class="2xx"}'
d=$(($(val "$T/m1" "$mc") - $(val "$T/m0" "$mc")))
check "the first scrape is counted once in the second (/metrics 2xx +1)" \
	"moved by $d" test "$d" = 1
all1=$(awk '/^aftercare_cases\{/ {s += $NF} END {print s + 0}' "$T/m1")
all0=$(awk '/^aftercare_cases\{/ {s += $NF} END {print s + 0}' "$T/m0")
check "aftercare_cases over all states grew by $N" "$all0 -> $all1" \
	test $((all1 - all0)) = "$N"

# histogram buckets are cumulative: never decreasing, +Inf == _count
bad_h=$(awk '/_bucket\{/ { k = $0; sub(/,le=.*/, "", k);
	if (k == pk && $NF + 0 < pv) print; pk = k; pv = $NF + 0 }' "$T/m1")
check "bucket counts never decrease within a series" "$bad_h" test -z "$bad_h"

start=$(val "$T/m1" aftercare_process_start_time_seconds)
now=$(date +%s)
check "process start time is within the last minute ($start, now $now)" \
	"$start" test "$start" -le "$now" -a "$start" -gt $((now - 60))
check "aftercare_db_errors_total is there" "" \
	grep -q '^aftercare_db_errors_total [0-9][0-9]*$' "$T/m1"

badl=$(grep -Ev '^(#( (HELP|TYPE) [a-z_]+ .*)?|[a-z_][a-z0-9_]*(\{([a-z_]+="[^"\\]*")(,[a-z_]+="[^"\\]*")*\})? [0-9]+(\.[0-9]+)?)$' "$T/m1" | head -n 3)
check "every line is a comment or name{labels} value ($(wc -l <"$T/m1") lines)" \
	"$badl" test -z "$badl"
typed=$(awk '/^# TYPE/ {t[$3] = 1} /^[a-z]/ { n = $1; sub(/\{.*/, "", n);
	b = n; sub(/_(bucket|sum|count)$/, "", b);
	if (!(n in t) && !(b in t)) print n }' "$T/m1" | sort -u)
check "every series has a # TYPE" "$typed" test -z "$typed"

echo "metrics.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
