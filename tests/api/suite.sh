#!/bin/bash
# suite.sh: the API scripts of tests/api, two at a time. Each starts its
# own server on a free loopback port in its own directory, and several
# spend most of their time waiting (mail's retries, the payment stand-in,
# slow clients), so two fit on this machine's two cores; make test's
# time is bounded (issue 6: well under 20 minutes). A script named with a
# leading '=' runs alone, before the others: it is timed against the
# machine (concurrency.sh races an import against reads).
# Each script's output is printed whole once it has ended, and a line says
# how long it took. Exit status 1 when any failed.
# Usage: tests/api/suite.sh BIN [=]SCRIPT...   (names without .sh)
set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 BIN [=]SCRIPT..." >&2
	exit 2
fi
BIN=$1
shift
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d) || exit 2
trap 'rm -rf -- "$T"' EXIT
alone=()
paired=()
for s; do
	case $s in
	=*) alone+=("${s#=}") ;;
	*) paired+=("$s") ;;
	esac
	[ -x "$HERE/${s#=}.sh" ] || { echo "suite.sh: no $HERE/${s#=}.sh" >&2; exit 2; }
done

# run_one NAME: the script, its output and status kept in T
run_one() {
	local start=$SECONDS
	"$HERE/$1.sh" "$BIN" >"$T/$1.out" 2>&1
	echo $? >"$T/$1.rc"
	echo "suite.sh: $1.sh took $((SECONDS - start)) s" >>"$T/$1.out"
}
show() {
	echo "== tests/api/$1.sh"
	cat "$T/$1.out"
}

for s in "${alone[@]}"; do
	run_one "$s"
	show "$s"
done
for s in "${paired[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do
		wait -n
	done
	run_one "$s" &
done
wait
for s in "${paired[@]}"; do
	show "$s"
done

failed=()
for s in "${alone[@]}" "${paired[@]}"; do
	[ "$(cat "$T/$s.rc" 2>/dev/null)" = 0 ] || failed+=("$s.sh")
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "suite.sh: failed: ${failed[*]}" >&2
	exit 1
fi
echo "suite.sh: all ${#alone[@]} + ${#paired[@]} scripts passed"
