"""Good and forged deliveries for GitHub, Shopify, HubSpot, QuickBooks,
OpenAI and Cin7 Core against webhooks serve --path-prefix /in on argv[1]."""
import base64, hashlib, hmac, json, sys, time, urllib.request, urllib.error

PORT = sys.argv[1]
BASE = f"http://127.0.0.1:{PORT}"


def post(path, body, headers):
    req = urllib.request.Request(BASE + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def expect(what, got, status):
    if got[0] != status:
        sys.exit(f"{what}: got {got}, expected {status}")


def mac(key, msg):
    return hmac.new(key, msg, hashlib.sha256).digest()


def b64(b):
    return base64.b64encode(b).decode()


J = {"Content-Type": "application/json"}

# GitHub: sha256=<hex>, event from X-GitHub-Event + action, id from the delivery.
issue = json.dumps({"action": "opened", "issue": {"number": 7, "title": "Bug"}}).encode()
gh = lambda body, key=b"gh-hook-secret", event="issues", delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958": {
    **J, "X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
    "X-Hub-Signature-256": "sha256=" + mac(key, body).hex()}
expect("github", post("/in/github/main", issue, gh(issue)), 200)
expect("github redelivered", post("/in/github/main", issue, gh(issue)), 200)
ping = json.dumps({"zen": "Design for failure.", "hook_id": 1}).encode()
expect("github ping", post("/in/github/main", ping, gh(ping, event="ping", delivery="ping-delivery-1")), 200)
expect("github forged", post("/in/github/main", issue, gh(issue, key=b"guess")), 401)

# Shopify: base64 HMAC of the body keyed with the app's client secret.
order = json.dumps({"id": 820982911946154508, "email": "jon@example.com"}).encode()
sh = lambda body, key=b"shopify-app-secret": {
    **J, "X-Shopify-Topic": "orders/create", "X-Shopify-Event-Id": "shopify-event-1",
    "X-Shopify-Shop-Domain": "acme.myshopify.com", "X-Shopify-Hmac-Sha256": b64(mac(key, body))}
expect("shopify", post("/in/shopify/shop", order, sh(order)), 200)
expect("shopify forged", post("/in/shopify/shop", order, sh(order, b"client-id-not-secret")), 401)

# HubSpot v3: method + public URI + body + timestamp (ms). Behind a tunnel
# the URI comes from X-Forwarded-Proto/Host ...
batch = json.dumps([
    {"eventId": 1001, "subscriptionId": 1, "portalId": 62515, "occurredAt": 1767225600000,
     "subscriptionType": "contact.creation", "attemptNumber": 0, "objectId": 123},
    {"eventId": 1002, "subscriptionId": 2, "portalId": 62515, "occurredAt": 1767225600000,
     "subscriptionType": "deal.propertyChange", "objectId": 456, "propertyName": "amount",
     "propertyValue": "100"}]).encode()


def hs(body, uri, key=b"hubspot-client-secret", ts=None, fwd=True):
    ts = str(int(time.time() * 1000) if ts is None else ts)
    sig = b64(mac(key, b"POST" + uri.encode() + body + ts.encode()))
    h = {**J, "X-HubSpot-Signature-v3": sig, "X-HubSpot-Request-Timestamp": ts}
    if fwd:
        h.update({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "abc.tunnel.example"})
    return h


uri = "https://abc.tunnel.example/in/hubspot/portal?src=hs"
expect("hubspot", post("/in/hubspot/portal?src=hs", batch, hs(batch, uri)), 200)
expect("hubspot stale", post("/in/hubspot/portal?src=hs", batch,
                             hs(batch, uri, ts=int(time.time() * 1000) - 305000)), 401)
expect("hubspot wrong uri", post("/in/hubspot/portal?src=hs", batch,
                                 hs(batch, "https://abc.tunnel.example/in/hubspot/other")), 401)
expect("hubspot forged", post("/in/hubspot/portal?src=hs", batch, hs(batch, uri, b"x")), 401)
# ... or from the connection's webhook_url, whatever the request's Host says.
one = json.dumps([{"eventId": 2001, "subscriptionType": "ticket.deletion", "objectId": 9}]).encode()
expect("hubspot webhook_url", post("/in/hubspot/fixed", one,
                                   hs(one, "https://hooks.example.com/in/hubspot/fixed", fwd=False)), 200)

# QuickBooks: CloudEvents arrays, base64 HMAC keyed with the verifier token.
cloud = json.dumps([
    {"specversion": "1.0", "id": "qe-1", "source": "intuit.qbo", "type": "qbo.customer.created.v1",
     "time": "2026-01-31T09:00:00Z", "intuitentityid": "58", "intuitaccountid": "4620816365", "data": {}},
    {"specversion": "1.0", "id": "qe-2", "source": "intuit.qbo", "type": "qbo.invoice.voided.v1",
     "time": "2026-01-31T09:00:01Z", "intuitentityid": "130", "intuitaccountid": "4620816365", "data": {}}]).encode()
qb = lambda body, key=b"qb-verifier-token": {**J, "intuit-signature": b64(mac(key, body))}
expect("quickbooks", post("/in/quickbooks/co", cloud, qb(cloud)), 200)
expect("quickbooks forged", post("/in/quickbooks/co", cloud, qb(cloud, b"client-secret")), 401)

# OpenAI: Standard Webhooks, keyed with the base64 after whsec_.
key = base64.b64decode("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
resp = json.dumps({"id": "evt_685", "object": "event", "created_at": 1767225600,
                   "type": "response.completed", "data": {"id": "resp_1"}}).encode()


def std(body, k=key, mid="msg_2X", ts=None):
    ts = str(int(time.time()) if ts is None else ts)
    sig = b64(mac(k, f"{mid}.{ts}.".encode() + body))
    return {**J, "webhook-id": mid, "webhook-timestamp": ts, "webhook-signature": f"v1,{b64(b'old')} v1,{sig}"}


expect("openai", post("/in/openai/proj", resp, std(resp)), 200)
expect("openai stale", post("/in/openai/proj", resp, std(resp, ts=int(time.time()) - 400)), 401)
expect("openai secret as text", post("/in/openai/proj", resp,
                                     std(resp, k=b"whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")), 401)

# Cin7 Core: the Basic or Bearer credential the webhook was registered with.
sale = json.dumps({"EventType": "Sale/Created", "SaleID": "s-1"}).encode()
expect("cin7 basic", post("/in/cin7core/basic", sale,
                          {**J, "Authorization": "Basic " + b64(b"cin7user:hook-pass")}), 200)
expect("cin7 basic wrong", post("/in/cin7core/basic", sale,
                                {**J, "Authorization": "Basic " + b64(b"cin7user:guess")}), 401)
prod = json.dumps({"EventType": "Product/Updated", "ProductID": "p-1"}).encode()
expect("cin7 bearer", post("/in/cin7core/bearer", prod, {**J, "Authorization": "Bearer cin7-bearer-token"}), 200)
expect("cin7 bearer replay", post("/in/cin7core/bearer", prod, {**J, "Authorization": "Bearer cin7-bearer-token"}), 200)
expect("cin7 none", post("/in/cin7core/bearer", prod, J), 401)
