# kill -9 at the worst moments of a refresh (SWITCHBOARD_FAULT, see
# fault_point in src/util.h): the connection must stay usable.
#  - after the token response, before the store write: the rotated refresh
#    token is lost; the dead process's lock is taken over at once, and a
#    vendor with a retry window (Xero: 30 min) still takes the stored one;
#    a vendor without one answers invalid_grant: needs_reconnect, said so.
#  - after the store write, before the call: the new token is used as is.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
start() {
	rm -f "$TMP/op"
	python3 "$ROOT/tests/oauth/oauth_server.py" --port-file "$TMP/op" "$@" &
	SRV=$!
	while [ ! -s "$TMP/op" ]; do sleep 0.05; done
	U="http://127.0.0.1:$(cat "$TMP/op")"
}
trap 'kill $SRV 2>/dev/null || true' EXIT
SB="$BIN --capabilities $CASE/caps"
DB="$XDG_DATA_HOME/switchboard/switchboard.db"
sql() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall())" "$DB" "$1"; }
connect() {
	printf csecret | $SB oauth-app set oauthtest --client-id cid --client-secret-stdin \
		--authorize-url "$U/authorize" --token-url "$U/token" >/dev/null
	$SB connect oauthtest --no-browser --name main --set "base_url=$U" >"$TMP/c.out" 2>"$TMP/c.err" &
	CON=$!
	for i in $(seq 200); do grep -q '^http' "$TMP/c.out" && break; sleep 0.05; done
	curl -s -L -o /dev/null "$(grep '^http' "$TMP/c.out")"
	wait $CON || fail "connect: $(cat "$TMP/c.err")"
}
stats() { curl -s "$U/admin/stats"; }
call() { $SB call oauthtest_things_list '{}' >"$TMP/r.out" 2>>"$TMP/r.err"; }
crash() {
	rc=0
	SWITCHBOARD_FAULT=$1 $SB call oauthtest_things_list '{}' >"$TMP/k.out" 2>>"$TMP/r.err" || rc=$?
	[ "$rc" = 137 ] || fail "the $1 fault did not kill the call (exit $rc)"
}

# A vendor with a retry window for the previous refresh token.
start --grace 60
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
kill $SRV; wait $SRV 2>/dev/null || true

# A strict vendor: the lost rotation cannot be undone; the user is told to reconnect.
start
connect
curl -s "$U/admin/revoke-access" >/dev/null
crash oauth_before_store
if call; then fail "a revoked refresh token worked"; fi
grep -q 'switchboard connect oauthtest --name main' "$TMP/r.out" "$TMP/r.err" ||
	fail "no reconnect advice: $(cat "$TMP/r.out")"
sql "select status from connections" | grep -q needs_reconnect || fail "status not needs_reconnect"

! grep -q 'at_\|rt_' "$TMP/r.err" "$TMP/c.err" || fail "a token in stderr"
echo ok
