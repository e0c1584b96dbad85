# Refresh ahead of expiry, single-flight across two server processes: twenty
# concurrent calls on one expiring connection cause exactly one refresh.
# Then a provider that does not rotate (no refresh_token in the answer): the
# old refresh token is kept and keeps working.
set -eu
. "$ROOT/tests/oauth/lib.sh"
SB="$BIN --capabilities $CASE/caps"
connect() {
	oauth_app oauthtest
	oauth_connected oauthtest --name main --set "base_url=$U"
}
calls() {
	i=0
	while [ $i -lt 10 ]; do
		i=$((i + 1))
		printf '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"oauthtest_things_list","arguments":{}}}\n' $i
	done
}

# Tokens live 60 s; refresh is due in the last 30 s: 40 s later (aged, not
# slept) it is due, and the old token still works.
oauth_start --expires-in 60
connect
oauth_age 40
calls | $SB serve >"$TMP/a.out" 2>"$TMP/a.err" &
A=$!
calls | $SB serve >"$TMP/b.out" 2>"$TMP/b.err" &
B=$!
wait $A || fail "server a: $(cat "$TMP/a.err")"
wait $B || fail "server b: $(cat "$TMP/b.err")"
n=$(cat "$TMP/a.out" "$TMP/b.out" | grep -c '"ok":true' || true)
[ "$n" = 20 ] || fail "$n of 20 calls succeeded: $(cat "$TMP/a.out" "$TMP/b.out" | grep -v "\"ok\":true" | head -c 1500)"
curl -s "$U/admin/stats" | grep -q '"refreshes": 1' || fail "refreshes: $(curl -s "$U/admin/stats")"
! grep -q 'at_\|rt_' "$TMP/a.err" "$TMP/b.err" || fail "a token in stderr"
oauth_stop

# No rotation: the answer has no refresh_token; the old one must survive.
oauth_start --expires-in 60 --no-rotate
connect
for round in 1 2; do
	oauth_age 40
	$SB call oauthtest_things_list '{}' | grep -q '"ok": true' || fail "call in round $round"
done
curl -s "$U/admin/stats" | grep -q '"refreshes": 2' || fail "no-rotate refreshes: $(curl -s "$U/admin/stats")"
oauth_stop

# Client credentials: minted at connect, re-minted when it expires.
oauth_start --expires-in 60
oauth_app oauthtest
$SB connect oauthtest --client-credentials --name svc --set "base_url=$U" >/dev/null 2>"$TMP/cc.err" || fail "cc connect: $(cat "$TMP/cc.err")"
$SB call oauthtest_things_list '{"connection":"svc"}' | grep -q '"ok": true' || fail "cc call"
oauth_age 40
$SB call oauthtest_things_list '{"connection":"svc"}' | grep -q '"ok": true' || fail "cc call after expiry"
curl -s "$U/admin/stats" | grep -q '"client_credentials": 2' || fail "cc stats: $(curl -s "$U/admin/stats")"
echo ok
