# A token refresh runs off the main loop: while the provider holds its
# answer to the token request, a ping sent after the call is answered, and at
# that moment the refresh has not finished yet; then (the provider answers)
# the call completes with the new token. Ahead of expiry, then after a 401.
set -eu
. "$ROOT/tests/oauth/lib.sh"
SB="$BIN --capabilities $CASE/caps"
oauth_start --expires-in 60 --refresh-gate "$TMP/gate"
oauth_app oauthtest
oauth_connected oauthtest --name main --set "base_url=$U"

session() {
	# initialize, the call, then a ping; stdin stays open until both answers are in.
	# $1: the refreshes the provider has finished while the ping is answered.
	rm -f "$TMP/gate"
	python3 - "$SB" "$U" "$1" "$TMP/gate" <<'PY'
import json, sys, urllib.request
from mcpclient import Session
s = Session(sys.argv[1].split() + ["serve"])
call = s.request("tools/call", {"name": "oauthtest_things_list", "arguments": {}})
ping = s.request("ping")
s.answer(ping)
# The ping is answered while the refresh (the provider holds its answer) runs.
stats = json.load(urllib.request.urlopen(sys.argv[2] + "/admin/stats"))
if stats["refreshes"] != int(sys.argv[3]):
    sys.exit(f"the ping was answered only after the refresh: {stats}")
if any(m.get("id") == call for m in s.inbox):
    sys.exit("the call was answered before the ping: the ping waited for the refresh")
open(sys.argv[4], "w").close()  # the provider answers now
m = s.answer(call)
if '"ok":true' not in json.dumps(m.get("result"), separators=(",", ":")):
    sys.exit(f"call failed: {m}")
s.close()
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
