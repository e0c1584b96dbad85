# The whole OAuth flow as a user would run it, driven without a browser:
# connect (code + PKCE through the loopback listener), a call, a 401 that is
# refreshed once, denied consent, a wrong state, and invalid_grant.
set -eu
python3 "$ROOT/tests/oauth/oauth_server.py" --port-file "$TMP/op" --extra realmId=4620816365 &
SRV=$!
trap 'kill $SRV 2>/dev/null || true' EXIT
while [ ! -s "$TMP/op" ]; do sleep 0.05; done
U="http://127.0.0.1:$(cat "$TMP/op")"
SB="$BIN --capabilities $CASE/caps"
fail() { echo "FAIL: $*"; exit 1; }

printf csecret | $SB oauth-app set oauthtest --client-id cid --client-secret-stdin \
	--authorize-url "$U/authorize" --token-url "$U/token" >/dev/null

# A forged redirect with the wrong state is refused, and the real one completes.
$SB connect oauthtest --no-browser --name main --set "base_url=$U" >"$TMP/c.out" 2>"$TMP/c.err" &
CON=$!
for i in $(seq 200); do grep -q '^http' "$TMP/c.out" && break; sleep 0.05; done
URL=$(grep '^http' "$TMP/c.out")
echo "$URL" | grep -q 'code_challenge_method=S256' || fail "no PKCE in $URL"
echo "$URL" | grep -q 'scope=read%20write' || fail "scopes not in $URL"
CB=$(echo "$URL" | sed 's/.*redirect_uri=\([^&]*\).*/\1/' | sed 's/%3A/:/g; s/%2F/\//g')
code=$(curl -s -o /dev/null -w '%{http_code}' "$CB?code=forged&state=wrong")
[ "$code" = 400 ] || fail "wrong state answered $code"
curl -s -L -o "$TMP/page.html" "$URL"
wait $CON || fail "connect failed: $(cat "$TMP/c.err")"
grep -q 'Connected' "$TMP/page.html" || fail "browser page: $(cat "$TMP/page.html")"
grep -q 'connected oauthtest/main' "$TMP/c.out" || fail "connect output"

# The token works; the realmId from the redirect was kept.
$SB call oauthtest_things_list '{}' | grep -q '"ok": true' || fail "first call"
sqlite3_cmd() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall())" "$@"; }
DB="$XDG_DATA_HOME/switchboard/switchboard.db"
sqlite3_cmd "$DB" "select config from connections" | grep -q 4620816365 || fail "realmId not stored"

# A rejected token is refreshed once and the call retried.
curl -s "$U/admin/revoke-access" >/dev/null
$SB call oauthtest_things_list '{}' | grep -q '"ok": true' || fail "call after 401"
curl -s "$U/admin/stats" | grep -q '"refreshes": 1' || fail "refreshes: $(curl -s "$U/admin/stats")"

# A revoked grant: the call fails with what to do, the connection needs reconnecting.
curl -s "$U/admin/revoke-refresh" >/dev/null
curl -s "$U/admin/revoke-access" >/dev/null
if $SB call oauthtest_things_list '{}' >"$TMP/r.out" 2>"$TMP/r.err"; then fail "call succeeded after revoke"; fi
grep -q 'switchboard connect oauthtest' "$TMP/r.err" "$TMP/r.out" || fail "no reconnect advice: $(cat "$TMP/r.err" "$TMP/r.out")"
sqlite3_cmd "$DB" "select status from connections" | grep -q needs_reconnect || fail "status not needs_reconnect"

# Tokens never reach stderr.
! grep -q 'at_\|rt_' "$TMP/c.err" "$TMP/r.err" || fail "a token in stderr"

# Denied consent.
kill $SRV; wait $SRV 2>/dev/null || true
rm -f "$TMP/op"
python3 "$ROOT/tests/oauth/oauth_server.py" --port-file "$TMP/op" --deny &
SRV=$!
while [ ! -s "$TMP/op" ]; do sleep 0.05; done
U="http://127.0.0.1:$(cat "$TMP/op")"
printf csecret | $SB oauth-app set oauthtest --client-id cid --client-secret-stdin \
	--authorize-url "$U/authorize" --token-url "$U/token" >/dev/null
$SB connect oauthtest --no-browser --name other >"$TMP/d.out" 2>"$TMP/d.err" &
CON=$!
for i in $(seq 200); do grep -q '^http' "$TMP/d.out" && break; sleep 0.05; done
curl -s -L -o /dev/null "$(grep '^http' "$TMP/d.out")"
if wait $CON; then fail "denied consent connected"; fi
grep -q 'authorization denied' "$TMP/d.err" || fail "denied message: $(cat "$TMP/d.err")"
echo ok
