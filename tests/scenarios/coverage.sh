#!/bin/bash
# coverage.sh: every clause a policy file declares ("[clause ID]" lines) must
# be cited in the "clauses" of at least one scenario's expected decision.
# Usage: tests/scenarios/coverage.sh POLICYFILE DIR
# Exit 1 naming each uncited clause; else prints "coverage: N clauses, all covered".
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 POLICYFILE DIR" >&2
	exit 2
fi
policy=$1 dir=$2

# The clause ids the policy declares.
[ -r "$policy" ] || { echo "coverage: cannot read $policy" >&2; exit 2; }
declared=()
re='^\[clause[[:space:]]+([^][:space:]]+)[[:space:]]*\]'
while IFS= read -r line || [ -n "$line" ]; do
	[[ $line =~ $re ]] && declared+=("${BASH_REMATCH[1]}")
done <"$policy"
if [ ${#declared[@]} -eq 0 ]; then
	echo "coverage: $policy declares no clauses" >&2
	exit 1
fi

# The clause ids cited by the expected decisions (the "--- decision"
# section of each .case file).
declare -A cited=()
shopt -s nullglob
bodies=""
for f in "$dir"/*.case; do
	mapfile -t lines <"$f"
	body="" in=0
	for l in "${lines[@]}"; do
		case $l in
		"--- decision") in=1; continue ;;
		"--- "*) in=0 ;;
		esac
		[ $in = 1 ] && body+=$l$'\n'
	done
	bodies+=$body
done
ids=$(jq -r '.clauses[]?' <<<"$bodies" 2>&1) ||
	{ echo "coverage: an expected decision is not JSON: $ids" >&2; exit 1; }
while IFS= read -r id; do
	[ -n "$id" ] && cited[$id]=1
done <<<"$ids"

missing=0
for id in "${declared[@]}"; do
	if [ -z "${cited[$id]+x}" ]; then
		echo "coverage: clause $id has no scenario citing it"
		missing=$((missing + 1))
	fi
done
if [ $missing -gt 0 ]; then
	echo "coverage: $missing of ${#declared[@]} clauses not covered"
	exit 1
fi
echo "coverage: ${#declared[@]} clauses, all covered"
