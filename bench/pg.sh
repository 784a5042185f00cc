#!/usr/bin/env bash
# pg.sh: the case desk on PostgreSQL beside SQLite, in one run (issue 8).
# Cases opened a second (POST /v1/cases, answered after the commit) and case
# reads a second (GET /v1/cases/{id}), with one server and with two servers
# on one database (PostgreSQL: two `serve` on the same DSN; SQLite: two on
# the same file), and the write path as a ratio to pgbench running
# single-row inserts, each its own transaction, with the same number of
# clients. A private cluster is started and stopped (scripts/pg-cluster.sh).
# wrk: 64 connections in all (32 to each of two servers), a 1 s warm-up,
# then DUR seconds (default 5). Needs wrk, curl, PostgreSQL (scripts/deps.sh
# bench pg). Usage: bench/pg.sh BUILD_DIR
set -u
BIN=$(realpath -- "${1:-build}/aftercare") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/.." && pwd)
DUR=${DUR:-5}
CONNS=64
T=$(mktemp -d /tmp/ac-bpg-XXXXXX) && chmod 0755 "$T" || exit 2
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	"$ROOT/scripts/pg-cluster.sh" stop "$T/pg" >/dev/null 2>&1
	rm -rf -- "$T"
}
trap cleanup EXIT
PGBIN=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DSN=$("$ROOT/scripts/pg-cluster.sh" start "$T/pg") || exit 1

# serve DB: a server; appends its URL to URLS.
serve() {
	local err=$T/serve.$RANDOM u=
	"$BIN" serve --db "$1" --listen 127.0.0.1:0 2>"$err" &
	PIDS+=($!)
	for _ in $(seq 200); do
		u=$(sed -n 's|^listening on ||p' "$err" | head -n 1)
		[ -n "$u" ] && break
		sleep 0.05
	done
	[ -n "$u" ] || { echo "pg.sh: serve did not start: $(cat "$err")" >&2; exit 1; }
	URLS+=("$u")
}
stop_all() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait "${PIDS[@]}" 2>/dev/null
	PIDS=()
	URLS=()
}

# run NAME LUA PATH: wrk against every server in URLS at once (CONNS split
# between them); prints the summed requests a second.
run() {
	local lua=$1 path=$2 n=${#URLS[@]} i
	local c=$((CONNS / n))
	for i in "${!URLS[@]}"; do
		wrk -t1 -c"$c" -d1s -s "$HERE/wrk/$lua" "${URLS[$i]}$path" >/dev/null 2>&1 &
	done
	wait $(jobs -p | grep -vxF -f <(printf '%s\n' "${PIDS[@]}")) 2>/dev/null
	for i in "${!URLS[@]}"; do
		wrk -t1 -c"$c" -d"${DUR}s" -s "$HERE/wrk/$lua" "${URLS[$i]}$path" \
			>"$T/wrk.$i" 2>&1 &
	done
	wait $(jobs -p | grep -vxF -f <(printf '%s\n' "${PIDS[@]}")) 2>/dev/null
	cat "$T"/wrk.* | awk '/^Requests\/sec:/ { s += $2 }
		/Non-2xx or 3xx responses:/ { bad += $NF }
		END { if (bad) printf "%.0f(%d bad)", s, bad; else printf "%.0f", s }'
	rm -f "$T"/wrk.*
}

# measure DB: one line of figures for that database.
measure() {
	local db=$1 tok id o1 g1 o2 g2
	"$BIN" demo --db "$db" >/dev/null 2>&1 || { echo "pg.sh: demo on $db failed" >&2; exit 1; }
	tok=$("$BIN" token add bench --db "$db" 2>/dev/null | tail -n 1)
	export AFTERCARE_TOKEN=$tok AFTERCARE_ORDER=D-1004
	URLS=()
	serve "$db"
	id=$(curl -s -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		-d '{"order":"D-1004","claim":{"type":"damaged","defects":["broken"]}}' \
		"${URLS[0]}/v1/cases" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
	o1=$(run open_case.lua /v1/cases)
	g1=$(run get_case.lua "/v1/cases/$id")
	serve "$db"
	o2=$(run open_case.lua /v1/cases)
	g2=$(run get_case.lua "/v1/cases/$id")
	stop_all
	echo "$o1 $g1 $o2 $g2"
}

echo "bench/pg.sh: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), wrk ${CONNS} connections, ${DUR} s runs" >&2
read -r SO1 SG1 SO2 SG2 < <(measure "$T/desk.db")
read -r PO1 PG1 PO2 PG2 < <(measure "$DSN")

# pgbench: one row a transaction, the same clients, the same cluster.
"$PGBIN/psql" "$DSN" -qc "CREATE TABLE bench_one (id bigserial PRIMARY KEY, body text)" >/dev/null
echo "INSERT INTO bench_one (body) VALUES ('{\"order\":\"D-1004\"}');" >"$T/one.sql"
PB=$("$PGBIN/pgbench" -n -c "$CONNS" -j 2 -T "$DUR" -f "$T/one.sql" "$DSN" 2>/dev/null |
	sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2fx", a / b; else print "-" }'; }
printf '\n| figure | SQLite | PostgreSQL | PG / SQLite |\n|---|---|---|---|\n'
printf '| cases opened/s, 1 server | %s | %s | %s |\n' "$SO1" "$PO1" "$(ratio "$PO1" "$SO1")"
printf '| cases opened/s, 2 servers | %s | %s | %s |\n' "$SO2" "$PO2" "$(ratio "$PO2" "$SO2")"
printf '| case reads/s, 1 server | %s | %s | %s |\n' "$SG1" "$PG1" "$(ratio "$PG1" "$SG1")"
printf '| case reads/s, 2 servers | %s | %s | %s |\n' "$SG2" "$PG2" "$(ratio "$PG2" "$SG2")"
printf '\npgbench, one-row insert transactions, %d clients: %s tps\n' "$CONNS" "${PB:-?}"
printf 'cases opened on PostgreSQL (1 server) / pgbench: %s; (2 servers): %s\n' \
	"$(ratio "$PO1" "${PB:-0}")" "$(ratio "$PO2" "${PB:-0}")"
