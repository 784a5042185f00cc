#!/bin/bash
# run.sh: the policy scenario suite. Feeds each tests/scenarios/*.case to
# `BIN decide [ARGS]` and checks the decision (or the bad-input error) it expects.
# Usage: tests/scenarios/run.sh BIN [CASE_FILE...]   (default: every .case file)
# Prints one block per failure, then "N passed, M failed"; exit 1 if any failed.
set -u

if [ $# -lt 1 ]; then
	echo "usage: $0 BIN [CASE_FILE...]" >&2
	exit 2
fi
BIN=$(realpath -- "$1") || exit 2
shift
[ -x "$BIN" ] || { echo "run.sh: $BIN is not executable" >&2; exit 2; }

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/../.." && pwd)
cd -- "$ROOT" || exit 2

if [ $# -gt 0 ]; then
	files=("$@")
else
	files=("$HERE"/*.case)
fi

TMP=$(mktemp -d) || exit 2
trap 'rm -rf -- "$TMP"' EXIT

# sha256 of a file as the decision's "policy" field shows it.
declare -A HASH
policy_hash() {
	if [ -z "${HASH[$1]+x}" ]; then
		local h
		h=$(sha256sum -- "$1" 2>/dev/null) || h="(unreadable $1)"
		HASH[$1]="sha256:${h%% *}"
	fi
	printf '%s' "${HASH[$1]}"
}
DEFAULT_HASH=$(policy_hash policy/shop.policy)

# Compares actual ($a, slurped stdout) with expected ($e); prints one line per
# difference and nothing when they agree (key order does not matter).
read -r -d '' JQ_DIFF <<'JQ'
def show($o; $k): if ($o | has($k)) then $o[$k] | tojson else "(absent)" end;
if ($a | length) != 1 or ($a[0] | type) != "object" then
	"  stdout: not a single JSON object"
else
	$a[0] as $act | $e[0] as $exp |
	(if ($act.policy | type) != "string"
	    or ($act.policy | test("^sha256:[0-9a-f]{64}$") | not) then
		"  policy: \($act.policy | tojson) is not sha256:<64 hex digits>"
	 elif $act.policy != $want then
		"  policy: \($act.policy) but the policy file hashes to \($want)"
	 else empty end),
	(($act | del(.policy)) as $x
	 | [($exp | keys[]), ($x | keys[])] | unique[] as $k
	 | select($exp[$k] != $x[$k])
	 | "  \($k): expected \(show($exp; $k)) got \(show($x; $k))")
end
JQ

pass=0
fail=0
failures=""

# report NAME MESSAGE...: record one failed scenario.
report() {
	local name=$1
	shift
	fail=$((fail + 1))
	printf 'FAIL %s\n' "$name"
	printf '%s\n' "$@"
}

for f in "${files[@]}"; do
	name=${f##*/}
	# Find the sections by line number; the case bytes are then cut out
	# with tail/head so they reach the program untouched.
	mapfile -t lines <"$f"
	n=${#lines[@]}
	declare -A start=() end=()
	cur=""
	for ((i = 0; i < n; i++)); do
		case ${lines[i]} in
		"--- args" | "--- case" | "--- decision" | "--- error")
			[ -n "$cur" ] && end[$cur]=$i
			cur=${lines[i]#--- }
			start[$cur]=$((i + 2)) # 1-based number of the first body line
			;;
		esac
	done
	[ -n "$cur" ] && end[$cur]=$n
	if [ -z "${start[case]+x}" ] ||
		[ -z "${start[decision]+x}${start[error]+x}" ]; then
		report "$name" "  malformed: needs '--- case' and '--- decision' or '--- error'"
		continue
	fi
	body() { # body SECTION > file: the section's exact bytes
		local s=${start[$1]} e=${end[$1]}
		tail -n +"$s" -- "$f" | head -n $((e - s + 1))
	}

	args=()
	want=$DEFAULT_HASH
	if [ -n "${start[args]+x}" ]; then
		for ((i = start[args] - 1; i < end[args]; i++)); do
			read -r -a words <<<"${lines[i]}"
			args+=("${words[@]}")
		done
		for ((i = 0; i < ${#args[@]}; i++)); do
			if [ "${args[i]}" = --policy ] && [ $((i + 1)) -lt ${#args[@]} ]; then
				want=$(policy_hash "${args[i + 1]}")
			fi
		done
	fi

	body case >"$TMP/in"
	timeout 20 "$BIN" decide "${args[@]}" <"$TMP/in" >"$TMP/out" 2>"$TMP/err"
	rc=$?

	if [ -n "${start[decision]+x}" ]; then
		body decision >"$TMP/exp"
		if [ $rc -ne 0 ]; then
			mapfile -t el <"$TMP/err"
			report "$name" "  exit $rc (expected 0); stderr: ${el[*]:0:3}"
			continue
		fi
		if ! out=$(jq -rn --slurpfile a "$TMP/out" --slurpfile e "$TMP/exp" \
			--arg want "$want" "$JQ_DIFF" 2>&1); then
			report "$name" "  stdout or expected decision is not JSON: ${out:0:200}" \
				"  stdout: $(head -c 300 "$TMP/out")"
			continue
		fi
		if [ -n "$out" ]; then
			report "$name" "$out"
			continue
		fi
	else
		exp_rc="" exp_prefix="" have_prefix=0
		for ((i = start[error] - 1; i < end[error]; i++)); do
			case ${lines[i]} in
			"exit "*) exp_rc=${lines[i]#exit } ;;
			"stderr "*) exp_prefix=${lines[i]#stderr }; have_prefix=1 ;;
			esac
		done
		problems=()
		[ "$rc" = "$exp_rc" ] || problems+=("  exit $rc (expected $exp_rc)")
		[ -s "$TMP/out" ] && problems+=("  stdout not empty: $(head -c 200 "$TMP/out")")
		mapfile -t el <"$TMP/err"
		nl=$(wc -l <"$TMP/err")
		if [ ${#el[@]} -ne 1 ] || [ "$nl" -ne 1 ]; then
			problems+=("  stderr has ${#el[@]} lines (expected exactly 1): $(head -c 300 "$TMP/err")")
		elif [ $have_prefix = 1 ] && [[ ${el[0]} != "$exp_prefix"* ]]; then
			problems+=("  stderr: ${el[0]:0:200}" "  expected to start with: $exp_prefix")
		fi
		if [ ${#problems[@]} -gt 0 ]; then
			report "$name" "${problems[@]}"
			continue
		fi
	fi
	pass=$((pass + 1))
	unset start end
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
