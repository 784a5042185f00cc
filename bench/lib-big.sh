# lib-big.sh: what bench/big.sh and bench/reports.sh share, sourced by both:
# the server on one CPU, a SQLite shop generated from a template case, the
# median latency of a page. The caller sets NAME (its own name, for
# messages), BIN, HERE, T, OUT and DUR, and defines fail.
# shellcheck shell=bash

# One core for the server, another for wrk, when there are two.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	ON_SERVER=(taskset -c 0)
	ON_CLIENT=(taskset -c 1)
else
	ON_SERVER=()
	ON_CLIENT=()
fi
SPID=

# start_serve DB: starts the server on DB, sets SPID and AURL.
start_serve() {
	local err=$T/serve.err i port=
	: >"$err"
	"${ON_SERVER[@]}" "$BIN" serve --db "$1" --listen 127.0.0.1:0 2>"$err" &
	SPID=$!
	for ((i = 0; i < 800; i++)); do
		port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$err" | head -n 1)
		[ -n "$port" ] && break
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.025
	done
	[ -n "$port" ] || { echo "$NAME: aftercare serve did not start: $(head -c 600 "$err")" >&2; exit 1; }
	AURL=http://127.0.0.1:$port
}
stop_serve() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	SPID=
}

# make_shop DB N ORDER [SQL...]: a database of N + 1 cases: a token, the
# demo orders and one case opened through the API on ORDER (a damaged
# claim) as the template, then N copies by big.sql in chunks of 100,000
# in one transaction with the sqlite3 shell, each chunk followed by the
# SQL files given (the same @LO@ and @HI@) and by fold.sql (the chunk's
# cases counted in the report summaries), with a progress line on
# stderr, then ANALYZE; prints the token. Kept when DB and DB.token are
# there already (the callers' KEEP directories).
make_shop() {
	local db=$1 n=$2 order=$3 token chunk lo hi got f
	shift 3
	if [ -s "$db.token" ] && [ -s "$db" ]; then
		cat "$db.token"
		return 0
	fi
	rm -f "$db" "$db-wal" "$db-shm"
	token=$("$BIN" token add bench --db "$db" 2>/dev/null | tail -n 1)
	[[ $token =~ ^[0-9a-f]{64}$ ]] || { echo "$NAME: token add printed no token" >&2; exit 1; }
	"$BIN" demo --db "$db" >/dev/null 2>&1 || { echo "$NAME: aftercare demo failed" >&2; exit 1; }
	start_serve "$db"
	got=$(curl -s --max-time 5 -w '\n%{http_code}' -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' \
		--data-binary "{\"order\": \"$order\", \"claim\": {\"type\": \"damaged\", \"defects\": [\"broken\"]}}" \
		"$AURL/v1/cases")
	stop_serve
	[ "${got##*$'\n'}" = 201 ] || { echo "$NAME: the template case was not opened: $got" >&2; exit 1; }
	chunk=100000
	{
		echo "PRAGMA cache_size = -1048576;"
		# the statement journal of a statement of 100,000 rows (and its
		# triggers' writes) in memory, not in a temporary file
		echo "PRAGMA temp_store = MEMORY;"
		# statistics of the template's one case (as a store before
		# 0020_plans left them) would have SQLite scan the growing tables
		# for each row copied: quadratic. Without them it seeks; the
		# ANALYZE at the end writes the real ones.
		if sqlite3 "$db" "SELECT 1 FROM sqlite_schema
				WHERE name = 'sqlite_stat1'" | grep -q 1; then
			echo "DELETE FROM sqlite_stat1;"
			echo "ANALYZE sqlite_schema;"
		fi
		echo "BEGIN;"
		echo "CREATE TEMP TABLE g (now INTEGER, n INTEGER);"
		echo "INSERT INTO g VALUES (CAST(strftime('%s', 'now') AS INTEGER) * 1000000, $n);"
		echo "CREATE TEMP TABLE t_order AS SELECT * FROM orders WHERE id = '$order';"
		echo "CREATE TEMP TABLE t_items AS SELECT * FROM items WHERE order_id = '$order';"
		echo "CREATE TEMP TABLE t_ship AS SELECT * FROM shipments WHERE order_id = '$order';"
		echo "CREATE TEMP TABLE t_case AS SELECT * FROM cases WHERE id = 'C-000001';"
		echo "CREATE TEMP TABLE t_dec AS SELECT * FROM decisions WHERE case_id = 'C-000001';"
		for ((lo = 1; lo <= n; lo += chunk)); do
			hi=$((lo + chunk - 1 < n ? lo + chunk - 1 : n))
			for f in "$HERE/big.sql" "$@" "$HERE/fold.sql"; do
				sed -e "s/@LO@/$lo/g" -e "s/@HI@/$hi/g" "$f"
			done
			echo ".print generated $hi of $n cases"
		done
		echo "COMMIT;"
		echo ".print generated $n cases: committed"
		# the statistics PRAGMA optimize would keep, for this size
		echo ".output /dev/null"
		echo "PRAGMA analysis_limit = 1000;"
		echo ".output stdout"
		echo "ANALYZE;"
	} | sqlite3 "$db" >&2 || { echo "$NAME: generating $db failed" >&2; exit 1; }
	echo "$token" >"$db.token"
	echo "$token"
}

# median NAME URL: wrk's median latency in ms over DUR s, one connection,
# its output in OUT/NAME.txt. Every answer must be 200.
median() {
	local name=$1 url=$2 f=$OUT/$1.txt bad
	"${ON_CLIENT[@]}" wrk -t1 -c1 -d"${DUR}s" --latency -s "$HERE/wrk/get_case.lua" \
		"$url" >"$f" 2>&1
	bad=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } END { print n + 0 }' "$f")
	[ "$bad" = 0 ] || fail "$name: $bad answers were not 200 ($url)"
	awk '$1 == "50%" { n = $2 + 0; u = $2; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000
		printf "%.3f", n }' "$f"
}
