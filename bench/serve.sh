#!/usr/bin/env bash
# serve.sh: how fast `aftercare serve` answers over HTTP, next to nginx
# answering a fixed reply (the limit for one process on loopback) and to
# SQLite's own rate for one fsync'd row per transaction, all measured in
# the same run (bench; `make bench` calls it).
#
#   bench/serve.sh BUILD_DIR
#
# Needs wrk, nginx and curl (scripts/deps.sh bench), BUILD_DIR/aftercare and
# BUILD_DIR/bench/bench_sqlite (built here with gcc when missing). Installs
# nothing, listens on 127.0.0.1 only, works in a temporary directory and
# kills what it started on exit.
#
# wrk: 1 thread, 64 connections, a 1 s warm-up then a 5 s measured run
# (--latency) for each of: nginx's fixed reply; GET /healthz; POST
# /v1/decide with the worked example of CONTRACT.md, and with the same
# example grown to 40 rings (wrk/decide_lines.lua); GET /v1/cases/{id};
# POST /v1/cases (each answered after its commit), with bench_sqlite (WAL,
# synchronous=FULL, one INSERT per transaction, 2000 rows) right before and
# right after it; and the server's VmHWM. With two CPUs or more the
# servers (nginx, aftercare) run on CPU 0 and wrk on CPU 1 (taskset); then
# both POST /v1/decide run again on a server given every CPU, and the CPU
# time the 40-ring one used is divided by the run's length: the cores it
# kept busy (with the one-ring example wrk is the limit, not the server).
#
# Environment:
#   BENCH_QUICK=1   every run 1 s (and 200 SQLite rows): a smoke run
#
# The table is also saved as BUILD_DIR/bench-out/serve/table.txt, with the
# wrk outputs beside it. Exit status 0 when every run worked (targets met or
# not), 1 when something failed (a server did not start, an answer was not
# the expected one), 2 on bad usage or a missing tool.
set -uo pipefail

if [ $# -ne 1 ]; then
	echo "usage: bench/serve.sh BUILD_DIR" >&2
	exit 2
fi
B=$(cd "$1" 2>/dev/null && pwd) || { echo "serve.sh: no such directory: $1" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$B/aftercare
[ -x "$BIN" ] || { echo "serve.sh: $BIN is missing (make)" >&2; exit 2; }
for tool in wrk nginx curl; do
	command -v "$tool" >/dev/null ||
		{ echo "serve.sh: $tool is missing (scripts/deps.sh bench)" >&2; exit 2; }
done

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	DUR=1; ROWS=200
else
	DUR=5; ROWS=2000
fi
WARM=1
CONNS=64
OUT=$B/bench-out/serve
mkdir -p "$OUT"
rm -f "$OUT"/*.txt

T=$(mktemp -d) || exit 2
NPID=
SPID=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	local p i kids=
	exec 2>/dev/null    # no "Killed" notices from the shell
	[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
	if [ -n "$NPID" ]; then
		# nginx's master stops its worker on SIGTERM; a SIGKILL would
		# orphan it, so the worker is killed by its own pid after that.
		kids=$(cat "/proc/$NPID/task/$NPID/children" 2>/dev/null)
		kill -TERM "$NPID" 2>/dev/null
		for ((i = 0; i < 80; i++)); do
			kill -0 "$NPID" 2>/dev/null || break
			sleep 0.025
		done
		for p in $NPID $kids; do
			kill -9 "$p" 2>/dev/null
		done
	fi
	wait 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

FAILED=0
fail() { echo "serve.sh: $*" >&2; FAILED=1; }

# One core for the servers, another for wrk, when there are two.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	ON_SERVER=(taskset -c 0)
	ON_CLIENT=(taskset -c 1)
else
	ON_SERVER=()
	ON_CLIENT=()
fi

# ---- bench_sqlite ------------------------------------------------------------
BS=$B/bench/bench_sqlite
if [ ! -x "$BS" ]; then
	BS=$T/bench_sqlite
	# shellcheck disable=SC2046
	gcc -O2 -o "$BS" "$HERE/bench_sqlite.c" $(pkg-config --cflags --libs sqlite3) ||
		{ echo "serve.sh: cannot build bench_sqlite" >&2; exit 2; }
fi

# ---- nginx: the limit ------------------------------------------------------------
# A port nothing answers on; nginx is tried on a few in case of a race.
free_port() {
	local p i
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + RANDOM % 40000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}
# wait_http URL PID: 0 once URL answers, 1 when PID dies or after 10 s.
wait_http() {
	local i
	for ((i = 0; i < 400; i++)); do
		curl -s -o /dev/null --max-time 1 "$1" && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.025
	done
	return 1
}

USER_LINE=
[ "$(id -u)" = 0 ] && USER_LINE="user $(id -un) $(id -gn);"
NDIR=$T/nginx
mkdir -p "$NDIR"
NPORT=
for ((try = 0; try < 5; try++)); do
	NPORT=$(free_port) || break
	sed -e "s|@DIR@|$NDIR|g" -e "s|@PORT@|$NPORT|g" -e "s|@USER@|$USER_LINE|" \
		"$HERE/nginx.conf.in" >"$NDIR/nginx.conf"
	"${ON_SERVER[@]}" nginx -c "$NDIR/nginx.conf" -p "$NDIR" -g 'daemon off;' \
		2>"$NDIR/stderr" &
	NPID=$!
	wait_http "http://127.0.0.1:$NPORT/" "$NPID" && break
	kill -9 "$NPID" 2>/dev/null
	wait "$NPID" 2>/dev/null
	NPID=
done
if [ -z "$NPID" ]; then
	echo "serve.sh: nginx did not start: $(cat "$NDIR/stderr" "$NDIR/error.log" 2>/dev/null | head -c 600)" >&2
	exit 1
fi
NURL=http://127.0.0.1:$NPORT/

# ---- aftercare serve: a fresh database, the demo orders, a token -----------------
DB=$T/desk.db
TOKEN=$("$BIN" token add bench --db "$DB" 2>/dev/null | tail -n 1)
[[ $TOKEN =~ ^[0-9a-f]{64}$ ]] || { echo "serve.sh: token add printed no token: '$TOKEN'" >&2; exit 1; }
"$BIN" demo --db "$DB" >/dev/null 2>&1 || { echo "serve.sh: aftercare demo failed" >&2; exit 1; }
# start_serve ERRFILE [taskset...]: starts the server, sets SPID and AURL.
start_serve() {
	local err=$1 i
	shift
	"$@" "$BIN" serve --db "$DB" --listen 127.0.0.1:0 2>"$err" &
	SPID=$!
	APORT=
	for ((i = 0; i < 400; i++)); do
		APORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$err" | head -n 1)
		[ -n "$APORT" ] && break
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.025
	done
	[ -n "$APORT" ] || { echo "serve.sh: aftercare serve did not start: $(head -c 600 "$err")" >&2; exit 1; }
	AURL=http://127.0.0.1:$APORT
}
start_serve "$T/serve.err" "${ON_SERVER[@]}"
export AFTERCARE_TOKEN=$TOKEN AFTERCARE_ORDER=D-1004

# show REQUEST: the exact request and the server's answer, for the report.
show() {
	local what=$1
	shift
	echo "    request:  $what" >&2
	echo "    response: $(curl -s -i --max-time 5 "$@" | tr -d '\r' | tr '\n' ' ' | head -c 900)" >&2
}

# The requests answer as they should before they are timed.
DECIDE_BODY=$(sed -n '/^wrk.body = \[\[/,/\]\]$/p' "$HERE/wrk/decide.lua" |
	sed -e 's/^wrk.body = \[\[//' -e 's/\]\]$//')
got=$(curl -s --max-time 5 -w '\n%{http_code}' -H 'Content-Type: application/json' \
	--data-binary "$DECIDE_BODY" "$AURL/v1/decide")
if [ "${got##*$'\n'}" != 200 ] || ! grep -q '"verdict":"full_refund"' <<<"$got"; then
	fail "POST /v1/decide (the worked example) did not answer 200 full_refund"
	show "POST $AURL/v1/decide (Content-Type: application/json) <the worked example>" \
		-H 'Content-Type: application/json' --data-binary "$DECIDE_BODY" "$AURL/v1/decide"
fi
CASE_BODY='{"order": "D-1004", "claim": {"type": "damaged", "defects": ["broken"]}}'
got=$(curl -s --max-time 5 -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN" \
	-H 'Content-Type: application/json' --data-binary "$CASE_BODY" "$AURL/v1/cases")
CASE_ID=$(sed -n '1s/^{"id":"\([^"]*\)".*/\1/p' <<<"$got")
if [ "${got##*$'\n'}" != 201 ] || [ -z "$CASE_ID" ]; then
	echo "serve.sh: POST /v1/cases did not open a case" >&2
	show "POST $AURL/v1/cases (Bearer token, Content-Type: application/json) $CASE_BODY" \
		-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		--data-binary "$CASE_BODY" "$AURL/v1/cases"
	exit 1
fi

# ---- the wrk runs ---------------------------------------------------------------
# cpu_ticks PID: the process's user + system time so far, in clock ticks.
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# cores_used: the server's CPU time in the last run over its length.
cores_used() { awk -v a="$CPU0" -v b="$CPU1" -v hz="$(getconf CLK_TCK)" -v d="$DUR" \
	'BEGIN { printf "%.2f", (b - a) / hz / d }'; }
# bench NAME URL [LUA]: a warm-up, then the measured run into $OUT/NAME.txt;
# sets RPS, P99 (ms), BAD (non-2xx answers + socket errors).
bench() {
	local name=$1 url=$2 lua=${3:-} f=$OUT/$1.txt
	local -a s=()
	[ -n "$lua" ] && s=(-s "$HERE/wrk/$lua")
	"${ON_CLIENT[@]}" wrk -t1 -c"$CONNS" -d"${WARM}s" "${s[@]}" "$url" \
		>"$OUT/$name.warmup.txt" 2>&1
	CPU0=$(cpu_ticks "$SPID")
	"${ON_CLIENT[@]}" wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "${s[@]}" "$url" >"$f" 2>&1
	CPU1=$(cpu_ticks "$SPID")
	RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$f")
	P99=$(awk '$1 == "99%" { n = $2 + 0; u = $2; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n }' "$f")
	BAD=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
		/Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i }
		END { print n + 0 }' "$f")
	[ -n "$RPS" ] || { fail "wrk $name: no result: $(head -c 300 "$f")"; RPS=0; }
	[ -n "$P99" ] || P99=0
	if [ "$BAD" != 0 ]; then
		fail "wrk $name: $BAD requests failed (non-2xx or socket errors; see $f)"
	fi
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
T0=$EPOCHREALTIME
bench nginx "$NURL"
N_RPS=$RPS N_P99=$P99
bench healthz "$AURL/healthz"
H_RPS=$RPS H_P99=$P99 H_BAD=$BAD
bench decide "$AURL/v1/decide" decide.lua
D_RPS=$RPS D_P99=$P99 D_BAD=$BAD
[ "$D_BAD" = 0 ] || show "POST $AURL/v1/decide (Content-Type: application/json) <the worked example>" \
	-H 'Content-Type: application/json' --data-binary "$DECIDE_BODY" "$AURL/v1/decide"
bench decide_lines "$AURL/v1/decide" decide_lines.lua
DL_RPS=$RPS DL_BAD=$BAD
bench get_case "$AURL/v1/cases/$CASE_ID" get_case.lua
G_RPS=$RPS G_P99=$P99 G_BAD=$BAD
[ "$G_BAD" = 0 ] || show "GET $AURL/v1/cases/$CASE_ID (Bearer token)" \
	-H "Authorization: Bearer $TOKEN" "$AURL/v1/cases/$CASE_ID"

# SQLite alone on the same disk, right before and right after the server's
# writes (fsync times on shared disks drift): the reference is the mean.
sqlite_rate() { # sqlite_rate NAME: rows/s of one bench_sqlite run
	"$BS" "$T/$1.db" "$ROWS" >"$OUT/$1.txt" 2>&1 || return 0
	sed -n 's/.*: \([0-9.]*\) rows\/s$/\1/p' "$OUT/$1.txt"
}
S1=$(sqlite_rate bench_sqlite_before)
bench open_case "$AURL/v1/cases" open_case.lua
C_RPS=$RPS C_P99=$P99 C_BAD=$BAD
[ "$C_BAD" = 0 ] || show "POST $AURL/v1/cases (Bearer token, Content-Type: application/json) $CASE_BODY" \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	--data-binary "$CASE_BODY" "$AURL/v1/cases"
S2=$(sqlite_rate bench_sqlite_after)
for f in before after; do
	grep -q 'rows/s$' "$OUT/bench_sqlite_$f.txt" ||
		fail "bench_sqlite failed: $(head -c 300 "$OUT/bench_sqlite_$f.txt")"
done
S_RPS=$(awk -v a="$S1" -v b="$S2" 'BEGIN { if (a == "" || b == "") print 0; else print (a + b) / 2 }')

# Peak memory: the server's VmHWM; nginx's worker (the one that answered).
hwm() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
A_MEM=$(hwm "$SPID")
NWORKER=$(awk '{ print $1 }' "/proc/$NPID/task/$NPID/children" 2>/dev/null)
N_MEM=$( [ -n "$NWORKER" ] && hwm "$NWORKER")
kill -0 "$SPID" 2>/dev/null || fail "aftercare serve died during the run: $(tail -c 400 "$T/serve.err")"

# POST /v1/decide again on a server given every CPU (wrk keeps its own).
if [ ${#ON_SERVER[@]} -gt 0 ]; then
	kill "$SPID"
	wait "$SPID" 2>/dev/null
	start_serve "$T/serve-all.err"
	bench decide_all_cpus "$AURL/v1/decide" decide.lua
	DA_RPS=$RPS DA_BAD=$BAD
	bench decide_lines_all_cpus "$AURL/v1/decide" decide_lines.lua
	DLA_RPS=$RPS DLA_BAD=$BAD
	DLA_CORES=$(cores_used)
fi
T1=$EPOCHREALTIME

# ---- the table --------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0 || a == "") print "n/a"; else printf "%.2fx\n", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "" && a + 0 >= b + 0) ? "yes" : "NO" }'; }
lt() { awk -v a="$1" -v b="$2" 'BEGIN { print (a != "" && a + 0 < b + 0) ? "yes" : "NO" }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 == 0 || a == "") ? "" : a / b }'; }
rps() { awk -v x="$1" 'BEGIN { printf "%.0f/s\n", x }'; }
ms() { awk -v x="$1" 'BEGIN { printf "%.2f ms\n", x }'; }
bad() { [ "$1" = 0 ] && echo "$2" || echo "NO ($1 failed)"; }
row() { printf '%-32s %-11s %-30s %-7s %-12s %s\n' "$@"; }
{
echo "aftercare serve: wrk 1 thread, $CONNS connections, ${DUR} s after ${WARM} s warm-up, loopback;" \
	"$(nproc) CPUs, load average $LOAD0 at the start"
row "figure" "ours" "reference" "ratio" "target" "met?"
row "GET /healthz" "$(rps "$H_RPS")" "nginx fixed reply $(rps "$N_RPS")" \
	"$(ratio "$H_RPS" "$N_RPS")" ">= 0.80x" "$(bad "$H_BAD" "$(ge "$(div "$H_RPS" "$N_RPS")" 0.8)")"
row "GET /v1/cases/{id}" "$(rps "$G_RPS")" "GET /healthz $(rps "$H_RPS")" \
	"$(ratio "$G_RPS" "$H_RPS")" ">= 0.80x" "$(bad "$G_BAD" "$(ge "$(div "$G_RPS" "$H_RPS")" 0.8)")"
row "POST /v1/decide (example)" "$(rps "$D_RPS")" "GET /healthz $(rps "$H_RPS")" \
	"$(ratio "$D_RPS" "$H_RPS")" ">= 0.60x" "$(bad "$D_BAD" "$(ge "$(div "$D_RPS" "$H_RPS")" 0.6)")"
row "POST /v1/decide, 40 lines" "$(rps "$DL_RPS")" "GET /healthz $(rps "$H_RPS")" \
	"$(ratio "$DL_RPS" "$H_RPS")" "-" "$(bad "$DL_BAD" "-")"
if [ -n "${DLA_CORES:-}" ]; then
# the one-ring example: wrk, on the other CPU, is the limit (information)
row "POST /v1/decide, every CPU" "$(rps "$DA_RPS")" "on one CPU $(rps "$D_RPS")" \
	"$(ratio "$DA_RPS" "$D_RPS")" "-" "$(bad "$DA_BAD" "-")"
# 40 lines, the server's work several times wrk's: more than one core,
# 1.2 at least, as wrk shares the two (the label says the figure the
# check uses)
row "POST /v1/decide, 40 l., all CPUs" "$(rps "$DLA_RPS")" "on one CPU $(rps "$DL_RPS")" \
	"$(ratio "$DLA_RPS" "$DL_RPS")" ">= 1.2 cores" \
	"$(bad "$DLA_BAD" "$(ge "$DLA_CORES" 1.2) ($DLA_CORES cores busy)")"
fi
row "POST /v1/decide p99" "$(ms "$D_P99")" "nginx p99 $(ms "$N_P99")" \
	"$(ratio "$D_P99" "$N_P99")" "< 5 ms" "$(bad "$D_BAD" "$(lt "$D_P99" 5)")"
row "GET /v1/cases/{id} p99" "$(ms "$G_P99")" "nginx p99 $(ms "$N_P99")" \
	"$(ratio "$G_P99" "$N_P99")" "< 5 ms" "$(bad "$G_BAD" "$(lt "$G_P99" 5)")"
row "POST /v1/cases (committed)" "$(rps "$C_RPS")" "SQLite 1 row/txn $(rps "$S_RPS")" \
	"$(ratio "$C_RPS" "$S_RPS")" ">= 5x" "$(bad "$C_BAD" "$(ge "$(div "$C_RPS" "$S_RPS")" 5)")"
row "server peak memory (VmHWM)" "${A_MEM:-n/a} MiB" "nginx worker ${N_MEM:-n/a} MiB" \
	"$(ratio "$A_MEM" "$N_MEM")" "< 64 MiB" "$(lt "$A_MEM" 64)"
echo "(POST /v1/cases p99 $(ms "$C_P99"); SQLite $(rps "$S1") before, $(rps "$S2") after; took $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.0f", b - a }') s; raw figures: $OUT/)"
} | tee "$OUT/table.txt"

exit "$FAILED"
