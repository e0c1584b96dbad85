# Eight calls at once on one Xero connection, which allows 5 requests in
# flight per organisation (rate_limit.max_concurrent): three wait their turn.
import json
for i in range(8):
    print(json.dumps({"jsonrpc": "2.0", "id": 100 + i, "method": "tools/call",
                      "params": {"name": "xero_contacts_read",
                                 "arguments": {"ContactID": "c%d" % i}}}))
