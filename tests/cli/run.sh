#!/bin/bash
# run.sh: command-line checks beyond single scenarios: decide --batch (order,
# error lines, exit status, 5000 lines), --explain, --policy with a missing
# file, and `policy show` / `policy check` on good and broken policy files.
# Usage: tests/cli/run.sh BIN    (ends with "N passed, M failed"; exit 1 if any failed)
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BIN" >&2
	exit 2
fi
BIN=$(realpath -- "$1") || exit 2
[ -x "$BIN" ] || { echo "run.sh: $BIN is not executable" >&2; exit 2; }
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/../.." && pwd)
cd -- "$ROOT" || exit 2
T=$(mktemp -d) || exit 2
trap 'rm -rf -- "$T"' EXIT

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { # bad NAME DETAIL
	fail=$((fail + 1))
	printf 'FAIL %s: %s\n' "$1" "${2:0:600}"
}
# check NAME DETAIL COMMAND...: passes when COMMAND succeeds.
check() {
	local name=$1 detail=$2
	shift 2
	if "$@" >/dev/null 2>&1; then ok; else bad "$name" "$detail"; fi
}

# The case section of a scenario file, as one compact JSON line.
case_line() {
	local f=tests/scenarios/$1.case
	local -a lines
	local i s=0 e=0
	mapfile -t lines <"$f"
	for ((i = 0; i < ${#lines[@]}; i++)); do
		case ${lines[i]} in
		"--- case") s=$((i + 2)) ;;
		"--- "*) [ $s -gt 0 ] && [ $e -eq 0 ] && e=$i ;;
		esac
	done
	tail -n +"$s" -- "$f" | head -n $((e - s + 1)) | jq -c .
}

EXAMPLE=$(case_line refund.1-contract-example)
LOST=$(case_line refund.3-lost-confirmed)
CANCEL=$(case_line no-refund.1-cancel-before-cutoff)
NOZONE=$(jq -c '.claim.opened_at = "2026-05-13T09:05:00"' <<<"$EXAMPLE")

# ---- decide --batch: mixed good and bad lines, an empty line --------------
# An empty line is a line that cannot be decided: it yields an error object
# with field "" like any other line that is not JSON, and keeps its number.
printf '%s\n' "$EXAMPLE" 'this is not json' "$NOZONE" "$LOST" '' "$CANCEL" >"$T/mixed.jsonl"
"$BIN" decide --batch <"$T/mixed.jsonl" >"$T/mixed.out" 2>"$T/mixed.err"
rc=$?
check batch-mixed-exit "exit $rc, expected 1 (some lines failed)" [ $rc -eq 1 ]
mapfile -t out <"$T/mixed.out"
check batch-mixed-count "${#out[@]} output lines for 6 input lines" [ ${#out[@]} -eq 6 ]
for i in 0 3 5; do
	case $i in 0) c=$EXAMPLE ;; 3) c=$LOST ;; 5) c=$CANCEL ;; esac
	single=$("$BIN" decide <<<"$c")
	check "batch-mixed-line-$((i + 1))-decision" "got ${out[i]:-(none)}; single mode gave $single" \
		jq -en --argjson a "${out[i]:-null}" --argjson b "$single" '$a == $b'
done
for spec in '2:' '3:claim.opened_at' '5:'; do
	n=${spec%%:*} field=${spec#*:}
	check "batch-mixed-line-$n-error" "got ${out[n - 1]:-(none)}; expected line $n, field \"$field\"" \
		jq -en --argjson a "${out[n - 1]:-null}" --argjson n "$n" --arg f "$field" '
			($a | keys) == ["error", "line"] and $a.line == $n
			and $a.error.field == $f
			and ($a.error.message | type == "string" and length > 0)'
done

# ---- decide --batch: all good, exit 0; last line without a newline -------
printf '%s\n%s\n%s' "$EXAMPLE" "$LOST" "$CANCEL" >"$T/good.jsonl"
"$BIN" decide --batch <"$T/good.jsonl" >"$T/good.out" 2>"$T/good.err"
rc=$?
check batch-good-exit "exit $rc, expected 0" [ $rc -eq 0 ]
ids=$(jq -r .order "$T/good.out" 2>&1 | tr '\n' ' ')
check batch-good-order "orders: $ids" [ "$ids" = "A-1001 A-1001 A-1001 " ]
check batch-good-stdout-lines "$(wc -l <"$T/good.out") lines" [ "$(wc -l <"$T/good.out")" -eq 3 ]

# ---- decide --batch: 5000 lines (over 4 MB, so several chunks) -------------
# Every line gets its own order id; every 1000th line has a bad time, which
# must come back as an error object carrying that line's number.
jq -c '. as $c | range(1; 5001) as $i
	| $c | .order.id = "B-\($i)" | .note = ("x" * 1000)
	| if $i % 1000 == 0 then .claim.opened_at = "not a time" else . end' \
	<<<"$EXAMPLE" >"$T/big.jsonl"
"$BIN" decide --batch <"$T/big.jsonl" >"$T/big.out" 2>"$T/big.err"
rc=$?
check batch-5000-exit "exit $rc, expected 1 (5 bad lines)" [ $rc -eq 1 ]
check batch-5000-count "$(wc -l <"$T/big.out") output lines" [ "$(wc -l <"$T/big.out")" -eq 5000 ]
check batch-5000-order "decisions or errors out of order" \
	jq -ne '[inputs] as $o | ($o | length) == 5000 and
		([range(0; 5000) as $k | $o[$k] as $x | ($k + 1) as $i
		  | if $i % 1000 == 0
		    then $x.line == $i and $x.error.field == "claim.opened_at"
		    else $x.order == "B-\($i)" and $x.verdict == "full_refund" end]
		 | all)' "$T/big.out"
"$BIN" decide --batch --jobs 1 <"$T/big.jsonl" >"$T/big1.out" 2>/dev/null
check batch-5000-jobs-1-same "--jobs 1 output differs from the default" \
	[ "$(sha256sum <"$T/big.out")" = "$(sha256sum <"$T/big1.out")" ]

# ---- decide --explain --------------------------------------------------------
# contains TEXT NEEDLE; has_id TEXT ID (the clause id as a whole word, so
# refund.1 is not found inside no-refund.1); not_json FILE.
contains() { [[ $1 == *"$2"* ]]; }
has_id() {
	local re="(^|[^a-z.-])${2//./\\.}([^0-9]|\$)" l
	while IFS= read -r l; do
		[[ $l =~ $re ]] && return 0
	done <<<"$1"
	return 1
}
not_json() { ! jq -e . "$1" >/dev/null 2>&1; }
"$BIN" decide --explain <<<"$EXAMPLE" >"$T/explain.out" 2>"$T/explain.err"
rc=$?
explain=$(cat "$T/explain.out")
check explain-exit "exit $rc" [ $rc -eq 0 ]
check explain-not-json "the explanation parses as JSON" not_json "$T/explain.out"
check explain-clause-id "no refund.1 in: ${explain:0:200}" has_id "$explain" refund.1
check explain-clause-text "no quoted start of refund.1's text in: ${explain:0:300}" \
	contains "$explain" '"Due to our mistakes'
# The deadline, 2026-05-14T16:20:00Z, in RFC 3339 or as a person reads it.
if contains "$explain" 2026-05-14T16:20:00Z ||
	{ contains "$explain" "14 May 2026" && contains "$explain" 16:20; }; then
	ok
else
	bad explain-deadline "no deadline 2026-05-14 16:20 UTC in: ${explain:0:600}"
fi

# ---- decide --policy with a missing file -----------------------------------
missing=$T/no-such-dir/missing.policy
"$BIN" decide --policy "$missing" <<<"$EXAMPLE" >"$T/miss.out" 2>"$T/miss.err"
rc=$?
check policy-missing-exit "exit $rc, expected 2" [ $rc -eq 2 ]
check policy-missing-stdout "stdout not empty" [ ! -s "$T/miss.out" ]
check policy-missing-names-file "stderr: $(cat "$T/miss.err")" \
	contains "$(cat "$T/miss.err")" "$missing"

# ---- policy show -------------------------------------------------------------
show=$("$BIN" policy show 2>&1)
rc=$?
check policy-show-exit "exit $rc" [ $rc -eq 0 ]
for id in no-refund.{1..6} refund.{1..3} warranty.{1..3}; do
	check "policy-show-$id" "clause id $id not shown" has_id "$show" "$id"
done

# ---- policy check --------------------------------------------------------------
for p in policy/shop.policy tests/scenarios/policies/*.policy; do
	msg=$("$BIN" policy check "$p" 2>&1)
	rc=$?
	check "policy-check-ok-${p##*/}" "exit $rc: $msg" [ $rc -eq 0 ]
done

# A broken copy: a duration without its unit form (line 17), an unknown key
# (line 20), and clause refund.2 removed. Each problem must be printed with
# its line number and its key; the wording is the program's own.
while IFS= read -r l; do
	case $l in
	"contact_window = 48h") printf 'contact_window = 48 hours\n' ;;
	"warranty = 365d") printf '%s\nrefund_speed = 3d\n' "$l" ;;
	"[clause refund.2]") skip=1 ;;
	"") skip=0; printf '\n' ;;
	*) [ "${skip:-0}" = 1 ] || printf '%s\n' "$l" ;;
	esac
done <policy/shop.policy >"$T/broken.policy"
"$BIN" policy check "$T/broken.policy" >"$T/check.out" 2>"$T/check.err"
rc=$?
mapfile -t problems < <(cat "$T/check.out" "$T/check.err")
check policy-check-broken-exit "exit $rc, expected non-zero" [ $rc -ne 0 ]
# has_problem LINE_RE KEY: some output line names that line number and key.
has_problem() {
	local l
	for l in "${problems[@]}"; do
		[[ $l =~ $1 && $l == *"$2"* ]] && return 0
	done
	return 1
}
all=$(printf '%s | ' "${problems[@]}")
check policy-check-broken-duration "no line with :17: / line 17 and contact_window: $all" \
	has_problem '(:17:|line 17([^0-9]|$))' contact_window
check policy-check-broken-unknown-key "no line with :20: / line 20 and refund_speed: $all" \
	has_problem '(:20:|line 20([^0-9]|$))' refund_speed
check policy-check-broken-missing-clause "no line with a line number and refund.2: $all" \
	has_problem '(:[0-9]+:|line [0-9]+)' refund.2
"$BIN" decide --policy "$T/broken.policy" <<<"$EXAMPLE" >"$T/bd.out" 2>/dev/null
rc=$?
check decide-broken-policy-exit "decide under a broken policy: exit $rc, expected 2" [ $rc -eq 2 ]
check decide-broken-policy-stdout "decide under a broken policy wrote to stdout" [ ! -s "$T/bd.out" ]

# ---- --help: every command answers it on stdout with exit 0 ---------------
for cmd in decide policy serve token demo user; do
	"$BIN" $cmd --help >"$T/help.out" 2>"$T/help.err"
	rc=$?
	check "help-$cmd-exit" "$cmd --help: exit $rc, expected 0" [ $rc -eq 0 ]
	check "help-$cmd-usage" "$cmd --help: no usage line on stdout" \
		grep -q "^usage: aftercare $cmd " "$T/help.out"
done
"$BIN" serve --db "$T/x.db" >/dev/null 2>&1
rc=$?
check serve-no-listen-exit "serve without --listen: exit $rc, expected 2" [ $rc -eq 2 ]
"$BIN" serve --db "$T/x.db" --listen 127.0.0.1:0 --readers 0 >/dev/null 2>&1
rc=$?
check serve-readers-range "serve --readers 0: exit $rc, expected 2" [ $rc -eq 2 ]
"$BIN" serve --db "$T/x.db" --listen 127.0.0.1:0 --per-client 0 >/dev/null 2>&1
rc=$?
check serve-per-client-range "serve --per-client 0: exit $rc, expected 2" [ $rc -eq 2 ]

# ---- user add: the password from stdin's first line, hashed -------------
# CONTRACT "Staff accounts": creates and migrates a new database; errors
# name the field; a taken name is refused and the first account kept.
printf 'secret-pass-1\n' | "$BIN" user add ana --role manager --db "$T/u.db" \
	>"$T/u.out" 2>"$T/u.err"
rc=$?
check user-add-exit "user add: exit $rc, expected 0: $(cat "$T/u.err")" [ $rc -eq 0 ]
check user-add-said "user add: no 'added user ana (manager)': $(cat "$T/u.out")" \
	grep -qx 'added user ana (manager)' "$T/u.out"
row=$(sqlite3 "$T/u.db" "SELECT role || ' ' || password_hash FROM staff_users WHERE name = 'ana'" 2>&1)
check user-add-argon2id "stored: $row" grep -q '^manager \$argon2id\$' <<<"$row"
check user-add-no-password "the password is stored as typed: $row" \
	bash -c '! grep -q secret-pass-1 <<<"$1"' _ "$row"
version=$(sqlite3 "$T/u.db" "SELECT max(version) FROM schema_version" 2>&1)
check user-add-migrates "schema version $version, expected 4 or later" [ "${version:-0}" -ge 4 ]
printf 'other-pass-22\n' | "$BIN" user add ana --role agent --db "$T/u.db" \
	>/dev/null 2>"$T/u2.err"
rc=$?
check user-add-taken-exit "a taken name: exit $rc, expected 1" [ $rc -eq 1 ]
check user-add-taken-named "a taken name: $(cat "$T/u2.err")" \
	grep -q 'name: a user named ana exists' "$T/u2.err"
row2=$(sqlite3 "$T/u.db" "SELECT role FROM staff_users WHERE name = 'ana'" 2>&1)
check user-add-taken-kept "the first account changed: $row2" [ "$row2" = manager ]
printf 'secret-pass-1\n' | "$BIN" user add bob --role owner --db "$T/u3.db" \
	>/dev/null 2>"$T/u3.err"
rc=$?
check user-add-bad-role-exit "--role owner: exit $rc, expected 2" [ $rc -eq 2 ]
check user-add-bad-role-named "--role owner: $(cat "$T/u3.err")" \
	grep -q -- "--role: 'owner' is not agent or manager" "$T/u3.err"
check user-add-bad-role-no-db "--role owner created the database" [ ! -e "$T/u3.db" ]
for pw in '' 'short-9ch' ; do
	printf '%s\n' "$pw" | "$BIN" user add bob --role agent --db "$T/u.db" \
		>/dev/null 2>"$T/u4.err"
	rc=$?
	check "user-add-password-${#pw}-exit" "password of ${#pw} bytes: exit $rc, expected 2" [ $rc -eq 2 ]
	check "user-add-password-${#pw}-named" "password of ${#pw} bytes: $(cat "$T/u4.err")" \
		grep -q 'password: .* 10 to 1024 bytes' "$T/u4.err"
done
"$BIN" user add bob --role agent --db "$T/u.db" </dev/null >/dev/null 2>"$T/u5.err"
rc=$?
check user-add-no-stdin "no standard input: exit $rc, expected 2" [ $rc -eq 2 ]
printf 'secret-pass-1\n' | "$BIN" user add Bob --role agent --db "$T/u.db" \
	>/dev/null 2>"$T/u6.err"
rc=$?
check user-add-bad-name "user add Bob: exit $rc, expected 1: $(cat "$T/u6.err")" \
	bash -c '[ "$1" -eq 1 ] && grep -q "user Bob: name: " "$2"' _ $rc "$T/u6.err"
n=$(sqlite3 "$T/u.db" "SELECT count(*) FROM staff_users" 2>&1)
check user-add-refusals-store-nothing "$n accounts, expected 1" [ "$n" = 1 ]
# ten bytes is the shortest password; "\r\n" ends a line too (so the
# "\r" is not the tenth byte)
printf '012345678\r\n' | "$BIN" user add carol --role agent --db "$T/u.db" >/dev/null 2>&1
rc=$?
check user-add-crlf "9 bytes ended by CRLF: exit $rc, expected 2" [ $rc -eq 2 ]
printf '0123456789\n' | "$BIN" user add carol --role agent --db "$T/u.db" >/dev/null 2>&1
rc=$?
check user-add-10-bytes "a 10-byte password: exit $rc, expected 0" [ $rc -eq 0 ]
"$BIN" user add dave --db "$T/u.db" </dev/null >/dev/null 2>&1
rc=$?
check user-add-no-role "no --role: exit $rc, expected 2" [ $rc -eq 2 ]

# ---- demo: the demo's staff, once, and their sign-in printed -------------
"$BIN" demo --db "$T/demo.db" >"$T/demo1.out" 2>"$T/demo1.err"
rc1=$?
"$BIN" demo --db "$T/demo.db" >"$T/demo2.out" 2>"$T/demo2.err"
rc2=$?
check demo-users-exit "demo twice: exit $rc1 then $rc2: $(cat "$T/demo2.err")" \
	[ "$rc1$rc2" = 00 ]
for f in demo1 demo2; do
	check "$f-signin-manager" "no manager sign-in: $(cat "$T/$f.out")" \
		grep -q 'manager / manager-demo-1' "$T/$f.out"
	check "$f-signin-agent" "no agent sign-in: $(cat "$T/$f.out")" \
		grep -q 'agent / agent-demo-1' "$T/$f.out"
done
roles=$(sqlite3 "$T/demo.db" "SELECT group_concat(name || '=' || role, ' ') FROM (SELECT * FROM staff_users ORDER BY name)" 2>&1)
check demo-users-roles "demo accounts: $roles" [ "$roles" = "agent=agent manager=manager" ]

# ---- a busy port: serve names it and says how to choose another ----------
"$BIN" serve --db "$T/busy1.db" --listen 127.0.0.1:0 2>"$T/busy1.err" &
busy_pid=$!
for _ in $(seq 100); do
	grep -q '^listening on' "$T/busy1.err" && break
	sleep 0.05
done
busy=$(sed -n 's|^listening on http://||p' "$T/busy1.err")
"$BIN" serve --db "$T/busy2.db" --listen "$busy" >/dev/null 2>"$T/busy2.err"
rc=$?
kill "$busy_pid" 2>/dev/null
wait "$busy_pid" 2>/dev/null
check busy-port-exit "a second serve on $busy: exit $rc, expected 1" [ $rc -eq 1 ]
check busy-port-named "the error does not name $busy: $(cat "$T/busy2.err")" \
	grep -q "$busy is already in use" "$T/busy2.err"
check busy-port-hint "no LISTEN= hint: $(cat "$T/busy2.err")" \
	grep -q "LISTEN=" "$T/busy2.err"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
