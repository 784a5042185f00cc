#!/bin/bash
# run.sh: crash test for `aftercare serve` on SQLite. Each round starts the
# server on the same database (data accumulates), runs 4 curl clients that
# create orders, open cases on some and pay refunds on those (with an
# Idempotency-Key), kills the server with SIGKILL after 0.3-1.5 s while the
# clients write, restarts it and checks that nothing answered was lost:
#   - every order answered 2xx, in this round or any earlier one, reads back 200;
#   - a refund left without an answer by the kill (in flight, or queued
#     behind one that was) is sent again after the restart with the same key
#     and body: it must answer 2xx (the first response replayed when it had
#     been committed, else paid now), so every refund is answered once;
#   - every answered case's refunded_total_minor is the sum of its answered
#     refunds (a refund paid twice, or lost, shows here);
#   - `PRAGMA integrity_check` says ok;
#   - no request got an answer other than 2xx (or none at all: the kill).
# Usage: tests/crash/run.sh BIN [ROUNDS]   (default 20 rounds; one line a
# round, then "N passed, M failed"; exit 1 if any round failed)
# CRASH_KEEP=1 keeps the temporary directory (database, logs) for a look;
# CRASH_DELAY_MS=N kills after N ms instead of a random 300-1500.
# Process starts are dear on small machines, so each client sends one curl
# (one keep-alive connection, several requests) an iteration.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BIN [ROUNDS]" >&2
	exit 2
fi
BIN=$(realpath -- "$1") || exit 2
[ -x "$BIN" ] || { echo "run.sh: $BIN is not executable" >&2; exit 2; }
ROUNDS=${2:-20}
case $ROUNDS in '' | *[!0-9]*) echo "run.sh: ROUNDS must be a number" >&2; exit 2 ;; esac
for tool in curl sqlite3; do
	command -v "$tool" >/dev/null ||
		{ echo "run.sh: $tool is missing (scripts/deps.sh serve)" >&2; exit 2; }
done

T=$(mktemp -d) || exit 2
SPID=
CPIDS=()
cleanup() {
	local p
	exec 2>/dev/null    # no "Killed" notices from the shell
	# The server first: the clients' curls then fail at once and the
	# clients see $T/stop and end on their own.
	[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null
	touch "$T/stop"
	sleep 0.2
	for p in "${CPIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "${CRASH_KEEP:-0}" = 1 ]; then
		echo "kept $T"
	else
		rm -rf -- "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DB=$T/db.sqlite
ALL=$T/all.log          # every answered order, case and refund, all rounds
: >"$ALL"
TOKEN=$("$BIN" token add crash --db "$DB" 2>/dev/null | tail -n 1)
if ! [[ $TOKEN =~ ^[0-9a-f]{64}$ ]]; then
	echo "run.sh: token add did not print a token: '$TOKEN'" >&2
	exit 2
fi
AUTH="Authorization: Bearer $TOKEN"
JSON="Content-Type: application/json"
# Orders delivered yesterday: a damaged claim opened now is a full refund.
PLACED=$(date -u -d '10 days ago' +%Y-%m-%dT%H:%M:%SZ)
SHIPPED=$(date -u -d '6 days ago' +%Y-%m-%dT%H:%M:%SZ)
DELIVERED=$(date -u -d '1 day ago' +%Y-%m-%dT%H:%M:%SZ)
ADDR='{"name":"Ana Li","line1":"5 Quay St","city":"Auckland","postal_code":"1010","country":"NZ"}'

# start_server NAME: starts BIN serve on DB; sets SPID and PORT.
start_server() {
	local err=$T/$1.err i
	: >"$err"
	"$BIN" serve --db "$DB" --listen 127.0.0.1:0 2>"$err" &
	SPID=$!
	PORT=
	for ((i = 0; i < 200; i++)); do
		PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$err" | head -n 1)
		[ -n "$PORT" ] && return 0
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.025
	done
	echo "server did not start: $(head -c 400 "$err")"
	return 1
}

# order_json ID: the order in $BODY (no subshell: forks are dear here).
order_json() {
	printf -v BODY '{"id":"%s","placed_at":"%s","currency":"USD","shipping_minor":1500,"address":%s,"items":[{"line":1,"sku":"R-14W-7","kind":"ring","style":"halo","shape":"oval","material":"14k white gold","color":"white","size":"7","price_minor":52000}],"customer":{"name":"Ana Li","email":"ana@example.com"},"shipment":{"shipped_at":"%s","address":%s,"delivered_at":"%s"}}' \
		"$1" "$PLACED" "$ADDR" "$SHIPPED" "$ADDR" "$DELIVERED"
}

# post_batch OUT URL... : with REQS an array of "KEY|BODY" (KEY may be
# empty), POSTs each to its URL in one curl (one connection, in order) and
# sets CODES[i], RESPS[i] and REPLAYED_AT[i] (its Idempotent-Replayed
# header) for the i-th request (000 and "" when it got no answer). curl goes on to the next request after a failed one.
post_batch() {
	local out=$1 i=0 line body=
	shift
	local -a args=(-s)
	for ((i = 0; i < ${#REQS[@]}; i++)); do
		((i > 0)) && args+=(--next)
		args+=(--max-time 5 -H "$AUTH" -H "$JSON" \
			-w '\n@@ %{http_code} %header{idempotent-replayed}\n')
		[ -n "${REQS[i]%%|*}" ] && args+=(-H "Idempotency-Key: ${REQS[i]%%|*}")
		args+=(--data-binary "${REQS[i]#*|}" "$1")
		shift
	done
	curl "${args[@]}" >"$out" 2>/dev/null
	CODES=()
	RESPS=()
	REPLAYED_AT=()
	while IFS= read -r line; do
		if [[ $line == '@@ '* ]]; then
			line=${line#@@ }
			CODES+=("${line%% *}")
			REPLAYED_AT+=("${line#* }")
			RESPS+=("$body")
			body=
		elif [ -n "$line" ]; then
			body+=$line
		fi
	done <"$out"
	for ((i = ${#CODES[@]}; i < ${#REQS[@]}; i++)); do
		CODES+=(000)
		RESPS+=("")
	done
}

# client C ROUND: one curl (one connection) an iteration: 1-3 refunds on
# the case opened by the previous iteration, 4 new orders, and a case on
# the last of them. Logs to $T/c.C.log: "order ID", "case CID", "pend CID
# KEY AMOUNT" before a refund is sent and "ok CID KEY AMOUNT" once it is
# answered 2xx. Stops after a request without an answer (the server is
# gone) or when $T/stop appears. Other answers go to $T/c.C.bad.
client() {
	local c=$1 r=$2 n=0 i k cid='' amt key gone what
	local log=$T/c.$c.log bad=$T/c.$c.bad out=$T/c.$c.out
	local url=http://127.0.0.1:$PORT
	local -a urls
	while [ ! -e "$T/stop" ]; do
		REQS=()
		urls=()
		if [ -n "$cid" ]; then
			for ((k = 1; k <= 1 + RANDOM % 3; k++)); do
				amt=$((100 + RANDOM % 900))
				key=k-$cid-$k
				echo "pend $cid $key $amt" >>"$log"
				REQS+=("$key|{\"amount_minor\":$amt}")
				urls+=("$url/v1/cases/$cid/refunds")
			done
		fi
		for ((i = 0; i < 4; i++)); do
			n=$((n + 1))
			order_json "R$r-c$c-$n"
			REQS+=("|$BODY")
			urls+=("$url/v1/orders")
		done
		REQS+=("|{\"order\":\"R$r-c$c-$n\",\"claim\":{\"type\":\"damaged\",\"defects\":[\"broken\"]}}")
		urls+=("$url/v1/cases")
		post_batch "$out" "${urls[@]}"
		gone=0
		cid=
		for ((i = 0; i < ${#REQS[@]}; i++)); do
			key=${REQS[i]%%|*}
			what="POST ${urls[i]#"$url"}${key:+ (Idempotency-Key: $key)} ${REQS[i]#*|}"
			case ${CODES[i]} in
			2??) ;;
			000) gone=1; continue ;;
			*) echo "$what -> ${CODES[i]} ${RESPS[i]}" >>"$bad"; continue ;;
			esac
			if [[ ${urls[i]} == */refunds ]]; then
				k=${urls[i]#"$url/v1/cases/"}
				amt=${REQS[i]#*:}
				echo "ok ${k%/refunds} $key ${amt%\}}" >>"$log"
			elif ! [[ ${RESPS[i]} =~ ^\{\"id\":\"([^\"]+)\" ]]; then
				echo "$what -> ${CODES[i]} without an id: ${RESPS[i]}" >>"$bad"
			elif [[ ${urls[i]} == */orders ]]; then
				echo "order ${BASH_REMATCH[1]}" >>"$log"
			else
				cid=${BASH_REMATCH[1]}
				echo "case $cid" >>"$log"
			fi
		done
		((gone)) && return 0
	done
}

# verify: fills $T/problems with what is wrong; the server is at PORT.
verify() {
	local url=http://127.0.0.1:$PORT cid key amt resp i
	local problems=$T/problems
	: >"$problems"
	# Refunds in flight at the kill: the same key and body again.
	awk '$1 == "ok" { done[$3] = 1 } $1 == "pend" { p[$3] = $2 " " $4 }
	     END { for (k in p) if (!(k in done)) print p[k] " " k }' "$ALL" >"$T/retry"
	REQS=()
	local -a urls=()
	while read -r cid amt key; do
		REQS+=("$key|{\"amount_minor\":$amt}")
		urls+=("$url/v1/cases/$cid/refunds")
	done <"$T/retry"
	REPLAYED=0
	if [ ${#REQS[@]} -gt 0 ]; then
		post_batch "$T/retry.out" "${urls[@]}"
		for ((i = 0; i < ${#REQS[@]}; i++)); do
			key=${REQS[i]%%|*}
			cid=${urls[i]#"$url/v1/cases/"}
			cid=${cid%/refunds}
			amt=${REQS[i]#*:}
			amt=${amt%\}}
			case ${CODES[i]} in
			2??) echo "ok $cid $key $amt" >>"$ALL"
			     [ "${REPLAYED_AT[i]}" = true ] && REPLAYED=$((REPLAYED + 1)) ;;
			*) echo "refund sent again after the crash: POST /v1/cases/$cid/refunds (Idempotency-Key: $key) ${REQS[i]#*|} -> ${CODES[i]} ${RESPS[i]}" >>"$problems" ;;
			esac
		done
	fi
	RETRIED=$(wc -l <"$T/retry")
	# Every answered order reads back 200 (one curl, one connection).
	awk -v u="$url" '$1 == "order" { printf "url = \"%s/v1/orders/%s\"\noutput = \"/dev/null\"\n", u, $2 }' \
		"$ALL" >"$T/orders.curl"
	curl -s --max-time 60 -H "$AUTH" -K "$T/orders.curl" \
		-w '%{http_code} %{url_effective}\n' >"$T/orders.got" 2>/dev/null
	NORDERS=$(grep -c '^order ' "$ALL")
	awk -v want="$NORDERS" '$1 != "200" { print $2 }
	     END { if (NR != want) print "read back " NR " orders of " want }' \
		"$T/orders.got" | while read -r resp; do
		case $resp in
		http*) echo "GET $resp -> $(curl -s --max-time 5 -H "$AUTH" \
			-w ' %{http_code}' "$resp" | tr -d '\n' | head -c 300)" ;;
		*) echo "$resp" ;;
		esac
	done >>"$problems"
	# Every answered case: refunded_total_minor = its answered refunds.
	awk -v u="$url" '$1 == "case" { printf "url = \"%s/v1/cases/%s\"\n", u, $2 }' \
		"$ALL" >"$T/cases.curl"
	curl -s --max-time 60 -H "$AUTH" -K "$T/cases.curl" \
		-w '\n@@ %{http_code} %{url_effective}\n' >"$T/cases.got" 2>/dev/null
	NCASES=$(grep -c '^case ' "$ALL")
	NREFUNDS=$(grep -c '^ok ' "$ALL")
	awk -v want="$NCASES" '
		FNR == NR { if ($1 == "ok") sum[$2] += $4; next }
		/^@@ / { n++; c = $3; sub(/.*\//, "", c)
			 if ($2 != "200") print "GET " $3 " -> " $2 " " body
			 else if (got == "") print "GET " $3 ": no refunded_total_minor in " body
			 else if (got + 0 != sum[c] + 0)
				print "case " c ": refunded_total_minor " got ", answered refunds sum to " sum[c] + 0
			 body = ""; got = ""; next }
		{ body = body $0
		  if (match($0, /"refunded_total_minor":[0-9]+/))
			got = substr($0, RSTART + 23, RLENGTH - 23) }
		END { if (n != want) print "read back " n " cases of " want }' \
		"$ALL" "$T/cases.got" >>"$problems"
	# The database as the restarted server sees it.
	resp=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)
	[ "$resp" = ok ] || echo "PRAGMA integrity_check: $resp" >>"$problems"
}

pass=0
fail=0
for ((r = 1; r <= ROUNDS; r++)); do
	rm -f "$T"/stop "$T"/c.*.log "$T"/c.*.bad "$T"/problems
	if ! start_server "round$r.a" >"$T/why"; then
		printf 'round %2d FAIL %s\n' "$r" "$(cat "$T/why")"
		fail=$((fail + 1))
		break
	fi
	CPIDS=()
	for c in 1 2 3 4; do
		client "$c" "$r" &
		CPIDS+=($!)
	done
	ms=${CRASH_DELAY_MS:-$((300 + RANDOM % 1201))}
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	kill -9 "$SPID"
	wait "$SPID" 2>/dev/null
	SPID=
	touch "$T/stop"
	wait "${CPIDS[@]}" 2>/dev/null
	CPIDS=()
	cat "$T"/c.*.log >>"$ALL" 2>/dev/null
	inflight=$(awk '$1 == "ok" { done[$3] = 1 } $1 == "pend" { p[$3] = 1 }
		END { n = 0; for (k in p) if (!(k in done)) n++; print n }' "$T"/c.*.log 2>/dev/null)
	new_orders=$(cat "$T"/c.*.log 2>/dev/null | grep -c '^order ')
	if ! start_server "round$r.b" >"$T/why"; then
		printf 'round %2d FAIL restart after kill -9: %s\n' "$r" "$(cat "$T/why")"
		fail=$((fail + 1))
		break
	fi
	verify
	cat "$T"/c.*.bad >>"$T/problems" 2>/dev/null
	kill -TERM "$SPID"
	for ((i = 0; i < 200; i++)); do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.025
	done
	if kill -0 "$SPID" 2>/dev/null; then
		echo "the restarted server did not stop on SIGTERM within 5 s" >>"$T/problems"
		kill -9 "$SPID"
	fi
	wait "$SPID" 2>/dev/null
	SPID=
	summary="killed after ${ms} ms; +$new_orders orders (total $NORDERS), $NCASES cases, $NREFUNDS refunds, $inflight refund(s) unanswered at the kill, sent again: $REPLAYED replayed, $((RETRIED - REPLAYED)) paid now"
	if [ -s "$T/problems" ]; then
		printf 'round %2d FAIL %s\n' "$r" "$summary"
		head -n 10 "$T/problems" | sed 's/^/    /'
		fail=$((fail + 1))
	else
		printf 'round %2d ok   %s\n' "$r" "$summary"
		pass=$((pass + 1))
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -eq "$ROUNDS" ]
