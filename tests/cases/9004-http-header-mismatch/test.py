import base64
import json
import os
import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1], ["--store", os.environ["TMP"] + "/s.db", "--connectors", "stripe",
                           "--mode", "static"])
MISMATCH = -32020


def refused(r, what, id=None):
    expect(r.status == 400 and r.json["error"]["code"] == MISMATCH and r.json.get("id") == id,
           what + ": 400 HeaderMismatch", r)
    expect(r.json["error"]["message"].startswith("Header mismatch: "), what + ": the message", r)


lst = modern(1, "tools/list")
refused(srv.post(lst, headers={"Mcp-Method": "prompts/list"}), "a different method", 1)
refused(srv.post(lst, headers={"Mcp-Method": None}), "no Mcp-Method", 1)
refused(srv.post(lst, headers={"Mcp-Method": "TOOLS/LIST"}), "values are case-sensitive", 1)
r = srv.post(lst, headers={"mcp-method": "  tools/list "})
expect(r.status == 200, "header names are case-insensitive, values trimmed", r)
refused(srv.post(lst, headers={"MCP-Protocol-Version": None}), "no MCP-Protocol-Version", 1)
refused(srv.post(lst, headers={"MCP-Protocol-Version": "2025-11-25"}), "a different version", 1)

tools = srv.post(lst).json["result"]["tools"]
t = next(t for t in tools if t["name"] == "stripe_customers_list")
conn = t["inputSchema"]["properties"]["connection"]
expect(conn.get("x-mcp-header") == "Connection", "connection is mirrored into a header", conn)

def call(id, args):
    return modern(id, "tools/call", {"name": "stripe_customers_list", "arguments": args})

refused(srv.post(call("n", {}), headers={"Mcp-Name": "stripe_customers_create"}), "a different name", "n")
refused(srv.post(call("n", {}), headers={"Mcp-Name": None}), "no Mcp-Name", "n")
b64 = "=?base64?" + base64.b64encode(b"stripe_customers_list").decode() + "?="
r = srv.post(call(2, {}), headers={"Mcp-Name": b64})
expect(r.status == 200 and "result" in r.json, "a base64 Mcp-Name", r)

refused(srv.post(call(3, {"connection": "two"})), "connection without its header", 3)
refused(srv.post(call(4, {"connection": "two"}), headers={"Mcp-Param-Connection": "one"}),
        "a different connection header", 4)
refused(srv.post(call(5, {}), headers={"Mcp-Param-Connection": "one"}),
        "a connection header without the argument", 5)
refused(srv.post(call(6, {"connection": "two"}), headers={"Mcp-Param-Connection": "=?base64?dHc?="}),
        "bad base64 padding", 6)
refused(srv.post(call(7, {"connection": "two"}), headers={"Mcp-Param-Connection": "=?base64?dH!v?="}),
        "bad base64 characters", 7)
r = srv.post(call(8, {"connection": "two"}), headers={"mcp-param-connection": "two"})
expect(r.status == 200 and r.json["result"]["structuredContent"]["data"] == [{"id": "cus_1"}],
       "a matching connection header", r)
r = srv.post(call(9, {"connection": "two"}),
             headers={"Mcp-Param-Connection": "=?base64?" + base64.b64encode(b"two").decode() + "?="})
expect(r.status == 200 and "result" in r.json, "a base64 connection header", r)
srv.stop()
seen = [json.loads(l) for l in open(os.environ["TMP"] + "/stub-requests.jsonl")]
keys = [s["headers"].get("authorization") for s in seen]
expect(keys == ["Bearer sk_test_one1234567"] + ["Bearer sk_test_two1234567"] * 2,
       "only the three accepted calls reached the vendor, each on its connection", keys)
print("ok")
