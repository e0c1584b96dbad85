import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1], options=["--connectors", "stripe", "--mode", "static"])
one = {"name": "stripe_customers_list", "arguments": {"limit": 1}}
r = srv.post(modern(1, "tools/call", one))
expect(r.status == 200 and r.ctype.startswith("application/json"), "a JSON answer", r)
expect(r.json["result"]["structuredContent"]["data"][0]["balance"] == 4.35, "the balance", r)
expect(b'"balance":4.35,"rate":0.1}' in r.body, "reals in their shortest form", r)

# Gathering two pages with a progress token streams: the same on SSE.
two = {"name": "stripe_customers_list", "arguments": {"limit": 1, "max_items": 2}}
r = srv.post(modern(2, "tools/call", two, meta={"progressToken": "p"}))
expect(r.status == 200 and r.ctype.startswith("text/event-stream"), "an SSE answer", r)
data = r.json["result"]["structuredContent"]["data"]
expect([d["balance"] for d in data] == [4.35, 0.3], "both balances", r)
expect(b'"balance":4.35,"rate":0.1}' in r.body and b'"balance":0.3,"rate":0.7}' in r.body,
       "reals in their shortest form on the stream", r.body[-700:])
expect(b"4.349" not in r.body and b"0.1000" not in r.body, "no long reals", r)
srv.stop()
