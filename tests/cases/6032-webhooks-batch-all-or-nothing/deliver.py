"""One signed batch delivery of argv[2] (hubspot, xero, quickbooks, or one
of them + "-bad": a batch with an element that is no event) to webhooks
serve on argv[1]; prints the status, or "no answer"."""
import base64, hashlib, hmac, json, sys, time, urllib.request, urllib.error

port, kind = sys.argv[1], sys.argv[2]
bad = kind.endswith("-bad")
kind = kind.replace("-bad", "")


def mac(key, msg):
    return base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


J = {"Content-Type": "application/json"}
if kind == "hubspot":
    items = [{"eventId": 3000 + i, "subscriptionId": 1, "portalId": 62515,
              "occurredAt": 1767225600000, "subscriptionType": "contact.creation",
              "objectId": 100 + i} for i in range(3)]
    if bad:
        items[1] = 42
    body = json.dumps(items).encode()
    path = "/hooks/hubspot/portal"
    ts = str(int(time.time() * 1000))
    uri = f"http://127.0.0.1:{port}{path}"
    headers = {**J, "X-HubSpot-Signature-v3": mac(b"hubspot-client-secret", b"POST" + uri.encode() + body + ts.encode()),
               "X-HubSpot-Request-Timestamp": ts}
elif kind == "xero":
    events = [{"resourceUrl": f"https://api.xero.com/api.xro/2.0/Contacts/c-{i}", "resourceId": f"c-{i}",
               "eventDateUtc": "2026-01-31T09:00:00.000", "eventType": "CREATE", "eventCategory": "CONTACT",
               "tenantId": "t-1", "tenantType": "ORGANISATION"} for i in range(3)]
    if bad:
        events[1] = "CONTACT.CREATE"
    body = json.dumps({"events": events, "firstEventSequence": 1, "lastEventSequence": 3,
                       "entropy": "ABCDEF"}).encode()
    path = "/hooks/xero/books"
    headers = {**J, "x-xero-signature": mac(b"xero-webhook-key-1", body)}
else:
    items = [{"specversion": "1.0", "id": f"qb-batch-{i}", "source": "intuit.qbo",
              "type": "qbo.customer.created.v1", "time": "2026-01-31T09:00:00Z",
              "intuitentityid": str(60 + i), "intuitaccountid": "4620816365", "data": {}} for i in range(3)]
    if bad:
        items[1] = None
    body = json.dumps(items).encode()
    path = "/hooks/quickbooks/co"
    headers = {**J, "intuit-signature": mac(b"qb-verifier-token", body)}

req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method="POST")
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception as e:
    print("no answer:", type(e).__name__)
