# A token refresh runs off the main loop: while the provider takes 2 s to
# answer the token request, a ping sent after the call is answered, and at
# that moment the refresh has not finished yet; then the call completes with
# the new token. Ahead of expiry, then after a 401.
set -eu
. "$ROOT/tests/oauth/lib.sh"
SB="$BIN --capabilities $CASE/caps"
oauth_start --expires-in 60 --token-delay 2
oauth_app oauthtest
oauth_connected oauthtest --name main --set "base_url=$U"

session() {
	# initialize, the call, then a ping; stdin stays open until both answers are in.
	python3 - "$SB" "$U" "$1" <<'PY'
import json, subprocess, sys, urllib.request
p = subprocess.Popen(sys.argv[1].split() + ["serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
def send(m):
    p.stdin.write((json.dumps(m) + "\n").encode()); p.stdin.flush()
send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
      "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
json.loads(p.stdout.readline())
send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
      "params": {"name": "oauthtest_things_list", "arguments": {}}})
send({"jsonrpc": "2.0", "id": 2, "method": "ping"})
order = []
while len(order) < 2:
    m = json.loads(p.stdout.readline())
    if "id" in m:
        order.append(m["id"])
        if m["id"] == 2:
            stats = json.load(urllib.request.urlopen(sys.argv[2] + "/admin/stats"))
            if stats["refreshes"] != int(sys.argv[3]):
                sys.exit(f"the ping was answered only after the refresh: {stats}")
        if m["id"] == 1 and '"ok":true' not in json.dumps(m["result"], separators=(",", ":")):
            sys.exit(f"call failed: {m}")
p.stdin.close(); p.wait()
if order != [2, 1]:
    sys.exit(f"answers came in order {order}: the ping waited for the refresh")
PY
}

# Ahead of expiry (due in the last 30 s of a 60 s token; aged, not slept).
oauth_age 40
session 0 || fail "refresh ahead of expiry blocked the loop"
curl -s "$U/admin/stats" | grep -q '"refreshes": 1' || fail "refreshes: $(curl -s "$U/admin/stats")"
# After a 401.
curl -s "$U/admin/revoke-access" >/dev/null
session 1 || fail "refresh after a 401 blocked the loop"
curl -s "$U/admin/stats" | grep -q '"refreshes": 2' || fail "refreshes: $(curl -s "$U/admin/stats")"
echo ok
