# The whole OAuth flow as a user would run it, driven without a browser:
# connect (code + PKCE through the loopback listener), a call, a 401 that is
# refreshed once, denied consent, a wrong state, and invalid_grant.
set -eu
. "$ROOT/tests/oauth/lib.sh"
SB="$BIN --capabilities $CASE/caps"
oauth_start --extra realmId=4620816365
oauth_app oauthtest

# A forged redirect with the wrong state is refused, and the real one completes.
oauth_begin oauthtest --name main --set "base_url=$U"
echo "$URL" | grep -q 'code_challenge_method=S256' || fail "no PKCE in $URL"
echo "$URL" | grep -q 'scope=read%20write' || fail "scopes not in $URL"
CB=$(echo "$URL" | sed 's/.*redirect_uri=\([^&]*\).*/\1/' | sed 's/%3A/:/g; s/%2F/\//g')
code=$(curl -s -o /dev/null -w '%{http_code}' "$CB?code=forged&state=wrong")
[ "$code" = 400 ] || fail "wrong state answered $code"
oauth_follow
wait $CON || fail "connect failed: $(cat "$TMP/c.err")"
grep -q 'Connected' "$TMP/page.html" || fail "browser page: $(cat "$TMP/page.html")"
grep -q 'connected oauthtest/main' "$TMP/c.out" || fail "connect output"

# The token works; the realmId from the redirect was kept.
$SB call oauthtest_things_list '{}' | grep -q '"ok": true' || fail "first call"
sql "select config from connections" | grep -q 4620816365 || fail "realmId not stored"

# A rejected token is refreshed once and the call retried.
curl -s "$U/admin/revoke-access" >/dev/null
$SB call oauthtest_things_list '{}' | grep -q '"ok": true' || fail "call after 401"
curl -s "$U/admin/stats" | grep -q '"refreshes": 1' || fail "refreshes: $(curl -s "$U/admin/stats")"

# A revoked grant: the call fails with what to do, the connection needs reconnecting.
curl -s "$U/admin/revoke-refresh" >/dev/null
curl -s "$U/admin/revoke-access" >/dev/null
if $SB call oauthtest_things_list '{}' >"$TMP/r.out" 2>"$TMP/r.err"; then fail "call succeeded after revoke"; fi
grep -q 'switchboard connect oauthtest' "$TMP/r.err" "$TMP/r.out" || fail "no reconnect advice: $(cat "$TMP/r.err" "$TMP/r.out")"
sql "select status from connections" | grep -q needs_reconnect || fail "status not needs_reconnect"

# Tokens never reach stderr.
! grep -q 'at_\|rt_' "$TMP/c.err" "$TMP/r.err" || fail "a token in stderr"

# Denied consent.
oauth_stop
oauth_start --deny
oauth_app oauthtest
oauth_connect oauthtest --name other
if wait $CON; then fail "denied consent connected"; fi
grep -q 'authorization denied' "$TMP/c.err" || fail "denied message: $(cat "$TMP/c.err")"
echo ok
