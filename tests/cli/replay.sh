#!/usr/bin/env bash
# replay.sh: `aftercare replay` against `aftercare decide` on every stored
# case of a generated history (tests/cli).
#
#   tests/cli/replay.sh BUILD/aftercare
#
# A shop is filled through the API (bench/gen.js's cases, each an order
# and a case; some overridden by staff, a paid repair quoted and accepted:
# tests/cli/replay-fill.js). Then, for the active policy and for policies
# changed in their contact window, partial-refund cap and size tolerances,
# the report is checked case by case against `aftercare decide --batch
# --policy FILE` on the stored facts read with the database's own client
# (tests/cli/replay-check.js): the same answer, the same transitions and
# money. Then the filters, the order whatever --jobs, the report for a
# person, and bad flags. On SQLite, or on PostgreSQL when AC_TEST_PG_DSN
# names a cluster's database (a new database of it is used; make
# test-replay-pg). Needs node, and sqlite3 or psql.
# ok and bad always succeed: "A && ok || bad" is an if-then-else here
# shellcheck disable=SC2015
set -uo pipefail

BIN=$(realpath "${1:?usage: tests/cli/replay.sh BUILD/aftercare}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
T=$(mktemp -d)
SPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

# the checks' counters (ok, bad) and serve_start
# shellcheck source=tests/api/lib.sh
. "$ROOT/tests/api/lib.sh"

# ---- the shop ----------------------------------------------------------
if [ -n "${AC_TEST_PG_DSN:-}" ]; then
	dbn="ac_replay_$$"
	psql -q "$AC_TEST_PG_DSN" -c "CREATE DATABASE $dbn" >/dev/null ||
		{ echo "cannot create database $dbn" >&2; exit 1; }
	DB=${AC_TEST_PG_DSN/\/aftercare?//$dbn?}
	BACKEND=postgresql
else
	DB=$T/shop.db
	BACKEND=sqlite
fi
TOKEN=$("$BIN" token add replay --db "$DB" 2>/dev/null | tail -n 1)
serve_start "$DB"
node "$ROOT/bench/gen.js" --count "${REPLAY_CASES:-400}" --seed 7 >"$T/gen.jsonl"
filled=$(node "$HERE/replay-fill.js" "$U" "$TOKEN" <"$T/gen.jsonl") ||
	{ echo "filling the shop failed" >&2; exit 1; }
kill "$SPID"
wait "$SPID" 2>/dev/null
SPID=
echo "# $BACKEND shop: $filled"
[[ $filled =~ overridden\ [1-9] && $filled =~ approved\ [1-9] &&
	$filled =~ quoted\ 1 ]] ||
	bad "the shop has overrides, approvals and an accepted quote" "$filled"

# the decided cases as the database's own client reads them, in case id
# order (bytewise), and their stored facts one a line
if [ "$BACKEND" = sqlite ]; then
	sqlite3 "$DB" "SELECT json_object('case', c.id, 'status', c.status,
		'type', c.claim_type, 'opened_at', c.opened_at,
		'before', d.decision_json, 'facts', json(d.facts_json))
		FROM cases c JOIN decisions d ON d.id = c.decision_id
		ORDER BY c.id" >"$T/rows.jsonl"
	sqlite3 "$DB" "SELECT d.facts_json FROM cases c JOIN decisions d
		ON d.id = c.decision_id ORDER BY c.id" >"$T/facts.jsonl"
else
	psql -Atq "$DB" -c "SELECT json_build_object('case', c.id,
		'status', c.status, 'type', c.claim_type,
		'opened_at', c.opened_at, 'before', d.decision_json,
		'facts', d.facts_json::json)
		FROM cases c JOIN decisions d ON d.id = c.decision_id
		ORDER BY c.id COLLATE \"C\"" >"$T/rows.jsonl"
	psql -Atq "$DB" -c "SELECT d.facts_json FROM cases c JOIN decisions d
		ON d.id = c.decision_id ORDER BY c.id COLLATE \"C\"" \
		>"$T/facts.jsonl"
fi
n_rows=$(wc -l <"$T/rows.jsonl")
[ "$n_rows" -ge 300 ] || bad "at least 300 decided cases" "$n_rows"

# ---- policies ----------------------------------------------------------
P=$ROOT/policy/shop.policy
sed 's/^contact_window = 48h/contact_window = 24h/' "$P" >"$T/window24.policy"
sed 's/^contact_window = 48h/contact_window = 30d/' "$P" >"$T/window30d.policy"
sed 's/^partial_refund_cap = 20%/partial_refund_cap = 5%/' "$P" >"$T/cap5.policy"
sed -e 's/^tolerance.ring = 0.25/tolerance.ring = 1/' \
	-e 's/^tolerance.necklace = 0.5/tolerance.necklace = 0/' \
	"$P" >"$T/tolerance.policy"
{ echo "# the same rules, another comment: another hash"; cat "$P"; } \
	>"$T/comment.policy"
for f in window24 window30d cap5 tolerance; do
	cmp -s "$P" "$T/$f.policy" && bad "$f.policy differs from the shop's" "sed"
done

# replay_check NAME POLICY [FILTER_JSON [REPLAY FLAGS...]]: the report
# against decide, case by case; prints the changed count
replay_check() {
	local name=$1 pol=$2 filter=${3:-} out
	shift 3 2>/dev/null || shift $#
	CHANGED=-1
	CASES=-1
	# exit 1: some lines are errors (an override's facts are "{}"):
	# replay-check.js fails if one of them is not an override's
	"$BIN" decide --batch --policy "$pol" <"$T/facts.jsonl" \
		>"$T/decided.$name" 2>"$T/decide.err"
	[ $? -le 1 ] ||
		{ bad "$name: decide --batch" "$(cat "$T/decide.err")"; return; }
	"$BIN" replay --db "$DB" --policy "$pol" --json "$@" \
		>"$T/report.$name" 2>"$T/replay.err" ||
		{ bad "$name: replay exits 0" "$(cat "$T/replay.err")"; return; }
	if out=$(node "$HERE/replay-check.js" "$T/rows.jsonl" \
		"$T/decided.$name" "$T/report.$name" "$filter" 2>&1); then
		ok "$name: every case as decide has it ($out)"
		CHANGED=${out#changed }
		CASES=${CHANGED#* of }
		CHANGED=${CHANGED%% of *}
	else
		bad "$name: the report against decide" "$out"
	fi
}

replay_check same "$P" ""
[ "$CHANGED" = 0 ] && ok "the active policy changes no case" ||
	bad "the active policy changes no case" "$CHANGED"
replay_check comment "$T/comment.policy" ""
[ "$CHANGED" = 0 ] && ok "a policy with another hash, same rules: 0 changed" ||
	bad "same rules, other hash: 0 changed" "$CHANGED"
grep -q "\"policy\":\"$("$BIN" policy version "$T/comment.policy")\"" \
	"$T/report.comment" && ok "the report names the replayed policy" ||
	bad "the report names the replayed policy" "$(head -c 300 "$T/report.comment")"
for f in window24 window30d cap5 tolerance; do
	replay_check "$f" "$T/$f.policy" ""
	[ "$CHANGED" -gt 0 ] && ok "$f: some cases change ($CHANGED)" ||
		bad "$f: some cases change" "$CHANGED"
done

# ---- filters -------------------------------------------------------------
# filtered: some cases, not all of them
some() {
	[ "$CASES" -gt 0 ] && [ "$CASES" -lt "$ALL" ] &&
		ok "$1: $CASES of $ALL cases" || bad "$1: some cases, not all" \
		"$CASES of $ALL"
}
replay_check all "$T/window24.policy" ""
ALL=$CASES
replay_check type-damaged "$T/window24.policy" '{"type":"damaged"}' \
	--type damaged
some "--type damaged"
replay_check status "$T/window24.policy" \
	'{"status":["decided","waiting"]}' --status waiting,decided
some "--status waiting,decided"
mid=$(node -e '
	const r = require("fs").readFileSync(process.argv[1], "utf8")
		.split("\n").filter(Boolean).map((l) => JSON.parse(l).opened_at)
		.sort((a, b) => a - b);
	console.log(r[r.length >> 1]);' "$T/rows.jsonl")
since=$(node -e 'console.log(new Date(Number(process.argv[1]) / 1000)
	.toISOString())' "$mid")
replay_check since "$T/window24.policy" "{\"since\":$mid}" --since "$since"
some "--since $since"
replay_check all-filters "$T/window30d.policy" \
	"{\"since\":$mid,\"type\":\"damaged\",\"status\":[\"open\"]}" \
	--since "$since" --type damaged --status open
some "--since, --type and --status at once"

# the same report whatever the number of deciding threads
"$BIN" replay --db "$DB" --policy "$T/window24.policy" --json --jobs 1 \
	>"$T/j1" 2>/dev/null
"$BIN" replay --db "$DB" --policy "$T/window24.policy" --json --jobs 7 \
	>"$T/j7" 2>/dev/null
cmp -s "$T/j1" "$T/j7" && cmp -s "$T/j1" "$T/report.window24" &&
	ok "--jobs 1 and --jobs 7 give the same bytes" ||
	bad "--jobs 1 and --jobs 7 give the same bytes" "$(cmp "$T/j1" "$T/j7")"

# ---- the report for a person -------------------------------------------
"$BIN" replay --db "$DB" --policy "$T/window24.policy" --limit 3 \
	>"$T/person" 2>"$T/person.err"
st=$?
n=$(node -e 'const r = JSON.parse(require("fs").readFileSync(
	process.argv[1], "utf8")); console.log(r.changed_cases)' \
	"$T/report.window24")
if [ $st = 0 ] && grep -q "^changed: $n of " "$T/person" &&
	grep -q "^  and $((n - 3)) more$" "$T/person" &&
	[ "$(grep -c '^  C-' "$T/person")" = 3 ] &&
	grep -q -- '-> no_refund' "$T/person" &&
	grep -q '^refund allowances' "$T/person" &&
	grep -q '^stored decisions made under' "$T/person"; then
	ok "the report for a person: counts, transitions, money, 3 cases and $((n - 3)) more"
else
	bad "the report for a person" "$(cat "$T/person" "$T/person.err")"
fi
[ ! -s "$T/person.err" ] && ok "no progress line when stderr is not a terminal" ||
	bad "no progress line off a terminal" "$(cat "$T/person.err")"
"$BIN" replay --db "$DB" --policy "$P" --progress >/dev/null 2>"$T/prog"
grep -q "replay: $n_rows cases in" "$T/prog" &&
	ok "--progress: a progress line on stderr" ||
	bad "--progress" "$(cat "$T/prog")"

# ---- nothing written -----------------------------------------------------
if [ "$BACKEND" = sqlite ]; then
	sum() { sqlite3 "$DB" "SELECT count(*), max(id) FROM decisions;
		SELECT count(*) FROM audit; SELECT sum(updated_at) FROM cases"; }
else
	sum() { psql -Atq "$DB" -c "SELECT count(*), max(id) FROM decisions" \
		-c "SELECT count(*) FROM audit" -c "SELECT sum(updated_at) FROM cases"; }
fi
s1=$(sum)
"$BIN" replay --db "$DB" --policy "$T/cap5.policy" >/dev/null 2>&1
s2=$(sum)
[ "$s1" = "$s2" ] && ok "replay writes nothing (decisions, audit, cases)" ||
	bad "replay writes nothing" "$s1 / $s2"

# ---- bad flags ------------------------------------------------------------
# expect_err NAME PATTERN ARGS...: exit 2 and PATTERN on stderr
expect_err() {
	local name=$1 pat=$2
	shift 2
	"$BIN" replay "$@" >"$T/o" 2>"$T/e"
	local st=$?
	if [ $st = 2 ] && grep -q -- "$pat" "$T/e" && [ ! -s "$T/o" ]; then
		ok "$name"
	else
		bad "$name" "exit $st: $(cat "$T/e" "$T/o")"
	fi
}
expect_err "--type: not a claim type" "--type: 'lost' is not a claim type" \
	--db "$DB" --policy "$P" --type lost
expect_err "--since: not an RFC 3339 time" "--since: '2026-13-01' is not an RFC 3339" \
	--db "$DB" --policy "$P" --since 2026-13-01
expect_err "--status: not a status" "--status: 'open,shut' is not a list" \
	--db "$DB" --policy "$P" --status open,shut
expect_err "--jobs: out of range" "--jobs: '0' is not a number from 1" \
	--db "$DB" --policy "$P" --jobs 0
expect_err "--policy is required" "--policy is required" --db "$DB"
expect_err "--db is required" "--db is required" --policy "$P"
expect_err "an unknown flag" "usage: aftercare replay" --db "$DB" \
	--policy "$P" --frobnicate
sed 's/^partial_refund_cap = 20%/partial_refund_cap = lots/' "$P" >"$T/broken.policy"
line=$(grep -n '^partial_refund_cap' "$T/broken.policy" | cut -d: -f1)
expect_err "a policy that does not check: file, line and key" \
	"broken.policy:$line: partial_refund_cap: " --db "$DB" \
	--policy "$T/broken.policy"
expect_err "a database that is not there" "nowhere.db: No such file" \
	--db "$T/nowhere.db" --policy "$P"
[ ! -e "$T/nowhere.db" ] && ok "no database is made for a wrong path" ||
	bad "no database made" "$T/nowhere.db exists"

echo "replay.sh ($BACKEND): $pass passed, $fail failed"
[ "$fail" = 0 ]
