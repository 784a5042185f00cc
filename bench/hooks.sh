#!/usr/bin/env bash
# hooks.sh: how fast `aftercare serve` takes couriers' tracking webhooks,
# as a ratio to the API's case-open rate in the same run (bench; `make
# bench` calls it).
#
#   bench/hooks.sh BUILD_DIR
#
# On the demo shop with 200 more shipped orders, each with a parcel and an
# open not_received case: wrk (1 thread, 16 connections, DUR seconds)
# opens cases (POST /v1/cases): the case-open rate; then posts signed
# AfterShip events (POST /v1/hooks/aftership/bench), each a new event id,
# a "Delivered" of one of the parcels at a later time than the last:
# checked (HMAC-SHA256), recorded once, applied to the shipment and the
# order's open cases decided again, answered after the commit. The events
# are made (and signed) beforehand by python3, so wrk sends only bytes.
# Needs wrk, curl, sqlite3, python3. Listens on 127.0.0.1 only, works in a
# temporary directory and kills what it started.
#
# Environment: BENCH_QUICK=1 (1 s runs). The table is saved as
# BUILD_DIR/bench-out/hooks/table.txt.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: bench/hooks.sh BUILD_DIR" >&2; exit 2; }
B=$(cd "$1" 2>/dev/null && pwd) || { echo "hooks.sh: no such directory: $1" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$B/aftercare
[ -x "$BIN" ] || { echo "hooks.sh: $BIN is missing (make)" >&2; exit 2; }
for tool in wrk curl sqlite3 python3; do
	command -v "$tool" >/dev/null ||
		{ echo "hooks.sh: $tool is missing (scripts/deps.sh bench)" >&2; exit 2; }
done
DUR=5
[ "${BENCH_QUICK:-0}" = 1 ] && DUR=1
ORDERS=200
OUT=$B/bench-out/hooks
mkdir -p "$OUT"
T=$(mktemp -d) || exit 2
SPID=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT

DB=$T/h.db
"$BIN" demo --db "$DB" >/dev/null 2>&1 || { echo "hooks.sh: demo failed" >&2; exit 1; }
TOKEN=$("$BIN" token add bench --db "$DB" 2>/dev/null | tail -n 1)
SECRET=bench-secret-0123456789abcdef
printf '%s\n' "$SECRET" | "$BIN" hook add aftership bench --db "$DB" >/dev/null 2>&1
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 2>"$T/serve.err" &
SPID=$!
for _ in $(seq 200); do grep -q '^listening on' "$T/serve.err" && break; sleep 0.05; done
U=$(sed -n 's|^listening on ||p' "$T/serve.err")
[ -n "$U" ] || { echo "hooks.sh: serve did not start: $(cat "$T/serve.err")" >&2; exit 1; }

# the orders, their parcels and a case on each (JSON Lines import)
python3 - "$ORDERS" >"$T/orders.jsonl" <<'PY'
import json, sys, datetime
now = datetime.datetime.now(datetime.timezone.utc)
t = lambda d: (now - datetime.timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ")
a = {"name": "Ana Li", "line1": "5 Quay St", "city": "Auckland",
     "postal_code": "1010", "country": "NZ"}
for i in range(int(sys.argv[1])):
    print(json.dumps({"id": "B-%d" % i, "placed_at": t(14), "currency": "USD",
        "shipping_minor": 1500, "address": a,
        "items": [{"line": 1, "sku": "R", "kind": "ring", "style": "halo",
                   "shape": "oval", "material": "gold", "color": "white",
                   "size": "7", "price_minor": 52000}],
        "customer": {"name": "Ana Li", "email": "ana@example.com"},
        "shipment": {"shipped_at": t(10), "address": a,
                     "courier_finding": "none", "customs": "none"}}))
PY
A=(-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json")
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" \
	-H "Content-Type: application/x-ndjson" \
	"$U/v1/orders/import" --data-binary @"$T/orders.jsonl"
for ((i = 0; i < ORDERS; i++)); do
	curl -s -o /dev/null -X PUT "${A[@]}" "$U/v1/orders/B-$i/parcel" \
		-d '{"carrier":"ups","tracking_code":"1ZB'"$i"'"}'
	curl -s -o /dev/null "${A[@]}" "$U/v1/cases" \
		-d '{"order":"B-'"$i"'","claim":{"type":"not_received"}}'
done
parcels=$(sqlite3 "$DB" "SELECT count(*) FROM parcels")
[ "$parcels" = "$ORDERS" ] || { echo "hooks.sh: $parcels parcels of $ORDERS" >&2; exit 1; }

# the events, signed: more than any run can send
python3 - "$SECRET" "$ORDERS" 60000 >"$T/events" <<'PY'
import base64, datetime, hashlib, hmac, json, sys
secret, orders, n = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3])
base = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=5)
for i in range(n):
    at = (base + datetime.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json.dumps({"event": "tracking_update", "event_id": "b-%d" % i,
        "msg": {"slug": "ups", "tracking_number": "1ZB%d" % (i % orders),
                "tag": "Delivered", "subtag": "Delivered_001",
                "checkpoints": [{"checkpoint_time": at,
                                 "message": "delivered"}]}},
        separators=(",", ":"))
    sig = base64.b64encode(hmac.new(secret, body.encode(),
                                    hashlib.sha256).digest()).decode()
    print(sig + "\t" + body)
PY

AFTERCARE_TOKEN=$TOKEN AFTERCARE_ORDER=D-1004 wrk -t1 -c16 -d"${DUR}s" \
	-s "$HERE/wrk/open_case.lua" "$U/v1/cases" >"$OUT/wrk-open.txt" 2>&1
open_rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/wrk-open.txt")
AFTERCARE_HOOKS=$T/events wrk -t1 -c16 -d"${DUR}s" --latency \
	-s "$HERE/wrk/hook.lua" "$U/v1/hooks/aftership/bench" >"$OUT/wrk-hook.txt" 2>&1
hook_rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/wrk-hook.txt")
if [ -z "$open_rps" ] || [ -z "$hook_rps" ]; then
	echo "hooks.sh: wrk: $(head -c 300 "$OUT/wrk-hook.txt")" >&2
	exit 1
fi
non2xx=$(awk '/Non-2xx/ {print $NF}' "$OUT/wrk-hook.txt")
kill "$SPID"; wait "$SPID" 2>/dev/null; SPID=
applied=$(sqlite3 "$DB" "SELECT count(*) FROM hook_events WHERE status = 'applied'")
other=$(sqlite3 "$DB" "SELECT count(*) FROM hook_events WHERE status <> 'applied'")
p50=$(awk '$1 == "50%" {print $2}' "$OUT/wrk-hook.txt")
ratio=$(echo "$hook_rps $open_rps" | awk '{printf "%.2f", $1 / $2}')
{
	printf 'hooks: cases opened through the API    %8.0f /s  (wrk 16 connections, %d s)\n' \
		"$open_rps" "$DUR"
	printf 'hooks: AfterShip webhooks taken        %8.0f /s  (%d applied, %d otherwise, %s non-2xx; p50 %s)\n' \
		"$hook_rps" "$applied" "$other" "${non2xx:-0}" "${p50:-?}"
	printf 'hooks: ratio webhooks/s to case opens/s %7s\n' "$ratio"
} | tee "$OUT/table.txt"
[ "${non2xx:-0}" = 0 ] && [ "$other" = 0 ]
