#!/usr/bin/env bash
# run.sh: the API tests of `aftercare serve`, over real HTTP on loopback.
# Usage: tests/api/run.sh BIN
# Starts BIN serve on a fresh SQLite file under a temporary folder (port 0:
# the port is read from the server's "listening on" line), makes a token
# with BIN token add, and drives every route with curl; jq reads the
# answers. Ends with "N passed, M failed" alone on a line; exit 1 on any
# failure. Needs bash, curl, jq, sha256sum and GNU date; node (with
# tests/api/node_modules, installed by npm ci when missing) to check every
# answer against the OpenAPI description. KEEP=DIR keeps the server's log
# and the answers there. AC_TEST_DB=DSN runs it on that database instead
# (an empty PostgreSQL database: make test-api-pg).
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: tests/api/run.sh BIN" >&2
	exit 2
fi
BIN=$(realpath "$1")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/aftercare-api.XXXXXX")
SERVER_PID=
pass=0
fail=0

cleanup() {
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	if [ -n "${KEEP:-}" ]; then        # KEEP=DIR keeps the log and answers
		mkdir -p "$KEEP" && cp -r "$TMP/server.log" "$TMP/rec" "$KEEP"/
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- reporting -------------------------------------------------------------

ok() {
	pass=$((pass + 1))
	printf 'ok   %s\n' "$1"
}

bad() {
	local name=$1
	shift
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$name"
	for line in "$@"; do
		printf '       %s\n' "$line"
	done
}

# check NAME COMMAND...: passes when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name" "failed: $*"; fi
}

# ---- requests --------------------------------------------------------------

# req METHOD PATH [CURL ARGS]: sends one request; ST is the status, the
# body is in $TMP/b and the headers in $TMP/h.
req() {
	local method=$1 path=$2
	shift 2
	rm -f "$TMP/b" "$TMP/h"
	: >"$TMP/b"
	ST=$(curl -sS -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' \
		-X "$method" "$URL$path" "$@" 2>"$TMP/curl.err") ||
		ST="curl failed: $(cat "$TMP/curl.err")"
	# every answer is kept, for the check against the OpenAPI schemas
	NREC=$((NREC + 1))
	cp "$TMP/b" "$TMP/rec/$NREC"
	echo "$NREC $method ${path%%\?*} $ST $(hdr Content-Type)" \
		>>"$TMP/rec/index"
}
NREC=0

AUTH=()
JSON=(-H "Content-Type: application/json")

# call METHOD PATH [BODY]: an authenticated request with a JSON body.
call() {
	if [ $# -ge 3 ]; then
		req "$1" "$2" "${AUTH[@]}" "${JSON[@]}" --data-binary "$3"
	else
		req "$1" "$2" "${AUTH[@]}"
	fi
}

# hdr NAME: the value of a response header (last one wins).
hdr() {
	grep -i "^$1:" "$TMP/h" | tail -n 1 | cut -d: -f2- |
		sed 's/^ *//; s/\r$//'
}

# body FILTER: jq -c FILTER on the last response body.
body() {
	jq -c "$1" "$TMP/b" 2>/dev/null
}

# is NAME STATUS [FILTER WANT]...: the last response had STATUS and, for
# each pair, `jq -c FILTER` on its body printed WANT. One jq for them all
# (each result wrapped in an array, one a line); one per filter only when
# that fails, to say which.
is() {
	local name=$1 want=$2 prog='' got i
	local problems=() filters=() wants=() lines=()
	shift 2
	[ "$ST" = "$want" ] || problems+=("status: want $want, got $ST")
	while [ $# -ge 2 ]; do
		filters+=("$1")
		wants+=("$2")
		prog="$prog${prog:+, }[$1]"
		shift 2
	done
	if [ ${#filters[@]} -gt 0 ]; then
		mapfile -t lines < <(jq -c "$prog" "$TMP/b" 2>/dev/null)
		for i in "${!filters[@]}"; do
			[ "${lines[$i]:-}" = "[${wants[$i]}]" ] && continue
			got=$(jq -c "${filters[$i]}" "$TMP/b" 2>&1 | head -c 300)
			problems+=("${filters[$i]}: want ${wants[$i]}, got $got")
		done
	fi
	if [ ${#problems[@]} -eq 0 ]; then
		ok "$name"
	else
		bad "$name" "${problems[@]}" \
			"body: $(head -c 400 "$TMP/b" | tr -d '\n')"
	fi
}

# problem NAME STATUS [FIELD]: a problem+json answer with that status and
# a detail; its field, when FIELD is given, is FIELD or ends in ".FIELD"
# (a path: "order.items" names items).
problem() {
	local name=$1 status=$2 ct
	ct=$(hdr Content-Type)
	if [ $# -ge 3 ]; then
		is "$name" "$status" .status "$status" \
			".field | test(\"(^|[.])$3\$\")" true \
			'.detail | type == "string" and length > 0' true
	else
		is "$name" "$status" .status "$status" \
			'.detail | type == "string" and length > 0' true
	fi
	[ "$ct" = "application/problem+json" ] ||
		bad "$name: content type" "want application/problem+json, got $ct"
}

# ---- times and documents ---------------------------------------------------

NOW=$(date -u +%s)
at() {        # at SECONDS-FROM-NOW: an RFC 3339 time
	date -u -d "@$((NOW + $1))" +%Y-%m-%dT%H:%M:%SZ
}
H=3600
D=86400

ADDR='{"name": "Ana Li", "line1": "5 Quay St", "city": "Auckland",
       "postal_code": "1010", "country": "NZ"}'
ELSEWHERE='{"name": "Ana Li", "line1": "55 Quay St", "city": "Auckland",
            "postal_code": "1010", "country": "NZ"}'

# shipment SHIPPED DELIVERED|"" FINDING CUSTOMS [ADDRESS]
shipment() {
	jq -nc --arg s "$1" --arg d "$2" --arg f "$3" --arg c "$4" \
		--argjson a "${5:-$ADDR}" '{shipped_at: $s, address: $a,
		courier_finding: $f, customs: $c} +
		(if $d == "" then {} else {delivered_at: $d} end)'
}

# order ID PLACED [SHIPMENT]: an order for POST /v1/orders, one ring.
order() {
	jq -nc --arg id "$1" --arg p "$2" --argjson ship "${3:-null}" \
		--argjson a "$ADDR" '{id: $id, placed_at: $p, currency: "USD",
		shipping_minor: 1500, address: $a,
		items: [{line: 1, sku: "R-14W-7", kind: "ring", style: "halo",
			 shape: "oval", material: "14k white gold",
			 color: "white", size: "7", price_minor: 52000}],
		customer: {name: "Ana Li", email: "ana@example.com"}} +
		(if $ship == null then {} else {shipment: $ship} end)'
}

# new_order ID PLACED [SHIPMENT]: creates it; a failure is a test failure.
new_order() {
	call POST /v1/orders "$(order "$@")"
	is "create order $1" 201 .id "\"$1\""
}

# open_case ORDER CLAIM: opens a case; CASE is its id.
open_case() {
	call POST /v1/cases "{\"order\": \"$1\", \"claim\": $2}"
	CASE=$(body .id | tr -d '"')
}

# ---- start -----------------------------------------------------------------

DB="${AC_TEST_DB:-$TMP/db.sqlite}"
mkdir "$TMP/rec"
TOKEN=$("$BIN" token add ci --db "$DB" 2>"$TMP/token.err" | tail -n 1)
check "token add prints a 64-hex token on the last line" \
	grep -Eqx '[0-9a-f]{64}' <<<"$TOKEN"
AUTH=(-H "Authorization: Bearer $TOKEN")

"$BIN" serve --db "$DB" --listen 127.0.0.1:0 2>"$TMP/server.log" &
SERVER_PID=$!
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' \
		"$TMP/server.log" | head -n 1)
	[ -n "$PORT" ] && break
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$PORT" ]; then
	echo "the server did not start:" >&2
	cat "$TMP/server.log" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
URL="http://127.0.0.1:$PORT"
ok "serve listens on 127.0.0.1:$PORT (port 0 picked a free port)"

# ---- health, openapi, routing ----------------------------------------------

req GET /healthz
is "GET /healthz" 200 . '{"status":"ok"}'

req GET /v1/openapi.json
is "GET /v1/openapi.json" 200 .openapi '"3.0.3"' \
	'.paths | has("/v1/cases/{id}/refunds")' true \
	'.components.securitySchemes.bearer.scheme' '"bearer"'
check "openapi.json is served as application/json" \
	test "$(hdr Content-Type)" = application/json

req GET /v1/nope "${AUTH[@]}"
problem "unknown route: 404" 404
req GET /nope
problem "unknown route without a token: 404" 404
req DELETE /v1/cases "${AUTH[@]}"
problem "DELETE /v1/cases: 405" 405
check "405 lists the methods in Allow" \
	grep -q 'GET.*POST\|POST.*GET' <<<"$(hdr Allow)"
req PUT /v1/decide "${JSON[@]}" --data-binary '{}'
problem "PUT /v1/decide: 405" 405
check "405 on /v1/decide allows POST" test "$(hdr Allow)" = POST
req GET "/v1/cases/$(printf 'x%.0s' $(seq 129))" "${AUTH[@]}"
problem "an id over 128 bytes: 404" 404

# keep-alive: two requests on one connection (answered on the last call)
conns=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects}\n' \
	"$URL/healthz" "$URL/healthz" | tr '\n' ' ')
check "keep-alive: the second request reuses the connection ($conns)" \
	test "$conns" = "1 0 "

# ---- authentication --------------------------------------------------------

req GET /v1/cases
problem "no token: 401" 401
check "401 asks for a Bearer token" \
	grep -q '^Bearer' <<<"$(hdr WWW-Authenticate)"
req GET /v1/cases -H "Authorization: Bearer 0123456789abcdef"
problem "an unknown token: 401" 401
check "401 with a bad token asks for Bearer" \
	grep -q '^Bearer' <<<"$(hdr WWW-Authenticate)"
req GET /v1/cases -H "Authorization: Basic Y2k6eA=="
problem "Basic instead of Bearer: 401" 401
req POST /v1/orders "${JSON[@]}" --data-binary "$(order NOAUTH "$(at 0)")"
problem "POST /v1/orders without a token: 401" 401
req GET /v1/cases -H "Authorization: bearer $TOKEN"
is "the scheme is case-insensitive" 200

# ---- POST /v1/decide -------------------------------------------------------

cat >"$TMP/example.json" <<'EOF'
{"order": {"id": "A-1001", "placed_at": "2026-05-04T08:00:00Z", "currency": "USD",
           "shipping_minor": 1500,
           "address": {"name": "Ana Li", "line1": "5 Quay St", "city": "Auckland",
                       "postal_code": "1010", "country": "NZ"},
           "items": [{"line": 1, "sku": "R-14W-7", "kind": "ring", "style": "halo",
                      "shape": "oval", "material": "14k white gold", "color": "white",
                      "size": "7", "price_minor": 52000}]},
 "shipment": {"shipped_at": "2026-05-07T03:00:00Z",
              "address": {"name": "Ana Li", "line1": "5 Quay St", "city": "Auckland",
                          "postal_code": "1010", "country": "NZ"},
              "delivered_at": "2026-05-12T16:20:00Z", "courier_finding": "none",
              "customs": "cleared"},
 "claim": {"type": "wrong_item", "opened_at": "2026-05-13T09:05:00Z", "lines": [1],
           "received": [{"line": 1, "material": "sterling silver"}]}}
EOF
req POST /v1/decide "${JSON[@]}" --data-binary @"$TMP/example.json"
is "decide: the CONTRACT.md worked example" 200 \
	.order '"A-1001"' .verdict '"full_refund"' .clauses '["refund.1"]' \
	.currency '"USD"' .refund_max_minor 52000 .charge_minor 0 \
	.remedies '[{"type":"full_refund","cost_bearer":"shop","amount_minor":52000},{"type":"remake","cost_bearer":"shop","amount_minor":0}]' \
	.needs '[]' .deadline '"2026-05-14T16:20:00Z"' \
	'.policy | test("^sha256:[0-9a-f]{64}$")' true
"$BIN" decide <"$TMP/example.json" >"$TMP/cli.json"
check "decide: the body is byte for byte what aftercare decide writes" \
	cmp -s "$TMP/b" "$TMP/cli.json"

jq '.claim.opened_at = "2026-05-15T10:00:00Z"' "$TMP/example.json" \
	>"$TMP/late.json"
req POST /v1/decide "${JSON[@]}" --data-binary @"$TMP/late.json"
is "decide: the same claim after 48 hours" 200 \
	.verdict '"no_refund"' '.clauses[0]' '"no-refund.2"'

req POST /v1/decide -H "Content-Type: application/json; charset=utf-8" \
	--data-binary @"$TMP/example.json"
is "decide: a charset parameter is fine" 200 .verdict '"full_refund"'

jq '.claim.opened_at = "yesterday"' "$TMP/example.json" >"$TMP/bad.json"
req POST /v1/decide "${JSON[@]}" --data-binary @"$TMP/bad.json"
problem "decide: a bad time is 422 naming claim.opened_at" 422 \
	claim.opened_at
cli_msg=$("$BIN" decide <"$TMP/bad.json" 2>&1 >/dev/null)
is "decide: the detail is the CLI's message" 422 \
	'"claim.opened_at: " + .detail' "$(jq -c -n --arg m "$cli_msg" '$m')"

jq 'del(.order.items)' "$TMP/example.json" >"$TMP/bad.json"
req POST /v1/decide "${JSON[@]}" --data-binary @"$TMP/bad.json"
problem "decide: no items is 422 naming order.items" 422 order.items
jq '.order.shipping_minor = "15.00"' "$TMP/example.json" >"$TMP/bad.json"
req POST /v1/decide "${JSON[@]}" --data-binary @"$TMP/bad.json"
problem "decide: a string amount is 422 naming order.shipping_minor" 422 \
	order.shipping_minor
req POST /v1/decide "${JSON[@]}" --data-binary 'this is not json'
problem "decide: not JSON is 400" 400
req POST /v1/decide "${JSON[@]}"
problem "decide: an empty body is 400" 400
req POST /v1/decide -H "Content-Type: text/plain" \
	--data-binary @"$TMP/example.json"
problem "decide: text/plain is 415" 415
req POST /v1/decide --data-binary @"$TMP/example.json"
problem "decide: a form body (curl's default type) is 415" 415
req POST /v1/decide -H "Content-Type: application/json; charset=latin1" \
	--data-binary @"$TMP/example.json"
problem "decide: another charset is 415" 415
{ printf '{"pad": "'; head -c $((1 << 20)) /dev/zero | tr '\0' a
  printf '"}'; } >"$TMP/big.json"
req POST /v1/decide "${JSON[@]}" --data-binary @"$TMP/big.json"
problem "decide: over 1 MiB is 413" 413
check "413 names the limit" grep -q 1048576 "$TMP/b"
req POST /v1/decide "${JSON[@]}" -H "Transfer-Encoding: chunked" \
	--data-binary @"$TMP/big.json"
problem "decide: over 1 MiB, chunked, is 413" 413
req GET /healthz
is "the server still answers after a 413" 200

# ---- orders ----------------------------------------------------------------

new_order O-DUP "$(at $((-2 * H)))"
call POST /v1/orders "$(order O-DUP "$(at $((-2 * H)))")"
problem "the same order id again: 409" 409
call GET /v1/orders/O-DUP
is "GET /v1/orders/{id}" 200 .id '"O-DUP"' .paid_minor 53500 \
	.refunded_total_minor 0 .customer.email '"ana@example.com"'
call GET /v1/orders/NO-SUCH-ORDER
problem "GET an unknown order: 404" 404
new_order "ORD 7" "$(at $((-2 * H)))"
call GET "/v1/orders/ORD%207"
is "a percent-encoded id is decoded" 200 .id '"ORD 7"'

call POST /v1/orders "$(order O-BAD "$(at 0)" | jq -c 'del(.items)')"
problem "order without items: 422 naming items" 422 items
call POST /v1/orders "$(order O-BAD "$(at 0)" | jq -c '.shipping_minor = "x"')"
problem "order with a string amount: 422 naming shipping_minor" 422 \
	shipping_minor
call POST /v1/orders "$(order O-BAD "$(at 0)" | jq -c 'del(.customer)')"
problem "order without customer: 422 naming customer" 422 customer
call POST /v1/orders "$(order O-BAD "$(at 0)" | jq -c '.placed_at = 5')"
problem "order with a number for a time: 422 naming placed_at" 422 \
	placed_at
call POST /v1/orders '{"id": '
problem "order that is not JSON: 400" 400
req POST /v1/orders "${AUTH[@]}" -H "Content-Type: application/xml" \
	--data-binary '<order/>'
problem "order as XML: 415" 415

# import: JSON Lines
{ order IMP-1 "$(at 0)"; order IMP-2 "$(at 0)"; echo '{"id": "IMP-3"'; } \
	>"$TMP/import.jsonl"
req POST /v1/orders/import "${AUTH[@]}" \
	-H "Content-Type: application/x-ndjson" --data-binary @"$TMP/import.jsonl"
is "import JSON Lines: two good lines, one bad" 200 .created 2 .failed 1 \
	'.errors[0].line' 3
req POST /v1/orders/import "${AUTH[@]}" -H "Content-Type: application/jsonl" \
	--data-binary "$(order IMP-4 "$(at 0)")"
is "import as application/jsonl" 200 .created 1
req POST /v1/orders/import "${AUTH[@]}" "${JSON[@]}" \
	--data-binary @"$TMP/import.jsonl"
problem "import as application/json: 415" 415
call GET /v1/orders/IMP-2
is "an imported order reads back" 200 .id '"IMP-2"'

# ---- every claim type, end to end -------------------------------------------

# cancel: placed two hours ago, before the production cut-off
PLACED=$((NOW - 2 * H))
new_order O-CANCEL "$(at $((-2 * H)))"
open_case O-CANCEL '{"type": "cancel"}'
C_CANCEL=$CASE
is "cancel before the cut-off: full refund" 201 .status '"open"' \
	.decision.verdict '"full_refund"' '.decision.clauses[0]' '"no-refund.1"' \
	.decision.refund_max_minor 53500 \
	.decision.deadline "\"$(date -u -d "@$((PLACED + D))" +%Y-%m-%dT%H:%M:%SZ)\""
call GET "/v1/cases/$C_CANCEL"
is "cancel: the decision and deadline read back" 200 .id "\"$C_CANCEL\"" \
	.decision.verdict '"full_refund"' .order '"O-CANCEL"' \
	.deadline "\"$(date -u -d "@$((PLACED + D))" +%Y-%m-%dT%H:%M:%SZ)\"" \
	'.claim.opened_at | type' '"string"' '.clauses[0].id' '"no-refund.1"'

# not_received: the courier investigates; a PUT shipment confirms the loss
new_order O-LOST "$(at $((-12 * D)))" \
	"$(shipment "$(at $((-10 * D)))" "" investigating none)"
open_case O-LOST '{"type": "not_received"}'
C_LOST=$CASE
is "not_received while the courier investigates: pending" 201 \
	.status '"waiting"' .decision.verdict '"pending"' \
	'.decision.clauses[0]' '"refund.3"' .decision.needs '["courier_investigation"]'
call PUT /v1/orders/O-LOST/shipment \
	"$(shipment "$(at $((-10 * D)))" "" lost_confirmed none)"
is "PUT shipment lost_confirmed re-decides the case" 200 \
	.order '"O-LOST"' "[.redecided[] | select(.id == \"$C_LOST\") | .verdict]" \
	'["full_refund"]'
call GET "/v1/cases/$C_LOST"
is "not_received reads back full_refund by itself" 200 \
	.decision.verdict '"full_refund"' '.decision.clauses[0]' '"refund.3"' \
	.decision.refund_max_minor 53500

# not_received again: a tracking event confirms the loss
new_order O-TRACK "$(at $((-12 * D)))" \
	"$(shipment "$(at $((-10 * D)))" "" investigating none)"
open_case O-TRACK '{"type": "not_received"}'
C_TRACK=$CASE
is "not_received (tracking): pending" 201 .decision.verdict '"pending"'
call POST /v1/orders/O-TRACK/tracking \
	"{\"at\": \"$(at $((-9 * D)))\", \"kind\": \"in_transit\"}"
is "tracking in_transit: 201" 201 '.id | type' '"number"'
call POST /v1/orders/O-TRACK/tracking \
	"{\"at\": \"$(at $((-1 * H)))\", \"kind\": \"lost_confirmed\", \"detail\": \"depot fire\"}"
is "tracking lost_confirmed re-decides the case" 201 \
	"[.redecided[] | select(.id == \"$C_TRACK\") | .verdict]" '["full_refund"]'
call GET "/v1/cases/$C_TRACK"
is "tracking: the case reads back full_refund" 200 \
	.decision.verdict '"full_refund"'
call GET /v1/orders/O-TRACK/tracking
is "GET tracking lists the events" 200 '[.events[].kind]' \
	'["in_transit","lost_confirmed"]'
call POST /v1/orders/O-TRACK/tracking '{"kind": "in_transit"}'
problem "tracking without at: 422 naming at" 422 at
call POST /v1/orders/O-TRACK/tracking "{\"at\": \"$(at 0)\", \"kind\": 7}"
problem "tracking with a number kind: 422 naming kind" 422 kind
call POST /v1/orders/O-CANCEL/tracking \
	"{\"at\": \"$(at 0)\", \"kind\": \"lost_confirmed\"}"
problem "tracking on an order not shipped: 409" 409
call POST /v1/orders/NO-SUCH/tracking \
	"{\"at\": \"$(at 0)\", \"kind\": \"in_transit\"}"
problem "tracking on an unknown order: 404" 404

# a parcel the courier still looks for stays pending
new_order O-PENDING "$(at $((-12 * D)))" \
	"$(shipment "$(at $((-10 * D)))" "" investigating none)"
open_case O-PENDING '{"type": "not_received"}'
C_PENDING=$CASE
is "not_received, still investigating: waiting" 201 .status '"waiting"'

# delivered three hours ago: damaged, wrong_item, unwanted
DELIVERED=$((NOW - 3 * H))
DEL_SHIP=$(shipment "$(at $((-5 * D)))" "$(at $((-3 * H)))" none cleared)
WINDOW_END=$(date -u -d "@$((DELIVERED + 2 * D))" +%Y-%m-%dT%H:%M:%SZ)
new_order O-DAMAGED "$(at $((-8 * D)))" "$DEL_SHIP"
open_case O-DAMAGED '{"type": "damaged", "defects": ["scratch"]}'
C_DAMAGED=$CASE
is "damaged with a scratch: partial refund" 201 \
	.decision.verdict '"partial_refund"' '.decision.clauses[0]' '"no-refund.3"' \
	.decision.refund_max_minor 10400 .decision.deadline "\"$WINDOW_END\""
call GET "/v1/cases/$C_DAMAGED"
is "damaged: reads back" 200 .decision.verdict '"partial_refund"' \
	.deadline "\"$WINDOW_END\""

new_order O-WRONG "$(at $((-8 * D)))" "$DEL_SHIP"
open_case O-WRONG '{"type": "wrong_item", "lines": [1],
	"received": [{"line": 1, "material": "sterling silver"}]}'
C_WRONG=$CASE
is "wrong_item: full refund or remake" 201 \
	.decision.verdict '"full_refund"' .decision.clauses '["refund.1"]' \
	.decision.refund_max_minor 52000 .decision.deadline "\"$WINDOW_END\""

new_order O-UNWANTED "$(at $((-8 * D)))" "$DEL_SHIP"
open_case O-UNWANTED '{"type": "unwanted"}'
C_UNWANTED=$CASE
is "unwanted after delivery: no refund" 201 \
	.decision.verdict '"no_refund"' '.decision.clauses[0]' '"no-refund.4"' \
	.decision.refund_max_minor 0

# wrong_address: shipped somewhere the order did not say
new_order O-ADDR "$(at $((-8 * D)))" \
	"$(shipment "$(at $((-5 * D)))" "$(at $((-3 * H)))" none cleared "$ELSEWHERE")"
open_case O-ADDR '{"type": "wrong_address"}'
C_ADDR=$CASE
is "wrong_address (we shipped elsewhere): full refund" 201 \
	.decision.verdict '"full_refund"' '.decision.clauses[0]' '"refund.2"' \
	.decision.refund_max_minor 53500

# customs: held, then refused by the customer
new_order O-CUSTOMS "$(at $((-12 * D)))" \
	"$(shipment "$(at $((-10 * D)))" "" none held)"
open_case O-CUSTOMS '{"type": "customs"}'
C_CUSTOMS=$CASE
is "customs held: pending" 201 .decision.verdict '"pending"' \
	'.decision.clauses[0]' '"no-refund.6"' .decision.needs '["customs_clearance"]'
call POST /v1/orders/O-CUSTOMS/tracking \
	"{\"at\": \"$(at $((-1 * H)))\", \"kind\": \"customs_refused\"}"
is "tracking customs_refused re-decides" 201 \
	"[.redecided[] | select(.id == \"$C_CUSTOMS\") | .verdict]" '["no_refund"]'

# repair: delivered a month ago, within the warranty
REP_SHIP=$(shipment "$(at $((-32 * D)))" "$(at $((-30 * D)))" none cleared)
WARRANTY_END=$(date -u -d "@$((NOW - 30 * D + 365 * D))" +%Y-%m-%dT%H:%M:%SZ)
new_order O-REPAIR "$(at $((-35 * D)))" "$REP_SHIP"
open_case O-REPAIR '{"type": "repair", "repair": {"material_cost_rise_minor": 0}}'
C_FREE=$CASE
is "repair without a cost rise: free repair" 201 \
	.decision.verdict '"free_repair"' '.decision.clauses[0]' '"warranty.2"' \
	.decision.deadline "\"$WARRANTY_END\""
open_case O-REPAIR '{"type": "repair", "repair": {"material_cost_rise_minor": 4500}}'
C_PAID=$CASE
is "repair with a material cost rise: paid repair" 201 \
	.decision.verdict '"paid_repair"' .decision.charge_minor 4500
open_case O-REPAIR '{"type": "repair", "repair": {"material_cost_rise_minor": 900}}'
C_PAID2=$CASE
is "a second paid repair on the same order" 201 .decision.verdict '"paid_repair"'

# bad claims
open_case O-CANCEL '{"type": "lost"}'
problem "a claim of an unknown type: 422 naming claim.type" 422 claim.type
open_case O-CANCEL '{"type": "damaged", "defects": "scratch"}'
problem "defects as a string: 422 naming claim.defects" 422 claim.defects
open_case O-CANCEL '{"type": "cancel", "opened_at": "soon"}'
problem "a bad opened_at: 422 naming claim.opened_at" 422 claim.opened_at
call POST /v1/cases '{"claim": {"type": "cancel"}}'
problem "a case without order: 422 naming order" 422 order
call POST /v1/cases '{"order": "O-CANCEL"}'
problem "a case without claim: 422 naming claim" 422 claim
open_case NO-SUCH-ORDER '{"type": "cancel"}'
problem "a case on an unknown order: 404" 404
call POST /v1/cases '[1, 2'
problem "a case that is not JSON: 400" 400
call GET /v1/cases/C-NOPE
problem "GET an unknown case: 404" 404

# ---- listing and deadlines ---------------------------------------------------

call GET "/v1/cases?type=cancel"
is "list cases by type" 200 "[.cases[] | select(.id == \"$C_CANCEL\")] | length" 1 \
	'[.cases[].type] | unique' '["cancel"]'
call GET "/v1/cases?status=waiting"
is "list cases by status" 200 '[.cases[].status] | unique' '["waiting"]' \
	"[.cases[] | select(.id == \"$C_PENDING\")] | length" 1
call GET "/v1/cases?order=O-REPAIR"
is "list cases by order" 200 '.cases | length' 3
call GET "/v1/cases?order=O-REPAIR&limit=2"
is "list cases: a page of 2" 200 '.cases | length' 2 '.next | type' '"string"'
NEXT=$(body .next | tr -d '"')
call GET "/v1/cases?order=O-REPAIR&limit=2&after=$NEXT"
is "list cases: the next page" 200 '.cases | length' 1 .next null
call GET "/v1/cases?limit=abc"
problem "list cases with limit=abc: 422 naming limit" 422 limit
call GET "/v1/cases?limit=1000"
problem "list cases with limit=1000: 422 naming limit" 422 limit
call GET "/v1/cases?status=lost"
problem "list cases with an unknown status: 422 naming status" 422 status
call GET "/v1/cases?deadline_before=$(at $((2 * D)))"
is "list cases with deadline_before" 200 \
	"[.cases[] | select(.id == \"$C_CANCEL\")] | length" 1 \
	"[.cases[] | select(.id == \"$C_FREE\")] | length" 0
call GET "/v1/cases?deadline_before=tomorrow"
problem "deadline_before that is no time: 422" 422 deadline_before

call GET "/v1/deadlines?within=$D"
is "deadlines within a day list the cancel case" 200 \
	"[.cases[] | select(.id == \"$C_CANCEL\")] | length" 1 \
	"[.cases[] | select(.id == \"$C_FREE\")] | length" 0
call GET "/v1/deadlines?within=soon"
problem "deadlines?within=soon: 422 naming within" 422 within

# ---- approve, override -------------------------------------------------------

call POST "/v1/cases/$C_WRONG/approve"
is "approve a decision" 200 .status '"decided"' .approval.by '"token:ci"'
call POST "/v1/cases/$C_LOST/approve"
is "approve the re-decided lost parcel" 200 .status '"decided"'
call POST "/v1/cases/$C_PAID2/approve"
is "approve a paid repair" 200 .status '"decided"'
call POST "/v1/cases/$C_PENDING/approve"
problem "approve a pending decision: 409" 409
call POST /v1/cases/C-NOPE/approve
problem "approve an unknown case: 404" 404

call POST "/v1/cases/$C_DAMAGED/override" \
	'{"verdict": "full_refund", "refund_max_minor": 52000, "reason": "regular customer, ring badly scratched"}'
is "override with a reason" 200 .override.reason \
	'"regular customer, ring badly scratched"' .override.author '"token:ci"'
call GET "/v1/cases/$C_DAMAGED"
is "the override shows on the case" 200 .override.verdict '"full_refund"' \
	.override.reason '"regular customer, ring badly scratched"' \
	.refund_max_minor 52000
call GET "/v1/audit?entity=case&entity_id=$C_DAMAGED"
is "the override is in the audit log" 200 \
	'[.events[] | select(.action == "case.override") | .actor]' '["token:ci"]'
call POST "/v1/cases/$C_UNWANTED/override" '{"verdict": "full_refund"}'
problem "override without a reason: 422 naming reason" 422 reason
call POST "/v1/cases/$C_UNWANTED/override" '{"verdict": "everything", "reason": "x"}'
problem "override to no verdict: 422 naming verdict" 422 verdict
call POST "/v1/cases/$C_UNWANTED/override" \
	'{"verdict": "partial_refund", "refund_max_minor": "lots", "reason": "x"}'
problem "override with a string amount: 422 naming refund_max_minor" 422 \
	refund_max_minor

# ---- refunds -----------------------------------------------------------------

# refund KEY AMOUNT CASE [CURL ARGS]
refund() {
	local key=$1 amount=$2 c=$3
	shift 3
	req POST "/v1/cases/$c/refunds" "${AUTH[@]}" "${JSON[@]}" \
		-H "Idempotency-Key: $key" \
		--data-binary "{\"amount_minor\": $amount}" "$@"
}

refund wr-1 20000 "$C_WRONG"
is "refund within the limit: 201" 201 .amount_minor 20000 \
	.refunded_total_minor 20000
cp "$TMP/b" "$TMP/first-refund.json"
check "a first refund is not marked replayed" test -z "$(hdr Idempotent-Replayed)"
refund wr-2 15000 "$C_WRONG"
is "a second partial refund: 201" 201 .refunded_total_minor 35000
refund wr-1 20000 "$C_WRONG"
is "replay: same key, same body: 201" 201 .refunded_total_minor 20000
check "replay: the first response again, byte for byte" \
	cmp -s "$TMP/b" "$TMP/first-refund.json"
check "replay: Idempotent-Replayed: true" \
	test "$(hdr Idempotent-Replayed)" = true
refund wr-1 20001 "$C_WRONG"
problem "same key, another body: 409" 409
refund wr-3 17001 "$C_WRONG"
problem "over what the decision allows (17000 left): 422" 422 amount_minor
refund wr-4 17000 "$C_WRONG"
is "exactly what is left of the decision: 201" 201 .refunded_total_minor 52000
call GET "/v1/cases/$C_WRONG"
is "the case's refunded total" 200 .refunded_total_minor 52000
req POST "/v1/cases/$C_WRONG/refunds" "${AUTH[@]}" "${JSON[@]}" \
	--data-binary '{"amount_minor": 100}'
problem "no Idempotency-Key: 400" 400 Idempotency-Key
refund wr-5 '"100"' "$C_WRONG"
problem "amount as a string: 422 naming amount_minor" 422 amount_minor
refund wr-6 -5 "$C_WRONG"
problem "a negative amount: 422 naming amount_minor" 422 amount_minor
req POST "/v1/cases/$C_WRONG/refunds" "${AUTH[@]}" "${JSON[@]}" \
	-H "Idempotency-Key: wr-7" --data-binary '{}'
problem "no amount: 422 naming amount_minor" 422 amount_minor
refund wr-8 100 C-NOPE
problem "a refund on an unknown case: 404" 404
refund un-1 100 "$C_UNWANTED"
problem "a refund where the decision allows none: 422" 422 amount_minor
refund dm-1 30000 "$C_DAMAGED"
is "refunds follow the override's limit" 201 .refunded_total_minor 30000
refund ad-1 53500 "$C_ADDR"
is "a full refund pays items and shipping back" 201 .amount_minor 53500
call GET /v1/orders/O-ADDR
is "the order reads back refunded in full" 200 .refunded_total_minor 53500

# two cases on one order: what is left of the payment limits both
new_order O-TWO "$(at $((-8 * D)))" "$DEL_SHIP"
WRONG_CLAIM='{"type": "wrong_item", "lines": [1], "received": [{"line": 1, "color": "yellow"}]}'
open_case O-TWO "$WRONG_CLAIM"
C_TWO_A=$CASE
open_case O-TWO '{"type": "damaged", "defects": ["broken"]}'
C_TWO_B=$CASE
is "a second case on the order: full refund" 201 .decision.refund_max_minor 52000
refund two-a 50000 "$C_TWO_A"
is "refund 50000 of 53500 paid" 201 .refunded_total_minor 50000
refund two-b 5000 "$C_TWO_B"
problem "over what is left of the payment (3500): 422" 422 amount_minor
refund two-c 3500 "$C_TWO_B"
is "exactly what is left of the payment: 201" 201 .amount_minor 3500
call GET /v1/orders/O-TWO
is "the order's refunded total" 200 .refunded_total_minor 53500

# twenty at once, each for 60% of the limit: one is paid
new_order O-RACE "$(at $((-8 * D)))" "$DEL_SHIP"
open_case O-RACE "$WRONG_CLAIM"
C_RACE=$CASE
pids=()
for i in $(seq 20); do
	curl -s -o /dev/null -w '%{http_code}\n' -X POST \
		"$URL/v1/cases/$C_RACE/refunds" "${AUTH[@]}" "${JSON[@]}" \
		-H "Idempotency-Key: race-$i" \
		--data-binary '{"amount_minor": 31200}' >"$TMP/race.$i" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p"
done
n201=$(cat "$TMP"/race.* | grep -c '^201$')
n422=$(cat "$TMP"/race.* | grep -c '^422$')
check "20 concurrent refunds: exactly one 201 ($n201)" test "$n201" = 1
check "20 concurrent refunds: nineteen 422 ($n422)" test "$n422" = 19
call GET "/v1/cases/$C_RACE"
is "the ledger holds one payment" 200 .refunded_total_minor 31200

# ---- transitions -------------------------------------------------------------

call POST "/v1/cases/$C_UNWANTED/transition" '{"to": "waiting"}'
is "open -> waiting" 200 .status '"waiting"'
call POST "/v1/cases/$C_UNWANTED/transition" '{"to": "open"}'
is "waiting -> open" 200 .status '"open"'
call POST "/v1/cases/$C_UNWANTED/transition" '{"to": "resolved"}'
problem "open -> resolved: 409 with the reason" 409
check "409 says why" grep -q 'resolved' "$TMP/b"
call POST "/v1/cases/$C_UNWANTED/transition" '{"to": "closed"}'
problem "closing without a reason: 422 naming reason" 422 reason
call POST "/v1/cases/$C_UNWANTED/transition" '{"to": "nowhere"}'
problem "an unknown status: 422 naming to" 422 to
call POST "/v1/cases/$C_UNWANTED/transition" '{}'
problem "no status: 422 naming to" 422 to
call POST "/v1/cases/$C_UNWANTED/transition" '{"to": "closed", "reason": "customer withdrew"}'
is "close with a reason" 200 .status '"closed"'
call POST "/v1/cases/$C_UNWANTED/transition" '{"to": "open"}'
problem "closed -> open: 409" 409
call GET "/v1/cases/$C_WRONG"
is "a case refunded in full is resolved" 200 .status '"resolved"'
call POST "/v1/cases/$C_LOST/transition" '{"to": "resolved"}'
is "decided -> resolved" 200 .status '"resolved"'
call POST "/v1/cases/$C_LOST/transition" '{"to": "closed"}'
is "resolved -> closed" 200 .status '"closed"'
call POST "/v1/cases/$C_LOST/approve"
problem "approve a closed case: 409" 409

# ---- repair quotes -----------------------------------------------------------

call POST "/v1/cases/$C_PAID/quotes" '{"amount_minor": 4800}'
is "quote a paid repair: 201" 201 .status '"quoted"' .amount_minor 4800
call POST "/v1/cases/$C_PAID/quote/accept"
is "accept the quote" 200 .status '"accepted"'
call GET "/v1/cases/$C_PAID"
is "accepting re-decides with the quoted charge" 200 \
	.decision.verdict '"paid_repair"' .decision.charge_minor 4800 \
	.quote.status '"accepted"'
call POST "/v1/cases/$C_PAID/quote/repaired"
is "accepted -> repaired" 200 .status '"repaired"'
call POST "/v1/cases/$C_PAID/quote/shipped_back"
is "repaired -> shipped_back" 200 .status '"shipped_back"'
call POST "/v1/cases/$C_PAID/quote/accept"
problem "accept a shipped-back quote: 409" 409
call POST "/v1/cases/$C_PAID2/quotes" '{"amount_minor": 900}'
is "quote the second paid repair" 201 .status '"quoted"'
call POST "/v1/cases/$C_PAID2/quote/decline"
is "decline the quote" 200 .status '"declined"'
call POST "/v1/cases/$C_PAID2/quote/repaired"
problem "repair a declined quote: 409" 409
call POST "/v1/cases/$C_PAID2/quote/polish"
problem "an unknown quote action: 404" 404
call POST "/v1/cases/$C_FREE/quotes" '{"amount_minor": 100}'
problem "quote a free repair: 409" 409
call POST "/v1/cases/$C_PAID2/quotes" '{"amount_minor": "cheap"}'
problem "a quote with a string amount: 422 naming amount_minor" 422 \
	amount_minor
call POST "/v1/cases/$C_PAID2/quotes" '{"amount_minor": 900, "expires_at": "later"}'
problem "a quote with a bad expires_at: 422 naming expires_at" 422 \
	expires_at
call POST "/v1/cases/$C_FREE/quote/accept"
problem "accept where there is no quote: 404" 404

# ---- notes -------------------------------------------------------------------

call POST "/v1/cases/$C_LOST/notes" '{"body": "called the courier: parcel lost at the depot"}'
is "add a note" 201 .author '"token:ci"' \
	.body '"called the courier: parcel lost at the depot"'
call POST "/v1/cases/$C_LOST/notes" '{"body": "refund sent"}'
is "add another note" 201 .body '"refund sent"'
call GET "/v1/cases/$C_LOST/notes"
is "list notes" 200 '[.notes[].body]' \
	'["called the courier: parcel lost at the depot","refund sent"]'
call POST "/v1/cases/$C_LOST/notes" '{"body": ""}'
problem "an empty note: 422 naming body" 422 body
call POST "/v1/cases/$C_LOST/notes" '{"text": "hello"}'
problem "a note without body: 422 naming body" 422 body
call POST "/v1/cases/$C_LOST/notes" '{"body": 42}'
problem "a note whose body is a number: 422 naming body" 422 body
call POST /v1/cases/C-NOPE/notes '{"body": "x"}'
problem "a note on an unknown case: 404" 404

# ---- evidence ----------------------------------------------------------------

printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89' \
	>"$TMP/photo.png"
SHA=$(sha256sum "$TMP/photo.png" | cut -c1-64)
req POST "/v1/cases/$C_DAMAGED/evidence" "${AUTH[@]}" \
	-H "Content-Type: image/png" --data-binary @"$TMP/photo.png"
is "upload a PNG" 201 .sha256 "\"$SHA\"" .content_type '"image/png"' \
	.size "$(stat -c %s "$TMP/photo.png")"
req GET "/v1/cases/$C_DAMAGED/evidence/$SHA" "${AUTH[@]}"
check "download it: 200 ($ST)" test "$ST" = 200
check "download it: the same bytes" cmp -s "$TMP/b" "$TMP/photo.png"
check "download it: image/png" test "$(hdr Content-Type)" = image/png
echo "this is not a picture" >"$TMP/note.txt"
req POST "/v1/cases/$C_DAMAGED/evidence" "${AUTH[@]}" \
	-H "Content-Type: image/png" --data-binary @"$TMP/note.txt"
problem "text declared as image/png: 422" 422
req POST "/v1/cases/$C_DAMAGED/evidence" "${AUTH[@]}" \
	-H "Content-Type: text/plain" --data-binary @"$TMP/note.txt"
problem "evidence as text/plain: 415" 415
{ cat "$TMP/photo.png"; head -c $((8 << 20)) /dev/zero; } >"$TMP/huge.png"
req POST "/v1/cases/$C_DAMAGED/evidence" "${AUTH[@]}" \
	-H "Content-Type: image/png" --data-binary @"$TMP/huge.png"
problem "evidence over 8 MiB: 413" 413
req GET "/v1/cases/$C_DAMAGED/evidence/$(printf '0%.0s' $(seq 64))" "${AUTH[@]}"
problem "unknown evidence: 404" 404
req GET "/v1/cases/$C_DAMAGED/evidence/not-a-hash" "${AUTH[@]}"
problem "evidence by a name that is no SHA-256: 404" 404

# ---- audit -------------------------------------------------------------------

call GET /v1/audit
is "the audit log lists events" 200 '.events | length > 0' true \
	'[.events[] | select(.action == "case.override")] | length > 0' true
call GET "/v1/audit?entity=order&entity_id=O-DUP"
is "audit by entity" 200 '[.events[].entity_id] | unique' '["O-DUP"]'
call GET "/v1/audit?limit=2"
is "audit: a page of 2" 200 '.events | length' 2
SINCE=$(body .next)
call GET "/v1/audit?limit=2&since=$SINCE"
is "audit: the next page starts after it" 200 \
	"[.events[].id | select(. <= $SINCE)] | length" 0
call GET "/v1/audit?limit=abc"
problem "audit?limit=abc: 422 naming limit" 422 limit
call GET "/v1/audit?since=-1"
problem "audit?since=-1: 422 naming since" 422 since

# ---- revoking a token while the server runs ---------------------------------

REVOKED=$("$BIN" token add leaver --db "$DB" 2>/dev/null | tail -n 1)
req GET /v1/audit?limit=1 -H "Authorization: Bearer $REVOKED"
is "a second token works" 200
check "token revoke revokes it" \
	bash -c "'$BIN' token revoke leaver --db '$DB' >/dev/null"
check "revoking it again says there is none" \
	bash -c "! '$BIN' token revoke leaver --db '$DB' 2>/dev/null"
sleep 2.2   # a server takes a live token for two seconds at most
req GET /v1/audit?limit=1 -H "Authorization: Bearer $REVOKED"
is "a revoked token is refused" 401
call GET /v1/audit?limit=1
is "the other token still works" 200

# ---- the answers against the OpenAPI description ----------------------------

req GET /v1/openapi.json
cp "$TMP/b" "$TMP/openapi.json"
HERE=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$HERE/node_modules/ajv" ] && command -v npm >/dev/null; then
	(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
if command -v node >/dev/null && [ -d "$HERE/node_modules/ajv" ]; then
	if node "$HERE/openapi-responses.js" "$TMP/openapi.json" "$TMP/rec" \
		>"$TMP/oar.out" 2>&1; then
		ok "every answer matches the OpenAPI description ($(tail -n 1 "$TMP/oar.out"))"
	else
		mapfile -t oar <"$TMP/oar.out"
		bad "every answer matches the OpenAPI description" "${oar[@]}"
	fi
else
	echo "skip the answers against the OpenAPI description: no node or npm"
fi

# ---- the log, and a graceful stop ---------------------------------------------

check "the server is still running" kill -0 "$SERVER_PID"

check "one log line per request, with actor" grep -Eq \
	'^ts=[0-9T:.-]+Z method=POST path=/v1/cases status=201 us=[0-9]+ bytes=[0-9]+ actor=token:ci$' \
	"$TMP/server.log"
check "requests without a token log actor=-" grep -Eq \
	'method=GET path=/healthz status=200 .* actor=-$' "$TMP/server.log"

# A slow upload is in flight when SIGTERM comes: it is answered, then the
# server exits 0.
{ printf '{"pad": "'; head -c 400000 /dev/zero | tr '\0' a; printf '", '
  tail -c +2 "$TMP/example.json"; } >"$TMP/slow.json"
curl -s -o "$TMP/slow.out" -w '%{http_code}' --limit-rate 200k \
	-X POST "$URL/v1/decide" "${JSON[@]}" --data-binary @"$TMP/slow.json" \
	>"$TMP/slow.status" &
SLOW=$!
sleep 0.7
kill -TERM "$SERVER_PID"
wait "$SLOW"
check "SIGTERM: the request in flight is answered ($(cat "$TMP/slow.status"))" \
	test "$(cat "$TMP/slow.status")" = 200
check "SIGTERM: its answer is the decision" \
	grep -q '"verdict":"full_refund"' "$TMP/slow.out"
wait "$SERVER_PID"
rc=$?
SERVER_PID=
check "SIGTERM: the server exits 0 ($rc)" test "$rc" = 0
check "SIGTERM: stopped cleanly" grep -q 'stopped' "$TMP/server.log"
check "no new connections after the stop" \
	sh -c "! curl -s -o /dev/null --max-time 2 '$URL/healthz'"
TOKEN2=$("$BIN" token add after --db "$DB" 2>/dev/null | tail -n 1)
check "the database is usable after the stop" \
	grep -Eqx '[0-9a-f]{64}' <<<"$TOKEN2"

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
