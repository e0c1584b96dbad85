#!/bin/sh
# deps.sh --check | --install: the Debian packages switchboard builds and tests with.
# --check exits 1 when something is missing; --install installs what is missing with apt-get.
set -u
PKGS="pkg-config make gcc clang libclang-rt-14-dev libjansson-dev libcurl4-openssl-dev libssl-dev
libsqlite3-dev libmicrohttpd-dev python3 curl json-schema-test-suite valgrind cppcheck clang-format
chromium"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Node and npm may come from elsewhere than Debian; only their commands matter.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
[ "${1:-}" = "--check" ] && exit 1
SUDO=""
[ "$(id -u)" != 0 ] && SUDO=sudo
echo "deps: installing missing Debian packages:$missing" >&2
$SUDO apt-get update -qq >&2 || exit 1
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >&2
