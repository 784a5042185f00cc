#!/bin/bash
# mail-two.sh: two servers on one PostgreSQL database share the outbox
# without sending anything twice. A server without --smtp opens N cases
# (their mail waits in the outbox); then two servers with --smtp, four
# workers each, start at once and drain it into one SMTP sink
# (tests/api/smtp_sink.py): every case's mail arrives exactly once, and
# none is left unsent. Claims take rows FOR UPDATE SKIP LOCKED.
# Usage: tests/api/mail-two.sh BIN DSN   (DSN: a database of a cluster;
# make test-mail-pg starts one). Exit 1 if any check failed.
set -u
[ $# -eq 2 ] || { echo "usage: $0 BIN DSN" >&2; exit 2; }
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d) || exit 2
PIDS=()
# shellcheck disable=SC2154  # p is the trap's own loop variable
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf -- "$T"' EXIT
# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"
PY=/usr/bin/python3
N=${MAIL_TWO_CASES:-300}
DB=${2/\/aftercare?//ac_mail_two_$$?}
psql -q "$2" -c "CREATE DATABASE ac_mail_two_$$" >/dev/null ||
	{ echo "cannot create the database" >&2; exit 1; }
"$BIN" demo --db "$DB" >/dev/null 2>&1 || { echo "demo failed" >&2; exit 1; }
TOKEN=$("$BIN" token add two --db "$DB" 2>/dev/null | tail -n 1)

serve() {  # serve NAME ARGS..: a server; sets URL
	"$BIN" serve --db "$DB" --listen 127.0.0.1:0 "${@:2}" \
		2>"$T/$1.err" &
	PIDS+=($!)
	for _ in $(seq 200); do
		grep -qs '^listening on' "$T/$1.err" && break
		sleep 0.05
	done
	URL=$(sed -n 's|^listening on ||p' "$T/$1.err")
	[ -n "$URL" ] || { echo "serve $1 did not start" >&2; exit 1; }
}

serve opener
seq "$N" | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
	-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
	"$URL/v1/cases" -d '{"order":"D-1004","claim":{"type":"damaged",
"defects":["broken"]}}' >"$T/codes"
n201=$(grep -c '^201$' "$T/codes")
check "$N cases opened" "$n201 of $N" test "$n201" = "$N"
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null

$PY "$HERE/smtp_sink.py" --dir "$T/mail" --quiet >"$T/sink.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q '^port ' "$T/sink.out" && break; sleep 0.05; done
SPORT=$(sed -n 's/^port //p' "$T/sink.out")
SMTP=(--smtp "smtp://127.0.0.1:$SPORT" --mail-from desk@shop.example
      --outbox-workers 4)
serve a "${SMTP[@]}"
serve b "${SMTP[@]}"
for _ in $(seq 1200); do
	[ "$(find "$T/mail" -name '*.eml' | wc -l)" -ge "$N" ] && break
	sleep 0.1
done
sleep 2    # anything sent twice would arrive by now
$PY - "$T/mail" >"$T/list" <<'PY'
import email, email.policy, glob, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_bytes(open(f, "rb").read(),
                                 policy=email.policy.default)
    print(m["X-Aftercare-Case"], m["Message-ID"])
PY
total=$(wc -l <"$T/list")
cases=$(awk '{print $1}' "$T/list" | sort -u | wc -l)
ids=$(awk '{print $2}' "$T/list" | sort -u | wc -l)
check "two servers sent every case's mail ($N)" "$total messages" \
	test "$cases" = "$N"
check "each exactly once (messages = cases = Message-IDs)" \
	"$total messages, $cases cases, $ids ids" \
	test "$total" = "$N" -a "$ids" = "$N"
left=$(psql -Atq "$DB" -c "SELECT count(*) FROM outbox WHERE status <> 'sent'")
check "nothing is left unsent" "$left" test "$left" = 0
att=$(psql -Atq "$DB" -c "SELECT max(attempts) FROM outbox")
check "no row was claimed twice (every row sent at its first attempt)" \
	"max attempts $att" test "$att" = 1
# shellcheck disable=SC2154  # counted by lib.sh
echo "mail-two.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
