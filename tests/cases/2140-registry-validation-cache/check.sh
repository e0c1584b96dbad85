# Connector files that passed this build's checks are remembered by key
# (build, schema, bytes) in $XDG_CACHE_HOME/switchboard, and not validated
# again; a changed file, a corrupt cache or another build's cache is never
# taken on trust.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
CACHE="$XDG_CACHE_HOME/switchboard/connectors-valid"
CAPS="$XDG_CONFIG_HOME/switchboard/capabilities"
mkdir -p "$CAPS"
cp "$CASE/acme.json" "$CAPS/acme.json"
names() { $BIN --all --mode static tools --json 2>"$TMP/err" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

first=$(names)
[ -f "$CACHE" ] || fail "no cache written"
[ "$(stat -c %a "$CACHE")" = 600 ] || fail "cache mode $(stat -c %a "$CACHE")"
[ "$(stat -c %a "$(dirname "$CACHE")")" = 700 ] || fail "cache folder mode"
keys=$(grep -c '^[0-9a-f]\{64\}$' "$CACHE")
[ "$keys" = 13 ] || fail "expected 13 keys (12 built in + acme), got $keys"
[ "$(names)" = "$first" ] || fail "a second start with the cache lists other tools"

# The user's file changes into one that breaks the schema: its old key does
# not describe it, so it is validated again and refused.
sed 's/"slug": "acme"/"slug": "Not A Slug"/' "$CASE/acme.json" >"$CAPS/acme.json"
grep -q '"Not A Slug"' "$CAPS/acme.json" || fail "test file not changed"
n=$(names)
[ "$n" -lt "$first" ] || fail "an invalid file was accepted from the cache ($n tools)"
grep -q 'acme.json' "$TMP/err" || fail "the invalid file was not reported: $(cat "$TMP/err")"

# A corrupt cache is ignored and written anew.
cp "$CASE/acme.json" "$CAPS/acme.json"
head -c 3000 /dev/urandom >"$CACHE"
[ "$(names)" = "$first" ] || fail "a corrupt cache changed the tool list"
head -1 "$CACHE" | grep -q '^switchboard connectors-valid 1$' || fail "the corrupt cache was not rewritten"

# Keys from another build or schema (here: made up) match nothing: every
# file is checked again, and the cache gains their real keys.
{ echo "switchboard connectors-valid 1"; for i in $(seq 20); do printf '%064d\n' "$i"; done; } >"$CACHE"
[ "$(names)" = "$first" ] || fail "a foreign cache changed the tool list"
[ "$(grep -c '^[0-9a-f]\{64\}$' "$CACHE")" = 33 ] || fail "real keys not added: $(wc -l <"$CACHE")"

# No cache folder can be made: still works, nothing cached.
XDG_CACHE_HOME=/proc/none HOME=/proc/none $BIN --all tools --json >/dev/null || fail "unwritable cache folder broke the start"
echo ok
