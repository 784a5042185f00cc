#!/bin/bash
# payments.sh: ledger refunds paid through the payment provider (issue
# 10.4), against tests/api/pay_standin.py on loopback: under each failure
# mode (the provider answers 5xx, declines, times out after making the
# refund, leaves it pending until its webhook) every refund ends paid
# exactly once (one refund at the stand-in per ledger entry, of its
# amount, with its metadata and key) or visibly failed with the reason,
# and a failed one retried by staff is paid once. The refund.updated
# webhook: signed (Stripe-Signature), once per event id, never moving an
# ended refund back; bad or stale signatures 401. kill -9 of the server
# while the provider holds its answer: after the restart the refund is
# sent again (its lease ran out) and paid once.
# Usage: tests/api/payments.sh BIN    (exit 1 if any check failed)
set -u
[ $# -eq 1 ] || { echo "usage: $0 BIN" >&2; exit 2; }
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d) || exit 2
SPID=
PPID2=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null;
	[ -n "$PPID2" ] && kill "$PPID2" 2>/dev/null; rm -rf -- "$T"' EXIT
# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"

KEY=sk_test_standin_0123456789
printf '%s\n' "$KEY" >"$T/key"
python3 "$HERE/pay_standin.py" "$KEY" "$T/port" &
PPID2=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
P="http://127.0.0.1:$(cat "$T/port")"
serve_demo pay --pay-url "$P" --pay-key-file "$T/key" --pay-timeout 1 \
	--pay-attempts 3 --pay-backoff-ms 200
AUTH="Authorization: Bearer $TOKEN"
JSON="Content-Type: application/json"
ST_SECRET=whsec_standin_0123456789
printf '%s\n' "$ST_SECRET" |
	"$BIN" hook add stripe shop --db "$DB" >/dev/null 2>&1

ago() { date -u -d "-$1" +%Y-%m-%dT%H:%M:%SZ; }
ADDR='{"name":"Ana Li","line1":"5 Quay St","city":"Auckland","postal_code":"1010","country":"NZ"}'
# paid ORDER [INTENT]: an order the courier lost (a not_received claim
# gets a full refund), paid with INTENT; prints the open case's id
paid() {
	curl -s -o /dev/null -H "$AUTH" -H "$JSON" "$U/v1/orders" \
		-d '{"id":"'"$1"'","placed_at":"'"$(ago '14 days')"'",
"currency":"USD","shipping_minor":1500,"address":'"$ADDR"',
"items":[{"line":1,"sku":"R-1","kind":"ring","style":"halo","shape":"oval",
"material":"14k white gold","color":"white","size":"7","price_minor":52000}],
"customer":{"name":"Ana Li","email":"ana@example.com"},
"shipment":{"shipped_at":"'"$(ago '10 days')"'","address":'"$ADDR"',
"courier_finding":"lost_confirmed","customs":"none"}}'
	if [ -n "${2:-}" ]; then
		curl -s -o /dev/null -X PUT -H "$AUTH" -H "$JSON" \
			"$U/v1/orders/$1/payment" -d '{"payment_intent":"'"$2"'"}'
	fi
	curl -s -H "$AUTH" -H "$JSON" "$U/v1/cases" \
		-d '{"order":"'"$1"'","claim":{"type":"not_received"}}' | jq -r .id
}
# refund CASE AMOUNT KEY: the ledger entry's id
refund() {
	curl -s -H "$AUTH" -H "$JSON" -H "Idempotency-Key: $3" \
		"$U/v1/cases/$1/refunds" -d '{"amount_minor":'"$2"'}' | jq -r .id
}
mode() { curl -s -o /dev/null "$P/_mode" -d '{"mode":"'"$1"'","count":'"$2"'}'; }
pay() {   # pay CASE ENTRY: "status reason" of the entry's payment
	curl -s -H "$AUTH" "$U/v1/cases/$1/payments" |
		jq -r --argjson e "$2" '.payments[] | select(.ledger_entry == $e) |
		.status + " " + .reason'
}
# wait_pay CASE ENTRY STATUS: waits (10 s at most) for the status
wait_pay() {
	for _ in $(seq 200); do
		[ "$(pay "$1" "$2" | cut -d' ' -f1)" = "$3" ] && return 0
		sleep 0.05
	done
	return 1
}
# made CASE ENTRY: how many refunds the stand-in made for the entry
made() {
	curl -s "$P/_refunds" | jq --arg c "$1" --arg e "$2" \
		'[.[] | select(.metadata.case == $c and .metadata.ledger_entry == $e)] | length'
}
# paid_once NAME CASE ENTRY: checks that the entry's refund ends
# succeeded (waited for) and that the stand-in made it exactly once
paid_once() {
	if wait_pay "$2" "$3" succeeded; then ok "$1: succeeded"
	else bad "$1: succeeded" "$(pay "$2" "$3")"; fi
	check "$1: paid once" "$(made "$2" "$3")" test "$(made "$2" "$3")" = 1
}

# ---- the provider pays at once -----------------------------------------
C1=$(paid P-1 pi_001)
E1=$(refund "$C1" 1000 k1)
paid_once "a refund on a paid order" "$C1" "$E1"
r=$(curl -s "$P/_refunds" | jq -c '.[0]')
check "with its payment intent, amount, metadata and a key from the entry" \
	"$r" test "$(jq -r '.payment_intent+" "+(.amount|tostring)+" "+.metadata.case+" "+.key' <<<"$r")" = \
	"pi_001 1000 $C1 aftercare-$C1-$E1"
E1b=$(refund "$C1" 1000 k1)
sleep 0.5
check "the same refund request again pays nothing more" "$E1b" \
	test "$E1b" = "$E1" -a "$(made "$C1" "$E1")" = 1

# ---- 5xx twice, then it answers -------------------------------------------
C2=$(paid P-2 pi_002)
mode 5xx 2
E2=$(refund "$C2" 2000 k2)
paid_once "after two 5xx the retry pays" "$C2" "$E2"

# ---- the answer lost after the refund was made ------------------------------
C3=$(paid P-3 pi_003)
mode lost 1
E3=$(refund "$C3" 3000 k3)
# the same key gives the same refund: paid once, not twice
paid_once "a refund whose answer timed out is asked again" "$C3" "$E3"

# ---- 5xx for good: visibly failed, retried by staff ---------------------------
C4=$(paid P-4 pi_004)
mode 5xx 3
E4=$(refund "$C4" 4000 k4)
check "5xx at every attempt: failed, the reason shown" "$(pay "$C4" "$E4")" \
	wait_pay "$C4" "$E4" failed
check "the reason names the provider's answer" "$(pay "$C4" "$E4")" \
	grep -q "500" <<<"$(pay "$C4" "$E4")"
check "nothing was paid" "$(made "$C4" "$E4")" test "$(made "$C4" "$E4")" = 0
code=$(curl -s -o "$T/out" -w '%{http_code}' -X POST -H "$AUTH" \
	"$U/v1/cases/$C4/payments/$E4/retry")
check "staff retry a failed refund: 200 pending" "$code $(cat "$T/out")" \
	test "$code" = 200 -a "$(jq -r .status "$T/out")" = pending
paid_once "the staff's retry" "$C4" "$E4"
code=$(curl -s -o "$T/out" -w '%{http_code}' -X POST -H "$AUTH" \
	"$U/v1/cases/$C4/payments/$E4/retry")
check "a refund that succeeded is not retried: 409" "$code" test "$code" = 409

# ---- the dead letter retried by hand from the outbox --------------------------
C9=$(paid P-9 pi_009)
mode 5xx 3
E9=$(refund "$C9" 900 k9)
wait_pay "$C9" "$E9" failed
row=$(curl -s -H "$AUTH" "$U/v1/cases/$C9/outbox" |
	jq -r '.messages[] | select(.kind == "refund" and .status == "dead") | .id')
code=$(curl -s -o "$T/out" -w '%{http_code}' -X POST -H "$AUTH" \
	"$U/v1/outbox/$row/retry")
check "a dead refund row retried from the outbox's dead letters: 200" \
	"$code $row $(cat "$T/out")" test "$code" = 200 -a -n "$row"
paid_once "the outbox's retry" "$C9" "$E9"

# ---- declined ---------------------------------------------------------------
C5=$(paid P-5 pi_005)
mode fail 1
E5=$(refund "$C5" 5000 k5)
check "a declined refund fails at once with the provider's words" \
	"$(pay "$C5" "$E5")" wait_pay "$C5" "$E5" failed
check "card_declined is the reason" "$(pay "$C5" "$E5")" \
	grep -q card_declined <<<"$(pay "$C5" "$E5")"
# staff see it on the console's case page and retry it there
code=$(curl -s -D "$T/si.h" -o /dev/null -w '%{http_code}' \
	"$U/console/signin" --data-urlencode user=agent \
	--data-urlencode password=agent-demo-1)
SC=(-b "ac_staff=$(sed -n 's/.*ac_staff=\([0-9a-f]*\).*/\1/p' "$T/si.h")")
curl -s "${SC[@]}" "$U/console/cases/$C5" >"$T/page"
check "the console's case page shows the failed refund and its reason" \
	"$(grep -A3 'h-payments' "$T/page" | head -c 600)" \
	grep -q "Failed</strong> (card_declined" "$T/page"
check "… with a button to retry it" "" \
	grep -q ">Retry the refund of USD 50.00</button>" "$T/page"
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$T/page" |
	head -n 1)
code=$(curl -s -o /dev/null -w '%{http_code}' "${SC[@]}" \
	"$U/console/cases/$C5/payments/$E5/retry" --data-urlencode csrf="$csrf")
check "the console's retry: 303 back to the case" "$code" test "$code" = 303
paid_once "the console's retry" "$C5" "$E5"
curl -s "${SC[@]}" "$U/console/cases/$C5" >"$T/page"
check "the page then shows it paid back, with no button" "" \
	bash -c "grep -q 'Paid back</strong>' '$T/page' && ! grep -q 'Retry the refund' '$T/page'"

# ---- pending until the webhook ---------------------------------------------------
C6=$(paid P-6 pi_006)
mode pending 1
E6=$(refund "$C6" 6000 k6)
sleep 1
check "a refund the provider leaves pending stays pending" "$(pay "$C6" "$E6")" \
	test "$(pay "$C6" "$E6" | cut -d' ' -f1)" = pending
RE=$(curl -s "$P/_refunds" | jq -r --arg c "$C6" '.[] | select(.metadata.case == $c) | .id')
ev() {   # ev ID STATUS: a refund.updated event for C6's refund
	printf '{"id":"%s","object":"event","type":"refund.updated","created":%s,"data":{"object":{"id":"%s","object":"refund","status":"%s","failure_reason":"%s","metadata":{"case":"%s","ledger_entry":"%s"}}}}' \
		"$1" "$(date +%s)" "$RE" "$2" "$3" "$C6" "$E6"
}
st_sign() {   # st_sign BODY [T]: Stripe-Signature
	local t=${2:-$(date +%s)}
	printf 't=%s,v1=%s' "$t" "$(printf '%s.%s' "$t" "$1" |
		openssl dgst -sha256 -hmac "$ST_SECRET" -r | cut -d' ' -f1)"
}
st_post() {
	curl -s -o "$T/out" -w '%{http_code}' -H "$JSON" \
		-H "Stripe-Signature: $2" "$U/v1/hooks/stripe/shop" \
		--data-binary "$1"
}
B=$(ev evt_1 succeeded "")
code=$(st_post "$B" "t=$(date +%s),v1=$(printf '%064d' 0)")
check "a refund.updated with a bad signature: 401, nothing changes" \
	"$code" test "$code" = 401 -a "$(pay "$C6" "$E6" | cut -d' ' -f1)" = pending
code=$(st_post "$B" "$(st_sign "$B" $(($(date +%s) - 400)))")
check "signed more than 5 minutes ago: 401" "$code" test "$code" = 401
code=$(st_post "$B" "$(st_sign "$B")")
check "signed refund.updated succeeded: applied" "$code $(cat "$T/out")" \
	test "$code" = 200 -a "$(jq -r .status "$T/out")" = applied
check "the refund is succeeded" "$(pay "$C6" "$E6")" \
	test "$(pay "$C6" "$E6" | cut -d' ' -f1)" = succeeded
code=$(st_post "$B" "$(st_sign "$B")")
check "the same event again: duplicate" "$code $(cat "$T/out")" \
	test "$code" = 200 -a "$(jq -r .status "$T/out")" = duplicate
B2=$(ev evt_2 failed lost_or_stolen_card)
code=$(st_post "$B2" "$(st_sign "$B2")")
check "a late failed event after it ended: stale, still succeeded" \
	"$code $(cat "$T/out") $(pay "$C6" "$E6")" test "$code" = 200 -a \
	"$(jq -r .status "$T/out")" = stale -a \
	"$(pay "$C6" "$E6" | cut -d' ' -f1)" = succeeded
check "paid once" "$(made "$C6" "$E6")" test "$(made "$C6" "$E6")" = 1

# ---- an order not paid through the provider -------------------------------------
C7=$(paid P-7)
E7=$(refund "$C7" 700 k7)
sleep 0.5
check "a refund of an order without a payment intent is the ledger's only" \
	"$(curl -s -H "$AUTH" "$U/v1/cases/$C7/payments")" \
	test "$(curl -s -H "$AUTH" "$U/v1/cases/$C7/payments" | jq '.payments|length')" = 0 -a \
	"$(made "$C7" "$E7")" = 0

# ---- kill -9 while the provider holds the answer ---------------------------------
C8=$(paid P-8 pi_008)
mode lost 1
E8=$(refund "$C8" 800 k8)
for _ in $(seq 100); do [ "$(made "$C8" "$E8")" = 1 ] && break; sleep 0.05; done
{ kill -9 "$SPID"; wait "$SPID"; } 2>/dev/null
serve_start "$DB" --pay-url "$P" --pay-key-file "$T/key" --pay-timeout 1 \
	--pay-attempts 3 --pay-backoff-ms 200
paid_once "after kill -9 mid-send and a restart, sent again" "$C8" "$E8"

# ---- in all: every refund at the stand-in is one ledger entry's, once -------------
n=$(curl -s "$P/_refunds" | jq 'length')
u=$(curl -s "$P/_refunds" | jq '[.[].key] | unique | length')
check "the stand-in made 8 refunds, each for one ledger entry" "$n $u" \
	test "$n" = 8 -a "$u" = 8

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
