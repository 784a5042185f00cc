#!/bin/bash
# hooks.sh: the couriers' tracking webhooks over real HTTP on loopback
# (issue 10.3). AfterShip (base64 HMAC in aftership-hmac-sha256) and
# EasyPost (hmac-sha256-hex= in X-Hmac-Signature) events, signed here
# with openssl: good signatures apply their fact and re-decide the case
# (lost -> full_refund, customs held -> pending, refused -> no_refund,
# delivered moves an unwanted claim from no-refund.1 to no-refund.4,
# returned is recorded and decides nothing); bad, missing or foreign
# signatures and unknown integrations are 401 problem+json with nothing
# stored; a second delivery of an event id changes nothing; an older
# event after a newer one is kept as history only; an unknown tracking
# code is 202 "unmatched", applied when its parcel is named later; `hook
# list` never shows a secret.
# Usage: tests/api/hooks.sh BIN    (exit 1 if any check failed)
set -u
[ $# -eq 1 ] || { echo "usage: $0 BIN" >&2; exit 2; }
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d) || exit 2
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf -- "$T"' EXIT
# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"

serve_demo hooks
AUTH="Authorization: Bearer $TOKEN"
JSON="Content-Type: application/json"

# ---- integrations ------------------------------------------------------
AS_SECRET="aftership-test-secret-0123456789"
printf '%s\n' "$AS_SECRET" |
	"$BIN" hook add aftership shop --db "$DB" >"$T/add1" 2>"$T/add1.err"
check "hook add with a secret on stdin prints no secret" "$(cat "$T/add1")" \
	test ! -s "$T/add1"
EP_SECRET=$("$BIN" hook add easypost shop --db "$DB" </dev/null 2>/dev/null |
	tail -n 1)
check "hook add without one makes a 64-hex secret, shown once" \
	"$EP_SECRET" grep -Eq '^[0-9a-f]{64}$' <<<"$EP_SECRET"
printf 'another-secret-0123456789\n' |
	"$BIN" hook add aftership shop --db "$DB" >/dev/null 2>&1
check "the same integration twice is refused" "" test $? -ne 0
"$BIN" hook list --db "$DB" >"$T/list" 2>&1
check "hook list names both" "$(cat "$T/list")" \
	test "$(grep -cE '^(aftership|easypost) +shop ' "$T/list")" = 2
check "hook list shows no secret" "$(cat "$T/list")" \
	bash -c "! grep -qe '$AS_SECRET' -e '$EP_SECRET' '$T/list'"

# ---- orders, parcels, cases ---------------------------------------------
ago() { date -u -d "-$1" +%Y-%m-%dT%H:%M:%SZ; }
ADDR='{"name":"Ana Li","line1":"5 Quay St","city":"Auckland","postal_code":"1010","country":"NZ"}'
order() {   # order ID: placed 14 days ago, shipped 10 days ago
	curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" -H "$JSON" \
		"$U/v1/orders" -d '{"id":"'"$1"'","placed_at":"'"$(ago '14 days')"'",
"currency":"USD","shipping_minor":1500,"address":'"$ADDR"',
"items":[{"line":1,"sku":"R-1","kind":"ring","style":"halo","shape":"oval",
"material":"14k white gold","color":"white","size":"7","price_minor":52000}],
"customer":{"name":"Ana Li","email":"ana@example.com"},
"shipment":{"shipped_at":"'"$(ago '10 days')"'","address":'"$ADDR"',
"courier_finding":"none","customs":"none"}}'
}
parcel() {  # parcel ORDER CARRIER CODE
	curl -s -o "$T/parcel" -w '%{http_code}' -X PUT -H "$AUTH" -H "$JSON" \
		"$U/v1/orders/$1/parcel" \
		-d '{"carrier":"'"$2"'","tracking_code":"'"$3"'"}'
}
open_case() {   # open_case ORDER TYPE: prints the case id
	curl -s -H "$AUTH" -H "$JSON" "$U/v1/cases" \
		-d '{"order":"'"$1"'","claim":{"type":"'"$2"'"}}' | jq -r .id
}
verdict() { curl -s -H "$AUTH" "$U/v1/cases/$1" | jq -r .decision.verdict; }
clause() { curl -s -H "$AUTH" "$U/v1/cases/$1" | jq -r .decision.clauses[0]; }
events() { curl -s -H "$AUTH" "$U/v1/orders/$1/tracking" | jq '.events|length'; }

for o in H-1 H-2 H-3 H-4 H-5 H-6 H-7; do
	c=$(order "$o")
	[ "$c" = 201 ] || bad "order $o" "$c"
done
code=$(parcel H-1 'UPS' '1z 001')
check "PUT parcel: 200, carrier and code folded" "$code $(cat "$T/parcel")" \
	test "$code" = 200 -a \
	"$(jq -r '.carrier+" "+.tracking_code' "$T/parcel")" = "ups 1Z001"
parcel H-2 usps EZ2 >/dev/null
parcel H-3 fedex FX3 >/dev/null
parcel H-4 usps EZ4 >/dev/null
parcel H-5 'Royal Mail' RM5 >/dev/null
parcel H-6 ups 1Z006 >/dev/null
parcel H-7 usps EZ7 >/dev/null
check "the same parcel again is fine" "" test "$(parcel H-1 ups 1Z001)" = 200
check "another order's parcel is 409" "" test "$(parcel H-2 ups 1Z001)" = 409
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "$JSON" \
	"$U/v1/orders/H-1/parcel" -d '{"carrier":"ups","tracking_code":"X"}')
check "PUT parcel needs a token" "$code" test "$code" = 401

C1=$(open_case H-1 not_received)
C2=$(open_case H-2 customs)
C3=$(open_case H-3 unwanted)
C4=$(open_case H-4 not_received)
C5=$(open_case H-5 customs)
C6=$(open_case H-6 customs)
check "not_received starts pending" "$(verdict "$C1")" \
	test "$(verdict "$C1")" = pending
check "unwanted, undelivered starts on no-refund.1" "$(clause "$C3")" \
	test "$(clause "$C3")" = no-refund.1

# ---- signing and sending -------------------------------------------------
as_sign() { printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" -binary |
	base64 -w0; }
ep_sign() { printf 'hmac-sha256-hex=%s' "$(printf '%s' "$2" |
	openssl dgst -sha256 -hmac "$1" -r | cut -d' ' -f1)"; }
# as_post NAME BODY [SIGNATURE]: the code; the answer in $T/out
as_post() {
	curl -s -o "$T/out" -w '%{http_code}' -H "$JSON" \
		-H "aftership-hmac-sha256: ${3-$(as_sign "$AS_SECRET" "$2")}" \
		"$U/v1/hooks/aftership/$1" --data-binary "$2"
}
ep_post() {
	curl -s -o "$T/out" -w '%{http_code}' -H "$JSON" \
		-H "X-Hmac-Signature: ${3-$(ep_sign "$EP_SECRET" "$2")}" \
		"$U/v1/hooks/easypost/$1" --data-binary "$2"
}
# as_event ID SLUG CODE TAG SUBTAG TIME
as_event() {
	printf '{"event":"tracking_update","event_id":"%s","is_tracking_first_tag":false,"msg":{"id":"t-%s","slug":"%s","tracking_number":"%s","tag":"%s","subtag":"%s","updated_at":"%s","checkpoints":[{"checkpoint_time":"%s","tag":"%s","subtag":"%s","message":"courier says %s"}]},"ts":1}' \
		"$1" "$1" "$2" "$3" "$4" "$5" "$6" "$6" "$4" "$5" "$5"
}
# ep_event ID CARRIER CODE STATUS DETAIL TIME MESSAGE
ep_event() {
	printf '{"id":"%s","object":"Event","mode":"test","description":"tracker.updated","created_at":"%s","result":{"id":"trk_%s","object":"Tracker","tracking_code":"%s","carrier":"%s","status":"%s","status_detail":"%s","updated_at":"%s","tracking_details":[{"object":"TrackingDetail","datetime":"%s","message":"%s","status":"%s","status_detail":"%s"}]}}' \
		"$1" "$6" "$1" "$3" "$2" "$4" "$5" "$6" "$6" "$7" "$4" "$5"
}

# ---- bad signatures: 401, nothing stored -------------------------------------
LOST=$(as_event as-1 ups 1Z001 Exception Exception_013 "$(ago '1 day')")
before=$(events H-1)
code=$(as_post shop "$LOST" "$(as_sign wrong-secret-0123456789 "$LOST")")
check "AfterShip, signed with another secret: 401 problem+json" \
	"$code $(cat "$T/out")" test "$code" = 401 -a \
	"$(jq -r .status "$T/out")" = 401
code=$(as_post shop "$LOST" "")
check "AfterShip without a signature: 401" "$code" test "$code" = 401
code=$(as_post shop "$LOST" "$(as_sign "$AS_SECRET" "${LOST/1Z001/1Z006}")")
check "AfterShip, another body's signature: 401" "$code" test "$code" = 401
code=$(as_post nosuch "$LOST")
check "an integration that does not exist: 401" "$code" test "$code" = 401
code=$(ep_post shop "$LOST" "$(ep_sign "$AS_SECRET" "$LOST")")
check "EasyPost signed with AfterShip's secret: 401" "$code" \
	test "$code" = 401
code=$(ep_post shop "$LOST" "hmac-sha256-hex=zz")
check "EasyPost, a malformed signature: 401" "$code" test "$code" = 401
check "after the bad ones nothing is stored" "$(events H-1)" \
	test "$(events H-1)" = "$before" -a "$(verdict "$C1")" = pending

# ---- each mapped status re-decides ---------------------------------------
code=$(as_post shop "$LOST")
check "AfterShip Exception_013 (lost): 200 applied, re-decides" \
	"$code $(cat "$T/out")" test "$code" = 200 -a \
	"$(jq -r '.status+" "+.kind+" "+.order+" "+(.redecided|length|tostring)' \
	"$T/out")" = "applied lost_confirmed H-1 1"
check "not_received becomes full_refund when the courier says lost" \
	"$(verdict "$C1")" test "$(verdict "$C1")" = full_refund

n1=$(events H-1)
code=$(as_post shop "$LOST")
check "the same event id again: 200 duplicate" "$code $(cat "$T/out")" \
	test "$code" = 200 -a "$(jq -r .status "$T/out")" = duplicate
check "and nothing more is stored" "$(events H-1)" test "$(events H-1)" = "$n1"

HELD=$(ep_event evt-2 USPS EZ2 in_transit held "$(ago '3 days')" \
	"Held at customs: duties due")
code=$(ep_post shop "$HELD")
check "EasyPost held at customs: applied customs_held" "$code $(cat "$T/out")" \
	test "$code" = 200 -a "$(jq -r .kind "$T/out")" = customs_held
check "the customs claim is pending on no-refund.6" \
	"$(verdict "$C2") $(clause "$C2")" \
	test "$(verdict "$C2") $(clause "$C2")" = "pending no-refund.6"
REFUSED=$(ep_event evt-3 USPS EZ2 failure refused "$(ago '2 days')" \
	"Recipient refused to pay duties")
code=$(ep_post shop "$REFUSED")
check "EasyPost refused: customs_refused, the case becomes no_refund" \
	"$code $(verdict "$C2")" test "$code" = 200 -a \
	"$(verdict "$C2")" = no_refund
code=$(ep_post shop "$REFUSED")
check "EasyPost duplicate: 200 duplicate" "$code" \
	test "$code" = 200 -a "$(jq -r .status "$T/out")" = duplicate

DELIV=$(as_event as-4 FedEx FX3 Delivered Delivered_001 "$(ago '2 days')")
code=$(as_post shop "$DELIV")
check "AfterShip Delivered: applied delivered" "$code $(cat "$T/out")" \
	test "$code" = 200 -a "$(jq -r .kind "$T/out")" = delivered
check "the unwanted claim moves to no-refund.4 once delivered" \
	"$(clause "$C3")" test "$(clause "$C3")" = no-refund.4
delivered_at=$(curl -s -H "$AUTH" "$U/v1/orders/H-3" |
	jq -r .shipment.delivered_at)
check "delivered_at is the event's own time" "$delivered_at" \
	test "$delivered_at" = "$(ago '2 days' | cut -c1-16)${delivered_at:16}"

RET=$(ep_event evt-5 USPS EZ4 return_to_sender return "$(ago '1 day')" \
	"Returned to sender")
code=$(ep_post shop "$RET")
check "EasyPost return_to_sender: recorded as returned, decides nothing" \
	"$code $(cat "$T/out")" test "$code" = 200 -a \
	"$(jq -r '.kind+" "+(.redecided|length|tostring)' "$T/out")" = \
	"returned 0" -a "$(events H-4)" = 1 -a "$(verdict "$C4")" = pending

CHELD=$(as_event as-6 royal-mail RM5 Exception Exception_004 "$(ago '3 days')")
code=$(as_post shop "$CHELD")
check "AfterShip Exception_004 (customs): pending on no-refund.6" \
	"$code $(verdict "$C5") $(clause "$C5")" test "$code" = 200 -a \
	"$(verdict "$C5") $(clause "$C5")" = "pending no-refund.6"
CREF=$(as_event as-7 royal-mail RM5 Exception Exception_003 "$(ago '2 days')")
code=$(as_post shop "$CREF")
check "AfterShip Exception_003 (refused): no_refund" \
	"$code $(verdict "$C5")" test "$code" = 200 -a "$(verdict "$C5")" = no_refund

# ---- out of order -----------------------------------------------------------
NEWER=$(as_event as-8 ups 1Z006 Exception Exception_013 "$(ago '1 day')")
OLDER=$(as_event as-9 ups 1Z006 Exception Exception_004 "$(ago '3 days')")
as_post shop "$NEWER" >/dev/null
check "the newer event (lost) applies first: full_refund" "$(verdict "$C6")" \
	test "$(verdict "$C6")" = full_refund
code=$(as_post shop "$OLDER")
check "an older event after it: 200 stale" "$code $(cat "$T/out")" \
	test "$code" = 200 -a "$(jq -r .status "$T/out")" = stale
check "and the state does not roll back (still full_refund)" \
	"$(verdict "$C6")" test "$(verdict "$C6")" = full_refund
check "the stale event is on the order's tracking as history" \
	"$(events H-6)" test "$(events H-6)" = 2

# ---- unmatched and ignored ----------------------------------------------------
UNK=$(as_event as-10 ups NOSUCHCODE Delivered Delivered_001 "$(ago '1 day')")
code=$(as_post shop "$UNK")
check "an unknown tracking code: 202 unmatched" "$code $(cat "$T/out")" \
	test "$code" = 202 -a "$(jq -r .status "$T/out")" = unmatched
code=$(as_post shop "$UNK")
check "and its second delivery is a duplicate (it was kept)" "$code" \
	test "$code" = 200 -a "$(jq -r .status "$T/out")" = duplicate
code=$(curl -s -o "$T/ev" -w '%{http_code}' -H "$AUTH" "$U/v1/hooks/events")
check "staff list the unmatched events: the unknown code, no order" \
	"$code $(cat "$T/ev")" test "$code" = 200 -a \
	"$(jq -r '[.events[] | select(.id == "as-10")][0] | .integration+" "+.tracking_code+" "+.kind+" "+(.order|tostring)' "$T/ev")" = \
	"aftership/shop NOSUCHCODE delivered null"
code=$(curl -s -o "$T/ev" -w '%{http_code}' -H "$AUTH" \
	"$U/v1/hooks/events?status=applied&limit=100")
check "… and the applied ones, with their order" "$code" test "$code" = 200 -a \
	"$(jq -r '[.events[] | select(.id == "as-1")][0].order' "$T/ev")" = H-1
code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" \
	"$U/v1/hooks/events?status=bogus")
check "a status that is none: 422" "$code" test "$code" = 422
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/hooks/events")
check "the list needs a token" "$code" test "$code" = 401
# an event before its parcel was named: kept, then applied when it is
c=$(order H-8)
C8=$(open_case H-8 not_received)
EARLY=$(as_event as-13 dhl EARLY8 Exception Exception_013 "$(ago '1 day')")
code=$(as_post shop "$EARLY")
check "an event for a parcel not named yet: 202 unmatched" "$code $c" \
	test "$code" = 202 -a "$(verdict "$C8")" = pending
code=$(parcel H-8 DHL early8)
check "naming the parcel applies it: the case becomes full_refund" \
	"$code $(verdict "$C8") $(events H-8)" test "$code" = 200 -a \
	"$(verdict "$C8")" = full_refund -a "$(events H-8)" = 1
code=$(as_post shop "$EARLY")
check "and its second delivery is still a duplicate" "$code" \
	test "$code" = 200 -a "$(jq -r .status "$T/out")" = duplicate
parcel H-8 dhl EARLY8 >/dev/null
check "naming it again applies nothing twice" "$(events H-8)" \
	test "$(events H-8)" = 1
INTR=$(as_event as-11 usps EZ7 InTransit InTransit_007 "$(ago '1 day')")
code=$(as_post shop "$INTR")
check "a status that maps to no kind: 200 ignored, nothing changes" \
	"$code $(cat "$T/out")" test "$code" = 200 -a \
	"$(jq -r .status "$T/out")" = ignored -a "$(events H-7)" = 0
EDD='{"event":"edd_revise","event_id":"as-12","msg":{}}'
code=$(as_post shop "$EDD")
check "another AfterShip event type: 200 ignored" "$code" \
	test "$code" = 200 -a "$(jq -r .status "$T/out")" = ignored
code=$(as_post shop '{"event":"tracking_update","msg":{}}')
check "a signed event without an id: 422 naming it" "$code $(cat "$T/out")" \
	test "$code" = 422 -a "$(jq -r .field "$T/out")" = event_id

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
