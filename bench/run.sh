#!/usr/bin/env bash
# run.sh: every benchmark of aftercare, printed as one table of ratios
# against peers measured in the same run (bench; `make bench` calls it).
#
#   bench/run.sh BUILD_DIR
#
# Environment:
#   BENCH_MB=200        size of the big batch input, MB (10^6 bytes)
#   BENCH_SMALL_MB=50   size of the second batch input (memory stays flat?)
#   BENCH_QUICK=1       tiny sizes, a smoke run of a few seconds
#   BENCH_RUNS=3        batch runs per program and size; the fastest counts
#   BENCH_RSS=poll      measure peak RSS by polling VmHWM even when GNU time
#                       is there (the fallback; default: GNU time when present)
#
# Data are generated once into BUILD_DIR/bench-data/ (file names carry the
# size, the seed and a hash of gen.js) and reused; results and logs go to
# BUILD_DIR/bench-out/. Bounded: about 2 minutes at the defaults on 2 cores.
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: bench/run.sh BUILD_DIR" >&2
	exit 2
fi
mkdir -p "$1"
B=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
AC=$B/aftercare
BD=$B/bench/bench_decide
DATA=$B/bench-data
OUT=$B/bench-out
mkdir -p "$DATA" "$OUT"

SEED=1
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	MB=${BENCH_MB:-2}; SMALL_MB=${BENCH_SMALL_MB:-1}; SAMPLE_N=200
	DECISIONS=100000; REPS=3; JS_N=100000; RE_CASES=500; RE_SEC=2
	RUNS=${BENCH_RUNS:-1}
else
	MB=${BENCH_MB:-200}; SMALL_MB=${BENCH_SMALL_MB:-50}; SAMPLE_N=2000
	DECISIONS=1000000; REPS=5; JS_N=1000000; RE_CASES=20000; RE_SEC=10
	RUNS=${BENCH_RUNS:-3}
fi

command -v node >/dev/null || { echo "run.sh: node is missing (scripts/deps.sh bench)" >&2; exit 2; }

# ---- json-rules-engine, from the committed lock file -------------------------
if [ ! -d "$HERE/node_modules/json-rules-engine" ]; then
	echo "run.sh: npm ci (json-rules-engine) into bench/node_modules" >&2
	(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# ---- data ---------------------------------------------------------------------
GENHASH=$(sha256sum "$HERE/gen.js" | cut -c1-10)
# data from another gen.js are stale: drop them
find "$DATA" -maxdepth 1 -name '*.jsonl' ! -name "*-$GENHASH.jsonl" -delete
gen() { # gen NAME ARGS...: BUILD_DIR/bench-data/NAME, made once
	local f=$DATA/$1
	shift
	if [ ! -s "$f" ]; then
		echo "run.sh: generating $(basename "$f")" >&2
		node "$HERE/gen.js" "$@" --seed "$SEED" > "$f.tmp"
		mv "$f.tmp" "$f"
	fi
	echo "$f"
}
BIG=$(gen "cases-${MB}mb-s$SEED-$GENHASH.jsonl" --mb "$MB")
SMALL=$(gen "cases-${SMALL_MB}mb-s$SEED-$GENHASH.jsonl" --mb "$SMALL_MB")
SAMPLE=$(gen "sample-${SAMPLE_N}-s$SEED-$GENHASH.jsonl" --count "$SAMPLE_N")
# the hot set: few enough cases that they stay in the CPU caches
HOT=$DATA/hot-64-s$SEED-$GENHASH.jsonl
[ -s "$HOT" ] || head -n 64 "$SAMPLE" > "$HOT"

# ---- helpers ------------------------------------------------------------------
now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }
calc() { awk "BEGIN { printf \"%s\", $* }" </dev/null; }
rate() { # a count per second, human-readable
	awk -v x="$1" -v u="${2:-/s}" 'BEGIN {
		if (x == "" || x == "n/a") { print "n/a"; exit }
		if (x >= 1e6) printf "%.2f M%s\n", x / 1e6, u
		else if (x >= 1e3) printf "%.1f k%s\n", x / 1e3, u
		else printf "%.0f %s\n", x, u }'
}
ratio() { # ratio A B: A/B as "12.3x"
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "n/a" || b == "n/a" || a == "" || b == "" || b + 0 == 0) { print "n/a"; exit }
		r = a / b; if (r >= 100) printf "%.0fx\n", r; else printf "%.2fx\n", r }'
}
field() { # field KEY FILE: the value of a "key value" line
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) print "n/a" }' "$2" 2>/dev/null || echo n/a
}

# Peak RSS: GNU time's %M when it is there, else VmHWM from /proc/PID/status,
# polled every 10 ms while the process runs (the high-water mark only grows,
# so a poll misses at most the last 10 ms of growth).
RSS_METHOD=poll
if [ "${BENCH_RSS:-}" != poll ] && [ -x /usr/bin/time ] &&
   /usr/bin/time -f %M -o "$OUT/.rss" true 2>/dev/null &&
   grep -qE '^[0-9]+$' "$OUT/.rss"; then
	RSS_METHOD=gnu-time
fi

# children_cpu: user + system seconds of this shell's waited-for children,
# from bash's `times` (which must run in this shell, not in a $(...))
children_cpu() {
	awk 'NR == 2 {
		s = 0
		for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] }
		printf "%.3f", s }' "$OUT/.times"
}

# measure INPUT CMD...: runs CMD < INPUT > /dev/null; sets M_WALL (s),
# M_CPU (user + system s, every thread), M_RSS_KB, M_RC; stderr goes to
# $OUT/last.err
measure() {
	local in=$1 t0 t1 pid k v c0
	shift
	cat "$in" > /dev/null # the page cache, warm for both
	M_RC=0
	if [ "$RSS_METHOD" = gnu-time ]; then
		t0=$(now)
		/usr/bin/time -f '%M %U %S' -o "$OUT/.rss" "$@" < "$in" > /dev/null 2> "$OUT/last.err" || M_RC=$?
		t1=$(now)
		read -r M_RSS_KB k v < <(tail -n 1 "$OUT/.rss")
		M_CPU=$(calc "$k + $v")
	else
		M_RSS_KB=0
		times > "$OUT/.times"
		c0=$(children_cpu)
		t0=$(now)
		"$@" < "$in" > /dev/null 2> "$OUT/last.err" &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			while read -r k v _; do
				if [ "$k" = VmHWM: ] && [ "$v" -gt "$M_RSS_KB" ]; then M_RSS_KB=$v; fi
			done < "/proc/$pid/status" 2>/dev/null || true
			sleep 0.01
		done
		wait "$pid" || M_RC=$?
		t1=$(now)
		times > "$OUT/.times"
		M_CPU=$(calc "$(children_cpu) - $c0")
	fi
	M_WALL=$(calc "$t1 - $t0")
}

# batch NAME INPUT CMD...: best of $RUNS; writes NAME.mbps, .cps, .rss_mb, .rc
batch() {
	local name=$1 in=$2 best="" cpu="" rss=0 rc=0 bytes lines i
	shift 2
	bytes=$(stat -c %s "$in")
	lines=$(wc -l < "$in")
	for ((i = 0; i < RUNS; i++)); do
		measure "$in" "$@"
		if [ "$M_RC" != 0 ]; then rc=$M_RC; cp "$OUT/last.err" "$OUT/$name.err"; fi
		if [ -z "$best" ] || awk -v a="$M_WALL" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$M_WALL
			cpu=$M_CPU
		fi
		if [ "$M_RSS_KB" -gt "$rss" ]; then rss=$M_RSS_KB; fi
	done
	{
		echo "seconds $best"
		echo "mb_per_s $(calc "$bytes / 1e6 / $best")"
		echo "cases_per_s $(calc "$lines / $best")"
		echo "cpu_s $cpu"
		if awk -v c="$cpu" 'BEGIN { exit !(c > 0) }'; then
			echo "mb_per_cpu_s $(calc "$bytes / 1e6 / $cpu")"
		else
			echo "mb_per_cpu_s n/a"
		fi
		echo "cpu_pct $(calc "100 * $cpu / $best")"
		echo "rss_mb $(calc "$rss / 1024")"
		echo "rc $rc"
		echo "bytes $bytes"
		echo "lines $lines"
	} > "$OUT/$name.txt"
}

# ---- the runs -----------------------------------------------------------------
T0=$(now)
have_ac=1; [ -x "$AC" ] || { have_ac=0; echo "run.sh: $AC is missing: its rows are n/a" >&2; }
have_bd=1; [ -x "$BD" ] || { have_bd=0; echo "run.sh: $BD is missing: its rows are n/a" >&2; }

echo "run.sh: in process: bench_decide, peer_js --in-memory, json-rules-engine" >&2
: > "$OUT/c_inproc.txt"
: > "$OUT/c_hot.txt"
if [ $have_bd = 1 ]; then
	"$BD" "$SAMPLE" "$DECISIONS" "$REPS" > "$OUT/c_inproc.txt" 2> "$OUT/c_inproc.err" ||
		echo "run.sh: bench_decide failed, see $OUT/c_inproc.err" >&2
	"$BD" "$HOT" "$DECISIONS" "$REPS" > "$OUT/c_hot.txt" 2> "$OUT/c_hot.err" ||
		echo "run.sh: bench_decide (hot set) failed, see $OUT/c_hot.err" >&2
fi
node "$HERE/peer_js.js" --in-memory "$JS_N" "$SAMPLE" > "$OUT/js_inproc.txt"
node "$HERE/peer_js.js" --in-memory "$JS_N" "$HOT" > "$OUT/js_hot.txt"
node "$HERE/peer_rules_engine.js" "$SAMPLE" "$RE_CASES" "$RE_SEC" > "$OUT/re.txt" 2> "$OUT/re.err" ||
	echo "run.sh: peer_rules_engine failed, see $OUT/re.err" >&2

echo "run.sh: batch: ${MB} MB and ${SMALL_MB} MB, $RUNS run(s) each" >&2
for f in c_big c_small; do : > "$OUT/$f.txt"; done
if [ $have_ac = 1 ]; then
	batch c_big "$BIG" "$AC" decide --batch
	batch c_small "$SMALL" "$AC" decide --batch
fi
batch js_big "$BIG" node "$HERE/peer_js.js"
batch js_small "$SMALL" node "$HERE/peer_js.js"

# agreement: the C batch and the JS peer on the sample, policy left out
AGREE="n/a"
if [ $have_ac = 1 ]; then
	"$AC" decide --batch < "$SAMPLE" > "$OUT/sample.c.jsonl" 2>/dev/null || true
	node "$HERE/peer_js.js" < "$SAMPLE" > "$OUT/sample.js.jsonl" || true
	AGREE=$(node "$HERE/compare.js" "$OUT/sample.c.jsonl" "$OUT/sample.js.jsonl" \
		"$OUT/sample.diff" | awk '{ print $2 " of " $4 }') || true
fi
T1=$(now)

# ---- the table ----------------------------------------------------------------
c_dec=$(field decide_per_s "$OUT/c_inproc.txt")
c_decj=$(field decide_json_per_s "$OUT/c_inproc.txt")
c_cpu=$(field decide_cpu_per_s "$OUT/c_inproc.txt")
js_dec=$(field decide_per_s "$OUT/js_inproc.txt")
js_decj=$(field decide_json_per_s "$OUT/js_inproc.txt")
c_hot=$(field decide_per_s "$OUT/c_hot.txt")
js_hot=$(field decide_per_s "$OUT/js_hot.txt")
re_dec=$(field decide_per_s "$OUT/re.txt")
re_mis=$(field mismatches "$OUT/re.txt")
for s in big small; do
	for w in c js; do
		eval "${w}_${s}_mbps=\$(field mb_per_s \"\$OUT/${w}_${s}.txt\")"
		eval "${w}_${s}_cps=\$(field cases_per_s \"\$OUT/${w}_${s}.txt\")"
		eval "${w}_${s}_rss=\$(field rss_mb \"\$OUT/${w}_${s}.txt\")"
		eval "${w}_${s}_rc=\$(field rc \"\$OUT/${w}_${s}.txt\")"
		eval "${w}_${s}_mbpc=\$(field mb_per_cpu_s \"\$OUT/${w}_${s}.txt\")"
		eval "${w}_${s}_pct=\$(field cpu_pct \"\$OUT/${w}_${s}.txt\")"
	done
done
big_lines=$(wc -l < "$BIG")
small_lines=$(wc -l < "$SMALL")

verdict() { # verdict CONDITION-IN-AWK: ok / MISSED / n/a
	awk "BEGIN { if ($1) print \"ok\"; else print \"MISSED\" }" </dev/null 2>/dev/null || echo "n/a"
}
check() { # check VALUES... -- CONDITION
	local v
	for v in "$@"; do
		[ "$v" = -- ] && break
		case "$v" in n/a|"") echo "n/a"; return ;; esac
	done
	while [ "$1" != -- ]; do shift; done
	shift
	verdict "$1"
}

row() { printf '%-34s %-15s %-30s %-12s %s\n' "$@"; }
mb() { awk -v x="$1" 'BEGIN { if (x == "n/a") print "n/a"; else printf "%.1f MB\n", x }'; }
pct() { awk -v x="$1" 'BEGIN { if (x == "n/a") print "n/a"; else printf "%.0f%%\n", x }'; }
mbs() { awk -v x="$1" 'BEGIN { if (x == "n/a") print "n/a"; else printf "%.1f MB/s\n", x }'; }
rc_note() { [ "$1" = 0 ] || [ "$1" = n/a ] || echo " (exit $1: some lines failed, see $OUT)"; }

flat=$(check "$c_big_rss" "$c_small_rss" -- "$c_big_rss <= $c_small_rss * 1.25 + 2")
{
echo
echo "aftercare bench: $(nproc) cores; in process one thread each; batch: each program's own threads (CPU use shown); sample $SAMPLE_N cases; batch inputs ${MB} MB ($big_lines cases) and ${SMALL_MB} MB ($small_lines cases)"
echo "peak RSS by: $RSS_METHOD; batch time: best of $RUNS run(s); in-process figures: median of $REPS runs of $DECISIONS decisions (JS: $JS_N)"
echo
row "figure" "aftercare" "reference (same run)" "ratio" "target"
row "----------------------------------" "---------------" "------------------------------" "------------" "------"
row "decide() in process, decisions/s" "$(rate "$c_dec")" "JS hand-written $(rate "$js_dec")" "$(ratio "$c_dec" "$js_dec")" \
	"decide() >= 20 M/s: $(check "$c_dec" -- "$c_dec >= 20e6")"
row "" "" "json-rules-engine $(rate "$re_dec")" "$(ratio "$c_dec" "$re_dec")" \
	"far ahead (>= 10x): $(check "$c_dec" "$re_dec" -- "$c_dec >= 10 * $re_dec")"
row "decide() CPU time, decisions/s" "$(rate "$c_cpu")" "" "" ""
row "decide() hot set (64), decisions/s" "$(rate "$c_hot")" "JS hand-written $(rate "$js_hot")" "$(ratio "$c_hot" "$js_hot")" \
	"decide() >= 20 M/s: $(check "$c_hot" -- "$c_hot >= 20e6")"
row "decide()+JSON write, decisions/s" "$(rate "$c_decj")" "JS + JSON.stringify $(rate "$js_decj")" "$(ratio "$c_decj" "$js_decj")" ""
row "batch ${MB} MB, MB/s" "$(mbs "$c_big_mbps")" "node peer_js $(mbs "$js_big_mbps")" "$(ratio "$c_big_mbps" "$js_big_mbps")" \
	"batch >= 3x Node: $(check "$c_big_mbps" "$js_big_mbps" -- "$c_big_mbps >= 3 * $js_big_mbps")$(rc_note "$c_big_rc")"
row "batch ${MB} MB, cases/s" "$(rate "$c_big_cps")" "node peer_js $(rate "$js_big_cps")" "$(ratio "$c_big_cps" "$js_big_cps")" ""
row "" "" "json-rules-engine $(rate "$re_dec")" "$(ratio "$c_big_cps" "$re_dec")" \
	"far ahead (>= 10x): $(check "$c_big_cps" "$re_dec" -- "$c_big_cps >= 10 * $re_dec")"
row "batch ${MB} MB, MB per CPU-second" "$(mbs "$c_big_mbpc" | sed 's,/s,/cpu-s,')" "node peer_js $(mbs "$js_big_mbpc" | sed 's,/s,/cpu-s,')" "$(ratio "$c_big_mbpc" "$js_big_mbpc")" \
	"(CPU use: ours $(pct "$c_big_pct"), node $(pct "$js_big_pct"))"
row "batch ${MB} MB, peak RSS" "$(mb "$c_big_rss")" "node peer_js $(mb "$js_big_rss")" "$(ratio "$js_big_rss" "$c_big_rss" | sed "s/x$/x less/")" ""
row "batch ${SMALL_MB} MB, MB/s" "$(mbs "$c_small_mbps")" "node peer_js $(mbs "$js_small_mbps")" "$(ratio "$c_small_mbps" "$js_small_mbps")" \
	"batch >= 3x Node: $(check "$c_small_mbps" "$js_small_mbps" -- "$c_small_mbps >= 3 * $js_small_mbps")$(rc_note "$c_small_rc")"
row "batch ${SMALL_MB} MB, cases/s" "$(rate "$c_small_cps")" "node peer_js $(rate "$js_small_cps")" "$(ratio "$c_small_cps" "$js_small_cps")" ""
row "batch ${SMALL_MB} MB, MB per CPU-second" "$(mbs "$c_small_mbpc" | sed 's,/s,/cpu-s,')" "node peer_js $(mbs "$js_small_mbpc" | sed 's,/s,/cpu-s,')" "$(ratio "$c_small_mbpc" "$js_small_mbpc")" \
	"(CPU use: ours $(pct "$c_small_pct"), node $(pct "$js_small_pct"))"
row "batch ${SMALL_MB} MB, peak RSS" "$(mb "$c_small_rss")" "node peer_js $(mb "$js_small_rss")" "$(ratio "$js_small_rss" "$c_small_rss" | sed "s/x$/x less/")" \
	"flat (${MB} MB <= 1.25x ${SMALL_MB} MB + 2): $flat"
row "C batch = JS peer on the sample" "$AGREE" "(decisions, policy left out)" "" \
	"$( [ "$AGREE" = n/a ] && echo n/a || { [ "${AGREE%% *}" = "${AGREE##* }" ] && echo ok || echo "DIFFER: $OUT/sample.diff"; })"
row "json-rules-engine = JS peer" "" "mismatches: $re_mis" "" "$( [ "$re_mis" = 0 ] && echo ok || echo "DIFFER: $OUT/re.err")"
echo
echo "took $(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.0f", b - a }') s (data generation not counted); raw figures: $OUT/"
} | tee "$OUT/table.txt"
