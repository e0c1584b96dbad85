# make lint's dependency check (tests/depcheck.py, run by tests/lint.sh): it
# passes on the tree, and fails on copies of src/ given an include cycle, curl,
# sqlite or OpenSSL outside their module, an include against DESIGN.md's
# directions, or a file in no subsystem, naming the file each time; and, from the
# object files, on a call that a hand-written prototype hides from the includes.
set -eu
grep -q 'tests/depcheck.py --objects' "$ROOT/tests/lint.sh"
build=$(dirname "$BIN")
python3 "$ROOT/tests/depcheck.py" "$ROOT" > "$TMP/out" 2>&1 || { cat "$TMP/out"; exit 1; }
grep -q ", 0 findings" "$TMP/out" || { cat "$TMP/out"; exit 1; }
python3 "$ROOT/tests/depcheck.py" --objects "$build" "$ROOT" > "$TMP/out" 2>&1 || { cat "$TMP/out"; exit 1; }
grep -q "more from symbols, .*, 0 findings" "$TMP/out" || { cat "$TMP/out"; exit 1; }

# netaddr.o (net) calling the registry through its own prototype: the sources
# are clean, the objects are not.
mkdir -p "$TMP/objs/src"
cp -R "$build/src/." "$TMP/objs/src/"
printf 'struct registry;\nint registry_load_file(struct registry *r, const char *path, void *err);\nint netaddr_probe(void);\nint netaddr_probe(void) { return registry_load_file(0, "x", 0); }\n' > "$TMP/probe.c"
cc -c -o "$TMP/objs/src/net/netaddr.o" "$TMP/probe.c"
if python3 "$ROOT/tests/depcheck.py" --objects "$TMP/objs" "$ROOT" > "$TMP/out" 2>&1; then
	echo "depcheck passed a hidden call from net to the registry"; cat "$TMP/out"; exit 1
fi
grep -q 'src/net/netaddr.c uses registry_load_file of src/registry/registry.c: net/ may not use registry/' "$TMP/out" ||
	{ cat "$TMP/out"; exit 1; }

# bad NAME FILE LINE PATTERN: on a fresh copy, FILE gets LINE added at its top
# (after its first line); the check must fail and print PATTERN.
bad() {
	rm -rf "$TMP/tree"
	mkdir -p "$TMP/tree/tests"
	cp -R "$ROOT/src" "$TMP/tree/"
	cp "$ROOT/tests/depcheck.py" "$TMP/tree/tests/"
	if [ -f "$TMP/tree/src/$2" ]; then
		sed -i "1a $3" "$TMP/tree/src/$2"
	else
		printf '%s\n' "$3" > "$TMP/tree/src/$2"
	fi
	if python3 "$TMP/tree/tests/depcheck.py" "$TMP/tree" > "$TMP/out" 2>&1; then
		echo "depcheck passed a tree with $1"; cat "$TMP/out"; exit 1
	fi
	grep -q -- "$4" "$TMP/out" || { echo "$1: no '$4' in:"; cat "$TMP/out"; exit 1; }
}
# util.h is below everything: including the MCP layer from it closes a loop.
bad "an include cycle" base/util.h '#include "mcp.h"' 'include cycle between .*mcp.*util\|include cycle between .*util.*mcp'
bad "a two-module cycle" base/urlenc.h '#include "request.h"' 'include cycle between .*request.*urlenc'
bad "curl in the registry" registry/registry.c '#include <curl/curl.h>' 'src/registry/registry.c: includes <curl/curl.h>: only net/ and mail/'
bad "sqlite outside the store" call/conns.c '#include <sqlite3.h>' 'src/call/conns.c: includes <sqlite3.h>: only store/'
bad "OpenSSL outside crypto.c" store/store_key.c '#include <openssl/evp.h>' 'src/store/store_key.c: includes <openssl/evp.h>: only base/crypto'
bad "net using the registry" net/netaddr.c '#include "registry.h"' 'src/net/netaddr.c includes "registry/registry.h": net/ may not use registry/'
bad "the CLI below MCP used by call" call/exec.c '#include "cli.h"' 'src/call/exec.c includes "cli/cli.h": call/ may not use cli/'
bad "a file in another subsystem's folder" net/store_probe.c '#include "util.h"' "module 'store_probe' belongs to store/"
bad "a file in no subsystem" aa_probe.c '#include "util.h"' "module 'aa_probe' is in no subsystem"
echo ok
