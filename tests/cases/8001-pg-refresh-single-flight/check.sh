# PostgreSQL as the shared store: three server processes make ten calls each
# on one OAuth connection whose token is due, against a provider that
# rotates refresh tokens and kills the old one on use. Exactly one refresh
# (the advisory lock, and the row re-read inside it), every call succeeds.
# Then a refresher killed after the token answer, before the store write:
# its lock ended with its session, so the next call refreshes at once with
# the stored token (inside the provider's retry window).
set -eu
. "$ROOT/tests/oauth/lib.sh"
. "$ROOT/tests/pg/lib.sh"
pg_start
SB="$BIN --capabilities $CASE/caps"
calls() {
	i=0
	while [ $i -lt 10 ]; do
		i=$((i + 1))
		printf '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"oauthtest_things_list","arguments":{}}}\n' $i
	done
}
stats() { curl -s "$U/admin/stats"; }

# Tokens live 6 s; refresh is due in the last 3 s.
oauth_start --expires-in 6
oauth_app oauthtest
oauth_connected oauthtest --name main --set "base_url=$U"
[ "$(sql "select count(*) from connections")" = "[(1,)]" ] || fail "the connection is not in PostgreSQL"
sleep 3.2
for p in a b c; do
	calls | $SB serve >"$TMP/$p.out" 2>"$TMP/$p.err" &
	eval "P_$p=\$!"
done
wait $P_a || fail "server a: $(cat "$TMP/a.err")"
wait $P_b || fail "server b: $(cat "$TMP/b.err")"
wait $P_c || fail "server c: $(cat "$TMP/c.err")"
n=$(cat "$TMP/a.out" "$TMP/b.out" "$TMP/c.out" | grep -c '"ok":true' || true)
[ "$n" = 30 ] || fail "$n of 30 calls succeeded: $(cat "$TMP"/?.out | grep -v '"ok":true' | head -c 1500)"
stats | grep -q '"refreshes": 1' || fail "refreshes: $(stats)"
! grep -q 'at_\|rt_' "$TMP/a.err" "$TMP/b.err" "$TMP/c.err" || fail "a token in stderr"
oauth_stop

# kill -9 between the token answer and the store write.
oauth_start --grace 60
oauth_app oauthtest
oauth_connected oauthtest --name second --set "base_url=$U"
curl -s "$U/admin/revoke-access" >/dev/null
rc=0
SWITCHBOARD_FAULT=oauth_before_store $SB call oauthtest_things_list '{"connection":"second"}' >/dev/null 2>"$TMP/k.err" || rc=$?
[ "$rc" = 137 ] || fail "the fault did not kill the call (exit $rc): $(cat "$TMP/k.err")"
stats | grep -q '"refreshes": 1' || fail "no refresh before the crash: $(stats)"
start=$(date +%s)
$SB call oauthtest_things_list '{"connection":"second"}' >"$TMP/r.out" 2>"$TMP/r.err" || fail "call after the crash: $(cat "$TMP/r.err")"
grep -q '"ok": true' "$TMP/r.out" || fail "call after the crash: $(cat "$TMP/r.out")"
[ $(($(date +%s) - start)) -lt 20 ] || fail "waited for the dead refresher's lock (its lock lives 60 s)"
stats | grep -q '"refreshes": 2' || fail "the stored refresh token was not reused: $(stats)"
oauth_stop
echo ok
