import os
import sys
import threading
from mcphttp import Server, modern, expect

N = 8
srv = Server(sys.argv[1], options=["--connectors", "stripe", "--mode", "static"])
got = {}


def call(i):
    got[i] = srv.post(modern(i, "tools/call", {"name": "stripe_customers_read",
                                               "arguments": {"id": "cus_%d" % i}}), timeout=60)


threads = [threading.Thread(target=call, args=(i,)) for i in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join(90)
for i in range(N):
    r = got.get(i)
    expect(r is not None and r.status == 200 and r.json["id"] == i, "client %d's answer" % i, r)
    expect(b"\"Slow\"" in r.body and not r.json["result"].get("isError"), "the customer", r)
most = int(open(os.environ["TMP"] + "/stub-requests.jsonl-max-in-flight").read())
# A structural claim, not a time budget: half of them at once is overlap
# enough, and leaves room for a loaded machine to start some clients late.
expect(most >= N // 2, "the calls overlap at the vendor", most)
srv.stop()
