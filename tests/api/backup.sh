#!/bin/bash
# backup.sh: `aftercare backup` while `aftercare serve` writes. Four
# clients open cases in a loop; a backup taken in the middle must open,
# pass PRAGMA integrity_check and hold every case acknowledged (201)
# before the backup began. Also: an existing FILE is refused (and left
# as it was), PostgreSQL is refused with a pointer to pg_dump.
# Usage: tests/api/backup.sh BIN    (exit 1 if any check failed)
set -u
[ $# -eq 1 ] || { echo "usage: $0 BIN" >&2; exit 2; }
BIN=$(realpath -- "$1") || exit 2
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
T=$(mktemp -d) || exit 2
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf -- "$T"' EXIT
# shellcheck source=tests/api/lib.sh
. "$HERE/lib.sh"

serve_demo backup

# writer N: opens cases until $T/stop exists; "EPOCH_NS ID" per 201.
writer() {
	local n=$1 id
	while [ ! -e "$T/stop" ]; do
		id=$(curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" \
			-H 'Content-Type: application/json' "$U/v1/cases" \
			-d '{"order":"D-1003","claim":{"type":"not_received"}}' |
			sed -n 's/.*"id": *"\(C-[0-9]*\)".*/\1/p')
		[ -n "$id" ] && echo "$(date +%s%N) $id" >>"$T/acked.$n"
	done
}
for n in 1 2 3 4; do writer "$n" & done
sleep 1.5
began=$(date +%s%N)
"$BIN" backup --db "$DB" --to "$T/copy.db" >"$T/backup.out" 2>&1
brc=$?
sleep 0.5
touch "$T/stop"
wait $(jobs -p | grep -v "^$SPID\$") 2>/dev/null
cat "$T"/acked.* >"$T/acked"

check "backup exits 0 while serve writes" "$(cat "$T/backup.out")" \
	test "$brc" = 0
ic=$(sqlite3 "$T/copy.db" 'PRAGMA integrity_check' 2>&1)
check "the copy opens and passes integrity_check" "$ic" test "$ic" = ok
awk -v b="$began" '$1 < b {print $2}' "$T/acked" | sort >"$T/before"
sqlite3 "$T/copy.db" "SELECT id FROM cases WHERE order_id = 'D-1003'" |
	sort >"$T/copied"
n_before=$(wc -l <"$T/before")
n_after=$(awk -v b="$began" '$1 >= b' "$T/acked" | wc -l)
missing=$(comm -23 "$T/before" "$T/copied" | head -n 5)
check "the copy holds all $n_before cases acked before it began ($n_after acked while or after; $(wc -l <"$T/copied") in the copy)" \
	"missing: $missing" test "$n_before" -gt 0 -a -z "$missing"
check "writes went on during the backup ($n_after acked at or after it began)" \
	"$n_after" test "$n_after" -gt 0

echo keep >"$T/exists"
"$BIN" backup --db "$DB" --to "$T/exists" >"$T/out" 2>&1
rc=$?
check "an existing FILE is refused (exit 1) and kept" "rc=$rc $(cat "$T/out")" \
	test "$rc" = 1 -a "$(cat "$T/exists")" = keep
check "the refusal says so" "$(cat "$T/out")" grep -q 'exists' "$T/out"
"$BIN" backup --db postgresql://localhost/x --to "$T/pg.db" >"$T/out" 2>&1
rc=$?
check "PostgreSQL is refused, pointing to pg_dump" "rc=$rc $(cat "$T/out")" \
	grep -q pg_dump "$T/out"
check "and leaves no file" "" test ! -e "$T/pg.db"
"$BIN" backup --db "$T/nope.db" --to "$T/nope-copy.db" >"$T/out" 2>&1
rc=$?
check "a missing database is refused, no file made" "rc=$rc $(cat "$T/out")" \
	test "$rc" = 1 -a ! -e "$T/nope-copy.db"

echo "backup.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
