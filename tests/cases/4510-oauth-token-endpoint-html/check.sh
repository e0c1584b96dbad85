# The token endpoint answers a refresh with HTTP 200 and an HTML page (a
# proxy's sign-in page). That is a failed refresh, said as it is (status,
# content type, the page's first bytes), not a token: the call is not sent
# with the expired token, the user is not told to reconnect, the refresh
# token is kept, and the next call refreshes with it.
set -eu
. "$ROOT/tests/oauth/lib.sh"
SB="$BIN --capabilities $CASE/caps"
oauth_start --expires-in 2
oauth_app oauthtest
oauth_connected oauthtest --name main --set "base_url=$U"
sleep 2.2 # the access token has expired
curl -s "$U/admin/token-html?count=2" >/dev/null
if $SB call oauthtest_things_list '{}' >"$TMP/r.out" 2>"$TMP/r.err"; then
	fail "the call went through: $(cat "$TMP/r.out")"
fi
grep -q "oauthtest token endpoint answered HTTP 200 with text/html; charset=utf-8, not a token response: '<!DOCTYPE html> <html><head><title>Sign in - Example Corp proxy</title>" "$TMP/r.out" ||
	fail "the reason: $(cat "$TMP/r.out" "$TMP/r.err")"
! grep -qi 'reconnect\|switchboard connect\|rejected' "$TMP/r.out" "$TMP/r.err" || fail "told to reconnect: $(cat "$TMP/r.out")"
sql "select status from connections" | grep -q "'ok'" || fail "status: $(sql 'select status from connections')"
curl -s "$U/admin/stats" | grep -q '"refreshes": 0' || fail "stats: $(curl -s "$U/admin/stats")"

# The endpoint is back: the kept refresh token renews the access token.
curl -s "$U/admin/token-html?count=0" >/dev/null
$SB call oauthtest_things_list '{}' >"$TMP/r2.out" 2>>"$TMP/r.err" || fail "call after: $(cat "$TMP/r2.out" "$TMP/r.err")"
grep -q '"ok": true' "$TMP/r2.out" || fail "call after: $(cat "$TMP/r2.out")"
curl -s "$U/admin/stats" | grep -q '"refreshes": 1' || fail "stats after: $(curl -s "$U/admin/stats")"
! grep -q 'at_\|rt_' "$TMP/r.err" "$TMP/c.err" || fail "a token in stderr"
echo ok
