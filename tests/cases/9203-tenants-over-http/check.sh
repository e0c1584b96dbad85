# Tenancy end to end over serve --http with the team's static tokens: alice,
# bob and carol (group finance) each see and use only their own connections
# and those granted to their groups. Naming someone else's connection is
# answered like an unknown one; tools/list differs per caller; the audit log
# names who called; a confirmation asked of alice is no good for bob.
set -eu
fail() { echo "FAIL: $*"; exit 1; }
umask 077
for who in alice bob carol dave; do
	h=$(echo "token-of-$who-0123456789" | "$BIN" auth hash-token) || fail "hash-token"
	case $who in carol) g=finance ;; *) g= ;; esac
	echo "$h $who $g" >>"$TMP/tokens"
done
echo '{"resource": "http://127.0.0.1/mcp", "tokens_file": "tokens"}' >"$TMP/auth.json"
python3 - "$BIN" "$TMP/auth.json" <<'PY'
import json, os, sys
from mcphttp import Server, modern, expect
srv = Server(sys.argv[1], ["--auth-config", sys.argv[2]], store=False,
             options=["--connectors", "stripe", "--mode", "static"])
def as_(who, msg, headers=None):
    h = {"Authorization": "Bearer token-of-%s-0123456789" % who}
    h.update(headers or {})
    r = srv.post(msg, headers=h)
    expect(r.status == 200, "%s: HTTP %d" % (who, r.status), r)
    return r.json
def names(who):
    tools = as_(who, modern(1, "tools/list"))["result"]["tools"]
    read = [t for t in tools if t["name"] == "stripe_customers_read"]
    if not read:
        return None
    # One connection to choose from: no connection argument at all.
    return read[0]["inputSchema"]["properties"].get("connection", {}).get("enum", "one")
expect(names("alice") == ["alice-acct", "alice-2nd"], "alice's names", names("alice"))
expect(names("bob") == "one", "bob's names", names("bob"))
expect(names("carol") == "one", "carol's (granted) names", names("carol"))
expect(names("dave") is None, "dave sees no stripe tools", names("dave"))
def read(who, conn):
    args = {"id": "cus_NffrFeUfNV2Hib"}
    h = {}
    if conn:
        args["connection"] = h["Mcp-Param-Connection"] = conn
    return as_(who, modern(2, "tools/call", {"name": "stripe_customers_read", "arguments": args}), h)
ok = read("carol", None)  # her one connection: bob's, granted to finance
expect(not ok["result"].get("isError") and ok["result"]["structuredContent"]["data"]["id"] == "cus_NffrFeUfNV2Hib", "carol on bob's granted connection", ok)
ok = read("bob", None)
expect(not ok["result"].get("isError"), "bob's own default", ok)
foreign, unknown = read("alice", "bob-acct"), read("alice", "nosuch")
expect(foreign.get("error") or foreign["result"].get("isError"), "alice used bob's connection", foreign)
same = lambda m: json.dumps(m).replace("bob-acct", "NAME").replace("nosuch", "NAME")
expect(same(foreign) == same(unknown), "someone else's connection is told apart from an unknown one", (foreign, unknown))
# A confirmation asked of bob (on his connection, granted to carol) is no
# good for carol, though tool, connection and arguments are the same.
caps = {"io.modelcontextprotocol/clientCapabilities": {"elicitation": {"form": {}}}}
refund = {"name": "stripe_refunds_create", "arguments": {"charge": "ch_1", "amount": 500}}
asked = as_("bob", modern(3, "tools/call", refund, caps))["result"]
expect(asked.get("resultType") == "input_required", "bob was asked", asked)
yes = dict(refund, requestState=asked["requestState"],
           inputResponses={"confirm": {"action": "accept", "content": {"confirm": True}}})
r = as_("carol", modern(4, "tools/call", yes, caps))["result"]
expect(r.get("isError") and "given to another caller" in r["content"][0]["text"], "carol used bob's yes", r)
err = srv.stop()
expect("token-of-" not in err, "a token in the log", err)
PY
"$BIN" audit export >"$TMP/audit.jsonl"
python3 - "$TMP/audit.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = sorted((r.get("subject"), r.get("connection"), r.get("outcome")) for r in rows
             if r.get("tool") == "stripe_customers_read")
assert ("carol", "bob-acct", "ok") in got and ("bob", "bob-acct", "ok") in got, got
assert any(s == "alice" and o == "refused" for s, c, o in got), got
PY
# Only carol's and bob's reads reached the vendor, and no refund.
n=$(grep -c '"path": "/v1/customers/cus_NffrFeUfNV2Hib"' "$TMP/stub-requests.jsonl" || true)
[ "$n" = 2 ] || fail "$n reads reached the vendor, not 2"
! grep -q '/v1/refunds' "$TMP/stub-requests.jsonl" || fail "a refund reached the vendor"
echo ok
