#!/bin/bash
# run.sh: the policy scenario suite. Feeds each tests/scenarios/*.case to
# `BIN decide [ARGS]` and checks the decision (or the bad-input error) it expects.
# Usage: tests/scenarios/run.sh BIN [CASE_FILE...]   (default: every .case file)
# Prints one line per failure, then "N passed, M failed"; exit 1 if any failed.
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
files=()
for f in "$@"; do files+=("$(realpath -- "$f")"); done
[ $# -gt 0 ] || files=("$HERE"/*.case)
cd -- "$ROOT" || exit 2 # --policy paths in the cases are relative to the root

TMP=$(mktemp -d) || exit 2
trap 'rm -rf -- "$TMP"' EXIT

# policy_hash FILE: sets HASH[FILE] to "sha256:" + the hex SHA-256 of the
# file, what a decision's "policy" must say under it.
declare -A HASH=()
policy_hash() {
	if [ -z "${HASH[$1]+x}" ]; then
		local h
		h=$(sha256sum -- "$1" 2>/dev/null) || h="(unreadable $1)"
		HASH[$1]="sha256:${h%% *}"
	fi
}
# The program embeds policy/shop.policy: without --policy, decisions must
# carry this file's hash.
policy_hash policy/shop.policy
DEFAULT_HASH=${HASH[policy/shop.policy]}

total=0
declare -A failed=()
# report NAME DETAIL: one line for a failed scenario.
report() {
	failed[$1]=1
	printf 'FAIL %s: %s\n' "$1" "${2:0:600}"
}

# Decisions are compared in one jq run at the end (jq starts slowly): each
# decision scenario k adds --rawfile a<k> (actual stdout), --rawfile e<k>
# (expected), --arg w<k> (expected policy hash) and --arg n<k> (file name).
jq_args=()
k=0

for f in "${files[@]}"; do
	name=${f##*/}
	total=$((total + 1))
	# Find the sections. Every line of a section ends in a newline (a
	# header follows it), so printing the lines back with "\n" gives the
	# section's exact bytes: the case reaches the program untouched.
	mapfile -t lines <"$f"
	n=${#lines[@]}
	declare -A start=() end=()
	cur=""
	for ((i = 0; i < n; i++)); do
		case ${lines[i]} in
		"--- args" | "--- case" | "--- decision" | "--- error")
			[ -n "$cur" ] && end[$cur]=$i
			cur=${lines[i]#--- }
			start[$cur]=$((i + 1)) # index of the first body line
			;;
		esac
	done
	[ -n "$cur" ] && end[$cur]=$n # index after the last body line
	if [ -z "${start[case]+x}" ] ||
		[ -z "${start[decision]+x}${start[error]+x}" ]; then
		report "$name" "malformed: needs '--- case' and '--- decision' or '--- error'"
		continue
	fi
	# section NAME: prints the section's lines.
	section() {
		local s=${start[$1]}
		[ "${end[$1]}" -gt "$s" ] || return 0
		printf '%s\n' "${lines[@]:s:end[$1] - s}"
	}

	args=()
	want=$DEFAULT_HASH
	if [ -n "${start[args]+x}" ]; then
		for ((i = start[args]; i < end[args]; i++)); do
			read -r -a words <<<"${lines[i]}"
			args+=("${words[@]}")
		done
		for ((i = 0; i + 1 < ${#args[@]}; i++)); do
			if [ "${args[i]}" = --policy ]; then
				policy_hash "${args[i + 1]}"
				want=${HASH[${args[i + 1]}]}
			fi
		done
	fi

	section case >"$TMP/in"
	if [ -n "${start[decision]+x}" ]; then
		out=$TMP/a.$k
	else
		out=$TMP/out
	fi
	timeout 20 "$BIN" decide "${args[@]}" <"$TMP/in" >"$out" 2>"$TMP/err"
	rc=$?
	mapfile el <"$TMP/err" # keeps each line's newline

	if [ -n "${start[decision]+x}" ]; then
		if [ $rc -ne 0 ]; then
			all="${el[*]}"
			report "$name" "exit $rc (expected 0); stderr: ${all//$'\n'/ }"
			continue
		fi
		section decision >"$TMP/e.$k"
		jq_args+=(--rawfile "a$k" "$TMP/a.$k" --rawfile "e$k" "$TMP/e.$k"
			--arg "w$k" "$want" --arg "n$k" "$name")
		k=$((k + 1))
		continue
	fi

	# --- error: the exit status, nothing on stdout, exactly one line on
	# stderr, starting with the given prefix (the field path).
	exp_rc="" exp_prefix="" have_prefix=0
	for ((i = start[error]; i < end[error]; i++)); do
		case ${lines[i]} in
		"exit "*) exp_rc=${lines[i]#exit } ;;
		"stderr "*) exp_prefix=${lines[i]#stderr }; have_prefix=1 ;;
		esac
	done
	problems=""
	[ "$rc" = "$exp_rc" ] || problems+="exit $rc (expected $exp_rc); "
	[ -s "$TMP/out" ] && problems+="stdout not empty: $(head -c 200 "$TMP/out"); "
	if [ ${#el[@]} -ne 1 ] || [[ ${el[0]} != *$'\n' ]]; then
		all="${el[*]}"
		problems+="stderr has ${#el[@]} lines, expected exactly 1: ${all//$'\n'/|}"
	elif [ $have_prefix = 1 ] && [[ ${el[0]} != "$exp_prefix"* ]]; then
		problems+="stderr '${el[0]%$'\n'}' does not start with '$exp_prefix'"
	fi
	[ -z "$problems" ] || report "$name" "${problems%; }"
done

# Compare every decision with its expectation: the "policy" field against
# the policy file's hash, the rest key by key (key order does not matter).
# Prints "NAME<TAB>difference" lines, nothing for a decision that matches.
if [ $k -gt 0 ]; then
	jq -nr --argjson K "$k" "${jq_args[@]}" '
	def show($o; $key):
		if ($o | has($key)) then $o[$key] | tojson else "(absent)" end;
	$ARGS.named as $A
	| range(0; $K) as $i
	| $A["n\($i)"] as $name | $A["w\($i)"] as $want
	| ($A["a\($i)"] | try fromjson catch null) as $act
	| ($A["e\($i)"] | try fromjson catch null) as $exp
	| if ($exp | type) != "object" then
		"\($name)\tthe expected decision is not a JSON object"
	  elif ($act | type) != "object" then
		"\($name)\tstdout is not one JSON object: \($A["a\($i)"][0:200])"
	  else
		(if ($act.policy | type) != "string"
		    or ($act.policy | test("^sha256:[0-9a-f]{64}$") | not) then
			"\($name)\tpolicy: \($act.policy | tojson) is not sha256:<64 hex>"
		 elif $act.policy != $want then
			"\($name)\tpolicy: \($act.policy), the file hashes to \($want)"
		 else empty end),
		(($act | del(.policy)) as $x
		 | [($exp | keys[]), ($x | keys[])] | unique[] as $key
		 | select($exp[$key] != $x[$key])
		 | "\($name)\t\($key): expected \(show($exp; $key)) got \(show($x; $key))")
	  end' >"$TMP/diffs" 2>"$TMP/jqerr" ||
		{ echo "run.sh: jq failed: $(head -c 300 "$TMP/jqerr")" >&2; exit 2; }
	# Group the differences by scenario, one line each.
	prev="" msg=""
	while IFS=$'\t' read -r name diff; do
		if [ "$name" != "$prev" ] && [ -n "$prev" ]; then
			report "$prev" "$msg"
			msg=""
		fi
		prev=$name
		msg+="${msg:+; }$diff"
	done <"$TMP/diffs"
	[ -n "$prev" ] && report "$prev" "$msg"
fi

fail=${#failed[@]}
echo "$((total - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
