#!/usr/bin/env bash
# pg-big.sh: case reads on PostgreSQL at a large size against a small one
# (issue 8: at 1,000,000 cases at least 0.8x the rate at 1,000), in one
# run on one private cluster (scripts/pg-cluster.sh). Each size gets a
# database of its own: the demo shop, a template case opened through the
# API, then N - 1 copies made by bench/pg-big.sql (with a progress line);
# then `aftercare serve` on it and wrk GET /v1/cases/{id} on cases drawn
# at random (bench/wrk/get_random_case.lua), 64 connections, a 2 s warm-up,
# then DUR seconds (default 5). Needs wrk, curl, PostgreSQL (scripts/deps.sh
# bench pg). Usage: bench/pg-big.sh BUILD_DIR
#   BENCH_PG_BIG=N    the large size (default 1000000)
#   BENCH_PG_SMALL=N  the small size (default 1000)
set -u
BIN=$(realpath -- "${1:-build}/aftercare") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/.." && pwd)
DUR=${DUR:-5}
SMALL=${BENCH_PG_SMALL:-1000}
BIG=${BENCH_PG_BIG:-1000000}
for n in "$SMALL" "$BIG"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] && [ "$n" -ge 2 ] && [ "$n" -le 9999999 ] || {
		echo "pg-big.sh: a size is a number of cases from 2 to 9999999, not '$n'" >&2
		exit 2
	}
done
T=$(mktemp -d /tmp/ac-bpgb-XXXXXX) && chmod 0755 "$T" || exit 2
SPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	wait 2>/dev/null
	"$ROOT/scripts/pg-cluster.sh" stop "$T/pg" >/dev/null 2>&1
	rm -rf -- "$T"
}
trap cleanup EXIT
PGBIN=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
# shared_buffers holds the big database, as a server tuned for its data
# would (the default 128 MB would measure reads from the OS cache instead;
# PG_BIG_BUFFERS= keeps the default)
DSN=$(PG_CLUSTER_OPTS=${PG_BIG_BUFFERS-"-c shared_buffers=4GB"} \
	"$ROOT/scripts/pg-cluster.sh" start "$T/pg") || exit 1

serve() {
	local i
	"$BIN" serve --db "$1" --listen 127.0.0.1:0 2>"$T/serve.err" &
	SPID=$!
	URL=
	for i in $(seq 200); do
		URL=$(sed -n 's|^listening on ||p' "$T/serve.err" | head -n 1)
		[ -n "$URL" ] && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.05
	done
	echo "pg-big.sh: serve did not start: $(head -c 600 "$T/serve.err")" >&2
	exit 1
}
stop() {
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
}

# measure N: prints the read rate on a database of N cases.
measure() {
	local n=$1 db dsn tok got bad
	db=big$n
	"$PGBIN/createdb" -h "$T/pg" -p "$(cat "$T/pg/port")" -U postgres "$db" || exit 1
	dsn=${DSN/\/aftercare\?//$db?}
	"$BIN" demo --db "$dsn" >/dev/null 2>&1 || { echo "pg-big.sh: demo failed" >&2; exit 1; }
	tok=$("$BIN" token add bench --db "$dsn" 2>/dev/null | tail -n 1)
	serve "$dsn"
	got=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
		-H 'Content-Type: application/json' \
		-d '{"order": "D-1004", "claim": {"type": "damaged", "defects": ["broken"]}}' \
		"$URL/v1/cases")
	stop
	[ "$got" = 201 ] || { echo "pg-big.sh: the template case was not opened ($got)" >&2; exit 1; }
	echo "pg-big.sh: generating $n cases" >&2
	"$PGBIN/psql" "$dsn" -q -v n=$((n - 1)) -f "$HERE/pg-big.sql" 2>&1 |
		tee "$T/gen.log" | sed -n 's/^generated\|^committed/pg-big.sh: &/p' >&2
	[ "${PIPESTATUS[0]}" = 0 ] ||
		{ echo "pg-big.sh: generating failed: $(grep -m1 ERROR "$T/gen.log")" >&2; exit 1; }
	serve "$dsn"
	export AFTERCARE_TOKEN=$tok AFTERCARE_CASES=$n
	wrk -t1 -c64 -d2s -s "$HERE/wrk/get_random_case.lua" "$URL" >/dev/null 2>&1
	wrk -t1 -c64 -d"${DUR}s" -s "$HERE/wrk/get_random_case.lua" "$URL" >"$T/wrk" 2>&1
	# then cases opened on the demo order (after the reads: it adds cases)
	AFTERCARE_ORDER=D-1004 wrk -t1 -c64 -d"${DUR}s" \
		-s "$HERE/wrk/open_case.lua" "$URL/v1/cases" >"$T/wrk-open" 2>&1
	stop
	bad=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } END { print n + 0 }' "$T/wrk")
	[ "$bad" = 0 ] || { echo "pg-big.sh: $bad reads at $n cases were not 200" >&2; exit 1; }
	bad=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } END { print n + 0 }' "$T/wrk-open")
	[ "$bad" = 0 ] || { echo "pg-big.sh: $bad cases opened at $n cases were not 201" >&2; exit 1; }
	awk '/^Requests\/sec:/ { printf "%.0f ", $2 }' "$T/wrk" "$T/wrk-open"
}

read -r small small_open <<<"$(measure "$SMALL")" || exit 1
read -r big big_open <<<"$(measure "$BIG")" || exit 1
[ -n "$small_open" ] && [ -n "$big_open" ] || exit 1
echo "PostgreSQL case reads (GET /v1/cases/{id}, random ids) and cases opened (POST /v1/cases), 64 connections, ${DUR} s"
awk -v s="$small" -v b="$big" -v ns="$SMALL" -v nb="$BIG" 'BEGIN {
	r = b / s
	printf "  reads:  at %d cases %s/s, at %d cases %s/s: %.2fx (target >= 0.80x: %s)\n",
		ns, s, nb, b, r, (r >= 0.8) ? "met" : "NOT met" }'
awk -v s="$small_open" -v b="$big_open" -v ns="$SMALL" -v nb="$BIG" 'BEGIN {
	r = b / s
	printf "  opened: at %d cases %s/s, at %d cases %s/s: %.2fx (>= 0.80x, any size: %s)\n",
		ns, s, nb, b, r, (r >= 0.8) ? "met" : "NOT met" }'
