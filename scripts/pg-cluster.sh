#!/bin/sh
# pg-cluster.sh: a private PostgreSQL cluster for tests and benchmarks.
#
#   scripts/pg-cluster.sh start DIR   make a cluster in DIR (new or empty),
#                                     start it, create database "aftercare"
#                                     and print its DSN (postgresql://...)
#   scripts/pg-cluster.sh stop DIR    stop it (the files stay in DIR)
#   scripts/pg-cluster.sh restart DIR start a stopped cluster again on the
#                                     same port (the same DSN)
#   scripts/pg-cluster.sh dsn DIR     print the DSN of a started cluster
#
# The server runs as the `postgres` user when called by root (DIR is then
# given to it), else as the caller. It listens on a unix socket in DIR and
# on 127.0.0.1 at a free port, with fsync and synchronous_commit on (the
# durability of a real server); local connections are trusted, so keep DIR
# private. Binaries: the newest /usr/lib/postgresql/*/bin (Debian's
# `postgresql`, see scripts/deps.sh pg). The DSN goes through the socket:
#   postgresql://postgres@/aftercare?host=DIR&port=PORT
# DIR must be short (a socket path is at most 107 bytes).
# PG_CLUSTER_OPTS: more server options, e.g. "-c shared_buffers=2GB".
set -eu

usage() {
	echo "usage: $0 start|stop|restart|dsn DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

bin=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
	echo "pg-cluster.sh: no PostgreSQL under /usr/lib/postgresql" \
		"(scripts/deps.sh pg installs it)" >&2
	exit 1
fi

# as_owner runs a command as the cluster's owner.
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

dsn() {
	port=$(cat "$dir/port")
	echo "postgresql://postgres@/aftercare?host=$dir&port=$port"
}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ ${#dir} -gt 80 ]; then
		echo "pg-cluster.sh: $dir is too long for a socket path" >&2
		exit 1
	fi
	[ "$(id -u)" = 0 ] && chown postgres: "$dir"
	chmod 0755 "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust \
			-E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2
			exit 1
		}
	fi
	# a free port: try a few at random in 20000..59999
	tries=0
	while :; do
		port=$(( ($(od -An -N2 -tu2 /dev/urandom) % 40000) + 20000 ))
		if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
			-w -t 30 -o "-p $port -k $dir \
			-c listen_addresses=127.0.0.1 -c fsync=on \
			-c synchronous_commit=on -c max_connections=200 ${PG_CLUSTER_OPTS:-}" \
			start >/dev/null 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ $tries -ge 5 ]; then
			echo "pg-cluster.sh: cannot start the server:" >&2
			tail -n 20 "$dir/server.log" >&2
			exit 1
		fi
	done
	echo "$port" >"$dir/port"
	if ! "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres \
		-Atqc "SELECT 1 FROM pg_database WHERE datname = 'aftercare'" |
		grep -q 1; then
		"$bin/createdb" -h "$dir" -p "$port" -U postgres aftercare
	fi
	dsn
	;;
stop)
	[ -d "$dir/data" ] || exit 0
	as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop \
		>/dev/null 2>&1 || true
	;;
restart)
	dir=$(cd "$dir" && pwd)
	port=$(cat "$dir/port")
	as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on \
		-c synchronous_commit=on -c max_connections=200 ${PG_CLUSTER_OPTS:-}" start \
		>/dev/null 2>&1 || {
		echo "pg-cluster.sh: cannot restart the server:" >&2
		tail -n 20 "$dir/server.log" >&2
		exit 1
	}
	;;
dsn)
	dir=$(cd "$dir" && pwd)
	dsn
	;;
*)
	usage
	;;
esac
