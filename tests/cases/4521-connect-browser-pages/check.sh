# connect as a person sees it: it says it opened the browser (a fake
# xdg-open records the URL) or that none could be opened (no xdg-open:
# open the URL by hand), and that it waits up to 10 min (Ctrl-C cancels).
# The pages the browser ends on, success and denied, are rendered in a real
# headless Chromium, which follows the provider's redirect to the loopback
# listener itself: the DOM names the vendor and the connection, the page
# loads nothing from anywhere (inline CSS, no script), and a screenshot is
# taken of each. Without chromium the same flow runs with curl and the case
# says skip at the end.
set -eu
. "$ROOT/tests/oauth/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
# render URL OUT: the DOM after loading URL (redirects followed) into OUT.html
# and a screenshot of that DOM into OUT.png.
render() {
	if [ -z "$CHROMIUM" ]; then
		curl -s -L -o "$2.html" "$1"
		return
	fi
	set -- "$1" "$2" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update \
		--user-data-dir="$TMP/chromium"
	url=$1 out=$2
	shift 2
	timeout 60 "$CHROMIUM" "$@" --dump-dom "$url" >"$out.html" 2>>"$TMP/chromium.err"
	timeout 60 "$CHROMIUM" "$@" --window-size=900,700 --screenshot="$out.png" \
		"file://$out.html" >/dev/null 2>>"$TMP/chromium.err"
	python3 - "$out.png" <<'PY' || fail "screenshot $out.png"
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", b[16:24])
assert (w, h) == (900, 700) and len(b) > 2000, (w, h, len(b))
PY
}
# self_contained FILE: no script, and nothing fetched from anywhere.
self_contained() {
	! grep -Eiq '<script|<link|<img|<iframe|src=|href=|url\(|@import' "$1" ||
		fail "$1 loads something: $(cat "$1")"
	grep -q '<style>' "$1" || fail "$1 has no inline style"
}
mkdir -p "$TMP/ok-bin" "$TMP/no-bin"
printf '#!/bin/sh\nprintf "%%s" "$1" >"%s/opened"\n' "$TMP" >"$TMP/ok-bin/xdg-open"
chmod +x "$TMP/ok-bin/xdg-open"

# Success, with a browser that opens.
oauth_start
oauth_app github
PATH="$TMP/ok-bin:$PATH" $BIN connect github --name work --set "base_url=$U" >"$TMP/c.out" 2>"$TMP/c.err" &
CON=$!
for i in $(seq 400); do [ -s "$TMP/opened" ] && break; sleep 0.05; done
[ -s "$TMP/opened" ] || fail "xdg-open was not run: $(cat "$TMP/c.err")"
[ "$(cat "$TMP/opened")" = "$(grep '^http' "$TMP/c.out")" ] || fail "opened another URL"
for i in $(seq 400); do grep -q "waiting for the browser" "$TMP/c.err" && break; sleep 0.05; done
grep -q 'opened it in your browser' "$TMP/c.err" || fail "no word of the browser: $(cat "$TMP/c.err")"
grep -qF 'waiting for the browser (up to 10 min, Ctrl-C to cancel)' "$TMP/c.err" || fail "no wait line: $(cat "$TMP/c.err")"
! grep -q 'by hand' "$TMP/c.err" || fail "said by hand with a browser"
# GitHub's broad default scope is explained, from the connector file.
grep -q 'asking for the scopes: repo read:user read:org' "$TMP/c.err" || fail "scopes: $(cat "$TMP/c.err")"
grep -q 'why: GitHub OAuth Apps have no narrower scope for private repositories' "$TMP/c.err" ||
	fail "no reason for repo: $(cat "$TMP/c.err")"
render "$(cat "$TMP/opened")" "$TMP/ok"
wait $CON || fail "connect: $(cat "$TMP/c.err")"
grep -q 'GitHub is connected' "$TMP/ok.html" || fail "ok page: $(cat "$TMP/ok.html")"
grep -q 'github/work' "$TMP/ok.html" || fail "ok page lacks the connection"
self_contained "$TMP/ok.html"
oauth_stop

# Denied, with no browser to open: the URL by hand.
oauth_start --deny
oauth_app github
# (No opener on PATH at all: an opener that fails is told apart from one
# still at work only by a wait, which a loaded machine can outlast.)
# Emptied here, not by the background job's redirection: that may come after
# the wait below has found the first connect's "waiting for the browser".
: >"$TMP/c.out"
: >"$TMP/c.err"
PATH="$TMP/no-bin" $BIN connect github --name work >"$TMP/c.out" 2>"$TMP/c.err" &
CON=$!
for i in $(seq 400); do grep -q "waiting for the browser" "$TMP/c.err" && break; sleep 0.05; done
grep -q 'no browser could be opened here; open the URL above by hand' "$TMP/c.err" ||
	fail "no word of the missing browser: $(cat "$TMP/c.err")"
render "$(grep '^http' "$TMP/c.out")" "$TMP/denied"
if wait $CON; then fail "a denied connect succeeded"; fi
grep -q 'authorization denied' "$TMP/c.err" || fail "denied: $(cat "$TMP/c.err")"
grep -q 'GitHub is not connected' "$TMP/denied.html" || fail "denied page: $(cat "$TMP/denied.html")"
grep -q 'github/work' "$TMP/denied.html" && grep -q 'was denied' "$TMP/denied.html" ||
	fail "denied page lacks the connection or why: $(cat "$TMP/denied.html")"
self_contained "$TMP/denied.html"
# The denial left the connection as it was.
sql "select config from connections where name='work'" | grep -q "\"base_url\": *\"http://127.0.0.1" || fail "the denial changed the connection"
if [ -z "$CHROMIUM" ]; then echo "skip: chromium is not installed (tests/deps.sh installs it); checked with curl"; exit 0; fi
[ -z "${KEEP_SHOTS:-}" ] || cp "$TMP/ok.png" "$TMP/denied.png" "$KEEP_SHOTS"
echo ok
