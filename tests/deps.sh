#!/bin/sh
# deps.sh --check|--install [build|test]: the Debian packages switchboard needs.
#   build  what building and running need: a compiler, make, pkg-config, the -dev libraries
#   test   build's, plus what the tests and the lint, packaging and sanitizer targets use
# --check exits 1 when something is missing. --install installs what is missing with
# apt-get: as root directly, else through sudo when there is one; otherwise it prints
# the exact apt-get line to run and exits 1.
set -u
mode=${1:---check}
set_=${2:-build}
BUILD_PKGS="make gcc pkg-config libjansson-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
libmicrohttpd-dev libpcre2-dev libyaml-dev libpq-dev"
TEST_PKGS="$BUILD_PKGS clang libclang-rt-14-dev python3 curl json-schema-test-suite valgrind
cppcheck clang-format groff-base zsh chromium postgresql openssl haproxy"
case "$set_" in
build) PKGS=$BUILD_PKGS ;;
test) PKGS=$TEST_PKGS ;;
*) echo "usage: deps.sh --check|--install [build|test]" >&2; exit 2 ;;
esac
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ "$set_" = test ]; then
	# Node and npm may come from elsewhere than Debian; only their commands matter.
	command -v node >/dev/null 2>&1 || missing="$missing nodejs"
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
[ -z "$missing" ] && exit 0
[ "$mode" = --check ] && exit 1
if [ "$(id -u)" = 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "deps: these Debian packages are missing:$missing" >&2
	echo "deps: as root, run:  apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing missing Debian packages ($set_):$missing" >&2
$SUDO apt-get update -qq >&2 || exit 1
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
