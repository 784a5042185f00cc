#!/bin/sh
# deps.sh: install the Debian packages aftercare needs, only those absent.
# Usage: scripts/deps.sh [build|test|bench|fuzz|serve|web|pg]... (default build)
# Called by make before every job, so it must be fast when nothing is missing.
# web: Debian's chromium (unless /usr/bin/chromium is there) and the browser
# tests' npm packages (npm ci in tests/web when its node_modules is absent).
# pg: Debian's PostgreSQL server, for the tests and benchmarks that start a
# private cluster (scripts/pg-cluster.sh); libpq-dev is a build dependency.
set -eu

web=
want="make gcc pkg-config libcjson-dev libsodium-dev libsqlite3-dev libmicrohttpd-dev
	libpq-dev libcurl4-openssl-dev"
for job in "${@:-build}"; do
	case "$job" in
	build) ;;
	test) want="$want libcriterion-dev jq clang libclang-rt-14-dev curl sqlite3 nodejs npm python3-aiosmtpd" ;;
	fuzz) want="$want clang libclang-rt-14-dev" ;;
	bench) want="$want nodejs npm wrk nginx-light sqlite3 curl jq time python3 procps" ;;
	serve) want="$want libmicrohttpd-dev libsqlite3-dev sqlite3 curl python3-aiosmtpd" ;;
	web) want="$want nodejs npm chromium"; web=1 ;;
	pg) want="$want postgresql libpq-dev" ;;
	*) echo "deps.sh: unknown job '$job'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	case "$p" in
	nodejs|npm)  # a machine may carry its own Node.js with npm inside
		command -v "${p%js}" >/dev/null 2>&1 && continue ;;
	chromium)    # the browser tests drive /usr/bin/chromium
		[ -x /usr/bin/chromium ] && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps.sh: installing$missing" >&2
	if [ "$(id -u)" != 0 ]; then
		SUDO=sudo
	else
		SUDO=
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq >&2
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi

# The browser tests' packages, at the versions tests/web/package-lock.json
# pins (playwright-core drives Debian's chromium: no browser is downloaded).
if [ -n "${web:-}" ] && [ ! -d "$(dirname "$0")/../tests/web/node_modules" ]
then
	echo "deps.sh: npm ci in tests/web" >&2
	(cd "$(dirname "$0")/../tests/web" &&
		npm ci --no-audit --no-fund --loglevel=error >&2)
fi
