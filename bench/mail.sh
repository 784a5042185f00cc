#!/usr/bin/env bash
# mail.sh: how fast the outbox sends customer mail through a local SMTP
# server, as a ratio to the API's case-open rate in the same run (bench;
# `make bench` calls it).
#
#   bench/mail.sh BUILD_DIR
#
# 1. `aftercare serve` without --smtp on the demo shop: wrk opens cases
#    (POST /v1/cases, 16 connections, DUR seconds): the case-open rate.
#    Each case writes its "case opened" mail to the outbox, in its
#    transaction; without --smtp the rows wait.
# 2. The server again on the same database, with --smtp to
#    tests/api/smtp_sink.py (aiosmtpd, a file per message) and
#    --outbox-workers W: the time until every waiting mail is in the sink
#    gives mails per second (rendered from the stored case in the portal's
#    words, sent, marked sent).
# Needs wrk, curl, sqlite3 and python3-aiosmtpd (scripts/deps.sh bench
# test). Listens on 127.0.0.1 only, works in a temporary directory and
# kills what it started.
#
# Environment: BENCH_QUICK=1 (1 s of opening), MAIL_WORKERS=W (default 4).
# The table is saved as BUILD_DIR/bench-out/mail/table.txt.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: bench/mail.sh BUILD_DIR" >&2; exit 2; }
B=$(cd "$1" 2>/dev/null && pwd) || { echo "mail.sh: no such directory: $1" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$B/aftercare
[ -x "$BIN" ] || { echo "mail.sh: $BIN is missing (make)" >&2; exit 2; }
for tool in wrk curl sqlite3; do
	command -v "$tool" >/dev/null ||
		{ echo "mail.sh: $tool is missing (scripts/deps.sh bench)" >&2; exit 2; }
done
PY=/usr/bin/python3
$PY -c 'import aiosmtpd' 2>/dev/null ||
	{ echo "mail.sh: python3-aiosmtpd is missing (scripts/deps.sh test)" >&2; exit 2; }
DUR=5
[ "${BENCH_QUICK:-0}" = 1 ] && DUR=1
W=${MAIL_WORKERS:-4}
OUT=$B/bench-out/mail
mkdir -p "$OUT"
T=$(mktemp -d) || exit 2
SPID=''
SINK=''
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null && wait "$SINK" 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT

start() {  # start ARGS..: serve on the database; sets U
	"$BIN" serve --db "$T/m.db" --listen 127.0.0.1:0 "$@" 2>"$T/serve.err" &
	SPID=$!
	for _ in $(seq 200); do
		grep -q '^listening on' "$T/serve.err" && break
		sleep 0.05
	done
	U=$(sed -n 's|^listening on ||p' "$T/serve.err")
	[ -n "$U" ] || { echo "mail.sh: serve did not start: $(cat "$T/serve.err")" >&2; exit 1; }
}
stop() { kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=; }
now() { date +%s.%N; }

"$BIN" demo --db "$T/m.db" >/dev/null 2>&1 || { echo "mail.sh: demo failed" >&2; exit 1; }
TOKEN=$("$BIN" token add bench --db "$T/m.db" 2>/dev/null | tail -n 1)
before=$(sqlite3 "$T/m.db" "SELECT count(*) FROM outbox WHERE kind = 'mail'")

# 1. the API's case-open rate (the mail rows wait)
start
AFTERCARE_TOKEN=$TOKEN wrk -t1 -c16 -d"${DUR}s" \
	-s "$HERE/wrk/open_case.lua" "$U/v1/cases" >"$OUT/wrk-open.txt" 2>&1
stop
open_rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/wrk-open.txt")
[ -n "$open_rps" ] || { echo "mail.sh: wrk: $(head -c 300 "$OUT/wrk-open.txt")" >&2; exit 1; }
N=$(sqlite3 "$T/m.db" "SELECT count(*) FROM outbox WHERE kind = 'mail' AND status = 'pending'")
opened=$((N - before))

# 2. the mails sent: every waiting row, through the sink
$PY "$HERE/../tests/api/smtp_sink.py" --dir "$T/mail" --quiet >"$T/sink.out" 2>&1 &
SINK=$!
for _ in $(seq 100); do grep -q '^port ' "$T/sink.out" && break; sleep 0.05; done
SPORT=$(sed -n 's/^port //p' "$T/sink.out")
[ -n "$SPORT" ] || { echo "mail.sh: the sink did not start" >&2; exit 1; }
t0=$(now)
start --smtp "smtp://127.0.0.1:$SPORT" --mail-from desk@shop.example \
	--public-url http://shop.example --outbox-workers "$W"
got=0
for _ in $(seq 6000); do
	got=$(find "$T/mail" -name '*.eml' | wc -l)
	[ "$got" -ge "$N" ] && break
	sleep 0.05
done
t1=$(now)
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
cpu_serve=$(cpu "$SPID")
cpu_sink=$(cpu "$SINK")
stop
[ "$got" -ge "$N" ] || { echo "mail.sh: only $got of $N mails arrived" >&2; exit 1; }
dead=$(sqlite3 "$T/m.db" "SELECT count(*) FROM outbox WHERE status <> 'sent'")
mail_rps=$(echo "$N $t0 $t1" | awk '{printf "%.0f", $1 / ($3 - $2)}')
ratio=$(echo "$mail_rps $open_rps" | awk '{printf "%.2f", $1 / $2}')
{
	printf 'mail: cases opened through the API  %8.0f /s  (%d in %d s, wrk 16 connections)\n' \
		"$open_rps" "$opened" "$DUR"
	printf 'mail: mails sent through SMTP       %8d /s  (%d mails, %d workers, aiosmtpd on loopback; %d not sent)\n' \
		"$mail_rps" "$N" "$W" "$dead"
	printf 'mail: CPU seconds while sending: aftercare %s, the sink (Python) %s, of %.1f s\n' \
		"$cpu_serve" "$cpu_sink" "$(echo "$t0 $t1" | awk '{print $2 - $1}')"
	printf 'mail: ratio mails/s to case opens/s %8s\n' "$ratio"
} | tee "$OUT/table.txt"
[ "$dead" -eq 0 ]
