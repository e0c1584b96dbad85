import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1], ["--allow-host", "mcp.example.com", "--allow-origin",
                           "https://app.example.com"])
port = srv.port
ok = modern(1, "tools/list")


def post(**h):
    return srv.post(ok, headers=h)


for host in ("127.0.0.1:%d" % port, "localhost:%d" % port, "LOCALHOST", "[::1]:%d" % port,
             "mcp.example.com", "mcp.example.com:443"):
    r = post(Host=host)
    expect(r.status == 200 and r.json["id"] == 1, "Host %s is allowed" % host, r)
for host in ("evil.example:%d" % port, "mcp.example.com.evil.example", "10.0.0.1", ""):
    r = post(Host=host)
    expect(r.status == 421 and "Host" in r.json["error"]["message"], "Host %r gets 421" % host, r)

for origin in ("http://localhost:3000", "http://127.0.0.1", "https://[::1]:8443",
               "https://app.example.com"):
    r = post(Origin=origin)
    expect(r.status == 200, "Origin %s is allowed" % origin, r)
for origin in ("https://evil.example", "http://localhost.evil.example", "null",
               "https://app.example.com.evil.example", "file://"):
    r = post(Origin=origin)
    expect(r.status == 403 and r.json["error"]["code"] == -32600 and "id" not in r.json,
           "Origin %r gets 403 with a JSON-RPC error without id" % origin, r)
# Refused before the body counts: a GET from a bad origin is 403, not 405.
r = srv.post(ok, method="GET", headers={"Origin": "https://evil.example"})
expect(r.status == 403, "a bad Origin first", r)
srv.stop()
print("ok")
