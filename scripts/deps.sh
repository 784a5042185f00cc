#!/bin/sh
# deps.sh: install the Debian packages aftercare needs, only those absent.
# Usage: scripts/deps.sh [build|test|bench|fuzz|serve]...  (default: build)
# Called by make before every job, so it must be fast when nothing is missing.
set -eu

want="make gcc pkg-config libcjson-dev libsodium-dev libsqlite3-dev libmicrohttpd-dev"
for job in "${@:-build}"; do
	case "$job" in
	build) ;;
	test) want="$want libcriterion-dev jq clang libclang-rt-14-dev curl sqlite3 nodejs npm" ;;
	fuzz) want="$want clang libclang-rt-14-dev" ;;
	bench) want="$want nodejs npm wrk nginx-light sqlite3 curl jq" ;;
	serve) want="$want libmicrohttpd-dev libsqlite3-dev sqlite3 curl" ;;
	*) echo "deps.sh: unknown job '$job'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	case "$p" in
	nodejs|npm)  # a machine may carry its own Node.js with npm inside
		command -v "${p%js}" >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

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
