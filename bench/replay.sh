#!/usr/bin/env bash
# replay.sh: `aftercare replay` over a generated history, as a ratio to
# `aftercare decide --batch` on the same cases in the same run (bench;
# `make bench` calls it).
#
#   bench/replay.sh BUILD_DIR
#
# The history: a template shop of TEMPLATES cases made through the API
# (bench/gen.js's varied cases, tests/cli/replay-fill.js), then copied
# with the sqlite3 shell into BENCH_CASES cases (default 100,000; each a
# template case's claim, decision and facts under a new id, on the
# template's order); the staff overrides are not copied, so every case
# is decided again. The baseline: the same cases' stored facts, one a
# line, through `decide --batch` under the same policy (its limit is
# deciding; replay's is deciding plus reading the store). Measured with
# /usr/bin/time -v: cases a second and peak memory of each (peak RSS,
# which counts the database file SQLite maps, and the private memory,
# RssAnon polled), and replay's on a tenth of the cases too (its private
# memory stays flat). The policy
# replayed has the contact window at 24 hours (a good share changes).
#
# Environment: BENCH_CASES=N (1,000,000 for the issue's size),
# BENCH_QUICK=1 (10,000 cases), BENCH_REPLAY_KEEP=DIR (keep the databases
# there and reuse them). The table is also saved as
# BUILD_DIR/bench-out/replay/table.txt. Exit 0 when every run worked, 1
# when one failed, 2 on bad usage.
set -uo pipefail

[ $# -eq 1 ] || { echo "usage: bench/replay.sh BUILD_DIR" >&2; exit 2; }
B=$(cd "$1" 2>/dev/null && pwd) || { echo "replay.sh: no such directory: $1" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=$B/aftercare
[ -x "$BIN" ] || { echo "replay.sh: $BIN is missing (make)" >&2; exit 2; }
for tool in sqlite3 node /usr/bin/time; do
	command -v "$tool" >/dev/null ||
		{ echo "replay.sh: $tool is missing (scripts/deps.sh bench)" >&2; exit 2; }
done
if [ "${BENCH_QUICK:-0}" = 1 ]; then N=${BENCH_CASES:-10000}; else N=${BENCH_CASES:-100000}; fi
[[ $N =~ ^[1-9][0-9]{2,7}$ ]] ||
	{ echo "replay.sh: BENCH_CASES from 100 to 99999999, not '$N'" >&2; exit 2; }
TEMPLATES=${TEMPLATES:-2000}
OUT=$B/bench-out/replay
mkdir -p "$OUT"
T=$(mktemp -d) || exit 2
KEEP=${BENCH_REPLAY_KEEP:-$T}
mkdir -p "$KEEP" || exit 2
SPID=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# serve_start (the API tests' lib.sh)
# shellcheck source=tests/api/lib.sh
. "$ROOT/tests/api/lib.sh"

# the template shop, through the API
TPL=$KEEP/replay-templates.db
if [ ! -s "$TPL" ]; then
	rm -f "$TPL" "$TPL-wal" "$TPL-shm"
	token=$("$BIN" token add bench --db "$TPL" 2>/dev/null | tail -n 1)
	serve_start "$TPL"
	node "$ROOT/bench/gen.js" --count "$TEMPLATES" --seed 11 |
		node "$ROOT/tests/cli/replay-fill.js" "$U" "$token" >&2 ||
		{ echo "replay.sh: the template shop failed" >&2; exit 1; }
	kill "$SPID"
	wait "$SPID" 2>/dev/null
	SPID=
fi

# make_db DB N: N cases copied from the templates (kept when there)
make_db() {
	local db=$1 n=$2
	[ -s "$db" ] && return 0
	rm -f "$db" "$db-wal" "$db-shm"
	# an empty shop of the newest schema, the templates' orders in it
	"$BIN" token add bench --db "$db" >/dev/null 2>&1 || return 1
	sqlite3 "$db" >&2 <<-EOF || return 1
	PRAGMA cache_size = -262144;
	ATTACH '$TPL' AS t;
	BEGIN;
	INSERT INTO orders SELECT * FROM t.orders;
	INSERT INTO items SELECT * FROM t.items;
	INSERT INTO shipments SELECT * FROM t.shipments;
	CREATE TEMP TABLE tpl (k INTEGER PRIMARY KEY, order_id, status,
		claim_type, opened_at, claim_json, created_at,
		response_due_at, decided_at, verdict, refund_max_minor,
		charge_minor, deadline, policy, decision_json, facts_json);
	INSERT INTO tpl
		SELECT row_number() OVER (ORDER BY c.id) - 1 AS k, c.order_id,
			c.status, c.claim_type, c.opened_at, c.claim_json,
			c.created_at, c.response_due_at, d.decided_at,
			d.verdict, d.refund_max_minor, d.charge_minor,
			d.deadline, d.policy, d.decision_json, d.facts_json
		FROM t.cases c JOIN t.decisions d ON d.id = c.decision_id
		WHERE d.decision_json NOT LIKE '%"override"%';
	CREATE TEMP TABLE g AS SELECT count(*) AS t FROM tpl;
	WITH RECURSIVE i (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i
		WHERE n < $n)
	INSERT INTO cases (seq, id, order_id, status, claim_type, opened_at,
		claim_json, created_at, updated_at, response_due_at)
	SELECT i.n, printf('R-%08d', i.n), t.order_id, t.status,
		t.claim_type, t.opened_at, t.claim_json, t.created_at,
		t.created_at, t.response_due_at
	FROM i CROSS JOIN g JOIN tpl t ON t.k = (i.n - 1) % g.t;
	WITH RECURSIVE i (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i
		WHERE n < $n)
	INSERT INTO decisions (case_id, decided_at, verdict,
		refund_max_minor, charge_minor, deadline, policy,
		decision_json, facts_json)
	SELECT printf('R-%08d', i.n), t.decided_at, t.verdict,
		t.refund_max_minor, t.charge_minor, t.deadline, t.policy,
		t.decision_json, t.facts_json
	FROM i CROSS JOIN g JOIN tpl t ON t.k = (i.n - 1) % g.t;
	COMMIT;
	EOF
}

sed 's/^contact_window = 48h/contact_window = 24h/' "$ROOT/policy/shop.policy" \
	>"$T/window24.policy"
FAILED=0
# timed NAME CMD...: runs CMD under /usr/bin/time -v (stdin from $IN);
# sets SEC, KB (peak RSS: with the pages of the database file SQLite maps,
# which are the page cache's) and ANON (peak private memory, RssAnon,
# polled every 20 ms: what the process itself holds)
timed() {
	local name=$1 tpid cpid='' a
	shift
	/usr/bin/time -v -o "$OUT/$name.time" "$@" <"${IN:-/dev/null}" \
		>"$T/$name.out" 2>"$OUT/$name.err" &
	tpid=$!
	ANON=0
	while kill -0 "$tpid" 2>/dev/null; do
		[ -n "$cpid" ] || cpid=$(cat "/proc/$tpid/task/$tpid/children" 2>/dev/null)
		if [ -n "$cpid" ]; then
			a=$(awk '/^RssAnon:/ { print $2 }' "/proc/${cpid%% *}/status" 2>/dev/null)
			[ -n "$a" ] && [ "$a" -gt "$ANON" ] && ANON=$a
		fi
		sleep 0.02
	done
	wait "$tpid"
	local st=$?
	[ $st -le 1 ] || { echo "replay.sh: $name: exit $st: $(head -c 300 "$OUT/$name.err")" >&2; FAILED=1; }
	SEC=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":")
		s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' \
		"$OUT/$name.time")
	KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$OUT/$name.time")
}

SMALL=$((N / 10))
for n in "$SMALL" "$N"; do
	echo "replay.sh: a history of $n cases" >&2
	make_db "$KEEP/replay-$n.db" "$n" ||
		{ echo "replay.sh: generating $n cases failed" >&2; exit 1; }
done
DB=$KEEP/replay-$N.db
got=$(sqlite3 "$DB" "SELECT count(*) FROM cases")
[ "$got" = "$N" ] || { echo "replay.sh: $got cases, not $N" >&2; exit 1; }
sqlite3 "$DB" "SELECT d.facts_json FROM cases c JOIN decisions d
	ON d.id = c.decision_id ORDER BY c.id" >"$T/facts.jsonl"

# best of three each, alternating (the page cache warm for both)
best_d=0 best_r=0
for _ in 1 2 3; do
	IN=$T/facts.jsonl timed decide "$BIN" decide --batch --policy "$T/window24.policy"
	if [ "$best_d" = 0 ] || awk -v a="$SEC" -v b="$best_d" 'BEGIN { exit !(a < b) }'; then
		best_d=$SEC; kb_d=$KB; an_d=$ANON
	fi
	IN='' timed replay "$BIN" replay --db "$DB" --policy "$T/window24.policy" --json
	if [ "$best_r" = 0 ] || awk -v a="$SEC" -v b="$best_r" 'BEGIN { exit !(a < b) }'; then
		best_r=$SEC; kb_r=$KB; an_r=$ANON
	fi
done
changed=$(node -e 'const r = JSON.parse(require("fs").readFileSync(
	process.argv[1], "utf8")); console.log(r.cases, r.changed_cases)' \
	"$T/replay.out") || FAILED=1
IN='' timed replay-small "$BIN" replay --db "$KEEP/replay-$SMALL.db" \
	--policy "$T/window24.policy" --json
kb_small=$KB an_small=$ANON

{
	printf 'replay over %d cases (%s of them changed), %d cores\n' "$N" \
		"${changed#* }" "$(nproc)"
	printf '%-30s %9s %11s %9s %10s\n' "" "seconds" "cases/s" \
		"peak MB" "private MB"
	row() {
		awk -v l="$1" -v n="$N" -v s="$2" -v k="$3" -v a="$4" 'BEGIN {
			printf "%-30s %9.2f %11.0f %9.1f %10.1f\n", l, s, n / s,
				k / 1024, a / 1024 }'
	}
	row "decide --batch (baseline)" "$best_d" "$kb_d" "$an_d"
	row "replay --json (SQLite)" "$best_r" "$kb_r" "$an_r"
	awk -v d="$best_d" -v r="$best_r" -v kd="$kb_d" -v kr="$kb_r" \
		-v ad="$an_d" -v ar="$an_r" 'BEGIN {
		printf "%-30s %9s %11.2f %9.2f %10.2f\n",
			"replay / decide --batch", "", d / r, kr / kd, ar / ad }'
	awk -v n="$SMALL" -v k="$kb_small" -v a="$an_small" -v ar="$an_r" 'BEGIN {
		printf "replay at %d cases: peak %.1f MB, private %.1f MB " \
			"(private at ten times the cases: %.2fx)\n",
			n, k / 1024, a / 1024, ar / a }'
	echo "(peak counts the database file SQLite maps; private is the process's own)"
} | tee "$OUT/table.txt"
exit "$FAILED"
