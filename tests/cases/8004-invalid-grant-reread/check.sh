# After invalid_grant the connection is re-read before it is declared dead:
# a refresh is under way (the provider holds its answer) when the user
# reconnects (a new grant stored without the refresh lock) and the old grant
# is revoked. The refresh's invalid_grant must not mark the fresh connection
# needs_reconnect: the call uses the new grant. On sqlite, then PostgreSQL.
set -eu
. "$ROOT/tests/oauth/lib.sh"
. "$ROOT/tests/pg/lib.sh"
SB="$BIN --capabilities $CASE/caps"
token_requests() { curl -s -f "$U/admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token_requests"])'; }
refresh_sent() { [ "$(token_requests)" -gt "$1" ]; }
scenario() {
	rm -f "$TMP/gate"
	oauth_start --refresh-gate "$TMP/gate"
	oauth_app oauthtest
	oauth_connected oauthtest --name main --set "base_url=$U"
	curl -s -f "$U/admin/revoke-access" >/dev/null || fail "revoke-access"
	n=$(token_requests)
	$SB call oauthtest_things_list '{}' >"$TMP/a.out" 2>"$TMP/a.err" &
	A=$!
	# The refresh request has reached the provider, which holds its answer;
	# now the old grant dies and a new one is stored, as a reconnect would.
	wait_until 30 "the refresh request" refresh_sent "$n"
	curl -s -f "$U/admin/revoke-refresh" >/dev/null || fail "revoke-refresh"
	curl -s -f "$U/admin/issue" | python3 -c 'import json,sys; g=json.load(sys.stdin); print(json.dumps({"access_token": g["access_token"], "refresh_token": g["refresh_token"]}))' |
		$SB connections edit main --secret-stdin >/dev/null 2>"$TMP/e.err" || fail "edit: $(cat "$TMP/e.err")"
	touch "$TMP/gate" # the provider answers now: invalid_grant
	wait $A || fail "$1: the call failed: $(cat "$TMP/a.out" "$TMP/a.err")"
	grep -q '"ok": true' "$TMP/a.out" || fail "$1: the call: $(cat "$TMP/a.out")"
	[ "$(sql "select status from connections where name='main'")" = "[('ok',)]" ] ||
		fail "$1: status $(sql "select status from connections where name='main'")"
	curl -s "$U/admin/stats" | grep -q '"refreshes": 0' || fail "$1: stats $(curl -s "$U/admin/stats")"
	oauth_stop
}
scenario sqlite
pg_start
scenario postgres
echo ok
