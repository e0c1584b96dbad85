# HubSpot: the v3 token response may lack hub_id (optional in its schema);
# connect then asks the introspection endpoint and keeps hub_id in config.
# GitHub: exactly one Accept: application/json at the token endpoint, and
# its HTTP 200 error shape {error: bad_verification_code} is reported.
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
app() {
	printf csecret | $BIN oauth-app set "$1" --client-id cid --client-secret-stdin \
		--authorize-url "$U/authorize" --token-url "$U/token" >/dev/null
}
connect() {
	$BIN connect "$@" --no-browser --set "base_url=$U" >"$TMP/c.out" 2>"$TMP/c.err" &
	CON=$!
	for i in $(seq 200); do grep -q '^http' "$TMP/c.out" && break; sleep 0.05; done
	curl -s -L -o "$TMP/page.html" "$(grep '^http' "$TMP/c.out")"
}
sql() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall())" "$XDG_DATA_HOME/switchboard/switchboard.db" "$1"; }

start
app hubspot
connect hubspot --name portal
wait $CON || fail "hubspot: $(cat "$TMP/c.err")"
sql "select config from connections where connector='hubspot'" | grep -q '"hub_id": *"4242"' ||
	fail "hub_id not stored: $(sql "select config from connections")"
curl -s "$U/admin/stats" | grep -q '"introspections": 1' || fail "stats: $(curl -s "$U/admin/stats")"

app github
connect github --name gh
wait $CON || fail "github: $(cat "$TMP/c.err")"
curl -s "$U/admin/stats" | python3 -c '
import json, sys
accepts = json.load(sys.stdin)["accept"]
assert accepts and all(a == ["application/json"] for a in accepts), accepts
' || fail "Accept headers at /token: $(curl -s "$U/admin/stats")"
kill $SRV; wait $SRV 2>/dev/null || true

start --token-body '{"error":"bad_verification_code","error_description":"The code passed is incorrect or expired."}'
app github
connect github --name bad
if wait $CON; then fail "bad_verification_code connected"; fi
grep -q 'github token endpoint answered HTTP 200: bad_verification_code - The code passed is incorrect or expired.' "$TMP/c.err" ||
	fail "github error: $(cat "$TMP/c.err")"
! grep -q 'at_\|rt_' "$TMP/c.err" || fail "a token in stderr"
echo ok
