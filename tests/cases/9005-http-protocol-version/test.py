import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1])
for bad in ("2099-01-01", "2024-10-07", "latest"):
    r = srv.post(modern(1, "tools/list"), headers={"MCP-Protocol-Version": bad})
    expect(r.status == 400 and r.json["error"]["code"] == -32022 and r.json["id"] == 1,
           "version %s: 400 UnsupportedProtocolVersion" % bad, r)
    data = r.json["error"].get("data", {})
    expect(data.get("requested") == bad and "2026-07-28" in data.get("supported", []) and
           "2025-11-25" in data["supported"], "the supported versions", data)
legacy = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
r = srv.post(legacy, headers={"MCP-Protocol-Version": "2099-01-01"})
expect(r.status == 400 and r.json["error"]["code"] == -32022, "a legacy request too", r)
# No header: 2025-03-26, served without any initialize on this server.
r = srv.post(legacy, version=None, headers={"Mcp-Method": None})
expect(r.status == 200 and r.json["id"] == 2 and "tools" in r.json["result"], "no header", r)
r = srv.post(legacy, version="2025-06-18")
expect(r.status == 200 and "tools" in r.json["result"], "2025-06-18", r)
# A 2026-07-28 header, but the body is not a 2026-07-28 request.
r = srv.post(legacy)
expect(r.status == 400 and r.json["error"]["code"] == -32602 and "_meta" in r.json["error"]["message"],
       "a 2026-07-28 request needs _meta", r)
srv.stop()
print("ok")
