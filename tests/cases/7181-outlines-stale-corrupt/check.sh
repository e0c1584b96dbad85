# Outlines are never taken on trust for other bytes, another build or a
# corrupt store: a changed file is read in full (before its next start, and
# within a session at the first call), a bad store is ignored and written
# anew, and the answers are always those of a start without the cache.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
CAPS="$XDG_CONFIG_HOME/switchboard/capabilities"
STORES="$XDG_CACHE_HOME/switchboard/outlines"
mkdir -p "$CAPS"
ARGS="--connectors acme --all --mode discover serve"
msgs() {
	printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}' \
		'{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
}
run() { msgs | SWITCHBOARD_LOG=debug "$BIN" "$@" $ARGS 2>"$TMP/err"; }
plain() { msgs | XDG_CACHE_HOME=/proc/none "$BIN" $ARGS 2>/dev/null; }
from() { grep -o "$1: [0-9]* of [0-9]* connector files from their outlines" "$TMP/err" | cut -d' ' -f2-4; }
# switchboard_call's annotations sum up acme's tools: read-only, or not.
readonly_hint() { tail -1 | python3 -c 'import json,sys
t=[t for t in json.load(sys.stdin)["result"]["tools"] if t["name"]=="switchboard_call"][0]
print(t["annotations"]["readOnlyHint"])'; }

# acme reads only; settled (a file changed within the last seconds gets
# no outline: another change in the same clock tick could keep its key).
cp "$CASE/acme-read.json" "$CAPS/acme.json"
run >"$TMP/a"
[ "$(from "$CAPS")" = "0 of 1" ] || fail "a new file was taken from an outline: $(from "$CAPS")"
sleep 3
run >/dev/null
run >"$TMP/a"
[ "$(from "$CAPS")" = "1 of 1" ] || fail "a settled file got no outline: $(cat "$TMP/err")"
[ "$(readonly_hint <"$TMP/a")" = True ] || fail "acme should read only"
plain | cmp -s - "$TMP/a" || fail "the list from outlines differs"

# The file changes: its stat key with it, so its outline is not used.
cp "$CASE/acme-write.json" "$CAPS/acme.json"
run >"$TMP/b"
[ "$(from "$CAPS")" = "0 of 1" ] || fail "a changed file was taken from its old outline"
[ "$(readonly_hint <"$TMP/b")" = False ] || fail "acme's new delete action is not seen"
plain | cmp -s - "$TMP/b" || fail "the list after a change differs"
U=$(grep -l " $CAPS\$" "$STORES"/*)
[ "$(tail -n +2 "$U" | wc -l)" = 0 ] || fail "the old outline was kept: $(cat "$U")"

# A file changed within a session, after the list: the first call reads it
# in full, and the new list is announced.
cp "$CASE/acme-read.json" "$CAPS/acme.json"
sleep 3
run >/dev/null
run >/dev/null
[ "$(from "$CAPS")" = "1 of 1" ] || fail "no outline for the session"
python3 "$CASE/live.py" "$BIN" "$CASE/acme-write.json" "$CAPS/acme.json" $ARGS >"$TMP/live" 2>/dev/null
grep -q '"method":"notifications/tools/list_changed"' "$TMP/live" || fail "no list_changed: $(cat "$TMP/live")"
grep '"id":4' "$TMP/live" | readonly_hint | grep -q False || fail "the list after the change is the old one"
grep '"id":3' "$TMP/live" | grep -q '"actions":\["list","read","create","delete"\]' ||
	fail "the search did not see the file as it is now: $(grep '"id":3' "$TMP/live")"
cp "$CASE/acme-write.json" "$CAPS/acme.json"
sleep 3
run >/dev/null
plain >"$TMP/ref"
B=$(grep -l '/capabilities$' "$STORES"/* | grep -v "^$U\$")
[ "$(tail -n +2 "$B" | wc -l)" = 12 ] || fail "built-in store: $(tail -n +2 "$B" | wc -l) outlines"
[ "$(tail -n +2 "$U" | wc -l)" = 1 ] || fail "user store: $(tail -n +2 "$U" | wc -l) outlines"

# Corrupt stores: random bytes, a line cut short, an outline that is not
# one, another build's header. Each is ignored (the files are read in
# full), the answers are the same, and the store is written anew.
head -c 5000 /dev/urandom >"$B"
run >"$TMP/c"
cmp -s "$TMP/ref" "$TMP/c" || fail "a random store changed the list"
grep -q 'capabilities: 0 of 12 ' "$TMP/err" || fail "random bytes gave outlines: $(grep outlines "$TMP/err")"
head -1 "$B" | grep -q '^switchboard connector outlines 1 ' || fail "the random store was not rewritten"
[ "$(tail -n +2 "$B" | wc -l)" = 12 ] || fail "rewritten store: $(tail -n +2 "$B" | wc -l) outlines"

size=$(stat -c %s "$B")
head -c $((size - 200)) "$B" >"$TMP/cut" && cp "$TMP/cut" "$B"
run >"$TMP/c"
cmp -s "$TMP/ref" "$TMP/c" || fail "a store cut short changed the list"
grep -q 'capabilities: 11 of 12 ' "$TMP/err" || fail "a line cut short was used: $(grep outlines "$TMP/err")"
[ "$(tail -n +2 "$B" | wc -l)" = 12 ] || fail "the cut store was not mended"

python3 - "$B" <<'PY'
import sys
path = sys.argv[1]
lines = open(path).read().split("\n")
out = [lines[0]]
for i, l in enumerate(lines[1:]):
    if not l:
        continue
    key, _, doc = l.partition(" ")
    out.append(key + " " + (doc if i > 2 else ['{"slug":5}', '[]', '{"slug":"x",'][i]))
open(path, "w").write("\n".join(out) + "\n")
PY
run >"$TMP/c"
cmp -s "$TMP/ref" "$TMP/c" || fail "outlines that are not ones changed the list"
grep -q 'capabilities: 9 of 12 ' "$TMP/err" || fail "bad outlines were used: $(grep outlines "$TMP/err")"

sed -i '1s/^switchboard connector outlines 1 [^ ]*/switchboard connector outlines 1 0.0.0-another/' "$B"
run >"$TMP/c"
cmp -s "$TMP/ref" "$TMP/c" || fail "another build's store changed the list"
grep -q 'capabilities: 0 of 12 ' "$TMP/err" || fail "another build's outlines were used"
head -1 "$B" | grep -q 'another' && fail "another build's store was not rewritten"

# No cache folder can be made: still works, nothing cached.
msgs | XDG_CACHE_HOME=/proc/none HOME=/proc/none "$BIN" $ARGS >"$TMP/c" 2>/dev/null || fail "no cache folder broke the start"
cmp -s "$TMP/ref" "$TMP/c" || fail "no cache folder changed the list"
echo ok
