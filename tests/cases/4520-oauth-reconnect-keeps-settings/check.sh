# A reconnect (switchboard connect, and the MCP tool switchboard_connect, of
# a connection that exists) keeps the connection's settings and its other
# secrets and changes only its credentials: a GitHub Enterprise base_url
# and a webhook signing secret survive, the token is the new grant's, and a
# status of needs_reconnect goes back to ok.
set -eu
. "$ROOT/tests/oauth/lib.sh"
cfg() { sql "select config from connections where name='gh'"; }
# has_secret KEY: gh's secret KEY is set (the store is sealed: ask show).
has_secret() { $BIN connections show gh --json | grep -q "\"$1\":true"; }

oauth_start
oauth_app github
oauth_connected github --name gh --set "base_url=$U/api/v3"
cfg | grep -q "\"base_url\": *\"$U/api/v3\"" || fail "first connect: $(cfg)"
printf '{"webhook_secret": "whsec_kept"}' | $BIN connections edit gh --secret-stdin >/dev/null
sql "update connections set status='needs_reconnect' where name='gh'" >/dev/null
codes() { curl -s "$U/admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["codes"])'; }
[ "$(codes)" = 1 ] || fail "codes after the first connect: $(codes)"

# The terminal: no --set this time.
oauth_connected github --name gh
[ "$(codes)" = 2 ] || fail "the reconnect exchanged no code"
cfg | grep -q "\"base_url\": *\"$U/api/v3\"" || fail "connect lost base_url: $(cfg)"
has_secret webhook_secret || fail "connect lost the webhook secret: $($BIN connections show gh --json)"
has_secret access_token || fail "no token after the reconnect"
[ "$(sql "select status from connections where name='gh'")" = "[('ok',)]" ] || fail "status"
[ "$(sql "select count(*) from connections")" = "[(1,)]" ] || fail "a second row"

# The client: switchboard_connect of the same connection.
sql "update connections set status='needs_reconnect' where name='gh'" >/dev/null
python3 "$CASE/drive.py" "$BIN" gh 2>"$TMP/s.err" || fail "mcp: $(tail -5 "$TMP/s.err")"
[ "$(codes)" = 3 ] || fail "the MCP reconnect exchanged no code"
cfg | grep -q "\"base_url\": *\"$U/api/v3\"" || fail "switchboard_connect lost base_url: $(cfg)"
has_secret webhook_secret || fail "switchboard_connect lost the webhook secret"
[ "$(sql "select status from connections where name='gh'")" = "[('ok',)]" ] || fail "status (mcp)"
! grep -q 'at_\|rt_\|whsec' "$TMP/c.err" "$TMP/s.err" || fail "a secret in stderr"
echo ok
