# tests/deps.sh never assumes sudo: as root it runs apt-get itself; as a user it
# goes through sudo when there is one, else prints the exact apt-get line and
# stops. The build set (make run) holds no test tools; the test set adds them.
# PATH holds only shims and the few real tools deps.sh uses, so the machine's own
# sudo (or its absence) does not matter.
set -eu
bin=$TMP/bin
mkdir -p "$bin"
for t in grep env cat; do ln -s "$(command -v $t)" "$bin/$t"; done
printf '#!/bin/sh\nexit 1\n' > "$bin/dpkg-query"       # every package missing
printf '#!/bin/sh\necho "apt-get $*" >> "%s/log"\n' "$TMP" > "$bin/apt-get"
printf '#!/bin/sh\n[ "$1" = -u ] && echo "${FAKE_UID:-0}"\n' > "$bin/id"
chmod +x "$bin"/*
deps() { PATH=$bin /bin/sh "$ROOT/tests/deps.sh" "$@"; }
build_line="make gcc pkg-config libjansson-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libmicrohttpd-dev libpcre2-dev libyaml-dev libpq-dev"

# --check says missing, installs nothing.
if deps --check build; then echo "--check passed with everything missing"; exit 1; fi
[ ! -e "$TMP/log" ] || { echo "--check ran apt-get"; exit 1; }

# root: apt-get directly.
deps --install build 2> "$TMP/err"
grep -qx "apt-get install -y -qq $build_line" "$TMP/log" || { echo "root:"; cat "$TMP/log"; exit 1; }
rm "$TMP/log"

# a user with sudo: through sudo.
printf '#!/bin/sh\necho "sudo $*" >> "%s/log"\nexec "$@"\n' "$TMP" > "$bin/sudo"
chmod +x "$bin/sudo"
FAKE_UID=1000 deps --install build 2> "$TMP/err"
grep -qx "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $build_line" "$TMP/log" ||
	{ echo "user with sudo:"; cat "$TMP/log"; exit 1; }
rm "$TMP/log" "$bin/sudo"

# a user without sudo: the exact line to run, exit 1, nothing run.
if FAKE_UID=1000 deps --install build 2> "$TMP/err"; then echo "no sudo: exit 0"; exit 1; fi
grep -qx "deps: as root, run:  apt-get install -y $build_line" "$TMP/err" || { echo "no sudo:"; cat "$TMP/err"; exit 1; }
[ ! -e "$TMP/log" ] || { echo "no sudo: something ran"; cat "$TMP/log"; exit 1; }

# The test set is the build set plus the test tools.
FAKE_UID=1000 deps --install test 2> "$TMP/err" || true
line=$(grep 'run:  apt-get install -y ' "$TMP/err")
for p in $build_line clang valgrind cppcheck clang-format json-schema-test-suite zsh nodejs npm; do
	case "$line " in *" $p "*) ;; *) echo "test set lacks $p: $line"; exit 1 ;; esac
done
echo ok
