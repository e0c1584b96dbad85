# The MCP connect tool end to end: without a connection a call says which
# command to run; switchboard_connect answers an authorization URL at once
# (the main loop keeps answering pings); following it saves the connection,
# the server announces tools/list_changed, and the call works.
set -eu
. "$ROOT/tests/oauth/lib.sh"
oauth_start
mkdir -p "$TMP/caps"
sed "s#http://127.0.0.1:9#$U#g" "$ROOT/tests/cases/4501-oauth-connect-pkce-refresh/caps/oauthtest.json" >"$TMP/caps/oauthtest.json"
SB="$BIN --capabilities $TMP/caps"

# No OAuth app yet: the tool is not listed, and a call says so.
python3 "$CASE/drive.py" "$SB" "$U" noapp 2>"$TMP/s0.err" || fail "no app: $(tail -5 "$TMP/s0.err")"

oauth_app oauthtest
python3 "$CASE/drive.py" "$SB" "$U" connect 2>"$TMP/s1.err" || fail "connect: $(tail -5 "$TMP/s1.err")"
grep -q 'connected oauthtest/default' "$TMP/s1.err" || fail "no log of the connection: $(cat "$TMP/s1.err")"
! grep -q 'at_\|rt_' "$TMP/s0.err" "$TMP/s1.err" || fail "a token in stderr"
echo ok
