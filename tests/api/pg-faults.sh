#!/usr/bin/env bash
# pg-faults.sh: PostgreSQL stopped and started again under load, and the
# server killed with -9 under load (issue 8's faults). Four clients open
# cases without pause while the database is stopped for 3 s and started
# again on the same port. Then: every request was answered (none hung past
# its 15 s limit), each answer is 201 or a 503 problem+json, every case
# answered 201 is in the database and no other was stored (nothing
# half-written), and the server, never restarted, answers 201 again. Then
# the server is killed with -9 while the clients write: every case it
# acknowledged is still there for a new server.
# Usage: tests/api/pg-faults.sh BIN CLUSTER_DIR DSN  (make test-pg-faults
# starts the private cluster). Ends with "N passed, M failed"; exit 1 on
# any failure. Needs curl and psql.
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 BIN CLUSTER_DIR DSN" >&2
	exit 2
fi
BIN=$(realpath -- "$1") || exit 2
CDIR=$2
DSN=$3
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/../.." && pwd)
T=$(mktemp -d) || exit 2
SPID=
cleanup() {
	[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	"$ROOT/scripts/pg-cluster.sh" restart "$CDIR" >/dev/null 2>&1
	rm -rf -- "$T"
}
trap cleanup EXIT

pass=0
fail=0
check() {
	local name=$1 detail=$2
	shift 2
	if "$@" >/dev/null 2>&1; then
		pass=$((pass + 1)); echo "ok   $name"
	else
		fail=$((fail + 1)); echo "FAIL $name: ${detail:0:600}"
	fi
}
psql_() {
	local bin
	bin=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	"$bin/psql" "$DSN" -Atqc "$1"
}

"$BIN" demo --db "$DSN" >/dev/null 2>&1 || { echo "demo failed" >&2; exit 1; }
TOKEN=$("$BIN" token add faults --db "$DSN" 2>/dev/null | tail -n 1)

start_server() {
	: >"$T/serve.err"       # the child truncates it: not soon enough
	"$BIN" serve --db "$DSN" --listen 127.0.0.1:0 2>"$T/serve.err" &
	SPID=$!
	U=
	for _ in $(seq 100); do
		U=$(sed -n 's|^listening on ||p' "$T/serve.err" | head -n 1)
		[ -n "$U" ] && break
		sleep 0.1
	done
	[ -n "$U" ] || { echo "serve did not start: $(cat "$T/serve.err")" >&2; exit 1; }
}

# writer N: opens cases until $T/stop exists; one line per answer:
# "CODE ID SECONDS CONTENT-TYPE".
writer() {
	local n=$1 out
	while [ ! -e "$T/stop" ]; do
		out=$(curl -s -o "$T/w$n.body" --max-time 15 \
			-w '%{http_code} %{time_total} %{content_type}' \
			-H "Authorization: Bearer $TOKEN" \
			-H 'Content-Type: application/json' \
			"$U/v1/cases" -d '{"order":"D-1003","claim":{"type":"not_received"}}')
		id=$(sed -n 's/.*"id":"\(C-[0-9]*\)".*/\1/p' "$T/w$n.body")
		kind=$(sed -n 's/.*"type": *"urn:aftercare:problem:\([a-z-]*\)".*/\1/p' "$T/w$n.body")
		set -- $out
		echo "$1 ${id:--} $2 ${3:--} ${kind:--}" >>"$T/answers.$n"
	done
}

# ---- the database stops and starts under load ----------------------------
start_server
rm -f "$T/stop"
for n in 1 2 3 4; do writer "$n" & done
sleep 2
"$ROOT/scripts/pg-cluster.sh" stop "$CDIR"
sleep 3
"$ROOT/scripts/pg-cluster.sh" restart "$CDIR"
sleep 3
touch "$T/stop"
wait $(jobs -p | grep -v "^$SPID\$") 2>/dev/null
cat "$T"/answers.* >"$T/answers"

n_all=$(wc -l <"$T/answers")
n_ok=$(awk '$1 == 201' "$T/answers" | wc -l)
n_503=$(awk '$1 == 503' "$T/answers" | wc -l)
check "requests were answered while the database was down ($n_all: $n_ok 201, $n_503 503)" \
	"$(sort "$T/answers" | awk '{print $1}' | uniq -c)" \
	test "$n_503" -gt 0 -a "$n_ok" -gt 0
check "every answer is 201 or 503 (no hang, no other status)" \
	"$(awk '$1 != 201 && $1 != 503' "$T/answers" | head -n 5)" \
	test -z "$(awk '$1 != 201 && $1 != 503' "$T/answers")"
check "every 503 is problem+json" \
	"$(awk '$1 == 503 && $4 !~ /problem\+json/' "$T/answers" | head -n 3)" \
	test -z "$(awk '$1 == 503 && $4 !~ /problem\+json/' "$T/answers")"
slow=$(awk '$3 > 6' "$T/answers" | head -n 3)
check "no answer took more than 6 s" "$slow" test -z "$slow"
awk '$1 == 201 {print $2}' "$T/answers" | sort >"$T/acked"
psql_ "SELECT id FROM cases WHERE order_id = 'D-1003' ORDER BY id" | sort >"$T/stored"
# A commit whose connection broke is asked about when the database is back
# (store_commit): kept, it is answered 201. Only when the database stays
# silent past 2 s is it answered 503 store-in-doubt, and then the case may
# be stored: at most one stored case per such answer, never one answered
# 503 store (which means not kept).
n_doubt=$(awk '$1 == 503 && $5 == "store-in-doubt"' "$T/answers" | wc -l)
extra=$(comm -13 "$T/acked" "$T/stored" | wc -l)
check "every case answered 201 is stored ($(wc -l <"$T/acked") acked, $(wc -l <"$T/stored") stored)" \
	"missing: $(comm -23 "$T/acked" "$T/stored" | head -n 5)" \
	test -z "$(comm -23 "$T/acked" "$T/stored")"
check "… and every other stored case had an answer saying it may have been kept ($extra stored unacknowledged, $n_doubt store-in-doubt answers)" \
	"$(comm -13 "$T/acked" "$T/stored" | head -n 5)" \
	test "$extra" -le "$n_doubt"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	"$U/v1/cases" -d '{"order":"D-1003","claim":{"type":"not_received"}}')
check "the same server, never restarted, opens cases again (201)" "$code" test "$code" = 201
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$U/healthz")
check "and its /healthz is 200" "$code" test "$code" = 200

# ---- kill -9 under load ---------------------------------------------------
rm -f "$T"/answers* "$T/stop"
for n in 1 2 3 4; do writer "$n" & done
sleep 3
kill -9 "$SPID"
wait "$SPID" 2>/dev/null
SPID=
touch "$T/stop"
wait 2>/dev/null
cat "$T"/answers.* >"$T/answers"
awk '$1 == 201 {print $2}' "$T/answers" | sort >"$T/acked2"
start_server
psql_ "SELECT id FROM cases WHERE order_id = 'D-1003' ORDER BY id" | sort >"$T/stored2"
missing=$(comm -23 "$T/acked2" "$T/stored2" | head -n 5)
check "kill -9: every case acknowledged ($(wc -l <"$T/acked2")) is there after it" \
	"missing: $missing" test -z "$missing" -a -s "$T/acked2"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
	-H "Authorization: Bearer $TOKEN" "$U/v1/cases/$(head -n 1 "$T/acked2")")
check "a new server reads them (200)" "$code" test "$code" = 200

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
