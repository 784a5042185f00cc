#!/bin/bash
# pages.sh: the pages over real HTTP on loopback, without a browser (the
# browser's tests are tests/web): what the server itself must enforce,
# whatever the client. Sessions are cookies (HttpOnly, SameSite=Strict),
# every POST of a session needs its CSRF token, a customer's session
# reaches one order only, an agent cannot override (403, not only hidden),
# the same refund form sent twice pays once, a script in a message is
# text, look-ups and sign-ins are limited, photos are checked by content.
# Usage: tests/api/pages.sh BIN   ("N passed, M failed"; exit 1 if any)
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BIN" >&2
	exit 2
fi
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d) || exit 2
SPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT

# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"

serve_demo pages
AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H "Content-Type: application/json")

# req NAME ARGS...: curl with headers to $T/NAME.h and body to $T/NAME.b;
# prints the status.
req() {
	local n=$1
	shift
	curl -s -D "$T/$n.h" -o "$T/$n.b" -w '%{http_code}' "$@"
}
# csrf_of FILE: the csrf field of the first form on a page.
csrf_of() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1; }
header() { grep -i "^$2:" "$T/$1.h" | head -n 1 | tr -d '\r'; }

# ---- the portal --------------------------------------------------------
code=$(req home "$U/")
check "GET / is the look-up page" "$code $(head -c 300 "$T/home.b")" \
	test "$code" = 200
check "the look-up form has its labels and button" "$(cat "$T/home.b")" \
	grep -q '<label for="order">Order number</label>' "$T/home.b"
check "… and Find my order" "" grep -q '>Find my order</button>' "$T/home.b"
csp=$(header home Content-Security-Policy)
check "pages carry a strict CSP" "$csp" \
	bash -c "grep -qi \"^content-security-policy: default-src 'none';\" '$T/home.h' && ! grep -i '^content-security-policy' '$T/home.h' | grep -q unsafe"
code=$(req css "$U/static/site.css")
check "the stylesheet is served" "$code $(header css Content-Type)" \
	bash -c "[ $code = 200 ] && grep -qi '^content-type: text/css' '$T/css.h'"

code=$(req noses "$U/order")
check "no session: /order is 303 to /" "$code $(header noses Location)" \
	bash -c "[ $code = 303 ] && grep -qi '^location: /\s*$' '$T/noses.h'"

code=$(req wrong "$U/lookup" --data-urlencode order=D-1001 \
	--data-urlencode email=someone@example.com)
check "a wrong e-mail finds nothing (404)" "$code" test "$code" = 404
check "… and says so" "$(grep -o 'We found[^<]*' "$T/wrong.b")" \
	grep -q 'We found no order with that number and e-mail address' \
	"$T/wrong.b"
check "… without a cookie" "$(cat "$T/wrong.h")" \
	bash -c "! grep -qi '^set-cookie' '$T/wrong.h'"

code=$(req look "$U/lookup" --data-urlencode order=D-1001 \
	--data-urlencode email=' ANA@example.com ' --data-urlencode tz=780)
cookie=$(header look Set-Cookie)
check "the right e-mail (any case) is 303 to /order" "$code" test "$code" = 303
check "the session cookie is HttpOnly and SameSite=Strict" "$cookie" \
	bash -c "[[ '$cookie' == *ac_order=*HttpOnly* && '$cookie' == *SameSite=Strict* ]]"
C=(-b "ac_order=$(sed -n 's/.*ac_order=\([0-9a-f]*\).*/\1/p' <<<"$cookie")")

code=$(req order "${C[@]}" "$U/order")
check "the order page" "$code" test "$code" = 200
check "… names the order" "" grep -q 'Order D-1001' "$T/order.b"
check "… says until when it can be cancelled, in the customer's zone" \
	"$(grep -o 'until [^<]*' "$T/order.b" | head -n 3)" \
	grep -q 'UTC+13:00' "$T/order.b"

code=$(req claimform "${C[@]}" "$U/order/claim")
csrf=$(csrf_of "$T/claimform.b")
check "the claim form has a CSRF token" "$code" test -n "$csrf"
code=$(req nocsrf "${C[@]}" "$U/order/claim" --data-urlencode type=cancel)
check "a claim without the CSRF token is 403" "$code" test "$code" = 403
code=$(req badcsrf "${C[@]}" "$U/order/claim" --data-urlencode type=cancel \
	--data-urlencode csrf=0000000000000000000000000000000000000000000000000000000000000000)
check "… and with another token too" "$code" test "$code" = 403

printf 'not a picture' >"$T/fake.png"
code=$(req fake "${C[@]}" "$U/order/claim" -F csrf="$csrf" -F type=cancel \
	-F "photos=@$T/fake.png;type=text/plain")
check "a photo that is not an image is refused, naming photos" "$code" \
	test "$code" = 422
# a 1x1 PNG
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82' >"$T/dot.png"
code=$(req claim "${C[@]}" "$U/order/claim" -F csrf="$csrf" -F type=cancel \
	-F "photos=@$T/dot.png;type=image/png" \
	--form-string 'message=<script>alert(1)</script> please cancel')
loc=$(header claim Location)
check "a cancellation with a photo and a message is filed (303)" "$code $loc" \
	bash -c "[ $code = 303 ] && [[ '$loc' == *'/order/cases/C-'* ]]"
case_id=$(sed -n 's|.*/order/cases/\(C-[0-9]*\).*|\1|p' <<<"$loc")
code=$(req case "${C[@]}" "$U/order/cases/$case_id")
check "the case page gives the decision in words" "$code" \
	grep -q 'A full refund' "$T/case.b"
check "… with the deciding clause" "" grep -q 'no-refund.1' "$T/case.b"
check "a script in a message shows as text" "$(grep -o '.script.alert[^<]*' "$T/case.b")" \
	bash -c "grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' '$T/case.b' && ! grep -q '<script>alert' '$T/case.b'"
code=$(curl -s -o "$T/ev.json" -w '%{http_code}' "${AUTH[@]}" \
	"$U/v1/audit?entity=case&entity_id=$case_id")
check "the photo was kept (audit evidence.add by customer:D-1001)" \
	"$(head -c 600 "$T/ev.json")" \
	bash -c "grep -q 'evidence.add' '$T/ev.json' && grep -q 'customer:D-1001' '$T/ev.json'"

# another order's case is unreachable from this session
code=$(curl -s -o "$T/other.json" -w '%{http_code}' "${AUTH[@]}" "${JSON[@]}" \
	"$U/v1/cases" -d '{"order": "D-1004", "claim": {"type": "wrong_item", "lines": [1]}}')
other=$(sed -n 's/.*"id":"\(C-[0-9]*\)".*/\1/p' "$T/other.json" | head -n 1)
code=$(req steal "${C[@]}" "$U/order/cases/$other")
check "another order's case is 404 from this session" "$code $other" \
	test "$code" = 404
code=$(req steal2 "${C[@]}" "$U/order/cases/$other/messages" \
	--data-urlencode csrf="$csrf" --data-urlencode message=hello)
check "… and cannot be written to" "$code" test "$code" = 404

# ---- the console ---------------------------------------------------------
code=$(req signin "$U/console")
check "GET /console is the sign-in form" "$code" \
	bash -c "[ $code = 200 ] && grep -q '>Sign in</button>' '$T/signin.b'"
code=$(req badpw "$U/console/signin" --data-urlencode user=manager \
	--data-urlencode password=wrong-password)
check "a wrong password is 401" "$code" test "$code" = 401
code=$(req mgr "$U/console/signin" --data-urlencode user=manager \
	--data-urlencode password=manager-demo-1)
mcookie=$(header mgr Set-Cookie)
check "the manager signs in (303, cookie for /console)" "$code $mcookie" \
	bash -c "[ $code = 303 ] && [[ '$mcookie' == *ac_staff=*Path=/console*HttpOnly*SameSite=Strict* ]]"
M=(-b "ac_staff=$(sed -n 's/.*ac_staff=\([0-9a-f]*\).*/\1/p' <<<"$mcookie")")
code=$(req agent "$U/console/signin" --data-urlencode user=agent \
	--data-urlencode password=agent-demo-1)
A=(-b "ac_staff=$(header agent Set-Cookie | sed -n 's/.*ac_staff=\([0-9a-f]*\).*/\1/p')")

code=$(req queue "${M[@]}" "$U/console")
check "the queue links each case" "$code" \
	grep -q "href=\"/console/cases/$case_id\"" "$T/queue.b"
code=$(req acase "${A[@]}" "$U/console/cases/$other")
acsrf=$(csrf_of "$T/acase.b")
clause=$(curl -s "${AUTH[@]}" "$U/v1/cases/$other" |
	sed -n 's/.*"clauses":\["\([^"]*\)".*/\1/p')
check "a case page shows the deciding clause's id and quotes its text" \
	"$code $clause" \
	bash -c "[ $code = 200 ] && [ -n '$clause' ] && grep -q '($clause)' '$T/acase.b' && grep -q '<blockquote class=\"clause\"><p>[A-Z]' '$T/acase.b'"
check "… and no override form for an agent" "" \
	bash -c "! grep -q '>Override</button>' '$T/acase.b'"
code=$(req aov "${A[@]}" "$U/console/cases/$other/override" \
	--data-urlencode csrf="$acsrf" --data-urlencode verdict=no_refund \
	--data-urlencode reason=agent-try)
check "an agent's override is refused 403" "$code" test "$code" = 403
code=$(req mcase "${M[@]}" "$U/console/cases/$other")
mcsrf=$(csrf_of "$T/mcase.b")
check "a manager sees the override form" "" \
	grep -q '>Override</button>' "$T/mcase.b"
code=$(req mov "${M[@]}" "$U/console/cases/$other/override" \
	--data-urlencode csrf="$mcsrf" --data-urlencode verdict=partial_refund \
	--data-urlencode refund_limit=10.00 \
	--data-urlencode reason='goodwill <b>gesture</b>')
check "a manager's override is done (303)" "$code" test "$code" = 303
curl -s "${AUTH[@]}" "$U/v1/audit?entity=case&entity_id=$other" >"$T/ov.json"
check "… in the audit as user:manager with the reason" \
	"$(head -c 800 "$T/ov.json")" \
	bash -c "grep -q 'user:manager' '$T/ov.json' && grep -q 'goodwill' '$T/ov.json'"

# the refund form sent twice (a double click) pays once
code=$(req mcase2 "${M[@]}" "$U/console/cases/$other")
mcsrf=$(csrf_of "$T/mcase2.b")
idem=$(sed -n 's/.*name="idem" value="\([0-9a-f]*\)".*/\1/p' "$T/mcase2.b" | head -n 1)
for i in 1 2; do
	code=$(req ref$i "${M[@]}" "$U/console/cases/$other/refund" \
		--data-urlencode csrf="$mcsrf" --data-urlencode idem="$idem" \
		--data-urlencode amount=4.50)
done
curl -s "${AUTH[@]}" "$U/v1/cases/$other" >"$T/paid.json"
check "the same refund form twice pays once (450)" "$(cat "$T/paid.json")" \
	grep -q '"refunded_total_minor":450' "$T/paid.json"
code=$(req over "${M[@]}" "$U/console/cases/$other/refund" \
	--data-urlencode csrf="$mcsrf" --data-urlencode idem=other-key \
	--data-urlencode amount=6.00)
check "a refund above what is left is refused" "$code" test "$code" = 422
code=$(req badamt "${M[@]}" "$U/console/cases/$other/refund" \
	--data-urlencode csrf="$mcsrf" --data-urlencode idem=k3 \
	--data-urlencode amount=1.234)
check "an amount with three decimals is refused naming Amount" "$code" \
	bash -c "[ $code = 422 ] && grep -q 'Amount' '$T/badamt.b'"
code=$(req note "${M[@]}" "$U/console/cases/$other/note" \
	--data-urlencode csrf="$mcsrf" \
	--data-urlencode 'note=<img src=x onerror=alert(1)>')
curl -s "${M[@]}" "$U/console/cases/$other" >"$T/notes.b"
check "a note is shown as text" "" \
	bash -c "grep -q '&lt;img src=x onerror=alert(1)&gt;' '$T/notes.b' && ! grep -q '<img src=x' '$T/notes.b'"

code=$(req out "${M[@]}" "$U/console/signout" --data-urlencode csrf="$mcsrf")
code=$(req after "${M[@]}" "$U/console/cases/$other")
check "after signing out the session is gone (303)" "$code" test "$code" = 303

# ---- limits (last: they hold for a while) --------------------------------
for i in 1 2 3 4 5; do
	code=$(req lock$i "$U/console/signin" --data-urlencode user=agent \
		--data-urlencode password=wrong-password-$i)
done
code=$(req locked "$U/console/signin" --data-urlencode user=agent \
	--data-urlencode password=agent-demo-1)
check "5 wrong passwords lock the account (423, even with the right one)" \
	"$code $(grep -o 'locked until[^<]*' "$T/locked.b")" test "$code" = 423
for i in 1 2 3 4 5; do
	code=$(req many$i "$U/lookup" --data-urlencode order=D-1002 \
		--data-urlencode email=guess$i@example.com)
done
code=$(req limited "$U/lookup" --data-urlencode order=D-1002 \
	--data-urlencode email=ana@example.com)
check "too many wrong look-ups get 429 with Retry-After" \
	"$code $(header limited Retry-After)" \
	bash -c "[ $code = 429 ] && grep -qi '^retry-after: [0-9]' '$T/limited.h'"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
