# Seven calls on one Xero connection (5 in flight at most); the last one,
# still waiting its turn, is cancelled: it is never sent and gets no answer.
import json
for i in range(7):
    print(json.dumps({"jsonrpc": "2.0", "id": 100 + i, "method": "tools/call",
                      "params": {"name": "xero_contacts_read",
                                 "arguments": {"ContactID": "c%d" % i}}}))
print(json.dumps({"jsonrpc": "2.0", "method": "notifications/cancelled",
                  "params": {"requestId": 106, "reason": "user"}}))
