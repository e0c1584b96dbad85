import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1])
r = srv.post(modern(7, "tools/list"))
expect(r.status == 200 and r.ctype.startswith("application/json"), "tools/list: JSON", r)
expect(r.json["id"] == 7 and isinstance(r.json["result"]["tools"], list), "tools/list result", r)
expect("mcp-session-id" not in r.headers, "no session id", r.headers)
names = [t["name"] for t in r.json["result"]["tools"]]
expect("switchboard_connections" in names, "the tool list", names)

r = srv.post(modern("d", "server/discover"))
expect(r.status == 200 and r.json["id"] == "d" and "2026-07-28" in r.json["result"]["supportedVersions"],
       "server/discover", r)

# A 2025-11-25 client: initialize (no version header yet), then requests
# that carry the negotiated version in the header; none gets a session.
init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "t", "version": "1"}}}
r = srv.post(init, version=None, headers={"Mcp-Method": None})
expect(r.status == 200 and r.json["result"]["protocolVersion"] == "2025-11-25", "initialize", r)
expect("mcp-session-id" not in r.headers, "no session id on initialize", r.headers)
r = srv.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, version="2025-11-25")
expect(r.status == 202 and r.body == b"", "a notification gets 202 and no body", r)
r = srv.post({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}, version="2025-11-25")
expect(r.status == 200 and r.json["id"] == 2 and "tools" in r.json["result"], "legacy tools/list", r)
expect("resultType" not in r.json["result"], "a legacy result has no resultType", r.json)
# An initialize-era method for a 2026-07-28 client is not found: 404 with -32601.
r = srv.post(modern(3, "ping"))
expect(r.status == 404 and r.json["error"]["code"] == -32601, "ping is not 2026-07-28", r)
# A response from the client (nothing of ours asked): 202, nothing sent.
r = srv.post({"jsonrpc": "2.0", "id": "x", "result": {}}, version="2025-11-25")
expect(r.status == 202, "a response gets 202", r)
srv.stop()
print("ok")
