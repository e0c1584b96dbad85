# serve starts from outlines of the connector files (what building the tool
# list reads), kept in $XDG_CACHE_HOME/switchboard/outlines; the files are
# read in full for a listed tool and before the first call, search or
# describe. Whatever the options, the answers are byte for byte those of a
# start without the cache.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
CAPS="$XDG_CONFIG_HOME/switchboard/capabilities"
mkdir -p "$CAPS"
cp "$CASE/acme.json" "$CAPS/acme.json"
export STRIPE_API_KEY=sk_test_outlines
# After the list: a tool that is not listed described (its params are not in
# an outline), a search, and the list again.
REQ='[["tools/call",{"name":"switchboard_describe","arguments":{"names":["stripe_refunds_list","github_issues_create","acme_widgets_create"]}}],["tools/call",{"name":"switchboard_search","arguments":{"query":"refund a charge"}}],["tools/list",{}]]'
run() { python3 "$CASE/session.py" "$BIN" "$REQ" "$@"; }
n=0
for opts in "serve" "--all serve" "--all --mode discover serve" "--read-only serve" \
	"--connectors http,acme --all serve" "--mode static serve" "--all --mode static serve"; do
	n=$((n + 1))
	XDG_CACHE_HOME=/proc/none run $opts >"$TMP/plain$n" 2>/dev/null
	[ "$(wc -l <"$TMP/plain$n")" = 5 ] || fail "$opts: $(wc -l <"$TMP/plain$n") answers without the cache"
	run $opts >"$TMP/first$n" 2>/dev/null
	SWITCHBOARD_LOG=debug run $opts >"$TMP/warm$n" 2>"$TMP/err$n"
	cmp -s "$TMP/plain$n" "$TMP/first$n" || fail "$opts: the run writing the cache answered otherwise"
	cmp -s "$TMP/plain$n" "$TMP/warm$n" || fail "$opts: the run from the cache answered otherwise: $(diff "$TMP/plain$n" "$TMP/warm$n" | head -c 600)"
	case "$opts" in
	*static*--all*|*--all*static*) ;; # every tool listed: every file read in full
	*) grep -q 'capabilities: 12 of 12 connector files from their outlines' "$TMP/err$n" ||
		fail "$opts: the built-in files were not taken from their outlines: $(grep outlines "$TMP/err$n")" ;;
	esac
done
# The listed tools' definitions came from the files read in full: stripe's
# featured tools carry their params.
head -2 "$TMP/warm1" | tail -1 | grep -q '"name":"stripe_refunds_create"' || fail "stripe's featured tools not listed"
grep -q '"charge"' "$TMP/warm1" || fail "a listed tool lacks its params"

# One store a folder, private, with one outline a built-in file (the
# user's file, new a moment ago, gets one only once it has settled: 7181).
for f in "$XDG_CACHE_HOME"/switchboard/outlines/*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "store mode"
done
B=$(grep -L " $CAPS\$" "$XDG_CACHE_HOME"/switchboard/outlines/* || true) # grep -L exits 1 when it lists one
[ "$(echo "$B" | wc -l)" = 1 ] || fail "expected one store of the built-in folder: $B"
head -1 "$B" | grep -q '^switchboard connector outlines 1 ' || fail "store header: $(head -1 "$B")"
[ "$(tail -n +2 "$B" | wc -l)" = 12 ] || fail "expected 12 outlines: $(tail -n +2 "$B" | wc -l)"
grep -q '"refunds":{[^{]*"actions":{"list":{' "$B" || fail "stripe's outline lacks its entities"
grep -q '"featured":true' "$B" || fail "an outline lacks what building the list reads"
if grep -q 'Refund a payment: give payment_intent' "$B"; then fail "an outline holds an action's description"; fi
echo ok
