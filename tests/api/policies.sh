#!/bin/bash
# policies.sh: the policy's versions with a server running, as `make run`
# serves (issue 9). `aftercare policy activate FILE --db DB` with a
# longer contact window, while the server runs: it prints the replay's
# summary first; the server's next case is decided under the new hash,
# a case decided before keeps its decision and hash, a re-decision
# (the shipment put again) uses the new one; `policy versions` lists
# both, the audit names who activated; a policy that fails the check is
# refused (exit 1, its messages, nothing kept); `serve --policy FILE`
# activates FILE at start when another policy is active.
# Usage: tests/api/policies.sh BIN    (exit 1 if any check failed)
set -u
[ $# -eq 1 ] || { echo "usage: $0 BIN" >&2; exit 2; }
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/../.." && pwd)
T=$(mktemp -d) || exit 2
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf -- "$T"' EXIT
# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"

serve_demo policies
api() { # api METHOD PATH [BODY]
	curl -s -X "$1" -H "Authorization: Bearer $TOKEN" \
		-H 'Content-Type: application/json' "$U$2" ${3:+-d "$3"}
}
scratch='{"order":"D-1005","claim":{"type":"damaged","defects":["scratch"]}}'
H0=$("$BIN" policy version | head -n 1)
sed 's/^contact_window = 48h$/contact_window = 168h/' \
	"$ROOT/policy/shop.policy" >"$T/week.policy"
H1=$("$BIN" policy version "$T/week.policy" | head -n 1)
check "the changed policy has another hash" "$H0 $H1" test "$H0" != "$H1"

# D-1005 was delivered 5 days ago: past 48 hours, within a week
api POST /v1/cases "$scratch" >"$T/old.json"
old=$(jq -r .id "$T/old.json")
check "a case under the built-in policy: no refund" "$(cat "$T/old.json")" \
	jq -e --arg h "$H0" '.decision.verdict == "no_refund" and
		.decision.policy == $h' "$T/old.json"
"$BIN" policy versions --db "$DB" >"$T/v0" 2>&1
check "serve recorded the policy it runs (active, by system)" \
	"$(cat "$T/v0")" grep -q "^$H0  active .* system$" "$T/v0"

# a policy that fails the check: refused, its messages, nothing kept
printf 'contact_window = 168x\n' >"$T/bad.policy"
"$BIN" policy activate "$T/bad.policy" --db "$DB" >"$T/bad.out" 2>&1
rc=$?
check "a policy that fails the check is refused (exit 1)" \
	"rc=$rc $(cat "$T/bad.out")" test "$rc" = 1
check "with the check's message, line and key" "$(cat "$T/bad.out")" \
	grep -q "bad.policy:1: contact_window: not a duration" "$T/bad.out"
"$BIN" policy versions --db "$DB" >"$T/v1" 2>&1
check "and nothing kept" "$(cat "$T/v1")" test "$(wc -l <"$T/v1")" = 1

# activated from the command line while the server runs
"$BIN" policy activate "$T/week.policy" --db "$DB" >"$T/act.out" 2>&1
rc=$?
check "policy activate succeeds" "rc=$rc $(cat "$T/act.out")" test "$rc" = 0
check "it prints the replay's summary first" "$(cat "$T/act.out")" \
	grep -q "1 would change" "$T/act.out"
check "with the transition" "$(cat "$T/act.out")" \
	grep -Eq "no_refund +-> partial_refund +1" "$T/act.out"
check "then the activation" "$(cat "$T/act.out")" \
	grep -q "^activated $H1 (was $H0)" "$T/act.out"

api POST /v1/cases "$scratch" >"$T/new.json"
check "the running server decides a new case under the new hash" \
	"$(cat "$T/new.json")" jq -e --arg h "$H1" \
	'.decision.verdict == "partial_refund" and .decision.policy == $h' \
	"$T/new.json"
api GET "/v1/cases/$old" >"$T/old2.json"
check "the case decided before keeps its decision and its hash" \
	"$(cat "$T/old2.json")" jq -e --arg h "$H0" \
	'.decision.verdict == "no_refund" and .decision.policy == $h' \
	"$T/old2.json"
# the same shipment again: the order's open cases are decided again
ship=$(api GET /v1/orders/D-1005 | jq -c .shipment)
api PUT /v1/orders/D-1005/shipment "$ship" >"$T/ship.json"
api GET "/v1/cases/$old" >"$T/old3.json"
check "a re-decision uses the active policy" "$(cat "$T/old3.json")" \
	jq -e --arg h "$H1" '.decision.verdict == "partial_refund" and
		.decision.policy == $h' "$T/old3.json"
"$BIN" policy versions --db "$DB" >"$T/v2" 2>&1
check "policy versions lists both, the new one active by cli" \
	"$(cat "$T/v2")" grep -q "^$H1  active .* cli$" "$T/v2"
check "the old one not active" "$(cat "$T/v2")" grep -q "^$H0  -  " "$T/v2"
api GET "/v1/audit?entity=policy" >"$T/audit.json"
check "the activation is audited: who, old and new hash" \
	"$(cat "$T/audit.json")" jq -e --arg h0 "$H0" --arg h1 "$H1" \
	'[.. | objects | select(.action? == "policy.activate" and
	  .actor == "cli") | tostring | select(contains($h0) and
	  contains($h1))] | length == 1' "$T/audit.json"

# serve --policy FILE activates FILE at start when another is active
kill "$SPID"
wait "$SPID" 2>/dev/null
SPID=
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 \
	--policy "$ROOT/policy/shop.policy" 2>"$T/serve2.err" &
SPID=$!
for _ in $(seq 200); do
	grep -q '^listening on' "$T/serve2.err" && break
	sleep 0.05
done
check "serve --policy FILE says it activated FILE" "$(cat "$T/serve2.err")" \
	grep -q "is now the active policy" "$T/serve2.err"
"$BIN" policy versions --db "$DB" >"$T/v3" 2>&1
check "and FILE is the active one" "$(cat "$T/v3")" \
	grep -q "^$H0  active .* system:serve$" "$T/v3"

echo "policies.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
