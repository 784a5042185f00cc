#!/bin/sh
# fuzz/run.sh: seed and run the libFuzzer harnesses for a bounded time (fuzz).
# Usage: fuzz/run.sh BUILD_FUZZ_DIR SECONDS TARGET...
# Run from the repository root (make fuzz does). For each TARGET: replay the
# reproducers kept in fuzz/crashes/TARGET-*, seed BUILD_FUZZ_DIR/corpus-TARGET
# from the scenarios (or the policy file), fuzz for SECONDS with the
# dictionary fuzz/<name>.dict and the committed corpus fuzz/corpus/TARGET/,
# print one line per target and exit 1 if any target crashed.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: fuzz/run.sh BUILD_FUZZ_DIR SECONDS TARGET..." >&2
	exit 2
fi
dir=$1
secs=$2
shift 2

# UBSan only reports by default; make a report fatal so that libFuzzer
# keeps the input. Leak checking stays on (libFuzzer's default).
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS

# seed_case_json CORPUS: the `--- case` section of every scenario file.
seed_case_json()
{
	for f in tests/scenarios/*.case; do
		[ -f "$f" ] || continue
		out="$1/scenario-$(basename "$f" .case).json"
		awk '/^--- / { on = ($0 ~ /^--- case[ \t]*$/); next }
		     on { print }' "$f" >"$out"
		[ -s "$out" ] || rm -f "$out"
	done
}

# seed_policy_file CORPUS: the shop's policy and a few mutilated copies.
seed_policy_file()
{
	p=policy/shop.policy
	[ -f "$p" ] || return 0
	cp "$p" "$1/shop.policy"
	half=$(($(wc -c <"$p") / 2))
	head -c "$half" "$p" >"$1/mut-truncated.policy"
	grep -v '^#' "$p" | grep -v '^$' >"$1/mut-no-comments.policy" || true
	awk '/^\[clause refund\.2\]/ { skip = 1; next }
	     /^\[/ { skip = 0 } !skip' "$p" >"$1/mut-no-refund2.policy"
	sed -e 's/= *48h/= 48/' -e 's/= *20%/= 120%/' \
		-e 's/^warranty =.*/warranty = 1y/' "$p" \
		>"$1/mut-bad-numbers.policy"
	sed 's/$/\r/' "$p" >"$1/mut-crlf.policy"
	{ cat "$p"; echo "warranty = 1d"; echo "colour = red"; } \
		>"$1/mut-duplicate-unknown.policy"
	{ cat "$p"; printf '[clause refund.9]\ntitle = x\ntext = y'; } \
		>"$1/mut-unknown-clause.policy"
	sed 's/^\(text = \)/\1\n/' "$p" >"$1/mut-empty-text.policy"
}

# summary LOG: "N runs, cov C, ft F, corpus K" from libFuzzer's output.
summary()
{
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" |
		tail -n 1)
	last=$(grep -E '^#[0-9]+' "$1" | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" |
		sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p')
	printf '%s runs, cov %s, ft %s, corpus %s' "${runs:-?}" \
		"${cov:-?}" "${ft:-?}" "${corp:-?}"
}

fail=0
for t in "$@"; do
	bin=$dir/$t
	name=${t#fuzz_}
	dict=fuzz/$name.dict
	corpus=$dir/corpus-$t
	art=$dir/artifacts-$t
	log=$dir/$t.log

	if [ ! -x "$bin" ]; then
		echo "fuzz/run.sh: $t: no fuzzer at $bin" >&2
		fail=1
		continue
	fi
	mkdir -p "$corpus" "$art"

	# Known reproducers first: each must now run clean.
	for r in fuzz/crashes/"$t"-*; do
		[ -f "$r" ] || continue
		if ! "$bin" -rss_limit_mb=2048 -timeout=25 "$r" \
			>"$log.replay" 2>&1; then
			echo "fuzz/run.sh: $t: FAIL: kept reproducer $r" \
				"still crashes (log: $log.replay)" >&2
			grep -E '^(SUMMARY|invariant broken|==[0-9]+==ERROR)' \
				"$log.replay" | head -n 3 >&2 || true
			fail=1
		fi
	done

	case $t in
	fuzz_case_json) seed_case_json "$corpus" ;;
	fuzz_policy_file) seed_policy_file "$corpus" ;;
	fuzz_tmpl) cp web/pages/*.html "$corpus/" 2>/dev/null || true ;;
	esac

	set -- "$corpus"
	[ -d "fuzz/corpus/$t" ] && set -- "$@" "fuzz/corpus/$t"
	[ -f "$dict" ] && set -- "-dict=$dict" "$@"

	rc=0
	"$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 \
		-timeout=25 -print_final_stats=1 -artifact_prefix="$art/" \
		"$@" >"$log" 2>&1 || rc=$?

	if [ "$rc" -ne 0 ]; then
		crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
			tail -n 1)
		echo "fuzz/run.sh: $t: FAIL (exit $rc): reproducer" \
			"${crash:-not written}; log $log" >&2
		grep -E '^(SUMMARY|invariant broken|==[0-9]+==ERROR)' \
			"$log" | head -n 3 >&2 || true
		fail=1
	else
		echo "fuzz/run.sh: $t: ok, $(summary "$log") in ${secs}s"
	fi
done
exit $fail
