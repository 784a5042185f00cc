#!/usr/bin/env bash
# migrate-pg.sh BIN: `aftercare migrate` SQLite -> PostgreSQL -> SQLite on
# the demo shop with cases, refunds and notes made through the API, the two
# SQLite files compared table by table; a non-empty target refused; a
# usage error. Starts a private cluster (scripts/pg-cluster.sh) and stops
# it in a trap. Ends with "N passed, M failed"; exit 1 on any failure.
set -u
BIN=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d /tmp/ac-migrate-XXXXXX)
P=$(mktemp -d /tmp/ac-pg-XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	wait 2>/dev/null
	scripts/pg-cluster.sh stop "$P" >/dev/null 2>&1
	rm -rf -- "$T" "$P"
}
trap cleanup EXIT INT TERM
DSN=$(scripts/pg-cluster.sh start "$P") || exit 1

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

A=$T/a.db
"$BIN" demo --db "$A" >/dev/null 2>&1
TOKEN=$("$BIN" token add mig --db "$A" 2>/dev/null | tail -n 1)
"$BIN" serve --db "$A" --listen 127.0.0.1:0 2>"$T/serve.err" &
PID=$!
for _ in $(seq 100); do
	grep -q '^listening on' "$T/serve.err" && break
	sleep 0.1
done
U=$(sed -n 's|^listening on ||p' "$T/serve.err" | head -n 1)
case "$U" in http*) ;; *) U="http://$U" ;; esac
AUTH=(-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json")
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for i in 1 2 3 4; do
	jq -nc --arg id "M-$i" --arg p "$NOW" --arg cur "$([ "$i" = 4 ] &&
		echo EUR || echo USD)" '{id: $id, placed_at: $p,
		currency: $cur, shipping_minor: 1500, address: {name: "Ana Li",
		line1: "5 Quay St", city: "Auckland", postal_code: "1010",
		country: "NZ"}, items: [{line: 1, sku: "R-14W-7", kind: "ring",
		style: "halo", shape: "oval", material: "14k white gold",
		color: "white", size: "7", price_minor: 52000}],
		customer: {name: "Ana Li", email: "ana@example.com"}}' \
		>"$T/order.json"
	curl -s -o /dev/null "$U/v1/orders" "${AUTH[@]}" \
		--data-binary @"$T/order.json"
	curl -s -o "$T/case.json" "$U/v1/cases" "${AUTH[@]}" \
		-d "{\"order\":\"M-$i\",\"claim\":{\"type\":\"cancel\"}}"
	c=$(jq -r .id "$T/case.json")
	curl -s -o /dev/null "$U/v1/cases/$c/refunds" "${AUTH[@]}" \
		-H "Idempotency-Key: k$i" -d "{\"amount_minor\": $((i * 1000))}"
	curl -s -o /dev/null "$U/v1/cases/$c/notes" "${AUTH[@]}" \
		-d "{\"body\": \"note on $c\"}"
done
kill "$PID"
wait "$PID" 2>/dev/null
PID=
rows() { sqlite3 "$1" "SELECT count(*) FROM $2"; }
check "the shop has refunds, notes and idempotency records" \
	test "$(rows "$A" ledger)" -ge 4 -a "$(rows "$A" notes)" -ge 4 \
	-a "$(rows "$A" idempotency)" -ge 4

"$BIN" migrate --from "$A" --to "$DSN" >"$T/m1.out" 2>"$T/m1.err"
check "SQLite -> PostgreSQL exits 0" test $? = 0
check "it says the counts and totals match" \
	grep -q 'counts and ledger totals match' "$T/m1.out"
check "no progress line when stderr is no terminal" test ! -s "$T/m1.err"
B=$T/b.db
"$BIN" migrate --from "$DSN" --to "$B" >"$T/m2.out" 2>&1
check "PostgreSQL -> a new SQLite file exits 0" test $? = 0

same=0
for t in orders items shipments tracking_events cases decisions ledger \
	idempotency repair_quotes notes evidence audit tokens staff_users \
	messages case_counts; do
	sqlite3 "$A" "SELECT * FROM $t ORDER BY 1, 2" >"$T/a.$t"
	sqlite3 "$B" "SELECT * FROM $t ORDER BY 1, 2" >"$T/b.$t"
	cmp -s "$T/a.$t" "$T/b.$t" || { echo "  differs: $t"; same=1; }
done
check "every table is the same after the round trip" test $same = 0
n=$(psql "$DSN" -Atqc "SELECT n FROM case_seq")
check "PostgreSQL's case counter follows the copied cases ($n)" \
	test "$n" = "$(sqlite3 "$A" 'SELECT max(seq) FROM cases')"

"$BIN" migrate --from "$A" --to "$DSN" >/dev/null 2>"$T/m3.err"
check "a non-empty target is refused (exit 2)" test $? = 2
check "naming why" grep -q 'target is not empty' "$T/m3.err"
"$BIN" migrate --from "$A" >/dev/null 2>&1
check "--to missing is a usage error" test $? = 2
"$BIN" migrate --help >/dev/null
check "--help exits 0" test $? = 0

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
