#!/usr/bin/env bash
# migrate-pg.sh BIN DB: a bench line, not a test. Times `aftercare migrate`
# of the SQLite shop DB into a private PostgreSQL cluster and back into a
# new SQLite file. A shop of 100,000 cases: BENCH_BIG_CASES=100000
# BENCH_BIG_KEEP=DIR bench/big.sh BUILD_DIR leaves DIR/big-100000.db.
set -u
BIN=$(realpath "$1")
DB=$(realpath "$2")
cd "$(dirname "$0")/.." || exit 2
T=$(mktemp -d /tmp/ac-migrate-XXXXXX)
P=$(mktemp -d /tmp/ac-pg-XXXXXX)
trap 'scripts/pg-cluster.sh stop "$P" >/dev/null 2>&1; rm -rf -- "$T" "$P"' \
	EXIT INT TERM
DSN=$(scripts/pg-cluster.sh start "$P") || exit 2
cases=$(sqlite3 "$DB" "SELECT count(*) FROM cases")
t0=$(date +%s.%N)
"$BIN" migrate --from "$DB" --to "$DSN" >"$T/1" 2>&1 || { cat "$T/1"; exit 1; }
t1=$(date +%s.%N)
"$BIN" migrate --from "$DSN" --to "$T/back.db" >"$T/2" 2>&1 ||
	{ cat "$T/2"; exit 1; }
t2=$(date +%s.%N)
awk -v n="$cases" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	printf "migrate %d cases: SQLite -> PostgreSQL %.1f s, " \
		"PostgreSQL -> SQLite %.1f s\n", n, b - a, c - b }'
