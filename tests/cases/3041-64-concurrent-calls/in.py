# 64 calls at once to a vendor that answers each after 200 ms.
import json
for i in range(64):
    print(json.dumps({"jsonrpc": "2.0", "id": 1000 + i, "method": "tools/call",
                      "params": {"name": "stripe_customers_read", "arguments": {"id": "cus_%d" % i}}}))
