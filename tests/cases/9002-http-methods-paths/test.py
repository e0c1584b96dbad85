import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1], ["--path", "/api/mcp"])
ok = modern(1, "tools/list")
r = srv.post(ok, path="/api/mcp")
expect(r.status == 200 and r.json["id"] == 1, "POST on --path", r)
for method in ("GET", "DELETE", "PUT"):
    r = srv.post(ok, path="/api/mcp", method=method)
    expect(r.status == 405 and r.headers.get("allow") == "POST", method + " gets 405", r)
r = srv.post(ok, path="/api/mcp", method="GET", headers={"Accept": "text/event-stream",
                                                          "Mcp-Session-Id": "abc"})
expect(r.status == 405, "a GET stream with a session id gets 405", r)
for path in ("/mcp", "/", "/api/mcp/x", "/api/mcpx"):
    r = srv.post(ok, path=path)
    expect(r.status == 404, "POST %s gets 404" % path, r)
r = srv.post(ok, path="/.well-known/oauth-protected-resource", method="GET")
expect(r.status == 404, "no protected-resource metadata without an authenticator", r)

r = srv.post(ok, path="/api/mcp", headers={"Content-Type": "text/plain"})
expect(r.status == 415 and r.json["error"]["code"] == -32600, "text/plain gets 415", r)
r = srv.post(ok, path="/api/mcp", headers={"Content-Type": None})
expect(r.status == 415, "no Content-Type gets 415", r)
r = srv.post(ok, path="/api/mcp", headers={"Content-Type": "application/json; charset=utf-8"})
expect(r.status == 200, "application/json with a charset", r)
r = srv.post(ok, path="/api/mcp", headers={"Accept": "application/json"})
expect(r.status == 406, "an Accept without text/event-stream gets 406", r)
r = srv.post(ok, path="/api/mcp", headers={"Accept": "text/event-stream"})
expect(r.status == 406, "an Accept without application/json gets 406", r)
for accept in ("*/*", "application/*, text/*", None):
    r = srv.post(ok, path="/api/mcp", headers={"Accept": accept})
    expect(r.status == 200, "Accept %r is enough" % accept, r)
srv.stop()
print("ok")
