"""Signed and forged Stripe deliveries against webhooks serve on argv[1]."""
import hashlib, hmac, json, sys, time, urllib.request, urllib.error

BASE = f"http://127.0.0.1:{sys.argv[1]}"
SECRET = b"whsec_stripe_test_secret"


def post(path, body, headers=None, method="POST"):
    req = urllib.request.Request(BASE + path, data=body if method == "POST" else None,
                                 headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def signed(body, secret=SECRET, t=None):
    t = int(time.time()) if t is None else t
    sig = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={t},v1={sig}", "Content-Type": "application/json"}


def expect(what, got, status):
    if got[0] != status:
        sys.exit(f"{what}: status {got[0]}, expected {status}: {got[1]!r}")


event = json.dumps({"id": "evt_1", "object": "event", "type": "customer.created",
                    "data": {"object": {"id": "cus_1", "object": "customer"}}}).encode()
t0 = time.time()
expect("good", post("/hooks/stripe/main", event, signed(event)), 200)
ms = (time.time() - t0) * 1000
# Stripe retries the same event: stored once (dedupe on the event id).
expect("replay", post("/hooks/stripe/main", event, signed(event)), 200)
expect("replay later", post("/hooks/stripe/main", event, signed(event, t=int(time.time()) - 60)), 200)
# An event Stripe sends that no entity declares is kept, unmapped.
other = json.dumps({"id": "evt_2", "type": "balance.available", "data": {"object": {}}}).encode()
expect("unmapped", post("/hooks/stripe/main/", other, signed(other)), 200)

forged = json.dumps({"id": "evt_3", "type": "customer.deleted", "FORGED_MARKER": 1}).encode()
expect("tampered body", post("/hooks/stripe/main", forged, signed(event)), 401)
expect("wrong secret", post("/hooks/stripe/main", forged, signed(forged, b"whsec_wrong")), 401)
expect("stale", post("/hooks/stripe/main", forged, signed(forged, t=int(time.time()) - 310)), 401)
expect("no signature", post("/hooks/stripe/main", forged, {}), 401)
expect("too big", post("/hooks/stripe/main", b"x" * ((1 << 20) + 1), signed(b"x")), 413)
expect("unknown connection", post("/hooks/stripe/ghost", event, signed(event)), 404)
expect("no secret configured", post("/hooks/stripe/nosecret", event, signed(event)), 500)
expect("unknown connector", post("/hooks/nosuch/main", event, signed(event)), 404)
expect("connector without webhooks", post("/hooks/http/main", event, signed(event)), 404)
expect("outside the prefix", post("/elsewhere/stripe/main", event, signed(event)), 404)
expect("too deep", post("/hooks/stripe/main/extra", event, signed(event)), 404)
expect("GET", post("/hooks/stripe/main", b"", method="GET"), 405)
print(f"first delivery answered in {ms:.1f} ms", file=sys.stderr)
