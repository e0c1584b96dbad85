import os
import sys
import threading
import time
from mcphttp import Server, modern, expect

srv = Server(sys.argv[1], ["--store", os.environ["TMP"] + "/s.db", "--connectors", "stripe",
                           "--mode", "static"])
got = {}


def call(who, cid, conn):
    t0 = time.time()
    r = srv.post(modern(1, "tools/call", {"name": "stripe_customers_read",
                                          "arguments": {"id": cid, "connection": conn}}),
                 headers={"Mcp-Param-Connection": conn})
    got[who] = (r, time.time() - t0, time.time())


threads = [threading.Thread(target=call, args=("slow", "cus_slow", "a"))]
threads[0].start()
time.sleep(0.2)
threads.append(threading.Thread(target=call, args=("fast", "cus_fast", "b")))
threads[1].start()
for t in threads:
    t.join(15)
for who in ("slow", "fast"):
    r = got[who][0]
    expect(r.status == 200 and r.json["id"] == 1, who + ": the answer has id 1", r)
    data = r.json["result"]["structuredContent"]["data"]
    expect(data.get("id") == "cus_" + who, who + ": its own answer", data)
expect(got["fast"][2] < got["slow"][2], "the fast call answered first",
       (got["fast"][2], got["slow"][2]))
expect(got["fast"][1] < 2.0, "the fast call did not wait for the slow one", got["fast"][1])

listen = modern(1, "subscriptions/listen", {"notifications": {"toolsListChanged": True}})
with srv.stream(listen) as a, srv.stream(listen) as b:
    for s in (a, b):
        ack = s.event()
        expect(ack and ack["method"] == "notifications/subscriptions/acknowledged", "acknowledged", ack)
        expect(ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 1,
               "the subscription id is the client's id", ack)
srv.stop()
print("ok")
