#!/usr/bin/env bash
# reports.sh: every report route at a large size (bench; `make bench`
# calls it; issue 9.3).
#
#   bench/reports.sh BUILD_DIR
#
# Builds a SQLite shop of BENCH_CASES cases (default 100,000; the issue's
# figure is 1,000,000: BENCH_CASES=1000000) the way bench/big.sh does: a
# token, the demo orders, one case opened through the API on D-1013 (two
# items: a gold ring and a silver necklace) as the template, then the
# cases copied from it with the sqlite3 shell (bench/big.sql: statuses,
# claim types, deadlines and 20,000 customers spread over two years) and
# refunds on one case in three (bench/reports.sql). The report summaries
# are kept by their triggers as the rows go in, as in a real shop. Then
# it is served (one core for the server, wrk on the other) and measured:
#   - the median latency (wrk -c1) of GET /v1/reports/{name} for every
#     report, over all weeks and over the last 13 weeks;
#   - the console's dashboard (all nine reports, their charts and tables)
#     for a manager: the median of 15 requests (curl);
#   - beside them, the same weekly figures computed the way a report
#     without summaries would, a GROUP BY over cases and ledger in the
#     sqlite3 shell (what the summaries save).
# Target (issue 9): each report in milliseconds (<= 10 ms) at 1,000,000.
#
# Environment:
#   BENCH_CASES=N          cases (default 100000)
#   BENCH_QUICK=1          1 s runs: a smoke run
#   BENCH_REPORTS_KEEP=DIR keep the database in DIR and reuse it next time
#
# Needs wrk, curl, jq and sqlite3. Listens on 127.0.0.1 only; the table is
# also saved as BUILD_DIR/bench-out/reports/table.txt. Exit status 0 when
# every run worked (targets met or not), 1 when something failed, 2 on bad
# usage.
set -uo pipefail

if [ $# -ne 1 ]; then
	echo "usage: bench/reports.sh BUILD_DIR" >&2
	exit 2
fi
B=$(cd "$1" 2>/dev/null && pwd) ||
	{ echo "reports.sh: no such directory: $1" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$B/aftercare
[ -x "$BIN" ] || { echo "reports.sh: $BIN is missing (make)" >&2; exit 2; }
for tool in wrk curl jq sqlite3; do
	command -v "$tool" >/dev/null ||
		{ echo "reports.sh: $tool is missing (scripts/deps.sh bench)" >&2; exit 2; }
done
N=${BENCH_CASES:-100000}
[[ $N =~ ^[1-9][0-9]{0,7}$ ]] ||
	{ echo "reports.sh: a case count from 1 to 99999999, not '$N'" >&2; exit 2; }
if [ "${BENCH_QUICK:-0}" = 1 ]; then DUR=1; else DUR=3; fi
OUT=$B/bench-out/reports
mkdir -p "$OUT"
rm -f "$OUT"/*.txt

T=$(mktemp -d) || exit 2
KEEP=${BENCH_REPORTS_KEEP:-$T}
mkdir -p "$KEEP" || exit 2
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	exec 2>/dev/null
	[ -n "$SPID" ] && kill -9 "$SPID"
	wait
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FAILED=0
fail() { echo "reports.sh: $*" >&2; FAILED=1; }

NAME=reports.sh
# shellcheck source=bench/lib-big.sh
. "$HERE/lib-big.sh"

# make_db DB N: N + 1 cases (the template on D-1013, two items, and N
# copies) with refunds (reports.sql).
make_db() { make_shop "$1" "$2" D-1013 "$HERE/reports.sql"; }

NAMES=(weeks clauses types materials kinds automation durations overdue
	claimants)
db=$KEEP/reports-$N.db
G0=$EPOCHREALTIME
echo "reports.sh: a shop of $((N + 1)) cases" >&2
token=$(make_db "$db" "$N") || exit 1
G1=$EPOCHREALTIME
start_serve "$db"
export AFTERCARE_TOKEN=$token
ncases=$(sqlite3 "$db" "SELECT count(*) FROM cases")
nref=$(sqlite3 "$db" "SELECT count(*) FROM ledger WHERE kind = 'refund'")
nsums=$(sqlite3 "$db" "SELECT count(*) FROM report_sums")
since=$(date -u -d '91 days ago' +%Y-%m-%dT%H:%M:%SZ)
declare -A ALL RECENT
for name in "${NAMES[@]}"; do
	url="$AURL/v1/reports/$name"
	code=$(curl -s -o "$OUT/$name.json" -w '%{http_code}' \
		-H "Authorization: Bearer $token" "$url")
	[ "$code" = 200 ] || fail "$name: GET $url: $code $(head -c 300 "$OUT/$name.json")"
	ALL[$name]=$(median "$name-all" "$url")
	RECENT[$name]=$(median "$name-13w" "$url?from=$since")
done
# the figures agree with the rows (a sanity check at this size)
want=$(sqlite3 "$db" "SELECT sum(amount_minor) FROM ledger WHERE kind = 'refund'")
got=$(jq '[.rows[] | .refunded_minor] | add' "$OUT/weeks.json")
[ "$want" = "$got" ] || fail "weeks: the refunds add up to $got, the ledger to $want"

# the dashboard, for a manager
curl -s -D "$T/h" -o /dev/null "$AURL/console/signin" \
	--data-urlencode user=manager --data-urlencode password=manager-demo-1
cookie=$(sed -n 's/.*ac_staff=\([0-9a-f]*\).*/\1/p' "$T/h" | head -n 1)
for ((i = 0; i < 15; i++)); do
	"${ON_CLIENT[@]}" curl -s -o "$T/dash.html" -w '%{http_code} %{time_total}\n' \
		-b "ac_staff=$cookie" "$AURL/console/reports"
done >"$OUT/dashboard.txt"
grep -qv '^200 ' "$OUT/dashboard.txt" && fail "the dashboard did not answer 200"
DASH=$(awk '{ print $2 * 1000 }' "$OUT/dashboard.txt" | sort -n |
	awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }')
stop_serve

# what a report without summaries would cost: the weekly sums by a
# GROUP BY over the tables, in the sqlite3 shell
SCAN=$( {
	echo ".timer on"
	echo ".output /dev/null"
	echo "SELECT w, cur, sum(n), sum(m) FROM (SELECT opened_at - (((opened_at + 259200000000) % 604800000000) + 604800000000) % 604800000000 AS w, (SELECT currency FROM orders o WHERE o.id = c.order_id) AS cur, 1 AS n, 0 AS m FROM cases c UNION ALL SELECT created_at - (((created_at + 259200000000) % 604800000000) + 604800000000) % 604800000000, currency, 0, amount_minor FROM ledger WHERE kind = 'refund') GROUP BY w, cur;"
} | sqlite3 "$db" 2>&1 | awk '/^Run Time/ { printf "%.0f", $4 * 1000 }')

row() { printf '%-28s %-14s %-14s %s\n' "$@"; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "" && a + 0 <= b + 0) ? "yes" : "NO" }'; }
{
	echo "GET /v1/reports/{name} on SQLite: $ncases cases, $nref refunds," \
		"$nsums summary rows; wrk -c1, ${DUR} s a run, loopback;" \
		"$(nproc) CPUs$([ ${#ON_SERVER[@]} -gt 0 ] && echo ', server on CPU 0, wrk on CPU 1')"
	awk -v a="$G0" -v b="$G1" 'BEGIN { if (b - a > 1) printf "generated (triggers on) in %.0f s\n", b - a }'
	row "median latency" "all weeks" "last 13 weeks" "<= 10 ms"
	for name in "${NAMES[@]}"; do
		row "$name" "${ALL[$name]} ms" "${RECENT[$name]} ms" \
			"$(le "${ALL[$name]}" 10)"
	done
	row "console dashboard (curl)" "$DASH ms" "" "all nine, charts and tables"
	row "weeks by a scan (sqlite3)" "${SCAN:-?} ms" "" "what the summaries save"
} | tee "$OUT/table.txt"
exit "$FAILED"
