# shellcheck shell=bash disable=SC2034  # sets variables for its caller
# lib.sh: what the API test scripts share (sourced, not run): the check
# counters and a server on a fresh database with the demo shop.
# The caller sets BIN and T (its temporary folder) and removes T itself.

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1: ${2:0:600}"; }
# check NAME DETAIL COMMAND...: passes when COMMAND succeeds.
check() {
	local name=$1 detail=$2
	shift 2
	if "$@" >/dev/null 2>&1; then ok "$name"; else bad "$name" "$detail"; fi
}

# serve_demo NAME [SERVE ARGS...]: the demo shop in $T/NAME.db (or, when
# AC_TEST_PG_DSN names a PostgreSQL cluster's database, in a new database
# of that cluster), a token
# named NAME, and `serve` on a free loopback port; sets DB, TOKEN, SPID
# and U (the server's URL). Exits 1, saying why, when one of them fails.
serve_demo() {
	local name=$1
	shift
	DB=$T/$name.db
	if [ -n "${AC_TEST_PG_DSN:-}" ]; then
		# a fresh database of the test's cluster for each server
		local dbn="ac_${name//[^a-z0-9]/_}_$$"
		psql -q "$AC_TEST_PG_DSN" -c "CREATE DATABASE $dbn" >/dev/null ||
			{ echo "cannot create database $dbn" >&2; exit 1; }
		DB=${AC_TEST_PG_DSN/\/aftercare?//$dbn?}
	fi
	"$BIN" demo --db "$DB" >/dev/null 2>&1 ||
		{ echo "demo failed" >&2; exit 1; }
	TOKEN=$("$BIN" token add "$name" --db "$DB" 2>/dev/null | tail -n 1)
	serve_start "$DB" "$@"
}

# serve_start DB [SERVE ARGS...]: `serve --db DB` on a free loopback
# port (under $SERVE_WRAP when set, e.g. "taskset -c 0"), its stderr in
# $T/serve.err; sets SPID and U (the server's URL).
# Exits 1, saying why, when it does not start. Also for scripts outside
# tests/api (tests/cli/replay.sh, bench/replay.sh).
serve_start() {
	local db=$1
	shift
	# emptied first: the redirection below happens in the child, and a
	# second server would otherwise be taken as started by the first's line
	: >"$T/serve.err"
	# shellcheck disable=SC2086  # SERVE_WRAP is words: "taskset -c 0"
	${SERVE_WRAP:-} "$BIN" serve --db "$db" --listen 127.0.0.1:0 "$@" 2>"$T/serve.err" &
	SPID=$!
	for _ in $(seq 200); do
		grep -q '^listening on' "$T/serve.err" && break
		sleep 0.05
	done
	U=$(sed -n 's|^listening on ||p' "$T/serve.err")
	[ -n "$U" ] ||
		{ echo "serve did not start: $(cat "$T/serve.err")" >&2; exit 1; }
}
