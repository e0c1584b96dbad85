# kill -9 at the worst moments of a refresh (SWITCHBOARD_FAULT, see
# fault_point in src/base/util.h): the connection must stay usable.
#  - after the token response, before the store write: the rotated refresh
#    token is lost; the dead process's lock is taken over at once, and a
#    vendor with a retry window (Xero: 30 min) still takes the stored one;
#    a vendor without one answers invalid_grant: needs_reconnect, said so.
#  - after the store write, before the call: the new token is used as is.
set -eu
. "$ROOT/tests/oauth/lib.sh"
SB="$BIN --capabilities $CASE/caps"
connect() {
	oauth_app oauthtest
	oauth_connected oauthtest --name main --set "base_url=$U"
}
stats() { curl -s "$U/admin/stats"; }
call() { $SB call oauthtest_things_list '{}' >"$TMP/r.out" 2>>"$TMP/r.err"; }
crash() {
	rc=0
	SWITCHBOARD_FAULT=$1 $SB call oauthtest_things_list '{}' >"$TMP/k.out" 2>>"$TMP/r.err" || rc=$?
	[ "$rc" = 137 ] || fail "the $1 fault did not kill the call (exit $rc)"
}

# A vendor with a retry window for the previous refresh token.
oauth_start --grace 60
connect
curl -s "$U/admin/revoke-access" >/dev/null
crash oauth_before_store
stats | grep -q '"refreshes": 1' || fail "no refresh before the crash: $(stats)"
sql "select count(*) from locks" | grep -q '(1,)' || fail "the crash left no lock row to take over"
call || fail "call after the crash: $(cat "$TMP/r.out" "$TMP/r.err")"
grep -q '"ok": true' "$TMP/r.out" || fail "call after the crash: $(cat "$TMP/r.out")"
stats | grep -q '"refreshes": 2' || fail "the stored refresh token was not reused: $(stats)"

# A crash after the write: the next process uses the stored token, no refresh.
curl -s "$U/admin/revoke-access" >/dev/null
crash oauth_after_store
stats | grep -q '"refreshes": 3' || fail "refreshes: $(stats)"
call || fail "call after the second crash: $(cat "$TMP/r.out" "$TMP/r.err")"
stats | grep -q '"refreshes": 3' || fail "refreshed again instead of using the stored token: $(stats)"
oauth_stop

# A strict vendor: the lost rotation cannot be undone; the user is told to reconnect.
oauth_start
connect
curl -s "$U/admin/revoke-access" >/dev/null
crash oauth_before_store
if call; then fail "a revoked refresh token worked"; fi
grep -q 'switchboard connect oauthtest --name main' "$TMP/r.out" "$TMP/r.err" ||
	fail "no reconnect advice: $(cat "$TMP/r.out")"
sql "select status from connections" | grep -q needs_reconnect || fail "status not needs_reconnect"

! grep -q 'at_\|rt_' "$TMP/r.err" "$TMP/c.err" || fail "a token in stderr"
echo ok
