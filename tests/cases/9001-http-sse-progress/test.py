import sys
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1])
call = modern("c1", "tools/call", {"name": "stripe_customers_list",
                                   "arguments": {"limit": 2, "max_items": 3}},
              meta={"progressToken": "p"})
r = srv.post(call)
expect(r.status == 200 and r.ctype.startswith("text/event-stream"), "an SSE answer", r)
expect(r.headers.get("x-accel-buffering") == "no", "X-Accel-Buffering: no", r.headers)
expect("mcp-session-id" not in r.headers, "no session id", r.headers)
kinds = [e.get("method", "answer") for e in r.events]
expect(kinds == ["notifications/progress", "notifications/progress", "answer"],
       "progress, progress, then the answer", kinds)
expect([e["params"]["progress"] for e in r.events[:2]] == [2, 3], "progress values", r.events)
expect(all(e["params"]["progressToken"] == "p" for e in r.events[:2]), "the client's token", r.events)
ans = r.events[-1]
expect(ans["id"] == "c1", "the client's id on the answer", ans)
ids = [d["id"] for d in ans["result"]["structuredContent"]["data"]]
expect(ids == ["cus_1", "cus_2", "cus_3", "cus_4"], "the gathered items", ids)

# No progressToken: nothing streams, so one JSON object.
plain = modern(5, "tools/call", {"name": "stripe_customers_list",
                                 "arguments": {"limit": 2, "cursor": "cus_4"}})
r = srv.post(plain)
expect(r.status == 200 and r.ctype.startswith("application/json"), "a JSON answer", r)
expect(r.json["id"] == 5 and r.json["result"]["structuredContent"]["data"] == [{"id": "cus_5"}],
       "the answer", r.json)

# A log level asked in _meta: the call's log lines stream before its answer.
logged = modern(6, "tools/call", {"name": "shopify_orders_list", "arguments": {"limit": 50}},
                meta={"io.modelcontextprotocol/logLevel": "info"})
r = srv.post(logged)
expect(r.ctype.startswith("text/event-stream"), "log lines make it a stream", r)
expect(any(e.get("method") == "notifications/message" and "throttled" in e["params"]["data"]
           for e in r.events), "the throttling's log line", r.events)
expect(r.events[-1]["id"] == 6 and "result" in r.events[-1], "the answer last", r.events)
srv.stop()
print("ok")
