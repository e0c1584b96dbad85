import os
import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1], ["--log-level", "debug", "--keepalive", "1"])
expect("serving MCP on http://127.0.0.1:%d/mcp" % srv.port in srv.stderr(), "stderr names it",
       srv.stderr())


def quiet(step):
    n = os.path.getsize(srv.out_path)
    expect(n == 0, "stdout after " + step, open(srv.out_path, "rb").read()[:300])


listen = srv.stream(modern("l", "subscriptions/listen", {"notifications": {"toolsListChanged": True}}))
listen.event()
quiet("a subscription")
r = srv.post(modern(1, "tools/call", {"name": "stripe_customers_list",
                                      "arguments": {"limit": 2, "max_items": 3}},
                    meta={"progressToken": "p", "io.modelcontextprotocol/logLevel": "debug"}))
expect(r.ctype.startswith("text/event-stream") and r.events[-1]["id"] == 1, "a streamed call", r)
quiet("progress and log lines")
srv.post(modern(2, "nope/nope"))
srv.post(modern(3, "tools/list"), raw=b"{oops")
srv.post({"jsonrpc": "2.0", "method": "notifications/initialized"}, version="2025-11-25")
srv.post({"jsonrpc": "2.0", "id": 4, "method": "tools/list"}, version=None, headers={"Mcp-Method": None})
quiet("errors, a notification, a legacy request")
listen.count_comments(1.5)
quiet("keep-alive comments")
srv.stop()  # SIGTERM: the subscription's final result goes to its stream
print("ok")
