#!/usr/bin/env bash
# pg-two-servers.sh: two `aftercare serve` on one PostgreSQL database,
# refunding the same cases at once (CONTRACT.md, "Databases": a refund is
# paid at most once per key and never above its limit, across servers).
# Each of a few cases gets many refunds of a fifth of its limit at the
# same time, every Idempotency-Key sent to both servers at once (one
# pays, the other replays it). Then: every key's answers name one ledger
# entry; the entries the answers name are the case's ledger, no more, and
# their sum is what the database holds; the limit is filled and never
# passed; no key has two entries; the refusals are 422 (above the limit)
# or 409 (the case is resolved, paid in full).
# Usage: tests/api/pg-two-servers.sh BIN DSN   (DSN: an empty PostgreSQL
# database; make test-two-servers-pg starts a private cluster for it)
# Ends with "N passed, M failed"; exit 1 on any failure. Needs curl, jq,
# psql.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BIN DSN" >&2
	exit 2
fi
BIN=$(realpath -- "$1") || exit 2
DSN=$2
T=$(mktemp -d) || exit 2
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf -- "$T"
}
trap cleanup EXIT

PASS=0
FAIL=0
check() {
	local what=$1
	shift
	if "$@"; then
		PASS=$((PASS + 1))
		echo "ok   $what"
	else
		FAIL=$((FAIL + 1))
		echo "FAIL $what"
	fi
}

# serve NAME: a server on a free loopback port; sets URL_<NAME>.
serve() {
	local name=$1 u=
	"$BIN" serve --db "$DSN" --listen 127.0.0.1:0 2>"$T/$name.err" &
	PIDS+=($!)
	for _ in $(seq 100); do
		grep -q '^listening on' "$T/$name.err" && break
		sleep 0.1
	done
	u=$(sed -n 's|^listening on ||p' "$T/$name.err" | head -n 1)
	if [ -z "$u" ]; then
		echo "server $name did not start:" >&2
		cat "$T/$name.err" >&2
		exit 1
	fi
	case "$u" in http*) ;; *) u="http://$u" ;; esac
	printf -v "URL_$name" '%s' "$u"
}

sql() {
	psql "$DSN" -Atqc "$1"
}

"$BIN" demo --db "$DSN" >/dev/null 2>"$T/demo.err" || {
	cat "$T/demo.err" >&2
	exit 1
}
TOKEN=$("$BIN" token add two --db "$DSN" 2>/dev/null | tail -n 1)
serve A
serve B
AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H "Content-Type: application/json")
check "two servers listen ($URL_A, $URL_B)" test "$URL_A" != "$URL_B"

# Cases with a refund to pay: orders placed just now, one ring each, each
# cancelled (a full refund before the cut-off), made half on each server.
CASES=()
LIMITS=()
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for i in 1 2 3; do
	u=$URL_A
	[ $((i % 2)) = 0 ] && u=$URL_B
	jq -nc --arg id "P-$i" --arg p "$NOW" '{id: $id, placed_at: $p,
		currency: "USD", shipping_minor: 1500, address: {name: "Ana Li",
		line1: "5 Quay St", city: "Auckland", postal_code: "1010",
		country: "NZ"}, items: [{line: 1, sku: "R-14W-7", kind: "ring",
		style: "halo", shape: "oval", material: "14k white gold",
		color: "white", size: "7", price_minor: 52000}],
		customer: {name: "Ana Li", email: "ana@example.com"}}' \
		>"$T/order.json"
	curl -s -o /dev/null "$u/v1/orders" "${AUTH[@]}" "${JSON[@]}" \
		--data-binary @"$T/order.json"
	code=$(curl -s -o "$T/case.json" -w '%{http_code}' "$u/v1/cases" \
		"${AUTH[@]}" "${JSON[@]}" \
		-d "{\"order\":\"P-$i\",\"claim\":{\"type\":\"cancel\"}}")
	[ "$code" = 201 ] || continue
	max=$(jq -r '.decision.refund_max_minor' "$T/case.json")
	[ "$max" -ge 5 ] 2>/dev/null || continue
	CASES+=("$(jq -r .id "$T/case.json")")
	LIMITS+=("$max")
done
check "cases to refund: ${CASES[*]} (limits ${LIMITS[*]})" \
	test ${#CASES[@]} = 3

# refund URL CASE KEY AMOUNT OUT: one refund; OUT gets "status body".
refund() {
	curl -s -o "$5.body" -w '%{http_code}' "$1/v1/cases/$2/refunds" \
		"${AUTH[@]}" "${JSON[@]}" -H "Idempotency-Key: $3" \
		--data-binary "{\"amount_minor\": $4}" >"$5.code"
}

N=12    # keys per case, each sent to both servers at once
REQ=()
for k in "${!CASES[@]}"; do
	c=${CASES[$k]}
	amount=$((LIMITS[k] / 5))
	for j in $(seq "$N"); do
		refund "$URL_A" "$c" "$c-k$j" "$amount" "$T/r-$c-$j-A" &
		REQ+=($!)
		refund "$URL_B" "$c" "$c-k$j" "$amount" "$T/r-$c-$j-B" &
		REQ+=($!)
	done
done
for p in "${REQ[@]}"; do
	wait "$p"
done

for k in "${!CASES[@]}"; do
	c=${CASES[$k]}
	max=${LIMITS[$k]}
	amount=$((max / 5))
	: >"$T/ids-$c"
	bad_key=0
	other=0
	for j in $(seq "$N"); do
		a=$(cat "$T/r-$c-$j-A.code")
		b=$(cat "$T/r-$c-$j-B.code")
		ia=$(jq -r '.id // empty' "$T/r-$c-$j-A.body" 2>/dev/null)
		ib=$(jq -r '.id // empty' "$T/r-$c-$j-B.body" 2>/dev/null)
		# one key: both paid the same entry, or both were refused
		# (422: above the limit; 409: the case is resolved, paid in
		# full)
		if [ "$a" = 201 ] && [ "$b" = 201 ]; then
			[ "$ia" = "$ib" ] || bad_key=$((bad_key + 1))
			echo "$ia" >>"$T/ids-$c"
		elif [ "$a" = 201 ] || [ "$b" = 201 ]; then
			bad_key=$((bad_key + 1))
		fi
		for x in "$a" "$b"; do
			case "$x" in 201|422|409) ;; *) other=$((other + 1)) ;; esac
		done
	done
	paid=$(sort -u "$T/ids-$c" | grep -c .)
	answered=$((paid * amount))
	held=$(sql "SELECT coalesce(sum(amount_minor), 0) FROM ledger
		WHERE case_id = '$c' AND kind = 'refund'")
	rows=$(sql "SELECT count(*) FROM ledger WHERE case_id = '$c'")
	check "$c: each key's two answers agree (one entry, or refused)" \
		test "$bad_key" = 0
	check "$c: every answer is 201, 409 or 422 ($other others)" \
		test "$other" = 0
	check "$c: the ledger holds what the answers paid ($held = $paid x $amount)" \
		test "$held" = "$answered" -a "$rows" = "$paid"
	check "$c: never above the limit ($held <= $max)" test "$held" -le "$max"
	check "$c: the limit is filled ($paid = 5 refunds of a fifth)" \
		test "$paid" = 5
done
twice=$(sql "SELECT count(*) FROM (SELECT idempotency_key FROM ledger
	WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key
	HAVING count(*) > 1) x")
check "no key paid twice in the ledger ($twice)" test "$twice" = 0
keys=$(sql "SELECT count(*) FROM idempotency")
check "one idempotency record per key paid ($keys)" \
	test "$keys" = "$(cat "$T"/ids-* | sort -u | grep -c .)"
for s in A B; do
	pid=${PIDS[$([ $s = A ] && echo 0 || echo 1)]}
	check "server $s still runs" kill -0 "$pid"
done

echo
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
