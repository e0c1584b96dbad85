"""A signed Stripe delivery to webhooks serve at argv[1] (host) argv[2] (port);
argv[3] the event id; argv[4] "forged": signed with the wrong secret, refused."""
import hashlib, hmac, http.client, json, sys, time

host, port, evt = sys.argv[1], int(sys.argv[2]), sys.argv[3]
body = json.dumps({"id": evt, "object": "event", "type": "customer.created",
                   "data": {"object": {"id": "cus_" + evt, "object": "customer"}}}).encode()
t = int(time.time())
forged = sys.argv[4:] == ["forged"]
sig = hmac.new(b"whsec_wrong" if forged else b"whsec_v6", f"{t}.".encode() + body, hashlib.sha256).hexdigest()
c = http.client.HTTPConnection(host, port, timeout=10)
c.request("POST", "/hooks/stripe/main", body,
          {"Stripe-Signature": f"t={t},v1={sig}", "Content-Type": "application/json"})
r = c.getresponse()
if r.status != (401 if forged else 200):
    sys.exit(f"{host}: status {r.status}: {r.read()!r}")
