# HubSpot: the v3 token response may lack hub_id (optional in its schema);
# connect then asks the introspection endpoint and keeps hub_id in config.
# GitHub: exactly one Accept: application/json at the token endpoint, and
# its HTTP 200 error shape {error: bad_verification_code} is reported.
set -eu
. "$ROOT/tests/oauth/lib.sh"
connect() {
	oauth_connect "$@" --set "base_url=$U"
}

oauth_start
oauth_app hubspot
connect hubspot --name portal
wait $CON || fail "hubspot: $(cat "$TMP/c.err")"
sql "select config from connections where connector='hubspot'" | grep -q '"hub_id": *"4242"' ||
	fail "hub_id not stored: $(sql "select config from connections")"
curl -s "$U/admin/stats" | grep -q '"introspections": 1' || fail "stats: $(curl -s "$U/admin/stats")"

oauth_app github
connect github --name gh
wait $CON || fail "github: $(cat "$TMP/c.err")"
curl -s "$U/admin/stats" | python3 -c '
import json, sys
accepts = json.load(sys.stdin)["accept"]
assert accepts and all(a == ["application/json"] for a in accepts), accepts
' || fail "Accept headers at /token: $(curl -s "$U/admin/stats")"
oauth_stop

oauth_start --token-body '{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}'
oauth_app github
connect github --name bad
if wait $CON; then fail "bad_verification_code connected"; fi
grep -q 'github token endpoint answered HTTP 200: bad_verification_code - The code passed is incorrect or expired.' "$TMP/c.err" ||
	fail "github error: $(cat "$TMP/c.err")"
! grep -q 'at_\|rt_' "$TMP/c.err" || fail "a token in stderr"
echo ok
