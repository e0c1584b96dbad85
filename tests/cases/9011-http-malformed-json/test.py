import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1])
good = modern(99, "tools/list")
for raw in (b"{bad", b"", b'{"jsonrpc":"2.0","id":1,"method":"tools/li', b"\xff\xfe{}", b"nul"):
    r = srv.post(good, raw=raw)
    expect(r.status == 400 and r.json["error"]["code"] == -32700 and r.json.get("id") is None,
           "parse error for %r" % raw, r)
    r = srv.post(good)
    expect(r.status == 200 and r.json["id"] == 99, "still serving after %r" % raw, r)
for raw, id in ((b"42", None), (b"[]", None),
                (b'[{"jsonrpc":"2.0","id":1,"method":"tools/list"}]', None),
                (b'{"jsonrpc":"2.0","id":3}', 3),
                (b'{"jsonrpc":"1.0","id":4,"method":"tools/list"}', 4),
                (b'{"jsonrpc":"2.0","id":{"x":1},"method":"tools/list"}', None)):
    r = srv.post(good, raw=raw, headers={"Mcp-Method": None}, version="2025-11-25")
    expect(r.json and "error" in r.json and r.json["error"]["code"] == -32600 and r.json.get("id") == id,
           "invalid request for %r" % raw, r)
    r = srv.post(good)
    expect(r.status == 200 and r.json["id"] == 99, "still serving after %r" % raw, r)
srv.stop()
print("ok")
