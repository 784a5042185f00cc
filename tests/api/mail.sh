#!/bin/bash
# mail.sh: e-mail to customers through a real SMTP server on loopback
# (tests/api/smtp_sink.py: Debian's python3-aiosmtpd, one file a message).
# Each event's mail (case opened, refund made, decision changed, repair
# quote) arrives once, to the order's customer, with the portal's words
# and a link to the case; the SMTP server down for a while loses nothing
# (the mail arrives once it is back); kill -9 of aftercare right after a
# change still sends its mail after the restart, once; a recipient
# refused for good (550 to RCPT) is a dead letter with a bounce on the
# case, listed by GET /v1/outbox?status=dead, retried by hand
# (POST /v1/outbox/{id}/retry) and then delivered; /metrics counts it.
# Usage: tests/api/mail.sh BIN    (exit 1 if any check failed)
set -u
[ $# -eq 1 ] || { echo "usage: $0 BIN" >&2; exit 2; }
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d) || exit 2
SPID=''
SINK=''
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; [ -n "$SINK" ] && kill "$SINK" 2>/dev/null; rm -rf -- "$T"' EXIT
# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"
PY=/usr/bin/python3
$PY -c 'import aiosmtpd' 2>/dev/null ||
	{ echo "mail.sh: python3-aiosmtpd is missing (scripts/deps.sh test)" >&2
	  exit 1; }
MAIL=$T/mail
SPORT=

# start_sink [ARGS...]: the sink on SPORT (a free port the first time)
start_sink() {
	: >"$T/sink.out"
	$PY "$HERE/smtp_sink.py" --dir "$MAIL" --quiet \
		${SPORT:+--port "$SPORT"} "$@" >"$T/sink.out" 2>&1 &
	SINK=$!
	for _ in $(seq 100); do
		grep -q '^port ' "$T/sink.out" && break
		sleep 0.05
	done
	SPORT=$(sed -n 's/^port //p' "$T/sink.out")
	[ -n "$SPORT" ] || { echo "sink did not start: $(cat "$T/sink.out")" >&2
			     exit 1; }
}
stop_sink() { kill "$SINK" 2>/dev/null; wait "$SINK" 2>/dev/null; SINK=; }

# mails: one line per message kept: "CASE EVENT TO MESSAGE-ID"
mails() {
	$PY - "$MAIL" <<'PY'
import email, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read(),
                                 policy=email.policy.default)
    print(m["X-Aftercare-Case"], m["X-Aftercare-Event"], m["To"],
          m["Message-ID"])
PY
}
# count CASE EVENT: how many messages of that event on that case
count() { mails | awk -v c="$1" -v e="$2" '$1 == c && $2 == e' | wc -l; }
# wait_for CASE EVENT N SECONDS: until N such messages are kept
wait_for() {
	local i
	for ((i = 0; i < $4 * 10; i++)); do
		[ "$(count "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
# text CASE EVENT: the plain text and the HTML of the last such message,
# with the Subject and To first
text() {
	$PY - "$MAIL" "$1" "$2" <<'PY'
import email, email.policy, glob, sys
last = None
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read(),
                                 policy=email.policy.default)
    if m["X-Aftercare-Case"] == sys.argv[2] and \
       m["X-Aftercare-Event"] == sys.argv[3]:
        last = m
if last:
    print("Subject:", last["subject"])
    print("To:", last["to"])
    print(last.get_body(("plain",)).get_content())
    print(last.get_body(("html",)).get_content())
PY
}

start_sink
SMTP=(--smtp "smtp://127.0.0.1:$SPORT" --mail-from desk@shop.example
      --public-url http://shop.example)
serve_demo mail "${SMTP[@]}"
AUTH="Authorization: Bearer $TOKEN"
JSON='Content-Type: application/json'
for _ in $(seq 40); do   # printed once its outbox workers run
	grep -q '^mail: ' "$T/serve.err" && break
	sleep 0.05
done
check "serve says where mail goes" "$(cat "$T/serve.err")" \
	grep -q "^mail: to customers through smtp://127.0.0.1:$SPORT" \
	"$T/serve.err"

post() {  # post PATH BODY [HEADER]: the answer in $T/out, the status out
	curl -s -o "$T/out" -w '%{http_code}' -H "$AUTH" -H "$JSON" \
		${3:+-H "$3"} "$U$1" -d "$2"
}
open_case() {  # open_case ORDER CLAIM: sets CASE
	local code
	code=$(post /v1/cases '{"order":"'"$1"'","claim":'"$2"'}')
	CASE=$(jq -r .id "$T/out")
	[ "$code" = 201 ] || bad "open a case on $1" "$code $(cat "$T/out")"
}

# ---- each event's mail, once, with the portal's words --------------------
open_case D-1001 '{"type":"cancel"}'
C1=$CASE
check "case opened: its mail arrives" "$(mails)" wait_for "$C1" case_opened 1 10
text "$C1" case_opened >"$T/t1"
check "to the order's customer" "$(head -3 "$T/t1")" \
	grep -q '^To: ana@example.com$' "$T/t1"
check "the subject names the case" "$(head -1 "$T/t1")" \
	grep -q "^Subject: We have your claim: case $C1\$" "$T/t1"
for w in "Hello Ana Li," "I want to cancel my order" "A full refund" \
	"Why: the policy's clause" "no-refund.1" "USD 535.00" \
	"See your case: http://shop.example/order/cases/$C1" \
	"<h2 id=\"h-decision\">A full refund</h2>" \
	"href=\"http://shop.example/order/cases/$C1\""; do
	check "case opened mail says: $w" "$(head -c 600 "$T/t1")" \
		grep -qF -- "$w" "$T/t1"
done

code=$(post "/v1/cases/$C1/refunds" '{"amount_minor":1000}' \
	'Idempotency-Key: mail-1')
code2=$(post "/v1/cases/$C1/refunds" '{"amount_minor":1000}' \
	'Idempotency-Key: mail-1')
check "a refund (201, and its replay 201)" "$code $code2" \
	test "$code $code2" = "201 201"
check "refund made: its mail arrives" "$(mails)" \
	wait_for "$C1" refund_made 1 10
text "$C1" refund_made >"$T/t2"
for w in "We have refunded USD 10.00 to you on case $C1" \
	"Refunded to you so far: USD 10.00"; do
	check "refund mail says: $w" "$(head -c 600 "$T/t2")" \
		grep -qF -- "$w" "$T/t2"
done

code=$(post "/v1/cases/$C1/override" '{"verdict":"no_refund",
	"reason":"the ring was already made"}')
check "an override (200)" "$code $(cat "$T/out")" test "$code" = 200
check "decision changed: its mail arrives" "$(mails)" \
	wait_for "$C1" decision_changed 1 10
text "$C1" decision_changed >"$T/t3"
for w in "The answer to your case $C1 (order D-1001) has changed" \
	"The shop's staff changed the decision: the ring was already made" \
	"The answer now:"; do
	check "decision mail says: $w" "$(head -c 600 "$T/t3")" \
		grep -qF -- "$w" "$T/t3"
done

open_case D-1007 '{"type":"repair","repair":{"material_cost_rise_minor":4500}}'
C2=$CASE
code=$(post "/v1/cases/$C2/quotes" '{"amount_minor":4800}')
check "a repair quote (201)" "$code $(cat "$T/out")" test "$code" = 201
check "repair quote: its mail arrives" "$(mails)" \
	wait_for "$C2" repair_quote 1 10
text "$C2" repair_quote >"$T/t4"
check "quote mail says the amount" "$(head -c 800 "$T/t4")" \
	grep -qF "costs USD 48.00 (shipping both ways is yours too)" "$T/t4"
check "and until when it stands" "$(head -c 800 "$T/t4")" \
	grep -qF "The quote stands until" "$T/t4"

# deadline near: the server finds those once a minute (a day ahead);
# here the row is written as the desk writes it (SQLite only)
if [ -z "${AC_TEST_PG_DSN:-}" ]; then
	sqlite3 "$DB" "INSERT INTO outbox (kind, case_id, dedupe,
		payload_json, next_at, created_at) VALUES ('mail', '$C1',
		'mail:deadline_near:$C1:1', '{\"event\":\"deadline_near\",
		\"case_id\":\"$C1\",\"order_id\":\"D-1001\",\"deadline\":1}',
		0, 0)"
	check "deadline near: its mail arrives" "$(mails | tail -2)" \
		wait_for "$C1" deadline_near 1 10
	text "$C1" deadline_near >"$T/t5"
	for w in "Subject: Case $C1: " " is near" \
		"A time limit on your case $C1 (order D-1001) is near." \
		"This answer holds for a claim made"; do
		check "deadline mail says: $w" "$(head -c 600 "$T/t5")" \
			grep -qF -- "$w" "$T/t5"
	done
fi

sleep 1.5  # the workers poll every 0.2 s: time to send anything twice
for ev in "$C1 case_opened" "$C1 refund_made" "$C1 decision_changed" \
	"$C2 case_opened" "$C2 repair_quote"; do
	# shellcheck disable=SC2086  # CASE EVENT, two words
	n=$(count $ev)
	check "exactly one mail: $ev" "$n" test "$n" = 1
done
dups=$(mails | awk '{print $4}' | sort | uniq -d)
check "every Message-ID once" "$dups" test -z "$dups"

# ---- the SMTP server down for a while: nothing lost ----------------------
stop_sink
open_case D-1002 '{"type":"cancel"}'
C3=$CASE
sleep 2.5
curl -s -H "$AUTH" "$U/v1/cases/$C3/outbox" >"$T/ob"
st=$(jq -r '.messages[0].status + " " + (.messages[0].attempts|tostring)' \
	"$T/ob")
check "while it is down the mail waits, tried again (pending, >= 2 tries)" \
	"$st $(jq -c .messages[0].last_error "$T/ob")" \
	test "${st%% *}" = pending -a "${st##* }" -ge 2
check "and its last error says why" "$(cat "$T/ob")" \
	grep -q 'smtp: ' "$T/ob"
start_sink
check "once it is back the mail arrives" "$(mails | tail -3)" \
	wait_for "$C3" case_opened 1 40
sleep 1
n=$(count "$C3" case_opened)
check "once" "$n" test "$n" = 1

# ---- kill -9 right after a change: sent after the restart, once ----------
# (and a deadline found near by the scan a restarted server runs at once)
open_case D-1004 '{"type":"damaged","defects":["broken"]}'
C5=$CASE
open_case D-1005 '{"type":"unwanted"}'
C4=$CASE
kill -9 "$SPID"
wait "$SPID" 2>/dev/null
SPID=
# C5's deadline is tomorrow (D-1004 was delivered a day ago: the policy's
# 48 hours to write end then), near already when it opened, so the
# opening's mail said so; made three days old here, it is a deadline the
# scan (a day ahead) must announce
now_us=$(($(date +%s) * 1000000))
near="UPDATE cases SET created_at = $((now_us - 259200000000))
	WHERE id = '$C5'"
if [ -n "${AC_TEST_PG_DSN:-}" ]; then
	psql -q "$DB" -c "$near" >/dev/null
else
	sqlite3 "$DB" "$near"
fi
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 "${SMTP[@]}" \
	2>"$T/serve2.err" &
SPID=$!
for _ in $(seq 200); do
	grep -qs '^listening on' "$T/serve2.err" && break
	sleep 0.05
done
U=$(sed -n 's|^listening on ||p' "$T/serve2.err")
# (a row the killed server had claimed waits for its lease, 60 s)
check "the restarted server sends it" "$(mails | tail -3)" \
	wait_for "$C4" case_opened 1 70
sleep 1.5
n=$(mails | awk -v c="$C4" '$1 == c && $2 == "case_opened" {print $4}' |
	sort -u | wc -l)
check "once (one Message-ID: a copy sent in the crash window would carry it)" \
	"$n ids, $(count "$C4" case_opened) mails" test "$n" = 1
check "deadline near, found by the restarted server's scan: its mail" \
	"$(mails | grep "$C5")" wait_for "$C5" deadline_near 1 20
text "$C5" deadline_near >"$T/t6"
check "it names the case and says the limit is near" \
	"$(head -c 600 "$T/t6")" grep -qF \
	"A time limit on your case $C5 (order D-1004) is near." "$T/t6"

# ---- a recipient refused for good: dead letter, bounce, retry by hand ----
stop_sink
start_sink --reject bounce@example.com
ADDR='{"name":"Bo","line1":"1 Main St","city":"Springfield","region":"IL",
"postal_code":"62701","country":"US"}'
code=$(post /v1/orders '{"id":"B-1","placed_at":"'"$(date -u -d '-2 hours' \
	+%Y-%m-%dT%H:%M:%SZ)"'","currency":"USD","shipping_minor":1500,
"address":'"$ADDR"',"items":[{"line":1,"sku":"R-1","kind":"ring",
"style":"halo","shape":"oval","material":"14k white gold","color":"white",
"size":"7","price_minor":52000}],
"customer":{"name":"Bo","email":"bounce@example.com"}}')
check "an order whose customer's address bounces (201)" \
	"$code $(cat "$T/out")" test "$code" = 201
open_case B-1 '{"type":"cancel"}'
C5=$CASE
for _ in $(seq 100); do
	curl -s -H "$AUTH" "$U/v1/outbox?status=dead" >"$T/dead"
	[ "$(jq --arg c "$C5" '[.messages[] | select(.case == $c)] | length' \
		"$T/dead")" = 1 ] && break
	sleep 0.1
done
ID=$(jq -r --arg c "$C5" '.messages[] | select(.case == $c) | .id' "$T/dead")
check "the refused mail is a dead letter in GET /v1/outbox?status=dead" \
	"$(cat "$T/dead")" test -n "$ID"
check "its last error says the recipient was refused (550)" \
	"$(cat "$T/dead")" grep -q 'recipient bounce@example.com was refused.*550' \
	"$T/dead"
curl -s -H "$AUTH" "$U/v1/cases/$C5/outbox" >"$T/cb"
check "the case shows the bounce" "$(cat "$T/cb")" \
	test "$(jq -r .bounce.address "$T/cb")" = bounce@example.com
curl -s -H "$AUTH" "$U/v1/cases/$C1/outbox" >"$T/cb1"
check "a case without one shows none" "$(cat "$T/cb1")" \
	test "$(jq -r '.bounce' "$T/cb1")" = null
curl -s -H "$AUTH" "$U/metrics" >"$T/m"
check "/metrics counts the dead letter" \
	"$(grep aftercare_outbox "$T/m")" \
	grep -q '^aftercare_outbox_messages{kind="mail",status="dead"} 1$' "$T/m"
# the console: managers see the dead letter and may send it again
signin() {  # signin USER PASSWORD: the staff cookie's curl arguments
	curl -s -D - -o /dev/null "$U/console/signin" --data-urlencode \
		user="$1" --data-urlencode password="$2" |
		sed -n 's/^[Ss]et-[Cc]ookie: \(ac_staff=[0-9a-f]*\).*/\1/p'
}
MC=$(signin manager manager-demo-1)
AC=$(signin agent agent-demo-1)
code=$(curl -s -o "$T/page" -w '%{http_code}' -b "$MC" "$U/console/outbox")
check "the console's outbox lists the dead letter for a manager" \
	"$code $(head -c 300 "$T/page")" \
	bash -c "[ $code = 200 ] && grep -q 'href=\"/console/cases/$C5\"' '$T/page' && grep -q 'action=\"/console/outbox/$ID/retry\"' '$T/page' && grep -q 'was refused' '$T/page'"
check "with a link in the console's nav" "" \
	grep -q 'href="/console/outbox">Outbox</a>' "$T/page"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$AC" "$U/console/outbox")
check "an agent is refused (403)" "$code" test "$code" = 403
code=$(curl -s -o "$T/cpage" -w '%{http_code}' -b "$MC" \
	"$U/console/cases/$C5")
check "the case's console page shows the bounce" "$code" \
	grep -q 'Mail to the customer bounces: bounce@example.com' "$T/cpage"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/v1/outbox?status=dead")
check "GET /v1/outbox without a token is 401" "$code" test "$code" = 401
code=$(post "/v1/outbox/999999/retry" '')
check "retry of no such message is 404" "$code" test "$code" = 404
sent=$(jq -r '.messages[0].id' "$T/cb1")
code=$(post "/v1/outbox/$sent/retry" '')
check "retry of a sent message is 409" "$code $(cat "$T/out")" \
	test "$code" = 409
# the mailbox works again; staff retry by hand
stop_sink
start_sink
code=$(post "/v1/outbox/$ID/retry" '')
check "POST /v1/outbox/{id}/retry is 200" "$code $(cat "$T/out")" \
	test "$code" = 200
check "the retried mail arrives" "$(mails | tail -3)" \
	wait_for "$C5" case_opened 1 10
curl -s -H "$AUTH" "$U/v1/outbox?status=dead" >"$T/dead2"
check "and is no longer dead" "$(cat "$T/dead2")" \
	test "$(jq '.messages | length' "$T/dead2")" = 0
curl -s -H "$AUTH" "$U/v1/audit?entity=outbox" >"$T/au"
check "the retry is audited" "$(cat "$T/au")" \
	test "$(jq -r '.events[-1].action' "$T/au")" = outbox.retry

# ---- a login never goes in the clear ---------------------------------------
# smtp://USER:PASS@.. requires STARTTLS: this sink offers none, so the
# mail is not sent (it waits, the error saying why) and no AUTH is tried
kill "$SPID"
wait "$SPID" 2>/dev/null
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --mail-from desk@shop.example \
	--smtp "smtp://desk:secret@127.0.0.1:$SPORT" 2>"$T/serve3.err" &
SPID=$!
for _ in $(seq 200); do
	grep -qs '^listening on' "$T/serve3.err" && break
	sleep 0.05
done
U=$(sed -n 's|^listening on ||p' "$T/serve3.err")
check "serve names the SMTP server, not the password" \
	"$(grep '^mail:' "$T/serve3.err")" \
	bash -c "grep -q '^mail: to customers through the server at 127.0.0.1:$SPORT' '$T/serve3.err' && ! grep -q secret '$T/serve3.err'"
open_case D-1012 '{"type":"unwanted"}'
C6=$CASE
sleep 2
curl -s -H "$AUTH" "$U/v1/cases/$C6/outbox" >"$T/tls"
check "with a login and no STARTTLS offered the mail waits, saying why" \
	"$(cat "$T/tls")" bash -c "[ \"\$(jq -r .messages[0].status '$T/tls')\" = pending ] && jq -r .messages[0].last_error '$T/tls' | grep -qi 'tls'"
n=$(count "$C6" case_opened)
check "and nothing went to the SMTP server" "$n" test "$n" = 0

# ---- STARTTLS and a login: sent, over TLS, as that user -------------------
# a self-signed certificate for 127.0.0.1, trusted with --smtp-ca
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
	-out "$T/cert.pem" 2>"$T/openssl.err" ||
	bad "openssl makes a test certificate" "$(cat "$T/openssl.err")"
kill "$SPID"
wait "$SPID" 2>/dev/null
SPID=
stop_sink
start_sink --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
	--auth desk:s3cret
# serve_tls PASS: serve logging in as desk with PASS, trusting cert.pem
serve_tls() {
	# emptied here: the shell's redirection happens in the child, so the
	# wait below could read the last server's line
	: >"$T/serve4.err"
	"$BIN" serve --db "$DB" --listen 127.0.0.1:0 \
		--mail-from desk@shop.example --smtp-ca "$T/cert.pem" \
		--smtp "smtp://desk:$1@127.0.0.1:$SPORT" 2>"$T/serve4.err" &
	SPID=$!
	for _ in $(seq 200); do
		grep -qs '^listening on' "$T/serve4.err" && break
		sleep 0.05
	done
	U=$(sed -n 's|^listening on ||p' "$T/serve4.err")
}
serve_tls s3cret
open_case D-1013 '{"type":"unwanted"}'
C7=$CASE
check "with STARTTLS offered and the right login the mail arrives" \
	"$(mails | tail -3) $(cat "$T/serve4.err")" \
	wait_for "$C7" case_opened 1 10
sleep 1
n=$(count "$C7" case_opened)
check "once" "$n" test "$n" = 1
f=$(grep -l "^X-Aftercare-Case: $C7\b" "$MAIL"/*.eml | tail -1)
check "it came over TLS" "$(head -2 "$f")" \
	grep -q '^X-Sink-TLS: yes' "$f"
check "logged in as desk" "$(head -2 "$f")" \
	grep -q '^X-Sink-Auth: desk' "$f"
curl -s -H "$AUTH" "$U/v1/cases/$C7/outbox" >"$T/tls2"
check "the outbox says sent" "$(cat "$T/tls2")" \
	test "$(jq -r .messages[0].status "$T/tls2")" = sent
# a wrong password: the mail waits (the account may be fixed), saying so
kill "$SPID"
wait "$SPID" 2>/dev/null
serve_tls wrong
open_case D-1011 '{"type":"unwanted"}'
C8=$CASE
sleep 2.5
curl -s -H "$AUTH" "$U/v1/cases/$C8/outbox" >"$T/tls3"
st=$(jq -r '.messages[0].status + " " + (.messages[0].attempts|tostring)' \
	"$T/tls3")
check "a wrong password: the mail waits, tried again (pending, >= 2 tries)" \
	"$st $(cat "$T/tls3")" \
	test "${st%% *}" = pending -a "${st##* }" -ge 2
check "its last error names the login" "$(cat "$T/tls3")" \
	bash -c "jq -r .messages[0].last_error '$T/tls3' | grep -q 'login'"
n=$(count "$C8" case_opened)
check "and nothing was kept" "$n" test "$n" = 0
# --smtp-ca: a file that cannot be read stops serve at start
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 --mail-from desk@shop.example \
	--smtp "smtp://127.0.0.1:$SPORT" --smtp-ca "$T/none.pem" \
	>/dev/null 2>"$T/serve5.err"
rc=$?
check "an unreadable --smtp-ca stops serve (2), naming --smtp-ca" \
	"$rc $(cat "$T/serve5.err")" \
	bash -c "[ $rc = 2 ] && grep -q -- '--smtp-ca' '$T/serve5.err'"

# shellcheck disable=SC2154  # counted by lib.sh
echo "mail.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
