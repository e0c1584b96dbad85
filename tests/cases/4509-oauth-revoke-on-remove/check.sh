# connections remove revokes an OAuth connection's grant at the vendor first,
# in each vendor's shape as the real connector files declare it (pointed at
# the loopback provider with oauth-app set --revoke-url, GitHub through the
# connection's base_url): the exact request, the token dead afterwards;
# --keep-grant sends nothing; a failed revocation (HTTP 503, nothing
# listening) keeps the connection and exits 1, unless --force; no token is
# ever printed.
set -eu
. "$ROOT/tests/oauth/lib.sh"
: >"$TMP/tokens"
: >"$TMP/all"

# app SLUG [REVOKE_PATH]: SLUG's OAuth app at the provider (cid / csecret).
app() {
	printf csecret | $BIN oauth-app set "$1" --client-id cid --client-secret-stdin \
		--authorize-url "$U/authorize" --token-url "$U/token" \
		${2:+--revoke-url "$U$2"} >/dev/null
}
# add SLUG NAME [ARGS...]: a connection holding a fresh grant of the
# provider; sets AT and RT.
add() {
	slug=$1 name=$2
	shift 2
	curl -s "$U/admin/issue" >"$TMP/grant.json"
	AT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$TMP/grant.json")
	RT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["refresh_token"])' "$TMP/grant.json")
	echo "$AT" >>"$TMP/tokens"
	echo "$RT" >>"$TMP/tokens"
	printf '{"access_token": "%s", "refresh_token": "%s"%s}' "$AT" "$RT" "${MORE:-}" |
		$BIN connections add "$slug" --name "$name" --set "base_url=$U" "$@" --secret-stdin \
			>/dev/null || fail "add $slug"
}
# remove ARGS...: connections remove ARGS; output in $TMP/r.out, r.err; the
# exit status in RC.
remove() {
	RC=0
	$BIN connections remove "$@" >"$TMP/r.out" 2>"$TMP/r.err" || RC=$?
	cat "$TMP/r.out" "$TMP/r.err" >>"$TMP/all"
}
# api TOKEN: the provider's HTTP status for a call with TOKEN.
api() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$U/api/me"; }
nrev() { curl -s "$U/admin/revocations" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
# rev INDEX EXPECTED_JSON: the provider's revocation request INDEX is exactly this.
rev() {
	curl -s "$U/admin/revocations" | python3 -c '
import json, sys
got = json.load(sys.stdin)[int(sys.argv[1])]
want = json.loads(sys.argv[2])
assert got == want, "\n got: %s\nwant: %s" % (json.dumps(got), json.dumps(want))
' "$1" "$2" || fail "revocation request $1"
}
exists() { $BIN connections list --json | grep -q "\"name\":\"$1\""; }
B='"Basic cid:csecret"'

oauth_start

# Xero: RFC 7009, Basic, form token=<refresh token>.
app xero /connect/revocation
add xero x --set tenant_id=00000000-0000-0000-0000-000000000001
[ "$(api "$AT")" = 200 ] || fail "xero token not live before"
remove x
[ $RC = 0 ] || fail "xero remove: $(cat "$TMP/r.err")"
grep -q '^revoked the grant of xero/x at xero$' "$TMP/r.out" || fail "xero out: $(cat "$TMP/r.out")"
grep -q '^removed xero/x$' "$TMP/r.out" || fail "xero not removed: $(cat "$TMP/r.out")"
rev 0 '{"method": "POST", "path": "/connect/revocation", "authorization": '"$B"',
 "content_type": "application/x-www-form-urlencoded", "accept": "application/json",
 "body": {"token": "'"$RT"'"}}'
[ "$(api "$AT")" = 401 ] || fail "xero access token still accepted"
exists x && fail "xero connection still there"

# QuickBooks: Basic, JSON {"token": <refresh token>}, Accept: application/json.
app quickbooks /v2/oauth2/tokens/revoke
add quickbooks q --set realmId=123
remove q
[ $RC = 0 ] || fail "quickbooks remove: $(cat "$TMP/r.err")"
rev 1 '{"method": "POST", "path": "/v2/oauth2/tokens/revoke", "authorization": '"$B"',
 "content_type": "application/json", "accept": "application/json",
 "body": {"token": "'"$RT"'"}}'
[ "$(api "$AT")" = 401 ] || fail "quickbooks access token still accepted"

# HubSpot 2026-03: form client_id, client_secret, token, token_type_hint.
app hubspot /oauth/2026-03/token/revoke
add hubspot h
remove h
[ $RC = 0 ] || fail "hubspot remove: $(cat "$TMP/r.err")"
rev 2 '{"method": "POST", "path": "/oauth/2026-03/token/revoke", "authorization": "",
 "content_type": "application/x-www-form-urlencoded", "accept": "application/json",
 "body": {"token_type_hint": "refresh_token", "token": "'"$RT"'", "client_id": "cid",
          "client_secret": "csecret"}}'
[ "$(api "$AT")" = 401 ] || fail "hubspot access token still accepted"

# GitHub: DELETE {base_url}/applications/cid/grant, Basic, JSON access_token.
app github
add github g
remove g
[ $RC = 0 ] || fail "github remove: $(cat "$TMP/r.err")"
rev 3 '{"method": "DELETE", "path": "/applications/cid/grant", "authorization": '"$B"',
 "content_type": "application/json", "accept": "application/vnd.github+json",
 "body": {"access_token": "'"$AT"'"}}'
[ "$(api "$AT")" = 401 ] || fail "github access token still accepted"

# --keep-grant: nothing is sent, the token still works.
add github kept
remove kept --keep-grant
[ $RC = 0 ] || fail "keep-grant remove: $(cat "$TMP/r.err")"
[ "$(nrev)" = 4 ] || fail "--keep-grant sent a revocation"
[ "$(api "$AT")" = 200 ] || fail "--keep-grant token no longer accepted"
exists kept && fail "--keep-grant did not remove"

# A failing revocation keeps the connection (exit 1) unless --force.
curl -s "$U/admin/revoke-fail?status=503" >/dev/null
add github f
remove f
[ $RC = 1 ] || fail "503 revocation: exit $RC"
grep -q 'cannot revoke the grant of github/f at the vendor: the github revocation endpoint answered HTTP 503: temporarily_unavailable - try again later' "$TMP/r.err" ||
	fail "503 message: $(cat "$TMP/r.err")"
grep -q 'kept github/f so the revocation can be retried' "$TMP/r.err" || fail "no retry hint: $(cat "$TMP/r.err")"
exists f || fail "connection removed after a failed revocation"
[ "$(api "$AT")" = 200 ] || fail "token dead after a failed revocation"
curl -s "$U/admin/revoke-fail?status=0" >/dev/null
remove f
[ $RC = 0 ] || fail "retry: $(cat "$TMP/r.err")"
[ "$(api "$AT")" = 401 ] || fail "retry did not revoke"
curl -s "$U/admin/revoke-fail?status=400" >/dev/null
add github f2
remove f2 --force
[ $RC = 0 ] || fail "--force: exit $RC"
grep -q 'answered HTTP 400' "$TMP/r.err" || fail "--force message: $(cat "$TMP/r.err")"
grep -q -- '--force: removing github/f2 here anyway' "$TMP/r.err" || fail "--force warning: $(cat "$TMP/r.err")"
exists f2 && fail "--force did not remove"
curl -s "$U/admin/revoke-fail?status=0" >/dev/null

# Nothing listening: the same. Port 1, not a port found free here: another
# case running at the same time could be listening there by the time of use.
PORT=1
printf csecret | $BIN oauth-app set xero --client-id cid --client-secret-stdin \
	--token-url "$U/token" --revoke-url "http://127.0.0.1:$PORT/connect/revocation" >/dev/null
add xero down --set tenant_id=00000000-0000-0000-0000-000000000001
remove down
[ $RC = 1 ] || fail "unreachable: exit $RC"
grep -q 'cannot reach the xero revocation endpoint' "$TMP/r.err" || fail "unreachable: $(cat "$TMP/r.err")"
exists down || fail "removed although the vendor was unreachable"
remove down --force
[ $RC = 0 ] || fail "unreachable --force: exit $RC"

# Over plain http to another host: refused before anything is sent.
printf csecret | $BIN oauth-app set xero --client-id cid --client-secret-stdin \
	--token-url "$U/token" --revoke-url "http://revoke.example/connect/revocation" >/dev/null
add xero plain --set tenant_id=00000000-0000-0000-0000-000000000001
remove plain
[ $RC = 1 ] || fail "plain http: exit $RC"
grep -q 'refusing to send xero tokens over plain http' "$TMP/r.err" || fail "plain http: $(cat "$TMP/r.err")"
$BIN connections remove plain --keep-grant >/dev/null

# Shopify declares no revocation: removed, with a note saying the grant stays.
MORE=', "client_secret": "csecret"' add shopify s --set shop=teststore --set client_id=cid
remove s
[ $RC = 0 ] || fail "shopify: exit $RC"
grep -q 'shopify has no token revocation endpoint' "$TMP/r.err" || fail "shopify note: $(cat "$TMP/r.err")"
oauth_stop

# Slack: connected for real (the user token nested under authed_user is
# sealed); remove revokes the bot token, then the user token, each as its
# own Bearer credential with an empty form. A token already dead counts as revoked.
oauth_start --slack
app slack /api/auth.revoke
oauth_connected slack --name ws --set "base_url=$U"
remove ws
[ $RC = 0 ] || fail "slack remove: $(cat "$TMP/r.err")"
curl -s "$U/admin/revocations" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert len(r) == 2, r
for x in r:
    assert x["method"] == "POST" and x["path"] == "/api/auth.revoke", x
    assert x["content_type"] == "application/x-www-form-urlencoded" and x["body"] == {} and x["accept"] == "application/json", x
assert r[0]["authorization"].startswith("Bearer at_"), r[0]
assert r[1]["authorization"].startswith("Bearer xoxp-"), r[1]
for x in r:
    print(x["authorization"][7:])
' >"$TMP/slack.tokens" || fail "slack requests: $(curl -s "$U/admin/revocations")"
cat "$TMP/slack.tokens" >>"$TMP/tokens"
while read -r t; do
	[ "$(api "$t")" = 401 ] || fail "slack token still accepted"
done <"$TMP/slack.tokens"
oauth_connected slack --name ws2 --set "base_url=$U"
curl -s "$U/admin/revoke-access" >/dev/null
remove ws2
[ $RC = 0 ] || fail "slack already revoked: $(cat "$TMP/r.err")"

# No token in anything printed.
while read -r t; do
	! grep -qF "$t" "$TMP/all" || fail "a token was printed"
done <"$TMP/tokens"
echo ok
