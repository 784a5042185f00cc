#!/bin/bash
# deadlines.sh: GET /v1/deadlines paged through against a real `aftercare
# serve` on loopback. Following `next` as `after` gives every active case
# (neither resolved nor closed) exactly once, soonest due first, `limit` at
# a time, and stops with next null; a closed case is never listed; a cursor
# the list did not give and a limit outside 1..100 are 422 naming the
# field (`after`, `limit`).
# Usage: tests/api/deadlines.sh BIN   ("N passed, M failed"; exit 1 if any)
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

serve_demo dl
AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H "Content-Type: application/json")
# every due date there is (the desk's bound: ten years of 365 days)
WITHIN=315360000
LIMIT=7

# Cases: two on each demo order (D-1001 .. D-1013), 26 in all.
: >"$T/opened"
for n in $(seq 1001 1013); do
	for claim in '{"type":"cancel"}' '{"type":"wrong_item","lines":[1]}'; do
		code=$(curl -s -o "$T/case.json" -w '%{http_code}' \
			"$U/v1/cases" "${AUTH[@]}" "${JSON[@]}" \
			-d "{\"order\":\"D-$n\",\"claim\":$claim}")
		[ "$code" = 201 ] && jq -r .id "$T/case.json" >>"$T/opened"
	done
done
opened=$(wc -l <"$T/opened")
check open-cases "opened $opened cases, want 26" [ "$opened" = 26 ]

# Three closed: no longer due, never listed.
: >"$T/closed"
for id in $(sed -n '2p;11p;20p' "$T/opened"); do
	code=$(curl -s -o /dev/null -w '%{http_code}' \
		"$U/v1/cases/$id/transition" "${AUTH[@]}" "${JSON[@]}" \
		-d '{"to":"closed","reason":"customer withdrew"}')
	[ "$code" = 200 ] && echo "$id" >>"$T/closed"
done
check close-cases "closed $(wc -l <"$T/closed") of 3" \
	[ "$(wc -l <"$T/closed")" = 3 ]

# What should be listed: every opened case whose status is active now.
: >"$T/active"
while read -r id; do
	st=$(curl -s "$U/v1/cases/$id" "${AUTH[@]}" | jq -r .status)
	case $st in
	resolved | closed) ;;
	*) echo "$id" >>"$T/active" ;;
	esac
done <"$T/opened"
sort -o "$T/active" "$T/active"
check some-active "$(wc -l <"$T/active") active cases" \
	[ "$(wc -l <"$T/active")" -gt $((2 * LIMIT)) ]

# Page through, following next.
: >"$T/listed"
: >"$T/dues"
after=
pages=0
short=0
status=ok
while :; do
	url="$U/v1/deadlines?within=$WITHIN&limit=$LIMIT"
	[ -n "$after" ] && url="$url&after=$(jq -rn --arg a "$after" \
		'$a | @uri')"
	code=$(curl -s -o "$T/page.json" -w '%{http_code}' "$url" "${AUTH[@]}")
	if [ "$code" != 200 ]; then
		status="page $pages answered $code: $(cat "$T/page.json")"
		break
	fi
	pages=$((pages + 1))
	n=$(jq '.cases | length' "$T/page.json")
	jq -r '.cases[].id' "$T/page.json" >>"$T/listed"
	# RFC 3339 with 0 to 6 fraction digits: padded to 6, they sort
	jq -r '.cases[].due | if test("\\.") then
		capture("^(?<s>[^.]+)\\.(?<f>[0-9]+)Z$") |
		.s + "." + ((.f + "000000")[0:6])
		else rtrimstr("Z") + ".000000" end' "$T/page.json" >>"$T/dues"
	after=$(jq -r '.next // empty' "$T/page.json")
	[ "$n" -gt "$LIMIT" ] && status="page $pages has $n rows"
	if [ -z "$after" ]; then
		break
	fi
	# a page with a next is full
	[ "$n" = "$LIMIT" ] || short=$((short + 1))
	if [ "$pages" -gt 50 ]; then
		status="more than 50 pages: next never ends"
		break
	fi
done
want_pages=$((($(wc -l <"$T/active") + LIMIT - 1) / LIMIT))
check pages-answered "$status" [ "$status" = ok ]
check pages-count "$pages pages for $(wc -l <"$T/active") cases, \
want $want_pages" [ "$pages" = "$want_pages" ]
check pages-full "$short pages with a next were not full" [ "$short" = 0 ]
check each-once "listed twice: $(sort "$T/listed" | uniq -d | tr '\n' ' ')" \
	[ -z "$(sort "$T/listed" | uniq -d)" ]
sort -o "$T/listed.sorted" "$T/listed"
check every-active \
	"missing: $(comm -23 "$T/active" "$T/listed.sorted" | tr '\n' ' '); \
extra: $(comm -13 "$T/active" "$T/listed.sorted" | tr '\n' ' ')" \
	cmp -s "$T/active" "$T/listed.sorted"
check no-closed "a closed case listed" \
	[ -z "$(sort "$T/closed" | comm -12 - "$T/listed.sorted")" ]
check soonest-first "due times out of order across pages" \
	cmp -s "$T/dues" <(sort "$T/dues")

# The same walk with limit 100: one page, no next, the same cases.
code=$(curl -s -o "$T/all.json" -w '%{http_code}' \
	"$U/v1/deadlines?within=$WITHIN&limit=100" "${AUTH[@]}")
check one-page "limit=100: $code, next $(jq -c .next "$T/all.json")" \
	[ "$code:$(jq -c .next "$T/all.json")" = 200:null ]
check one-page-same "limit=100 lists other cases than the pages" \
	cmp -s "$T/listed" <(jq -r '.cases[].id' "$T/all.json")

# Refused, naming the field.
refused() { # refused NAME QUERY FIELD
	local code field
	code=$(curl -s -o "$T/err.json" -w '%{http_code}' \
		"$U/v1/deadlines?$2" "${AUTH[@]}")
	field=$(jq -r .field "$T/err.json" 2>/dev/null)
	check "$1" "?$2 answered $code, field $field: $(cat "$T/err.json")" \
		[ "$code:$field" = "422:$3" ]
}
refused bad-cursor 'after=not-a-cursor' after
refused bad-cursor-numbers 'after=12:x' after
refused limit-zero 'limit=0' limit
refused limit-above 'limit=101' limit
refused limit-text 'limit=ten' limit

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
