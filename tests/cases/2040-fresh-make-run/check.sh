# A fresh Debian 12 as `make run` sees it: none of the build packages installed.
# pkg-config and dpkg-query shims answer "missing" until a fake apt-get "installs"
# them (then they hand over to the real ones). ONE `make run`, in a copy of the
# tree, must install, build and serve: the initialize answer comes back.
set -eu
tree=$TMP/tree shims=$TMP/shims installed=$TMP/installed
mkdir -p "$tree/tests" "$shims"
cp -R "$ROOT/Makefile" "$ROOT/src" "$ROOT/capabilities" "$ROOT/schemas" "$tree/"
cp "$ROOT/tests/deps.sh" "$tree/tests/"
for tool in pkg-config dpkg-query; do
	cat > "$shims/$tool" <<SHIM
#!/bin/sh
echo "$tool \$*" >> "$TMP/calls.log"
[ -e "$installed" ] || exit 1
exec /usr/bin/$tool "\$@"
SHIM
done
cat > "$shims/apt-get" <<SHIM
#!/bin/sh
echo "apt-get \$*" >> "$TMP/calls.log"
case " \$* " in *" install "*) touch "$installed" ;; esac
SHIM
chmod +x "$shims"/*
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"fresh","version":"1"}}}'
printf '%s\n' "$init" > "$TMP/in"
# A newcomer's shell: none of the variables the suite's own make may have
# exported (make asan passes BUILD, CC and the sanitizer flags down).
if ! PATH="$shims:$PATH" env -u BUILD -u CC -u EXTRA_CFLAGS -u LDFLAGS -u CI \
	make -C "$tree" run CFLAGS=-O0 < "$TMP/in" > "$TMP/out" 2> "$TMP/err"; then
	echo "one make run failed:"; tail -20 "$TMP/err"; cat "$TMP/calls.log"; exit 1
fi
# The packages were "installed" once, with apt-get, and only the build set.
grep -q '^apt-get install -y -qq make gcc pkg-config libjansson-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libmicrohttpd-dev libpcre2-dev libyaml-dev libpq-dev$' "$TMP/calls.log" ||
	{ echo "apt-get not asked for the build packages:"; cat "$TMP/calls.log"; exit 1; }
if grep -E '^apt-get install.*(clang|valgrind|cppcheck|json-schema|npm)' "$TMP/calls.log"; then
	echo "make run installed test packages"; exit 1
fi
# Compiled and linked with the flags pkg-config gives once the packages exist.
libs=$(pkg-config --libs jansson libcurl openssl sqlite3 libmicrohttpd libpcre2-8 yaml-0.1 libpq)
grep -qF -- "$libs" "$TMP/out" || { echo "link line lacks '$libs':"; grep -- '-o build/switchboard' "$TMP/out"; exit 1; }
# It served: the initialize answer is on stdout.
grep -q '"id":1,"result":{"protocolVersion":"2025-11-25"' "$TMP/out" ||
	{ echo "no initialize answer:"; tail -5 "$TMP/out"; tail -5 "$TMP/err"; exit 1; }
n=$("$tree/build/switchboard" connectors | wc -l)
[ "$n" -eq 12 ] || { echo "the built binary lists $n connectors, not 12"; exit 1; }
echo ok
