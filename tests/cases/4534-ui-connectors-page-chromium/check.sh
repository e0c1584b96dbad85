# The connectors page (`switchboard ui`) end to end in headless Chromium
# (tests/ui/ui_test.py): cards and their states, Create Connector, a key
# connection, an OAuth connect against the tests' provider, a reconnect that
# keeps settings, and cross-site posts refused. A non-loopback --listen is
# refused. Skips when chromium is not installed.
set -eu
. "$ROOT/tests/oauth/lib.sh"
command -v chromium >/dev/null 2>&1 || { echo "skip: chromium is not installed"; exit 0; }
$BIN ui --listen 0.0.0.0:0 2>"$TMP/nl.err" && fail "a non-loopback listen was accepted"
grep -q 'only a loopback address' "$TMP/nl.err" || fail "no reason: $(cat "$TMP/nl.err")"
oauth_start
mkdir -p "$TMP/caps"
sed "s#http://127.0.0.1:9#$U#g" "$ROOT/tests/cases/4501-oauth-connect-pkce-refresh/caps/oauthtest.json" >"$TMP/caps/oauthtest.json"
SB="$BIN --capabilities $TMP/caps"
oauth_app oauthtest
$SB ui --listen 127.0.0.1:0 >"$TMP/ui.out" 2>"$TMP/ui.err" &
UI=$!
trap 'kill $UI 2>/dev/null || true; [ -z "$SRV" ] || kill $SRV 2>/dev/null || true' EXIT
for i in $(seq 600); do [ -s "$TMP/ui.out" ] && break; sleep 0.05; done
URL=$(head -1 "$TMP/ui.out")
case "$URL" in http://127.0.0.1:*/) ;; *) fail "no URL: $(cat "$TMP/ui.out" "$TMP/ui.err")" ;; esac
python3 "$ROOT/tests/ui/ui_test.py" "$SB" "$URL" "$TMP" 2>"$TMP/t.err" || fail "$(tail -15 "$TMP/t.err")"
kill $UI; wait $UI || true
grep -q 'connected oauthtest/default' "$TMP/ui.err" || fail "no log of the OAuth connection: $(cat "$TMP/ui.err")"
! grep -q 'sk_test_uipage\|at_\|rt_' "$TMP/ui.err" || fail "a secret in stderr"
