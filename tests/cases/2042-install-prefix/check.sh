# `make install PREFIX=...` after a plain `make`: no rebuild, and the installed
# binary finds its connectors under PREFIX/share/switchboard by itself (the build
# baked in /usr/local). The man page and both completions come with it, and
# `make uninstall` takes every file away again.
set -eu
prefix=$TMP/prefix
build=$(dirname "$BIN")
make -C "$ROOT" --no-print-directory install BUILD="$build" PREFIX="$prefix" > "$TMP/out" 2>&1 ||
	{ cat "$TMP/out"; exit 1; }
if grep -e ' -c -o ' "$TMP/out"; then echo "install recompiled"; exit 1; fi
cmp "$BIN" "$prefix/bin/switchboard"
env -u SWITCHBOARD_DATADIR "$prefix/bin/switchboard" connectors > "$TMP/list"
n=$(wc -l < "$TMP/list")
[ "$n" -eq 12 ] || { echo "installed binary lists $n connectors, not 12:"; cat "$TMP/list"; exit 1; }
for slug in stripe github shopify xero quickbooks cin7core cin7omni slack hubspot email http openai; do
	grep -q "^$slug " "$TMP/list" || { echo "missing $slug"; exit 1; }
done
"$prefix/bin/switchboard" --all --mode static tools | grep -q '^stripe_customers_create ' ||
	{ echo "no stripe tools from the installed binary"; exit 1; }
# Moved away from its data, it says so and fails, rather than serve nothing.
mkdir -p "$TMP/elsewhere/bin"
cp "$prefix/bin/switchboard" "$TMP/elsewhere/bin/"
if "$TMP/elsewhere/bin/switchboard" tools > /dev/null 2> "$TMP/err"; then echo "tools exit 0 without connectors"; exit 1; fi
grep -q "no connector file loaded.*SWITCHBOARD_DATADIR" "$TMP/err" || { cat "$TMP/err"; exit 1; }
# ... and SWITCHBOARD_DATADIR points it back.
SWITCHBOARD_DATADIR=$prefix/share/switchboard "$TMP/elsewhere/bin/switchboard" connectors | wc -l | grep -qx 12
# The man page renders, and the completions are there and parse.
test -s "$prefix/share/man/man1/switchboard.1"
test -s "$prefix/share/bash-completion/completions/switchboard"
test -s "$prefix/share/zsh/site-functions/_switchboard"
bash -n "$prefix/share/bash-completion/completions/switchboard"
# uninstall leaves no file behind.
make -C "$ROOT" --no-print-directory uninstall BUILD="$build" PREFIX="$prefix" > "$TMP/out" 2>&1 ||
	{ cat "$TMP/out"; exit 1; }
left=$(find "$prefix" -type f)
[ -z "$left" ] || { echo "left after uninstall: $left"; exit 1; }
[ ! -d "$prefix/share/switchboard" ] || { echo "share/switchboard left after uninstall"; exit 1; }
echo ok
