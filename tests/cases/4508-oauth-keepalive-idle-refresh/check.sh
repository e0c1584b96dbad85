# Refresh tokens that die when unused: switchboard records when (the token
# response's refresh_token_expires_in, else the method's
# refresh_token_lifetime_s) and `connections refresh --if-due` renews only
# those past half their life; an idle connection left alone dies. webhooks
# serve --poll-interval does the same on each interval.
set -eu
. "$ROOT/tests/oauth/lib.sh"
WH=
trap 'oauth_cleanup; [ -z "$WH" ] || kill $WH 2>/dev/null || true' EXIT
SB="$BIN --capabilities $CASE/caps"
start() {
	oauth_start "$@"
	oauth_app oauthtest
}
connect() {
	oauth_connected oauthtest --name "$1" --set "base_url=$U"
}
refreshes() { curl -s "$U/admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["refreshes"])'; }

# Refresh tokens live 80 s unused, and the token response says so. Time
# passes by oauth_age (provider and store), not by sleeping.
start --refresh-expires-in 80
connect a
connect b
sql "select config from connections where name='a'" | grep -q '"refresh_token_expires_at": *[0-9]' ||
	fail "no refresh token expiry recorded: $(sql "select config from connections")"
sql "select config from connections where name='a'" | grep -q '"refresh_token_lifetime_s": *80' ||
	fail "no refresh token lifetime recorded: $(sql "select config from connections")"

$SB connections refresh --if-due >"$TMP/r.out" 2>"$TMP/r.err" || fail "fresh --if-due: $(cat "$TMP/r.err")"
grep -q '^not due oauthtest/a' "$TMP/r.out" || fail "a not reported: $(cat "$TMP/r.out")"
grep -q '^not due oauthtest/b' "$TMP/r.out" || fail "b not reported: $(cat "$TMP/r.out")"
[ "$(refreshes)" = 0 ] || fail "a fresh connection was refreshed"

# Past half its life: --if-due renews a (named), and then a is not due again.
oauth_age 50
$SB connections refresh --if-due a >"$TMP/r.out" 2>"$TMP/r.err" || fail "--if-due a: $(cat "$TMP/r.err")"
grep -q '^refreshed oauthtest/a, refresh token valid until 20' "$TMP/r.out" || fail "a not refreshed: $(cat "$TMP/r.out")"
[ "$(refreshes)" = 1 ] || fail "refreshes after --if-due a: $(refreshes)"
$SB --json connections refresh --if-due a >"$TMP/r.out" 2>"$TMP/r.err" || fail "--if-due a again"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r) == 1 and r[0]["connection"] == "oauthtest/a" and r[0]["result"] == "not_due", r
assert isinstance(r[0]["refresh_token_expires_at"], int), r
' "$TMP/r.out" || fail "--json: $(cat "$TMP/r.out")"
[ "$(refreshes)" = 1 ] || fail "a freshly renewed token was refreshed again"

# b was left idle past its refresh token's life: it is dead, and said so.
oauth_age 40
if $SB connections refresh b >"$TMP/r.out" 2>"$TMP/r.err"; then fail "a dead refresh token refreshed"; fi
grep -q 'oauthtest/b: refresh failed: .*invalid_grant.*switchboard connect oauthtest --name b' "$TMP/r.err" ||
	fail "dead token message: $(cat "$TMP/r.err")"
sql "select status from connections where name='b'" | grep -q needs_reconnect || fail "b not needs_reconnect"
# a, kept alive, still refreshes (forced, without --if-due).
$SB connections refresh a >"$TMP/r.out" 2>"$TMP/r.err" || fail "a after keep-alive: $(cat "$TMP/r.err")"
grep -q '^refreshed oauthtest/a' "$TMP/r.out" || fail "a: $(cat "$TMP/r.out")"
[ "$(refreshes)" = 2 ] || fail "refreshes: $(refreshes)"
# All with --if-due: b needs reconnecting (reported, not tried: exit 1), a is not due.
if $SB connections refresh --if-due >"$TMP/r.out" 2>"$TMP/r.err"; then fail "--if-due hid b's failure"; fi
grep -q 'oauthtest/b: refresh failed: it needs reconnecting: switchboard connect oauthtest --name b' "$TMP/r.err" ||
	fail "needs_reconnect message: $(cat "$TMP/r.err")"
grep -q '^not due oauthtest/a' "$TMP/r.out" || fail "a in the run over all: $(cat "$TMP/r.out")"
[ "$(refreshes)" = 2 ] || fail "refreshes after --if-due over all: $(refreshes)"
if $SB connections refresh nosuch >"$TMP/r.out" 2>"$TMP/r.err"; then fail "unknown connection refreshed"; fi
grep -q "nosuch: refresh failed: " "$TMP/r.err" || fail "unknown name: $(cat "$TMP/r.err")"
$SB connections remove oauthtest/a >/dev/null 2>&1
$SB connections remove oauthtest/b >/dev/null 2>&1
oauth_stop

# A vendor that does not say (Xero): the method's refresh_token_lifetime_s
# (80 s in this connector file). webhooks serve's poller keeps it alive.
start
connect c
sql "select config from connections where name='c'" | grep -q '"refresh_token_lifetime_s": *80' ||
	fail "method lifetime not recorded: $(sql "select config from connections")"
oauth_age 50
$BIN --capabilities "$CASE/caps" webhooks serve --listen 127.0.0.1:0 --port-file "$TMP/wp" \
	--poll-interval 1 2>"$TMP/wh.err" &
WH=$!
i=0
until [ "$(refreshes)" -ge 1 ]; do
	i=$((i + 1))
	[ $i -lt 400 ] || fail "webhooks serve did not keep c alive: $(cat "$TMP/wh.err")"
	sleep 0.05
done
[ "$(refreshes)" -le 2 ] || fail "webhooks serve refreshed too often: $(refreshes)"
kill $WH; wait $WH 2>/dev/null || true
WH=
grep -q 'refreshed oauthtest/c to keep it alive' "$TMP/wh.err" || fail "serve log: $(cat "$TMP/wh.err")"
$SB call oauthtest_things_list '{}' | grep -q '"ok": true' || fail "call on c"
# Connected before the expiry was recorded: --if-due refreshes once to learn it.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"update connections set config=json_remove(config,'\$.refresh_token_expires_at')\"); c.commit()" "$DB"
n=$(refreshes)
$SB connections refresh --if-due >"$TMP/r.out" 2>"$TMP/r.err" || fail "legacy --if-due: $(cat "$TMP/r.err")"
grep -q '^refreshed oauthtest/c, refresh token valid until' "$TMP/r.out" || fail "legacy c: $(cat "$TMP/r.out")"
[ "$(refreshes)" = $((n + 1)) ] || fail "legacy refreshes: $(refreshes)"
$SB connections refresh --if-due >"$TMP/r.out" 2>"$TMP/r.err" || fail "legacy --if-due again"
grep -q '^not due oauthtest/c' "$TMP/r.out" || fail "legacy c again: $(cat "$TMP/r.out")"
! grep -q 'at_\|rt_' "$TMP/r.err" "$TMP/c.err" "$TMP/wh.err" || fail "a token in stderr"
echo ok
